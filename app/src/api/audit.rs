//! The audit log: server functions for its page, one event and the chain
//! head. Each passes the caller's [`AuditScope`] to the service: admins see
//! every event, others the events inside what their grants reach.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::call;
pub use crate::model::audit::*;
use crate::AppError;

/// One page of the events the caller may see that match `filter`, older
/// than the event `before` when given.
#[server(endpoint = "audit_page")]
pub async fn get_audit_page(
    // An all-empty filter is sent as nothing at all; default it.
    #[server(default)] filter: AuditFilter,
    before: Option<i64>,
    limit: Option<u32>,
) -> Result<AuditEventPage, AppError> {
    let limit = limit.unwrap_or(PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    call::signed_in(|ctx| async move {
        let scope = ctx.services.access.audit_scope(&ctx.user).await?;
        let audit = &ctx.services.audit;
        audit.page(&scope, &filter, before, limit).await
    })
    .await
}

/// One event, if it exists and the caller may see it.
#[server(endpoint = "audit_event")]
pub async fn get_audit_event(id: i64) -> Result<Option<AuditEventView>, AppError> {
    call::signed_in(|ctx| async move {
        let scope = ctx.services.access.audit_scope(&ctx.user).await?;
        ctx.services.audit.event(&scope, id).await
    })
    .await
}

/// The number of events and the newest hash.
#[server(endpoint = "audit_head")]
pub async fn get_audit_head() -> Result<ChainHead, AppError> {
    call::signed_in(|ctx| async move { ctx.services.audit.head().await }).await
}
