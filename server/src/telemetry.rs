//! Logging: `tracing` to stderr, filtered by `RUST_LOG`, as text for a
//! terminal or as one JSON object per line for a cluster's log shipper
//! (`--log-format json`, see [`json`]).
//!
//! Nothing logs request bodies or query strings, so credentials sent to
//! server functions never reach the log in either format.

pub mod json;

use std::io::IsTerminal;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// The filter used when `RUST_LOG` is not set.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,kube_client=warn,tower_sessions=warn";

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (coloured on a terminal).
    #[default]
    Text,
    /// One JSON object per line: timestamp, level, message, the request's
    /// id, method, path, route and status, and each event's own fields.
    Json,
}

/// Installs the global subscriber; a second call is a no-op.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = match format {
        LogFormat::Text => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_target(false)
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
            .is_ok(),
        LogFormat::Json => tracing_subscriber::registry()
            .with(filter)
            .with(json::JsonLayer::new(std::io::stderr))
            .try_init()
            .is_ok(),
    };
}
