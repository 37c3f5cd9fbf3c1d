//! Order entry and the trading reads for one account at a time. Both the
//! JSON routes (`/api/v1`) and the UI's server functions come through
//! [`Trading`]; they differ only in how they find the caller's account (its
//! session). Every read is a query filtered by that account id.

mod error;
pub mod input;
pub mod port;
pub mod redis_sessions;
pub mod session;

pub use error::TradingError;

use crate::exchange::projection::{FillRow, OrderKindRow, OrderRow, OrderStatusRow};
use crate::exchange::{
    self, AccountId, ClientOrderId, Command, Exchange, OrderId, OrderType, PlaceOrder, Reply, Side,
    Submitted,
};
use crate::market::{Listings, MarketData};
use crate::storage::{FillFilter, OrderFilter, Storage};
use app::trading::{
    AmendOrderInput, FillView, HoldingView, ListQuery, OrderAck, OrderKind, OrderSide, OrderStatus,
    OrderView, Page, PlaceOrderInput, PortfolioView, SortOrder, TimeInForce,
};
use std::sync::Arc;

#[derive(Clone)]
pub struct Trading {
    pub exchange: Exchange,
    pub storage: Arc<dyn Storage>,
    pub market: Arc<MarketData>,
    /// Cash a new account starts with.
    pub starting_cash: i64,
    /// Shares of every listing a new guest account starts with.
    pub guest_shares: i64,
    /// The rates the engine charges, shown to the order ticket.
    pub fees: crate::exchange::FeeSchedule,
}

impl Trading {
    /// Opens an account and funds it; returns its id once both are committed.
    pub async fn open_account(&self, kind: &str) -> Result<AccountId, TradingError> {
        let id = self.storage.create_account(kind, crate::now_ms()).await?;
        let account = AccountId(id as u64);
        self.submit(Command::Deposit {
            account,
            amount: self.starting_cash,
        })
        .await?;
        if self.guest_shares > 0 {
            for listing in self.market.listings().all() {
                self.submit(Command::GrantShares {
                    account,
                    symbol: listing.symbol,
                    qty: self.guest_shares,
                    cost: listing.first_price * self.guest_shares,
                })
                .await?;
            }
        }
        Ok(account)
    }

    async fn submit(&self, command: Command) -> Result<Submitted, TradingError> {
        let submitted = self.exchange.submit(command, crate::now_ms()).await?;
        match submitted.executed.reply {
            Reply::Rejected { reason } => Err(TradingError::Rejected(reason)),
            Reply::Accepted { .. } | Reply::Done => Ok(submitted),
        }
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

    pub async fn place(
        &self,
        account: AccountId,
        input: PlaceOrderInput,
    ) -> Result<OrderAck, TradingError> {
        let symbol = (self.market.listings().by_code(&input.symbol))
            .map(|listing| listing.symbol)
            .ok_or_else(|| TradingError::UnknownSymbol(input.symbol.clone()))?;
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
        account: AccountId,
        input: AmendOrderInput,
    ) -> Result<OrderAck, TradingError> {
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
        account: AccountId,
        order_id: u64,
    ) -> Result<OrderAck, TradingError> {
        let order = OrderId(order_id);
        let submitted = self.submit(Command::Cancel { account, order }).await?;
        self.ack(account, order, submitted).await
    }

    /// Cancels every open order of the account; answers the command's
    /// sequence number.
    pub async fn cancel_all(&self, account: AccountId) -> Result<u64, TradingError> {
        Ok(self
            .submit(Command::CancelAll { account })
            .await?
            .executed
            .seq)
    }

    pub async fn order(
        &self,
        account: AccountId,
        order_id: u64,
    ) -> Result<OrderView, TradingError> {
        let order_id =
            i64::try_from(order_id).map_err(|_| TradingError::OrderNotFound(order_id))?;
        self.storage
            .order(account.0 as i64, order_id)
            .await?
            .map(|row| order_view(self.market.listings(), &row))
            .ok_or(TradingError::OrderNotFound(order_id as u64))
    }

    pub async fn orders(
        &self,
        account: AccountId,
        query: ListQuery,
    ) -> Result<Page<OrderView>, TradingError> {
        let limit = page_limit(&query);
        let after = query
            .cursor
            .as_deref()
            .map(|cursor| cursor.parse::<i64>().map_err(|_| bad_cursor()))
            .transpose()?;
        let rows = self
            .storage
            .orders(&OrderFilter {
                account_id: account.0 as i64,
                symbol_id: symbol_filter(self.market.listings(), &query)?,
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
        account: AccountId,
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
        let rows = self
            .storage
            .fills(&FillFilter {
                account_id: account.0 as i64,
                symbol_id: symbol_filter(self.market.listings(), &query)?,
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

    /// The account's watchlist, as symbol codes in listing order.
    pub async fn watchlist(&self, account: AccountId) -> Result<Vec<String>, TradingError> {
        let listings = self.market.listings();
        let ids = self.storage.watchlist(account.0 as i64).await?;
        Ok(ids.into_iter().map(|id| listings.code_of(id)).collect())
    }

    /// Stars (`watched`) or unstars a symbol; answers the new watchlist.
    pub async fn set_watched(
        &self,
        account: AccountId,
        code: &str,
        watched: bool,
    ) -> Result<Vec<String>, TradingError> {
        let listing = (self.market.listings().by_code(code))
            .ok_or_else(|| TradingError::UnknownSymbol(code.to_owned()))?;
        let symbol_id = i64::from(listing.symbol.0);
        (self.storage)
            .set_watched(account.0 as i64, symbol_id, watched, crate::now_ms())
            .await?;
        self.watchlist(account).await
    }

    pub async fn portfolio(&self, account: AccountId) -> Result<PortfolioView, TradingError> {
        let id = account.0 as i64;
        let balance = self.storage.balance(id).await?.unwrap_or_default();
        let holdings: Vec<HoldingView> = self
            .storage
            .positions(id)
            .await?
            .into_iter()
            .map(|position| {
                let qty = position.available + position.held;
                let symbol = exchange::SymbolId(position.symbol_id as u32);
                let last_price = self.market.last_price(symbol).unwrap_or(0);
                let value = last_price * qty;
                let pnl = value - position.cost;
                HoldingView {
                    symbol: self.market.listings().code_of(position.symbol_id),
                    qty_available: position.available,
                    qty_held: position.held,
                    cost: position.cost,
                    avg_price: if qty > 0 { position.cost / qty } else { 0 },
                    last_price,
                    value,
                    pnl,
                    return_bp: basis_points(pnl, position.cost),
                }
            })
            .collect();
        let total_value =
            balance.available + balance.held + holdings.iter().map(|h| h.value).sum::<i64>();
        let pnl = total_value - balance.deposited;
        Ok(PortfolioView {
            account_id: account.0,
            cash_available: balance.available,
            cash_held: balance.held,
            holdings,
            total_value,
            deposited: balance.deposited,
            pnl,
            return_bp: basis_points(pnl, balance.deposited),
        })
    }
}

fn basis_points(part: i64, whole: i64) -> i64 {
    if whole > 0 {
        (i128::from(part) * 10_000 / i128::from(whole)) as i64
    } else {
        0
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
                .ok_or_else(|| TradingError::UnknownSymbol(code.to_owned()))
        })
        .transpose()
}

fn side_of(side: OrderSide) -> Side {
    match side {
        OrderSide::Buy => Side::Buy,
        OrderSide::Sell => Side::Sell,
    }
}

fn view_side(side: Side) -> OrderSide {
    match side {
        Side::Buy => OrderSide::Buy,
        Side::Sell => OrderSide::Sell,
    }
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

fn fill_id(row: &FillRow) -> String {
    format!("{}-{}", row.seq, row.n)
}

pub fn order_view(listings: &Listings, row: &OrderRow) -> OrderView {
    OrderView {
        order_id: row.order_id as u64,
        client_order_id: row.client_order_id as u64,
        symbol: listings.code_of(row.symbol_id),
        side: view_side(row.side),
        kind: match row.kind {
            OrderKindRow::Limit => OrderKind::Limit,
            OrderKindRow::Market => OrderKind::Market,
        },
        tif: match row.tif {
            exchange::TimeInForce::Gtc => TimeInForce::Gtc,
            exchange::TimeInForce::Ioc => TimeInForce::Ioc,
            exchange::TimeInForce::Fok => TimeInForce::Fok,
        },
        price: row.price,
        qty: row.qty,
        filled_qty: row.filled_qty,
        remaining_qty: row.remaining_qty,
        filled_value: row.filled_value,
        status: match row.status {
            OrderStatusRow::Open => OrderStatus::Open,
            OrderStatusRow::Filled => OrderStatus::Filled,
            OrderStatusRow::Cancelled => OrderStatus::Cancelled,
        },
        cancel_reason: row.cancel_reason.map(|reason| reason.code().to_owned()),
        created_ms: row.created_ms,
        updated_ms: row.updated_ms,
    }
}

fn fill_view(listings: &Listings, row: &FillRow) -> FillView {
    FillView {
        fill_id: fill_id(row),
        order_id: row.order_id as u64,
        symbol: listings.code_of(row.symbol_id),
        side: view_side(row.side),
        price: row.price,
        qty: row.qty,
        commission: row.commission,
        tax: row.tax,
        maker: row.maker,
        ts_ms: row.ts_ms,
    }
}
