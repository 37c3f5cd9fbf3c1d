//! The page an e-mail verification link opens: it sends the link's token
//! once hydrated (a POST: a mail scanner that fetches the link uses
//! nothing) and says whether the address is now verified. A verified
//! member is signed in on this browser, and the header shows it at once.

use crate::api::AppError;
use crate::auth::{Profile, verify_email};
use crate::components::{PageTitle, Skeleton};
use crate::i18n::fill;
use crate::prefs::{t, use_prefs};
use crate::realtime::go_live;
use crate::viewer::{Viewer, use_viewer};
use leptos::prelude::*;

/// The page a verification link opens: it verifies on load.
#[component]
pub(super) fn VerifyPage(token: String) -> impl IntoView {
    go_live();
    let prefs = use_prefs();
    let viewer = use_viewer();
    let outcome = RwSignal::new(None::<Result<Profile, AppError>>);
    Effect::new(move |_| {
        let token = token.clone();
        leptos::task::spawn_local(async move {
            let answer = verify_email(token).await;
            if let Ok(profile) = &answer {
                viewer.try_set(Some(Viewer {
                    nickname: profile.nickname.clone(),
                    email: profile.email.clone(),
                }));
            }
            outcome.try_set(Some(answer));
        });
    });
    view! {
        <PageTitle text=t(|x| x.verify_title)/>
        <section class="account">
            <h1>{t(|x| x.verify_title)}</h1>
            {move || match outcome.get() {
                None => view! { <Skeleton lines=2/> }.into_any(),
                Some(Ok(profile)) => view! {
                    <p class="notice notice--ok" role="status" data-testid="verify-done">
                        {move || fill(prefs.texts().verify_done, &[("nickname", &profile.nickname)])}
                    </p>
                    <p class="account__actions">
                        <a class="button" href="/market">{t(|x| x.verify_start)}</a>
                        <a class="chip" href="/me">{t(|x| x.nav_me)}</a>
                    </p>
                }.into_any(),
                Some(Err(err)) => view! {
                    <p class="notice notice--error" role="alert" data-testid="verify-failed">{move || err.message(prefs.lang.get()).to_owned()}</p>
                    <p><a href="/sign-in">{t(|x| x.verify_failed_hint)}</a></p>
                }.into_any(),
            }}
        </section>
    }
}
