//! Who owns which trading account. A user (a member, or a guest: a user row
//! of kind `guest` made for one browser session) owns a main account, opened
//! on their first order, and later one account per round joined; the
//! house's bots own theirs with no user. Watchlists belong to the user, not
//! to an account. Like `users`, this SQL is the same on both backends and
//! is expanded for each pool by [`owner_store_for!`].

use super::StorageError;
use super::users::{NewUser, Taken};
use async_trait::async_trait;

/// What an account is for; stored as its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountKind {
    /// The user's lasting account (100,000,000 won to start).
    Main,
    /// The user's account in one round.
    Round,
    /// A bot trader's (the house's).
    Bot,
    /// Opened by a sign-up that did not finish before this kind existed,
    /// and never owned by anyone.
    Orphan,
}

impl AccountKind {
    pub const fn name(self) -> &'static str {
        match self {
            AccountKind::Main => "main",
            AccountKind::Round => "round",
            AccountKind::Bot => "bot",
            AccountKind::Orphan => "orphan",
        }
    }

    pub fn from_name(name: &str) -> AccountKind {
        match name {
            "main" => AccountKind::Main,
            "round" => AccountKind::Round,
            "bot" => AccountKind::Bot,
            _ => AccountKind::Orphan,
        }
    }
}

/// One trading account as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountRow {
    pub account_id: i64,
    /// The owner; `None` for the house's accounts.
    pub user_id: Option<i64>,
    pub kind: AccountKind,
    pub round_id: Option<i64>,
    pub created_ms: i64,
}

/// An account to open.
#[derive(Clone, Copy, Debug)]
pub struct NewAccount {
    pub user_id: Option<i64>,
    pub kind: AccountKind,
    pub round_id: Option<i64>,
    pub created_ms: i64,
}

/// An account [`OwnerStore::open_account`] answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opened {
    pub account_id: i64,
    /// Made by this call (else it existed already).
    pub new: bool,
}

/// What claiming a guest's row for a new member did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The guest is the member now, with every account and star it had.
    Claimed,
    /// The row is no guest (any more): nothing was changed.
    NotAGuest,
    /// Another member holds the e-mail address or nickname.
    Taken(Taken),
}

#[async_trait]
pub trait OwnerStore: Send + Sync {
    /// The guest user made for `guest_key` (a browser session's), made now
    /// if there is none: requests racing with one key get one guest.
    async fn guest_for_key(&self, guest_key: &str, now_ms: i64) -> Result<i64, StorageError>;

    /// Whether `user_id` is a guest (not claimed by a sign-up).
    async fn is_guest(&self, user_id: i64) -> Result<bool, StorageError>;

    /// Turns a guest's row into a member's, in place, so their accounts
    /// and watchlist come along unchanged.
    async fn claim_guest(&self, user_id: i64, member: &NewUser<'_>) -> Result<Claim, StorageError>;

    /// Opens an account, or answers the existing one where the kind allows
    /// only one (a user's main account, a user's account in a round).
    async fn open_account(&self, account: &NewAccount) -> Result<Opened, StorageError>;

    async fn account(&self, account_id: i64) -> Result<Option<AccountRow>, StorageError>;

    /// The user's accounts, oldest first.
    async fn accounts_of_user(&self, user_id: i64) -> Result<Vec<AccountRow>, StorageError>;

    /// Every account of `kind`, oldest first (the bots find theirs).
    async fn accounts_of_kind(&self, kind: AccountKind) -> Result<Vec<i64>, StorageError>;

    /// The symbols on a user's watchlist, by symbol id.
    async fn watchlist(&self, user_id: i64) -> Result<Vec<i64>, StorageError>;

    /// Puts a symbol on a user's watchlist or takes it off (idempotent).
    async fn set_watched(
        &self,
        user_id: i64,
        symbol_id: i64,
        watched: bool,
        now_ms: i64,
    ) -> Result<(), StorageError>;
}

pub(crate) const ACCOUNT_COLUMNS: &str = "account_id, user_id, kind, round_id, created_ms";

/// Implements [`OwnerStore`] for a backend `$storage` (with a `pool` field)
/// of database `$db` whose rows are `$row`.
macro_rules! owner_store_for {
    ($storage:ty, $db:ty, $row:ty) => {
        fn decode_account(row: &$row) -> Result<$crate::storage::owners::AccountRow, sqlx::Error> {
            use sqlx::Row;
            Ok($crate::storage::owners::AccountRow {
                account_id: row.try_get(0)?,
                user_id: row.try_get(1)?,
                kind: $crate::storage::owners::AccountKind::from_name(row.try_get::<&str, _>(2)?),
                round_id: row.try_get(3)?,
                created_ms: row.try_get(4)?,
            })
        }

        #[async_trait::async_trait]
        impl $crate::storage::owners::OwnerStore for $storage {
            async fn guest_for_key(
                &self,
                guest_key: &str,
                now_ms: i64,
            ) -> Result<i64, $crate::storage::StorageError> {
                sqlx::query(
                    "INSERT INTO users (kind, guest_key, created_ms) VALUES ('guest', $1, $2) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(guest_key)
                .bind(now_ms)
                .execute(self.writes())
                .await?;
                Ok(
                    sqlx::query_scalar("SELECT user_id FROM users WHERE guest_key = $1")
                        .bind(guest_key)
                        .fetch_one(&self.pool)
                        .await?,
                )
            }

            async fn is_guest(&self, user_id: i64) -> Result<bool, $crate::storage::StorageError> {
                let kind: Option<String> =
                    sqlx::query_scalar("SELECT kind FROM users WHERE user_id = $1")
                        .bind(user_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(kind.as_deref() == Some("guest"))
            }

            async fn claim_guest(
                &self,
                user_id: i64,
                member: &$crate::storage::users::NewUser<'_>,
            ) -> Result<$crate::storage::owners::Claim, $crate::storage::StorageError> {
                use $crate::storage::owners::Claim;
                use $crate::storage::users::{Taken, UserStore, unique_key};
                let updated = sqlx::query(
                    "UPDATE users SET kind = 'member', guest_key = NULL, email = $2, \
                     email_key = $3, verified_ms = $4, nickname = $5, nickname_key = $6, \
                     password_hash = $7, created_ms = $8 \
                     WHERE user_id = $1 AND kind = 'guest'",
                )
                .bind(user_id)
                .bind(member.email.map(str::trim))
                .bind(member.email.map(unique_key))
                .bind(member.verified_ms)
                .bind(member.nickname.trim())
                .bind(unique_key(member.nickname))
                .bind(member.password_hash)
                .bind(member.created_ms)
                .execute(self.writes())
                .await;
                match updated {
                    Ok(done) if done.rows_affected() == 1 => Ok(Claim::Claimed),
                    Ok(_) => Ok(Claim::NotAGuest),
                    Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
                        if let Some(email) = member.email
                            && self.user_by_email(email).await?.is_some()
                        {
                            return Ok(Claim::Taken(Taken::Email));
                        }
                        Ok(Claim::Taken(Taken::Nickname))
                    }
                    Err(err) => Err(err.into()),
                }
            }

            async fn open_account(
                &self,
                account: &$crate::storage::owners::NewAccount,
            ) -> Result<$crate::storage::owners::Opened, $crate::storage::StorageError> {
                use $crate::storage::owners::Opened;
                let opened: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO accounts (user_id, kind, round_id, created_ms) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING account_id",
                )
                .bind(account.user_id)
                .bind(account.kind.name())
                .bind(account.round_id)
                .bind(account.created_ms)
                .fetch_optional(self.writes())
                .await?;
                if let Some(account_id) = opened {
                    return Ok(Opened {
                        account_id,
                        new: true,
                    });
                }
                // The one account of this kind the user may have exists.
                let account_id = sqlx::query_scalar(
                    "SELECT account_id FROM accounts WHERE user_id = $1 AND kind = $2 \
                     AND round_id IS NOT DISTINCT FROM $3",
                )
                .bind(account.user_id)
                .bind(account.kind.name())
                .bind(account.round_id)
                .fetch_one(self.writes())
                .await?;
                Ok(Opened {
                    account_id,
                    new: false,
                })
            }

            async fn account(
                &self,
                account_id: i64,
            ) -> Result<Option<$crate::storage::owners::AccountRow>, $crate::storage::StorageError>
            {
                let sql = format!(
                    "SELECT {} FROM accounts WHERE account_id = $1",
                    $crate::storage::owners::ACCOUNT_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(account_id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.as_ref().map(decode_account).transpose()?)
            }

            async fn accounts_of_user(
                &self,
                user_id: i64,
            ) -> Result<Vec<$crate::storage::owners::AccountRow>, $crate::storage::StorageError>
            {
                let sql = format!(
                    "SELECT {} FROM accounts WHERE user_id = $1 ORDER BY account_id",
                    $crate::storage::owners::ACCOUNT_COLUMNS
                );
                let rows = sqlx::query(&sql)
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.iter().map(decode_account).collect::<Result<_, _>>()?)
            }

            async fn accounts_of_kind(
                &self,
                kind: $crate::storage::owners::AccountKind,
            ) -> Result<Vec<i64>, $crate::storage::StorageError> {
                Ok(sqlx::query_scalar(
                    "SELECT account_id FROM accounts WHERE kind = $1 ORDER BY account_id",
                )
                .bind(kind.name())
                .fetch_all(&self.pool)
                .await?)
            }

            async fn watchlist(
                &self,
                user_id: i64,
            ) -> Result<Vec<i64>, $crate::storage::StorageError> {
                Ok(sqlx::query_scalar(
                    "SELECT symbol_id FROM watchlist WHERE user_id = $1 ORDER BY symbol_id",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn set_watched(
                &self,
                user_id: i64,
                symbol_id: i64,
                watched: bool,
                now_ms: i64,
            ) -> Result<(), $crate::storage::StorageError> {
                if watched {
                    sqlx::query(
                        "INSERT INTO watchlist (user_id, symbol_id, added_ms) VALUES ($1, $2, $3) \
                         ON CONFLICT (user_id, symbol_id) DO NOTHING",
                    )
                    .bind(user_id)
                    .bind(symbol_id)
                    .bind(now_ms)
                    .execute(self.writes())
                    .await?;
                } else {
                    sqlx::query("DELETE FROM watchlist WHERE user_id = $1 AND symbol_id = $2")
                        .bind(user_id)
                        .bind(symbol_id)
                        .execute(self.writes())
                        .await?;
                }
                Ok(())
            }
        }
    };
}

pub(super) use owner_store_for;
