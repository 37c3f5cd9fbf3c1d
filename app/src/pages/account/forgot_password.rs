//! 비밀번호 찾기 (forgot password): asks for a reset link by e-mail. The
//! answer is the same whether or not the address has an account, so the
//! page does not tell who is signed up.

use super::{Field, FormErrors, FormNotice, use_hydrated};
use crate::auth::{check_email, request_password_reset};
use crate::components::PageTitle;
use crate::i18n::Key;
use crate::prefs::t;
use crate::realtime::go_live;
use leptos::prelude::*;

#[component]
pub(super) fn ForgotPasswordPage() -> impl IntoView {
    go_live();
    let hydrated = use_hydrated();
    let email = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let done = RwSignal::new(None::<Key>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        if !errors.check(check_email(&email.get_untracked()).err()) {
            return;
        }
        leptos::task::spawn_local(async move {
            match request_password_reset(email.get_untracked()).await {
                Ok(()) => {
                    done.try_set(Some(|x| x.forgot_sent));
                }
                Err(err) => errors.server(err, &["email"]),
            }
        });
    };
    view! {
        <PageTitle text=t(|x| x.forgot_title)/>
        <section class="account">
            <h1>{t(|x| x.forgot_title)}</h1>
            <form class="card account__form" method="post" on:submit=submit novalidate>
                <Field id="forgot-email" field="email" label=|x| x.account_email kind="email" autocomplete="email" value=email errors/>
                <FormNotice errors done/>
                <button type="submit" class="button" data-testid="forgot-submit" disabled=move || !hydrated.get()>{t(|x| x.forgot_submit)}</button>
            </form>
        </section>
    }
}
