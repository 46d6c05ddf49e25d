//! The audit log: who did what to which target, from where, and whether it
//! worked; append-only and hash-chained so that an edit shows.
//!
//! ```text
//! service (registries, reconciler, login…)
//!   └─► AuditLog::append(NewEvent)
//!         store::prepare   redact secret-looking detail keys, escape the
//!                          untrusted source address and user agent
//!         BEGIN IMMEDIATE  (db::begin_write: one writer at a time)
//!           read the newest (id, hash)
//!           chain::Hasher  hash = SHA-256(prev_hash ‖ canonical row)
//!           INSERT id = newest + 1
//!           INSERT INTO audit_search  (its searchable text, trigram-indexed)
//!         COMMIT
//!
//! SQLite audit_events ── triggers refuse UPDATE and DELETE
//!   ├─► query   filters + scope, newest first, keyset by id ─► /audit page, History
//!   │     └─ search  free text (q) through the trigram index audit_search
//!   │                (migration 0004), each row decided by the same LIKE
//!   ├─► export  the same filter streamed as CSV or JSON Lines ─► GET /audit/export,
//!   │                                                           regboard audit export
//!   └─► verify  recompute every hash in id order (in parallel ranges)
//!               ─► first bad row, latest hash ─► regboard audit verify
//! ```
//!
//! The HMAC key for credential fingerprints lives in a 0600 file beside the
//! database ([`key`]), never in SQLite, so a copy of the database alone
//! cannot be used to test guesses against a fingerprint.

mod chain;
pub mod export;

mod outcome;
pub(crate) mod query;
mod raw;
mod search;
mod service;
mod store;
pub(crate) mod verify;

use std::path::Path;
use std::sync::Arc;

use regboard_app::model::audit::{AuditEventPage, AuditEventView, AuditFilter, AuditScope};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::error::Result;

pub use chain::GENESIS;
pub use export::ExportFormat;
pub use query::parse_time;
pub use regboard_app::model::audit::Outcome;
pub use verify::{BadRow, Problem, VerifyReport};

/// The audit log over the application's SQLite pool; cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    db: SqlitePool,
    key: Arc<[u8; 32]>,
    metrics: crate::metrics::AuditMetrics,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog").finish_non_exhaustive()
    }
}

impl AuditLog {
    /// The log in `db`, fingerprinting with the key in `key_file` (32 random
    /// bytes, created with mode 0600 when missing).
    pub async fn open(db: SqlitePool, key_file: &Path) -> Result<Self> {
        let key = crate::keyfile::load_or_create(key_file).await?;
        Ok(Self {
            db,
            key: Arc::new(key),
            metrics: Default::default(),
        })
    }

    /// The key file for the database at `database`: same path, extension
    /// `.audit-key`.
    pub fn key_path(database: &Path) -> std::path::PathBuf {
        database.with_extension("audit-key")
    }

    /// Appends `event` at the end of the chain in its own write transaction.
    pub async fn append(&self, event: NewEvent) -> Result<AppendedEvent> {
        let started = std::time::Instant::now();
        let prepared = store::prepare(event);
        let appended = async {
            let mut tx = crate::db::begin_write(&self.db).await?;
            let appended = store::insert(&mut tx, &prepared).await?;
            tx.commit().await?;
            Ok(appended)
        }
        .await;
        self.metrics.appended(appended.is_ok(), started.elapsed());
        appended
    }

    /// The append counts (registered by `crate::metrics`).
    pub fn metrics(&self) -> &crate::metrics::AuditMetrics {
        &self.metrics
    }

    /// Appends `event` inside `tx`, which must have been begun with
    /// [`crate::db::begin_write`]; the event exists only if `tx` commits, so
    /// a change and its audit row land together.
    pub async fn append_in(
        &self,
        tx: &mut Transaction<'static, Sqlite>,
        event: NewEvent,
    ) -> Result<AppendedEvent> {
        // Counted when inserted (the commit is the caller's).
        let started = std::time::Instant::now();
        let appended = store::insert(tx, &store::prepare(event)).await;
        self.metrics.appended(appended.is_ok(), started.elapsed());
        appended
    }

    /// `hmac-sha256:<first 16 hex>` of `credential`: shows whether a
    /// credential changed without revealing it.
    pub fn fingerprint(&self, credential: &[u8]) -> String {
        chain::fingerprint(&self.key, credential)
    }

    /// Checks the whole chain; see [`VerifyReport`].
    pub async fn verify(&self) -> Result<VerifyReport> {
        verify::verify(&self.db).await
    }

    /// The newest event's hash, `None` while the log is empty.
    pub async fn latest_hash(&self) -> Result<Option<String>> {
        Ok(query::head(&self.db).await?.latest_hash)
    }

    /// Up to `limit` events inside `scope` matching `filter`, newest first.
    pub async fn page(
        &self,
        scope: &AuditScope,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<AuditEventPage> {
        query::page(&self.db, scope, filter, before, limit).await
    }

    /// One event inside `scope`.
    pub async fn event(&self, scope: &AuditScope, id: i64) -> Result<Option<AuditEventView>> {
        query::event(&self.db, scope, id).await
    }

    /// The pool, for export.
    pub fn pool(&self) -> &SqlitePool {
        &self.db
    }
}

/// One thing that happened, as a service reports it.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Who did it.
    pub actor: Actor,
    /// The request it came from (id, source address, user agent).
    pub origin: Origin,
    /// What was attempted: `registry.create`, `registry.update`,
    /// `registry.delete`, `registry.sync`, `project.namespace.add`,
    /// `grant.create`, `session.login.failed`, …
    pub action: String,
    /// What it was done to.
    pub target: AuditTarget,
    /// How it ended.
    pub outcome: Outcome,
    /// The Kubernetes status code, when the cluster answered one.
    pub status_code: Option<u16>,
    /// A JSON object: `{"before": {…}, "after": {…}, "credential":
    /// "<fingerprint>"}` with non-secret fields only (hosts, usernames,
    /// scope, namespaces). Keys that look secret (`password`, `token`,
    /// `auth`, …) are replaced by `"[redacted]"` before storing.
    pub details: serde_json::Value,
}

/// The request an event came from, as the client sent it (untrusted text,
/// stored escaped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The request id set by regboard's middleware.
    pub request_id: Option<String>,
    /// The peer address.
    pub source_addr: Option<String>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
}

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in user.
    User {
        /// The user's id.
        id: i64,
        /// The user's name at the time.
        name: String,
    },
    /// regboard itself, e.g. `system:reconciler`.
    System(String),
    /// Nobody signed in (until accounts exist, every browser request).
    Anonymous,
}

/// What an event was done to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditTarget {
    /// `registry`, `project`, `namespace`, `grant`, `session`, `audit`, …
    pub kind: String,
    /// The project, if any.
    pub project: Option<String>,
    /// The namespace, if any.
    pub namespace: Option<String>,
    /// The object's name, if any.
    pub name: Option<String>,
}

impl AuditTarget {
    /// A registry target: `project` for a project registry, `namespace` for
    /// a namespace registry (or both for one copy of a project registry).
    pub fn registry(project: Option<&str>, namespace: Option<&str>, name: &str) -> Self {
        Self {
            kind: "registry".into(),
            project: project.map(str::to_owned),
            namespace: namespace.map(str::to_owned),
            name: Some(name.to_owned()),
        }
    }
}

/// Where an appended event landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendedEvent {
    /// Its id (position in the chain).
    pub id: i64,
    /// Its hash, the new head of the chain.
    pub hash: String,
}
