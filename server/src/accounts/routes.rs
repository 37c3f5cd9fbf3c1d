//! The account operations as JSON routes under `/api/v1/auth/`, and the
//! session side of signing in and out: the session id is rotated at sign-in
//! (no fixation), the user's previous session is ended (one session per
//! user), and signing out ends the session in the store, not just the
//! cookie.

use super::oauth::{self, Provider};
use super::{AccountError, Accounts, SignedIn};
use crate::http::AppState;
use crate::storage::UserRow;
use crate::trading::session;
use app::auth::{Profile, SignUpForm};
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::collections::HashMap;
use std::net::IpAddr;
use tower_sessions::{Session, SessionStore};

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

type AuthResult = Result<Response, AccountError>;

/// The client's address (see [`super::port::client_ip`]: the TCP peer, or
/// behind a trusted proxy the address it forwarded).
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(super::port::client_ip(
            parts,
            &state.accounts.trusted_proxies,
        )))
    }
}

fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, AccountError> {
    serde_json::from_slice(bytes).map_err(|_| AccountError::Malformed)
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

fn profile(user: &UserRow) -> Profile {
    Profile {
        user_id: user.user_id,
        nickname: user.nickname.clone(),
        email: user.email.clone(),
        verified: user.verified_ms.is_some(),
        account_id: user.account_id,
        has_password: user.password_hash.is_some(),
    }
}

fn accepted() -> Response {
    (StatusCode::ACCEPTED, Json(json!({ "accepted": true }))).into_response()
}

async fn sign_up(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    bytes: Bytes,
) -> AuthResult {
    let form: SignUpForm = body(&bytes)?;
    Caller::new(&state.accounts, &session, ip)
        .sign_up(&form)
        .await?;
    Ok(accepted())
}

async fn verify(State(state): State<AppState>, bytes: Bytes) -> AuthResult {
    let TokenBody { token } = body(&bytes)?;
    state.accounts.verify_email(&token).await?;
    Ok(Json(json!({ "verified": true })).into_response())
}

async fn resend_verification(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    bytes: Bytes,
) -> AuthResult {
    let EmailBody { email } = body(&bytes)?;
    state.accounts.resend_verification(&email, ip).await?;
    Ok(accepted())
}

async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    bytes: Bytes,
) -> AuthResult {
    let SignInBody { email, password } = body(&bytes)?;
    let profile = Caller::new(&state.accounts, &session, ip)
        .sign_in(&email, &password)
        .await?;
    Ok(Json(profile).into_response())
}

async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
) -> AuthResult {
    Caller::new(&state.accounts, &session, ip)
        .sign_out()
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn request_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    bytes: Bytes,
) -> AuthResult {
    let EmailBody { email } = body(&bytes)?;
    state.accounts.request_reset(&email, ip).await?;
    Ok(accepted())
}

async fn confirm_reset(State(state): State<AppState>, bytes: Bytes) -> AuthResult {
    let ResetBody {
        token,
        new_password,
    } = body(&bytes)?;
    reset_password(&state.accounts, &token, &new_password).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn change_password(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    bytes: Bytes,
) -> AuthResult {
    let ChangePasswordBody {
        current_password,
        new_password,
    } = body(&bytes)?;
    Caller::new(&state.accounts, &session, ip)
        .change_password(&current_password, &new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn change_nickname(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    bytes: Bytes,
) -> AuthResult {
    let NicknameBody { nickname } = body(&bytes)?;
    let nickname = Caller::new(&state.accounts, &session, ip)
        .change_nickname(&nickname)
        .await?;
    Ok(Json(json!({ "nickname": nickname })).into_response())
}

async fn me(State(state): State<AppState>, session: Session, ClientIp(ip): ClientIp) -> AuthResult {
    let profile = Caller::new(&state.accounts, &session, ip).current().await?;
    Ok(Json(profile.ok_or(AccountError::SignedOut)?).into_response())
}

async fn delete_me(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    bytes: Bytes,
) -> AuthResult {
    let PasswordBody { password } = body(&bytes)?;
    Caller::new(&state.accounts, &session, ip)
        .delete(&password)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A sign-in with a provider under way: kept in the session between the
/// redirect to the provider and its return, and used once.
#[derive(serde::Serialize, serde::Deserialize)]
struct OAuthFlow {
    provider: Provider,
    state: String,
    verifier: Option<String>,
    /// Linking to the signed-in user rather than signing in.
    link: bool,
}

const OAUTH_FLOW_KEY: &str = "oauth_flow";
/// A provider identity with no user yet, waiting for its nickname.
const OAUTH_NEW_KEY: &str = "oauth_new";

/// Where a failed provider sign-in sends the browser: the sign-in page,
/// which explains `reason`.
fn oauth_failed(reason: &str) -> Response {
    Redirect::to(&format!("/sign-in?oauth_error={reason}")).into_response()
}

fn provider(name: &str) -> Result<Provider, AccountError> {
    Provider::from_name(name).ok_or(AccountError::UnknownProvider)
}

/// Sends the browser to the provider (`?link=1`: to link it to the
/// signed-in user).
async fn oauth_start(
    State(state): State<AppState>,
    session: Session,
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
    session
        .insert(OAUTH_FLOW_KEY, flow)
        .await
        .map_err(session_error)?;
    Ok(Redirect::to(&started.url).into_response())
}

/// The provider's return: the state must be the one this session sent;
/// then the code is exchanged (with the PKCE verifier) and the identity
/// signs in, is linked, or waits for a nickname.
async fn oauth_callback(
    State(state): State<AppState>,
    session: Session,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> AuthResult {
    let provider = provider(&name)?;
    let accounts = &state.accounts;
    let flow: Option<OAuthFlow> = session
        .remove(OAUTH_FLOW_KEY)
        .await
        .map_err(session_error)?;
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
        let Some(user) = signed_in(accounts, &session).await? else {
            return Ok(oauth_failed("state"));
        };
        return Ok(
            match accounts.link_identity(user.user_id, &identity).await {
                Ok(()) => Redirect::to(&format!("/me?linked={}", provider.name())).into_response(),
                Err(AccountError::IdentityTaken) => {
                    Redirect::to("/me?oauth_error=taken").into_response()
                }
                Err(err) => return Err(err),
            },
        );
    }
    if let Some(user) = accounts.social_user(&identity).await? {
        begin(accounts, &session, &user).await?;
        return Ok(Redirect::to("/").into_response());
    }
    session
        .insert(OAUTH_NEW_KEY, &identity)
        .await
        .map_err(session_error)?;
    Ok(Redirect::to("/sign-up/social").into_response())
}

#[derive(serde::Deserialize)]
struct SocialSignUpBody {
    #[serde(default)]
    nickname: String,
    #[serde(default)]
    claim_guest: bool,
}

async fn oauth_complete(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    bytes: Bytes,
) -> AuthResult {
    let SocialSignUpBody {
        nickname,
        claim_guest,
    } = body(&bytes)?;
    let profile = Caller::new(&state.accounts, &session, ip)
        .social_sign_up(&nickname, claim_guest)
        .await?;
    Ok(Json(profile).into_response())
}

/// Sets a new password through a reset link and signs the user out
/// everywhere: whoever knew the old password loses their session.
pub async fn reset_password(
    accounts: &Accounts,
    token: &str,
    new_password: &str,
) -> Result<(), AccountError> {
    let user_id = accounts.reset_password(token, new_password).await?;
    end_user_session(accounts, user_id, None).await
}

/// One request's view of the account operations that involve its session:
/// shared by the JSON routes and the UI's server functions.
pub struct Caller<'a> {
    accounts: &'a Accounts,
    session: &'a Session,
    ip: IpAddr,
}

impl<'a> Caller<'a> {
    pub fn new(accounts: &'a Accounts, session: &'a Session, ip: IpAddr) -> Caller<'a> {
        Caller {
            accounts,
            session,
            ip,
        }
    }

    pub async fn current(&self) -> Result<Option<Profile>, AccountError> {
        Ok(signed_in_user(self.accounts, self.session)
            .await?
            .as_ref()
            .map(profile))
    }

    /// Signs up; the browser's guest account (if it has one and nobody is
    /// signed in on it) may become the new user's main account.
    pub async fn sign_up(&self, form: &SignUpForm) -> Result<(), AccountError> {
        let guest = match signed_in(self.accounts, self.session).await? {
            Some(_) => None,
            None => session::account(self.session).await?,
        };
        self.accounts.sign_up(form, guest, self.ip).await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Profile, AccountError> {
        let user = self
            .accounts
            .check_credentials(email, password, self.ip)
            .await?;
        begin(self.accounts, self.session, &SignedIn::from(&user)).await?;
        Ok(profile(&user))
    }

    /// Signs out: the session is deleted from the store and the user has
    /// no current session until they sign in again.
    pub async fn sign_out(&self) -> Result<(), AccountError> {
        if let Some(user) = signed_in(self.accounts, self.session).await? {
            self.accounts
                .storage
                .replace_session(user.user_id, None)
                .await?;
        }
        self.session.flush().await.map_err(session_error)
    }

    pub async fn change_password(
        &self,
        current: &str,
        new_password: &str,
    ) -> Result<(), AccountError> {
        let user = require(self.accounts, self.session).await?;
        self.accounts
            .change_password(user.user_id, current, new_password, self.ip)
            .await?;
        // A new id for this session too (the old one might have been seen),
        // and every other session of the user ends.
        begin(self.accounts, self.session, &user).await
    }

    pub async fn change_nickname(&self, nickname: &str) -> Result<String, AccountError> {
        let user = require(self.accounts, self.session).await?;
        self.accounts.change_nickname(user.user_id, nickname).await
    }

    /// Finishes a provider sign-up: the identity waiting in the session
    /// becomes a user with this nickname, signed in.
    pub async fn social_sign_up(
        &self,
        nickname: &str,
        claim_guest: bool,
    ) -> Result<Profile, AccountError> {
        let identity: oauth::Identity = self
            .session
            .get(OAUTH_NEW_KEY)
            .await
            .map_err(session_error)?
            .ok_or(AccountError::BadLink)?;
        let guest = match claim_guest {
            true => session::account(self.session).await?,
            false => None,
        };
        let user = self
            .accounts
            .social_sign_up(&identity, nickname, guest, self.ip)
            .await?;
        self.session
            .remove::<oauth::Identity>(OAUTH_NEW_KEY)
            .await
            .map_err(session_error)?;
        begin(self.accounts, self.session, &user).await?;
        Ok(profile(&self.accounts.live_user(user.user_id).await?))
    }

    pub async fn delete(&self, password: &str) -> Result<(), AccountError> {
        let user = require(self.accounts, self.session).await?;
        self.accounts
            .delete(user.user_id, password, self.ip)
            .await?;
        self.session.flush().await.map_err(session_error)
    }
}

const USER_KEY: &str = "user_id";

fn session_error(err: tower_sessions::session::Error) -> AccountError {
    AccountError::Session(err.to_string())
}

/// The user signed in on this session, if any and still current: a
/// session another sign-in replaced no longer counts.
pub async fn signed_in(
    accounts: &Accounts,
    session: &Session,
) -> Result<Option<SignedIn>, AccountError> {
    Ok(signed_in_user(accounts, session)
        .await?
        .as_ref()
        .map(SignedIn::from))
}

/// [`signed_in`]'s user row, for answers that show more than its id.
async fn signed_in_user(
    accounts: &Accounts,
    session: &Session,
) -> Result<Option<UserRow>, AccountError> {
    let Some(user_id) = session.get::<i64>(USER_KEY).await.map_err(session_error)? else {
        return Ok(None);
    };
    let user = accounts.storage.user(user_id).await?;
    let current = session.id().map(|id| id.to_string());
    Ok(user.filter(|user| user.deleted_ms.is_none() && user.current_session == current))
}

async fn require(accounts: &Accounts, session: &Session) -> Result<SignedIn, AccountError> {
    signed_in(accounts, session)
        .await?
        .ok_or(AccountError::SignedOut)
}

/// Signs `user` in on this session under a new id, and ends the user's
/// previous session wherever it is.
async fn begin(
    accounts: &Accounts,
    session: &Session,
    user: &SignedIn,
) -> Result<(), AccountError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_KEY, user.user_id)
        .await
        .map_err(session_error)?;
    session::set_account(session, user.account).await?;
    // Saved now, not at the end of the response, so the id exists to be
    // recorded as the user's one session.
    session.save().await.map_err(session_error)?;
    let id = session.id().map(|id| id.to_string());
    end_user_session(accounts, user.user_id, id.as_deref()).await
}

/// Makes `keep` the user's only session, deleting the one it replaces.
async fn end_user_session(
    accounts: &Accounts,
    user_id: i64,
    keep: Option<&str>,
) -> Result<(), AccountError> {
    if let Some(old) = accounts.storage.replace_session(user_id, keep).await?
        && let Ok(old) = old.parse::<tower_sessions::session::Id>()
    {
        accounts
            .sessions
            .delete(&old)
            .await
            .map_err(|err| AccountError::Session(err.to_string()))?;
        accounts.revoked.notify(&old.to_string());
    }
    Ok(())
}
