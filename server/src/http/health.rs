//! Liveness and readiness.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use crate::state::AppState;

/// 200 while the process runs.
pub async fn healthz() -> &'static str {
    "ok"
}

/// 200 only when every dependency answers; 503 with what is down otherwise.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let database = crate::db::ping(&state.db).await;
    let cluster = state.cluster.status.current();
    let cluster_ok = cluster.problem.is_none();
    let ready = database && cluster_ok;
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "ready": ready,
        "database": if database { "ok" } else { "unavailable" },
        "cluster": match &cluster.problem {
            None => json!("ok"),
            Some(problem) => json!(problem),
        },
    });
    (code, Json(body))
}
