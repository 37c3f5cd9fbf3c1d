//! What both backends share about read-model rows: the filters queries take,
//! the text each enum is stored as, and the decoding of a row into the
//! exchange's row types. PostgreSQL's commit is a handful of statements
//! whatever its size (one JSON array per table, `jsonb_to_recordset`);
//! SQLite's writer runs one cached single-row statement per row
//! (`sqlite_writer.rs`).

use crate::exchange::projection::{
    BalanceRow, FillRow, OrderKindRow, OrderRow, OrderStatusRow, PositionRow,
};
use crate::exchange::{CancelReason, CandleRow, Interval, Side, TimeInForce};
use sqlx::{ColumnIndex, Decode, Row, Type};

/// Which of one account's orders to list, and in which order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderFilter {
    pub account_id: i64,
    pub symbol_id: Option<i64>,
    pub side: Option<Side>,
    pub status: Option<OrderStatusRow>,
    pub newest_first: bool,
    /// Only orders after this id in the chosen order (the page cursor).
    pub after: Option<i64>,
    pub limit: i64,
}

/// A listed company as stored (server/src/market/listings.rs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingRow {
    pub symbol_id: i64,
    pub code: String,
    pub name_ko: String,
    pub name_en: String,
    pub sector: String,
    pub shares_outstanding: i64,
    pub first_price: i64,
}

/// One news event as announced: for one company (`symbol_id`) or a whole
/// sector (`sector`), good or bad, with its size in basis points.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NewsRow {
    pub news_id: i64,
    pub at_ms: i64,
    pub symbol_id: Option<i64>,
    pub sector: Option<String>,
    pub good: bool,
    pub size_bp: i64,
    pub headline_ko: String,
    pub headline_en: String,
}

/// Which news to list: newest first, optionally about one company (its own
/// news and its sector's) and before a cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewsFilter {
    pub symbol: Option<(i64, String)>,
    pub before: Option<i64>,
    pub limit: i64,
}

/// Which candles of one symbol and width to list: newest first, starting
/// before a cursor (`start_ms`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CandleFilter {
    pub symbol_id: i64,
    pub interval: Interval,
    pub before: Option<i64>,
    pub limit: i64,
}

/// Which of one account's fills to list; the cursor is `(seq, n)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FillFilter {
    pub account_id: i64,
    pub symbol_id: Option<i64>,
    pub side: Option<Side>,
    pub newest_first: bool,
    pub after: Option<(i64, i64)>,
    pub limit: i64,
}

pub fn side_str(side: Side) -> &'static str {
    match side {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

pub fn status_str(status: OrderStatusRow) -> &'static str {
    match status {
        OrderStatusRow::Open => "open",
        OrderStatusRow::Filled => "filled",
        OrderStatusRow::Cancelled => "cancelled",
    }
}

/// The orders query's status filter, written into its text rather than
/// bound: a bound status cannot use the partial index of open orders
/// (`open_orders_by_account`), which a literal `status = 'open'` does. The
/// text comes from [`status_str`], never from the caller.
pub fn status_condition(status: Option<OrderStatusRow>) -> String {
    status
        .map(|status| format!(" AND status = '{}'", status_str(status)))
        .unwrap_or_default()
}

pub fn kind_str(kind: OrderKindRow) -> &'static str {
    match kind {
        OrderKindRow::Limit => "limit",
        OrderKindRow::Market => "market",
    }
}

pub fn tif_str(tif: TimeInForce) -> &'static str {
    match tif {
        TimeInForce::Gtc => "gtc",
        TimeInForce::Ioc => "ioc",
        TimeInForce::Fok => "fok",
    }
}

fn bad(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected {column} {value:?}").into())
}

/// The value among `all` that is stored as `text`: each enum's text is
/// written once, in its `*_str` function (or `CancelReason::code`), for
/// writing and reading alike.
fn parse<T: Copy>(
    column: &str,
    text: &str,
    all: &[T],
    as_str: fn(T) -> &'static str,
) -> Result<T, sqlx::Error> {
    all.iter()
        .copied()
        .find(|value| as_str(*value) == text)
        .ok_or_else(|| bad(column, text))
}

fn side(text: &str) -> Result<Side, sqlx::Error> {
    parse("side", text, &SIDES, side_str)
}

const SIDES: [Side; 2] = [Side::Buy, Side::Sell];
const KINDS: [OrderKindRow; 2] = [OrderKindRow::Limit, OrderKindRow::Market];
const TIFS: [TimeInForce; 3] = [TimeInForce::Gtc, TimeInForce::Ioc, TimeInForce::Fok];
const STATUSES: [OrderStatusRow; 3] = [
    OrderStatusRow::Open,
    OrderStatusRow::Filled,
    OrderStatusRow::Cancelled,
];
const CANCEL_REASONS: [CancelReason; 6] = [
    CancelReason::Requested,
    CancelReason::Unfilled,
    CancelReason::FillOrKill,
    CancelReason::SelfTrade,
    CancelReason::OutsideBand,
    CancelReason::FeesChanged,
];

/// Decodes rows of either backend; the bounds say "this backend can read
/// these column types by name".
pub trait RowDecode: Row
where
    for<'r> &'r str: ColumnIndex<Self>,
    for<'r> i64: Decode<'r, Self::Database> + Type<Self::Database>,
    for<'r> String: Decode<'r, Self::Database> + Type<Self::Database>,
    for<'r> bool: Decode<'r, Self::Database> + Type<Self::Database>,
{
    fn order_row(&self) -> Result<OrderRow, sqlx::Error> {
        let kind: String = self.try_get("kind")?;
        let tif: String = self.try_get("tif")?;
        let status: String = self.try_get("status")?;
        let reason: Option<String> = self.try_get("cancel_reason")?;
        Ok(OrderRow {
            order_id: self.try_get("order_id")?,
            account_id: self.try_get("account_id")?,
            client_order_id: self.try_get("client_order_id")?,
            symbol_id: self.try_get("symbol_id")?,
            side: side(&self.try_get::<String, _>("side")?)?,
            kind: parse("kind", &kind, &KINDS, kind_str)?,
            tif: parse("tif", &tif, &TIFS, tif_str)?,
            price: self.try_get("price")?,
            qty: self.try_get("qty")?,
            filled_qty: self.try_get("filled_qty")?,
            remaining_qty: self.try_get("remaining_qty")?,
            filled_value: self.try_get("filled_value")?,
            status: parse("status", &status, &STATUSES, status_str)?,
            cancel_reason: reason
                .map(|text| parse("cancel_reason", &text, &CANCEL_REASONS, CancelReason::code))
                .transpose()?,
            created_ms: self.try_get("created_ms")?,
            updated_ms: self.try_get("updated_ms")?,
        })
    }

    fn fill_row(&self) -> Result<FillRow, sqlx::Error> {
        Ok(FillRow {
            account_id: self.try_get("account_id")?,
            seq: self.try_get("seq")?,
            n: self.try_get("n")?,
            order_id: self.try_get("order_id")?,
            symbol_id: self.try_get("symbol_id")?,
            side: side(&self.try_get::<String, _>("side")?)?,
            price: self.try_get("price")?,
            qty: self.try_get("qty")?,
            commission: self.try_get("commission")?,
            tax: self.try_get("tax")?,
            maker: self.try_get("maker")?,
            ts_ms: self.try_get("ts_ms")?,
        })
    }

    fn balance_row(&self) -> Result<BalanceRow, sqlx::Error> {
        Ok(BalanceRow {
            account_id: self.try_get("account_id")?,
            available: self.try_get("available")?,
            held: self.try_get("held")?,
            deposited: self.try_get("deposited")?,
        })
    }

    fn listing_row(&self) -> Result<ListingRow, sqlx::Error> {
        Ok(ListingRow {
            symbol_id: self.try_get("symbol_id")?,
            code: self.try_get("code")?,
            name_ko: self.try_get("name_ko")?,
            name_en: self.try_get("name_en")?,
            sector: self.try_get("sector")?,
            shares_outstanding: self.try_get("shares_outstanding")?,
            first_price: self.try_get("first_price")?,
        })
    }

    fn candle_row(&self) -> Result<CandleRow, sqlx::Error> {
        let width: String = self.try_get("width")?;
        Ok(CandleRow {
            symbol_id: self.try_get("symbol_id")?,
            interval: Interval::parse(&width).ok_or_else(|| bad("width", &width))?,
            start_ms: self.try_get("start_ms")?,
            open: self.try_get("open")?,
            high: self.try_get("high")?,
            low: self.try_get("low")?,
            close: self.try_get("close")?,
            volume: self.try_get("volume")?,
            turnover: self.try_get("turnover")?,
        })
    }

    fn news_row(&self) -> Result<NewsRow, sqlx::Error> {
        Ok(NewsRow {
            news_id: self.try_get("news_id")?,
            at_ms: self.try_get("at_ms")?,
            symbol_id: self.try_get("symbol_id")?,
            sector: self.try_get("sector")?,
            good: self.try_get("good")?,
            size_bp: self.try_get("size_bp")?,
            headline_ko: self.try_get("headline_ko")?,
            headline_en: self.try_get("headline_en")?,
        })
    }

    fn position_row(&self) -> Result<PositionRow, sqlx::Error> {
        Ok(PositionRow {
            account_id: self.try_get("account_id")?,
            symbol_id: self.try_get("symbol_id")?,
            available: self.try_get("available")?,
            held: self.try_get("held")?,
            cost: self.try_get("cost")?,
        })
    }
}

impl RowDecode for sqlx::sqlite::SqliteRow {}
impl RowDecode for sqlx::postgres::PgRow {}

pub const CANDLE_COLUMNS: &str =
    "symbol_id, width, start_ms, open, high, low, close, volume, turnover";

/// What changes when the current candle is written again.
pub const CANDLE_UPSERT: &str = "ON CONFLICT (symbol_id, width, start_ms) DO UPDATE SET \
     open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, \
     volume = excluded.volume, turnover = excluded.turnover";

pub const NEWS_COLUMNS: &str =
    "news_id, at_ms, symbol_id, sector, good, size_bp, headline_ko, headline_en";

/// The columns every order query selects, in table order.
pub const ORDER_COLUMNS: &str = "order_id, account_id, client_order_id, symbol_id, side, kind, \
     tif, price, qty, filled_qty, remaining_qty, filled_value, status, cancel_reason, \
     created_ms, updated_ms";

pub const FILL_COLUMNS: &str =
    "account_id, seq, n, order_id, symbol_id, side, price, qty, commission, tax, maker, ts_ms";

/// The journal's last entry and the one the stored read-model rows are
/// complete through (`ReadModelSync`), in one row; the same SQL on both
/// backends.
pub const WATERMARKS: &str = "SELECT (SELECT COALESCE(MAX(seq), 0) FROM exchange_journal), \
     (SELECT through_seq FROM read_model_watermark WHERE id = 1)";

/// Stores that watermark, in the transaction that writes the rows.
pub const WATERMARK_UPDATE: &str = "UPDATE read_model_watermark SET through_seq = $1 WHERE id = 1";

/// What changes when an order row is written again.
pub const ORDER_UPSERT: &str = "ON CONFLICT (order_id) DO UPDATE SET price = excluded.price, \
     qty = excluded.qty, filled_qty = excluded.filled_qty, \
     remaining_qty = excluded.remaining_qty, filled_value = excluded.filled_value, \
     status = excluded.status, cancel_reason = excluded.cancel_reason, \
     updated_ms = excluded.updated_ms";

/// What changes when a balance row is written again.
pub const BALANCE_UPSERT: &str = "ON CONFLICT (account_id) DO UPDATE SET \
     available = excluded.available, held = excluded.held, deposited = excluded.deposited";

/// What changes when a position row is written again.
pub const POSITION_UPSERT: &str = "ON CONFLICT (account_id, symbol_id) DO UPDATE SET \
     available = excluded.available, held = excluded.held, cost = excluded.cost";

/// A batch of rows as the JSON array the backends' batch statements read.
pub fn json(rows: &(impl serde::Serialize + ?Sized)) -> Result<String, super::StorageError> {
    serde_json::to_string(rows)
        .map_err(|err| super::StorageError::Query(sqlx::Error::Encode(err.into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PostgreSQL is sent rows as JSON and SQLite as bound text: both must
    /// store the same text, which is what reading expects.
    fn stored_alike<T: Copy + serde::Serialize>(all: &[T], as_str: fn(T) -> &'static str) {
        for value in all {
            assert_eq!(serde_json::to_value(value).unwrap(), as_str(*value));
        }
    }

    #[test]
    fn every_enum_is_stored_as_the_text_of_its_json() {
        stored_alike(&SIDES, side_str);
        stored_alike(&KINDS, kind_str);
        stored_alike(&TIFS, tif_str);
        stored_alike(&STATUSES, status_str);
        stored_alike(&CANCEL_REASONS, CancelReason::code);
    }
}
