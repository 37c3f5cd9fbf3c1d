//! The page an e-mail verification link opens: it sends the link's token
//! once hydrated and says whether the address is now verified.

use crate::api::AppError;
use crate::auth::verify_email;
use crate::components::{PageTitle, Skeleton};
use crate::i18n::tr;
use crate::prefs::use_prefs;
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
        <PageTitle text=tr("이메일 인증", "E-mail verification")/>
        <section class="account">
            <h1>{tr("이메일 인증", "E-mail verification")}</h1>
            {move || match outcome.get() {
                None => view! { <Skeleton lines=2/> }.into_any(),
                Some(Ok(())) => view! {
                    <p class="notice notice--ok" role="status" data-testid="verify-done">
                        {tr("인증이 끝났습니다. 이제 로그인할 수 있습니다.", "Your address is verified. You can sign in now.")}
                    </p>
                    <p><a class="button" href="/sign-in">{tr("로그인", "Sign in")}</a></p>
                }.into_any(),
                Some(Err(err)) => view! {
                    <p class="notice notice--error" role="alert" data-testid="verify-failed">{move || err.message(prefs.lang.get()).to_owned()}</p>
                    <p><a href="/sign-in">{tr("로그인 페이지에서 인증 메일을 다시 받을 수 있습니다.", "You can get a new verification mail from the sign-in page.")}</a></p>
                }.into_any(),
            }}
        </section>
    }
}
