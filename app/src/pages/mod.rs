//! One module per page (or per area while an area is a single page).

mod account;
mod area;
mod error;
mod home;
mod market;
mod not_found;
pub(crate) mod orders;
mod portfolio;
mod stock;

pub use account::{
    ForgotPasswordPage, MeRoute, ResetPasswordRoute, SignInRoute, SignUpPage, SocialSignUpPage,
    VerifyRoute,
};
pub use area::{CommunityPage, RankingPage, RoundsPage};
pub use error::ErrorPage;
pub use home::HomePage;
pub use market::MarketPage;
pub use not_found::NotFoundPage;
pub use orders::OrdersPage;
pub use portfolio::PortfolioPage;
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
