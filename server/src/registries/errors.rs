//! Kubernetes errors as the sentences a person reads, and as audit outcomes.

use regboard_app::AppError;

use crate::cluster::describe_kube_error;

/// The HTTP status of a Kubernetes API error, if it is one.
pub fn status_code(err: &kube::Error) -> Option<u16> {
    match err {
        kube::Error::Api(status) => Some(status.code),
        _ => None,
    }
}

/// Whether retrying `err` later may succeed (5xx, 429, transport).
pub fn is_transient(err: &kube::Error) -> bool {
    match status_code(err) {
        Some(code) => code == 429 || code >= 500,
        None => true,
    }
}

/// Maps `err` to the user's error; `what` names the object ("Secret x in
/// namespace y"). `secrets` are scrubbed from any text taken from the API.
pub fn to_app_error(err: &kube::Error, what: &str, secrets: &[&str]) -> AppError {
    let message = scrub(&describe_kube_error(err), secrets);
    match status_code(err) {
        Some(404) => AppError::NotFound(format!("{what} does not exist.")),
        Some(409) => AppError::Conflict(format!(
            "{what} was changed by someone else in the meantime; reload and try again."
        )),
        Some(401 | 403) => AppError::Forbidden(message),
        Some(400 | 422) => AppError::Invalid {
            field: None,
            message: format!("The cluster refused {what}: {message}"),
        },
        _ => AppError::ClusterUnavailable(message),
    }
}

/// Replaces every occurrence of a secret (non-empty) in `text`.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| s.len() >= 3)
        .fold(text.to_owned(), |t, s| t.replace(s, "[redacted]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_every_secret() {
        assert_eq!(
            scrub("bad value \"hunter22\" in hunter22", &["hunter22", ""]),
            "bad value \"[redacted]\" in [redacted]"
        );
    }
}
