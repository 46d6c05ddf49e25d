//! What a signed-in session holds and when it ends.
//!
//! The session itself (id, cookie, storage) is tower-sessions' with its
//! SQLite store; regboard keeps one [`AuthRecord`] in it and decides on
//! every request, on the server, whether the session still stands.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "regboard_session";

/// How often (at most) a session's last-seen time is written back.
pub const TOUCH_EVERY_MS: i64 = 15_000;

/// The signed-in user of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthRecord {
    /// The user's id.
    pub user_id: i64,
    /// The user's session epoch when the session was issued.
    pub epoch: i64,
    /// When the session was issued (ms since the Unix epoch).
    pub issued_ms: i64,
    /// When the session was last used (ms since the Unix epoch).
    pub seen_ms: i64,
}

/// Session limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused this long ends (default 30 minutes).
    pub idle: Duration,
    /// A session this old ends however busy (default 12 hours).
    pub lifetime: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30 * 60),
            lifetime: Duration::from_secs(12 * 60 * 60),
        }
    }
}

/// The state of the session's user, as stored now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserState {
    /// Disabled users have no sessions.
    pub disabled: bool,
    /// The user's current session epoch.
    pub epoch: i64,
}

/// Whether a session still stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It does; `touch` says whether to write the last-seen time back.
    Valid {
        /// Write `seen_ms = now` back.
        touch: bool,
    },
    /// It has ended, for this reason.
    Ended(&'static str),
}

impl SessionPolicy {
    /// Judges `record` at `now_ms` for a user in state `user` (`None`: the
    /// user no longer exists).
    pub fn verdict(&self, record: &AuthRecord, user: Option<UserState>, now_ms: i64) -> Verdict {
        let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        match user {
            None => Verdict::Ended("the user no longer exists"),
            Some(u) if u.disabled => Verdict::Ended("the user is disabled"),
            Some(u) if u.epoch != record.epoch => Verdict::Ended("the user's sessions were ended"),
            Some(_) if now_ms - record.issued_ms >= ms(self.lifetime) => {
                Verdict::Ended("the session reached its absolute lifetime")
            }
            Some(_) if now_ms - record.seen_ms >= ms(self.idle) => {
                Verdict::Ended("the session was idle too long")
            }
            Some(_) => Verdict::Valid {
                touch: now_ms - record.seen_ms >= TOUCH_EVERY_MS,
            },
        }
    }

    /// The tower-sessions layer: cookie `regboard_session`, HttpOnly,
    /// SameSite=Strict, Secure, path `/`, expiring after `idle` without use
    /// (the server enforces both limits itself as well).
    pub fn layer(&self, store: SqliteStore) -> SessionManagerLayer<SqliteStore> {
        let idle = tower_sessions::cookie::time::Duration::try_from(self.idle)
            .unwrap_or(tower_sessions::cookie::time::Duration::minutes(30));
        SessionManagerLayer::new(store)
            .with_name(COOKIE_NAME)
            .with_http_only(true)
            .with_same_site(SameSite::Strict)
            .with_secure(true)
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(idle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn record() -> AuthRecord {
        AuthRecord {
            user_id: 1,
            epoch: 3,
            issued_ms: 0,
            seen_ms: 0,
        }
    }

    const ACTIVE: Option<UserState> = Some(UserState {
        disabled: false,
        epoch: 3,
    });

    #[test]
    fn idle_and_absolute_limits() {
        let p = SessionPolicy::default();
        assert_eq!(
            p.verdict(&record(), ACTIVE, 29 * MIN),
            Verdict::Valid { touch: true }
        );
        assert!(
            matches!(p.verdict(&record(), ACTIVE, 30 * MIN), Verdict::Ended(r) if r.contains("idle"))
        );
        let busy = AuthRecord {
            seen_ms: 12 * 60 * MIN - 1,
            ..record()
        };
        assert_eq!(
            p.verdict(&busy, ACTIVE, 12 * 60 * MIN - 1),
            Verdict::Valid { touch: false }
        );
        assert!(
            matches!(p.verdict(&busy, ACTIVE, 12 * 60 * MIN), Verdict::Ended(r) if r.contains("lifetime"))
        );
    }

    #[test]
    fn disabled_missing_and_ended_users_lose_their_sessions() {
        let p = SessionPolicy::default();
        let disabled = Some(UserState {
            disabled: true,
            epoch: 3,
        });
        let moved_on = Some(UserState {
            disabled: false,
            epoch: 4,
        });
        assert!(matches!(
            p.verdict(&record(), disabled, 1),
            Verdict::Ended(_)
        ));
        assert!(matches!(
            p.verdict(&record(), moved_on, 1),
            Verdict::Ended(_)
        ));
        assert!(matches!(p.verdict(&record(), None, 1), Verdict::Ended(_)));
    }
}
