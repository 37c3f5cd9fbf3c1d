//! 내 정보 (my account): for a guest, the way to sign in or up; for a
//! user, their nickname and e-mail, linked providers, nickname and
//! password changes, sign-out and deleting the account.

use super::{
    Field, FormErrors, FormNotice, OAuthErrorNotice, PASSWORD_HINT, SocialButtons, reload_to,
    use_hydrated,
};
use crate::api::{AppError, FieldError};
use crate::auth::{
    Profile, change_nickname, change_password, check_nickname, check_password, delete_account,
    sign_out,
};
use crate::components::PageTitle;
use crate::i18n::tr;
use crate::prefs::use_prefs;
use crate::realtime::go_live;
use leptos::prelude::*;

/// 내 정보: a guest is offered sign-in and sign-up; a user sees and
/// changes their profile.
#[component]
pub(super) fn MePage(
    user: Result<Option<Profile>, AppError>,
    oauth_error: Option<String>,
) -> impl IntoView {
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
