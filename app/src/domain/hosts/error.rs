//! Errors of host presets and `host[:port]` validation.

use thiserror::Error;

/// Why a preset's input does not give a usable registry host.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HostError {
    /// Nothing was entered.
    #[error("Enter the registry host.")]
    Empty,
    /// A scheme other than `https://`.
    #[error("Only 'https://' may precede the host; remove '{scheme}://'.")]
    Scheme {
        /// The scheme that was given.
        scheme: String,
    },
    /// A path after the host.
    #[error("Enter only the host and optional port, without a path ('{path}').")]
    Path {
        /// The path that was given.
        path: String,
    },
    /// Whitespace inside the host.
    #[error("The host must not contain spaces.")]
    Space,
    /// A character that cannot appear in a host name.
    #[error("{ch:?} at position {position} is not allowed in a host name.")]
    InvalidChar {
        /// The offending character.
        ch: char,
        /// Its 1-based position in the host part.
        position: usize,
    },
    /// An empty, too long or badly formed dot-separated part.
    #[error("'{host}' is not a valid host name: each part between dots must be 1–63 letters, digits or '-', not starting or ending with '-'.")]
    BadHost {
        /// The host that was given.
        host: String,
    },
    /// The host name is longer than DNS allows.
    #[error("The host name is {len} characters long; the limit is 253.")]
    HostTooLong {
        /// Its length.
        len: usize,
    },
    /// Looks like an IPv4 address but is not one.
    #[error("'{host}' is not a valid IPv4 address.")]
    BadIpv4 {
        /// The host that was given.
        host: String,
    },
    /// The port is not a number from 1 to 65535.
    #[error("The port must be a number from 1 to 65535, not '{port}'.")]
    BadPort {
        /// The port that was given.
        port: String,
    },
    /// The AWS account id is not 12 digits.
    #[error("The AWS account ID must be exactly 12 digits.")]
    EcrAccount,
    /// The AWS region does not look like one.
    #[error("'{region}' is not an AWS region; regions look like 'eu-west-1'.")]
    EcrRegion {
        /// The region that was given.
        region: String,
    },
    /// The Artifact Registry location does not look like one.
    #[error("'{location}' is not an Artifact Registry location; use e.g. 'europe-west1' or 'us'.")]
    ArtifactLocation {
        /// The location that was given.
        location: String,
    },
    /// The Azure registry name is not 5–50 letters and digits.
    #[error("An Azure registry name is 5 to 50 letters and digits.")]
    AcrName,
}
