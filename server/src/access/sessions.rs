//! Signing in and out, the first admin, password changes, and judging a
//! session on each request.

use regboard_app::context::{Caller, Principal, RequestSession};
use regboard_app::domain::secret::Password;
use regboard_app::model::access::CurrentUser;
use regboard_app::AppError;
use serde_json::json;
use tower_sessions::Session;

use super::{capped, current, store, target, valid_name, Access};
use crate::audit::Actor;
use crate::auth::{check_new_password, AuthRecord, UserState, Verdict};
use crate::error::{internal, Error};

/// The session key holding the [`AuthRecord`].
pub const AUTH_KEY: &str = "regboard.auth";

/// Bytes of a name typed into a refused sign-in or setup that are recorded.
pub const TYPED_NAME_BYTES: usize = 64;
/// Bytes of a typed name the throttle keys on (names have at most 64).
const THROTTLE_KEY_BYTES: usize = 65;

/// The audit details naming what a stranger typed as a user name: at most
/// [`TYPED_NAME_BYTES`] of it, with `name_cut` when it was longer.
fn typed_name(name: &str) -> serde_json::Value {
    let shown = capped(name, TYPED_NAME_BYTES);
    if shown.len() < name.len() {
        json!({ "name": shown, "name_cut": true, "name_bytes": name.len() })
    } else {
        json!({ "name": shown })
    }
}

/// The one answer to a refused sign-in, whatever the reason.
const WRONG: &str = "The user name or password is not right.";

impl Access {
    /// The signed-in user of `session`, if it still stands; an ended
    /// session is removed from the store.
    pub async fn resolve(&self, session: &Session) -> Option<Principal> {
        let record = match session.get::<AuthRecord>(AUTH_KEY).await {
            Ok(Some(record)) => record,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read a session");
                return None;
            }
        };
        let user = match store::user_by_id(&self.db, record.user_id).await {
            Ok(user) => user,
            Err(e) => {
                // Fail closed for this request, but keep the session.
                tracing::error!(error = %e, "cannot read a session's user");
                return None;
            }
        };
        let state = user.as_ref().map(|u| UserState {
            disabled: u.disabled,
            epoch: u.session_epoch,
        });
        let now = self.clock.now_ms();
        match self.policy.verdict(&record, state, now) {
            Verdict::Ended(reason) => {
                tracing::info!(user_id = record.user_id, reason, "session ended");
                if let Err(e) = session.flush().await {
                    tracing::warn!(error = %e, "cannot remove an ended session");
                }
                None
            }
            Verdict::Valid { touch } => {
                if touch {
                    let seen = AuthRecord {
                        seen_ms: now,
                        ..record
                    };
                    if let Err(e) = session.insert(AUTH_KEY, seen).await {
                        tracing::warn!(error = %e, "cannot refresh a session");
                    }
                }
                let user = user?;
                Some(Principal {
                    id: user.id,
                    name: user.name,
                    admin: user.admin,
                })
            }
        }
    }

    /// Starts a new session (new id) for `user` under its current epoch.
    async fn start_session(
        &self,
        session: &RequestSession,
        user: &store::UserRow,
    ) -> Result<(), AppError> {
        let session = session_of(session)?;
        let now = self.clock.now_ms();
        let record = AuthRecord {
            user_id: user.id,
            epoch: user.session_epoch,
            issued_ms: now,
            seen_ms: now,
        };
        session.cycle_id().await.map_err(internal)?;
        session.insert(AUTH_KEY, record).await.map_err(internal)
    }

    pub(super) async fn sign_in(
        &self,
        caller: &Caller,
        session: &RequestSession,
        name: &str,
        password: &Password,
    ) -> Result<CurrentUser, AppError> {
        let name = name.trim();
        let address = caller.source_addr.as_deref();
        let failed = |e: AppError| async move {
            let result: Result<(), AppError> = Err(e.clone());
            self.audit
                .record_result_as(
                    Actor::Anonymous,
                    caller,
                    "session.login.failed",
                    target("session", None, None),
                    &result,
                    typed_name(name),
                )
                .await;
            e
        };
        // No account name is longer than 64 bytes: a longer one is throttled
        // under its prefix rather than remembered whole.
        let key = capped(name, THROTTLE_KEY_BYTES);
        // Counted before the password is checked, so parallel guesses
        // cannot all pass the throttle.
        let attempt = match self.throttle.reserve(&key, address) {
            Ok(attempt) => attempt,
            Err(wait) => {
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                return Err(failed(AppError::TooManyAttempts {
                    retry_after_secs: secs.max(1),
                })
                .await);
            }
        };
        let user = store::user_by_name(&self.db, name)
            .await
            .map_err(internal)?;
        let usable = user.as_ref().filter(|u| !u.disabled);
        let matched = match self
            .passwords
            .verify(password, usable.map(|u| u.password_hash.as_str()))
            .await
        {
            Ok(matched) => matched,
            Err(e) => return Err(failed(e).await),
        };
        let Some(user) = usable.filter(|_| matched) else {
            return Err(failed(AppError::Unauthenticated(WRONG.into())).await);
        };
        self.throttle.succeeded(attempt);
        self.start_session(session, user).await?;
        let principal = principal(user);
        self.audit
            .record_result_as(
                Actor::User {
                    id: user.id,
                    name: user.name.clone(),
                },
                caller,
                "session.login",
                target("session", Some(&user.name), None),
                &Ok::<(), AppError>(()),
                json!({}),
            )
            .await;
        let perms = self.permissions_of(user.id, user.admin).await?;
        Ok(current(&principal, &perms))
    }

    pub(super) async fn sign_out(
        &self,
        caller: &Caller,
        session: &RequestSession,
    ) -> Result<(), AppError> {
        let session = session_of(session)?;
        session.flush().await.map_err(internal)?;
        if let Some(user) = &caller.user {
            self.record(
                caller,
                "session.logout",
                target("session", Some(&user.name), None),
                &Ok::<(), AppError>(()),
                json!({}),
            )
            .await;
        }
        Ok(())
    }

    pub(super) async fn first_admin(
        &self,
        caller: &Caller,
        session: &RequestSession,
        token: &str,
        name: &str,
        password: &Password,
    ) -> Result<CurrentUser, AppError> {
        let name = name.trim();
        let result = async {
            if !self.setup.matches(token) {
                return Err(AppError::Unauthenticated(
                    "This setup link does not work: it was already used, it expired, or it is \
                     incomplete. Restart regboard for a new link, or run \
                     `regboard admin create-user --admin NAME`."
                        .into(),
                ));
            }
            valid_name(name)?;
            check_new_password(name, password, "password")?;
            let hash = self.passwords.hash(password).await?;
            let id = store::insert_first_admin(&self.db, name, &hash)
                .await
                .map_err(internal)?;
            self.setup.consume();
            let Some(id) = id else {
                return Err(AppError::Conflict(
                    "regboard already has users; sign in instead.".into(),
                ));
            };
            store::user_by_id(&self.db, id)
                .await
                .map_err(internal)?
                .ok_or_else(|| internal(sqlx::Error::RowNotFound))
        }
        .await;
        // A refused name is typed by a stranger: only its prefix is kept.
        let (actor, shown, mut details) = match &result {
            Ok(user) => (
                Actor::User {
                    id: user.id,
                    name: user.name.clone(),
                },
                user.name.clone(),
                json!({ "name": user.name }),
            ),
            Err(_) => (
                Actor::Anonymous,
                capped(name, TYPED_NAME_BYTES),
                typed_name(name),
            ),
        };
        details["admin"] = json!(true);
        details["via"] = json!("setup link");
        self.audit
            .record_result_as(
                actor,
                caller,
                "user.create",
                target("user", Some(&shown), None),
                &result,
                details,
            )
            .await;
        let user = result?;
        self.start_session(session, &user).await?;
        Ok(CurrentUser {
            id: user.id,
            name: user.name,
            admin: true,
            manages: true,
        })
    }

    pub(super) async fn new_password(
        &self,
        caller: &Caller,
        session: &RequestSession,
        user: &Principal,
        current_password: &Password,
        new: &Password,
    ) -> Result<(), AppError> {
        let result = async {
            let row = store::user_by_id(&self.db, user.id)
                .await
                .map_err(internal)?
                .ok_or_else(AppError::sign_in)?;
            if !self
                .passwords
                .verify(current_password, Some(&row.password_hash))
                .await?
            {
                return Err(AppError::Invalid {
                    field: Some("current".into()),
                    message: "This is not your current password.".into(),
                });
            }
            check_new_password(&row.name, new, "new")?;
            let hash = self.passwords.hash(new).await?;
            store::set_password(&self.db, user.id, &hash)
                .await
                .map_err(internal)?;
            // Every other session ends; this one continues under the new epoch.
            store::end_sessions(&self.db, user.id)
                .await
                .map_err(internal)?;
            let row = store::user_by_id(&self.db, user.id)
                .await
                .map_err(internal)?
                .ok_or_else(AppError::sign_in)?;
            self.start_session(session, &row).await
        }
        .await;
        self.record(
            caller,
            "user.password.change",
            target("user", Some(&user.name), None),
            &result,
            json!({}),
        )
        .await;
        result
    }
}

fn principal(user: &store::UserRow) -> Principal {
    Principal {
        id: user.id,
        name: user.name.clone(),
        admin: user.admin,
    }
}

fn session_of(session: &RequestSession) -> Result<Session, AppError> {
    session.0.get::<Session>().cloned().ok_or_else(|| {
        internal(Error::Bug(
            "the request has no session (is the session layer installed?)".into(),
        ))
    })
}

#[cfg(test)]
#[path = "expiry_tests.rs"]
mod expiry_tests;
