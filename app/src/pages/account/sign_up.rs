//! 회원가입 (sign up): e-mail, nickname and password, checked here with the
//! server's rules; the account starts once the mailed link is opened.

use super::{Field, FormErrors, FormNotice, PASSWORD_HINT, use_hydrated};
use crate::auth::{SignUpForm, check_sign_up, sign_up};
use crate::components::PageTitle;
use crate::i18n::tr;
use crate::realtime::go_live;
use leptos::prelude::*;

#[component]
pub(super) fn SignUpPage() -> impl IntoView {
    go_live();
    let email = RwSignal::new(String::new());
    let nickname = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let claim_guest = RwSignal::new(true);
    let errors = FormErrors::new();
    let done = RwSignal::new(None);
    let pending = RwSignal::new(false);
    let hydrated = use_hydrated();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = SignUpForm {
            email: email.get_untracked(),
            password: password.get_untracked(),
            nickname: nickname.get_untracked(),
            claim_guest: claim_guest.get_untracked(),
        };
        done.set(None);
        if !errors.check(check_sign_up(&form)) {
            return;
        }
        pending.set(true);
        leptos::task::spawn_local(async move {
            match sign_up(form).await {
                Ok(()) => {
                    errors.clear();
                    done.try_set(Some((
                        "인증 메일을 보냈습니다. 메일의 링크를 열어 가입을 마쳐 주세요.",
                        "We sent you a verification mail. Open its link to finish signing up.",
                    )));
                }
                Err(err) => {
                    errors.server(err, &["email", "nickname", "password"]);
                }
            }
            pending.try_set(false);
        });
    };
    view! {
        <PageTitle text=tr("회원가입", "Sign up")/>
        <section class="account">
            <h1>{tr("회원가입", "Sign up")}</h1>
            <form class="card account__form" method="post" on:submit=submit novalidate>
                <Field id="sign-up-email" field="email" label="이메일" label_en="E-mail" kind="email" autocomplete="email" value=email errors/>
                <Field id="sign-up-nickname" field="nickname" label="닉네임" label_en="Nickname" autocomplete="nickname" value=nickname errors
                    hint=("2~16자의 한글, 영문, 숫자, 밑줄(_)", "2 to 16 Hangul, letters, digits or underscores")/>
                <Field id="sign-up-password" field="password" label="비밀번호" label_en="Password" kind="password" autocomplete="new-password" value=password errors hint=PASSWORD_HINT/>
                <label class="check">
                    <input type="checkbox" data-testid="sign-up-claim" prop:checked=move || claim_guest.get()
                        on:change=move |ev| claim_guest.set(event_target_checked(&ev))/>
                    {tr("지금까지 연습한 계좌를 내 계좌로 가져오기", "Keep the account I have been practising with")}
                </label>
                <FormNotice errors done/>
                <button type="submit" class="button" data-testid="sign-up-submit" disabled=move || !hydrated.get() || pending.get()>
                    {tr("가입하기", "Sign up")}
                </button>
            </form>
            <p class="account__links">
                <a href="/sign-in">{tr("이미 계정이 있으신가요? 로그인", "Have an account? Sign in")}</a>
            </p>
        </section>
    }
}
