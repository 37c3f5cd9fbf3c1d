//! What the engine says back: a [`Reply`] for whoever sent the command and
//! [`Event`]s for everyone else (persister, market data, private streams).
//! Rejections are a typed [`Reject`] code, grouped by the stage that refused.

use super::command::{ClientOrderId, OrderType, SymbolId, TimeInForce};
use super::rules::{FeeSchedule, Price, PriceBand, Qty, Won};
use super::types::{AccountId, OrderId, Side};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Reject {
    // Validation: the command is malformed or names nothing.
    UnknownSymbol,
    SymbolHalted,
    BadQuantity,
    BadPrice,
    OffTick,
    OutsideBand,
    BadAmount,
    // Risk: the account cannot afford it.
    UnknownAccount,
    InsufficientCash,
    InsufficientShares,
    AmountTooLarge,
    // Order state: the order cannot be changed.
    UnknownOrder,
    NotYourOrder,
    NothingToChange,
    /// The client order id is older than the ones remembered for retries,
    /// or a remembered one sent again with different terms.
    DuplicateClientId,
}

impl Reject {
    /// Every reason, each at the index of its `as u8` code.
    pub const ALL: [Reject; 15] = [
        Reject::UnknownSymbol,
        Reject::SymbolHalted,
        Reject::BadQuantity,
        Reject::BadPrice,
        Reject::OffTick,
        Reject::OutsideBand,
        Reject::BadAmount,
        Reject::UnknownAccount,
        Reject::InsufficientCash,
        Reject::InsufficientShares,
        Reject::AmountTooLarge,
        Reject::UnknownOrder,
        Reject::NotYourOrder,
        Reject::NothingToChange,
        Reject::DuplicateClientId,
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// The owner cancelled it (or all their orders).
    Requested,
    /// IOC or market remainder that did not fill at once.
    Unfilled,
    /// FOK that could not fill completely.
    FillOrKill,
    /// It would have traded with the same account's resting order.
    SelfTrade,
    /// A new trading day's band left its price outside the limits.
    OutsideBand,
    /// The commission rose and the account could not hold the difference.
    FeesChanged,
}

impl CancelReason {
    /// The reason's text, as stored and as shown in the API (its JSON).
    pub const fn code(self) -> &'static str {
        match self {
            CancelReason::Requested => "requested",
            CancelReason::Unfilled => "unfilled",
            CancelReason::FillOrKill => "fill_or_kill",
            CancelReason::SelfTrade => "self_trade",
            CancelReason::OutsideBand => "outside_band",
            CancelReason::FeesChanged => "fees_changed",
        }
    }
}

/// The answer to the command's sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Reply {
    Accepted { order: OrderId },
    Done,
    Rejected { reason: Reject },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    OrderAccepted {
        order: OrderId,
        account: AccountId,
        client_id: ClientOrderId,
        symbol: SymbolId,
        side: Side,
        order_type: OrderType,
        tif: TimeInForce,
        qty: Qty,
    },
    OrderRejected {
        account: AccountId,
        client_id: Option<ClientOrderId>,
        reason: Reject,
    },
    Trade {
        symbol: SymbolId,
        price: Price,
        qty: Qty,
        taker_side: Side,
        maker: OrderId,
        taker: OrderId,
        maker_account: AccountId,
        taker_account: AccountId,
        buyer_commission: Won,
        seller_commission: Won,
        seller_tax: Won,
    },
    OrderFilled {
        order: OrderId,
        account: AccountId,
    },
    OrderAmended {
        order: OrderId,
        price: Price,
        remaining: Qty,
        kept_priority: bool,
    },
    OrderCancelled {
        order: OrderId,
        account: AccountId,
        remaining: Qty,
        reason: CancelReason,
    },
    Balance {
        account: AccountId,
        available: Won,
        held: Won,
    },
    Position {
        account: AccountId,
        symbol: SymbolId,
        available: Qty,
        held: Qty,
        cost: Won,
    },
    /// Total quantity now resting at one price (0: the level is gone).
    Level {
        symbol: SymbolId,
        side: Side,
        price: Price,
        qty: Qty,
    },
    Listed {
        symbol: SymbolId,
        reference_price: Price,
        band: BandLimits,
    },
    Halted {
        symbol: SymbolId,
    },
    Resumed {
        symbol: SymbolId,
    },
    Deposited {
        account: AccountId,
        amount: Won,
    },
    SharesGranted {
        account: AccountId,
        symbol: SymbolId,
        qty: Qty,
        cost: Won,
    },
    /// Fills from here on pay these rates.
    FeesSet {
        fees: FeeSchedule,
    },
}

/// A serialisable copy of [`PriceBand`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandLimits {
    pub lower: Price,
    pub upper: Price,
}

impl From<PriceBand> for BandLimits {
    fn from(band: PriceBand) -> Self {
        BandLimits {
            lower: band.lower,
            upper: band.upper,
        }
    }
}
