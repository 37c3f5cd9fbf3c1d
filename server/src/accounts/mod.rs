//! Members and their sign-in: sign-up with a verification mail, credential
//! checks, password change and reset by single-use links, nickname change,
//! deletion, and sign-in with Google, Kakao or Naver. A sign-up may keep
//! the browser's guest (its accounts and watchlist): the guest's user row
//! becomes the member's. Which session a member is signed in on is
//! `crate::sessions`' business; the routes are `crate::http`'s.
//!
//! What it guards against, from the predecessors' flaws: answers and timing
//! never tell whether an e-mail address is registered; passwords are argon2id
//! hashes only and never mailed; links are single use, expire, and are stored
//! hashed; guessing is slowed by [`limits`]; a user has one session at a time.

pub mod error;
pub mod limits;
pub mod mail;
pub mod oauth;
pub mod password;
pub mod strength;
pub mod token;

pub use error::AccountError;

use crate::clock::Clock;
use crate::storage::users::unique_key;
use crate::storage::{Claim, NewUser, Storage, Taken, TokenPurpose, UserRow};
use app::auth::{SignUpForm, check_email, check_nickname, check_password, check_sign_up};
use limits::{Limits, Operation};
use mail::{Mail, Mailer};
use password::Passwords;
use std::net::IpAddr;
use std::sync::Arc;

/// How long a verification link works.
pub const VERIFY_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// How long a password-reset link works.
pub const RESET_TTL_MS: i64 = 30 * 60 * 1000;

#[derive(Clone)]
pub struct Accounts {
    pub storage: Arc<dyn Storage>,
    pub passwords: Passwords,
    pub mailer: Mailer,
    pub limits: Arc<Limits>,
    /// Where links in mails point, e.g. `https://gaemi.example`.
    pub public_origin: String,
    pub oauth: oauth::OAuth,
    /// Decides when mailed links expire.
    pub clock: Arc<dyn Clock>,
}

/// What a sign-up did with the browser's guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuestKept {
    /// The guest's row is the new member's now: its session must end.
    Claimed,
    /// The guest, if any, stays a guest.
    No,
}

impl Accounts {
    /// Signs a person up and mails the verification link; with
    /// `form.claim_guest`, `guest` (the browser's guest user) becomes the
    /// member, keeping its accounts. When the address is already
    /// registered, the answer is the same and the mail tells the owner
    /// instead; nicknames are public, so a taken one is said plainly.
    pub async fn sign_up(
        &self,
        form: &SignUpForm,
        guest: Option<i64>,
        ip: IpAddr,
    ) -> Result<GuestKept, AccountError> {
        if let Some(error) = check_sign_up(form).into_iter().next() {
            return Err(AccountError::Invalid(error));
        }
        strength::check_strength("password", &form.password, &form.email, &form.nickname)
            .map_err(AccountError::Invalid)?;
        self.limits
            .check(Operation::SignUp, ip, &form.email)
            .await?;
        let email = check_email(&form.email).map_err(AccountError::Invalid)?;
        let nickname = check_nickname(&form.nickname).map_err(AccountError::Invalid)?;
        // Hashed before anything is looked up, so a registered address
        // does not answer sooner than a new one.
        let hash = self.passwords.hash(&form.password).await?;
        let nickname_taken = self.storage.user_by_nickname(&nickname).await?.is_some();
        if let Some(existing) = self.storage.user_by_email(&email).await? {
            if nickname_taken {
                return Err(AccountError::NicknameTaken);
            }
            self.post(mail::already_registered(
                &email,
                &existing.nickname,
                &self.public_origin,
            ));
            return Ok(GuestKept::No);
        }
        if nickname_taken {
            return Err(AccountError::NicknameTaken);
        }
        let now = self.clock.now_ms();
        let member = NewUser {
            email: Some(&email),
            nickname: &nickname,
            password_hash: Some(&hash),
            verified_ms: None,
            created_ms: now,
        };
        let (created, kept) = self
            .create_member(&member, guest.filter(|_| form.claim_guest))
            .await?;
        let user_id = match created {
            Ok(user_id) => user_id,
            // Someone took the address or nickname a moment ago.
            Err(Taken::Nickname) => return Err(AccountError::NicknameTaken),
            Err(Taken::Email) => return Ok(GuestKept::No),
        };
        self.send_link(user_id, &email, TokenPurpose::VerifyEmail, now)
            .await?;
        Ok(kept)
    }

    /// Stores a new member: `guest`'s row turned into the member's when it
    /// is given and still a guest, else a row of their own.
    async fn create_member(
        &self,
        member: &NewUser<'_>,
        guest: Option<i64>,
    ) -> Result<(Result<i64, Taken>, GuestKept), AccountError> {
        if let Some(guest) = guest {
            match self.storage.claim_guest(guest, member).await? {
                Claim::Claimed => return Ok((Ok(guest), GuestKept::Claimed)),
                Claim::Taken(taken) => return Ok((Err(taken), GuestKept::No)),
                Claim::NotAGuest => {}
            }
        }
        Ok((self.storage.create_user(member).await?, GuestKept::No))
    }

    /// Mails a new verification link to an unverified address; answers the
    /// same whether or not there is such an account, before looking.
    pub async fn resend_verification(&self, email: &str, ip: IpAddr) -> Result<(), AccountError> {
        let email = check_email(email).map_err(AccountError::Invalid)?;
        self.limits.check(Operation::Mail, ip, &email).await?;
        self.after_answering("verification mail", move |accounts| async move {
            if let Some(user) = accounts.storage.user_by_email(&email).await?
                && user.verified_ms.is_none()
            {
                let now = accounts.clock.now_ms();
                (accounts.send_link(user.user_id, &email, TokenPurpose::VerifyEmail, now)).await?;
            }
            Ok(())
        });
        Ok(())
    }

    /// Runs `work` on its own task, so the answer is sent before it and
    /// does not depend on what it finds: looking an address up and writing
    /// a link for it took measurably longer than finding nobody, which told
    /// an attacker which addresses are registered. Failures are logged.
    fn after_answering<Work>(&self, what: &'static str, work: impl FnOnce(Accounts) -> Work)
    where
        Work: Future<Output = Result<(), AccountError>> + Send + 'static,
    {
        let work = work(self.clone());
        tokio::spawn(async move {
            if let Err(err) = work.await {
                tracing::warn!(%err, what, "work after answering failed");
            }
        });
    }

    async fn send_link(
        &self,
        user_id: i64,
        email: &str,
        purpose: TokenPurpose,
        now: i64,
    ) -> Result<(), AccountError> {
        let ttl = match purpose {
            TokenPurpose::VerifyEmail => VERIFY_TTL_MS,
            TokenPurpose::ResetPassword => RESET_TTL_MS,
        };
        // A new link makes the older ones worthless.
        self.storage.retire_tokens(user_id, purpose, now).await?;
        let (token, hash) = token::new_token();
        self.storage
            .add_token(&hash, user_id, purpose, now + ttl)
            .await?;
        let mail: Mail = match purpose {
            TokenPurpose::VerifyEmail => mail::verification(email, &self.public_origin, &token),
            TokenPurpose::ResetPassword => mail::password_reset(email, &self.public_origin, &token),
        };
        self.post(mail);
        Ok(())
    }

    /// Sends a mail in the background: the answer never waits for the SMTP
    /// server, so its timing does not tell whether a mail went out (that
    /// is, whether an address is registered). Failures are logged.
    fn post(&self, mail: Mail) {
        let mailer = self.mailer.clone();
        tokio::spawn(async move { mailer.send(mail).await });
    }

    /// Uses a verification link; answers whose address it verified.
    pub async fn verify_email(&self, token: &str) -> Result<i64, AccountError> {
        let now = self.clock.now_ms();
        let user_id = self
            .storage
            .use_token(&token::hash_token(token), TokenPurpose::VerifyEmail, now)
            .await?
            .ok_or(AccountError::BadLink)?;
        self.storage.mark_verified(user_id, now).await?;
        Ok(user_id)
    }

    /// Checks an e-mail address and password; answers the user. Unknown
    /// addresses and wrong passwords get the same error after the same work.
    pub async fn check_credentials(
        &self,
        email: &str,
        password: &str,
        ip: IpAddr,
    ) -> Result<UserRow, AccountError> {
        if email.trim().is_empty() {
            return Err(AccountError::Invalid(check_email(email).unwrap_err()));
        }
        if password.is_empty() {
            return Err(AccountError::Invalid(
                check_password("password", password, "", "").unwrap_err(),
            ));
        }
        self.limits.check(Operation::SignIn, ip, email).await?;
        let user = self.storage.user_by_email(email).await?;
        let Some((user, hash)) = user.and_then(|u| u.password_hash.clone().map(|h| (u, h))) else {
            self.passwords.verify_nothing(password).await;
            return Err(AccountError::WrongCredentials);
        };
        if !self.passwords.verify(password, &hash).await? {
            return Err(AccountError::WrongCredentials);
        }
        if user.verified_ms.is_none() {
            return Err(AccountError::Unverified);
        }
        // A correct password forgives the address's earlier failures.
        self.limits.forgive(Operation::SignIn, ip, email).await;
        Ok(user)
    }

    /// Mails a reset link if the address belongs to someone; the answer is
    /// the same either way, and comes before looking.
    pub async fn request_reset(&self, email: &str, ip: IpAddr) -> Result<(), AccountError> {
        let email = check_email(email).map_err(AccountError::Invalid)?;
        self.limits.check(Operation::Mail, ip, &email).await?;
        self.after_answering("password reset mail", move |accounts| async move {
            if let Some(user) = accounts.storage.user_by_email(&email).await? {
                let now = accounts.clock.now_ms();
                (accounts.send_link(user.user_id, &email, TokenPurpose::ResetPassword, now))
                    .await?;
            }
            Ok(())
        });
        Ok(())
    }

    /// Sets a new password through a reset link, which then stops working,
    /// and ends the member's session: one transaction, so a failure leaves
    /// the old password, the link and the session as they were. Returns
    /// the session ended, which the caller removes from the session store.
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
    ) -> Result<Option<String>, AccountError> {
        let hash = token::hash_token(token);
        let now = self.clock.now_ms();
        let user = match self
            .storage
            .token_user(&hash, TokenPurpose::ResetPassword, now)
            .await?
        {
            Some(user_id) => self.storage.user(user_id).await?,
            None => None,
        }
        .ok_or(AccountError::BadLink)?;
        check_new_password(&user, new_password)?;
        let password_hash = self.passwords.hash(new_password).await?;
        // The link is used only now, so a refused password leaves it
        // usable; two requests racing with one link: the loser is told the
        // link is used.
        self.storage
            .reset_password(&hash, &password_hash, now)
            .await?
            .map(|(_, ended)| ended)
            .ok_or(AccountError::BadLink)
    }

    /// Changes a signed-in user's password; the current one is required.
    pub async fn change_password(
        &self,
        user_id: i64,
        current: &str,
        new_password: &str,
        ip: IpAddr,
    ) -> Result<(), AccountError> {
        let user = self.live_user(user_id).await?;
        check_new_password(&user, new_password)?;
        self.check_own_password(&user, "current_password", current, ip)
            .await?;
        let hash = self.passwords.hash(new_password).await?;
        self.storage.set_password_hash(user_id, &hash).await?;
        self.storage
            .retire_tokens(user_id, TokenPurpose::ResetPassword, self.clock.now_ms())
            .await?;
        Ok(())
    }

    pub async fn change_nickname(
        &self,
        user_id: i64,
        nickname: &str,
    ) -> Result<String, AccountError> {
        let nickname = check_nickname(nickname).map_err(AccountError::Invalid)?;
        self.live_user(user_id).await?;
        match self.storage.set_nickname(user_id, &nickname).await? {
            Ok(()) => Ok(nickname),
            Err(_) => Err(AccountError::NicknameTaken),
        }
    }

    /// Deletes (anonymises) a user; their password is required (their
    /// nickname, for a user without one).
    pub async fn delete(
        &self,
        user_id: i64,
        password: &str,
        ip: IpAddr,
    ) -> Result<(), AccountError> {
        let user = self.live_user(user_id).await?;
        if user.password_hash.is_none() {
            // A user who only signs in through a provider has no password
            // to give: typing their nickname confirms instead.
            if unique_key(password) != unique_key(&user.nickname) {
                return Err(AccountError::ConfirmMismatch);
            }
        } else {
            self.check_own_password(&user, "password", password, ip)
                .await?;
        }
        self.storage
            .delete_user(user_id, self.clock.now_ms())
            .await?;
        Ok(())
    }

    /// The user a provider identity belongs to, if any. A social sign-in
    /// never finds a user by e-mail: only an identity attached at sign-up
    /// through that provider, or linked by the signed-in user, counts.
    pub async fn social_user(
        &self,
        identity: &oauth::Identity,
    ) -> Result<Option<UserRow>, AccountError> {
        Ok(self
            .storage
            .user_by_identity(identity.provider.name(), &identity.subject)
            .await?)
    }

    /// Attaches a provider identity to the signed-in user.
    pub async fn link_identity(
        &self,
        user_id: i64,
        identity: &oauth::Identity,
    ) -> Result<(), AccountError> {
        self.live_user(user_id).await?;
        let added = self
            .storage
            .add_identity(
                identity.provider.name(),
                &identity.subject,
                user_id,
                self.clock.now_ms(),
            )
            .await?;
        if added {
            Ok(())
        } else {
            Err(AccountError::IdentityTaken)
        }
    }

    /// Creates the member for a new social identity with the nickname they
    /// chose (from `guest`'s row when it is given: the browser's guest is
    /// kept). The provider's e-mail is kept only if it verified it and no
    /// other user has it (it is never used to join accounts).
    pub async fn social_sign_up(
        &self,
        identity: &oauth::Identity,
        nickname: &str,
        guest: Option<i64>,
        ip: IpAddr,
    ) -> Result<(i64, GuestKept), AccountError> {
        let nickname = check_nickname(nickname).map_err(AccountError::Invalid)?;
        self.limits
            .check(Operation::SignUp, ip, &identity.subject)
            .await?;
        if self.social_user(identity).await?.is_some() {
            return Err(AccountError::IdentityTaken);
        }
        if self.storage.user_by_nickname(&nickname).await?.is_some() {
            return Err(AccountError::NicknameTaken);
        }
        let email = match &identity.email {
            Some(email) if self.storage.user_by_email(email).await?.is_none() => {
                Some(email.as_str())
            }
            _ => None,
        };
        let now = self.clock.now_ms();
        let member = NewUser {
            email,
            nickname: &nickname,
            password_hash: None,
            verified_ms: email.map(|_| now),
            created_ms: now,
        };
        let (created, kept) = self.create_member(&member, guest).await?;
        let Ok(user_id) = created else {
            return Err(AccountError::NicknameTaken);
        };
        if !self
            .storage
            .add_identity(identity.provider.name(), &identity.subject, user_id, now)
            .await?
        {
            return Err(AccountError::IdentityTaken);
        }
        Ok((user_id, kept))
    }

    /// A member who has not been deleted; `SignedOut` otherwise.
    pub async fn live_user(&self, user_id: i64) -> Result<UserRow, AccountError> {
        self.storage
            .user(user_id)
            .await?
            .filter(|user| user.deleted_ms.is_none())
            .ok_or(AccountError::SignedOut)
    }

    /// A signed-in user re-entering their password (to change it or to
    /// delete the account), under the same guessing limits as sign-in.
    async fn check_own_password(
        &self,
        user: &UserRow,
        field: &'static str,
        password: &str,
        ip: IpAddr,
    ) -> Result<(), AccountError> {
        let key = format!("user:{}", user.user_id);
        self.limits.check(Operation::SignIn, ip, &key).await?;
        let ok = match &user.password_hash {
            Some(hash) => self.passwords.verify(password, hash).await?,
            None => false,
        };
        if !ok {
            return Err(AccountError::WrongPassword(field));
        }
        self.limits.forgive(Operation::SignIn, ip, &key).await;
        Ok(())
    }
}

/// The password rule for a user's new password (it may not contain their
/// own e-mail or nickname).
fn check_new_password(user: &UserRow, new_password: &str) -> Result<(), AccountError> {
    let email = user.email.as_deref().unwrap_or_default();
    check_password("new_password", new_password, email, &user.nickname)
        .and_then(|()| {
            strength::check_strength("new_password", new_password, email, &user.nickname)
        })
        .map_err(AccountError::Invalid)
}
