//! Widgets shared by several pages.

mod header;
mod live_badge;
mod skeleton;

pub use header::Header;
pub use live_badge::LiveBadge;
pub use skeleton::Skeleton;
