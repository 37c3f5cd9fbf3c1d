//! A cookie naming a session the store no longer holds is left as it is.
//! tower-sessions answers such a request with a removal cookie, but the
//! usual reason for it is a request sent just before a sign-in's answer
//! gave the browser a new id (`Sessions::sign_in` cycles it): a page's
//! reconnecting websocket, or a GET in flight. Its removal cookie, arriving
//! after the new one, would sign the browser straight out again. A dead id
//! in a browser speaks for nobody (the store has nothing under it), and the
//! next write to the session makes a new one, so keeping it costs nothing.
//! Sessions ended on purpose (sign-out, deletion) still clear the cookie:
//! those requests wrote to their session.

use axum::extract::Request;
use axum::http::header::SET_COOKIE;
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

/// On a response whose request named a session the store did not hold,
/// and which wrote nothing to the session.
#[derive(Clone, Copy)]
struct NamedNoSession;

/// Inside the session layer: notes whether the request's cookie named no
/// stored session. The session's id is the cookie's until something loads
/// the session; tower-sessions forgets it when the store has no such
/// record, and also when the session is flushed or its id cycled, which
/// mark the session modified.
pub async fn note_unknown_session(session: Session, request: Request, next: Next) -> Response {
    let named = session.id().is_some();
    let mut response = next.run(request).await;
    if named && session.id().is_none() && !session.is_modified() {
        response.extensions_mut().insert(NamedNoSession);
    }
    response
}

/// Outside the session layer: drops the session cookie's removal from a
/// response `note_unknown_session` marked.
pub async fn keep_unknown_session_cookie(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if response.extensions().get::<NamedNoSession>().is_some() {
        let headers = response.headers_mut();
        let prefix = format!("{}=", super::COOKIE_NAME);
        let kept: Vec<_> = (headers.get_all(SET_COOKIE).iter())
            .filter(|cookie| !cookie.as_bytes().starts_with(prefix.as_bytes()))
            .cloned()
            .collect();
        headers.remove(SET_COOKIE);
        for cookie in kept {
            headers.append(SET_COOKIE, cookie);
        }
    }
    response
}
