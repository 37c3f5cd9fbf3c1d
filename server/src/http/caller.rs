//! Who a request comes from, found once for the JSON routes and the UI's
//! server functions alike: its session and the principal the session speaks
//! for ([`Caller`]), the client's address (for the guessing limits), and,
//! for a trading call, the account it acts on ([`Acting`]: `?account=` on a
//! route, an argument of a server function; the main account when
//! omitted). Ownership of that account is checked by `crate::trading`.

use super::{ApiError, AppState};
use crate::sessions::Principal;
use crate::trading::AccountRef;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tower_sessions::Session;

/// A request's session and address.
#[derive(Clone)]
pub struct Caller {
    pub session: Session,
    pub ip: IpAddr,
    pub(super) state: AppState,
}

impl Caller {
    /// The caller of the request `parts` belong to (a server function
    /// finds them in its context).
    pub fn of(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
        let session = parts.extensions.get::<Session>().cloned().ok_or_else(|| {
            ApiError::Session(crate::sessions::SessionError::Store(
                "no session layer".to_owned(),
            ))
        })?;
        Ok(Caller {
            session,
            ip: client_ip(parts, &state.trusted_proxies),
            state: state.clone(),
        })
    }

    /// Who the session speaks for, if anyone.
    pub async fn principal(&self) -> Result<Option<Principal>, ApiError> {
        Ok(self.state.sessions.principal(&self.session).await?)
    }

    /// Who the session speaks for; `NoSession` if nobody.
    pub async fn require(&self) -> Result<Principal, ApiError> {
        self.principal().await?.ok_or(ApiError::NoSession)
    }

    /// Who the session speaks for; a guest made now if nobody (a first
    /// order or star from the page, `POST /api/v1/session`), within the
    /// address's limit of new guests.
    pub async fn principal_or_guest(&self) -> Result<Principal, ApiError> {
        if let Some(principal) = self.principal().await? {
            return Ok(principal);
        }
        self.state.floods.guest(self.ip).await?;
        let now = self.state.clock.now_ms();
        Ok(self
            .state
            .sessions
            .principal_or_guest(&self.session, now)
            .await?)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Caller::of(parts, state)
    }
}

/// A trading route's caller: the user it acts for and which of their
/// accounts (`?account=<id>`, else the main one). A route without a
/// session is refused (`401 unauthenticated`).
pub struct Acting {
    pub user: i64,
    pub account: AccountRef,
    /// Where the request came from (for the flood limits).
    pub ip: IpAddr,
}

impl FromRequestParts<AppState> for Acting {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let account = account_param(&parts.uri)?;
        let caller = Caller::of(parts, state)?;
        let principal = caller.require().await?;
        Ok(Acting {
            user: principal.user_id(),
            account,
            ip: caller.ip,
        })
    }
}

/// `account=<id>` in the address's query: a whole number, `main`, or
/// absent (the main account).
pub fn account_param(uri: &axum::http::Uri) -> Result<AccountRef, ApiError> {
    let params =
        axum::extract::Query::<std::collections::HashMap<String, String>>::try_from_uri(uri)
            .map(|query| query.0)
            .unwrap_or_default();
    match params.get("account").map(String::as_str) {
        None | Some("") | Some("main") => Ok(AccountRef::Main),
        Some(raw) => raw.parse().map(AccountRef::Id).map_err(|_| {
            ApiError::invalid(
                "account",
                "계좌 번호(0 이상의 정수)여야 합니다.",
                "Must be an account id (a whole number of 0 or more).",
            )
        }),
    }
}

/// The address a request came from, for the guessing limits: the TCP
/// peer, unless the peer is one of `trusted` proxies; then the nearest
/// address in `X-Forwarded-For` that is not itself a trusted proxy. Entries
/// further left were written by the client and could be anything, so they
/// are never believed past the first untrusted hop.
pub fn client_ip(request: &Parts, trusted: &[IpAddr]) -> IpAddr {
    let peer = request
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    let forwarded = request
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    behind_proxies(peer, &forwarded, trusted)
}

fn behind_proxies(peer: IpAddr, forwarded: &str, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return ip,
            Err(_) => return client,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        // No proxy trusted: the peer, whatever the header says.
        assert_eq!(
            behind_proxies(ip("203.0.113.9"), "1.2.3.4", &[]),
            ip("203.0.113.9")
        );
        // A peer that is not a trusted proxy cannot pick its address.
        assert_eq!(
            behind_proxies(ip("203.0.113.9"), "1.2.3.4", &proxies),
            ip("203.0.113.9")
        );
        // Behind the proxy: the nearest untrusted hop; the client-written
        // entries further left are ignored.
        assert_eq!(
            behind_proxies(ip("10.0.0.1"), "6.6.6.6, 198.51.100.7", &proxies),
            ip("198.51.100.7")
        );
        assert_eq!(
            behind_proxies(ip("10.0.0.1"), "198.51.100.7, 10.0.0.2", &proxies),
            ip("198.51.100.7")
        );
        // A garbled or missing header: the last trusted hop.
        assert_eq!(
            behind_proxies(ip("10.0.0.1"), "nonsense", &proxies),
            ip("10.0.0.1")
        );
        assert_eq!(behind_proxies(ip("10.0.0.1"), "", &proxies), ip("10.0.0.1"));
    }

    #[test]
    fn the_account_is_a_whole_number_or_the_main_one() {
        let param = |uri: &str| account_param(&uri.parse().unwrap());
        assert_eq!(param("/orders").unwrap(), AccountRef::Main);
        assert_eq!(param("/orders?symbol=1").unwrap(), AccountRef::Main);
        assert_eq!(param("/orders?account=main").unwrap(), AccountRef::Main);
        assert_eq!(
            param("/orders?limit=2&account=17").unwrap(),
            AccountRef::Id(17)
        );
        for bad in [
            "account=-1",
            "account=x",
            "account=1.5",
            "account=99999999999999999999",
        ] {
            match param(&format!("/orders?{bad}")) {
                Err(ApiError::Invalid(error)) => assert_eq!(error.field, "account"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
