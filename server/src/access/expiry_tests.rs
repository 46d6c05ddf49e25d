//! Idle and absolute expiry on tokio's paused clock: hours pass in
//! microseconds, and nothing depends on how fast the machine is.
//!
//! The clock is paused only while it is moved forward: paused, tokio jumps
//! to the next timer whenever the runtime waits, and the pool's acquire
//! timeout is such a timer, so database calls run on the resumed clock
//! (adding real milliseconds, far below any limit here).

use std::sync::Arc;
use std::time::Duration;

use regboard_app::context::RequestSession;
use regboard_app::domain::secret::Password;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use tower_sessions::{MemoryStore, Session};

use super::super::{store, Access, AccessOptions};
use crate::audit::AuditLog;

const MINUTE: Duration = Duration::from_secs(60);

/// Moves tokio's clock forward by `d` at once.
async fn later(d: Duration) {
    tokio::time::pause();
    tokio::time::advance(d).await;
    tokio::time::resume();
}

/// An access service over a fresh database.
async fn access() -> (Access, store::UserRow, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .foreign_keys(true);
    let db = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    crate::db::migrate(&db).await.unwrap();
    let audit = AuditLog::open(db.clone(), &AuditLog::key_path(&path))
        .await
        .unwrap();
    let access = Access::open(db.clone(), audit, None, AccessOptions::default())
        .await
        .unwrap();
    let hash = access
        .passwords()
        .hash(&Password::new("long enough password"))
        .await
        .unwrap();
    let id = store::insert_user(&db, "alice", &hash, false)
        .await
        .unwrap();
    let user = store::user_by_id(&db, id).await.unwrap().unwrap();
    (access, user, dir)
}

async fn signed_in(access: &Access, user: &store::UserRow) -> Session {
    let session = Session::new(None, Arc::new(MemoryStore::default()), None);
    let mut extensions = http::Extensions::new();
    extensions.insert(session.clone());
    access
        .start_session(&RequestSession(extensions), user)
        .await
        .unwrap();
    session
}

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes_and_lives_while_used() {
    let (access, user, _dir) = access().await;
    let session = signed_in(&access, &user).await;
    for _ in 0..4 {
        later(29 * MINUTE).await;
        assert!(
            access.resolve(&session).await.is_some(),
            "used every 29 minutes"
        );
    }
    later(30 * MINUTE).await;
    assert!(
        access.resolve(&session).await.is_none(),
        "30 idle minutes end it"
    );
    assert!(
        access.resolve(&session).await.is_none(),
        "and it stays ended"
    );
}

#[tokio::test]
async fn a_busy_session_still_ends_twelve_hours_after_sign_in() {
    let (access, user, _dir) = access().await;
    let session = signed_in(&access, &user).await;
    // Used every 20 minutes: 35 uses take 11 h 40 min.
    for n in 0..35 {
        later(20 * MINUTE).await;
        assert!(access.resolve(&session).await.is_some(), "use {n}");
    }
    later(20 * MINUTE).await;
    assert!(
        access.resolve(&session).await.is_none(),
        "12 hours after sign-in, however busy"
    );
}
