//! The engine's whole state as plain data, for snapshots: a start restores
//! the newest image and replays only the journal after it
//! (`gateway::snapshot`). An image lists each book's orders in queue order,
//! so a restored book keeps every order's time priority; the book's node
//! slots are handed out afresh, which nothing outside the book can see.
//! Restoring checks the ledger's invariants, so a damaged image is refused
//! rather than traded on.

use super::{Engine, Listing, OpenOrder};
use crate::exchange::book::{OrderBook, RestingOrder};
use crate::exchange::command::SymbolId;
use crate::exchange::ledger::{Account, Position, Positions};
use crate::exchange::placements::RecentPlacements;
use crate::exchange::rules::{FeeSchedule, Price, PriceBand, Qty, Won};
use crate::exchange::types::{AccountId, OrderId, Side};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineImage {
    seq: u64,
    fees: FeeSchedule,
    fees_journaled: bool,
    deposited: Won,
    commissions: Won,
    taxes: Won,
    granted: Vec<(SymbolId, Qty)>,
    listings: Vec<ListingImage>,
    accounts: Vec<AccountImage>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct ListingImage {
    symbol: SymbolId,
    reference: Price,
    lower: Price,
    upper: Price,
    halted: bool,
    last_trade: Option<Price>,
    /// Bids, then asks, each level from the lowest price up, each level's
    /// queue from its head.
    orders: Vec<OrderImage>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct OrderImage {
    id: OrderId,
    account: AccountId,
    side: Side,
    limit: Price,
    remaining: Qty,
    hold_cash: Won,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct AccountImage {
    id: AccountId,
    cash_available: Won,
    cash_held: Won,
    positions: Vec<(SymbolId, Position)>,
    recent: RecentPlacements,
}

impl Engine {
    /// The state as plain data, every collection in a fixed order, so two
    /// engines in the same state give equal images.
    pub fn image(&self) -> EngineImage {
        let mut granted: Vec<_> = self.granted.iter().map(|(&s, &q)| (s, q)).collect();
        granted.sort_unstable();
        let listings = (self.listings.iter())
            .map(|(&symbol, listing)| ListingImage {
                symbol,
                reference: listing.reference,
                lower: listing.band.lower,
                upper: listing.band.upper,
                halted: listing.halted,
                last_trade: listing.last_trade,
                orders: [Side::Buy, Side::Sell]
                    .into_iter()
                    .flat_map(|side| {
                        let mut prices: Vec<Price> = listing
                            .book
                            .levels(side)
                            .map(|(price, _, _)| price)
                            .collect();
                        prices.sort_unstable();
                        prices
                            .into_iter()
                            .flat_map(move |price| listing.book.queue(side, price))
                    })
                    .map(|resting| OrderImage {
                        id: resting.id,
                        account: resting.account,
                        side: resting.side,
                        limit: resting.price,
                        remaining: resting.remaining,
                        hold_cash: self.orders.get(&resting.id).map_or(0, |o| o.hold_cash),
                    })
                    .collect(),
            })
            .collect();
        let mut accounts: Vec<AccountImage> = (self.accounts.iter())
            .map(|(&id, account)| AccountImage {
                id,
                cash_available: account.cash_available,
                cash_held: account.cash_held,
                positions: account.positions.iter().map(|(s, p)| (s, *p)).collect(),
                recent: account.recent.clone(),
            })
            .collect();
        accounts.sort_unstable_by_key(|account| account.id);
        EngineImage {
            seq: self.seq,
            fees: self.fees,
            fees_journaled: self.fees_journaled,
            deposited: self.deposited,
            commissions: self.commissions,
            taxes: self.taxes,
            granted,
            listings,
            accounts,
        }
    }

    /// The engine an image was taken of; refused when the image does not
    /// add up (a hold that does not match its order, a total that differs
    /// from its parts, an order outside its band).
    pub fn from_image(image: EngineImage) -> Result<Engine, String> {
        let mut engine = Engine {
            fees: image.fees,
            fees_journaled: image.fees_journaled,
            seq: image.seq,
            deposited: image.deposited,
            commissions: image.commissions,
            taxes: image.taxes,
            granted: image.granted.into_iter().collect(),
            ..Engine::default()
        };
        for account in image.accounts {
            if !account.recent.is_consistent() {
                return Err(format!("{:?}: damaged client order ids", account.id));
            }
            let mut positions = Positions::default();
            for (symbol, position) in account.positions {
                *positions.get_or_open(symbol) = position;
            }
            let restored = Account {
                cash_available: account.cash_available,
                cash_held: account.cash_held,
                positions,
                recent: account.recent,
            };
            if engine.accounts.insert(account.id, restored).is_some() {
                return Err(format!("{:?} appears twice", account.id));
            }
        }
        for listing in image.listings {
            let mut book = OrderBook::default();
            for order in listing.orders {
                let slot = book.insert(RestingOrder {
                    id: order.id,
                    account: order.account,
                    side: order.side,
                    price: order.limit,
                    remaining: order.remaining,
                });
                let open = OpenOrder {
                    account: order.account,
                    symbol: listing.symbol,
                    side: order.side,
                    limit: order.limit,
                    remaining: order.remaining,
                    hold_cash: order.hold_cash,
                    slot,
                };
                if engine.orders.insert(order.id, open).is_some() {
                    return Err(format!("{:?} appears twice", order.id));
                }
            }
            let band = PriceBand {
                lower: listing.lower,
                upper: listing.upper,
            };
            let restored = Listing {
                book,
                reference: listing.reference,
                band,
                halted: listing.halted,
                last_trade: listing.last_trade,
            };
            if engine.listings.insert(listing.symbol, restored).is_some() {
                return Err(format!("{:?} appears twice", listing.symbol));
            }
        }
        engine.check_invariants()?;
        Ok(engine)
    }
}

impl EngineImage {
    /// The sequence number of the last command the image holds.
    pub fn seq(&self) -> u64 {
        self.seq
    }
}
