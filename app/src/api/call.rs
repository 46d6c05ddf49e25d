//! The one wrapper around every server function's body (server side only).
//!
//! ```text
//! server fn ─► call::{anyone, signed_in, admin}(…, body)
//!                ├─ context::caller()          who calls, request id
//!                ├─ authz                      401 / audited 403
//!                ├─ body(ctx)                  the service call
//!                └─ finish                     request id into an internal error,
//!                                              HTTP status (+ Retry-After) of the error
//! ```

use std::future::Future;

use super::authz::{self, Anyone, Ctx};
use crate::context::Caller;
use crate::AppError;

/// Runs `body` for any caller, signed in or not.
pub async fn anyone<T, Fut>(body: impl FnOnce(Anyone) -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    let caller = crate::context::caller();
    let result = match authz::anyone(caller.clone()) {
        Ok(ctx) => body(ctx).await,
        Err(e) => Err(e),
    };
    finish(&caller, result)
}

/// Runs `body` for a signed-in caller; anyone else gets "Sign in to continue."
pub async fn signed_in<T, Fut>(body: impl FnOnce(Ctx) -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    let caller = crate::context::caller();
    let result = match authz::signed_in(caller.clone()) {
        Ok(ctx) => body(ctx).await,
        Err(e) => Err(e),
    };
    finish(&caller, result)
}

/// Runs `body` for a global admin; anyone else gets the refusal, audited
/// as `action` and worded as "permission to `what`".
pub async fn admin<T, Fut>(
    action: &str,
    what: &str,
    body: impl FnOnce(Ctx) -> Fut,
) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    let caller = crate::context::caller();
    let result = match authz::admin(caller.clone(), action, what).await {
        Ok(ctx) => body(ctx).await,
        Err(e) => Err(e),
    };
    finish(&caller, result)
}

/// Names the request in an internal error (so the user can quote it and the
/// operator find the cause logged in that request's span), and gives the
/// response the status the error stands for: a refused name is a 409, not a
/// server failure.
fn finish<T>(caller: &Caller, result: Result<T, AppError>) -> Result<T, AppError> {
    let result = result.map_err(|e| match e {
        AppError::Internal { request_id } if request_id.is_empty() => AppError::Internal {
            request_id: caller.request_id.clone().unwrap_or_default(),
        },
        other => other,
    });
    if let Err(e) = &result {
        set_status(e);
    }
    result
}

fn set_status(e: &AppError) {
    let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    if let Ok(code) = http::StatusCode::from_u16(e.http_status()) {
        response.set_status(code);
    }
    if let Some(secs) = e.retry_after_secs() {
        response.insert_header(http::header::RETRY_AFTER, secs.into());
    }
}
