//! The exchange's rows as the API shows them: codes instead of symbol ids,
//! the contract's enums instead of the engine's. Shared by the reads, the
//! acknowledgements and the accounts' private streams, so an order looks
//! the same wherever it is seen.

use crate::exchange::projection::{
    BalanceRow, FillRow, OrderKindRow, OrderRow, OrderStatusRow, PositionRow,
};
use crate::exchange::{self, Side};
use crate::market::Listings;
use crate::storage::AccountRow;
use app::trading::{
    AccountView, CashView, FillView, OrderKind, OrderSide, OrderStatus, OrderView, PositionView,
    TimeInForce,
};

pub fn side_of(side: OrderSide) -> Side {
    match side {
        OrderSide::Buy => Side::Buy,
        OrderSide::Sell => Side::Sell,
    }
}

pub fn view_side(side: Side) -> OrderSide {
    match side {
        Side::Buy => OrderSide::Buy,
        Side::Sell => OrderSide::Sell,
    }
}

/// A fill's stable id, also its page cursor: `{seq}-{n}`.
pub fn fill_id(row: &FillRow) -> String {
    format!("{}-{}", row.seq, row.n)
}

pub fn order_view(listings: &Listings, row: &OrderRow) -> OrderView {
    OrderView {
        order_id: row.order_id as u64,
        account_id: row.account_id as u64,
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

pub fn fill_view(listings: &Listings, row: &FillRow) -> FillView {
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

pub fn cash_view(row: &BalanceRow) -> CashView {
    CashView {
        available: row.available,
        held: row.held,
        deposited: row.deposited,
    }
}

pub fn position_view(listings: &Listings, row: &PositionRow) -> PositionView {
    PositionView {
        symbol: listings.code_of(row.symbol_id),
        available: row.available,
        held: row.held,
        cost: row.cost,
    }
}

pub fn account_view(row: &AccountRow) -> AccountView {
    AccountView {
        account_id: row.account_id as u64,
        kind: row.kind.name().to_owned(),
        round_id: row.round_id.map(|id| id as u64),
        created_ms: row.created_ms,
    }
}
