//! `GET /audit/export?format=csv|jsonl&<filter>`: the audit page's current
//! filter as a download, streamed. The export itself is audited
//! (`audit.export`): reading the log is something reviewers want to see.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use regboard_app::context::Caller;
use regboard_app::model::audit::AuditFilter;
use regboard_app::services::AccessService;
use regboard_app::AppError;

use crate::audit::{export, Actor, AuditLog, AuditTarget, ExportFormat, NewEvent, Origin, Outcome};
use crate::error::Error;
use crate::state::AppState;

/// The handler; see the module documentation. Only events inside the
/// caller's reach are exported (all for admins).
pub async fn export(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
    parts: Parts,
) -> Response {
    let caller = Caller::from_parts(&parts);
    match start(&state, &caller, &pairs).await {
        Ok(response) | Err(response) => response,
    }
}

/// Checks the request, records the export, and starts streaming it.
async fn start(
    state: &AppState,
    caller: &Caller,
    pairs: &[(String, String)],
) -> Result<Response, Response> {
    let Some(user) = caller.user.clone() else {
        return Err((StatusCode::UNAUTHORIZED, "Sign in to continue.").into_response());
    };
    let filter = AuditFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let format = pairs
        .iter()
        .find(|(k, _)| k == "format")
        .map_or("csv", |(_, v)| v.as_str());
    let format: ExportFormat = format.parse().map_err(|e| bad_request(&e))?;
    let scope = state
        .access
        .audit_scope(&user)
        .await
        .map_err(|e| refusal(caller, e))?;
    let pool = state.audit.pool().clone();
    let chunks = export::start(pool, scope, filter.clone(), format).map_err(|e| match e {
        Error::InvalidFilter { .. } => bad_request(&e),
        other => refusal(caller, other.into()),
    })?;
    let details = serde_json::json!({
        "format": format.extension(),
        "filter": filter.normalized(),
    });
    // No unaudited export.
    record(&state.audit, caller, details)
        .await
        .map_err(|e| refusal(caller, e.into()))?;
    Ok(download(format, chunks))
}

/// Appends the `audit.export` event.
async fn record(
    audit: &AuditLog,
    caller: &Caller,
    details: serde_json::Value,
) -> Result<(), Error> {
    let event = NewEvent {
        actor: Actor::of(caller),
        origin: Origin::of(caller),
        action: "audit.export".into(),
        target: AuditTarget {
            kind: "audit".into(),
            ..Default::default()
        },
        outcome: Outcome::Success,
        status_code: None,
        details,
    };
    audit.append(event).await.map(|_| ())
}

/// The streamed file, named by the time of the export.
fn download(
    format: ExportFormat,
    chunks: tokio::sync::mpsc::Receiver<Result<bytes::Bytes, Error>>,
) -> Response {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    // Fused: the compression layer polls its body once more after the end,
    // and an unfused `unfold` panics then (the download is cut short).
    let stream = futures::stream::unfold(chunks, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let body = Body::from_stream(futures::StreamExt::fuse(stream));
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"regboard-audit-{stamp}.{}\"",
                    format.extension()
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// The user's error as a plain-text answer with its status; an internal
/// error names the request (its cause was logged where it was converted).
fn refusal(caller: &Caller, err: AppError) -> Response {
    let err = match err {
        AppError::Internal { .. } => AppError::Internal {
            request_id: caller.request_id.clone().unwrap_or_default(),
        },
        other => other,
    };
    let status =
        StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, format!("{err}\n")).into_response()
}

fn bad_request(err: &Error) -> Response {
    (StatusCode::BAD_REQUEST, format!("{err}\n")).into_response()
}
