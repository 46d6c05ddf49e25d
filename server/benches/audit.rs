//! The audit log at 1,000,000 events: append rate, filtered first-page
//! latency, verify rate; each next to a peer measured in the same run on
//! the same database — a plain table of the same shape (columns and
//! indexes) written without chaining or search index, and a plain scan
//! without hashing.
//!
//! `cargo bench -p regboard-server --bench audit`
//! (`REGBOARD_BENCH_EVENTS=200000` for a quicker run). The machine's load
//! and the CPU time of verify are printed too: on a shared machine the
//! wall-clock rates move with what else runs.

use std::time::{Duration, Instant};

use regboard_app::model::audit::{AuditFilter, AuditScope};
use regboard_server::audit::AuditLog;
use sqlx::SqlitePool;

#[path = "audit/corpus.rs"]
mod corpus;
use corpus::{create_plain_table, insert_plain, sample, scan_plain};

/// Events appended one per transaction, for the single-event rate.
const SINGLE: usize = 10_000;
/// Events per transaction while filling.
const BATCH: usize = 10_000;

fn main() {
    let total: usize = std::env::var("REGBOARD_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(total));
}

async fn run(total: usize) {
    let dir = tempfile::tempdir().unwrap();
    // REGBOARD_BENCH_DB keeps the filled database, and reuses it (skipping
    // the inserts) when it already holds `total` events.
    let path = std::env::var_os("REGBOARD_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("bench.db"));
    let opened = Instant::now();
    let db = regboard_server::db::open(&path).await.unwrap();
    let opened = opened.elapsed();
    let log = AuditLog::open(db.clone(), &AuditLog::key_path(&path))
        .await
        .unwrap();
    println!(
        "audit benchmark: {total} events, SQLite at {}",
        path.display()
    );
    println!(
        "  load average {}; opening (pending migrations included) took {:.1} s",
        load_average(),
        opened.as_secs_f64()
    );
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&db)
        .await
        .unwrap();
    if held as usize != total {
        fill(&db, &log, total).await;
    }
    read_back(&db, &log, total).await;
    sizes(&db).await;
}

/// Sections 1 and 2: append rates while filling to `total`.
async fn fill(db: &SqlitePool, log: &AuditLog, total: usize) {
    let db = db.clone();
    create_plain_table(&db).await;

    // 1. One event per transaction: what a request pays.
    let chained = timed(|| async {
        for i in 0..SINGLE {
            log.append(sample(i)).await.unwrap();
        }
    })
    .await;
    let plain = timed(|| async {
        for i in 0..SINGLE {
            let mut tx = regboard_server::db::begin_write(&db).await.unwrap();
            insert_plain(&mut tx, i).await;
            tx.commit().await.unwrap();
        }
    })
    .await;
    report_rate("append, 1 event per transaction", SINGLE, chained, plain);

    // 2. Fill to `total` in batches, chained and plain.
    let rest = total - SINGLE;
    let chained = timed(|| async {
        for start in (SINGLE..total).step_by(BATCH) {
            let mut tx = regboard_server::db::begin_write(&db).await.unwrap();
            for i in start..(start + BATCH).min(total) {
                log.append_in(&mut tx, sample(i)).await.unwrap();
            }
            tx.commit().await.unwrap();
        }
    })
    .await;
    let plain = timed(|| async {
        for start in (SINGLE..total).step_by(BATCH) {
            let mut tx = regboard_server::db::begin_write(&db).await.unwrap();
            for i in start..(start + BATCH).min(total) {
                insert_plain(&mut tx, i).await;
            }
            tx.commit().await.unwrap();
        }
    })
    .await;
    report_rate(
        &format!("append, {BATCH} events per transaction"),
        rest,
        chained,
        plain,
    );
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("ANALYZE").execute(&db).await.unwrap();
}

/// Sections 3 and 4: the first page of filters, and verify.
async fn read_back(db: &SqlitePool, log: &AuditLog, total: usize) {
    // 3. The first page of typical filters, newest first.
    println!("\nfiltered first page (50 rows), {total} events; target ≤ 10 ms");
    let all = AuditScope::All;
    let scoped = AuditScope::Within {
        projects: vec!["project-3".into()],
        namespaces: vec!["ns-117".into()],
    };
    let filters: [Case; 15] = [
        ("no filter", &all, &[]),
        (
            "one registry (History tab)",
            &all,
            &[("namespace", "ns-117"), ("registry", "reg-117")],
        ),
        ("actor", &all, &[("actor", "user-7")]),
        ("action prefix", &all, &[("action", "registry.*")]),
        ("rare outcome", &all, &[("outcome", "error")]),
        (
            "project + outcome",
            &all,
            &[("project", "project-3"), ("outcome", "conflict")],
        ),
        (
            "time range",
            &all,
            &[("from", "2000-01-01"), ("to", "2100-01-01")],
        ),
        ("scope (1 project, 1 namespace)", &scoped, &[]),
        ("free text, common", &all, &[("q", "ghcr")]),
        ("free text, rare", &all, &[("q", "reg-4242")]),
        ("free text, no match", &all, &[("q", "no-such-word")]),
        (
            "free text + rare outcome",
            &all,
            &[("q", "ghcr"), ("outcome", "error")],
        ),
        (
            "free text + actor",
            &all,
            &[("q", "reg-4242"), ("actor", "user-2")],
        ),
        // ghcr is never in project-3 nor ns-117: every candidate fails.
        ("free text + scope, no match", &scoped, &[("q", "ghcr")]),
        // Under three characters the index cannot help: LIKE on every row.
        ("free text, 2 chars, no match", &all, &[("q", "zq")]),
    ];
    for (label, scope, pairs) in filters {
        let filter = AuditFilter::from_pairs(pairs.iter().copied());
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..30 {
            let started = Instant::now();
            let page = log.page(scope, &filter, None, 50).await.unwrap();
            times.push(started.elapsed());
            rows = page.events.len();
        }
        times.sort();
        println!(
            "  {label:<30} median {:>8.2} ms   p90 {:>8.2} ms   ({rows} rows)",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 9 / 10]),
        );
    }

    // 4. Verify the whole chain, against reading the same rows unhashed.
    let mut report = None;
    let cpu = cpu_seconds();
    let verify = timed(|| async { report = Some(log.verify().await.unwrap()) }).await;
    let cpu = cpu_seconds() - cpu;
    let report = report.unwrap();
    assert!(report.is_ok(), "{:?}", report.first_bad);
    assert_eq!(report.rows as usize, total);
    let scan = timed(|| async { scan_plain(db).await }).await;
    println!("\nverify (target ≥ 1,000,000 rows/s)");
    println!(
        "  chained verify      {:>12.0} rows/s   ({} rows in {:.2} s)",
        total as f64 / verify.as_secs_f64(),
        report.rows,
        verify.as_secs_f64()
    );
    println!(
        "  verify CPU time     {:>12.2} s        ({:.2} µs per row, all threads)",
        cpu,
        cpu * 1e6 / total as f64
    );
    println!(
        "  peer: plain scan    {:>12.0} rows/s   (same columns, one connection, no hashing)",
        total as f64 / scan.as_secs_f64()
    );
    println!(
        "  ratio verify/scan   {:>12.2}x",
        scan.as_secs_f64() / verify.as_secs_f64()
    );
    println!(
        "  latest hash: {}",
        report.latest_hash().unwrap_or_default()
    );
}

/// A labelled first page to time: scope and filter pairs.
type Case<'a> = (&'a str, &'a AuditScope, &'a [(&'a str, &'a str)]);

async fn timed<F, Fut>(f: F) -> Duration
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let started = Instant::now();
    f().await;
    started.elapsed()
}

/// The 1, 5 and 15 minute load averages (Linux), for context.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// User + system CPU time of this process so far, in seconds (Linux;
/// 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are
    // the 14th and 15th fields, in clock ticks (100 per second on Linux).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => 0.0,
    }
}

/// Bytes on disk of the log table, its indexes and the search index.
async fn sizes(db: &SqlitePool) {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT CASE WHEN name LIKE 'audit_search%' THEN 'search index (audit_search*)' \
         WHEN name LIKE 'plain_events%' OR tbl_name = 'plain_events' THEN 'peer table and indexes' \
         ELSE 'audit_events and its indexes' END AS part, sum(pgsize) \
         FROM dbstat JOIN sqlite_schema USING (name) \
         WHERE tbl_name LIKE 'audit_%' OR tbl_name = 'plain_events' GROUP BY part ORDER BY part",
    )
    .fetch_all(db)
    .await
    .unwrap_or_default();
    println!("\nsize on disk");
    for (part, bytes) in rows {
        println!("  {part:<30} {:>8.1} MB", bytes as f64 / 1e6);
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report_rate(label: &str, n: usize, chained: Duration, plain: Duration) {
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!("\n{label} ({n} events)");
    println!("  chained (audit log)  {:>10.0} events/s", rate(chained));
    println!("  peer: plain table    {:>10.0} events/s", rate(plain));
    println!(
        "  ratio chained/plain  {:>10.2}x",
        rate(chained) / rate(plain)
    );
}
