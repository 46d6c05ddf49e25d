//! regboard_app's `AuditService`, implemented by [`AuditLog`]: a filter
//! mistake crosses to the browser as a sentence, anything else as an
//! internal error (logged with its cause by `crate::error`).

use regboard_app::model::audit::{
    AuditEventPage, AuditEventView, AuditFilter, AuditScope, ChainHead,
};
use regboard_app::services::AuditService;
use regboard_app::AppError;

use super::{query, AuditLog};

#[async_trait::async_trait]
impl AuditService for AuditLog {
    async fn page(
        &self,
        scope: &AuditScope,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<AuditEventPage, AppError> {
        Ok(AuditLog::page(self, scope, filter, before, limit).await?)
    }

    async fn event(&self, scope: &AuditScope, id: i64) -> Result<Option<AuditEventView>, AppError> {
        Ok(AuditLog::event(self, scope, id).await?)
    }

    async fn head(&self) -> Result<ChainHead, AppError> {
        Ok(query::head(&self.db).await?)
    }
}
