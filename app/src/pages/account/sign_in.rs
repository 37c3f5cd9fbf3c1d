//! 로그인 (sign in) with e-mail and password or a provider, and the
//! "send the verification mail again" button for an address not verified
//! yet.

use super::{
    Field, FormErrors, FormNotice, OAuthErrorNotice, SocialButtons, reload_to,
    resend_verification_mail, use_hydrated,
};
use crate::auth::{check_email, check_password, sign_in};
use crate::components::PageTitle;
use crate::i18n::Key;
use crate::prefs::t;
use crate::realtime::go_live;
use leptos::prelude::*;

/// 로그인. `reason` says why the visitor was sent here (`elsewhere`: signed
/// in on another device); `providers` are the configured providers, the
/// only ones offered.
#[component]
pub(super) fn SignInPage(
    reason: Option<String>,
    oauth_error: Option<String>,
    providers: Vec<String>,
) -> impl IntoView {
    go_live();
    let signed_out_elsewhere = reason.as_deref() == Some("elsewhere");
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let done = RwSignal::new(None::<Key>);
    let unverified = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let hydrated = use_hydrated();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        if let Err(err) = check_email(&email.get_untracked()) {
            problems.push(err);
        }
        if password.get_untracked().is_empty() {
            problems.push(check_password("password", "", "", "").unwrap_err());
        }
        if !errors.check(problems) {
            return;
        }
        pending.set(true);
        unverified.set(false);
        leptos::task::spawn_local(async move {
            match sign_in(email.get_untracked(), password.get_untracked()).await {
                Ok(_) => reload_to("/"),
                Err(err) => {
                    unverified.try_set(err.code == "email_unverified");
                    // A wrong password shows at the password; "not verified
                    // yet" is about the whole account, above the button.
                    errors.server(err, &["password"]);
                    pending.try_set(false);
                }
            }
        });
    };
    let resend = move |_| resend_verification_mail(email.get_untracked(), errors, done);
    view! {
        <PageTitle text=t(|x| x.account_sign_in)/>
        <section class="account">
            <h1>{t(|x| x.account_sign_in)}</h1>
            {signed_out_elsewhere.then(|| view! {
                <p class="notice notice--error" role="alert" data-testid="signed-out-elsewhere">
                    {t(|x| x.sign_in_elsewhere)}
                </p>
            })}
            <OAuthErrorNotice oauth_error/>
            <form class="card account__form" method="post" on:submit=submit novalidate>
                <Field id="sign-in-email" field="email" label=|x| x.account_email kind="email" autocomplete="username" value=email errors/>
                <Field id="sign-in-password" field="password" label=|x| x.account_password kind="password" autocomplete="current-password" value=password errors/>
                <FormNotice errors done/>
                <Show when=move || unverified.get()>
                    <button type="button" class="chip" data-testid="resend-verification" on:click=resend>
                        {t(|x| x.sign_in_resend)}
                    </button>
                </Show>
                <button type="submit" class="button" data-testid="sign-in-submit" disabled=move || !hydrated.get() || pending.get()>
                    {t(|x| x.account_sign_in)}
                </button>
            </form>
            {(!providers.is_empty()).then(|| view! {
                <p class="account__or">{t(|x| x.sign_in_or)}</p>
                <SocialButtons configured=providers/>
            })}
            <p class="account__links">
                <a href="/sign-up">{t(|x| x.sign_in_sign_up_link)}</a>
                " · "
                <a href="/forgot-password">{t(|x| x.sign_in_forgot_link)}</a>
            </p>
        </section>
    }
}
