//! Realtime fan-out over one websocket endpoint, `/ws`. The [`Hub`] keeps one
//! broadcast channel per followed topic; a publisher encodes each frame once
//! and every subscriber shares those bytes. A connection that cannot keep up
//! is closed with a "resync" reason instead of slowing anyone else down.
//! Private topics (an account's stream) are authorized per subscription
//! through the connection's [`PrivateTopics`]; the HTTP layer upgrades the
//! connection and decides who its caller is.

mod clock;
mod hub;
mod socket;

pub use clock::run_clock;
pub use hub::{Hub, OnlineGuard, TopicSource, encode};
pub use socket::{ConnectionSettings, MAX_WS_MESSAGE_BYTES, PrivateTopics, serve};

/// A session that ended, as its open connections hear of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionEnded {
    /// The session's id.
    pub session: String,
    /// Ended because its user signed in elsewhere (or reset their
    /// password): the page says so and goes to the sign-in page. Otherwise
    /// (a sign-out in this browser, a deletion, a kept guest) the
    /// connection only closes, and the page reconnects as who it is now.
    pub elsewhere: bool,
}

/// Close code sent to a client that fell behind: reconnect and resync.
pub const CLOSE_RESYNC: u16 = 4000;
/// Close code sent after `signed_out`: the session ended elsewhere.
pub const CLOSE_SIGNED_OUT: u16 = 4001;
/// Close code sent when the server is shutting down: reconnect later.
pub const CLOSE_RESTART: u16 = 1012;
