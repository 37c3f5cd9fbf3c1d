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

pub fn client_ip(request: &Parts) -> IpAddr {
    request
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
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
        Ok(Caller::new(&self.0, session(request)?, client_ip(request)))
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
            .resend_verification(&email, client_ip(request))
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
            .request_reset(&email, client_ip(request))
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
