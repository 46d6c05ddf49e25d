//! The SQLite database: opening it with the pragmas regboard relies on,
//! running migrations, and beginning write transactions.
//!
//! WAL lets readers proceed during a write; `busy_timeout` makes a second
//! writer wait instead of failing; write transactions begin IMMEDIATE so two
//! writers never both hold a read lock and then deadlock upgrading it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use crate::error::{describe_io, Error, Result};

/// How long a connection waits for another writer before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The default database file: `<data dir>/regboard/regboard.db`.
pub fn default_path() -> Result<PathBuf> {
    dirs::data_dir()
        .map(|d| d.join("regboard").join("regboard.db"))
        .ok_or(Error::NoDataDir)
}

/// Opens (creating if missing, with its parent directory) the database at
/// `path` and applies every pending migration.
pub async fn open(path: &Path) -> Result<SqlitePool> {
    let open_error = |reason: String| Error::DatabaseOpen {
        path: path.to_owned(),
        reason,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Some(file) = parent.ancestors().find(|a| a.exists() && !a.is_dir()) {
            return Err(open_error(format!(
                "{} is a file, not a directory",
                file.display()
            )));
        }
        std::fs::create_dir_all(parent).map_err(|e| open_error(describe_io(&e)))?;
    }
    if path.is_dir() {
        return Err(open_error("the path is a directory".to_owned()));
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        .synchronous(SqliteSynchronous::Normal);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(|e| open_error(describe_sqlx(&e)))?;
    migrate(&pool).await?;
    Ok(pool)
}

/// Applies the migrations in `migrations/` that have not run yet.
pub async fn migrate(pool: &SqlitePool) -> Result<()> {
    sqlx::migrate!("../migrations").run(pool).await?;
    Ok(())
}

/// Begins a write transaction that takes the write lock at once.
pub async fn begin_write(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Whether the database answers a trivial query.
pub async fn ping(pool: &SqlitePool) -> bool {
    !pool.is_closed() && sqlx::query("SELECT 1").execute(pool).await.is_ok()
}

fn describe_sqlx(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Io(io) => describe_io(io),
        sqlx::Error::Database(db) => match db.code().as_deref() {
            // SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY, SQLITE_NOTADB
            Some("14") => "the file cannot be opened (check that the directory is writable)".into(),
            Some("3") | Some("8") => "the file is not writable".into(),
            Some("26") => "the file is not a SQLite database".into(),
            _ => db.message().to_owned(),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn open_creates_parent_and_applies_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/deeper/regboard.db");
        let pool = open(&path).await.unwrap();
        assert!(path.exists());
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(fk, 1);
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(busy, BUSY_TIMEOUT.as_millis() as i64);
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(sync, 1, "synchronous=NORMAL");
    }

    #[tokio::test]
    async fn begin_write_takes_the_write_lock_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let pool = open(&dir.path().join("r.db")).await.unwrap();
        let mut first = begin_write(&pool).await.unwrap();
        sqlx::query("INSERT INTO projects (name, display_name) VALUES ('a', 'A')")
            .execute(&mut *first)
            .await
            .unwrap();
        // A second IMMEDIATE transaction must wait for the first to finish.
        let pool2 = pool.clone();
        let second = tokio::spawn(async move { begin_write(&pool2).await.map(|_| ()) });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            !second.is_finished(),
            "second writer should wait for the lock"
        );
        first.commit().await.unwrap();
        second.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_file_that_is_not_sqlite_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not.db");
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        let err = open(&path).await.unwrap_err().to_string();
        assert!(err.contains("not a SQLite database"), "{err}");
    }
}
