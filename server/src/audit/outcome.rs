//! Recording the outcome of a request that a service handled: the shared
//! step of every service that changes something.

use regboard_app::context::Caller;
use regboard_app::AppError;
use serde_json::{json, Value};

use super::{Actor, AuditLog, AuditTarget, NewEvent, Origin, Outcome};

/// The audit outcome of an error shown to the user, with the HTTP status it
/// stands for.
pub fn failure_outcome(err: &AppError) -> (Outcome, Option<u16>) {
    let outcome = match err {
        AppError::Forbidden(_)
        | AppError::NotAllowed(_)
        | AppError::Unauthenticated(_)
        | AppError::TooManyAttempts { .. } => Outcome::Denied,
        AppError::Conflict(_) => Outcome::Conflict,
        AppError::NotFound(_) | AppError::Invalid { .. } => Outcome::Invalid,
        _ => Outcome::Error,
    };
    let code = err.http_status();
    (outcome, (code != 500).then_some(code))
}

impl AuditLog {
    /// Appends the outcome of `action` on `target` requested by `caller`
    /// (acting as the caller's signed-in user, or anonymous): success, or
    /// the refusal with its message added to `details`. A failure to record
    /// is logged; the change itself stands.
    pub async fn record_result<T>(
        &self,
        caller: &Caller,
        action: &str,
        target: AuditTarget,
        result: &Result<T, AppError>,
        details: Value,
    ) {
        self.record_result_as(Actor::of(caller), caller, action, target, result, details)
            .await;
    }

    /// [`AuditLog::record_result`] with the actor given (e.g. the user who
    /// just signed in, whose request carried no session yet).
    pub async fn record_result_as<T>(
        &self,
        actor: Actor,
        caller: &Caller,
        action: &str,
        target: AuditTarget,
        result: &Result<T, AppError>,
        details: Value,
    ) {
        let (outcome, status_code, details) = match result {
            Ok(_) => (Outcome::Success, None, details),
            Err(e) => {
                let (outcome, code) = failure_outcome(e);
                let details = match details {
                    Value::Object(mut map) => {
                        map.insert("message".into(), json!(e.to_string()));
                        Value::Object(map)
                    }
                    Value::Null => json!({ "message": e.to_string() }),
                    other => json!({ "request": other, "message": e.to_string() }),
                };
                (outcome, code, details)
            }
        };
        let event = NewEvent {
            actor,
            origin: Origin::of(caller),
            action: action.to_owned(),
            target,
            outcome,
            status_code,
            details,
        };
        if let Err(e) = self.append(event).await {
            tracing::error!(error = %e, action, "could not record an audit event");
        }
    }
}

impl Actor {
    /// The signed-in user of `caller`, or anonymous.
    pub fn of(caller: &Caller) -> Self {
        match &caller.user {
            Some(user) => Actor::User {
                id: user.id,
                name: user.name.clone(),
            },
            None => Actor::Anonymous,
        }
    }
}

impl Origin {
    /// The request of `caller`.
    pub fn of(caller: &Caller) -> Self {
        Self {
            request_id: caller.request_id.clone(),
            source_addr: caller.source_addr.clone(),
            user_agent: caller.user_agent.clone(),
        }
    }
}
