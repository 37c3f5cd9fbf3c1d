//! The account operations that involve the caller's session, shared by the
//! `/api/v1/auth` routes and the UI's server functions: signing up (and
//! keeping the browser's guest), in and out, password and nickname
//! changes, deletion and the end of a provider sign-up. The session id is
//! rotated at sign-in (no fixation), a member has one session (a new one
//! ends the old), and signing out ends the session in the store, not just
//! the cookie.

use super::caller::Caller;
use super::{ApiError, AppState};
use crate::accounts::{AccountError, GuestKept, oauth};
use crate::sessions::Principal;
use crate::storage::UserRow;
use crate::trading::AccountRef;
use app::auth::{Profile, SignUpForm};

/// A provider identity with no user yet, waiting in the session for its
/// nickname.
pub const OAUTH_NEW_KEY: &str = "oauth_new";

impl Caller {
    fn state(&self) -> &AppState {
        &self.state
    }

    /// The signed-in member, if any.
    pub async fn member(&self) -> Result<Option<UserRow>, ApiError> {
        let Some(Principal::Member(user_id)) = self.principal().await? else {
            return Ok(None);
        };
        Ok(self.state().storage.user(user_id).await?)
    }

    async fn require_member(&self) -> Result<UserRow, ApiError> {
        (self.member().await?).ok_or(ApiError::Account(AccountError::SignedOut))
    }

    /// What the page shows of a member.
    pub async fn profile_of(&self, user: &UserRow) -> Result<Profile, ApiError> {
        let main = self
            .state()
            .trading
            .account_of(user.user_id, AccountRef::Main)
            .await?;
        Ok(Profile {
            user_id: user.user_id,
            nickname: user.nickname.clone(),
            email: user.email.clone(),
            verified: user.verified_ms.is_some(),
            main_account_id: main.map(|account| account.0),
            has_password: user.password_hash.is_some(),
        })
    }

    pub async fn current(&self) -> Result<Option<Profile>, ApiError> {
        match self.member().await? {
            Some(user) => Ok(Some(self.profile_of(&user).await?)),
            None => Ok(None),
        }
    }

    /// The browser's guest, when the session speaks for one.
    async fn guest(&self) -> Result<Option<i64>, ApiError> {
        Ok(match self.principal().await? {
            Some(Principal::Guest(guest)) => Some(guest),
            _ => None,
        })
    }

    /// Signs up; the browser's guest (its accounts and watchlist) may
    /// become the new member. A kept guest's session ends: it is the
    /// member's now, and the member signs in once the address is verified.
    pub async fn sign_up(&self, form: &SignUpForm) -> Result<(), ApiError> {
        let guest = self.guest().await?;
        let kept = self.state().accounts.sign_up(form, guest, self.ip).await?;
        if kept == GuestKept::Claimed {
            self.state().sessions.end(&self.session).await?;
        }
        Ok(())
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Profile, ApiError> {
        let user = self
            .state()
            .accounts
            .check_credentials(email, password, self.ip)
            .await?;
        self.state()
            .sessions
            .sign_in(&self.session, user.user_id)
            .await?;
        self.profile_of(&user).await
    }

    /// Uses an e-mail verification link and signs its member in on this
    /// session: the link went to the address only its owner reads, and it
    /// works once, so opening it proves as much as the password would (and
    /// the new member lands signed in, not on a sign-in form).
    pub async fn verify_email(&self, token: &str) -> Result<Profile, ApiError> {
        let user_id = self.state().accounts.verify_email(token).await?;
        self.sign_in_as(user_id).await
    }

    /// Signs `user_id` in on this session (a proof other than the password
    /// was given) and answers their profile.
    async fn sign_in_as(&self, user_id: i64) -> Result<Profile, ApiError> {
        self.state()
            .sessions
            .sign_in(&self.session, user_id)
            .await?;
        let user = self.state().accounts.live_user(user_id).await?;
        self.profile_of(&user).await
    }

    /// Signs out: the session is deleted from the store and the member has
    /// no current session until they sign in again.
    pub async fn sign_out(&self) -> Result<(), ApiError> {
        Ok(self.state().sessions.end(&self.session).await?)
    }

    pub async fn change_password(&self, current: &str, new_password: &str) -> Result<(), ApiError> {
        let user = self.require_member().await?;
        self.state()
            .accounts
            .change_password(user.user_id, current, new_password, self.ip)
            .await?;
        // A new id for this session too (the old one might have been
        // seen), and every other session of the member ends.
        Ok(self
            .state()
            .sessions
            .sign_in(&self.session, user.user_id)
            .await?)
    }

    pub async fn change_nickname(&self, nickname: &str) -> Result<String, ApiError> {
        let user = self.require_member().await?;
        Ok(self
            .state()
            .accounts
            .change_nickname(user.user_id, nickname)
            .await?)
    }

    pub async fn delete(&self, password: &str) -> Result<(), ApiError> {
        let user = self.require_member().await?;
        self.state()
            .accounts
            .delete(user.user_id, password, self.ip)
            .await?;
        Ok(self.state().sessions.end(&self.session).await?)
    }

    /// Whether a provider identity waits in the session for its nickname.
    pub async fn social_sign_up_pending(&self) -> Result<bool, ApiError> {
        let identity: Option<oauth::Identity> =
            (self.session.get(OAUTH_NEW_KEY).await).map_err(crate::sessions::SessionError::from)?;
        Ok(identity.is_some())
    }

    /// Finishes a provider sign-up: the identity waiting in the session
    /// becomes a member with this nickname (the browser's guest, if kept),
    /// signed in.
    pub async fn social_sign_up(
        &self,
        nickname: &str,
        claim_guest: bool,
    ) -> Result<Profile, ApiError> {
        let identity: oauth::Identity = (self.session.get(OAUTH_NEW_KEY).await)
            .map_err(crate::sessions::SessionError::from)?
            .ok_or(ApiError::Account(AccountError::BadLink))?;
        let guest = match claim_guest {
            true => self.guest().await?,
            false => None,
        };
        let (user_id, _) = self
            .state()
            .accounts
            .social_sign_up(&identity, nickname, guest, self.ip)
            .await?;
        self.session
            .remove::<oauth::Identity>(OAUTH_NEW_KEY)
            .await
            .map_err(crate::sessions::SessionError::from)?;
        self.sign_in_as(user_id).await
    }
}

/// Sets a new password through a reset link and signs the member out
/// everywhere: whoever knew the old password loses their session.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    new_password: &str,
) -> Result<(), ApiError> {
    let ended = state.accounts.reset_password(token, new_password).await?;
    Ok(state.sessions.forget(ended.as_deref(), None).await?)
}
