//! The account pages: 로그인 (sign in), 회원가입 (sign up), the e-mail
//! verification and password-reset links, 비밀번호 찾기 (forgot password)
//! and 내 정보 (the signed-in user's profile: nickname, password, sign-out,
//! deletion). Every form checks its fields with the same rules as the
//! server (`crate::auth`) and shows each error beside its field, in Korean
//! and English; the server's answer is shown as it came.
//!
//! One file per page; this one holds the routes, the one island they share
//! and the form parts every page uses. Signing in or out ends with a full
//! page load, so the header, the websocket and every cached read start
//! again under the new session.

mod forgot_password;
mod me;
mod reset_password;
mod sign_in;
mod sign_up;
mod social_sign_up;
mod verify;

use crate::api::{AppError, FieldError};
use crate::auth::{Profile, current_user, social_providers};
use crate::components::load_then;
use crate::i18n::Key;
use crate::prefs::{t, use_prefs};
use crate::viewer::reload_to;
use forgot_password::ForgotPasswordPage;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use me::MePage;
use reset_password::ResetPasswordPage;
use serde::{Deserialize, Serialize};
use sign_in::SignInPage;
use sign_up::SignUpPage;
use social_sign_up::SocialSignUpPage;
use verify::VerifyPage;

/// One value of the address's query, read on the server, where the router
/// is: the browser's islands get it as a prop.
fn query(name: &str) -> Option<String> {
    use_query_map().read_untracked().get(name)
}

/// The account pages' routes, on the server: each renders the one account
/// island with the page it is and what the server read for it.
/// The providers this server signs in with; none when it cannot say.
async fn providers() -> Vec<String> {
    social_providers().await.unwrap_or_default()
}

#[component]
pub fn SignInRoute() -> impl IntoView {
    let (reason, oauth_error) = (query("reason"), query("oauth_error"));
    load_then(providers(), move |providers| {
        let page = AccountPageKind::SignIn {
            reason: reason.clone(),
            oauth_error: oauth_error.clone(),
            providers,
        };
        view! { <AccountPage page/> }
    })
}

#[component]
pub fn SignUpRoute() -> impl IntoView {
    view! { <AccountPage page=AccountPageKind::SignUp/> }
}

/// The nickname step of a provider's first sign-in. The server sends a
/// visitor with no provider identity waiting in the session to 로그인
/// before this renders (there is nothing to finish).
#[component]
pub fn SocialSignUpRoute() -> impl IntoView {
    view! { <AccountPage page=AccountPageKind::SocialSignUp/> }
}

#[component]
pub fn VerifyRoute() -> impl IntoView {
    let token = query("token").unwrap_or_default();
    view! { <AccountPage page=AccountPageKind::Verify { token }/> }
}

#[component]
pub fn ForgotPasswordRoute() -> impl IntoView {
    view! { <AccountPage page=AccountPageKind::ForgotPassword/> }
}

#[component]
pub fn ResetPasswordRoute() -> impl IntoView {
    let token = query("token").unwrap_or_default();
    view! { <AccountPage page=AccountPageKind::ResetPassword { token }/> }
}

/// 내 정보 loads who is signed in here, on the server, and hands it to the
/// island.
#[component]
pub fn MeRoute() -> impl IntoView {
    let oauth_error = query("oauth_error");
    let load = async { (current_user().await, providers().await) };
    load_then(load, move |(user, providers)| {
        let page = AccountPageKind::Me {
            user,
            oauth_error: oauth_error.clone(),
            providers,
        };
        view! { <AccountPage page/> }
    })
}

/// Which account page the island shows, with its props.
#[derive(Serialize, Deserialize)]
enum AccountPageKind {
    SignIn {
        reason: Option<String>,
        oauth_error: Option<String>,
        providers: Vec<String>,
    },
    SignUp,
    SocialSignUp,
    Verify {
        token: String,
    },
    ForgotPassword,
    ResetPassword {
        token: String,
    },
    Me {
        user: Result<Option<Profile>, AppError>,
        oauth_error: Option<String>,
        providers: Vec<String>,
    },
}

/// The account pages are one lazy island, not seven: wasm-split puts each
/// function in the chunk of the set of islands that reach it, so seven
/// islands sharing the forms' code cut it, and the framework code beside
/// it, into many small chunks that compress worse, on every page (the
/// market's and the orders' too). One island costs each account page the
/// other pages' forms, which are small.
#[island(lazy)]
fn AccountPage(page: AccountPageKind) -> impl IntoView {
    match page {
        AccountPageKind::SignIn {
            reason,
            oauth_error,
            providers,
        } => view! { <SignInPage reason oauth_error providers/> }.into_any(),
        AccountPageKind::SignUp => view! { <SignUpPage/> }.into_any(),
        AccountPageKind::SocialSignUp => view! { <SocialSignUpPage/> }.into_any(),
        AccountPageKind::Verify { token } => view! { <VerifyPage token/> }.into_any(),
        AccountPageKind::ForgotPassword => view! { <ForgotPasswordPage/> }.into_any(),
        AccountPageKind::ResetPassword { token } => view! { <ResetPasswordPage token/> }.into_any(),
        AccountPageKind::Me {
            user,
            oauth_error,
            providers,
        } => view! { <MePage user oauth_error providers/> }.into_any(),
    }
}

/// The errors shown beside a form's fields, and the form-wide one.
#[derive(Clone, Copy)]
struct FormErrors {
    fields: RwSignal<Vec<FieldError>>,
    form: RwSignal<Option<AppError>>,
}

impl FormErrors {
    fn new() -> FormErrors {
        FormErrors {
            fields: RwSignal::new(Vec::new()),
            form: RwSignal::new(None),
        }
    }

    fn clear(self) {
        self.fields.set(Vec::new());
        self.form.set(None);
    }

    /// Shows the page's own field errors; `true` when there were none.
    fn check(self, errors: impl IntoIterator<Item = FieldError>) -> bool {
        self.form.set(None);
        let errors: Vec<FieldError> = errors.into_iter().collect();
        let ok = errors.is_empty();
        self.fields.set(errors);
        ok
    }

    /// Shows the server's refusal beside its field when it names one of
    /// this form's fields, else above the button.
    fn server(self, error: AppError, fields: &[&'static str]) {
        let field = fields
            .iter()
            .copied()
            .find(|field| error.field.as_deref() == Some(*field));
        match field {
            Some(field) => {
                self.fields.try_set(vec![FieldError::new(
                    field,
                    error.message_ko,
                    error.message_en,
                )]);
            }
            None => {
                self.form.try_set(Some(error));
            }
        }
    }

    fn for_field(self, field: &'static str) -> impl Fn() -> Option<String> + Copy + Send + Sync {
        let prefs = use_prefs();
        move || {
            self.fields.with(|errors| {
                errors
                    .iter()
                    .find(|error| error.field == field)
                    .map(|error| error.message(prefs.lang.get()).to_owned())
            })
        }
    }
}

/// A labelled input with its error below, tied together for screen readers.
#[component]
fn Field(
    id: &'static str,
    field: &'static str,
    label: Key,
    #[prop(default = "text")] kind: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    errors: FormErrors,
    #[prop(optional)] hint: Option<Key>,
) -> impl IntoView {
    let error = errors.for_field(field);
    // Text typed before the page hydrated is in the input but not yet in
    // the signal: take it over once, when the browser attaches.
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let typed = input.value();
            if !typed.is_empty() && value.get_untracked().is_empty() {
                value.set(typed);
            }
        }
    });
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        error_id.clone()
    };
    view! {
        <div class="field">
            <label for=id>{t(label)}</label>
            <input
                node_ref=input
                id=id
                name=field
                type=kind
                autocomplete=autocomplete
                data-testid=id
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                aria-describedby=described
            />
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{t(hint)}</p> })}
            <p class="field__error" id=error_id role="alert">{error}</p>
        </div>
    }
}

/// The form-wide message: the server's refusal, or a success note (for a
/// form that has one; the others end in a page load or another view).
#[component]
fn FormNotice(
    errors: FormErrors,
    #[prop(optional)] done: Option<RwSignal<Option<Key>>>,
) -> impl IntoView {
    let prefs = use_prefs();
    view! {
        {move || errors.form.get().map(|error| view! {
            <p class="notice notice--error" role="alert" data-testid="form-error">{error.message(prefs.lang.get()).to_owned()}</p>
        })}
        {move || done.and_then(|done| done.get()).map(|done| view! {
            <p class="notice notice--ok" role="status" data-testid="form-done">{t(done)}</p>
        })}
    }
}

/// Sends the verification mail to `email` again and says so in the form
/// (or shows the server's refusal instead of an earlier success note).
fn resend_verification_mail(email: String, errors: FormErrors, done: RwSignal<Option<Key>>) {
    leptos::task::spawn_local(async move {
        match crate::auth::resend_verification(email).await {
            Ok(()) => {
                errors.form.try_set(None);
                done.try_set(Some(|x| x.sign_in_resent));
            }
            Err(err) => {
                done.try_set(None);
                errors.form.try_set(Some(err));
            }
        }
    });
}

/// `false` until the page has hydrated: submit buttons stay disabled until
/// then, so a form is never sent by the browser itself (which would put its
/// fields, password included, in a URL).
fn use_hydrated() -> RwSignal<bool> {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    hydrated
}

/// The providers, their labels, and the mark beside them.
const PROVIDERS: [(&str, Key, &str); 3] = [
    ("google", |x| x.account_social_google, "G"),
    ("kakao", |x| x.account_social_kakao, "K"),
    ("naver", |x| x.account_social_naver, "N"),
];

/// Links that start a provider sign-in (or, with `link`, attach the
/// provider to the signed-in user), for the `configured` providers only.
/// Full navigations, not router links: they leave for the provider.
#[component]
fn SocialButtons(configured: Vec<String>, #[prop(optional)] link: bool) -> impl IntoView {
    let suffix = if link { "?link=1" } else { "" };
    let shown =
        (PROVIDERS.into_iter()).filter(move |(name, _, _)| configured.iter().any(|c| c == name));
    view! {
        <div class="social">
            {shown.map(|(name, label, mark)| view! {
                <a class=format!("social__button social__button--{name}") rel="external"
                    data-testid=format!("social-{name}")
                    href=format!("/api/v1/auth/oauth/{name}/start{suffix}")>
                    <span class="social__mark" aria-hidden="true">{mark}</span>
                    {t(label)}
                </a>
            }).collect_view()}
        </div>
    }
}

/// What an `oauth_error` in the address means.
fn oauth_error_text(code: &str) -> Key {
    match code {
        "denied" => |x| x.account_oauth_denied,
        "provider" => |x| x.account_oauth_provider,
        "unavailable" => |x| x.account_oauth_unavailable,
        "taken" => |x| x.account_oauth_taken,
        _ => |x| x.account_oauth_invalid,
    }
}

/// The `oauth_error` of the address, explained, if there is one.
#[component]
fn OAuthErrorNotice(oauth_error: Option<String>) -> impl IntoView {
    oauth_error.map(|code| {
        view! {
            <p class="notice notice--error" role="alert" data-testid="oauth-error">
                {t(oauth_error_text(&code))}
            </p>
        }
    })
}
