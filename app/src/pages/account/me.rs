//! 내 정보 (my account): for a guest, the way to sign in or up; for a
//! user, their nickname and e-mail, linked providers, nickname and
//! password changes, sign-out and deleting the account.

use super::{
    Field, FormErrors, FormNotice, OAuthErrorNotice, SocialButtons, reload_to, use_hydrated,
};
use crate::api::{AppError, FieldError};
use crate::auth::{
    Profile, change_nickname, change_password, check_nickname, check_password, delete_account,
    sign_out,
};
use crate::components::PageTitle;
use crate::i18n::{Key, Lang};
use crate::prefs::{t, use_prefs};
use crate::realtime::go_live;
use crate::viewer::use_viewer;
use leptos::prelude::*;

/// 내 정보: a guest is offered sign-in and sign-up; a user sees and
/// changes their profile.
#[component]
pub(super) fn MePage(
    user: Result<Option<Profile>, AppError>,
    oauth_error: Option<String>,
    providers: Vec<String>,
) -> impl IntoView {
    go_live();
    let prefs = use_prefs();
    view! {
        <PageTitle text=t(|x| x.me_title)/>
        <section class="account">
            <h1>{t(|x| x.me_title)}</h1>
            {match user {
                        Ok(Some(profile)) => view! { <ProfileForms profile oauth_error providers/> }.into_any(),
                        Ok(None) => view! {
                            <div class="card" data-testid="me-guest">
                                <p>{t(|x| x.me_guest)}</p>
                                <p class="account__actions">
                                    <a class="button" href="/sign-in">{t(|x| x.account_sign_in)}</a>
                                    <a class="chip" href="/sign-up">{t(|x| x.account_sign_up)}</a>
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
fn ProfileForms(
    profile: Profile,
    oauth_error: Option<String>,
    providers: Vec<String>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let viewer = use_viewer();
    let shown_nickname = RwSignal::new(profile.nickname.clone());
    let nickname = RwSignal::new(profile.nickname.clone());
    let nickname_errors = FormErrors::new();
    let nickname_done = RwSignal::new(None::<Key>);
    let save_nickname = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        nickname_done.set(None);
        if !nickname_errors.check(check_nickname(&nickname.get_untracked()).err()) {
            return;
        }
        leptos::task::spawn_local(async move {
            match change_nickname(nickname.get_untracked()).await {
                Ok(saved) => {
                    // The header says the new name too.
                    viewer.try_update(|viewer| {
                        if let Some(viewer) = viewer {
                            viewer.nickname = saved.clone();
                        }
                    });
                    shown_nickname.try_set(saved);
                    nickname_done.try_set(Some(|x| x.me_nickname_done));
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
    let password_done = RwSignal::new(None::<Key>);
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
                        password_done.try_set(Some(|x| x.me_password_done));
                    }
                    Err(err) => password_errors.server(err, &["current_password", "new_password"]),
                }
            });
        }
    };

    let delete_password = RwSignal::new(String::new());
    let delete_errors = FormErrors::new();
    let delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if delete_password.get_untracked().is_empty() {
            let missing = if has_password {
                check_password("password", "", "", "").unwrap_err()
            } else {
                // A field error carries both languages, like the shared
                // validation's (`crate::auth`).
                FieldError::new(
                    "password",
                    Lang::Ko.texts().me_delete_nickname_missing,
                    Lang::En.texts().me_delete_nickname_missing,
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
            <button type="button" class="chip" data-testid="sign-out" on:click=leave disabled=move || !hydrated.get()>{t(|x| x.me_sign_out)}</button>
        </div>
        <OAuthErrorNotice oauth_error/>
        {(!providers.is_empty()).then(|| view! {
            <div class="card account__form">
                <h2>{t(|x| x.me_linked_heading)}</h2>
                <p>{t(|x| x.me_linked_body)}</p>
                <SocialButtons configured=providers link=true/>
            </div>
        })}
        <form class="card account__form" method="post" on:submit=save_nickname novalidate>
            <h2>{t(|x| x.me_nickname_heading)}</h2>
            <Field id="me-nickname-input" field="nickname" label=|x| x.account_nickname autocomplete="nickname" value=nickname errors=nickname_errors/>
            <FormNotice errors=nickname_errors done=nickname_done/>
            <button type="submit" class="button" disabled=move || !hydrated.get()>{t(|x| x.me_nickname_save)}</button>
        </form>
        <Show when=move || has_password>
            <form class="card account__form" method="post" on:submit=save_password.clone() novalidate>
                <h2>{t(|x| x.account_change_password)}</h2>
                <Field id="me-current-password" field="current_password" label=|x| x.account_current_password kind="password" autocomplete="current-password" value=current errors=password_errors/>
                <Field id="me-new-password" field="new_password" label=|x| x.account_new_password kind="password" autocomplete="new-password" value=new_password errors=password_errors hint=|x| x.account_password_hint/>
                <FormNotice errors=password_errors done=password_done/>
                <button type="submit" class="button" disabled=move || !hydrated.get()>{t(|x| x.account_change_password)}</button>
            </form>
        </Show>
        <form class="card account__form account__danger" method="post" on:submit=delete novalidate>
            <h2>{t(|x| x.me_delete_heading)}</h2>
            <p>{t(|x| x.me_delete_body)}</p>
            {if has_password {
                view! { <Field id="me-delete-password" field="password" label=|x| x.account_password kind="password" autocomplete="current-password" value=delete_password errors=delete_errors/> }.into_any()
            } else {
                view! { <Field id="me-delete-password" field="password" label=|x| x.me_delete_confirm_nickname autocomplete="off" value=delete_password errors=delete_errors/> }.into_any()
            }}
            <FormNotice errors=delete_errors/>
            <button type="submit" class="chip" disabled=move || !hydrated.get()>{t(|x| x.me_delete_submit)}</button>
        </form>
    }
}
