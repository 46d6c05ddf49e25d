//! Checking the chain: every id present from 1, every `prev_hash` equal to
//! the hash of the row before, every `hash` equal to the recomputed one.
//!
//! The id range is split into one slice per core; each slice is read
//! through SQLite's C API (see `raw`) and checked on its own connection and
//! blocking thread, then the slices are stitched at their edges, so the
//! first bad row is the same one a single pass would name.

use std::fmt;

use std::ptr::NonNull;

use sqlx::SqlitePool;

use super::chain::{hex_matches, Hasher, GENESIS};
use crate::error::{Error, Result};

/// Slices smaller than this are not worth a second connection.
const MIN_SLICE: i64 = 50_000;

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// How many rows were checked.
    pub rows: u64,
    /// The first row that breaks the chain, if any.
    pub first_bad: Option<BadRow>,
    /// The newest row's id and hash (whatever the verdict), to be compared
    /// with a copy kept elsewhere: truncating the newest rows is only
    /// visible that way.
    pub latest: Option<(i64, String)>,
}

impl VerifyReport {
    /// Whether the whole chain is intact.
    pub fn is_ok(&self) -> bool {
        self.first_bad.is_none()
    }

    /// The newest hash.
    pub fn latest_hash(&self) -> Option<&str> {
        self.latest.as_ref().map(|l| l.1.as_str())
    }
}

/// The first place the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// The id of the bad (or first missing) row.
    pub id: i64,
    /// What is wrong with it.
    pub problem: Problem,
}

/// How a row breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Its content no longer matches its hash: it was changed.
    Altered,
    /// Rows `id..=last` are missing: they were deleted.
    Missing {
        /// The last missing id.
        last: i64,
    },
    /// Its `prev_hash` is not the previous row's hash: the previous row was
    /// rewritten together with its hash, or rows were reordered.
    BrokenLink,
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            Problem::Altered => write!(f, "row {} was changed (its hash no longer matches its content)", self.id),
            Problem::Missing { last } if *last == self.id => write!(f, "row {} is missing (deleted)", self.id),
            Problem::Missing { last } => write!(f, "rows {} to {last} are missing (deleted)", self.id),
            Problem::BrokenLink => write!(
                f,
                "row {}'s prev_hash does not match the row before it (that row was rewritten, hash included)",
                self.id
            ),
        }
    }
}

/// Verifies the whole chain in `db`.
pub async fn verify(db: &SqlitePool) -> Result<VerifyReport> {
    let bounds: (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT MIN(id), MAX(id) FROM audit_events")
            .fetch_one(db)
            .await?;
    let (Some(min), Some(max)) = bounds else {
        return Ok(VerifyReport {
            rows: 0,
            first_bad: None,
            latest: None,
        });
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as i64;
    let slices = ((max - min + 1) / MIN_SLICE).clamp(1, cores.min(8));
    let width = (max - min + slices) / slices;
    let checks = (0..slices).map(|i| {
        let lo = min + i * width;
        let hi = (lo + width - 1).min(max);
        check_slice(db, lo, hi)
    });
    let results = futures::future::try_join_all(checks).await?;
    let mut report = stitch(results);
    report.latest = sqlx::query_as("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")
        .fetch_optional(db)
        .await?;
    Ok(report)
}

/// What one slice of ids looked like.
#[derive(Debug, Default)]
struct Slice {
    /// The first row's id and prev_hash.
    first: Option<(i64, Vec<u8>)>,
    /// The last row checked: id and hash.
    last: Option<(i64, String)>,
    /// Rows checked.
    rows: u64,
    /// The first problem inside the slice.
    bad: Option<BadRow>,
}

async fn check_slice(db: &SqlitePool, lo: i64, hi: i64) -> Result<Slice> {
    let mut conn = db.acquire().await?;
    tokio::task::spawn_blocking(move || {
        let mut handle = futures::executor::block_on(conn.lock_handle())?;
        check_rows(handle.as_raw_handle(), lo, hi)
            .map_err(|reason| Error::Database(sqlx::Error::Protocol(reason)))
    })
    .await
    .map_err(|e| Error::Database(sqlx::Error::Protocol(e.to_string())))?
}

/// Checks ids `lo..=hi` over the raw connection `db`.
fn check_rows(db: NonNull<libsqlite3_sys::sqlite3>, lo: i64, hi: i64) -> Result<Slice, String> {
    let mut hasher = Hasher::default();
    let mut slice = Slice::default();
    // The previous row's id and stored hash, kept raw: no allocation per row.
    let mut prev: Option<(i64, [u8; 32])> = None;
    super::raw::rows(db, lo, hi, |row, hash| {
        slice.rows += 1;
        match &prev {
            None => slice.first = Some((row.id, row.prev_hash.to_vec())),
            Some((prev_id, _)) if row.id != prev_id + 1 => {
                slice.bad = Some(BadRow {
                    id: prev_id + 1,
                    problem: Problem::Missing { last: row.id - 1 },
                });
            }
            Some((_, prev_digest)) if !hex_matches(row.prev_hash, prev_digest) => {
                slice.bad = Some(BadRow {
                    id: row.id,
                    problem: Problem::BrokenLink,
                });
            }
            Some(_) => {}
        }
        let digest = hasher.digest(row);
        if slice.bad.is_none() && !hex_matches(hash, &digest) {
            slice.bad = Some(BadRow {
                id: row.id,
                problem: Problem::Altered,
            });
        }
        // Links are checked against the stored hash: a changed row is named
        // once (Altered), not again as a broken link on the next row.
        let stored = if slice.bad.is_none() {
            digest
        } else {
            decode(hash).unwrap_or(digest)
        };
        prev = Some((row.id, stored));
        slice.bad.is_none()
    })?;
    slice.last = prev.map(|(id, digest)| (id, hex::encode(digest)));
    Ok(slice)
}

fn decode(hash: &[u8]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hash, &mut out).ok().map(|()| out)
}

/// Joins slices in id order; the first problem met is the chain's first.
/// `latest` is left for the caller to fill.
fn stitch(slices: Vec<Slice>) -> VerifyReport {
    let mut rows = 0;
    let mut prev: Option<(i64, String)> = None;
    for slice in slices {
        if let Some((first_id, first_prev)) = &slice.first {
            let (expected_id, expected_prev) = match &prev {
                None => (1, GENESIS),
                Some((id, hash)) => (id + 1, hash.as_str()),
            };
            let edge = if *first_id != expected_id {
                Some(BadRow {
                    id: expected_id,
                    problem: Problem::Missing { last: first_id - 1 },
                })
            } else if first_prev.as_slice() != expected_prev.as_bytes() {
                Some(BadRow {
                    id: *first_id,
                    problem: Problem::BrokenLink,
                })
            } else {
                None
            };
            if let Some(bad) = edge {
                return VerifyReport {
                    rows,
                    first_bad: Some(bad),
                    latest: None,
                };
            }
        }
        rows += slice.rows;
        if slice.bad.is_some() {
            return VerifyReport {
                rows,
                first_bad: slice.bad,
                latest: None,
            };
        }
        if slice.last.is_some() {
            prev = slice.last;
        }
    }
    VerifyReport {
        rows,
        first_bad: None,
        latest: None,
    }
}

/// The id of the row whose hash is `hash`, to check that a head written
/// down earlier is still part of the chain.
pub async fn find_hash(db: &SqlitePool, hash: &str) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM audit_events WHERE hash = ?")
            .bind(hash.trim().to_ascii_lowercase())
            .fetch_optional(db)
            .await?,
    )
}
