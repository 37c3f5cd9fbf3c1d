//! The last step of a first sign-in with a provider (Google, Kakao,
//! Naver): the nickname the new user goes by, and whether the guest
//! account practised with so far becomes theirs.

use super::{Field, FormErrors, FormNotice, reload_to, use_hydrated};
use crate::auth::{check_nickname, complete_social_sign_up};
use crate::components::PageTitle;
use crate::i18n::tr;
use crate::realtime::go_live;
use leptos::prelude::*;

/// After a first sign-in with a provider: the nickname the new user goes by.
#[component]
pub(super) fn SocialSignUpPage() -> impl IntoView {
    go_live();
    let hydrated = use_hydrated();
    let nickname = RwSignal::new(String::new());
    let claim_guest = RwSignal::new(true);
    let errors = FormErrors::new();
    let done = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !errors.check(check_nickname(&nickname.get_untracked()).err()) {
            return;
        }
        leptos::task::spawn_local(async move {
            match complete_social_sign_up(nickname.get_untracked(), claim_guest.get_untracked())
                .await
            {
                Ok(_) => reload_to("/"),
                Err(err) => errors.server(err, &["nickname"]),
            }
        });
    };
    view! {
        <PageTitle text=tr("닉네임 정하기", "Choose a nickname")/>
        <section class="account">
            <h1>{tr("닉네임 정하기", "Choose a nickname")}</h1>
            <p>{tr("처음 오셨네요. 개미에서 쓸 닉네임을 정해 주세요.", "Welcome. Choose the nickname you will go by on Gaemi.")}</p>
            <form class="card account__form" method="post" on:submit=submit novalidate>
                <Field id="social-nickname" field="nickname" label="닉네임" label_en="Nickname" autocomplete="nickname" value=nickname errors
                    hint=("2~16자의 한글, 영문, 숫자, 밑줄(_)", "2 to 16 Hangul, letters, digits or underscores")/>
                <label class="check">
                    <input type="checkbox" prop:checked=move || claim_guest.get()
                        on:change=move |ev| claim_guest.set(event_target_checked(&ev))/>
                    {tr("지금까지 연습한 계좌를 내 계좌로 가져오기", "Keep the account I have been practising with")}
                </label>
                <FormNotice errors done/>
                <button type="submit" class="button" data-testid="social-submit" disabled=move || !hydrated.get()>
                    {tr("시작하기", "Start")}
                </button>
            </form>
        </section>
    }
}
