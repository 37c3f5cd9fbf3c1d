//! Widgets shared by several pages.

mod flash;
mod footer;
mod header;
mod live_badge;
mod load_then;
mod order_book;
mod page_title;
mod skeleton;
mod ticket;
mod when_loaded;

pub use flash::price_flash;
pub use footer::Footer;
pub use header::Header;
pub use live_badge::LiveBadge;
pub use load_then::load_then;
pub use order_book::{BookSide, OrderBook};
pub use page_title::PageTitle;
pub use skeleton::Skeleton;
pub use ticket::OrderTicket;
pub use when_loaded::when_loaded;
