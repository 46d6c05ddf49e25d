//! Free text (`q`) through the trigram index `audit_search` (migration
//! 0004), for the first pages of the audit log.
//!
//! ```text
//! q ─► its trigrams (3 characters; at most MAX_PROBED, spread over q)
//!   ─► probe: each trigram's newest PROBE rows below the cursor, one statement
//!        a trigram found nowhere ─► no event matches: empty page
//!   ─► keep the sparse trigrams (≤ DENSE of the rows they span), else
//!        the two sparsest
//!   ─► MATCH "t1" AND "t2" …, newest first, joined to audit_events, every
//!        filter and the LIKE of `query` applied to each candidate
//!   ─► with other filters too: only the newest WINDOW candidates; if they
//!        do not fill the page, the filter-driven LIKE query goes on below
//! ```
//!
//! The index only narrows: a row that LIKE matches holds every trigram of
//! q (the tokenizer folds case more widely than LIKE does), so leaving a
//! trigram out only adds candidates, and the LIKE decides. Results are
//! therefore exactly those of the LIKE query alone.
//!
//! Dense trigrams are left out because FTS5 intersects by seeking each
//! list to the next candidate of the others: a trigram in every row
//! (`reg` of `reg-4242`) costs a page read per candidate and made the rare
//! word's first page 8 ms instead of 0.2 ms on 1,000,000 events.

use regboard_app::model::audit::{AuditFilter, AuditScope};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use super::query::{push_conditions, EventRow, COLUMNS};
use crate::error::Result;

/// Trigrams probed per query at most; more add cost, not selectivity.
const MAX_PROBED: usize = 8;
/// Rows read per probed trigram.
const PROBE: i64 = 100;
/// A trigram in a larger share of the rows its probe spans is dense.
const DENSE: f64 = 0.1;
/// Text candidates checked against the other filters before those filters
/// drive the query instead.
const WINDOW: i64 = 1000;

/// The trigrams of `q` the index can look up, or `None` when it cannot
/// help (under three characters): then only LIKE runs.
pub fn trigrams(q: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = q.chars().collect();
    let mut all: Vec<String> = Vec::new();
    for window in chars.windows(3) {
        // The indexed text joins columns with newlines, and SQLite text
        // ends at NUL: such trigrams would not be found as typed.
        if window.iter().any(|c| matches!(c, '\n' | '\0')) {
            continue;
        }
        let trigram: String = window.iter().collect();
        if !all.contains(&trigram) {
            all.push(trigram);
        }
    }
    if all.is_empty() {
        return None;
    }
    if all.len() > MAX_PROBED {
        let last = all.len() - 1;
        all = (0..MAX_PROBED)
            .map(|i| all[i * last / (MAX_PROBED - 1)].clone())
            .collect();
    }
    Some(all)
}

/// `text` as an FTS5 string: double quotes around, inner ones doubled.
/// Inside a string every other character (`*`, `:`, `^`, `(`, `AND`…) is
/// plain text.
pub fn fts_string(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// What a probe saw of one trigram's newest rows below the cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The trigram.
    pub trigram: String,
    /// Rows read (at most [`PROBE`]).
    pub rows: i64,
    /// Their share of the ids they span: 0 when fewer than [`PROBE`] rows
    /// hold the trigram at all.
    pub density: f64,
}

/// The trigrams to look up: the sparse ones, or the two sparsest when all
/// are dense; `None` when one of them is found nowhere (nothing matches).
pub fn pick(mut probes: Vec<Probe>) -> Option<Vec<String>> {
    if probes.iter().any(|p| p.rows == 0) {
        return None;
    }
    probes.sort_by(|a, b| a.density.total_cmp(&b.density));
    let sparse = probes.iter().filter(|p| p.density <= DENSE).count();
    probes.truncate(if sparse > 0 { sparse } else { 2 });
    Some(probes.into_iter().map(|p| p.trigram).collect())
}

/// Up to `want` rows inside `scope` matching `filter` (whose `q` has
/// `trigrams`), newest first, with ids below `before`.
pub async fn rows(
    db: &SqlitePool,
    scope: &AuditScope,
    filter: &AuditFilter,
    trigrams: &[String],
    before: Option<i64>,
    want: i64,
) -> Result<Vec<EventRow>> {
    let before = before.unwrap_or(i64::MAX);
    let Some(picked) = pick(probe(db, trigrams, before).await?) else {
        return Ok(Vec::new());
    };
    let expr = picked
        .iter()
        .map(|t| fts_string(t))
        .collect::<Vec<_>>()
        .join(" AND ");
    if !narrows(scope, filter) {
        // Every candidate that passes LIKE is a result: stream them.
        let mut qb = QueryBuilder::new(format!(
            "SELECT {COLUMNS} FROM audit_search CROSS JOIN audit_events \
             WHERE audit_search MATCH "
        ));
        qb.push_bind(expr)
            .push(" AND audit_search.rowid < ")
            .push_bind(before)
            .push(" AND audit_events.id = audit_search.rowid");
        push_conditions(&mut qb, scope, filter)?;
        qb.push(" ORDER BY audit_search.rowid DESC LIMIT ")
            .push_bind(want);
        return Ok(qb.build_query_as().fetch_all(db).await?);
    }
    // The newest WINDOW candidates, each checked against every filter.
    let mut qb = QueryBuilder::new(format!(
        "SELECT {COLUMNS} FROM (SELECT rowid AS hit FROM audit_search WHERE audit_search MATCH "
    ));
    push_window(&mut qb, &expr, before);
    qb.push(") CROSS JOIN audit_events WHERE audit_events.id = hit");
    push_conditions(&mut qb, scope, filter)?;
    qb.push(" ORDER BY id DESC LIMIT ").push_bind(want);
    let mut found: Vec<EventRow> = qb.build_query_as().fetch_all(db).await?;
    if found.len() as i64 >= want {
        return Ok(found);
    }
    let mut qb = QueryBuilder::new(
        "SELECT count(*), min(hit) FROM (SELECT rowid AS hit FROM audit_search WHERE audit_search MATCH ",
    );
    push_window(&mut qb, &expr, before);
    qb.push(")");
    let (seen, oldest): (i64, Option<i64>) = qb.build_query_as().fetch_one(db).await?;
    let Some(oldest) = oldest.filter(|_| seen == WINDOW) else {
        // Fewer candidates than the window: all of them were checked.
        return Ok(found);
    };
    // Many rows hold the text but few pass the other filters: let those
    // filters (and their indexes) drive, below the rows already checked.
    let mut qb = super::query::select(scope, filter)?;
    qb.push(" AND id < ").push_bind(oldest);
    qb.push(" ORDER BY id DESC LIMIT ")
        .push_bind(want - found.len() as i64);
    found.extend(qb.build_query_as::<EventRow>().fetch_all(db).await?);
    Ok(found)
}

/// `<expr> AND rowid < <before> ORDER BY rowid DESC LIMIT WINDOW`.
fn push_window(qb: &mut QueryBuilder<'static, Sqlite>, expr: &str, before: i64) {
    qb.push_bind(expr.to_owned())
        .push(" AND rowid < ")
        .push_bind(before)
        .push(format!(" ORDER BY rowid DESC LIMIT {WINDOW}"));
}

/// Whether anything but `q` narrows the events.
fn narrows(scope: &AuditScope, filter: &AuditFilter) -> bool {
    let AuditFilter {
        from,
        to,
        actor,
        action,
        outcome,
        project,
        namespace,
        registry,
        q: _,
    } = filter;
    matches!(scope, AuditScope::Within { .. })
        || [
            from, to, actor, action, outcome, project, namespace, registry,
        ]
        .iter()
        .any(|f| f.is_some())
}

/// Reads each trigram's newest [`PROBE`] rows below `before`, in one
/// statement.
async fn probe(db: &SqlitePool, trigrams: &[String], before: i64) -> Result<Vec<Probe>> {
    let mut qb = QueryBuilder::<Sqlite>::new("");
    for (i, trigram) in trigrams.iter().enumerate() {
        if i > 0 {
            qb.push(" UNION ALL ");
        }
        qb.push(format!(
            "SELECT {i}, count(*), min(rowid), max(rowid) FROM (SELECT rowid FROM audit_search \
             WHERE audit_search MATCH "
        ))
        .push_bind(fts_string(trigram))
        .push(" AND rowid < ")
        .push_bind(before)
        .push(format!(" ORDER BY rowid DESC LIMIT {PROBE})"));
    }
    let seen: Vec<(i64, i64, Option<i64>, Option<i64>)> = qb.build_query_as().fetch_all(db).await?;
    Ok(seen
        .into_iter()
        .map(|(i, rows, oldest, newest)| Probe {
            trigram: trigrams[i as usize].clone(),
            rows,
            density: match (oldest, newest) {
                (Some(oldest), Some(newest)) if rows == PROBE => {
                    rows as f64 / (newest - oldest + 1) as f64
                }
                _ => 0.0,
            },
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigrams_are_the_three_character_windows_of_q() {
        assert_eq!(trigrams("ab"), None);
        assert_eq!(trigrams("é\"*"), Some(vec!["é\"*".to_owned()]));
        assert_eq!(
            trigrams("reg-4242").unwrap(),
            ["reg", "eg-", "g-4", "-42", "424", "242"]
        );
        assert_eq!(trigrams("aaaa").unwrap(), ["aaa"], "deduplicated");
        assert_eq!(trigrams("a\nbcd").unwrap(), ["bcd"]);
        assert_eq!(trigrams("a\nb"), None);
    }

    #[test]
    fn long_text_is_probed_through_a_spread_of_its_trigrams() {
        let q = "abcdefghijklmnopqrstuvwxyz";
        let t = trigrams(q).unwrap();
        assert_eq!(t.len(), MAX_PROBED);
        assert_eq!(t.first().unwrap(), "abc");
        assert_eq!(t.last().unwrap(), "xyz");
    }

    #[test]
    fn the_index_holds_every_searched_column() {
        let migration = include_str!("../../../migrations/0004_audit_search.sql");
        let joins: Vec<&str> = migration.split("concat_ws(").skip(1).collect();
        assert_eq!(joins.len(), 1, "the backfill");
        for join in joins {
            let columns = &join[..join.find(';').unwrap()];
            for column in super::super::query::SEARCHED {
                assert!(columns.contains(column), "{column} is not indexed");
            }
        }
    }

    #[test]
    fn fts_strings_quote_everything() {
        assert_eq!(fts_string("a\"b"), "\"a\"\"b\"");
        assert_eq!(fts_string("*:^"), "\"*:^\"");
    }

    fn probe(trigram: &str, rows: i64, density: f64) -> Probe {
        Probe {
            trigram: trigram.into(),
            rows,
            density,
        }
    }

    #[test]
    fn sparse_trigrams_are_picked_and_dense_ones_left_out() {
        let picked = pick(vec![
            probe("reg", 100, 1.0),
            probe("424", 100, 0.005),
            probe("-42", 100, 0.13),
            probe("242", 100, 0.008),
        ]);
        assert_eq!(picked.unwrap(), ["424", "242"]);
        let one = pick(vec![probe("reg", 100, 1.0), probe("xyz", 7, 0.0)]);
        assert_eq!(one.unwrap(), ["xyz"], "a dense trigram is not added");
        let dense = pick(vec![
            probe("ghc", 100, 0.25),
            probe("hcr", 100, 0.24),
            probe("Moz", 100, 1.0),
        ]);
        assert_eq!(dense.unwrap(), ["hcr", "ghc"]);
        assert_eq!(pick(vec![probe("zzz", 0, 0.0), probe("abc", 3, 0.0)]), None);
    }
}
