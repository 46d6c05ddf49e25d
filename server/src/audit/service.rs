//! regboard_app's `AuditService`, implemented by [`AuditLog`]: errors are
//! logged here with their cause and cross to the browser as a sentence.

use regboard_app::api::audit::{
    AuditEventPage, AuditEventView, AuditFilter, AuditScope, ChainHead,
};
use regboard_app::services::AuditService;
use regboard_app::AppError;

use super::{query, AuditLog};
use crate::error::Error;

#[async_trait::async_trait]
impl AuditService for AuditLog {
    async fn page(
        &self,
        scope: &AuditScope,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<AuditEventPage, AppError> {
        let request_id = request_id();
        AuditLog::page(self, scope, filter, before, limit)
            .await
            .map_err(|e| to_app_error(e, request_id))
    }

    async fn event(&self, scope: &AuditScope, id: i64) -> Result<Option<AuditEventView>, AppError> {
        let request_id = request_id();
        AuditLog::event(self, scope, id)
            .await
            .map_err(|e| to_app_error(e, request_id))
    }

    async fn head(&self) -> Result<ChainHead, AppError> {
        let request_id = request_id();
        query::head(&self.db)
            .await
            .map_err(|e| to_app_error(e, request_id))
    }
}

/// Read before the first await, while the request's context is current.
fn request_id() -> String {
    regboard_app::services::caller()
        .request_id
        .unwrap_or_else(|| "unknown".into())
}

/// A filter mistake is the user's to fix; anything else is logged and
/// reported by request id only.
fn to_app_error(err: Error, request_id: String) -> AppError {
    match err {
        Error::InvalidFilter { field, reason } => AppError::Invalid {
            field: Some(field.to_owned()),
            message: format!("The {field} filter {reason}."),
        },
        other => {
            tracing::error!(error = %other, "reading the audit log failed");
            AppError::Internal { request_id }
        }
    }
}
