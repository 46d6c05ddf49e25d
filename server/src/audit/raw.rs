//! Reading chain rows straight from SQLite's C API, for `verify`.
//!
//! sqlx sends every row from its worker thread through a channel, which
//! costs more than hashing the row; verify reads millions of rows, so it
//! borrows the pooled connection's raw handle (`lock_handle`, which keeps
//! sqlx's worker off it meanwhile) and steps a statement itself, lending
//! each row's text to the caller without copying.

use std::ffi::{c_int, CStr};
use std::ptr::{self, NonNull};

use libsqlite3_sys as ffi;

use super::chain::ChainRow;

/// The columns of [`ChainRow`] and then `hash`, for ids `?1..=?2`.
const SQL: &CStr = c"SELECT id, at, actor_kind, actor_id, actor_name, untrusted_source_addr, \
untrusted_user_agent, request_id, action, target_kind, target_project, target_namespace, \
target_name, outcome, status_code, details, prev_hash, hash \
FROM audit_events WHERE id BETWEEN ?1 AND ?2 ORDER BY id";

/// Bytes of the database file SQLite may memory-map during a scan.
const MMAP_BYTES: &CStr = c"PRAGMA mmap_size = 4294967296";

/// Memory-mapped reads on a connection until dropped.
struct Mmap(*mut ffi::sqlite3);

impl Mmap {
    fn enable(db: *mut ffi::sqlite3) -> Self {
        exec(db, MMAP_BYTES);
        Self(db)
    }
}

impl Drop for Mmap {
    fn drop(&mut self) {
        exec(self.0, c"PRAGMA mmap_size = 0");
    }
}

/// Runs `sql`, ignoring failure: only used for tuning pragmas.
fn exec(db: *mut ffi::sqlite3, sql: &CStr) {
    // SAFETY: `db` is open and exclusively ours; `sql` is NUL-terminated.
    unsafe {
        ffi::sqlite3_exec(db, sql.as_ptr(), None, ptr::null_mut(), ptr::null_mut());
    }
}

/// A prepared statement, finalized on drop.
struct Statement(NonNull<ffi::sqlite3_stmt>);

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: the statement was prepared by `rows` and is finalized once.
        unsafe { ffi::sqlite3_finalize(self.0.as_ptr()) };
    }
}

/// Calls `each(row, hash)` for every row with an id in `lo..=hi`, in id
/// order, until it returns `false`.
///
/// `db` must be an open connection that nothing else uses during the call
/// (hold sqlx's `LockedSqliteHandle` for it).
pub fn rows(
    db: NonNull<ffi::sqlite3>,
    lo: i64,
    hi: i64,
    mut each: impl FnMut(&ChainRow<'_>, &str) -> bool,
) -> Result<(), String> {
    let db = db.as_ptr();
    // Read the file through a memory map for the scan, then back to the
    // connection's default: no read() call per page.
    let _mmap = Mmap::enable(db);
    let mut stmt = ptr::null_mut();
    // SAFETY: `db` is open and exclusively ours (see above); SQL is a valid
    // NUL-terminated string; `stmt` receives a statement we finalize.
    let rc = unsafe { ffi::sqlite3_prepare_v2(db, SQL.as_ptr(), -1, &mut stmt, ptr::null_mut()) };
    if rc != ffi::SQLITE_OK {
        return Err(error(db, "prepare"));
    }
    let stmt = Statement(NonNull::new(stmt).ok_or("prepare returned no statement")?);
    let s = stmt.0.as_ptr();
    // SAFETY: `s` is a valid statement with two parameters.
    unsafe {
        ffi::sqlite3_bind_int64(s, 1, lo);
        ffi::sqlite3_bind_int64(s, 2, hi);
    }
    loop {
        // SAFETY: `s` is valid; stepping is how rows are produced.
        match unsafe { ffi::sqlite3_step(s) } {
            ffi::SQLITE_ROW => {}
            ffi::SQLITE_DONE => return Ok(()),
            _ => return Err(error(db, "step")),
        }
        let text = |i| column_text(s, i);
        let int = |i| column_int(s, i);
        let (Some(at), Some(actor_kind), Some(actor_name), Some(action), Some(target_kind)) =
            (text(1)?, text(2)?, text(4)?, text(8)?, text(9)?)
        else {
            return Err("a NOT NULL column is NULL".into());
        };
        let (Some(outcome), Some(details), Some(prev_hash), Some(hash)) =
            (text(13)?, text(15)?, text(16)?, text(17)?)
        else {
            return Err("a NOT NULL column is NULL".into());
        };
        let row = ChainRow {
            id: int(0).ok_or("id is NULL")?,
            at,
            actor_kind,
            actor_id: int(3),
            actor_name,
            source_addr: text(5)?,
            user_agent: text(6)?,
            request_id: text(7)?,
            action,
            target_kind,
            target_project: text(10)?,
            target_namespace: text(11)?,
            target_name: text(12)?,
            outcome,
            status_code: int(14),
            details,
            prev_hash,
        };
        if !each(&row, hash) {
            return Ok(());
        }
    }
}

/// Column `i` of the current row as text, `None` when NULL. The slice
/// lives until the next step, which the borrow of `each` guarantees.
fn column_text<'a>(s: *mut ffi::sqlite3_stmt, i: c_int) -> Result<Option<&'a str>, String> {
    // SAFETY: `s` has a current row and at least `i + 1` columns; the text
    // pointer stays valid until the next step or finalize, both of which
    // happen after the caller's use of the row.
    unsafe {
        if ffi::sqlite3_column_type(s, i) == ffi::SQLITE_NULL {
            return Ok(None);
        }
        let ptr = ffi::sqlite3_column_text(s, i);
        let len = ffi::sqlite3_column_bytes(s, i);
        if ptr.is_null() {
            return Ok(Some(""));
        }
        let bytes = std::slice::from_raw_parts(ptr, len as usize);
        std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("column {i} is not UTF-8"))
    }
}

/// Column `i` of the current row as an integer, `None` when NULL.
fn column_int(s: *mut ffi::sqlite3_stmt, i: c_int) -> Option<i64> {
    // SAFETY: as in `column_text`.
    unsafe {
        (ffi::sqlite3_column_type(s, i) != ffi::SQLITE_NULL)
            .then(|| ffi::sqlite3_column_int64(s, i))
    }
}

fn error(db: *mut ffi::sqlite3, what: &str) -> String {
    // SAFETY: `db` is open; errmsg returns a NUL-terminated string owned by SQLite.
    let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) };
    format!("sqlite3_{what}: {}", message.to_string_lossy())
}
