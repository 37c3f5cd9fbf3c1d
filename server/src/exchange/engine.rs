//! The single writer: owns every order book and every balance, executes one
//! command at a time and reports what happened as events. Deterministic: no
//! I/O, no clock, no iteration over hash order, so the same commands always
//! produce the same events. Every check happens before anything changes, so
//! a rejected command leaves no trace but its rejection.

use super::book::{Fill, OrderBook, Slot, Taker};
use super::command::{Command, OrderType, PlaceOrder, SymbolId, TimeInForce};
use super::event::{CancelReason, Event, Reject, Reply};
use super::ledger::{Account, Position};
use super::placements::Seen;
use super::rules::{FeeSchedule, Price, PriceBand, Qty, Won, is_on_tick};
use super::types::{AccountId, OrderId, Side};
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

/// Largest quantity one order may carry.
pub const MAX_ORDER_QTY: Qty = 1_000_000_000;

struct Listing {
    book: OrderBook,
    reference: Price,
    band: PriceBand,
    halted: bool,
    /// The last trade since the reference was set: the day's close so far.
    last_trade: Option<Price>,
}

/// An order that is on the book (between commands every open order is).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OpenOrder {
    pub account: AccountId,
    pub symbol: SymbolId,
    pub side: Side,
    /// The limit price; for a market order, the edge of the band.
    pub limit: Price,
    pub remaining: Qty,
    /// Cash held for a buy: exactly what the remaining quantity may cost.
    pub hold_cash: Won,
    /// Where it rests in its book ([`Slot::NONE`] while it matches).
    pub slot: Slot,
}

/// The command's sequence number and the answer to its sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Executed {
    pub seq: u64,
    pub reply: Reply,
}

#[derive(Default)]
pub struct Engine {
    fees: FeeSchedule,
    seq: u64,
    listings: BTreeMap<SymbolId, Listing>,
    accounts: HashMap<AccountId, Account>,
    orders: HashMap<OrderId, OpenOrder>,
    /// Reused between commands so matching does not allocate.
    fills: Vec<Fill>,
    deposited: Won,
    commissions: Won,
    taxes: Won,
    granted: HashMap<SymbolId, Qty>,
}

impl Engine {
    pub fn new(fees: FeeSchedule) -> Engine {
        Engine {
            fees,
            ..Engine::default()
        }
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn account(&self, id: AccountId) -> Option<&Account> {
        self.accounts.get(&id)
    }

    pub fn open_order(&self, id: OrderId) -> Option<&OpenOrder> {
        self.orders.get(&id)
    }

    pub fn book(&self, symbol: SymbolId) -> Option<&OrderBook> {
        self.listings.get(&symbol).map(|l| &l.book)
    }

    pub fn band(&self, symbol: SymbolId) -> Option<PriceBand> {
        self.listings.get(&symbol).map(|l| l.band)
    }

    /// Executes one command, appending what happened to `out`.
    pub fn execute(&mut self, command: Command, out: &mut Vec<Event>) -> Executed {
        self.seq += 1;
        let seq = self.seq;
        let result = match command {
            Command::Place(place) => {
                return Executed {
                    seq,
                    reply: self.place(place, OrderId(seq), out),
                };
            }
            Command::Amend {
                account,
                order,
                price,
                qty,
            } => self.amend(account, order, price, qty, out),
            Command::Cancel { account, order } => self.cancel(account, order, out),
            Command::CancelAll { account } => self.cancel_all(account, out),
            Command::Deposit { account, amount } => self.deposit(account, amount, out),
            Command::OpenAccount { account, cash } => {
                if cash <= 0 {
                    Err(Reject::BadAmount)
                } else if self.accounts.contains_key(&account) {
                    Ok(())
                } else {
                    self.deposit(account, cash, out)
                }
            }
            Command::GrantShares {
                account,
                symbol,
                qty,
                cost,
            } => self.grant(account, symbol, qty, cost, out),
            Command::List {
                symbol,
                reference_price,
            } => self.list(symbol, reference_price, out),
            Command::OpenDay { symbol } => self.open_day(symbol, out),
            Command::Halt { symbol } => self.set_halted(symbol, true, out),
            Command::Resume { symbol } => self.set_halted(symbol, false, out),
        };
        let reply = match result {
            Ok(()) => Reply::Done,
            Err(reason) => Reply::Rejected { reason },
        };
        Executed { seq, reply }
    }

    fn place(&mut self, place: PlaceOrder, id: OrderId, out: &mut Vec<Event>) -> Reply {
        // An unknown account has nothing to remember: `try_place` refuses it.
        let seen = self
            .accounts
            .get(&place.account)
            .map_or(Seen::New, |account| account.recent.seen(place.client_id));
        let outcome = match seen {
            Seen::Before(first) => return first,
            Seen::Forgotten => Err(Reject::DuplicateClientId),
            Seen::New => self.try_place(place, id, out),
        };
        let reply = match outcome {
            Ok(()) => Reply::Accepted { order: id },
            Err(reason) => {
                out.push(Event::OrderRejected {
                    account: place.account,
                    client_id: Some(place.client_id),
                    reason,
                });
                Reply::Rejected { reason }
            }
        };
        // The record is in cache again: the placement just used it.
        if let Some(account) = self.accounts.get_mut(&place.account) {
            account.recent.remember(place.client_id, reply);
        }
        reply
    }

    fn try_place(
        &mut self,
        place: PlaceOrder,
        id: OrderId,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let PlaceOrder {
            account,
            client_id,
            symbol,
            side,
            order_type,
            tif,
            qty,
        } = place;
        let listing = self.listings.get(&symbol).ok_or(Reject::UnknownSymbol)?;
        if listing.halted {
            return Err(Reject::SymbolHalted);
        }
        check_qty(qty)?;
        let limit = match (order_type, side) {
            (OrderType::Limit(price), _) => check_price(price, listing.band).map(|()| price)?,
            (OrderType::Market, Side::Buy) => listing.band.upper,
            (OrderType::Market, Side::Sell) => listing.band.lower,
        };
        let balance = self.accounts.get(&account).ok_or(Reject::UnknownAccount)?;
        let hold_cash = match side {
            Side::Buy => {
                let hold = self
                    .fees
                    .buy_hold(limit, qty)
                    .ok_or(Reject::AmountTooLarge)?;
                if hold > balance.cash_available {
                    return Err(Reject::InsufficientCash);
                }
                hold
            }
            Side::Sell if balance.position(symbol).available < qty => {
                return Err(Reject::InsufficientShares);
            }
            Side::Sell => 0,
        };
        let taker = Taker {
            account,
            side,
            limit,
            qty,
        };
        let fillable_now = tif != TimeInForce::Fok || listing.book.fillable(&taker) >= qty;

        // Accepted: from here on, state changes.
        out.push(Event::OrderAccepted {
            order: id,
            account,
            client_id,
            symbol,
            side,
            order_type,
            tif,
            qty,
        });
        self.orders.insert(
            id,
            OpenOrder {
                account,
                symbol,
                side,
                limit,
                remaining: qty,
                hold_cash,
                slot: Slot::NONE,
            },
        );
        self.hold(account, symbol, side, hold_cash, qty, out);
        if !fillable_now {
            self.close(id, CancelReason::FillOrKill, out);
            return Ok(());
        }
        let rests = tif == TimeInForce::Gtc && matches!(order_type, OrderType::Limit(_));
        self.take(id, symbol, taker, rests, out);
        Ok(())
    }

    /// Holds cash (buy) or shares (sell) for an order; negative releases.
    fn hold(
        &mut self,
        account: AccountId,
        symbol: SymbolId,
        side: Side,
        cash: Won,
        qty: Qty,
        out: &mut Vec<Event>,
    ) {
        let Some(balance) = self.accounts.get_mut(&account) else {
            return;
        };
        match side {
            Side::Buy => {
                balance.hold_cash(cash);
                out.push(balance_event(account, balance));
            }
            Side::Sell => {
                balance.hold_shares(symbol, qty);
                out.push(position_event(account, symbol, balance.position(symbol)));
            }
        }
    }

    /// Matches an accepted order whose hold is in place, settles each fill,
    /// then rests what is left (`rests`) or cancels it.
    fn take(
        &mut self,
        id: OrderId,
        symbol: SymbolId,
        taker: Taker,
        rests: bool,
        out: &mut Vec<Event>,
    ) {
        let Some(listing) = self.listings.get_mut(&symbol) else {
            return;
        };
        let mut fills = std::mem::take(&mut self.fills);
        fills.clear();
        let outcome = listing.book.match_taker(&taker, |fill| fills.push(fill));
        if let Some(fill) = fills.last() {
            listing.last_trade = Some(fill.price);
        }
        for fill in &fills {
            self.settle(symbol, id, taker.side, fill, out);
        }
        let maker_side = taker.side.opposite();
        let mut last_price = None;
        for fill in &fills {
            if last_price != Some(fill.price) {
                last_price = Some(fill.price);
                out.push(self.level_event(symbol, maker_side, fill.price));
            }
        }
        self.fills = fills;

        let remaining = taker.qty - outcome.filled;
        if remaining == 0 {
            self.orders.remove(&id);
            out.push(Event::OrderFilled {
                order: id,
                account: taker.account,
            });
        } else if outcome.self_trade {
            self.close(id, CancelReason::SelfTrade, out);
        } else if !rests {
            self.close(id, CancelReason::Unfilled, out);
        } else if let Some(listing) = self.listings.get_mut(&symbol) {
            let slot = listing.book.insert(taker.resting(id, remaining));
            if let Some(order) = self.orders.get_mut(&id) {
                order.slot = slot;
            }
            out.push(self.level_event(symbol, taker.side, taker.limit));
        }
    }

    /// Moves money and shares for one fill between buyer and seller, and
    /// charges commission on both sides and tax on the seller.
    fn settle(
        &mut self,
        symbol: SymbolId,
        taker: OrderId,
        taker_side: Side,
        fill: &Fill,
        out: &mut Vec<Event>,
    ) {
        let (buy_id, sell_id) = match taker_side {
            Side::Buy => (taker, fill.maker),
            Side::Sell => (fill.maker, taker),
        };
        // Each order and each account is looked up once (this is the
        // engine's hottest path, docs/PERFORMANCE.md), and all four before
        // anything changes. The taker is never on the book while it
        // matches, and self-trade prevention stops before an account meets
        // itself, so both pairs always hold two different keys.
        let Some((buy, sell)) = distinct_pair_mut(&mut self.orders, buy_id, sell_id) else {
            debug_assert!(false, "both sides of a fill are two open orders");
            return;
        };
        let (buyer_id, seller_id) = (buy.account, sell.account);
        let Some((buyer, seller)) = distinct_pair_mut(&mut self.accounts, buyer_id, seller_id)
        else {
            debug_assert!(false, "a fill is between two known accounts");
            return;
        };
        let amount = fill.price * fill.qty;
        let buyer_commission = self.fees.commission(amount);
        let seller_commission = self.fees.commission(amount);
        let seller_tax = self.fees.sell_tax(amount);

        // The buyer pays from the hold; whatever the rest of the order can no
        // longer need (a better price than the limit) goes back at once.
        let remaining = buy.remaining - fill.qty;
        let still_needed = self.fees.buy_hold(buy.limit, remaining).unwrap_or(0);
        let refund = buy.hold_cash - amount - buyer_commission - still_needed;
        buy.remaining = remaining;
        buy.hold_cash = still_needed;
        sell.remaining -= fill.qty;
        buyer.cash_held -= amount + buyer_commission + refund;
        buyer.cash_available += refund;
        let bought = buyer.position_mut(symbol);
        bought.available += fill.qty;
        bought.cost += amount;
        let bought = *bought;
        let sold = seller.position_mut(symbol);
        let basis = sold.cost_of(fill.qty);
        sold.held -= fill.qty;
        sold.cost -= basis;
        let sold = *sold;
        seller.cash_available += amount - seller_commission - seller_tax;
        self.commissions += buyer_commission + seller_commission;
        self.taxes += seller_tax;

        out.push(Event::Trade {
            symbol,
            price: fill.price,
            qty: fill.qty,
            taker_side,
            maker: fill.maker,
            taker,
            maker_account: fill.maker_account,
            taker_account: if taker_side == Side::Buy {
                buyer_id
            } else {
                seller_id
            },
            buyer_commission,
            seller_commission,
            seller_tax,
        });
        out.push(balance_event(buyer_id, buyer));
        out.push(position_event(buyer_id, symbol, bought));
        out.push(balance_event(seller_id, seller));
        out.push(position_event(seller_id, symbol, sold));
        if fill.maker_done {
            self.orders.remove(&fill.maker);
            out.push(Event::OrderFilled {
                order: fill.maker,
                account: fill.maker_account,
            });
        }
    }

    /// Removes an open order (from the book too, if it rests) and releases
    /// its hold.
    fn close(&mut self, id: OrderId, reason: CancelReason, out: &mut Vec<Event>) {
        let Some(order) = self.orders.remove(&id) else {
            return;
        };
        let rested = self
            .listings
            .get_mut(&order.symbol)
            .and_then(|l| l.book.remove(order.slot, id))
            .is_some();
        if rested {
            out.push(self.level_event(order.symbol, order.side, order.limit));
        }
        self.hold(
            order.account,
            order.symbol,
            order.side,
            -order.hold_cash,
            -order.remaining,
            out,
        );
        out.push(Event::OrderCancelled {
            order: id,
            account: order.account,
            remaining: order.remaining,
            reason,
        });
    }

    fn owned_order(&self, account: AccountId, id: OrderId) -> Result<OpenOrder, Reject> {
        let order = *self.orders.get(&id).ok_or(Reject::UnknownOrder)?;
        if order.account != account {
            return Err(Reject::NotYourOrder);
        }
        Ok(order)
    }

    fn cancel(
        &mut self,
        account: AccountId,
        id: OrderId,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        self.owned_order(account, id)?;
        self.close(id, CancelReason::Requested, out);
        Ok(())
    }

    fn cancel_all(&mut self, account: AccountId, out: &mut Vec<Event>) -> Result<(), Reject> {
        if !self.accounts.contains_key(&account) {
            return Err(Reject::UnknownAccount);
        }
        let mut ids: Vec<OrderId> = self
            .orders
            .iter()
            .filter(|(_, o)| o.account == account)
            .map(|(&id, _)| id)
            .collect();
        ids.sort_unstable();
        for id in ids {
            self.close(id, CancelReason::Requested, out);
        }
        Ok(())
    }

    fn amend(
        &mut self,
        account: AccountId,
        id: OrderId,
        price: Price,
        qty: Qty,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let order = self.owned_order(account, id)?;
        let listing = self
            .listings
            .get(&order.symbol)
            .ok_or(Reject::UnknownSymbol)?;
        if listing.halted {
            return Err(Reject::SymbolHalted);
        }
        check_qty(qty)?;
        check_price(price, listing.band)?;
        if price == order.limit && qty == order.remaining {
            return Err(Reject::NothingToChange);
        }
        let balance = self.accounts.get(&account).ok_or(Reject::UnknownAccount)?;
        let hold_cash = match order.side {
            Side::Buy => self
                .fees
                .buy_hold(price, qty)
                .ok_or(Reject::AmountTooLarge)?,
            Side::Sell => 0,
        };
        let extra_cash = hold_cash - order.hold_cash;
        let extra_shares = qty - order.remaining;
        match order.side {
            Side::Buy if extra_cash > balance.cash_available => {
                return Err(Reject::InsufficientCash);
            }
            Side::Sell if extra_shares > balance.position(order.symbol).available => {
                return Err(Reject::InsufficientShares);
            }
            _ => {}
        }

        let keeps_priority = price == order.limit && qty < order.remaining;
        if let Some(open) = self.orders.get_mut(&id) {
            open.limit = price;
            open.remaining = qty;
            open.hold_cash = hold_cash;
            if !keeps_priority {
                // It leaves the book below and matches again as a taker.
                open.slot = Slot::NONE;
            }
        }
        self.hold(
            account,
            order.symbol,
            order.side,
            extra_cash,
            extra_shares,
            out,
        );
        out.push(Event::OrderAmended {
            order: id,
            price,
            remaining: qty,
            kept_priority: keeps_priority,
        });
        let Some(listing) = self.listings.get_mut(&order.symbol) else {
            return Ok(());
        };
        if keeps_priority {
            listing.book.reduce(order.slot, id, qty);
            out.push(self.level_event(order.symbol, order.side, price));
        } else {
            listing.book.remove(order.slot, id);
            out.push(self.level_event(order.symbol, order.side, order.limit));
            let taker = Taker {
                account,
                side: order.side,
                limit: price,
                qty,
            };
            self.take(id, order.symbol, taker, true, out);
        }
        Ok(())
    }

    fn deposit(
        &mut self,
        account: AccountId,
        amount: Won,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        if amount == 0 {
            return Err(Reject::BadAmount);
        }
        if amount < 0 {
            let balance = self.accounts.get(&account).ok_or(Reject::UnknownAccount)?;
            if balance.cash_available < -amount {
                return Err(Reject::InsufficientCash);
            }
        }
        let balance = self.accounts.entry(account).or_default();
        balance.cash_available = balance
            .cash_available
            .checked_add(amount)
            .ok_or(Reject::AmountTooLarge)?;
        self.deposited += amount;
        out.push(Event::Deposited { account, amount });
        out.push(balance_event(account, balance));
        Ok(())
    }

    fn grant(
        &mut self,
        account: AccountId,
        symbol: SymbolId,
        qty: Qty,
        cost: Won,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        if !self.listings.contains_key(&symbol) {
            return Err(Reject::UnknownSymbol);
        }
        check_qty(qty)?;
        if cost < 0 {
            return Err(Reject::BadAmount);
        }
        let balance = self
            .accounts
            .get_mut(&account)
            .ok_or(Reject::UnknownAccount)?;
        let position = balance.position_mut(symbol);
        position.available += qty;
        position.cost += cost;
        *self.granted.entry(symbol).or_default() += qty;
        out.push(Event::SharesGranted {
            account,
            symbol,
            qty,
            cost,
        });
        out.push(position_event(account, symbol, balance.position(symbol)));
        Ok(())
    }

    fn list(
        &mut self,
        symbol: SymbolId,
        reference_price: Price,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        if reference_price <= 0 {
            return Err(Reject::BadPrice);
        }
        let band = PriceBand::around(reference_price);
        let listing = self.listings.entry(symbol).or_insert_with(|| Listing {
            book: OrderBook::default(),
            reference: reference_price,
            band,
            halted: false,
            last_trade: None,
        });
        listing.reference = reference_price;
        listing.band = band;
        listing.last_trade = None;
        out.push(Event::Listed {
            symbol,
            reference_price,
            band: band.into(),
        });
        // Orders rest across days, but none may trade outside the new band.
        let mut outside: Vec<OrderId> = (self.orders.iter())
            .filter(|(_, order)| order.symbol == symbol && !band.contains(order.limit))
            .map(|(&id, _)| id)
            .collect();
        outside.sort_unstable();
        for id in outside {
            self.close(id, CancelReason::OutsideBand, out);
        }
        Ok(())
    }

    fn open_day(&mut self, symbol: SymbolId, out: &mut Vec<Event>) -> Result<(), Reject> {
        let listing = self.listings.get(&symbol).ok_or(Reject::UnknownSymbol)?;
        let close = listing.last_trade.unwrap_or(listing.reference);
        self.list(symbol, close, out)
    }

    fn set_halted(
        &mut self,
        symbol: SymbolId,
        halted: bool,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let listing = self
            .listings
            .get_mut(&symbol)
            .ok_or(Reject::UnknownSymbol)?;
        listing.halted = halted;
        out.push(if halted {
            Event::Halted { symbol }
        } else {
            Event::Resumed { symbol }
        });
        Ok(())
    }

    fn level_event(&self, symbol: SymbolId, side: Side, price: Price) -> Event {
        let qty = self
            .listings
            .get(&symbol)
            .map_or(0, |l| l.book.level_qty(side, price));
        Event::Level {
            symbol,
            side,
            price,
            qty,
        }
    }

    /// A fingerprint of the whole state: equal digests mean the same books
    /// (queue order included), balances, open orders and remembered client
    /// order ids. Recovery tests compare it before and after a restart.
    pub fn digest(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        fn sorted<K: Ord + Copy, V>(map: &HashMap<K, V>) -> Vec<(K, &V)> {
            let mut entries: Vec<_> = map.iter().map(|(k, v)| (*k, v)).collect();
            entries.sort_by_key(|(k, _)| *k);
            entries
        }
        let mut hasher = std::hash::DefaultHasher::new();
        (self.seq, self.deposited, self.commissions, self.taxes).hash(&mut hasher);
        for (id, account) in sorted(&self.accounts) {
            (id, account.cash_available, account.cash_held).hash(&mut hasher);
            for (symbol, position) in account.positions.iter() {
                (symbol, position.available, position.held, position.cost).hash(&mut hasher);
            }
            account.recent.entries().hash(&mut hasher);
        }
        sorted(&self.orders).hash(&mut hasher);
        sorted(&self.granted).hash(&mut hasher);
        for (symbol, listing) in &self.listings {
            (
                symbol,
                listing.reference,
                listing.band.lower,
                listing.band.upper,
                listing.halted,
                listing.last_trade,
            )
                .hash(&mut hasher);
            for side in [Side::Buy, Side::Sell] {
                for (price, _, _) in listing.book.levels(side) {
                    for order in listing.book.queue(side, price) {
                        (order.id, order.remaining).hash(&mut hasher);
                    }
                }
            }
        }
        hasher.finish()
    }

    /// Checks that money and shares add up and every hold matches its orders.
    /// Cheap enough for tests to call after every command.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut cash = self.commissions + self.taxes;
        let mut shares: HashMap<SymbolId, Qty> = HashMap::default();
        let mut held_cash: HashMap<AccountId, Won> = HashMap::default();
        let mut held_shares: HashMap<(AccountId, SymbolId), Qty> = HashMap::default();
        for (id, order) in &self.orders {
            let resting = self
                .listings
                .get(&order.symbol)
                .and_then(|l| l.book.get(order.slot, *id));
            match resting {
                Some(r)
                    if r.remaining == order.remaining
                        && r.price == order.limit
                        && r.account == order.account => {}
                other => {
                    return Err(format!(
                        "open order {id:?} {order:?} is not on the book as such: {other:?}"
                    ));
                }
            }
            let band = self.listings.get(&order.symbol).map(|l| l.band);
            if !band.is_some_and(|band| band.contains(order.limit)) {
                return Err(format!("open order {id:?} rests outside {band:?}"));
            }
            match order.side {
                Side::Buy => {
                    if Some(order.hold_cash) != self.fees.buy_hold(order.limit, order.remaining) {
                        return Err(format!(
                            "order {id:?} holds {} for {:?}",
                            order.hold_cash, order
                        ));
                    }
                    *held_cash.entry(order.account).or_default() += order.hold_cash;
                }
                Side::Sell => {
                    *held_shares
                        .entry((order.account, order.symbol))
                        .or_default() += order.remaining
                }
            }
        }
        for (id, account) in &self.accounts {
            if account.cash_available < 0 || account.cash_held < 0 {
                return Err(format!("{id:?} has negative cash: {account:?}"));
            }
            if account.cash_held != held_cash.get(id).copied().unwrap_or(0) {
                return Err(format!(
                    "{id:?} holds {} cash but its buys need {:?}",
                    account.cash_held,
                    held_cash.get(id)
                ));
            }
            cash += account.cash_available + account.cash_held;
            for (symbol, position) in account.positions.iter() {
                if position.available < 0 || position.held < 0 || position.cost < 0 {
                    return Err(format!(
                        "{id:?} has a negative position in {symbol:?}: {position:?}"
                    ));
                }
                if position.held != held_shares.get(&(*id, symbol)).copied().unwrap_or(0) {
                    return Err(format!(
                        "{id:?} holds {} shares of {symbol:?} against its sells",
                        position.held
                    ));
                }
                *shares.entry(symbol).or_default() += position.shares();
            }
        }
        if cash != self.deposited {
            return Err(format!(
                "cash plus fees is {cash}, deposits are {}",
                self.deposited
            ));
        }
        for (symbol, granted) in &self.granted {
            if shares.get(symbol).copied().unwrap_or(0) != *granted {
                return Err(format!(
                    "{symbol:?}: {:?} shares held, {granted} granted",
                    shares.get(symbol)
                ));
            }
        }
        let booked: usize = self.listings.values().map(|l| l.book.len()).sum();
        if booked != self.orders.len() {
            return Err(format!(
                "{booked} orders on the books, {} open",
                self.orders.len()
            ));
        }
        Ok(())
    }
}

fn check_qty(qty: Qty) -> Result<(), Reject> {
    if (1..=MAX_ORDER_QTY).contains(&qty) {
        Ok(())
    } else {
        Err(Reject::BadQuantity)
    }
}

fn check_price(price: Price, band: PriceBand) -> Result<(), Reject> {
    if price <= 0 {
        Err(Reject::BadPrice)
    } else if !is_on_tick(price) {
        Err(Reject::OffTick)
    } else if !band.contains(price) {
        Err(Reject::OutsideBand)
    } else {
        Ok(())
    }
}

/// Two entries of `map` at once; `None` when either is missing or the keys
/// are equal (`get_disjoint_mut` would panic on equal keys).
fn distinct_pair_mut<K: Eq + std::hash::Hash, V>(
    map: &mut HashMap<K, V>,
    a: K,
    b: K,
) -> Option<(&mut V, &mut V)> {
    if a == b {
        return None;
    }
    match map.get_disjoint_mut([&a, &b]) {
        [Some(first), Some(second)] => Some((first, second)),
        _ => None,
    }
}

fn balance_event(account: AccountId, balance: &Account) -> Event {
    Event::Balance {
        account,
        available: balance.cash_available,
        held: balance.cash_held,
    }
}

fn position_event(account: AccountId, symbol: SymbolId, position: Position) -> Event {
    Event::Position {
        account,
        symbol,
        available: position.available,
        held: position.held,
        cost: position.cost,
    }
}

#[cfg(test)]
mod tests;
