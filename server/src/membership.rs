//! What regboard itself recorded about projects (migrations/0005): which
//! namespace belongs to which project, which join requests an admin
//! rejected, and the reasons to delete copies. Kept in SQLite and mirrored
//! in memory, so the reconciler and every authorization check read it
//! without a query; every change goes through here.
//!
//! ```text
//! admin moves ns in ─► join   ─► project_namespaces row (+ the label, by projects/)
//! admin moves ns out ► leave  ─► row gone + copy_removals (project, ns)
//! registry deleted ──► registry_deleted ─► copy_removals (project, registry)
//! reconciler ────────► members(), removals()   (deletes only what a removal explains)
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};

use sqlx::SqlitePool;

use crate::error::Result;

/// Recorded reasons to delete copies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removals {
    /// Project registries deleted through regboard: (project, registry).
    pub registries: BTreeSet<(String, String)>,
    /// Namespaces moved out of a project through regboard: (project, namespace).
    pub namespaces: BTreeSet<(String, String)>,
}

#[derive(Debug, Default)]
struct State {
    members: BTreeMap<String, String>,
    rejected: BTreeSet<(String, String)>,
    removals: Removals,
}

/// The recorded memberships and removals; cheap to clone.
#[derive(Clone)]
pub struct Membership {
    db: SqlitePool,
    state: Arc<RwLock<State>>,
}

impl Membership {
    /// Reads the records from `db`.
    pub async fn load(db: SqlitePool) -> Result<Self> {
        let members: Vec<(String, String)> =
            sqlx::query_as("SELECT namespace, project FROM project_namespaces")
                .fetch_all(&db)
                .await?;
        let rejected: Vec<(String, String)> =
            sqlx::query_as("SELECT namespace, project FROM rejected_join_requests")
                .fetch_all(&db)
                .await?;
        let rows: Vec<(String, Option<String>, Option<String>)> =
            sqlx::query_as("SELECT project, registry, namespace FROM copy_removals")
                .fetch_all(&db)
                .await?;
        let mut removals = Removals::default();
        for (project, registry, namespace) in rows {
            match (registry, namespace) {
                (Some(r), _) => removals.registries.insert((project, r)),
                (None, Some(ns)) => removals.namespaces.insert((project, ns)),
                (None, None) => false,
            };
        }
        let state = State {
            members: members.into_iter().collect(),
            rejected: rejected.into_iter().collect(),
            removals,
        };
        Ok(Self {
            db,
            state: Arc::new(RwLock::new(state)),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().expect("membership lock")
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().expect("membership lock")
    }

    /// The project regboard recorded `namespace` in, if any.
    pub fn project_of(&self, namespace: &str) -> Option<String> {
        self.read().members.get(namespace).cloned()
    }

    /// Every recorded member: namespace → project.
    pub fn members(&self) -> BTreeMap<String, String> {
        self.read().members.clone()
    }

    /// The recorded reasons to delete copies.
    pub fn removals(&self) -> Removals {
        self.read().removals.clone()
    }

    /// Whether an admin rejected `namespace`'s request to join `project`.
    pub fn is_rejected(&self, namespace: &str, project: &str) -> bool {
        self.read()
            .rejected
            .contains(&(namespace.to_owned(), project.to_owned()))
    }

    /// Records `namespace` as a member of `project` (leaving its former
    /// project, which then has a reason to delete its copies there).
    pub async fn join(&self, namespace: &str, project: &str, by: &str) -> Result<()> {
        let former = self.project_of(namespace).filter(|p| p != project);
        let mut tx = crate::db::begin_write(&self.db).await?;
        sqlx::query(
            "INSERT INTO project_namespaces (namespace, project, added_by, added_at) \
             VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) \
             ON CONFLICT (namespace) DO UPDATE SET project = excluded.project, \
             added_by = excluded.added_by, added_at = excluded.added_at",
        )
        .bind(namespace)
        .bind(project)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM copy_removals WHERE project = ? AND namespace = ?")
            .bind(project)
            .bind(namespace)
            .execute(&mut *tx)
            .await?;
        if let Some(former) = &former {
            insert_moved_out(&mut tx, former, namespace).await?;
        }
        tx.commit().await?;
        let mut state = self.write();
        state
            .members
            .insert(namespace.to_owned(), project.to_owned());
        let key = (project.to_owned(), namespace.to_owned());
        state.removals.namespaces.remove(&key);
        if let Some(former) = former {
            state
                .removals
                .namespaces
                .insert((former, namespace.to_owned()));
        }
        Ok(())
    }

    /// Records that `namespace` left its project (a reason to delete the
    /// project's copies there). Returns the project it left.
    pub async fn leave(&self, namespace: &str) -> Result<Option<String>> {
        let Some(project) = self.project_of(namespace) else {
            return Ok(None);
        };
        let mut tx = crate::db::begin_write(&self.db).await?;
        sqlx::query("DELETE FROM project_namespaces WHERE namespace = ?")
            .bind(namespace)
            .execute(&mut *tx)
            .await?;
        insert_moved_out(&mut tx, &project, namespace).await?;
        tx.commit().await?;
        let mut state = self.write();
        state.members.remove(namespace);
        state
            .removals
            .namespaces
            .insert((project.clone(), namespace.to_owned()));
        Ok(Some(project))
    }

    /// Forgets the memberships of namespaces that no longer exist: a
    /// namespace created again under the same name starts outside every
    /// project (its copies went with the namespace).
    pub async fn forget_missing(&self, existing: &BTreeSet<String>) -> Result<Vec<String>> {
        let gone: Vec<String> = self
            .read()
            .members
            .keys()
            .filter(|ns| !existing.contains(*ns))
            .cloned()
            .collect();
        for ns in &gone {
            sqlx::query("DELETE FROM project_namespaces WHERE namespace = ?")
                .bind(ns)
                .execute(&self.db)
                .await?;
            self.write().members.remove(ns);
        }
        Ok(gone)
    }

    /// Records a rejected join request.
    pub async fn reject(&self, namespace: &str, project: &str, by: &str) -> Result<()> {
        sqlx::query(
            "INSERT OR REPLACE INTO rejected_join_requests (namespace, project, rejected_by, rejected_at) \
             VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        )
        .bind(namespace)
        .bind(project)
        .bind(by)
        .execute(&self.db)
        .await?;
        self.write()
            .rejected
            .insert((namespace.to_owned(), project.to_owned()));
        Ok(())
    }

    /// Records that project registry `registry` was deleted through regboard.
    pub async fn registry_deleted(&self, project: &str, registry: &str) -> Result<()> {
        let mut tx = crate::db::begin_write(&self.db).await?;
        insert_removal(&mut tx, project, Some(registry), None, "registry deleted").await?;
        tx.commit().await?;
        self.write()
            .removals
            .registries
            .insert((project.to_owned(), registry.to_owned()));
        Ok(())
    }

    /// Forgets the deletion of `registry` (it was created again).
    pub async fn registry_created(&self, project: &str, registry: &str) -> Result<()> {
        sqlx::query("DELETE FROM copy_removals WHERE project = ? AND registry = ?")
            .bind(project)
            .bind(registry)
            .execute(&self.db)
            .await?;
        self.write()
            .removals
            .registries
            .remove(&(project.to_owned(), registry.to_owned()));
        Ok(())
    }

    /// Whether the one-time upgrade step `name` has run.
    pub async fn step_done(&self, name: &str) -> Result<bool> {
        let row: Option<i64> = sqlx::query_scalar("SELECT 1 FROM upgrade_steps WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.db)
            .await?;
        Ok(row.is_some())
    }

    /// Records that the one-time upgrade step `name` has run.
    pub async fn mark_step(&self, name: &str) -> Result<()> {
        sqlx::query(
            "INSERT OR IGNORE INTO upgrade_steps (name, done_at) \
             VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        )
        .bind(name)
        .execute(&self.db)
        .await?;
        Ok(())
    }
}

async fn insert_removal(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    project: &str,
    registry: Option<&str>,
    namespace: Option<&str>,
    reason: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT OR IGNORE INTO copy_removals (project, registry, namespace, reason, recorded_at) \
         VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    )
    .bind(project)
    .bind(registry)
    .bind(namespace)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records that `namespace` moved out of `project` (a reason to delete the
/// project's copies there).
async fn insert_moved_out(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    project: &str,
    namespace: &str,
) -> Result<()> {
    insert_removal(tx, project, None, Some(namespace), "namespace moved out").await
}
