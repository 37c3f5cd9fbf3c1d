//! The public market: what is listed ([`listings`]) and the market data
//! derived from committed trading ([`data`]).

pub mod data;
pub mod listings;

pub use data::{MarketData, MarketFeed, run_publisher};
pub use listings::{LISTINGS, Listing};
