//! The server crate's one error type.

use std::path::PathBuf;

/// Everything that can fail in the server, with the cause kept as a source.
///
/// `Display` is one sentence a person can act on; it never contains a
/// credential.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The SQLite database could not be created or opened.
    #[error("cannot open the database at {path}: {reason}")]
    DatabaseOpen {
        /// The database file.
        path: PathBuf,
        /// What went wrong, in words.
        reason: String,
    },
    /// A schema migration failed.
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A database query failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {reason}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// What went wrong, in words.
        reason: String,
    },
    /// The cluster could not be configured or started.
    #[error("{0}")]
    Cluster(String),
    /// A command-line request was refused; the sentence says why.
    #[error("{0}")]
    Refused(String),
    /// The audit fingerprint key file could not be read or created.
    #[error("cannot use the audit key file {path}: {reason}")]
    AuditKey {
        /// The key file.
        path: PathBuf,
        /// What went wrong, in words.
        reason: String,
    },
    /// An audit filter value is not understood.
    #[error("the {field} filter {reason}")]
    InvalidFilter {
        /// The filter field.
        field: &'static str,
        /// What is wrong, e.g. "is not a date or time".
        reason: String,
    },
    /// The audit chain does not verify.
    #[error("the audit log has been tampered with: {0}")]
    AuditChainBroken(crate::audit::BadRow),
    /// The audit chain head written down earlier is no longer in the log.
    #[error(
        "the audit log does not contain the expected head {0}: rows were removed or rewritten"
    )]
    AuditHeadMissing(String),
    /// The reader of an export went away.
    #[error("the export was stopped by its reader")]
    ExportAborted,
    /// No default data directory could be found for the database.
    #[error("cannot find a data directory for the database; pass --database PATH")]
    NoDataDir,
    /// Any other I/O failure, with what was being done.
    #[error("{context}: {source}")]
    Io {
        /// What regboard was doing.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Describes an I/O error the way a person would: "permission denied", not
/// "Permission denied (os error 13)".
pub fn describe_io(err: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match err.kind() {
        ErrorKind::PermissionDenied => "permission denied".to_owned(),
        ErrorKind::NotFound => "no such file or directory".to_owned(),
        ErrorKind::AddrInUse => "the address is already in use".to_owned(),
        ErrorKind::AddrNotAvailable => "the address is not available on this machine".to_owned(),
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only".to_owned(),
        ErrorKind::NotADirectory => "a part of the path is not a directory".to_owned(),
        ErrorKind::IsADirectory => "the path is a directory".to_owned(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_lowercase(),
                None => text,
            }
        }
    }
}
