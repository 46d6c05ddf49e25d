//! `regboard audit verify|export|head`: the audit log from the command line,
//! reading the database file directly.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use regboard_app::model::audit::{AuditFilter, AuditScope};
use sqlx::SqlitePool;
use tokio::io::AsyncWriteExt;

use crate::audit::{export, ExportFormat};
use crate::error::{Error, Result};

/// Flags of `regboard audit`.
#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// What to do with the audit log.
    #[command(subcommand)]
    pub command: AuditCommand,
    /// SQLite database file [default: <data dir>/regboard/regboard.db].
    #[arg(long, global = true, env = "REGBOARD_DATABASE", value_name = "FILE")]
    pub database: Option<PathBuf>,
}

/// The `audit` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum AuditCommand {
    /// Check the whole hash chain; print the rows checked and the latest
    /// hash, or name the first bad row (exit code 1).
    Verify {
        /// A head written down earlier: fail unless it is still in the chain
        /// (catches removal of the newest rows).
        #[arg(long, value_name = "HASH")]
        expect_head: Option<String>,
    },
    /// Print the number of events and the latest hash.
    Head,
    /// Write the events matching the filter to stdout, oldest first.
    Export {
        /// `csv` or `jsonl`.
        #[arg(long, value_parser = ["csv", "jsonl"])]
        format: String,
        /// The filter.
        #[command(flatten)]
        filter: Box<FilterArgs>,
    },
}

/// The audit filter as flags; see `regboard_app::model::audit::AuditFilter`.
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Events at or after this UTC time (2026-01-31, 2026-01-31T12:00, RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Events before this UTC time.
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// The actor's name exactly (alice, system:reconciler, anonymous).
    #[arg(long, value_name = "NAME")]
    pub actor: Option<String>,
    /// The action, or a prefix ending in '*' (registry.*).
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// success, denied, conflict, invalid or error.
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: Option<String>,
    /// The target's project.
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
    /// The target's namespace.
    #[arg(long, value_name = "NAME")]
    pub namespace: Option<String>,
    /// A registry's name.
    #[arg(long, value_name = "NAME")]
    pub registry: Option<String>,
    /// Text found anywhere in the event.
    #[arg(long = "text", value_name = "TEXT")]
    pub q: Option<String>,
}

impl From<FilterArgs> for AuditFilter {
    fn from(a: FilterArgs) -> Self {
        AuditFilter {
            from: a.from,
            to: a.to,
            actor: a.actor,
            action: a.action,
            outcome: a.outcome,
            project: a.project,
            namespace: a.namespace,
            registry: a.registry,
            q: a.q,
        }
    }
}

/// Runs `regboard audit …`.
pub async fn run(args: AuditArgs) -> Result<()> {
    let path = match args.database {
        Some(path) => path,
        None => crate::db::default_path()?,
    };
    let db = open_existing(&path).await?;
    let outcome = match args.command {
        AuditCommand::Verify { expect_head } => verify(&db, expect_head.as_deref()).await,
        AuditCommand::Head => head(&db).await,
        AuditCommand::Export { format, filter } => {
            let format: ExportFormat = format.parse()?;
            export_to_stdout(&db, (*filter).into(), format).await
        }
    };
    db.close().await;
    outcome
}

/// Opens the database only if it exists: a mistyped path must not create
/// an empty log that verifies.
async fn open_existing(path: &Path) -> Result<SqlitePool> {
    if !path.is_file() {
        return Err(Error::DatabaseOpen {
            path: path.to_owned(),
            reason: "no such file".into(),
        });
    }
    crate::db::open(path).await
}

async fn verify(db: &SqlitePool, expect_head: Option<&str>) -> Result<()> {
    let report = crate::audit::verify::verify(db).await?;
    let mut out = format!("rows checked: {}\n", report.rows);
    if let Some((id, hash)) = &report.latest {
        out.push_str(&format!("latest: {id} {hash}\n"));
    }
    print(&out).await?;
    if let Some(bad) = report.first_bad {
        return Err(Error::AuditChainBroken(bad));
    }
    if let Some(expected) = expect_head {
        match crate::audit::verify::find_hash(db, expected).await? {
            Some(id) => print(&format!("expected head found at row {id}\n")).await?,
            None => return Err(Error::AuditHeadMissing(expected.trim().to_owned())),
        }
    }
    print("chain: ok\n").await
}

async fn head(db: &SqlitePool) -> Result<()> {
    let head = crate::audit::query::head(db).await?;
    let hash = head.latest_hash.unwrap_or_else(|| "(empty)".into());
    print(&format!("events: {}\nlatest: {hash}\n", head.events)).await
}

async fn export_to_stdout(
    db: &SqlitePool,
    filter: AuditFilter,
    format: ExportFormat,
) -> Result<()> {
    // The operator reading the file directly may see everything.
    let mut chunks = export::start(db.clone(), AuditScope::All, filter, format)?;
    let mut stdout = tokio::io::stdout();
    while let Some(chunk) = chunks.recv().await {
        let chunk = chunk?;
        if let Err(e) = stdout.write_all(&chunk).await {
            // A closed pipe (`| head`) ends the export quietly.
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(());
            }
            return Err(Error::Io {
                context: "cannot write the export".into(),
                source: e,
            });
        }
    }
    stdout.flush().await.map_err(|e| Error::Io {
        context: "cannot write the export".into(),
        source: e,
    })
}

async fn print(text: &str) -> Result<()> {
    let mut stdout = tokio::io::stdout();
    stdout
        .write_all(text.as_bytes())
        .await
        .and(stdout.flush().await)
        .map_err(|e| Error::Io {
            context: "cannot write to stdout".into(),
            source: e,
        })
}
