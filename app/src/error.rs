//! The error type that crosses the server-function boundary.
//!
//! Each variant's message is written for the person using the dashboard: it
//! never carries a database or API error's text, and never a credential. The
//! server logs the cause; the browser gets the sentence.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, as the user should read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The cluster could not be reached or answered with a server error.
    #[error("The cluster is unavailable: {0}")]
    ClusterUnavailable(String),
    /// The request was refused by the cluster for lack of permission.
    #[error("The cluster refused this request: {0}")]
    Forbidden(String),
    /// The input was refused; `field` names the form field when there is one.
    #[error("{message}")]
    Invalid {
        /// The form field the message belongs next to, if any.
        field: Option<String>,
        /// What is wrong, as a sentence.
        message: String,
    },
    /// The name is already taken, or the object changed underneath.
    #[error("{0}")]
    Conflict(String),
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Something failed on the server; the details are in the server log.
    #[error("{}", internal_message(request_id))]
    Internal {
        /// The request id, to find the cause in the log.
        request_id: String,
    },
    /// Nobody is signed in, the session ended, or the sign-in was refused;
    /// the message says which.
    #[error("{0}")]
    Unauthenticated(String),
    /// The signed-in user lacks the role this needs.
    #[error("{0}")]
    NotAllowed(String),
    /// Too many failed sign-ins from this account or address.
    #[error("Too many failed sign-ins; try again in {}.", seconds(*retry_after_secs))]
    TooManyAttempts {
        /// How long to wait before the next attempt.
        retry_after_secs: u64,
    },
    /// The server is at its limit for this kind of work (password hashing);
    /// the request may be repeated after `retry_after_secs`.
    #[error("The server is busy; try again in {}.", seconds(*retry_after_secs))]
    Busy {
        /// How long to wait before repeating the request.
        retry_after_secs: u64,
    },
    /// The cluster answered 429 Too Many Requests; it asked to be left alone
    /// for `retry_after_secs`.
    #[error("The cluster is throttling requests; try again in {}.", seconds(*retry_after_secs))]
    ClusterThrottled {
        /// The cluster's Retry-After.
        retry_after_secs: u64,
    },
    /// The server function machinery itself failed (network, encoding).
    #[error("The request could not be completed: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

impl AppError {
    /// The answer to a request that needs a signed-in user and has none.
    pub fn sign_in() -> Self {
        AppError::Unauthenticated("Sign in to continue.".into())
    }

    /// The answer to a request the signed-in user may not make.
    pub fn not_allowed(what: &str) -> Self {
        AppError::NotAllowed(format!("You do not have permission to {what}."))
    }

    /// How long the caller should wait before repeating the request, when
    /// the error says so (sent as `Retry-After`).
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts { retry_after_secs }
            | AppError::Busy { retry_after_secs }
            | AppError::ClusterThrottled { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The HTTP status that says the same thing as this error.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 422,
            AppError::Conflict(_) => 409,
            AppError::NotFound(_) => 404,
            AppError::Forbidden(_) | AppError::NotAllowed(_) => 403,
            AppError::Unauthenticated(_) => 401,
            AppError::TooManyAttempts { .. } => 429,
            AppError::ClusterUnavailable(_)
            | AppError::Busy { .. }
            | AppError::ClusterThrottled { .. } => 503,
            AppError::Internal { .. } | AppError::Transport(_) => 500,
        }
    }
}

/// "1 second", "30 seconds".
fn seconds(n: u64) -> String {
    if n == 1 {
        "1 second".to_owned()
    } else {
        format!("{n} seconds")
    }
}

fn internal_message(request_id: &str) -> String {
    if request_id.is_empty() {
        "Something went wrong on the server; the details are in the server log.".to_owned()
    } else {
        format!("Something went wrong on the server (request {request_id}); the details are in the server log.")
    }
}
