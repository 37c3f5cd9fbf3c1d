//! The page a password-reset link opens: a new password, checked here with
//! the server's rules and sent with the link's token.

use super::{Field, FormErrors, FormNotice, PASSWORD_HINT, use_hydrated};
use crate::auth::{check_password, reset_password};
use crate::components::PageTitle;
use crate::i18n::tr;
use crate::realtime::go_live;
use leptos::prelude::*;

#[component]
pub(super) fn ResetPasswordPage(token: String) -> impl IntoView {
    go_live();
    let hydrated = use_hydrated();
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let done = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let new_password = password.get_untracked();
        if !errors.check(check_password("new_password", &new_password, "", "").err()) {
            return;
        }
        let token = token.clone();
        leptos::task::spawn_local(async move {
            match reset_password(token, new_password).await {
                Ok(()) => {
                    errors.clear();
                    done.try_set(Some((
                        "비밀번호를 바꿨습니다. 새 비밀번호로 로그인해 주세요.",
                        "Your password is changed. Sign in with the new one.",
                    )));
                }
                Err(err) => errors.server(err, &["new_password"]),
            }
        });
    };
    view! {
        <PageTitle text=tr("새 비밀번호", "New password")/>
        <section class="account">
            <h1>{tr("새 비밀번호 정하기", "Set a new password")}</h1>
            <form class="card account__form" method="post" on:submit=submit novalidate>
                <Field id="reset-password" field="new_password" label="새 비밀번호" label_en="New password" kind="password" autocomplete="new-password" value=password errors hint=PASSWORD_HINT/>
                <FormNotice errors done/>
                <button type="submit" class="button" data-testid="reset-submit" disabled=move || !hydrated.get()>{tr("비밀번호 바꾸기", "Change password")}</button>
            </form>
            <p class="account__links"><a href="/sign-in">{tr("로그인", "Sign in")}</a></p>
        </section>
    }
}
