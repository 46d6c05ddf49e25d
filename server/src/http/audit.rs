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

use crate::audit::{export, Actor, AuditTarget, ExportFormat, NewEvent, Origin, Outcome};
use crate::error::Error;
use crate::state::AppState;

/// The handler; see the module documentation. Only events inside the
/// caller's reach are exported (all for admins).
pub async fn export(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
    parts: Parts,
) -> Response {
    let AppState { audit, access, .. } = state;
    let caller = Caller::from_parts(&parts);
    let Some(user) = caller.user.clone() else {
        return (StatusCode::UNAUTHORIZED, "Sign in to continue.").into_response();
    };
    let filter = AuditFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let format = pairs
        .iter()
        .find(|(k, _)| k == "format")
        .map_or("csv", |(_, v)| v.as_str());
    let format: ExportFormat = match format.parse() {
        Ok(f) => f,
        Err(e) => return bad_request(&e),
    };
    let scope = match access.audit_scope(&user).await {
        Ok(scope) => scope,
        Err(e) => {
            return (
                StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                e.to_string(),
            )
                .into_response()
        }
    };
    let chunks = match export::start(audit.pool().clone(), scope, filter.clone(), format) {
        Ok(rx) => rx,
        Err(e @ Error::InvalidFilter { .. }) => return bad_request(&e),
        Err(e) => return internal(&e),
    };
    let recorded = audit
        .append(NewEvent {
            actor: Actor::of(&caller),
            origin: Origin::of(&caller),
            action: "audit.export".into(),
            target: AuditTarget {
                kind: "audit".into(),
                ..Default::default()
            },
            outcome: Outcome::Success,
            status_code: None,
            details: serde_json::json!({
                "format": format.extension(),
                "filter": filter.normalized(),
            }),
        })
        .await;
    if let Err(e) = recorded {
        // No unaudited export.
        return internal(&e);
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let body = Body::from_stream(futures::stream::unfold(chunks, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    }));
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

fn bad_request(err: &Error) -> Response {
    (StatusCode::BAD_REQUEST, format!("{err}\n")).into_response()
}

fn internal(err: &Error) -> Response {
    tracing::error!(error = %err, "audit export failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "the export failed; the details are in the server log\n",
    )
        .into_response()
}
