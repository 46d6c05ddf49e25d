//! The attachment setting of each registry (migrations/0006), in SQLite and
//! mirrored in memory so that every reconcile pass and page reads it without
//! a query; and the last failure per ServiceAccount, in memory only.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use regboard_app::model::registries::{Attachment, Scope};
use sqlx::SqlitePool;

use crate::error::Result;

/// A registry: its scope and name.
pub type RegistryId = (Scope, String);

/// Where a ServiceAccount is: (namespace, name).
pub type AccountAt = (String, String);

#[derive(Debug, Default)]
struct State {
    settings: BTreeMap<RegistryId, Attachment>,
    /// The last failed write per ServiceAccount, with the registries it was for.
    failures: HashMap<AccountAt, (Vec<String>, String)>,
}

/// The recorded settings; cheap to clone.
#[derive(Clone)]
pub struct Attachments {
    db: SqlitePool,
    state: Arc<RwLock<State>>,
}

fn scope_columns(scope: &Scope) -> (&'static str, &str) {
    match scope {
        Scope::Project { project } => ("project", project),
        Scope::Namespace { namespace } => ("namespace", namespace),
    }
}

impl Attachments {
    /// Reads the settings from `db`; a row that no longer parses is skipped
    /// with a warning (it attaches nothing).
    pub async fn load(db: SqlitePool) -> Result<Self> {
        let rows: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT scope, scope_name, registry, setting FROM registry_attachments")
                .fetch_all(&db)
                .await?;
        let mut settings = BTreeMap::new();
        for (kind, scope_name, registry, setting) in rows {
            let scope = match kind.as_str() {
                "project" => Scope::Project {
                    project: scope_name,
                },
                _ => Scope::Namespace {
                    namespace: scope_name,
                },
            };
            match serde_json::from_str::<Attachment>(&setting) {
                Ok(a) => {
                    settings.insert((scope, registry), a);
                }
                Err(e) => tracing::warn!(%registry, error = %e, "unreadable attachment setting"),
            }
        }
        let state = State {
            settings,
            failures: HashMap::new(),
        };
        Ok(Self {
            db,
            state: Arc::new(RwLock::new(state)),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().expect("attachments lock")
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().expect("attachments lock")
    }

    /// The setting of registry `name` in `scope` (none when never recorded).
    pub fn get(&self, scope: &Scope, name: &str) -> Attachment {
        self.read()
            .settings
            .get(&(scope.clone(), name.to_owned()))
            .cloned()
            .unwrap_or_default()
    }

    /// Every recorded setting, none included.
    pub fn all(&self) -> BTreeMap<RegistryId, Attachment> {
        self.read().settings.clone()
    }

    /// Forgets the setting of a deleted registry (its Secrets are gone or
    /// going, which is what detaches it).
    pub async fn forget(&self, scope: &Scope, name: &str) -> Result<()> {
        let (kind, scope_name) = scope_columns(scope);
        sqlx::query(
            "DELETE FROM registry_attachments WHERE scope = ? AND scope_name = ? AND registry = ?",
        )
        .bind(kind)
        .bind(scope_name)
        .bind(name)
        .execute(&self.db)
        .await?;
        self.write()
            .settings
            .remove(&(scope.clone(), name.to_owned()));
        Ok(())
    }

    /// Records the setting of a registry, `None` included: a registry with
    /// no recorded setting (a lost database, or made before attaching
    /// existed) is neither attached nor detached anywhere.
    pub async fn set(&self, scope: &Scope, name: &str, attachment: &Attachment) -> Result<()> {
        let (kind, scope_name) = scope_columns(scope);
        let setting = serde_json::to_string(attachment).expect("an attachment serializes");
        sqlx::query(
            "INSERT INTO registry_attachments (scope, scope_name, registry, setting, changed_at) \
             VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) \
             ON CONFLICT (scope, scope_name, registry) DO UPDATE SET \
             setting = excluded.setting, changed_at = excluded.changed_at",
        )
        .bind(kind)
        .bind(scope_name)
        .bind(name)
        .bind(setting)
        .execute(&self.db)
        .await?;
        self.write()
            .settings
            .insert((scope.clone(), name.to_owned()), attachment.clone());
        Ok(())
    }

    /// The last failure of a write to ServiceAccount `at` that was to
    /// attach or detach `registry`, if it has not succeeded since.
    pub fn failure(&self, at: &AccountAt, registry: &str) -> Option<String> {
        let state = self.read();
        let (registries, message) = state.failures.get(at)?;
        registries
            .iter()
            .any(|r| r == registry)
            .then(|| message.clone())
    }

    /// Records the result of a write to `at`; returns the message the
    /// failure had before (to audit a failure only when it starts or changes).
    pub(super) fn note_result(
        &self,
        at: &AccountAt,
        result: Option<(Vec<String>, String)>,
    ) -> Option<String> {
        let mut state = self.write();
        let before = match result {
            Some(failure) => state.failures.insert(at.clone(), failure),
            None => state.failures.remove(at),
        };
        before.map(|(_, message)| message)
    }
}
