//! Placing, amending and cancelling orders, and reading an account's orders
//! and fills a page at a time. Each call first finds the account the caller
//! acts on (`Trading::account_of`); reads scope every query by it.

use super::views::{fill_id, fill_view, order_view, side_of};
use super::{AccountRef, Trading, TradingError};
use crate::exchange::Reply;
use crate::exchange::projection::OrderStatusRow;
use crate::exchange::{self, AccountId, ClientOrderId, Command, OrderId, OrderType, PlaceOrder};
use crate::gateway::Submitted;
use crate::market::Listings;
use crate::storage::{FillFilter, OrderFilter};
use app::trading::{
    AmendOrderInput, FillView, ListQuery, OrderAck, OrderKind, OrderStatus, OrderView, Page,
    PlaceOrderInput, SortOrder, TimeInForce,
};

impl Trading {
    pub async fn place(
        &self,
        user: i64,
        which: AccountRef,
        input: PlaceOrderInput,
    ) -> Result<OrderAck, TradingError> {
        let symbol = (self.market.listings().by_code(&input.symbol))
            .map(|listing| listing.symbol)
            .ok_or_else(|| TradingError::unknown_symbol(&input.symbol))?;
        let order_type = match (input.kind, input.price) {
            (OrderKind::Limit, Some(price)) => OrderType::Limit(price),
            (OrderKind::Limit, None) => {
                return Err(TradingError::invalid(
                    "price",
                    "지정가 주문에는 가격이 필요합니다.",
                    "A limit order needs a price.",
                ));
            }
            (OrderKind::Market, None) => OrderType::Market,
            (OrderKind::Market, Some(_)) => {
                return Err(TradingError::invalid(
                    "price",
                    "시장가 주문에는 가격을 넣지 않습니다.",
                    "A market order takes no price.",
                ));
            }
        };
        if i64::try_from(input.client_order_id).is_err() {
            return Err(TradingError::invalid(
                "client_order_id",
                "0 이상 2^63 미만의 정수여야 합니다.",
                "Must be a whole number from 0 to 2^63 - 1.",
            ));
        }
        // What the engine would refuse without looking at the account is
        // refused before a first order opens it: a refused order opens
        // nothing. Only then: the engine checks every order itself (with
        // the day's band as it is when the order arrives), and this check
        // takes the market data's lock, which the persister holds while it
        // applies each commit.
        if !self.is_open(user, which)
            && let Some(reject) = self.precheck(symbol, order_type, input.qty)
        {
            return Err(TradingError::Rejected(reject));
        }
        let account = self.account_or_open(user, which).await?;
        let submitted = self
            .submit(Command::Place(PlaceOrder {
                account,
                client_id: ClientOrderId(input.client_order_id),
                symbol,
                side: side_of(input.side),
                order_type,
                tif: match input.tif {
                    TimeInForce::Gtc => exchange::TimeInForce::Gtc,
                    TimeInForce::Ioc => exchange::TimeInForce::Ioc,
                    TimeInForce::Fok => exchange::TimeInForce::Fok,
                },
                qty: input.qty,
            }))
            .await?;
        let Reply::Accepted { order } = submitted.executed.reply else {
            return Err(TradingError::Rejected(exchange::Reject::UnknownOrder));
        };
        self.ack(account, order, submitted).await
    }

    pub async fn amend(
        &self,
        user: i64,
        which: AccountRef,
        input: AmendOrderInput,
    ) -> Result<OrderAck, TradingError> {
        let account = self.open_account_of(user, which, input.order_id).await?;
        let order = OrderId(input.order_id);
        let submitted = self
            .submit(Command::Amend {
                account,
                order,
                price: input.price,
                qty: input.qty,
            })
            .await?;
        self.ack(account, order, submitted).await
    }

    pub async fn cancel(
        &self,
        user: i64,
        which: AccountRef,
        order_id: u64,
    ) -> Result<OrderAck, TradingError> {
        let account = self.open_account_of(user, which, order_id).await?;
        let order = OrderId(order_id);
        let submitted = self.submit(Command::Cancel { account, order }).await?;
        self.ack(account, order, submitted).await
    }

    /// Cancels every open order of the account; answers the command's
    /// sequence number (0 for an account not opened yet: nothing to do).
    pub async fn cancel_all(&self, user: i64, which: AccountRef) -> Result<u64, TradingError> {
        let Some(account) = self.account_of(user, which).await? else {
            return Ok(0);
        };
        Ok(self
            .submit(Command::CancelAll { account })
            .await?
            .executed
            .seq)
    }

    pub async fn order(
        &self,
        user: i64,
        which: AccountRef,
        order_id: u64,
    ) -> Result<OrderView, TradingError> {
        let account = self.open_account_of(user, which, order_id).await?;
        let id = i64::try_from(order_id).map_err(|_| TradingError::OrderNotFound(order_id))?;
        self.storage
            .order(account.0 as i64, id)
            .await?
            .map(|row| order_view(self.market.listings(), &row))
            .ok_or(TradingError::OrderNotFound(order_id))
    }

    pub async fn orders(
        &self,
        user: i64,
        which: AccountRef,
        query: ListQuery,
    ) -> Result<Page<OrderView>, TradingError> {
        let limit = page_limit(&query);
        let after = query
            .cursor
            .as_deref()
            .map(|cursor| cursor.parse::<i64>().map_err(|_| bad_cursor()))
            .transpose()?;
        let symbol_id = symbol_filter(self.market.listings(), &query)?;
        let Some(account) = self.account_of(user, which).await? else {
            return Ok(Page::empty());
        };
        let rows = self
            .storage
            .orders(&OrderFilter {
                account_id: account.0 as i64,
                symbol_id,
                side: query.side.map(side_of),
                status: query.status.map(|status| match status {
                    OrderStatus::Open => OrderStatusRow::Open,
                    OrderStatus::Filled => OrderStatusRow::Filled,
                    OrderStatus::Cancelled => OrderStatusRow::Cancelled,
                }),
                newest_first: query.sort == SortOrder::Newest,
                after,
                limit: limit + 1,
            })
            .await?;
        Ok(page(
            rows,
            limit,
            |row| row.order_id.to_string(),
            |row| order_view(self.market.listings(), row),
        ))
    }

    pub async fn fills(
        &self,
        user: i64,
        which: AccountRef,
        query: ListQuery,
    ) -> Result<Page<FillView>, TradingError> {
        let limit = page_limit(&query);
        let after = query
            .cursor
            .as_deref()
            .map(|cursor| {
                let (seq, n) = cursor.split_once('-').ok_or_else(bad_cursor)?;
                Ok::<_, TradingError>((
                    seq.parse().map_err(|_| bad_cursor())?,
                    n.parse().map_err(|_| bad_cursor())?,
                ))
            })
            .transpose()?;
        let symbol_id = symbol_filter(self.market.listings(), &query)?;
        let Some(account) = self.account_of(user, which).await? else {
            return Ok(Page::empty());
        };
        let rows = self
            .storage
            .fills(&FillFilter {
                account_id: account.0 as i64,
                symbol_id,
                side: query.side.map(side_of),
                newest_first: query.sort == SortOrder::Newest,
                after,
                limit: limit + 1,
            })
            .await?;
        Ok(page(rows, limit, fill_id, |row| {
            fill_view(self.market.listings(), row)
        }))
    }

    fn precheck(
        &self,
        symbol: exchange::SymbolId,
        order_type: OrderType,
        qty: i64,
    ) -> Option<exchange::Reject> {
        use exchange::Reject;
        // In the engine's order, so a doubly wrong order is refused for the
        // same reason either way.
        let ticker = self.market.ticker(symbol);
        if ticker.as_ref().is_some_and(|ticker| ticker.halted) {
            return Some(Reject::SymbolHalted);
        }
        if !(1..=exchange::engine::MAX_ORDER_QTY).contains(&qty) {
            return Some(Reject::BadQuantity);
        }
        let OrderType::Limit(price) = order_type else {
            return None;
        };
        if price <= 0 {
            return Some(Reject::BadPrice);
        }
        if !app::rules::is_on_tick(price) {
            return Some(Reject::OffTick);
        }
        let ticker = ticker?;
        (!(ticker.lower_limit..=ticker.upper_limit).contains(&price)).then_some(Reject::OutsideBand)
    }

    /// The open account an order must belong to: with no account open yet,
    /// the order cannot exist.
    async fn open_account_of(
        &self,
        user: i64,
        which: AccountRef,
        order_id: u64,
    ) -> Result<AccountId, TradingError> {
        (self.account_of(user, which).await?).ok_or(TradingError::OrderNotFound(order_id))
    }

    /// The committed state of the order a command was about.
    async fn ack(
        &self,
        account: AccountId,
        order: OrderId,
        submitted: Submitted,
    ) -> Result<OrderAck, TradingError> {
        let row = match submitted.order {
            Some(row) => row,
            None => self
                .storage
                .order(account.0 as i64, order.0 as i64)
                .await?
                .ok_or(TradingError::OrderNotFound(order.0))?,
        };
        Ok(OrderAck {
            order: order_view(self.market.listings(), &row),
            seq: submitted.executed.seq,
        })
    }
}

fn bad_cursor() -> TradingError {
    TradingError::invalid(
        "cursor",
        "페이지 커서가 올바르지 않습니다.",
        "The page cursor is not valid.",
    )
}

fn page_limit(query: &ListQuery) -> i64 {
    i64::from(
        query
            .limit
            .unwrap_or(ListQuery::DEFAULT_LIMIT)
            .clamp(1, ListQuery::MAX_LIMIT),
    )
}

fn symbol_filter(listings: &Listings, query: &ListQuery) -> Result<Option<i64>, TradingError> {
    query
        .symbol
        .as_deref()
        .map(|code| {
            (listings.by_code(code))
                .map(|listing| i64::from(listing.symbol.0))
                .ok_or_else(|| TradingError::unknown_symbol(code))
        })
        .transpose()
}

/// One page from `limit + 1` rows: the extra row only says "there is more".
fn page<R, T>(
    mut rows: Vec<R>,
    limit: i64,
    cursor: impl Fn(&R) -> String,
    view: impl Fn(&R) -> T,
) -> Page<T> {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Page {
        next_cursor: if more { rows.last().map(cursor) } else { None },
        items: rows.iter().map(view).collect(),
    }
}
