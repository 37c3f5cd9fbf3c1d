//! Order entry and the trading reads, for whichever of a user's accounts a
//! call names ([`AccountRef`]: the main account unless another is named).
//! Every call states the user it acts for, and the account is checked to be
//! theirs before anything is read or submitted; an account of someone else
//! gets the same answer as one that does not exist. A user's main account
//! opens (funded) on their first order, never on a read: until then reads
//! answer as for an account with nothing in it. The JSON routes, the UI's
//! server functions and (through the gateway) everything else share this.

mod equity;
mod error;
pub mod feed;
mod orders;
mod portfolio;
pub mod views;

pub use error::TradingError;

use crate::clock::Clock;
use crate::exchange::{AccountId, Command, FeeSchedule, Reply};
use crate::gateway::{OrderGateway, Submitted};
use crate::market::MarketData;
use crate::storage::{AccountKind, AccountRow, NewAccount, Storage};
use std::sync::Arc;

/// Which of its owner's accounts a call acts on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AccountRef {
    /// The owner's main account (opened on their first order).
    #[default]
    Main,
    /// An account by id; refused unless the caller owns it.
    Id(u64),
}

impl From<Option<u64>> for AccountRef {
    fn from(id: Option<u64>) -> Self {
        id.map_or(AccountRef::Main, AccountRef::Id)
    }
}

/// What a new main account starts with, and what the engine charges.
#[derive(Clone, Copy, Debug)]
pub struct TradingSettings {
    /// Cash a new main account starts with.
    pub starting_cash: i64,
    /// Shares of every listing a new main account starts with, at the
    /// listing's reference price (practice and load tests; 0 by default).
    pub starting_shares: i64,
    /// The rates the engine charges, shown to the order ticket.
    pub fees: FeeSchedule,
}

#[derive(Clone)]
pub struct Trading {
    pub gateway: Arc<dyn OrderGateway>,
    pub storage: Arc<dyn Storage>,
    pub market: Arc<MarketData>,
    pub clock: Arc<dyn Clock>,
    pub settings: TradingSettings,
    owners: Owners,
}

/// Which user owns which account, remembered: an account never changes
/// owner and a main account, once open, stays the user's, so the order
/// path need not ask the database each time. Bounded like the session
/// cache, least recently used first out.
#[derive(Clone)]
struct Owners {
    /// Account id to its owner.
    of_account: moka::sync::Cache<i64, i64>,
    /// Account ids that have no owner (the house's) or do not exist (yet),
    /// remembered a little while: probing ids costs no database read each.
    unowned: moka::sync::Cache<i64, ()>,
    /// User id to their main account, once this process saw it funded.
    main_of: moka::sync::Cache<i64, AccountId>,
}

const OWNERS_REMEMBERED: u64 = 100_000;
/// How long an id without an owner is remembered as such: an account
/// opened meanwhile is found after at most this long.
const UNOWNED_FOR: std::time::Duration = std::time::Duration::from_secs(10);

impl Trading {
    pub fn new(
        gateway: Arc<dyn OrderGateway>,
        storage: Arc<dyn Storage>,
        market: Arc<MarketData>,
        clock: Arc<dyn Clock>,
        settings: TradingSettings,
    ) -> Trading {
        Trading {
            gateway,
            storage,
            market,
            clock,
            settings,
            owners: Owners {
                of_account: moka::sync::Cache::new(OWNERS_REMEMBERED),
                unowned: moka::sync::Cache::builder()
                    .max_capacity(OWNERS_REMEMBERED)
                    .time_to_live(UNOWNED_FOR)
                    .build(),
                main_of: moka::sync::Cache::new(OWNERS_REMEMBERED),
            },
        }
    }

    /// The account `user` acts on, if it is open: `None` for a main
    /// account not opened yet. `AccountNotFound` for an account that is
    /// not the user's.
    pub async fn account_of(
        &self,
        user: i64,
        which: AccountRef,
    ) -> Result<Option<AccountId>, TradingError> {
        match which {
            AccountRef::Main => self.main_account(user).await,
            AccountRef::Id(id) => {
                let id_i64 = i64::try_from(id).map_err(|_| TradingError::AccountNotFound)?;
                match self.owner_of(id_i64).await? {
                    Some(owner) if owner == user => Ok(Some(AccountId(id))),
                    _ => Err(TradingError::AccountNotFound),
                }
            }
        }
    }

    /// An account just opened for `user`: an id probed before it existed
    /// is someone's now.
    fn remember_owner(&self, account: i64, user: i64) {
        self.owners.of_account.insert(account, user);
        self.owners.unowned.invalidate(&account);
    }

    async fn owner_of(&self, account: i64) -> Result<Option<i64>, TradingError> {
        if let Some(owner) = self.owners.of_account.get(&account) {
            return Ok(Some(owner));
        }
        if self.owners.unowned.contains_key(&account) {
            return Ok(None);
        }
        let owner = (self.storage.account(account).await?).and_then(|a| a.user_id);
        match owner {
            Some(owner) => self.owners.of_account.insert(account, owner),
            None => self.owners.unowned.insert(account, ()),
        }
        Ok(owner)
    }

    async fn main_account(&self, user: i64) -> Result<Option<AccountId>, TradingError> {
        if let Some(account) = self.owners.main_of.get(&user) {
            return Ok(Some(account));
        }
        let main = (self.storage.accounts_of_user(user).await?)
            .into_iter()
            .find(|account| account.kind == AccountKind::Main)
            .map(|account| AccountId(account.account_id as u64));
        Ok(main)
    }

    /// The account `user` acts on, opening their main account (funded) if
    /// this is its first use.
    pub async fn account_or_open(
        &self,
        user: i64,
        which: AccountRef,
    ) -> Result<AccountId, TradingError> {
        if which != AccountRef::Main {
            return (self.account_of(user, which).await?).ok_or(TradingError::AccountNotFound);
        }
        // Remembered only once this process has seen it funded.
        if let Some(account) = self.owners.main_of.get(&user) {
            return Ok(account);
        }
        let opened = self
            .storage
            .open_account(&NewAccount {
                user_id: Some(user),
                kind: AccountKind::Main,
                round_id: None,
                created_ms: self.clock.now_ms(),
            })
            .await?;
        let account = AccountId(opened.account_id as u64);
        // Opening is one idempotent engine command: a row stored by a run
        // that stopped before funding it, or by a request racing this one,
        // is funded (cash and shares) exactly once, and wholly.
        self.submit(Command::OpenAccount {
            account,
            cash: self.settings.starting_cash,
            shares_each: self.settings.starting_shares,
            grants: Vec::new(),
        })
        .await?;
        self.owners.main_of.insert(user, account);
        self.remember_owner(opened.account_id, user);
        Ok(account)
    }

    /// Whether the account a call names is known to be open and funded:
    /// any account named by id (it exists or the call is refused), the
    /// main account once this process has seen it funded.
    fn is_open(&self, user: i64, which: AccountRef) -> bool {
        match which {
            AccountRef::Main => self.owners.main_of.contains_key(&user),
            AccountRef::Id(_) => true,
        }
    }

    /// Opens `user`'s account in round `round_id`, funded with `cash`; the
    /// same account again if it is open already.
    pub async fn open_round_account(
        &self,
        user: i64,
        round_id: i64,
        cash: i64,
    ) -> Result<AccountId, TradingError> {
        let opened = self
            .storage
            .open_account(&NewAccount {
                user_id: Some(user),
                kind: AccountKind::Round,
                round_id: Some(round_id),
                created_ms: self.clock.now_ms(),
            })
            .await?;
        let account = AccountId(opened.account_id as u64);
        self.submit(Command::OpenAccount {
            account,
            cash,
            shares_each: 0,
            grants: Vec::new(),
        })
        .await?;
        self.remember_owner(opened.account_id, user);
        Ok(account)
    }

    /// Every account of `user`, oldest first.
    pub async fn accounts(&self, user: i64) -> Result<Vec<AccountRow>, TradingError> {
        Ok(self.storage.accounts_of_user(user).await?)
    }

    async fn submit(&self, command: Command) -> Result<Submitted, TradingError> {
        let submitted = self.gateway.submit(command).await?;
        match submitted.executed.reply {
            Reply::Rejected { reason } => Err(TradingError::Rejected(reason)),
            Reply::Accepted { .. } | Reply::Done => Ok(submitted),
        }
    }

    /// The user's watchlist, as symbol codes in listing order.
    pub async fn watchlist(&self, user: i64) -> Result<Vec<String>, TradingError> {
        let listings = self.market.listings();
        let ids = self.storage.watchlist(user).await?;
        Ok(ids.into_iter().map(|id| listings.code_of(id)).collect())
    }

    /// Stars (`watched`) or unstars a symbol; answers the new watchlist.
    pub async fn set_watched(
        &self,
        user: i64,
        code: &str,
        watched: bool,
    ) -> Result<Vec<String>, TradingError> {
        let listing = (self.market.listings().by_code(code))
            .ok_or_else(|| TradingError::unknown_symbol(code))?;
        let symbol_id = i64::from(listing.symbol.0);
        (self.storage)
            .set_watched(user, symbol_id, watched, self.clock.now_ms())
            .await?;
        self.watchlist(user).await
    }
}
