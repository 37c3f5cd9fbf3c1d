//! The Content-Security-Policy for rendered pages. It lives next to the views
//! because it must name exactly what they load: our own script and WASM (the
//! inline hydration bootstrap is allowed by this response's nonce), our own
//! stylesheet, and websockets back to the same origin. Everything else,
//! including framing by other sites, is refused.

use leptos::nonce::use_nonce;
use leptos::prelude::*;

pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'none'; \
         script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; \
         img-src 'self' data:; \
         font-src 'self'; \
         connect-src 'self'; \
         manifest-src 'self'; \
         worker-src 'self'; \
         base-uri 'none'; \
         form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Adds the policy with this response's nonce to the page being rendered.
pub fn send_content_security_policy() {
    let (Some(nonce), Some(response)) =
        (use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    if let Ok(value) = http::HeaderValue::from_str(&content_security_policy(&nonce)) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
