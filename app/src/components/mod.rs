//! Widgets shared by several pages.

mod header;
mod live_badge;
mod page_title;
mod skeleton;
mod ticket;

pub use header::Header;
pub use live_badge::LiveBadge;
pub use page_title::PageTitle;
pub use skeleton::Skeleton;
pub use ticket::OrderTicket;
