//! Errors of parsing and editing a docker config. Messages name the registry
//! host and the field, never a password or `auth` value.

use thiserror::Error;

/// Why a `.dockerconfigjson` / `.dockercfg` document or an edit of it was
/// refused. `Display` is a sentence to show to a person; no variant carries a
/// credential.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// The document is empty or only whitespace.
    #[error("The registry configuration is empty.")]
    Empty,
    /// The document is not JSON. Only the position is kept: a JSON parser's
    /// own message may quote the input, which may contain a password.
    #[error("The registry configuration is not valid JSON (line {line}, column {column}).")]
    NotJson {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// The top level is not a JSON object.
    #[error("The registry configuration must be a JSON object.")]
    NotAnObject,
    /// A `.dockerconfigjson` without `auths`.
    #[error("The registry configuration has no \"auths\" section.")]
    MissingAuths,
    /// `auths` is not an object.
    #[error("The \"auths\" section must be a JSON object keyed by registry host.")]
    AuthsNotObject,
    /// The credentials of a host are not an object.
    #[error("The credentials for '{host}' must be a JSON object.")]
    EntryNotObject {
        /// The registry host (the key in `auths`).
        host: String,
    },
    /// A known field has a non-string value.
    #[error("The '{field}' for '{host}' must be a string.")]
    FieldNotString {
        /// The registry host.
        host: String,
        /// `username`, `password`, `email` or `auth`.
        field: &'static str,
    },
    /// `auth` is not standard padded base64.
    #[error("The 'auth' for '{host}' is not valid base64.")]
    AuthNotBase64 {
        /// The registry host.
        host: String,
    },
    /// `auth` decodes to bytes that are not UTF-8 text.
    #[error("The 'auth' for '{host}' does not decode to text.")]
    AuthNotUtf8 {
        /// The registry host.
        host: String,
    },
    /// `auth` decodes to text without a ':'.
    #[error("The 'auth' for '{host}' must decode to 'username:password' but has no ':'.")]
    AuthWithoutColon {
        /// The registry host.
        host: String,
    },
    /// An edit with an empty host list.
    #[error("Add at least one registry host.")]
    NoHosts,
    /// An edit with an empty host.
    #[error("A registry host is empty.")]
    EmptyHost,
    /// An edit with an empty username.
    #[error("Enter a username.")]
    EmptyUsername,
    /// A username containing ':' cannot be told apart from the password in
    /// `auth`, so kubelet would send a wrong username.
    #[error(
        "The username must not contain ':' because ':' separates the username from the password."
    )]
    UsernameContainsColon,
    /// A username with a control character (e.g. a newline).
    #[error("The username must not contain control characters such as line breaks.")]
    UsernameControlChar,
    /// An edit with an empty password.
    #[error("Enter a password.")]
    EmptyPassword,
    /// A host was added or changed without a password: a credential follows
    /// its host, so it is never carried over to another server.
    #[error("'{host}' is a new host: enter its password again (a saved password is never sent to another server).")]
    NoPasswordToKeep {
        /// The new host that needs a password.
        host: String,
    },
}
