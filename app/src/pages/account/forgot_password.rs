//! 비밀번호 찾기 (forgot password): asks for a reset link by e-mail. The
//! answer is the same whether or not the address has an account, so the
//! page does not tell who is signed up.

use super::{Field, FormErrors, FormNotice, use_hydrated};
use crate::auth::{check_email, request_password_reset};
use crate::components::PageTitle;
use crate::i18n::tr;
use crate::realtime::go_live;
use leptos::prelude::*;

#[component]
pub(super) fn ForgotPasswordPage() -> impl IntoView {
    go_live();
    let hydrated = use_hydrated();
    let email = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let done = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        if !errors.check(check_email(&email.get_untracked()).err()) {
            return;
        }
        leptos::task::spawn_local(async move {
            match request_password_reset(email.get_untracked()).await {
                Ok(()) => {
                    done.try_set(Some((
                        "가입된 주소라면 비밀번호를 다시 정하는 링크를 보냈습니다. 링크는 30분 동안 쓸 수 있습니다.",
                        "If this address has an account, we sent it a link to set a new password. It works for 30 minutes.",
                    )));
                }
                Err(err) => errors.server(err, &["email"]),
            }
        });
    };
    view! {
        <PageTitle text=tr("비밀번호 찾기", "Forgot password")/>
        <section class="account">
            <h1>{tr("비밀번호 찾기", "Forgot password")}</h1>
            <form class="card account__form" method="post" on:submit=submit novalidate>
                <Field id="forgot-email" field="email" label="이메일" label_en="E-mail" kind="email" autocomplete="email" value=email errors/>
                <FormNotice errors done/>
                <button type="submit" class="button" data-testid="forgot-submit" disabled=move || !hydrated.get()>{tr("재설정 링크 받기", "Send me a link")}</button>
            </form>
        </section>
    }
}
