//! A cap on every request body, applied before the session, the guard and
//! any handler see the request, so an oversized one changes nothing.
//!
//! ```text
//! Content-Length over the cap ─► 413 (nothing read)
//! otherwise read up to the cap ─► over it (chunked, or a lying length) ─► 413
//!                               └► the buffered body goes on to the route
//! ```
//!
//! No route takes an upload (the audit export is a download), so one cap
//! fits all: [`MAX_BODY`]. A server function gets the 413 as the JSON
//! `AppError` it decodes; any other path gets the sentence as plain text.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt as _;
use regboard_app::AppError;

use super::guard::refusal;

/// The largest request body accepted, in bytes. The largest legitimate form
/// is a registry at its validation limits (20 hosts of ~250 characters,
/// each with its own login and a service-account key as password, a
/// 500-character description of 4-byte characters): 70 KiB (71,867 bytes)
/// form-encoded (`limits::the_largest_legitimate_registry_form…` prints
/// it). 256 KiB leaves room for longer tokens and refuses anything meant to
/// fill memory or the database.
pub const MAX_BODY: usize = 256 * 1024;

/// Why a body was not passed on.
enum Refused {
    /// Longer than the cap.
    TooLarge,
    /// The client broke off or sent a malformed body.
    Unreadable,
}

/// The middleware; see the module documentation.
pub async fn middleware(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if declared_length(req.headers()).is_some_and(|n| n > MAX_BODY as u64) {
        return too_large(&path);
    }
    let (parts, body) = req.into_parts();
    match read_capped(body, MAX_BODY).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(Refused::TooLarge) => too_large(&path),
        Err(Refused::Unreadable) => {
            let mut response = refusal(
                &path,
                AppError::Invalid {
                    field: None,
                    message: "The request could not be read.".into(),
                },
            );
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
    }
}

/// The `Content-Length` the client declared, if any.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Reads `body` whole, or stops as soon as it passes `cap` bytes.
async fn read_capped(body: Body, cap: usize) -> Result<Bytes, Refused> {
    let mut stream = body.into_data_stream();
    let mut buffer = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Refused::Unreadable)?;
        if buffer.len() + chunk.len() > cap {
            return Err(Refused::TooLarge);
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buffer))
}

/// The 413 answer, in the shape the caller of `path` reads.
fn too_large(path: &str) -> Response {
    tracing::warn!(limit = MAX_BODY, "refused a request body over the limit");
    let error = AppError::Invalid {
        field: None,
        message: format!(
            "The request is too large: regboard accepts at most {} KiB per request.",
            MAX_BODY / 1024
        ),
    };
    let mut response = refusal(path, error);
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    response
}
