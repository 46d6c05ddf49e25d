//! Confirming a sensitive action (an export with the credential) with the
//! caller's own password: the same argon2 check and throttle as signing in,
//! counted against the same account, and no change to any session.

use regboard_app::context::{Caller, Principal};
use regboard_app::domain::secret::Password;
use regboard_app::AppError;

use super::{store, Access};
use crate::error::internal;

impl Access {
    /// `Some(true)` when `password` is `user`'s current one, `Some(false)`
    /// when not, `None` when no password was given. A throttled account or
    /// address is refused with "too many attempts", as signing in is.
    pub(super) async fn confirm(
        &self,
        caller: &Caller,
        user: &Principal,
        password: Option<&Password>,
    ) -> Result<Option<bool>, AppError> {
        let Some(password) = password.filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        let attempt = self
            .throttle
            .reserve(&user.name, caller.source_addr.as_deref())
            .map_err(|wait| AppError::TooManyAttempts {
                retry_after_secs: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1),
            })?;
        let row = store::user_by_id(&self.db, user.id)
            .await
            .map_err(internal)?
            .filter(|u| !u.disabled)
            .ok_or_else(AppError::sign_in)?;
        let matched = self
            .passwords
            .verify(password, Some(&row.password_hash))
            .await?;
        if matched {
            self.throttle.succeeded(attempt);
        }
        Ok(Some(matched))
    }
}
