//! What a credential test concluded, and the registry's own words for a
//! refusal. A verdict never holds the credential: its texts come from the
//! registry's error body (capped), which the server scrubs of the
//! credential before keeping it.

use serde::{Deserialize, Serialize};

/// The longest registry error text kept in a verdict, in characters.
pub const MAX_TEXT: usize = 300;

/// Why a registry could not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unreachable {
    /// The host name did not resolve.
    Dns,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// Nothing listens at that address (connection refused).
    Refused,
    /// No answer came in time.
    Timeout,
    /// Any other transport failure (reset, proxy, …).
    Network,
}

impl Unreachable {
    /// A short label: DNS, TLS, refused, timeout, network.
    pub fn label(self) -> &'static str {
        match self {
            Unreachable::Dns => "DNS",
            Unreachable::Tls => "TLS",
            Unreachable::Refused => "refused",
            Unreachable::Timeout => "timeout",
            Unreachable::Network => "network",
        }
    }
}

/// The outcome of one credential test against one host.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The registry accepted the credential.
    Accepted,
    /// The registry (or its token service) refused it with `status`.
    Rejected {
        /// 401 or 403.
        status: u16,
        /// The registry's own error text, if it sent one.
        message: String,
    },
    /// The registry could not be reached.
    Unreachable {
        /// Which way it failed.
        cause: Unreachable,
        /// The transport's own words ("Connection refused").
        detail: String,
    },
    /// The registry answered something the protocol does not lead to.
    Unexpected {
        /// What it answered, as a sentence.
        detail: String,
    },
}

impl Verdict {
    /// accepted, rejected, unreachable, unexpected.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Rejected { .. } => "rejected",
            Verdict::Unreachable { .. } => "unreachable",
            Verdict::Unexpected { .. } => "unexpected",
        }
    }

    /// Whether the registry accepted the credential.
    pub fn accepted(&self) -> bool {
        matches!(self, Verdict::Accepted)
    }

    /// One sentence for a person, naming `host`.
    pub fn sentence(&self, host: &str) -> String {
        match self {
            Verdict::Accepted => format!("{host} accepted the credential."),
            Verdict::Rejected { status, message } if message.is_empty() => {
                format!("{host} rejected the credential (HTTP {status}).")
            }
            Verdict::Rejected { status, message } => {
                format!("{host} rejected the credential (HTTP {status}): {message}")
            }
            Verdict::Unreachable { cause, detail } => format!(
                "regboard could not reach {host} ({}): {detail}; the credential was not tested.",
                cause.label()
            ),
            Verdict::Unexpected { detail } => {
                format!("{host} gave an unexpected answer: {detail}")
            }
        }
    }
}

/// The registry's own error text from a response body: the `message` (and
/// `detail` when it is a string) of each entry of the Distribution error
/// format `{"errors":[{"code","message","detail"}]}`, or a token service's
/// `{"error","error_description"}` / `{"details"}`, or a short plain-text
/// body; capped at [`MAX_TEXT`] characters. Empty when there is nothing
/// readable.
pub fn registry_error_text(body: &str) -> String {
    let text = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(json) => json_error_text(&json),
        Err(_) if !body.trim_start().starts_with('<') => one_line(body),
        Err(_) => String::new(), // an HTML page says nothing useful
    };
    cap(&text)
}

fn json_error_text(json: &serde_json::Value) -> String {
    let field = |v: &serde_json::Value, k: &str| {
        v.get(k)
            .and_then(|s| s.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    if let Some(errors) = json.get("errors").and_then(|e| e.as_array()) {
        let parts: Vec<String> = errors
            .iter()
            .filter_map(|e| {
                let message = field(e, "message").or_else(|| field(e, "code"))?;
                Some(match field(e, "detail") {
                    Some(detail) if detail != message => format!("{message} ({detail})"),
                    _ => message,
                })
            })
            .collect();
        return parts.join("; ");
    }
    ["error_description", "details", "message", "error"]
        .iter()
        .find_map(|k| field(json, k))
        .unwrap_or_default()
}

fn one_line(body: &str) -> String {
    body.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cap(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_errors_give_their_messages() {
        let body = r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}"#;
        assert_eq!(registry_error_text(body), "authentication required");
        let body = r#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied","detail":"no pull"},{"code":"X"}]}"#;
        assert_eq!(
            registry_error_text(body),
            "requested access to the resource is denied (no pull); X"
        );
    }

    #[test]
    fn token_service_errors_and_plain_text_are_read() {
        assert_eq!(
            registry_error_text(r#"{"error":"invalid_grant","error_description":"bad login"}"#),
            "bad login"
        );
        assert_eq!(
            registry_error_text(r#"{"details":"incorrect username or password"}"#),
            "incorrect username or password"
        );
        assert_eq!(registry_error_text("  access\n denied \n"), "access denied");
        assert_eq!(registry_error_text("<html><body>401</body></html>"), "");
        assert_eq!(registry_error_text(""), "");
    }

    #[test]
    fn long_texts_are_capped() {
        let long = "x".repeat(MAX_TEXT + 50);
        let text = registry_error_text(&long);
        assert_eq!(text.chars().count(), MAX_TEXT + 1);
        assert!(text.ends_with('…'));
    }

    #[test]
    fn sentences_name_the_host_and_the_cause() {
        let refused = Verdict::Unreachable {
            cause: Unreachable::Refused,
            detail: "Connection refused".into(),
        };
        assert_eq!(refused.label(), "unreachable");
        assert!(refused
            .sentence("r.example")
            .contains("(refused): Connection refused"));
        let rejected = Verdict::Rejected {
            status: 401,
            message: "authentication required".into(),
        };
        assert_eq!(
            rejected.sentence("r.example"),
            "r.example rejected the credential (HTTP 401): authentication required"
        );
        assert!(Verdict::Accepted.accepted());
    }

    #[test]
    fn verdicts_round_trip_as_json() {
        let v = Verdict::Unreachable {
            cause: Unreachable::Timeout,
            detail: "no answer within 3 seconds".into(),
        };
        let json = serde_json::to_string(&v).unwrap();
        assert!(json.contains(r#""verdict":"unreachable""#), "{json}");
        assert_eq!(serde_json::from_str::<Verdict>(&json).unwrap(), v);
    }
}
