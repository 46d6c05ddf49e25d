//! The server crate's one error type.

use std::path::PathBuf;

use regboard_app::AppError;

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
    /// A key file (audit fingerprints, ownership proof) could not be read or created.
    #[error("cannot use the key file {path}: {reason}")]
    KeyFile {
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
    /// The session store failed.
    #[error("session store error: {0}")]
    Session(#[from] tower_sessions::session::Error),
    /// Something regboard relies on is not in place (a task that died, a
    /// layer that is missing); the sentence says what.
    #[error("{0}")]
    Bug(String),
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

/// Logs an internal failure with its cause and returns the error the user
/// sees: the one place where a cause is logged and hidden. The log line is
/// inside the request's span (which names the request id), and the
/// server-function wrapper (`regboard_app::api::call`) adds that id to the
/// message.
pub fn internal(cause: impl Into<Error>) -> AppError {
    let cause = cause.into();
    tracing::error!(error = %cause, "internal error");
    AppError::Internal {
        request_id: String::new(),
    }
}

/// A unique violation as a conflict saying `taken`; anything else internal.
pub fn conflict_or_internal(e: sqlx::Error, taken: String) -> AppError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => AppError::Conflict(taken),
        _ => internal(e),
    }
}

impl From<Error> for AppError {
    /// The user's mistakes keep their sentence; anything else is internal.
    fn from(e: Error) -> Self {
        match e {
            Error::InvalidFilter { field, reason } => AppError::Invalid {
                field: Some(field.to_owned()),
                message: format!("The {field} filter {reason}."),
            },
            Error::Refused(message) => AppError::Invalid {
                field: None,
                message,
            },
            other => internal(other),
        }
    }
}

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
