//! The [`AccountPort`] the UI's server functions call: finds the session
//! and the client address in the request and hands over to the same
//! [`Caller`] the JSON routes use. A refusal gets the same HTTP status as
//! on the JSON routes (401, 403, 410, 422, 429, ...), not a blanket 500.

use super::routes::{Caller, reset_password};
use super::{AccountError, Accounts};
use app::api::AppError;
use app::auth::{Profile, SignUpForm};
use app::ports::AccountPort;
use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tower_sessions::Session;

pub struct AccountsForUi(pub Accounts);

fn session(request: &Parts) -> Result<&Session, AccountError> {
    request
        .extensions
        .get::<Session>()
        .ok_or_else(|| AccountError::Session("no session layer".to_owned()))
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

/// The shared error, with the response's status set to the refusal's own.
fn refuse(err: AccountError) -> AppError {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(err.status());
    }
    AppError::from(err)
}

impl AccountsForUi {
    fn caller<'a>(&'a self, request: &'a Parts) -> Result<Caller<'a>, AccountError> {
        Ok(Caller::new(
            &self.0,
            session(request)?,
            client_ip(request, &self.0.trusted_proxies),
        ))
    }
}

#[async_trait::async_trait]
impl AccountPort for AccountsForUi {
    async fn current(&self, request: &Parts) -> Result<Option<Profile>, AppError> {
        self.caller(request)
            .map_err(refuse)?
            .current()
            .await
            .map_err(refuse)
    }

    async fn sign_up(&self, request: &Parts, form: SignUpForm) -> Result<(), AppError> {
        self.caller(request)
            .map_err(refuse)?
            .sign_up(&form)
            .await
            .map_err(refuse)
    }

    async fn verify_email(&self, token: String) -> Result<(), AppError> {
        self.0.verify_email(&token).await.map_err(refuse)
    }

    async fn resend_verification(&self, request: &Parts, email: String) -> Result<(), AppError> {
        self.0
            .resend_verification(&email, client_ip(request, &self.0.trusted_proxies))
            .await
            .map_err(refuse)
    }

    async fn sign_in(
        &self,
        request: &Parts,
        email: String,
        password: String,
    ) -> Result<Profile, AppError> {
        self.caller(request)
            .map_err(refuse)?
            .sign_in(&email, &password)
            .await
            .map_err(refuse)
    }

    async fn sign_out(&self, request: &Parts) -> Result<(), AppError> {
        self.caller(request)
            .map_err(refuse)?
            .sign_out()
            .await
            .map_err(refuse)
    }

    async fn request_reset(&self, request: &Parts, email: String) -> Result<(), AppError> {
        self.0
            .request_reset(&email, client_ip(request, &self.0.trusted_proxies))
            .await
            .map_err(refuse)
    }

    async fn reset_password(&self, token: String, new_password: String) -> Result<(), AppError> {
        reset_password(&self.0, &token, &new_password)
            .await
            .map_err(refuse)
    }

    async fn change_password(
        &self,
        request: &Parts,
        current_password: String,
        new_password: String,
    ) -> Result<(), AppError> {
        self.caller(request)?
            .change_password(&current_password, &new_password)
            .await
            .map_err(refuse)
    }

    async fn change_nickname(&self, request: &Parts, nickname: String) -> Result<String, AppError> {
        self.caller(request)
            .map_err(refuse)?
            .change_nickname(&nickname)
            .await
            .map_err(refuse)
    }

    async fn delete(&self, request: &Parts, password: String) -> Result<(), AppError> {
        self.caller(request)
            .map_err(refuse)?
            .delete(&password)
            .await
            .map_err(refuse)
    }

    async fn complete_social(
        &self,
        request: &Parts,
        nickname: String,
        claim_guest: bool,
    ) -> Result<Profile, AppError> {
        self.caller(request)
            .map_err(refuse)?
            .social_sign_up(&nickname, claim_guest)
            .await
            .map_err(refuse)
    }
}

#[cfg(test)]
mod tests {
    use super::behind_proxies;
    use std::net::IpAddr;

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
}
