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
    /// The HTTP status that says the same thing as this error.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 422,
            AppError::Conflict(_) => 409,
            AppError::NotFound(_) => 404,
            AppError::Forbidden(_) => 403,
            AppError::ClusterUnavailable(_) => 503,
            AppError::Internal { .. } | AppError::Transport(_) => 500,
        }
    }
}

/// Gives a server function's response the status its error stands for (a
/// refused name is a 409, not a server failure), then returns `result`.
#[cfg(feature = "ssr")]
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(code) = http::StatusCode::from_u16(e.http_status()) {
                response.set_status(code);
            }
        }
    }
    result
}

fn internal_message(request_id: &str) -> String {
    if request_id.is_empty() {
        "Something went wrong on the server; the details are in the server log.".to_owned()
    } else {
        format!("Something went wrong on the server (request {request_id}); the details are in the server log.")
    }
}
