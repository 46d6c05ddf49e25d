//! Cross-site request refusal and the security headers of every response.
//!
//! CSRF: a state-changing request (anything but GET, HEAD, OPTIONS) is
//! refused when the browser says it comes from another site
//! (`Sec-Fetch-Site: cross-site` or `same-site`) or, from a browser that
//! does not send that header, when its `Origin` is not this host. Requests
//! with neither header do not come from a browser page (curl, the CLI) and
//! carry no ambient cookie risk. The session cookie is SameSite=Strict too.
//!
//! Headers: a Content-Security-Policy with a fresh nonce per request (the
//! same nonce Leptos puts on its inline scripts, see [`CspNonce`]),
//! `frame-ancestors 'none'`, nosniff, a Referrer-Policy, and the
//! `Cache-Control` of [`cache_control`]: `no-store` on everything but the
//! static assets, which are cached for a year when their name carries their
//! content's hash (cargo-leptos `hash-files`) and revalidated otherwise.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use rand::RngCore as _;
use regboard_app::AppError;

use super::guard::refusal;

/// The CSP nonce of the current request, in the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspNonce(pub String);

/// The middleware; see the module documentation.
pub async fn middleware(mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if let Some(reason) = cross_site(req.method(), req.headers()) {
        tracing::warn!(reason, "refused a cross-site request");
        let mut response = refusal(
            &path,
            AppError::NotAllowed("This request came from another site and was refused.".into()),
        );
        add_headers(response.headers_mut(), &path, &new_nonce(), false);
        return response;
    }
    let nonce = new_nonce();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(req).await;
    let ok = response.status().is_success();
    add_headers(response.headers_mut(), &path, &nonce, ok);
    response
}

/// Why a request must be refused as cross-site, if it must.
pub fn cross_site(method: &Method, headers: &HeaderMap) -> Option<&'static str> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let text = |name: header::HeaderName| headers.get(name).map(|v| v.to_str().unwrap_or("?"));
    match headers
        .get("sec-fetch-site")
        .map(|v| v.to_str().unwrap_or("?"))
    {
        Some("same-origin" | "none") => None,
        Some(_) => Some("Sec-Fetch-Site is not same-origin"),
        None => match text(header::ORIGIN) {
            None => None,
            Some(origin) => {
                let host = text(header::HOST).unwrap_or("");
                let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
                if !host.is_empty() && origin_host.eq_ignore_ascii_case(host) {
                    None
                } else {
                    Some("Origin does not match Host")
                }
            }
        },
    }
}

fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The Content-Security-Policy for a response whose inline scripts carry `nonce`.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

fn add_headers(headers: &mut HeaderMap, path: &str, nonce: &str, ok: bool) {
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set("content-security-policy", &content_security_policy(nonce));
    set("x-content-type-options", "nosniff");
    set("x-frame-options", "DENY");
    set("referrer-policy", "no-referrer");
    set("cross-origin-opener-policy", "same-origin");
    set("cache-control", cache_control(path, ok));
}

/// The `Cache-Control` of the response to `path` (`ok`: a 2xx): pages,
/// server functions, errors and everything dynamic are never stored; a
/// content-hashed file never changes under its name, so it is immutable;
/// any other static file (`/favicon.svg`, an unhashed development build)
/// is revalidated.
pub fn cache_control(path: &str, ok: bool) -> &'static str {
    if !ok || !is_static_asset(path) {
        "no-store"
    } else if path.starts_with("/pkg/") && has_content_hash(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// Whether the file name in `path` is `stem.HASH.ext` with the 22-character
/// base64url MD5 that cargo-leptos puts there (`regboard.Xy…Q.wasm`).
fn has_content_hash(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts.get(parts.len() - 2).is_some_and(|hash| {
            hash.len() == 22
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Whether `path` is one of the site's static files (the wasm bundle, CSS,
/// icons), which need no session and may be cached.
pub fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg" || path == "/favicon.ico"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn cross_site_posts_are_refused_same_origin_ones_pass() {
        let post = Method::POST;
        assert!(cross_site(&post, &headers(&[("sec-fetch-site", "cross-site")])).is_some());
        assert!(cross_site(&post, &headers(&[("sec-fetch-site", "same-site")])).is_some());
        assert!(cross_site(&post, &headers(&[("sec-fetch-site", "same-origin")])).is_none());
        assert!(cross_site(
            &post,
            &headers(&[("host", "a:1"), ("origin", "http://evil:1")])
        )
        .is_some());
        assert!(cross_site(&post, &headers(&[("host", "a:1"), ("origin", "null")])).is_some());
        assert!(cross_site(
            &post,
            &headers(&[("host", "a:1"), ("origin", "http://a:1")])
        )
        .is_none());
        assert!(
            cross_site(&post, &headers(&[])).is_none(),
            "no browser, no ambient cookie"
        );
        assert!(cross_site(&Method::GET, &headers(&[("sec-fetch-site", "cross-site")])).is_none());
        assert!(cross_site(
            &Method::DELETE,
            &headers(&[("sec-fetch-site", "cross-site")])
        )
        .is_some());
    }

    #[test]
    fn only_content_hashed_assets_are_immutable() {
        let immutable = "public, max-age=31536000, immutable";
        assert_eq!(
            cache_control("/pkg/regboard.uPyMtWDJGBAU8LW1-W_wBQ.wasm", true),
            immutable
        );
        assert_eq!(
            cache_control("/pkg/regboard.uPyMtWDJGBAU8LW1-W_wBQ.js", true),
            immutable
        );
        assert_eq!(cache_control("/pkg/regboard.wasm", true), "no-cache");
        assert_eq!(cache_control("/pkg/regboard.short.css", true), "no-cache");
        assert_eq!(cache_control("/favicon.svg", true), "no-cache");
        assert_eq!(
            cache_control("/pkg/regboard.uPyMtWDJGBAU8LW1-W_wBQ.wasm", false),
            "no-store",
            "a 404 is not cached"
        );
        assert_eq!(cache_control("/registries", true), "no-store");
        assert_eq!(cache_control("/api/list_registries", true), "no-store");
        assert_eq!(
            cache_control("/x/regboard.uPyMtWDJGBAU8LW1-W_wBQ.js", true),
            "no-store"
        );
    }

    #[test]
    fn the_policy_names_the_nonce_and_forbids_framing() {
        let csp = content_security_policy("abc");
        assert!(csp.contains("'nonce-abc'"));
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
