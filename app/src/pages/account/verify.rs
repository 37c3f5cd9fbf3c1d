//! The page an e-mail verification link opens: it sends the link's token
//! once hydrated and says whether the address is now verified.

use crate::api::AppError;
use crate::auth::verify_email;
use crate::components::{PageTitle, Skeleton};
use crate::prefs::{t, use_prefs};
use crate::realtime::go_live;
use leptos::prelude::*;

/// The page a verification link opens: it verifies on load.
#[component]
pub(super) fn VerifyPage(token: String) -> impl IntoView {
    go_live();
    let prefs = use_prefs();
    let outcome = RwSignal::new(None::<Result<(), AppError>>);
    Effect::new(move |_| {
        let token = token.clone();
        leptos::task::spawn_local(async move {
            outcome.try_set(Some(verify_email(token).await));
        });
    });
    view! {
        <PageTitle text=t(|x| x.verify_title)/>
        <section class="account">
            <h1>{t(|x| x.verify_title)}</h1>
            {move || match outcome.get() {
                None => view! { <Skeleton lines=2/> }.into_any(),
                Some(Ok(())) => view! {
                    <p class="notice notice--ok" role="status" data-testid="verify-done">
                        {t(|x| x.verify_done)}
                    </p>
                    <p><a class="button" href="/sign-in">{t(|x| x.account_sign_in)}</a></p>
                }.into_any(),
                Some(Err(err)) => view! {
                    <p class="notice notice--error" role="alert" data-testid="verify-failed">{move || err.message(prefs.lang.get()).to_owned()}</p>
                    <p><a href="/sign-in">{t(|x| x.verify_failed_hint)}</a></p>
                }.into_any(),
            }}
        </section>
    }
}
