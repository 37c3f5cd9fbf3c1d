//! Members (users who signed up), their mailed single-use tokens and their
//! social identities; guests, the other kind of user, are `owners`'. Unlike
//! the exchange's read models this SQL is plain enough to be the same on both
//! backends (`$n` placeholders work in SQLite too, and both have
//! `RETURNING`), so it is written once and expanded for each pool by
//! [`user_store_for!`] instead of being kept twice.

use super::StorageError;
use async_trait::async_trait;

/// A member as stored. `email` and `password_hash` are `None` for a deleted
/// member (anonymised) and `password_hash` also for a social-only one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    pub user_id: i64,
    pub email: Option<String>,
    pub verified_ms: Option<i64>,
    pub nickname: String,
    pub password_hash: Option<String>,
    pub current_session: Option<String>,
    pub created_ms: i64,
    pub deleted_ms: Option<i64>,
}

/// What signing up stores.
#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    pub email: Option<&'a str>,
    pub nickname: &'a str,
    pub password_hash: Option<&'a str>,
    pub verified_ms: Option<i64>,
    pub created_ms: i64,
}

/// Which unique value another user already holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taken {
    Email,
    Nickname,
}

/// What a mailed token is for; stored as its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
}

impl TokenPurpose {
    pub const fn name(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::ResetPassword => "reset_password",
        }
    }
}

/// The case-insensitive key of an e-mail address or nickname.
pub fn unique_key(value: &str) -> String {
    value.trim().to_lowercase()
}

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Stores a new user, or names the unique value already taken (nothing
    /// written then).
    async fn create_user(&self, user: &NewUser<'_>) -> Result<Result<i64, Taken>, StorageError>;

    async fn user(&self, user_id: i64) -> Result<Option<UserRow>, StorageError>;

    /// A user who has not been deleted, by e-mail address (any case).
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, StorageError>;

    /// A user who has not been deleted, by nickname (any case).
    async fn user_by_nickname(&self, nickname: &str) -> Result<Option<UserRow>, StorageError>;

    async fn set_password_hash(&self, user_id: i64, hash: &str) -> Result<(), StorageError>;

    /// Renames a user, or says the nickname is someone else's.
    async fn set_nickname(
        &self,
        user_id: i64,
        nickname: &str,
    ) -> Result<Result<(), Taken>, StorageError>;

    async fn mark_verified(&self, user_id: i64, now_ms: i64) -> Result<(), StorageError>;

    /// Makes `session` the user's only session; returns the one it replaced.
    async fn replace_session(
        &self,
        user_id: i64,
        session: Option<&str>,
    ) -> Result<Option<String>, StorageError>;

    /// Stores the hash of a new mailed token.
    async fn add_token(
        &self,
        token_hash: &str,
        user_id: i64,
        purpose: TokenPurpose,
        expires_ms: i64,
    ) -> Result<(), StorageError>;

    /// The user an unused, unexpired token of this purpose belongs to,
    /// without using it up.
    async fn token_user(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
        now_ms: i64,
    ) -> Result<Option<i64>, StorageError>;

    /// Uses a token once: the user it belongs to if it exists, has this
    /// purpose, is unused and unexpired; it is then marked used, atomically,
    /// so two requests with one token cannot both succeed.
    async fn use_token(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
        now_ms: i64,
    ) -> Result<Option<i64>, StorageError>;

    /// Marks every unused token of the user for `purpose` used (a newer
    /// link, or a changed password, makes older links worthless).
    async fn retire_tokens(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        now_ms: i64,
    ) -> Result<(), StorageError>;

    /// A password reset, whole or not at all: uses the reset token (as
    /// [`UserStore::use_token`]), sets the new hash, marks the address
    /// verified (the link proved the mailbox), retires the user's other
    /// reset links and ends their session. Answers the user and the
    /// session it ended; `None` (nothing changed) for a bad token.
    async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(i64, Option<String>)>, StorageError>;

    /// The user a provider identity belongs to.
    async fn user_by_identity(
        &self,
        provider: &str,
        subject: &str,
    ) -> Result<Option<UserRow>, StorageError>;

    /// Attaches a provider identity to a user; `false` when the identity
    /// already belongs to someone (nothing written).
    async fn add_identity(
        &self,
        provider: &str,
        subject: &str,
        user_id: i64,
        now_ms: i64,
    ) -> Result<bool, StorageError>;

    /// Anonymises a user: e-mail, password, identities and tokens are
    /// removed and the nickname replaced; the row and its account stay so
    /// other users' trade history keeps its counterparties.
    async fn delete_user(&self, user_id: i64, now_ms: i64) -> Result<(), StorageError>;
}

pub(crate) const USER_COLUMNS: &str =
    "user_id, email, verified_ms, nickname, password_hash, current_session, created_ms, deleted_ms";

/// Implements [`UserStore`] for a backend `$storage` (with a `pool` field)
/// of database `$db` whose rows are `$row`; the bodies are identical on
/// both backends.
macro_rules! user_store_for {
    ($storage:ty, $db:ty, $row:ty) => {
        /// The one member matching `condition` (with `$1` bound to `value`);
        /// guests are never members' rows.
        async fn fetch_user<T>(
            pool: &sqlx::Pool<$db>,
            condition: &str,
            value: T,
        ) -> Result<Option<$crate::storage::users::UserRow>, $crate::storage::StorageError>
        where
            T: for<'q> sqlx::Encode<'q, $db> + sqlx::Type<$db> + Send + 'static,
        {
            let sql = format!(
                "SELECT {} FROM users WHERE kind = 'member' AND {condition}",
                $crate::storage::users::USER_COLUMNS
            );
            let row = sqlx::query(&sql).bind(value).fetch_optional(pool).await?;
            Ok(row.as_ref().map(decode_user).transpose()?)
        }

        fn decode_user(row: &$row) -> Result<$crate::storage::users::UserRow, sqlx::Error> {
            use sqlx::Row;
            Ok($crate::storage::users::UserRow {
                user_id: row.try_get(0)?,
                email: row.try_get(1)?,
                verified_ms: row.try_get(2)?,
                nickname: row.try_get(3)?,
                password_hash: row.try_get(4)?,
                current_session: row.try_get(5)?,
                created_ms: row.try_get(6)?,
                deleted_ms: row.try_get(7)?,
            })
        }

        #[async_trait::async_trait]
        impl $crate::storage::users::UserStore for $storage {
            async fn create_user(
                &self,
                user: &$crate::storage::users::NewUser<'_>,
            ) -> Result<Result<i64, $crate::storage::users::Taken>, $crate::storage::StorageError>
            {
                use $crate::storage::users::{Taken, unique_key};
                let inserted = sqlx::query_scalar(
                    "INSERT INTO users (kind, email, email_key, verified_ms, nickname, \
                     nickname_key, password_hash, created_ms) \
                     VALUES ('member', $1, $2, $3, $4, $5, $6, $7) RETURNING user_id",
                )
                .bind(user.email.map(str::trim))
                .bind(user.email.map(unique_key))
                .bind(user.verified_ms)
                .bind(user.nickname.trim())
                .bind(unique_key(user.nickname))
                .bind(user.password_hash)
                .bind(user.created_ms)
                .fetch_one(self.writes())
                .await;
                match inserted {
                    Ok(id) => Ok(Ok(id)),
                    Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
                        // Which one: ask rather than parse backend messages.
                        if let Some(email) = user.email
                            && self.user_by_email(email).await?.is_some()
                        {
                            return Ok(Err(Taken::Email));
                        }
                        if self.user_by_nickname(user.nickname).await?.is_some() {
                            return Ok(Err(Taken::Nickname));
                        }
                        Err(sqlx::Error::Database(err).into())
                    }
                    Err(err) => Err(err.into()),
                }
            }

            async fn user(
                &self,
                user_id: i64,
            ) -> Result<Option<$crate::storage::users::UserRow>, $crate::storage::StorageError>
            {
                fetch_user(&self.pool, "user_id = $1", user_id).await
            }

            async fn user_by_email(
                &self,
                email: &str,
            ) -> Result<Option<$crate::storage::users::UserRow>, $crate::storage::StorageError>
            {
                let key = $crate::storage::users::unique_key(email);
                fetch_user(&self.pool, "email_key = $1 AND deleted_ms IS NULL", key).await
            }

            async fn user_by_nickname(
                &self,
                nickname: &str,
            ) -> Result<Option<$crate::storage::users::UserRow>, $crate::storage::StorageError>
            {
                let key = $crate::storage::users::unique_key(nickname);
                fetch_user(&self.pool, "nickname_key = $1 AND deleted_ms IS NULL", key).await
            }

            async fn set_password_hash(
                &self,
                user_id: i64,
                hash: &str,
            ) -> Result<(), $crate::storage::StorageError> {
                sqlx::query("UPDATE users SET password_hash = $2 WHERE user_id = $1")
                    .bind(user_id)
                    .bind(hash)
                    .execute(self.writes())
                    .await?;
                Ok(())
            }

            async fn set_nickname(
                &self,
                user_id: i64,
                nickname: &str,
            ) -> Result<Result<(), $crate::storage::users::Taken>, $crate::storage::StorageError>
            {
                let updated = sqlx::query(
                    "UPDATE users SET nickname = $2, nickname_key = $3 WHERE user_id = $1",
                )
                .bind(user_id)
                .bind(nickname.trim())
                .bind($crate::storage::users::unique_key(nickname))
                .execute(self.writes())
                .await;
                match updated {
                    Ok(_) => Ok(Ok(())),
                    Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
                        Ok(Err($crate::storage::users::Taken::Nickname))
                    }
                    Err(err) => Err(err.into()),
                }
            }

            async fn mark_verified(
                &self,
                user_id: i64,
                now_ms: i64,
            ) -> Result<(), $crate::storage::StorageError> {
                sqlx::query(
                    "UPDATE users SET verified_ms = $2 WHERE user_id = $1 AND verified_ms IS NULL",
                )
                .bind(user_id)
                .bind(now_ms)
                .execute(self.writes())
                .await?;
                Ok(())
            }

            async fn replace_session(
                &self,
                user_id: i64,
                session: Option<&str>,
            ) -> Result<Option<String>, $crate::storage::StorageError> {
                // One statement would need UPDATE ... RETURNING the old
                // value, which neither backend offers; a transaction keeps
                // the read and the write together.
                let mut tx = self.begin_writes().await?;
                let previous: Option<Option<String>> =
                    sqlx::query_scalar("SELECT current_session FROM users WHERE user_id = $1")
                        .bind(user_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                sqlx::query("UPDATE users SET current_session = $2 WHERE user_id = $1")
                    .bind(user_id)
                    .bind(session)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(previous.flatten().filter(|old| Some(old.as_str()) != session))
            }

            async fn add_token(
                &self,
                token_hash: &str,
                user_id: i64,
                purpose: $crate::storage::users::TokenPurpose,
                expires_ms: i64,
            ) -> Result<(), $crate::storage::StorageError> {
                sqlx::query(
                    "INSERT INTO user_tokens (token_hash, user_id, purpose, expires_ms) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(token_hash)
                .bind(user_id)
                .bind(purpose.name())
                .bind(expires_ms)
                .execute(self.writes())
                .await?;
                Ok(())
            }

            async fn token_user(
                &self,
                token_hash: &str,
                purpose: $crate::storage::users::TokenPurpose,
                now_ms: i64,
            ) -> Result<Option<i64>, $crate::storage::StorageError> {
                Ok(sqlx::query_scalar(
                    "SELECT user_id FROM user_tokens \
                     WHERE token_hash = $1 AND purpose = $2 AND used_ms IS NULL AND expires_ms > $3",
                )
                .bind(token_hash)
                .bind(purpose.name())
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn use_token(
                &self,
                token_hash: &str,
                purpose: $crate::storage::users::TokenPurpose,
                now_ms: i64,
            ) -> Result<Option<i64>, $crate::storage::StorageError> {
                Ok(sqlx::query_scalar(
                    "UPDATE user_tokens SET used_ms = $3 \
                     WHERE token_hash = $1 AND purpose = $2 AND used_ms IS NULL AND expires_ms > $3 \
                     RETURNING user_id",
                )
                .bind(token_hash)
                .bind(purpose.name())
                .bind(now_ms)
                .fetch_optional(self.writes())
                .await?)
            }

            async fn retire_tokens(
                &self,
                user_id: i64,
                purpose: $crate::storage::users::TokenPurpose,
                now_ms: i64,
            ) -> Result<(), $crate::storage::StorageError> {
                sqlx::query(
                    "UPDATE user_tokens SET used_ms = $3 \
                     WHERE user_id = $1 AND purpose = $2 AND used_ms IS NULL",
                )
                .bind(user_id)
                .bind(purpose.name())
                .bind(now_ms)
                .execute(self.writes())
                .await?;
                Ok(())
            }

            async fn reset_password(
                &self,
                token_hash: &str,
                password_hash: &str,
                now_ms: i64,
            ) -> Result<Option<(i64, Option<String>)>, $crate::storage::StorageError> {
                let reset = $crate::storage::users::TokenPurpose::ResetPassword.name();
                let mut tx = self.begin_writes().await?;
                let user_id: Option<i64> = sqlx::query_scalar(
                    "UPDATE user_tokens SET used_ms = $3 \
                     WHERE token_hash = $1 AND purpose = $2 AND used_ms IS NULL AND expires_ms > $3 \
                     RETURNING user_id",
                )
                .bind(token_hash)
                .bind(reset)
                .bind(now_ms)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(user_id) = user_id else {
                    return Ok(None);
                };
                let ended: Option<String> =
                    sqlx::query_scalar("SELECT current_session FROM users WHERE user_id = $1")
                        .bind(user_id)
                        .fetch_one(&mut *tx)
                        .await?;
                sqlx::query(
                    "UPDATE users SET password_hash = $2, current_session = NULL, \
                     verified_ms = COALESCE(verified_ms, $3) WHERE user_id = $1",
                )
                .bind(user_id)
                .bind(password_hash)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE user_tokens SET used_ms = $3 \
                     WHERE user_id = $1 AND purpose = $2 AND used_ms IS NULL",
                )
                .bind(user_id)
                .bind(reset)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Some((user_id, ended)))
            }

            async fn user_by_identity(
                &self,
                provider: &str,
                subject: &str,
            ) -> Result<Option<$crate::storage::users::UserRow>, $crate::storage::StorageError>
            {
                let user_id: Option<i64> = sqlx::query_scalar(
                    "SELECT user_id FROM user_identities WHERE provider = $1 AND subject = $2",
                )
                .bind(provider)
                .bind(subject)
                .fetch_optional(&self.pool)
                .await?;
                match user_id {
                    Some(user_id) => {
                        fetch_user(&self.pool, "user_id = $1 AND deleted_ms IS NULL", user_id).await
                    }
                    None => Ok(None),
                }
            }

            async fn add_identity(
                &self,
                provider: &str,
                subject: &str,
                user_id: i64,
                now_ms: i64,
            ) -> Result<bool, $crate::storage::StorageError> {
                let inserted = sqlx::query(
                    "INSERT INTO user_identities (provider, subject, user_id, created_ms) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (provider, subject) DO NOTHING",
                )
                .bind(provider)
                .bind(subject)
                .bind(user_id)
                .bind(now_ms)
                .execute(self.writes())
                .await?;
                Ok(inserted.rows_affected() == 1)
            }

            async fn delete_user(
                &self,
                user_id: i64,
                now_ms: i64,
            ) -> Result<(), $crate::storage::StorageError> {
                let mut tx = self.begin_writes().await?;
                let anonymous = format!("{}{user_id}", app::auth::DELETED_MEMBER_LABEL);
                sqlx::query(
                    "UPDATE users SET email = NULL, email_key = NULL, password_hash = NULL, \
                     nickname = $2, nickname_key = $3, current_session = NULL, deleted_ms = $4 \
                     WHERE user_id = $1",
                )
                .bind(user_id)
                .bind(&anonymous)
                .bind(format!("#deleted{user_id}"))
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM user_tokens WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM user_identities WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(super) use user_store_for;
