//! The audit log as the browser sees it: a filter, one page of events
//! (newest first, with a cursor to the next older page), one event in
//! detail, and the chain head.
//!
//! The server functions pass the caller's [`AuditScope`] to the service:
//! admins see every event, others the events inside the projects and
//! namespaces their grants reach.

use serde::{Deserialize, Serialize};

/// How many events a page holds unless the caller asks for fewer.
pub const PAGE_SIZE: u32 = 50;
/// The most events one page may hold.
pub const MAX_PAGE_SIZE: u32 = 200;

/// What to show; every field is optional and they combine with AND.
///
/// The same fields are the query string of `/audit`, of
/// `/audit/export` and the flags of `regboard audit export`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Events at or after this UTC time (`2026-01-31`, `2026-01-31T12:00`,
    /// or RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Events before this UTC time (same formats as `from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The actor's name exactly (`alice`, `system:reconciler`, `anonymous`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The action exactly, or a prefix ending in `*` (`registry.*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// `success`, `denied`, `conflict`, `invalid` or `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The target's project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The target's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// A registry name: events whose target is that registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// Text found anywhere in the event (actor, action, target, request id,
    /// source, details), case-insensitively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
}

impl AuditFilter {
    /// The filter's fields as `(name, value)` pairs, blank ones left out.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("from", &self.from),
            ("to", &self.to),
            ("actor", &self.actor),
            ("action", &self.action),
            ("outcome", &self.outcome),
            ("project", &self.project),
            ("namespace", &self.namespace),
            ("registry", &self.registry),
            ("q", &self.q),
        ]
        .into_iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| (k, v))
        })
        .collect()
    }

    /// The filter with blank fields removed and the rest trimmed.
    pub fn normalized(&self) -> Self {
        let pick = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        Self {
            from: pick(&self.from),
            to: pick(&self.to),
            actor: pick(&self.actor),
            action: pick(&self.action),
            outcome: pick(&self.outcome),
            project: pick(&self.project),
            namespace: pick(&self.namespace),
            registry: pick(&self.registry),
            q: pick(&self.q),
        }
    }

    /// Builds a filter from query-string style `(name, value)` pairs;
    /// unknown names are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut filter = Self::default();
        for (k, v) in pairs {
            let slot = match k {
                "from" => &mut filter.from,
                "to" => &mut filter.to,
                "actor" => &mut filter.actor,
                "action" => &mut filter.action,
                "outcome" => &mut filter.outcome,
                "project" => &mut filter.project,
                "namespace" => &mut filter.namespace,
                "registry" => &mut filter.registry,
                "q" => &mut filter.q,
                _ => continue,
            };
            *slot = Some(v.to_owned());
        }
        filter.normalized()
    }

    /// The query string (without `?`) for this filter plus `extra` pairs,
    /// percent-encoded.
    pub fn query_string(&self, extra: &[(&str, &str)]) -> String {
        self.pairs()
            .into_iter()
            .chain(extra.iter().copied())
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Which events a caller may see: everything (admins), or the events whose
/// target lies in one of the listed projects or namespaces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditScope {
    /// Every event.
    #[default]
    All,
    /// Events targeting one of these projects or namespaces; events with no
    /// project or namespace (e.g. failed logins) are left out.
    Within {
        /// Project names.
        projects: Vec<String>,
        /// Namespace names.
        namespaces: Vec<String>,
    },
}

/// One event as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEventView {
    /// Its position in the chain.
    pub id: i64,
    /// When it happened: UTC with milliseconds, RFC 3339.
    pub at: String,
    /// `user`, `system` or `anonymous`.
    pub actor_kind: String,
    /// The user's id, for `user` actors.
    pub actor_id: Option<i64>,
    /// The user's name, `system:reconciler`, or `anonymous`.
    pub actor_name: String,
    /// The peer address as the server saw it (untrusted).
    pub untrusted_source_addr: Option<String>,
    /// The client's `User-Agent` (untrusted; render as text only).
    pub untrusted_user_agent: Option<String>,
    /// The request that caused it.
    pub request_id: Option<String>,
    /// What was attempted, e.g. `registry.update`.
    pub action: String,
    /// The target's kind, e.g. `registry`.
    pub target_kind: String,
    /// The target's project.
    pub target_project: Option<String>,
    /// The target's namespace.
    pub target_namespace: Option<String>,
    /// The target's name.
    pub target_name: Option<String>,
    /// `success`, `denied`, `conflict`, `invalid` or `error`.
    pub outcome: String,
    /// The Kubernetes status code, when there was one.
    pub status_code: Option<u16>,
    /// Non-secret before/after fields and the credential's fingerprint, as
    /// JSON text.
    pub details: String,
    /// The previous event's hash.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

impl AuditEventView {
    /// The target as one short line: `registry payments/ns/name`.
    pub fn target_label(&self) -> String {
        let path: Vec<&str> = [
            self.target_project.as_deref(),
            self.target_namespace.as_deref(),
            self.target_name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        if path.is_empty() {
            self.target_kind.clone()
        } else {
            format!("{} {}", self.target_kind, path.join("/"))
        }
    }
}

/// One page of events, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEventPage {
    /// The events.
    pub events: Vec<AuditEventView>,
    /// Pass as `before` to get the next (older) page; `None` on the last page.
    pub next_before: Option<i64>,
}

/// The end of the chain, to be written down and compared later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// How many events the log holds.
    pub events: i64,
    /// The newest event's hash; `None` while the log is empty.
    pub latest_hash: Option<String>,
}

impl AuditScope {
    /// The scope of the holder of `perms`, given the cluster's `namespaces`
    /// (to find the namespaces of the projects they reach).
    pub fn of(
        perms: &crate::domain::access::Permissions,
        namespaces: &[crate::model::cluster::NamespaceRow],
    ) -> Self {
        if perms.admin {
            return AuditScope::All;
        }
        let projects: Vec<String> = perms.reach.projects.keys().cloned().collect();
        let mut names: Vec<String> = perms.reach.namespaces.keys().cloned().collect();
        names.extend(
            namespaces
                .iter()
                .filter(|row| row.project.as_ref().is_some_and(|p| projects.contains(p)))
                .map(|row| row.name.clone()),
        );
        names.sort();
        names.dedup();
        AuditScope::Within {
            projects,
            namespaces: names,
        }
    }
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It was done.
    Success,
    /// The actor was not allowed.
    Denied,
    /// A name was taken or the object changed underneath (409).
    Conflict,
    /// The input was refused (400/422).
    Invalid,
    /// Something failed.
    Error,
}

impl Outcome {
    /// Every outcome, in the order the UI lists them.
    pub const ALL: [Outcome; 5] = [
        Outcome::Success,
        Outcome::Denied,
        Outcome::Conflict,
        Outcome::Invalid,
        Outcome::Error,
    ];

    /// The outcome a stored or typed word names (any case).
    pub fn parse(word: &str) -> Option<Outcome> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(word))
    }

    /// The stored word: `success`, `denied`, `conflict`, `invalid`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Conflict => "conflict",
            Outcome::Invalid => "invalid",
            Outcome::Error => "error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_fields_are_dropped_and_values_encoded() {
        let filter = AuditFilter {
            action: Some(" registry.* ".into()),
            q: Some("a b&c=d/é".into()),
            actor: Some("   ".into()),
            ..Default::default()
        };
        assert_eq!(
            filter.query_string(&[("format", "csv")]),
            "action=registry.%2A&q=a%20b%26c%3Dd%2F%C3%A9&format=csv"
        );
        let back = AuditFilter::from_pairs([("action", "registry.*"), ("actor", ""), ("x", "y")]);
        assert_eq!(back.action.as_deref(), Some("registry.*"));
        assert_eq!(back.actor, None);
    }

    #[test]
    fn target_label_joins_the_parts_present() {
        let mut event = AuditEventView {
            id: 1,
            at: String::new(),
            actor_kind: "anonymous".into(),
            actor_id: None,
            actor_name: "anonymous".into(),
            untrusted_source_addr: None,
            untrusted_user_agent: None,
            request_id: None,
            action: "registry.create".into(),
            target_kind: "registry".into(),
            target_project: Some("payments".into()),
            target_namespace: None,
            target_name: Some("ghcr".into()),
            outcome: "success".into(),
            status_code: None,
            details: "{}".into(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        assert_eq!(event.target_label(), "registry payments/ghcr");
        event.target_project = None;
        event.target_name = None;
        assert_eq!(event.target_label(), "registry");
    }
}
