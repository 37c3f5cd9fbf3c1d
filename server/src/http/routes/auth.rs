//! The account operations as JSON routes under `/api/v1/auth/`, and the
//! sign-in with Google, Kakao or Naver (its redirects and callback). The
//! operations themselves are the caller's ([`super::super::account_flows`]),
//! shared with the UI's server functions.

use crate::accounts::AccountError;
use crate::accounts::oauth::Provider;
use crate::http::account_flows::{OAUTH_NEW_KEY, reset_password};
use crate::http::caller::Caller;
use crate::http::{ApiError, AppState};
use crate::sessions::SessionError;
use app::auth::SignUpForm;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-up", post(sign_up))
        .route("/verify", post(verify))
        .route("/resend-verification", post(resend_verification))
        .route("/sign-in", post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/password-reset", post(request_reset))
        .route("/password-reset/confirm", post(confirm_reset))
        .route("/password", post(change_password))
        .route("/nickname", put(change_nickname))
        .route("/me", get(me).delete(delete_me))
        .route("/oauth/{provider}/start", get(oauth_start))
        .route("/oauth/{provider}/callback", get(oauth_callback))
        .route("/oauth/complete", post(oauth_complete))
}

type AuthResult = Result<Response, ApiError>;

fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|_| ApiError::Malformed)
}

#[derive(serde::Deserialize)]
struct EmailBody {
    #[serde(default)]
    email: String,
}

#[derive(serde::Deserialize)]
struct TokenBody {
    #[serde(default)]
    token: String,
}

#[derive(serde::Deserialize)]
struct SignInBody {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

#[derive(serde::Deserialize)]
struct ResetBody {
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
}

#[derive(serde::Deserialize)]
struct ChangePasswordBody {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

#[derive(serde::Deserialize)]
struct NicknameBody {
    #[serde(default)]
    nickname: String,
}

#[derive(serde::Deserialize)]
struct PasswordBody {
    #[serde(default)]
    password: String,
}

fn accepted() -> Response {
    (StatusCode::ACCEPTED, Json(json!({ "accepted": true }))).into_response()
}

async fn sign_up(caller: Caller, bytes: Bytes) -> AuthResult {
    let form: SignUpForm = body(&bytes)?;
    caller.sign_up(&form).await?;
    Ok(accepted())
}

async fn verify(caller: Caller, bytes: Bytes) -> AuthResult {
    let TokenBody { token } = body(&bytes)?;
    let profile = caller.verify_email(&token).await?;
    Ok(Json(profile).into_response())
}

async fn resend_verification(
    State(state): State<AppState>,
    caller: Caller,
    bytes: Bytes,
) -> AuthResult {
    let EmailBody { email } = body(&bytes)?;
    state
        .accounts
        .resend_verification(&email, caller.ip)
        .await?;
    Ok(accepted())
}

async fn sign_in(caller: Caller, bytes: Bytes) -> AuthResult {
    let SignInBody { email, password } = body(&bytes)?;
    let profile = caller.sign_in(&email, &password).await?;
    Ok(Json(profile).into_response())
}

async fn sign_out(caller: Caller) -> AuthResult {
    caller.sign_out().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn request_reset(State(state): State<AppState>, caller: Caller, bytes: Bytes) -> AuthResult {
    let EmailBody { email } = body(&bytes)?;
    state.accounts.request_reset(&email, caller.ip).await?;
    Ok(accepted())
}

async fn confirm_reset(State(state): State<AppState>, bytes: Bytes) -> AuthResult {
    let ResetBody {
        token,
        new_password,
    } = body(&bytes)?;
    reset_password(&state, &token, &new_password).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn change_password(caller: Caller, bytes: Bytes) -> AuthResult {
    let ChangePasswordBody {
        current_password,
        new_password,
    } = body(&bytes)?;
    caller
        .change_password(&current_password, &new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn change_nickname(caller: Caller, bytes: Bytes) -> AuthResult {
    let NicknameBody { nickname } = body(&bytes)?;
    let nickname = caller.change_nickname(&nickname).await?;
    Ok(Json(json!({ "nickname": nickname })).into_response())
}

async fn me(caller: Caller) -> AuthResult {
    let profile = caller.current().await?;
    Ok(Json(profile.ok_or(AccountError::SignedOut)?).into_response())
}

async fn delete_me(caller: Caller, bytes: Bytes) -> AuthResult {
    let PasswordBody { password } = body(&bytes)?;
    caller.delete(&password).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A sign-in with a provider under way: kept in the session between the
/// redirect to the provider and its return, and used once.
#[derive(serde::Serialize, serde::Deserialize)]
struct OAuthFlow {
    provider: Provider,
    state: String,
    verifier: Option<String>,
    /// Linking to the signed-in member rather than signing in.
    link: bool,
}

const OAUTH_FLOW_KEY: &str = "oauth_flow";

/// Where a failed provider sign-in sends the browser: the sign-in page,
/// which explains `reason`.
fn oauth_failed(reason: &str) -> Response {
    Redirect::to(&format!("/sign-in?oauth_error={reason}")).into_response()
}

fn provider(name: &str) -> Result<Provider, ApiError> {
    Provider::from_name(name).ok_or(ApiError::Account(AccountError::UnknownProvider))
}

/// Sends the browser to the provider (`?link=1`: to link it to the
/// signed-in member).
async fn oauth_start(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> AuthResult {
    let provider = provider(&name)?;
    if !state.accounts.oauth.configured(provider) {
        return Ok(oauth_failed("unavailable"));
    }
    let started = state
        .accounts
        .oauth
        .start(provider)
        .map_err(|err| AccountError::Provider(err.to_string()))?;
    let flow = OAuthFlow {
        provider,
        state: started.state,
        verifier: started.verifier,
        link: query.get("link").is_some_and(|v| v == "1"),
    };
    caller
        .session
        .insert(OAUTH_FLOW_KEY, flow)
        .await
        .map_err(SessionError::from)?;
    Ok(Redirect::to(&started.url).into_response())
}

/// The provider's return: the state must be the one this session sent;
/// then the code is exchanged (with the PKCE verifier) and the identity
/// signs in, is linked, or waits for a nickname.
async fn oauth_callback(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> AuthResult {
    let provider = provider(&name)?;
    let accounts = &state.accounts;
    let session = &caller.session;
    let flow: Option<OAuthFlow> = session
        .remove(OAUTH_FLOW_KEY)
        .await
        .map_err(SessionError::from)?;
    let Some(flow) =
        flow.filter(|flow| flow.provider == provider && query.get("state") == Some(&flow.state))
    else {
        return Ok(oauth_failed("state"));
    };
    let Some(code) = query.get("code").filter(|_| !query.contains_key("error")) else {
        return Ok(oauth_failed("denied"));
    };
    let identity = match accounts
        .oauth
        .finish(provider, code, &flow.state, flow.verifier)
        .await
    {
        Ok(identity) => identity,
        Err(err) => {
            tracing::warn!(provider = provider.name(), error = %err, "a provider sign-in failed");
            return Ok(oauth_failed("provider"));
        }
    };
    if flow.link {
        let Some(user) = caller.member().await? else {
            return Ok(oauth_failed("state"));
        };
        return Ok(
            match accounts.link_identity(user.user_id, &identity).await {
                Ok(()) => Redirect::to(&format!("/me?linked={}", provider.name())).into_response(),
                Err(AccountError::IdentityTaken) => {
                    Redirect::to("/me?oauth_error=taken").into_response()
                }
                Err(err) => return Err(err.into()),
            },
        );
    }
    if let Some(user) = accounts.social_user(&identity).await? {
        state.sessions.sign_in(session, user.user_id).await?;
        return Ok(Redirect::to("/").into_response());
    }
    session
        .insert(OAUTH_NEW_KEY, &identity)
        .await
        .map_err(SessionError::from)?;
    Ok(Redirect::to(SOCIAL_SIGN_UP_PAGE).into_response())
}

/// The page where a provider's first sign-in gets its nickname.
pub const SOCIAL_SIGN_UP_PAGE: &str = "/sign-up/social";

/// Middleware for [`SOCIAL_SIGN_UP_PAGE`]: with no provider identity
/// waiting in the session (opened directly, or already finished) there is
/// nothing to finish, and the browser goes to 로그인. Decided here, before
/// the page renders, so the answer is a real redirect (a page that decides
/// once its data has loaded may have sent its status already).
pub async fn nothing_to_finish_goes_to_sign_in(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if request.uri().path() == SOCIAL_SIGN_UP_PAGE {
        let session = request.extensions().get::<tower_sessions::Session>();
        let waiting = match session {
            Some(session) => (session.get::<crate::accounts::oauth::Identity>(OAUTH_NEW_KEY))
                .await
                .is_ok_and(|identity| identity.is_some()),
            None => false,
        };
        if !waiting {
            return Redirect::to("/sign-in").into_response();
        }
    }
    next.run(request).await
}

#[derive(serde::Deserialize)]
struct SocialSignUpBody {
    #[serde(default)]
    nickname: String,
    #[serde(default)]
    claim_guest: bool,
}

async fn oauth_complete(caller: Caller, bytes: Bytes) -> AuthResult {
    let SocialSignUpBody {
        nickname,
        claim_guest,
    } = body(&bytes)?;
    let profile = caller.social_sign_up(&nickname, claim_guest).await?;
    Ok(Json(profile).into_response())
}
