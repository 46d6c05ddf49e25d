//! The `.dockerconfigjson` document of a `kubernetes.io/dockerconfigjson`
//! Secret (and the legacy `.dockercfg` of `kubernetes.io/dockercfg`).
//!
//! [`DockerConfig::for_hosts`] builds exactly what `kubectl create secret
//! docker-registry` writes; the parsers accept what docker, kubectl and
//! kubelet accept and keep every field they do not know (`credHelpers`,
//! `identitytoken`, …) so that an edit ([`DockerConfig::apply_edit`]) and
//! [`DockerConfig::to_json`] never lose them.
//!
//! Credentials are redacted from `Debug` output and never appear in a
//! [`ConfigError`].

mod auth;
mod edit;
mod error;
pub mod import;
mod parse;
#[cfg(test)]
mod proptests;
mod rotate;

use std::collections::BTreeMap;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

pub use auth::{decode_auth, encode_auth};
pub use edit::{validate_password, validate_username, HostEdit};
pub use error::ConfigError;
pub use rotate::{RotateError, Rotated, Rotation};

use crate::domain::hosts::same_registry;
use crate::domain::secret::Password;

/// A docker config: credentials per registry host, plus any other top-level
/// fields, kept as they were.
#[derive(Clone, Default, PartialEq)]
pub struct DockerConfig {
    /// Credentials keyed by registry server, as written (e.g.
    /// `https://index.docker.io/v1/`, `ghcr.io`, `registry.local:5000`).
    pub auths: BTreeMap<String, AuthEntry>,
    /// Unknown top-level fields (`credHelpers`, `HttpHeaders`, …), kept.
    /// An `auths` key here is ignored when serialising.
    pub extra: Map<String, Value>,
}

/// The credentials for one registry host.
#[derive(Clone, Default, PartialEq)]
pub struct AuthEntry {
    /// `username`.
    pub username: Option<String>,
    /// `password`.
    pub password: Option<Password>,
    /// `email` (legacy, optional).
    pub email: Option<String>,
    /// `auth`: base64 of `username:password`. Kubelet prefers it over the
    /// separate fields.
    pub auth: Option<String>,
    /// Unknown fields (`identitytoken`, `registrytoken`, …), kept. Keys
    /// named like the fields above are ignored when serialising.
    pub extra: Map<String, Value>,
}

const ENTRY_FIELDS: [&str; 4] = ["username", "password", "email", "auth"];

impl DockerConfig {
    /// The config `kubectl create secret docker-registry` writes, with one
    /// identical entry per host (username, password, email when given and
    /// non-empty, and `auth`). Validate the inputs first with
    /// [`validate_username`] and [`validate_password`].
    pub fn for_hosts(
        hosts: &[String],
        username: &str,
        password: &Password,
        email: Option<&str>,
    ) -> DockerConfig {
        let auths = hosts
            .iter()
            .map(|h| (h.clone(), AuthEntry::new(username, password, email)))
            .collect();
        DockerConfig {
            auths,
            extra: Map::new(),
        }
    }

    /// The document as the compact JSON stored under `.dockerconfigjson`:
    /// `{"auths":{HOST:{"username","password","email","auth",…}},…}` in the
    /// order kubectl writes. Legacy `.dockercfg` input is written in the
    /// `.dockerconfigjson` shape.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a docker config always serialises")
    }

    /// The registry hosts, sorted.
    pub fn hosts(&self) -> Vec<String> {
        self.auths.keys().cloned().collect()
    }

    /// The entry for `host`: the exact key, else the first key naming the
    /// same registry (see [`same_registry`]).
    pub fn entry(&self, host: &str) -> Option<&AuthEntry> {
        self.auths.get(host).or_else(|| {
            self.auths
                .iter()
                .find(|(k, _)| same_registry(k, host))
                .map(|(_, e)| e)
        })
    }

    /// The credentials kubelet would use for `host` (see
    /// [`AuthEntry::username_password`]).
    pub fn username_password(&self, host: &str) -> Option<(String, Password)> {
        self.entry(host)?.username_password()
    }

    /// The username shared by every entry, if there are entries and they all
    /// agree.
    pub fn username(&self) -> Option<String> {
        common(self.auths.values().map(AuthEntry::effective_username))
    }

    /// The email shared by every entry, if there are entries and they all
    /// have the same one.
    pub fn email(&self) -> Option<String> {
        common(self.auths.values().map(|e| e.email.clone()))
    }
}

/// `Some(v)` if the iterator is non-empty and every item is `Some(v)`.
fn common(mut items: impl Iterator<Item = Option<String>>) -> Option<String> {
    let first = items.next()??;
    items.all(|i| i.as_ref() == Some(&first)).then_some(first)
}

impl Serialize for DockerConfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("auths", &self.auths)?;
        for (k, v) in self.extra.iter().filter(|(k, _)| *k != "auths") {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Serialize for AuthEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(u) = &self.username {
            map.serialize_entry("username", u)?;
        }
        if let Some(p) = &self.password {
            map.serialize_entry("password", p)?;
        }
        if let Some(e) = &self.email {
            map.serialize_entry("email", e)?;
        }
        if let Some(a) = &self.auth {
            map.serialize_entry("auth", a)?;
        }
        for (k, v) in &self.extra {
            if !ENTRY_FIELDS.contains(&k.as_str()) {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

/// Redacted: shows hosts, usernames, emails and the names of unknown fields.
impl std::fmt::Debug for DockerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DockerConfig")
            .field("auths", &self.auths)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Redacted: `password`, `auth` and unknown fields' values are hidden.
impl std::fmt::Debug for AuthEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthEntry")
            .field("username", &self.username)
            .field("password", &self.password)
            .field("email", &self.email)
            .field("auth", &self.auth.as_ref().map(|_| "***"))
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn builds_what_kubectl_writes() {
        // Byte-for-byte what kubectl 1.32 writes (its base64 decoded).
        let c = DockerConfig::for_hosts(
            &hosts(&["https://index.docker.io/v1/"]),
            "u",
            &Password::new("p:a\"ss"),
            Some("e@x"),
        );
        assert_eq!(
            c.to_json(),
            r#"{"auths":{"https://index.docker.io/v1/":{"username":"u","password":"p:a\"ss","email":"e@x","auth":"dTpwOmEic3M="}}}"#
        );
        let c = DockerConfig::for_hosts(&hosts(&["reg:5000"]), "u", &Password::new("p"), None);
        assert_eq!(
            c.to_json(),
            r#"{"auths":{"reg:5000":{"username":"u","password":"p","auth":"dTpw"}}}"#
        );
    }

    #[test]
    fn accessors() {
        let pw = Password::new("pw");
        let c = DockerConfig::for_hosts(&hosts(&["b.io", "a.io"]), "me", &pw, Some("m@x"));
        assert_eq!(c.hosts(), hosts(&["a.io", "b.io"]));
        assert_eq!(c.username().as_deref(), Some("me"));
        assert_eq!(c.email().as_deref(), Some("m@x"));
        assert_eq!(c.username_password("a.io"), Some(("me".into(), pw.clone())));
        assert_eq!(c.username_password("c.io"), None);
        let hub = DockerConfig::for_hosts(&hosts(&["https://index.docker.io/v1/"]), "u", &pw, None);
        assert!(hub.username_password("docker.io").is_some());
        assert_eq!(hub.email(), None);
        assert_eq!(DockerConfig::default().username(), None);
    }

    #[test]
    fn disagreeing_entries_have_no_common_value() {
        let mut c =
            DockerConfig::for_hosts(&hosts(&["a.io"]), "u1", &Password::new("p"), Some("e"));
        c.auths.insert(
            "b.io".into(),
            AuthEntry::new("u2", &Password::new("p"), None),
        );
        assert_eq!(c.username(), None);
        assert_eq!(c.email(), None);
    }

    #[test]
    fn debug_hides_credentials() {
        let mut c =
            DockerConfig::for_hosts(&hosts(&["a.io"]), "u", &Password::new("hunter2"), None);
        let entry = c.auths.get_mut("a.io").unwrap();
        entry
            .extra
            .insert("identitytoken".into(), Value::String("tok3n".into()));
        c.extra
            .insert("HttpHeaders".into(), serde_json::json!({"X-Key": "h3ader"}));
        let dbg = format!("{c:?} {c:#?}");
        for secret in [
            "hunter2",
            "tok3n",
            "h3ader",
            &encode_auth("u", &Password::new("hunter2")),
        ] {
            assert!(!dbg.contains(secret), "{dbg}");
        }
        assert!(dbg.contains("identitytoken") && dbg.contains("a.io"));
    }

    #[test]
    fn serialising_skips_shadowed_keys() {
        let mut c = DockerConfig::for_hosts(&hosts(&["a.io"]), "u", &Password::new("p"), None);
        c.extra.insert("auths".into(), Value::Null);
        c.auths
            .get_mut("a.io")
            .unwrap()
            .extra
            .insert("auth".into(), Value::Null);
        let v: Value = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(v["auths"]["a.io"]["auth"], "dTpw");
    }
}
