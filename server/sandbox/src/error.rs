//! The crate's one error type.

use std::net::SocketAddr;

use crate::status::ApiStatus;

/// Everything that can go wrong when starting, using or seeding a sandbox.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The listener could not be bound.
    #[error("could not bind the sandbox API server to {addr}: {source}")]
    Bind {
        /// The requested address.
        addr: SocketAddr,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Building or using a kube client failed.
    #[error("the kube client for the sandbox failed: {0}")]
    Kube(#[from] kube::Error),
    /// The sandbox URL could not be turned into a URI (should not happen for a bound address).
    #[error("the sandbox URL {url} is not a valid URI: {source}")]
    Url {
        /// The offending URL.
        url: String,
        /// The parse error.
        #[source]
        source: http::uri::InvalidUri,
    },
    /// A seed name other than `demo` or `empty` was given.
    #[error("unknown sandbox seed {given:?}; expected \"demo\" or \"empty\"")]
    UnknownSeed {
        /// What was given.
        given: String,
    },
    /// A manifest or token given to [`crate::Authorization`] could not be used.
    #[error("sandbox manifest: {0}")]
    Manifest(String),
    /// The sandbox refused a direct store operation, as the API would have.
    #[error("the sandbox rejected the request: {0}")]
    Rejected(ApiStatus),
}

impl From<ApiStatus> for Error {
    fn from(status: ApiStatus) -> Self {
        Error::Rejected(status)
    }
}
