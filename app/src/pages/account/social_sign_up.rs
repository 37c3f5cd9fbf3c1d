//! The last step of a first sign-in with a provider (Google, Kakao,
//! Naver): the nickname the new user goes by, and whether the guest
//! account practised with so far becomes theirs.

use super::{Field, FormErrors, FormNotice, reload_to, use_hydrated};
use crate::auth::{check_nickname, complete_social_sign_up};
use crate::components::PageTitle;
use crate::prefs::t;
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
        <PageTitle text=t(|x| x.social_sign_up_title)/>
        <section class="account">
            <h1>{t(|x| x.social_sign_up_title)}</h1>
            <p>{t(|x| x.social_sign_up_welcome)}</p>
            <form class="card account__form" method="post" on:submit=submit novalidate>
                <Field id="social-nickname" field="nickname" label=|x| x.account_nickname autocomplete="nickname" value=nickname errors
                    hint=|x| x.account_nickname_hint/>
                <label class="check">
                    <input type="checkbox" prop:checked=move || claim_guest.get()
                        on:change=move |ev| claim_guest.set(event_target_checked(&ev))/>
                    {t(|x| x.account_claim_guest)}
                </label>
                <FormNotice errors/>
                <button type="submit" class="button" data-testid="social-submit" disabled=move || !hydrated.get()>
                    {t(|x| x.social_sign_up_submit)}
                </button>
            </form>
        </section>
    }
}
