//! Export of a filter's events as CSV or JSON Lines, oldest first, streamed
//! in chunks through a bounded channel: memory stays flat whatever the
//! number of rows, and a slow reader slows the query instead of filling RAM.
//!
//! Rows keep `prev_hash` and `hash`, so an exported range can be checked
//! against the chain. CSV cells that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, tab or CR) are prefixed with `'`.

use std::str::FromStr;

use bytes::Bytes;
use futures::TryStreamExt;
use regboard_app::model::audit::{AuditEventView, AuditFilter, AuditScope};
use sqlx::SqlitePool;
use tokio::sync::mpsc;

use super::query::{self, EventRow};
use crate::error::{Error, Result};

/// Bytes gathered before a chunk is sent.
const CHUNK: usize = 64 * 1024;
/// Chunks in flight between the query and the reader.
const IN_FLIGHT: usize = 4;

/// The two export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated values with a header line.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

impl ExportFormat {
    /// The `Content-Type` of the format.
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::JsonLines => "application/x-ndjson; charset=utf-8",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::JsonLines => "jsonl",
        }
    }
}

impl FromStr for ExportFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "csv" => Ok(ExportFormat::Csv),
            "jsonl" | "ndjson" => Ok(ExportFormat::JsonLines),
            _ => Err(Error::InvalidFilter {
                field: "format",
                reason: "must be csv or jsonl".into(),
            }),
        }
    }
}

/// Starts exporting; chunks arrive on the returned receiver, ending with
/// an `Err` if the export failed part-way. Filter errors are returned at
/// once, before anything is sent.
pub fn start(
    db: SqlitePool,
    scope: AuditScope,
    filter: AuditFilter,
    format: ExportFormat,
) -> Result<mpsc::Receiver<Result<Bytes>>> {
    query::select(&scope, &filter)?;
    let (tx, rx) = mpsc::channel(IN_FLIGHT);
    tokio::spawn(async move {
        let sent = run(&db, &scope, &filter, format, &tx).await;
        match sent {
            Ok(rows) => tracing::info!(rows, format = format.extension(), "audit export finished"),
            Err(Error::ExportAborted) => {
                tracing::info!("audit export stopped: the reader went away")
            }
            Err(e) => {
                tracing::error!(error = %e, "audit export failed");
                let _ = tx.send(Err(e)).await;
            }
        }
    });
    Ok(rx)
}

async fn run(
    db: &SqlitePool,
    scope: &AuditScope,
    filter: &AuditFilter,
    format: ExportFormat,
    tx: &mpsc::Sender<Result<Bytes>>,
) -> Result<u64> {
    let mut qb = query::select(scope, filter)?;
    qb.push(" ORDER BY id");
    let mut rows = qb.build_query_as::<EventRow>().fetch(db);
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    if format == ExportFormat::Csv {
        buf.extend_from_slice(CSV_HEADER.as_bytes());
    }
    let mut count = 0;
    while let Some(row) = rows.try_next().await? {
        let event = AuditEventView::from(row);
        match format {
            ExportFormat::Csv => write_csv(&mut buf, &event),
            ExportFormat::JsonLines => {
                serde_json::to_writer(&mut buf, &event).expect("a view serializes");
                buf.push(b'\n');
            }
        }
        count += 1;
        if buf.len() >= CHUNK {
            send(tx, &mut buf).await?;
        }
    }
    send(tx, &mut buf).await?;
    Ok(count)
}

async fn send(tx: &mpsc::Sender<Result<Bytes>>, buf: &mut Vec<u8>) -> Result<()> {
    if buf.is_empty() {
        return Ok(());
    }
    let chunk = Bytes::from(std::mem::replace(buf, Vec::with_capacity(CHUNK + 4096)));
    tx.send(Ok(chunk)).await.map_err(|_| Error::ExportAborted)
}

/// The CSV header line.
pub const CSV_HEADER: &str = "id,at,actor_kind,actor_id,actor_name,untrusted_source_addr,\
untrusted_user_agent,request_id,action,target_kind,target_project,target_namespace,\
target_name,outcome,status_code,details,prev_hash,hash\n";

fn write_csv(buf: &mut Vec<u8>, e: &AuditEventView) {
    let id = e.id.to_string();
    let actor_id = e.actor_id.map(|i| i.to_string());
    let status = e.status_code.map(|c| c.to_string());
    let cells: [Option<&str>; 18] = [
        Some(&id),
        Some(&e.at),
        Some(&e.actor_kind),
        actor_id.as_deref(),
        Some(&e.actor_name),
        e.untrusted_source_addr.as_deref(),
        e.untrusted_user_agent.as_deref(),
        e.request_id.as_deref(),
        Some(&e.action),
        Some(&e.target_kind),
        e.target_project.as_deref(),
        e.target_namespace.as_deref(),
        e.target_name.as_deref(),
        Some(&e.outcome),
        status.as_deref(),
        Some(&e.details),
        Some(&e.prev_hash),
        Some(&e.hash),
    ];
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        csv_cell(buf, cell.unwrap_or(""));
    }
    buf.push(b'\n');
}

/// Writes one cell: neutralised against formula injection, quoted when it
/// holds a comma, quote or line break.
pub fn csv_cell(buf: &mut Vec<u8>, text: &str) {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || text.contains([',', '"', '\n', '\r']);
    if quote {
        buf.push(b'"');
    }
    if formula {
        buf.push(b'\'');
    }
    for b in text.bytes() {
        if b == b'"' {
            buf.push(b'"');
        }
        buf.push(b);
    }
    if quote {
        buf.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str) -> String {
        let mut buf = Vec::new();
        csv_cell(&mut buf, text);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("-1+2"), "\"'-1+2\"");
        assert_eq!(cell("{\"a\":1}"), "\"{\"\"a\"\":1}\"");
    }

    #[test]
    fn the_header_names_eighteen_columns() {
        assert_eq!(CSV_HEADER.trim_end().split(',').count(), 18);
    }
}
