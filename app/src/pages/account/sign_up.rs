//! 회원가입 (sign up): e-mail, nickname and password, checked here with the
//! server's rules. Once sent, the form gives way to what happens next (the
//! mail went to this address, its link finishes signing up and signs in),
//! with the mail sent again on request or the form back for another
//! address.

use super::{Field, FormErrors, FormNotice, resend_verification_mail, use_hydrated};
use crate::auth::{SignUpForm, check_sign_up, sign_up};
use crate::components::PageTitle;
use crate::i18n::{Key, fill};
use crate::prefs::{t, use_prefs};
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
    let pending = RwSignal::new(false);
    let hydrated = use_hydrated();
    // The address the mail went to, once the server accepted the form.
    let sent_to = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = SignUpForm {
            email: email.get_untracked(),
            password: password.get_untracked(),
            nickname: nickname.get_untracked(),
            claim_guest: claim_guest.get_untracked(),
        };
        if !errors.check(check_sign_up(&form)) {
            return;
        }
        pending.set(true);
        leptos::task::spawn_local(async move {
            match sign_up(form).await {
                Ok(()) => {
                    errors.clear();
                    sent_to.try_set(Some(email.get_untracked().trim().to_owned()));
                }
                Err(err) => {
                    errors.server(err, &["email", "nickname", "password"]);
                }
            }
            pending.try_set(false);
        });
    };
    let form = move || {
        view! {
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
                <FormNotice errors/>
                <button type="submit" class="button" data-testid="sign-up-submit" disabled=move || !hydrated.get() || pending.get()>
                    {t(|x| x.sign_up_submit)}
                </button>
            </form>
        }
    };
    view! {
        <PageTitle text=t(|x| x.account_sign_up)/>
        <section class="account">
            <h1>{t(|x| x.account_sign_up)}</h1>
            {move || match sent_to.get() {
                None => form().into_any(),
                Some(address) => view! {
                    <SignUpSent address on_other=move || {
                        password.set(String::new());
                        sent_to.set(None);
                    }/>
                }
                .into_any(),
            }}
            <p class="account__links">
                <a href="/sign-in">{t(|x| x.sign_up_sign_in_link)}</a>
            </p>
        </section>
    }
}

/// What the sign-up form turns into once sent: where the mail went, what
/// its link does, sending it again, and going back for another address.
#[component]
fn SignUpSent(address: String, on_other: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let prefs = use_prefs();
    let errors = FormErrors::new();
    let done = RwSignal::new(None::<Key>);
    let heading = NodeRef::<leptos::html::H2>::new();
    // Screen readers and keyboards move on to the new state, as the eye does.
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    let body = {
        let address = address.clone();
        move || fill(prefs.texts().sign_up_done_body, &[("email", &address)])
    };
    let resend = move |_| resend_verification_mail(address.clone(), errors, done);
    view! {
        <div class="card account__sent" data-testid="sign-up-done">
            <h2 node_ref=heading tabindex="-1">{t(|x| x.sign_up_done_title)}</h2>
            <p data-testid="sign-up-done-body">{body}</p>
            <p class="account__hint">{t(|x| x.sign_up_done_hint)}</p>
            <FormNotice errors done/>
            <p class="account__actions">
                <button type="button" class="button" data-testid="sign-up-resend" on:click=resend>
                    {t(|x| x.sign_in_resend)}
                </button>
                <button type="button" class="chip" data-testid="sign-up-other" on:click=move |_| on_other()>
                    {t(|x| x.sign_up_other_address)}
                </button>
            </p>
        </div>
    }
}
