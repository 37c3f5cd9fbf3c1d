//! The browser side of the websocket: one connection per page, opened once
//! the page's island has hydrated (`Realtime::connect_when_live`). It
//! resubscribes every active topic after each (re)connect, reconnects with
//! capped exponential backoff and jitter, and sends a heartbeat so a
//! silently dead connection is noticed and replaced.

use super::{ClientFrame, ConnStatus, IncomingFrame, PROTOCOL_VERSION, Realtime};
use leptos::prelude::*;
use std::cell::RefCell;
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{MessageEvent, WebSocket};

const HEARTBEAT_EVERY: Duration = Duration::from_secs(15);
/// No frame for this long (the server clock alone ticks every second) means
/// the connection is dead even if the socket has not said so.
const SILENCE_LIMIT_MS: f64 = 40_000.0;
const BACKOFF_BASE_MS: f64 = 500.0;
const BACKOFF_MAX_MS: f64 = 30_000.0;

struct Connection {
    realtime: Realtime,
    socket: Option<WebSocket>,
    /// Kept alive while the socket is; replaced on reconnect.
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
    attempt: u32,
    last_frame_at: f64,
    next_nonce: u64,
}

thread_local! {
    static CONNECTION: RefCell<Option<Connection>> = const { RefCell::new(None) };
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Opens the page's connection once; later calls are ignored.
pub(super) fn start(realtime: Realtime) {
    let fresh = CONNECTION.with_borrow_mut(|slot| {
        if slot.is_some() {
            return false;
        }
        *slot = Some(Connection {
            realtime,
            socket: None,
            handlers: Vec::new(),
            attempt: 0,
            last_frame_at: now_ms(),
            next_nonce: 1,
        });
        true
    });
    if fresh {
        connect();
        set_interval(heartbeat, HEARTBEAT_EVERY);
    }
}

/// Replaces the connection at once rather than after a backoff: the session
/// it was opened with changed (a first order made one), and the server
/// decides when a connection opens whom it speaks for. Every active topic
/// is subscribed again on the new one.
pub(super) fn reconnect() {
    let old = CONNECTION.with_borrow_mut(|conn| conn.as_mut().and_then(|c| c.socket.take()));
    let Some(old) = old else {
        // Not connected yet, or between attempts: the next one is new.
        return;
    };
    // The old socket calls nothing of ours any more, so its handlers can go
    // when `connect` replaces them.
    old.set_onopen(None);
    old.set_onmessage(None);
    old.set_onclose(None);
    old.set_onerror(None);
    let _ = old.close();
    connect();
}

/// Sends a frame if the socket is open; otherwise the frame is covered by the
/// resubscription that follows the next successful connect.
pub(super) fn send(frame: &ClientFrame) {
    CONNECTION.with_borrow(|conn| {
        if let Some(socket) = conn.as_ref().and_then(|c| c.socket.as_ref())
            && socket.ready_state() == WebSocket::OPEN
            && let Ok(text) = serde_json::to_string(frame)
        {
            let _ = socket.send_with_str(&text);
        }
    });
}

fn socket_url() -> Option<String> {
    let location = window().location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/ws", location.host().ok()?))
}

fn connect() {
    let Some(url) = socket_url() else { return };
    let socket = match WebSocket::new(&url) {
        Ok(socket) => socket,
        Err(_) => return schedule_reconnect(),
    };

    let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        let topics = CONNECTION.with_borrow_mut(|conn| {
            conn.as_mut().map(|c| {
                c.attempt = 0;
                c.last_frame_at = now_ms();
                c.realtime.status.set(ConnStatus::Open);
                c.realtime.active_topics()
            })
        });
        for topic in topics.unwrap_or_default() {
            send(&ClientFrame::Subscribe { topic });
        }
    });
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let Some(text) = event.unchecked_into::<MessageEvent>().data().as_string() else {
            return;
        };
        handle_frame(&text);
    });
    let on_close = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        let known = CONNECTION.with_borrow_mut(|conn| {
            conn.as_mut().map(|c| {
                c.socket = None;
                c.realtime.status.set(ConnStatus::Reconnecting);
            })
        });
        if known.is_some() {
            schedule_reconnect();
        }
    });
    // A close event always follows an error; reconnecting happens there.
    let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| {});

    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    socket.set_onerror(Some(on_error.as_ref().unchecked_ref()));

    CONNECTION.with_borrow_mut(|conn| {
        if let Some(c) = conn.as_mut() {
            c.socket = Some(socket);
            c.handlers = vec![on_open, on_message, on_close, on_error];
        }
    });
}

fn handle_frame(text: &str) {
    let realtime = CONNECTION.with_borrow_mut(|conn| {
        conn.as_mut().map(|c| {
            c.last_frame_at = now_ms();
            c.realtime
        })
    });
    let Some(realtime) = realtime else { return };
    match serde_json::from_str::<IncomingFrame>(text) {
        Ok(IncomingFrame::Event { topic, event }) => realtime.deliver(&topic, event.get()),
        Ok(IncomingFrame::Welcome { protocol }) if protocol != PROTOCOL_VERSION => {
            // A server of a newer build (after a deploy): reload for the
            // page that speaks its protocol.
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
        Ok(IncomingFrame::Resync { topic }) => send(&ClientFrame::Subscribe { topic }),
        Ok(IncomingFrame::SignedOut) => {
            // The session is gone: a full load of the sign-in page, which
            // says why, rather than a reconnect as a stranger. (The
            // connection state stays: this runs inside its handler.)
            if let Some(window) = web_sys::window() {
                let _ = window.location().assign("/sign-in?reason=elsewhere");
            }
        }
        Ok(IncomingFrame::Error { message_en }) => {
            leptos::logging::warn!("realtime: server refused a frame: {message_en}");
        }
        Ok(_) => {}
        Err(err) => leptos::logging::warn!("realtime: unreadable frame: {err}"),
    }
}

fn schedule_reconnect() {
    let attempt = CONNECTION.with_borrow_mut(|conn| {
        conn.as_mut().map(|c| {
            c.attempt = c.attempt.saturating_add(1);
            c.attempt
        })
    });
    let Some(attempt) = attempt else { return };
    let ceiling = (BACKOFF_BASE_MS * 2f64.powi(attempt.min(16) as i32)).min(BACKOFF_MAX_MS);
    // Full jitter keeps a server restart from being met by every tab at once.
    let delay = ceiling * (0.5 + js_sys::Math::random() / 2.0);
    set_timeout(connect, Duration::from_millis(delay as u64));
}

fn heartbeat() {
    let action = CONNECTION.with_borrow_mut(|conn| {
        let c = conn.as_mut()?;
        let socket = c.socket.as_ref()?;
        if socket.ready_state() != WebSocket::OPEN {
            return None;
        }
        if now_ms() - c.last_frame_at > SILENCE_LIMIT_MS {
            // Closing fires `onclose`, which schedules the reconnect.
            let _ = socket.close();
            return None;
        }
        c.next_nonce += 1;
        Some(c.next_nonce)
    });
    if let Some(nonce) = action {
        send(&ClientFrame::Ping { nonce });
    }
}
