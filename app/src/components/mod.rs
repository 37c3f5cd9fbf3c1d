//! Widgets shared by several pages.

mod header;
mod live_badge;
mod skeleton;
mod ticket;

pub use header::Header;
pub use live_badge::LiveBadge;
pub use skeleton::Skeleton;
pub use ticket::OrderTicket;
