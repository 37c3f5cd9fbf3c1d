//! 회원가입 (sign up): e-mail, nickname and password, checked here with the
//! server's rules; the account starts once the mailed link is opened.

use super::{Field, FormErrors, FormNotice, use_hydrated};
use crate::auth::{SignUpForm, check_sign_up, sign_up};
use crate::components::PageTitle;
use crate::i18n::Key;
use crate::prefs::t;
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
    let done = RwSignal::new(None::<Key>);
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
                    done.try_set(Some(|x| x.sign_up_sent));
                }
                Err(err) => {
                    errors.server(err, &["email", "nickname", "password"]);
                }
            }
            pending.try_set(false);
        });
    };
    view! {
        <PageTitle text=t(|x| x.account_sign_up)/>
        <section class="account">
            <h1>{t(|x| x.account_sign_up)}</h1>
            <form class="card account__form" method="post" on:submit=submit novalidate>
                <Field id="sign-up-email" field="email" label=|x| x.account_email kind="email" autocomplete="email" value=email errors/>
                <Field id="sign-up-nickname" field="nickname" label=|x| x.account_nickname autocomplete="nickname" value=nickname errors
                    hint=|x| x.account_nickname_hint/>
                <Field id="sign-up-password" field="password" label=|x| x.account_password kind="password" autocomplete="new-password" value=password errors hint=|x| x.account_password_hint/>
                <label class="check">
                    <input type="checkbox" data-testid="sign-up-claim" prop:checked=move || claim_guest.get()
                        on:change=move |ev| claim_guest.set(event_target_checked(&ev))/>
                    {t(|x| x.account_claim_guest)}
                </label>
                <FormNotice errors done/>
                <button type="submit" class="button" data-testid="sign-up-submit" disabled=move || !hydrated.get() || pending.get()>
                    {t(|x| x.sign_up_submit)}
                </button>
            </form>
            <p class="account__links">
                <a href="/sign-in">{t(|x| x.sign_up_sign_in_link)}</a>
            </p>
        </section>
    }
}
