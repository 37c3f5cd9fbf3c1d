//! The account pages: 로그인 (sign in), 회원가입 (sign up), the e-mail
//! verification and password-reset links, 비밀번호 찾기 (forgot password)
//! and 내 정보 (the signed-in user's profile: nickname, password, sign-out,
//! deletion). Every form checks its fields with the same rules as the
//! server (`crate::auth`) and shows each error beside its field, in Korean
//! and English; the server's answer is shown as it came.
//!
//! Signing in or out ends with a full page load, so the header, the
//! websocket and every cached read start again under the new session.

use crate::api::{AppError, FieldError};
use crate::auth::{
    Profile, SignUpForm, change_nickname, change_password, check_email, check_nickname,
    check_password, check_sign_up, complete_social_sign_up, current_user, delete_account,
    request_password_reset, resend_verification, reset_password, sign_in, sign_out, sign_up,
    verify_email,
};
use crate::components::{PageTitle, Skeleton, load_then};
use crate::i18n::tr;
use crate::prefs::use_prefs;
use crate::realtime::go_live;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// One value of the address's query, read on the server, where the router
/// is: the browser's islands get it as a prop.
fn query(name: &str) -> Option<String> {
    use_query_map().read_untracked().get(name)
}

/// The account pages' routes, on the server: each renders the one account
/// island with the page it is and what the server read for it.
#[component]
pub fn SignInRoute() -> impl IntoView {
    let page = AccountPageKind::SignIn {
        reason: query("reason"),
        oauth_error: query("oauth_error"),
    };
    view! { <AccountPage page/> }
}

#[component]
pub fn SignUpRoute() -> impl IntoView {
    view! { <AccountPage page=AccountPageKind::SignUp/> }
}

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
    load_then(current_user(), move |user| {
        let page = AccountPageKind::Me {
            user,
            oauth_error: oauth_error.clone(),
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
        } => view! { <SignInPage reason oauth_error/> }.into_any(),
        AccountPageKind::SignUp => view! { <SignUpPage/> }.into_any(),
        AccountPageKind::SocialSignUp => view! { <SocialSignUpPage/> }.into_any(),
        AccountPageKind::Verify { token } => view! { <VerifyPage token/> }.into_any(),
        AccountPageKind::ForgotPassword => view! { <ForgotPasswordPage/> }.into_any(),
        AccountPageKind::ResetPassword { token } => view! { <ResetPasswordPage token/> }.into_any(),
        AccountPageKind::Me { user, oauth_error } => {
            view! { <MePage user oauth_error/> }.into_any()
        }
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
    label: &'static str,
    label_en: &'static str,
    #[prop(default = "text")] kind: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    errors: FormErrors,
    #[prop(optional)] hint: Option<(&'static str, &'static str)>,
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
            <label for=id>{tr(label, label_en)}</label>
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
            {hint.map(|(ko, en)| view! { <p class="field__hint" id=hint_id.clone()>{tr(ko, en)}</p> })}
            <p class="field__error" id=error_id role="alert">{error}</p>
        </div>
    }
}

/// The form-wide message: the server's refusal, or a success note.
#[component]
fn FormNotice(
    errors: FormErrors,
    done: RwSignal<Option<(&'static str, &'static str)>>,
) -> impl IntoView {
    let prefs = use_prefs();
    view! {
        {move || errors.form.get().map(|error| view! {
            <p class="notice notice--error" role="alert" data-testid="form-error">{error.message(prefs.lang.get()).to_owned()}</p>
        })}
        {move || done.get().map(|(ko, en)| view! {
            <p class="notice notice--ok" role="status" data-testid="form-done">{move || prefs.lang.get().pick(ko, en)}</p>
        })}
    }
}

const PASSWORD_HINT: (&str, &str) = (
    "10자 이상. 흔한 비밀번호나 이메일·닉네임이 들어간 비밀번호는 쓸 수 없습니다.",
    "At least 10 characters; not a common password, and not containing your e-mail or nickname.",
);

/// `false` until the page has hydrated: submit buttons stay disabled until
/// then, so a form is never sent by the browser itself (which would put its
/// fields, password included, in a URL).
fn use_hydrated() -> RwSignal<bool> {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    hydrated
}

/// A full page load of `path` (after signing in or out).
fn reload_to(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// The providers, their Korean and English labels, and the mark beside them.
const PROVIDERS: [(&str, &str, &str, &str); 3] = [
    ("google", "Google로 로그인", "Sign in with Google", "G"),
    ("kakao", "카카오 로그인", "Sign in with Kakao", "K"),
    ("naver", "네이버 로그인", "Sign in with Naver", "N"),
];

/// Links that start a provider sign-in (or, with `link`, attach the
/// provider to the signed-in user). Full navigations, not router links:
/// they leave for the provider.
#[component]
fn SocialButtons(#[prop(optional)] link: bool) -> impl IntoView {
    let suffix = if link { "?link=1" } else { "" };
    view! {
        <div class="social">
            {PROVIDERS.into_iter().map(|(name, ko, en, mark)| view! {
                <a class=format!("social__button social__button--{name}") rel="external"
                    data-testid=format!("social-{name}")
                    href=format!("/api/v1/auth/oauth/{name}/start{suffix}")>
                    <span class="social__mark" aria-hidden="true">{mark}</span>
                    {tr(ko, en)}
                </a>
            }).collect_view()}
        </div>
    }
}

/// What an `oauth_error` in the address means.
fn oauth_error_text(code: &str) -> (&'static str, &'static str) {
    match code {
        "denied" => (
            "소셜 로그인이 취소되었습니다.",
            "The sign-in with the provider was cancelled.",
        ),
        "provider" => (
            "소셜 로그인 서비스와 연결하지 못했습니다. 잠시 후 다시 시도해 주세요.",
            "The sign-in provider could not be reached. Please try again later.",
        ),
        "unavailable" => (
            "이 로그인 방식은 아직 준비되지 않았습니다.",
            "This sign-in method is not set up yet.",
        ),
        "taken" => (
            "이 소셜 계정은 이미 다른 회원에게 연결되어 있습니다.",
            "This social account is already linked to another user.",
        ),
        _ => (
            "로그인 요청이 만료되었거나 올바르지 않습니다. 다시 시도해 주세요.",
            "The sign-in request expired or was not valid. Please try again.",
        ),
    }
}

/// The `oauth_error` of the address, explained, if there is one.
#[component]
fn OAuthErrorNotice(oauth_error: Option<String>) -> impl IntoView {
    let prefs = use_prefs();
    oauth_error.map(|code| {
        let (ko, en) = oauth_error_text(&code);
        view! {
            <p class="notice notice--error" role="alert" data-testid="oauth-error">
                {move || prefs.lang.get().pick(ko, en)}
            </p>
        }
    })
}

/// 로그인. `reason` says why the visitor was sent here (`elsewhere`: signed
/// in on another device).
#[component]
fn SignInPage(reason: Option<String>, oauth_error: Option<String>) -> impl IntoView {
    go_live();
    let signed_out_elsewhere = reason.as_deref() == Some("elsewhere");
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let done = RwSignal::new(None);
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
    let resend = move |_| {
        leptos::task::spawn_local(async move {
            match resend_verification(email.get_untracked()).await {
                Ok(()) => {
                    errors.form.try_set(None);
                    done.try_set(Some((
                        "인증 메일을 다시 보냈습니다.",
                        "We sent the verification mail again.",
                    )));
                }
                Err(err) => {
                    errors.form.try_set(Some(err));
                }
            }
        });
    };
    view! {
        <PageTitle text=tr("로그인", "Sign in")/>
        <section class="account">
            <h1>{tr("로그인", "Sign in")}</h1>
            {signed_out_elsewhere.then(|| view! {
                <p class="notice notice--error" role="alert" data-testid="signed-out-elsewhere">
                    {tr("다른 기기에서 로그인되어 로그아웃되었습니다", "Signed in on another device")}
                </p>
            })}
            <OAuthErrorNotice oauth_error/>
            <form class="card account__form" method="post" on:submit=submit novalidate>
                <Field id="sign-in-email" field="email" label="이메일" label_en="E-mail" kind="email" autocomplete="username" value=email errors/>
                <Field id="sign-in-password" field="password" label="비밀번호" label_en="Password" kind="password" autocomplete="current-password" value=password errors/>
                <FormNotice errors done/>
                <Show when=move || unverified.get()>
                    <button type="button" class="chip" data-testid="resend-verification" on:click=resend>
                        {tr("인증 메일 다시 보내기", "Send the verification mail again")}
                    </button>
                </Show>
                <button type="submit" class="button" data-testid="sign-in-submit" disabled=move || !hydrated.get() || pending.get()>
                    {tr("로그인", "Sign in")}
                </button>
            </form>
            <p class="account__or">{tr("또는", "or")}</p>
            <SocialButtons/>
            <p class="account__links">
                <a href="/sign-up">{tr("회원가입", "Create an account")}</a>
                " · "
                <a href="/forgot-password">{tr("비밀번호 찾기", "Forgot your password?")}</a>
            </p>
        </section>
    }
}

#[component]
fn SignUpPage() -> impl IntoView {
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

/// The page a verification link opens: it verifies on load.
#[component]
fn VerifyPage(token: String) -> impl IntoView {
    go_live();
    let prefs = use_prefs();
    let outcome = RwSignal::new(None::<Result<(), AppError>>);
    Effect::new(move |_| {
        let token = token.clone();
        leptos::task::spawn_local(async move {
            outcome.try_set(Some(verify_email(token).await));
        });
    });
    view! {
        <PageTitle text=tr("이메일 인증", "E-mail verification")/>
        <section class="account">
            <h1>{tr("이메일 인증", "E-mail verification")}</h1>
            {move || match outcome.get() {
                None => view! { <Skeleton lines=2/> }.into_any(),
                Some(Ok(())) => view! {
                    <p class="notice notice--ok" role="status" data-testid="verify-done">
                        {tr("인증이 끝났습니다. 이제 로그인할 수 있습니다.", "Your address is verified. You can sign in now.")}
                    </p>
                    <p><a class="button" href="/sign-in">{tr("로그인", "Sign in")}</a></p>
                }.into_any(),
                Some(Err(err)) => view! {
                    <p class="notice notice--error" role="alert" data-testid="verify-failed">{move || err.message(prefs.lang.get()).to_owned()}</p>
                    <p><a href="/sign-in">{tr("로그인 페이지에서 인증 메일을 다시 받을 수 있습니다.", "You can get a new verification mail from the sign-in page.")}</a></p>
                }.into_any(),
            }}
        </section>
    }
}

/// After a first sign-in with a provider: the nickname the new user goes by.
#[component]
fn SocialSignUpPage() -> impl IntoView {
    go_live();
    let hydrated = use_hydrated();
    let nickname = RwSignal::new(String::new());
    let claim_guest = RwSignal::new(true);
    let errors = FormErrors::new();
    let done = RwSignal::new(None);
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
        <PageTitle text=tr("닉네임 정하기", "Choose a nickname")/>
        <section class="account">
            <h1>{tr("닉네임 정하기", "Choose a nickname")}</h1>
            <p>{tr("처음 오셨네요. 개미에서 쓸 닉네임을 정해 주세요.", "Welcome. Choose the nickname you will go by on Gaemi.")}</p>
            <form class="card account__form" method="post" on:submit=submit novalidate>
                <Field id="social-nickname" field="nickname" label="닉네임" label_en="Nickname" autocomplete="nickname" value=nickname errors
                    hint=("2~16자의 한글, 영문, 숫자, 밑줄(_)", "2 to 16 Hangul, letters, digits or underscores")/>
                <label class="check">
                    <input type="checkbox" prop:checked=move || claim_guest.get()
                        on:change=move |ev| claim_guest.set(event_target_checked(&ev))/>
                    {tr("지금까지 연습한 계좌를 내 계좌로 가져오기", "Keep the account I have been practising with")}
                </label>
                <FormNotice errors done/>
                <button type="submit" class="button" data-testid="social-submit" disabled=move || !hydrated.get()>
                    {tr("시작하기", "Start")}
                </button>
            </form>
        </section>
    }
}

#[component]
fn ForgotPasswordPage() -> impl IntoView {
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

#[component]
fn ResetPasswordPage(token: String) -> impl IntoView {
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

/// 내 정보: a guest is offered sign-in and sign-up; a user sees and
/// changes their profile.
#[component]
fn MePage(user: Result<Option<Profile>, AppError>, oauth_error: Option<String>) -> impl IntoView {
    go_live();
    let prefs = use_prefs();
    view! {
        <PageTitle text=tr("내 정보", "My account")/>
        <section class="account">
            <h1>{tr("내 정보", "My account")}</h1>
            {match user {
                        Ok(Some(profile)) => view! { <ProfileForms profile oauth_error/> }.into_any(),
                        Ok(None) => view! {
                            <div class="card" data-testid="me-guest">
                                <p>{tr("로그인하면 계좌와 주문 내역이 어느 기기에서나 이어집니다.", "Sign in to keep your account and orders on every device.")}</p>
                                <p class="account__actions">
                                    <a class="button" href="/sign-in">{tr("로그인", "Sign in")}</a>
                                    <a class="chip" href="/sign-up">{tr("회원가입", "Sign up")}</a>
                                </p>
                            </div>
                        }.into_any(),
                        Err(err) => view! {
                            <p class="notice notice--error" role="alert">{move || err.message(prefs.lang.get()).to_owned()}</p>
                        }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ProfileForms(profile: Profile, oauth_error: Option<String>) -> impl IntoView {
    let hydrated = use_hydrated();
    let shown_nickname = RwSignal::new(profile.nickname.clone());
    let nickname = RwSignal::new(profile.nickname.clone());
    let nickname_errors = FormErrors::new();
    let nickname_done = RwSignal::new(None);
    let save_nickname = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        nickname_done.set(None);
        if !nickname_errors.check(check_nickname(&nickname.get_untracked()).err()) {
            return;
        }
        leptos::task::spawn_local(async move {
            match change_nickname(nickname.get_untracked()).await {
                Ok(saved) => {
                    shown_nickname.try_set(saved);
                    nickname_done.try_set(Some(("닉네임을 바꿨습니다.", "Nickname changed.")));
                }
                Err(err) => nickname_errors.server(err, &["nickname"]),
            }
        });
    };

    let email = profile.email.clone().unwrap_or_default();
    let has_password = profile.has_password;
    let current = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let password_errors = FormErrors::new();
    let password_done = RwSignal::new(None);
    let save_password = {
        let email = email.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            password_done.set(None);
            let mut problems = Vec::new();
            if current.get_untracked().is_empty() {
                problems.push(check_password("current_password", "", "", "").unwrap_err());
            }
            if let Err(err) = check_password(
                "new_password",
                &new_password.get_untracked(),
                &email,
                &shown_nickname.get_untracked(),
            ) {
                problems.push(err);
            }
            if !password_errors.check(problems) {
                return;
            }
            leptos::task::spawn_local(async move {
                match change_password(current.get_untracked(), new_password.get_untracked()).await {
                    Ok(()) => {
                        current.try_set(String::new());
                        new_password.try_set(String::new());
                        password_done
                            .try_set(Some(("비밀번호를 바꿨습니다.", "Password changed.")));
                    }
                    Err(err) => password_errors.server(err, &["current_password", "new_password"]),
                }
            });
        }
    };

    let delete_password = RwSignal::new(String::new());
    let delete_errors = FormErrors::new();
    let no_notice = RwSignal::new(None);
    let delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if delete_password.get_untracked().is_empty() {
            let missing = if has_password {
                check_password("password", "", "", "").unwrap_err()
            } else {
                FieldError::new(
                    "password",
                    "닉네임을 입력해 주세요.",
                    "Enter your nickname.",
                )
            };
            delete_errors.check([missing]);
            return;
        }
        leptos::task::spawn_local(async move {
            match delete_account(delete_password.get_untracked()).await {
                Ok(()) => reload_to("/"),
                Err(err) => delete_errors.server(err, &["password"]),
            }
        });
    };
    let leave = move |_| {
        leptos::task::spawn_local(async move {
            let _ = sign_out().await;
            reload_to("/");
        });
    };

    view! {
        <div class="card account__summary" data-testid="me-profile">
            <p class="account__nickname" data-testid="me-nickname">{move || shown_nickname.get()}</p>
            <p class="account__email">{email}</p>
            <button type="button" class="chip" data-testid="sign-out" on:click=leave disabled=move || !hydrated.get()>{tr("로그아웃", "Sign out")}</button>
        </div>
        <OAuthErrorNotice oauth_error/>
        <div class="card account__form">
            <h2>{tr("소셜 계정 연결", "Linked sign-in")}</h2>
            <p>{tr("연결하면 그 서비스로도 이 계정에 로그인할 수 있습니다.", "Link a provider to sign in to this account with it too.")}</p>
            <SocialButtons link=true/>
        </div>
        <form class="card account__form" method="post" on:submit=save_nickname novalidate>
            <h2>{tr("닉네임 바꾸기", "Change nickname")}</h2>
            <Field id="me-nickname-input" field="nickname" label="닉네임" label_en="Nickname" autocomplete="nickname" value=nickname errors=nickname_errors/>
            <FormNotice errors=nickname_errors done=nickname_done/>
            <button type="submit" class="button" disabled=move || !hydrated.get()>{tr("저장", "Save")}</button>
        </form>
        <Show when=move || has_password>
            <form class="card account__form" method="post" on:submit=save_password.clone() novalidate>
                <h2>{tr("비밀번호 바꾸기", "Change password")}</h2>
                <Field id="me-current-password" field="current_password" label="현재 비밀번호" label_en="Current password" kind="password" autocomplete="current-password" value=current errors=password_errors/>
                <Field id="me-new-password" field="new_password" label="새 비밀번호" label_en="New password" kind="password" autocomplete="new-password" value=new_password errors=password_errors hint=PASSWORD_HINT/>
                <FormNotice errors=password_errors done=password_done/>
                <button type="submit" class="button" disabled=move || !hydrated.get()>{tr("비밀번호 바꾸기", "Change password")}</button>
            </form>
        </Show>
        <form class="card account__form account__danger" method="post" on:submit=delete novalidate>
            <h2>{tr("회원 탈퇴", "Delete my account")}</h2>
            <p>{tr("개인정보는 지워지고, 다른 사람의 거래 기록에 남은 체결은 익명으로 남습니다.", "Your personal data is removed; trades in other people's history stay, anonymised.")}</p>
            {if has_password {
                view! { <Field id="me-delete-password" field="password" label="비밀번호" label_en="Password" kind="password" autocomplete="current-password" value=delete_password errors=delete_errors/> }.into_any()
            } else {
                view! { <Field id="me-delete-password" field="password" label="확인을 위해 닉네임 입력" label_en="Type your nickname to confirm" autocomplete="off" value=delete_password errors=delete_errors/> }.into_any()
            }}
            <FormNotice errors=delete_errors done=no_notice/>
            <button type="submit" class="chip" disabled=move || !hydrated.get()>{tr("탈퇴하기", "Delete my account")}</button>
        </form>
    }
}
