//! One module per page (or per area while an area is a single page).

mod account;
mod home;
mod market;
pub(crate) mod orders;
mod portfolio;
mod simple;
mod status;
mod stock;

pub use account::{
    ForgotPasswordRoute, MeRoute, ResetPasswordRoute, SignInRoute, SignUpRoute, SocialSignUpRoute,
    VerifyRoute,
};
pub use market::MarketPage;
pub use orders::OrdersRoute;
pub use portfolio::PortfolioRoute;
pub use simple::{
    CommunityPage, ErrorPage, HomePage, NotFoundPage, RankingPage, RoundsPage, StatusPage,
};
pub use stock::StockRoute;

/// Sets the HTTP status of the page being rendered on the server; a no-op in
/// the browser, where the response has long been sent.
#[cfg_attr(not(feature = "ssr"), allow(unused_variables))]
fn respond_with_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        response.set_status(status);
    }
}
