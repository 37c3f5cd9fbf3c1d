//! Commands the engine accepts. Each one is stamped with a global sequence
//! number when executed; the timestamp travels with it (the engine never
//! reads a clock).

use super::rules::{FeeSchedule, Price, Qty, Won};
use super::types::{AccountId, OrderId, Side};
use serde::{Deserialize, Serialize};

/// A listing, by its index in the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SymbolId(pub u32);

/// Chosen by the client; unique per account. Retrying a placement with a
/// known id returns the first result instead of placing twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ClientOrderId(pub u64);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "price")]
pub enum OrderType {
    Limit(Price),
    /// Walks the book up to the edge of the daily band; the rest is cancelled.
    Market,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeInForce {
    /// Good till cancelled: the unfilled rest stays on the book.
    Gtc,
    /// Immediate or cancel: whatever does not fill at once is cancelled.
    Ioc,
    /// Fill or kill: fills completely at once or not at all.
    Fok,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceOrder {
    pub account: AccountId,
    pub client_id: ClientOrderId,
    pub symbol: SymbolId,
    pub side: Side,
    pub order_type: OrderType,
    pub tif: TimeInForce,
    pub qty: Qty,
}

/// Shares of one listing given to an account as it opens, at a cost basis
/// of the opener's choosing (a bot's endowment differs by listing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareGrant {
    pub symbol: SymbolId,
    pub qty: Qty,
    pub cost: Won,
}

/// Not `Copy`: opening an account carries its share grants. Everything
/// else is plain data, moved once into the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    Place(PlaceOrder),
    /// Sets a resting order's price and remaining quantity. Lowering the
    /// quantity at the same price keeps its queue place; anything else
    /// sends it to the back (and it may trade at once).
    Amend {
        account: AccountId,
        order: OrderId,
        price: Price,
        qty: Qty,
    },
    Cancel {
        account: AccountId,
        order: OrderId,
    },
    CancelAll {
        account: AccountId,
    },
    /// Opens an account with `cash` available, exactly as a first deposit
    /// would, `shares_each` shares of every listed symbol at its reference
    /// price, then each of `grants`, all in one step. Idempotent: for an
    /// account that already exists (opened, or funded by a deposit) it
    /// changes nothing and says `Done`, so a retry after a crash, or two
    /// first requests of one user at once, fund it once.
    OpenAccount {
        account: AccountId,
        cash: Won,
        #[serde(default)]
        shares_each: Qty,
        /// Absent from the journal when empty, so a main account's entry
        /// reads as it did before grants existed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        grants: Vec<ShareGrant>,
    },
    /// Adds cash (opening the account on first deposit) or, when negative,
    /// takes available cash out (round settlement, withdrawal).
    Deposit {
        account: AccountId,
        amount: Won,
    },
    /// Credits shares with their cost basis (initial allocation, settlement).
    GrantShares {
        account: AccountId,
        symbol: SymbolId,
        qty: Qty,
        cost: Won,
    },
    /// Lists a symbol, or sets a new reference price by hand; resting
    /// orders outside the new band are cancelled.
    List {
        symbol: SymbolId,
        reference_price: Price,
    },
    /// Starts a new trading day: the last trade price (the close; without
    /// trades, the old reference) becomes the reference, as by `List`.
    /// Ordered with the trades, so no trade falls between the close and
    /// the new band.
    OpenDay {
        symbol: SymbolId,
    },
    Halt {
        symbol: SymbolId,
    },
    Resume {
        symbol: SymbolId,
    },
    /// Sets the commission and tax every later fill pays. Journaled like any
    /// command, so a replay charges each past fill what it was charged then,
    /// whatever the settings say today. Resting buys hold cash for their
    /// commission: each is held again at the new rate, and one whose account
    /// cannot cover a rise is cancelled.
    SetFees {
        fees: FeeSchedule,
    },
}
