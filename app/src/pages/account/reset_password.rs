//! The page a password-reset link opens: a new password, checked here with
//! the server's rules and sent with the link's token.

use super::{Field, FormErrors, FormNotice, use_hydrated};
use crate::auth::{check_password, reset_password};
use crate::components::PageTitle;
use crate::i18n::Key;
use crate::prefs::t;
use crate::realtime::go_live;
use leptos::prelude::*;

#[component]
pub(super) fn ResetPasswordPage(token: String) -> impl IntoView {
    go_live();
    let hydrated = use_hydrated();
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let done = RwSignal::new(None::<Key>);
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
                    done.try_set(Some(|x| x.reset_done));
                }
                Err(err) => errors.server(err, &["new_password"]),
            }
        });
    };
    view! {
        <PageTitle text=t(|x| x.reset_page_title)/>
        <section class="account">
            <h1>{t(|x| x.reset_heading)}</h1>
            <form class="card account__form" method="post" on:submit=submit novalidate>
                <Field id="reset-password" field="new_password" label=|x| x.account_new_password kind="password" autocomplete="new-password" value=password errors hint=|x| x.account_password_hint/>
                <FormNotice errors done/>
                <button type="submit" class="button" data-testid="reset-submit" disabled=move || !hydrated.get()>{t(|x| x.account_change_password)}</button>
            </form>
            <p class="account__links"><a href="/sign-in">{t(|x| x.account_sign_in)}</a></p>
        </section>
    }
}
