//! The hash chain and the credential fingerprint: pure functions, no IO.
//!
//! `hash = hex(SHA-256(prev_hash ‖ canonical(row)))` where `prev_hash` is the
//! previous row's hash as 64 lowercase hex ASCII bytes ([`GENESIS`] for the
//! first row) and `canonical(row)` is [`DOMAIN`] followed by every column but
//! `hash` in table order, each as `0x00` (NULL) or `0x01 ‖ u64 BE length ‖
//! UTF-8 bytes`; integers are written in decimal. Length prefixes make the
//! encoding unambiguous, so no two different rows hash the same input.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Prefix of every canonical row; a new encoding gets a new version.
pub const DOMAIN: &[u8] = b"regboard-audit-v1";

/// One row as hashed: every column but `hash`, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainRow<'a> {
    /// The row id.
    pub id: i64,
    /// UTC time with milliseconds.
    pub at: &'a str,
    /// `user`, `system` or `anonymous`.
    pub actor_kind: &'a str,
    /// The user id.
    pub actor_id: Option<i64>,
    /// The actor's name.
    pub actor_name: &'a str,
    /// The untrusted source address.
    pub source_addr: Option<&'a str>,
    /// The untrusted user agent.
    pub user_agent: Option<&'a str>,
    /// The request id.
    pub request_id: Option<&'a str>,
    /// The action.
    pub action: &'a str,
    /// The target's kind.
    pub target_kind: &'a str,
    /// The target's project.
    pub target_project: Option<&'a str>,
    /// The target's namespace.
    pub target_namespace: Option<&'a str>,
    /// The target's name.
    pub target_name: Option<&'a str>,
    /// The outcome.
    pub outcome: &'a str,
    /// The Kubernetes status code.
    pub status_code: Option<i64>,
    /// The details JSON text.
    pub details: &'a str,
    /// The previous row's hash.
    pub prev_hash: &'a str,
}

/// Hashes rows, reusing one buffer.
#[derive(Debug, Default)]
pub struct Hasher {
    buf: Vec<u8>,
    digits: itoa_buf::Buf,
}

impl Hasher {
    /// The hash of `row`, as 64 lowercase hex characters.
    pub fn hash(&mut self, row: &ChainRow<'_>) -> String {
        hex::encode(self.digest(row))
    }

    /// The raw SHA-256 of `row`.
    pub fn digest(&mut self, row: &ChainRow<'_>) -> [u8; 32] {
        self.buf.clear();
        self.buf.extend_from_slice(row.prev_hash.as_bytes());
        self.buf.extend_from_slice(DOMAIN);
        let int = |h: &mut Self, v: Option<i64>| match v {
            None => h.buf.push(0),
            Some(n) => {
                let text = h.digits.format(n);
                push_field(&mut h.buf, text.as_bytes());
            }
        };
        let text = |h: &mut Self, v: Option<&str>| match v {
            None => h.buf.push(0),
            Some(s) => push_field(&mut h.buf, s.as_bytes()),
        };
        int(self, Some(row.id));
        text(self, Some(row.at));
        text(self, Some(row.actor_kind));
        int(self, row.actor_id);
        text(self, Some(row.actor_name));
        text(self, row.source_addr);
        text(self, row.user_agent);
        text(self, row.request_id);
        text(self, Some(row.action));
        text(self, Some(row.target_kind));
        text(self, row.target_project);
        text(self, row.target_namespace);
        text(self, row.target_name);
        text(self, Some(row.outcome));
        int(self, row.status_code);
        text(self, Some(row.details));
        Sha256::digest(&self.buf).into()
    }
}

fn push_field(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.push(1);
    buf.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    buf.extend_from_slice(bytes);
}

/// Whether `hex_hash` is the hex form of `digest`, without allocating.
pub fn hex_matches(hex_hash: &str, digest: &[u8; 32]) -> bool {
    let mut out = [0u8; 64];
    hex::encode_to_slice(digest, &mut out).is_ok() && out == hex_hash.as_bytes()
}

/// `hmac-sha256:<first 16 hex>` of `credential` under `key`.
pub fn fingerprint(key: &[u8; 32], credential: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(credential);
    let tag = mac.finalize().into_bytes();
    format!("hmac-sha256:{}", &hex::encode(tag)[..16])
}

/// Decimal formatting of an `i64` into a stack buffer.
mod itoa_buf {
    use std::fmt::Write;

    /// A reusable buffer for one formatted integer.
    #[derive(Debug, Default)]
    pub struct Buf(String);

    impl Buf {
        /// `n` in decimal.
        pub fn format(&mut self, n: i64) -> &str {
            self.0.clear();
            let _ = write!(self.0, "{n}");
            &self.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> ChainRow<'static> {
        ChainRow {
            id: 1,
            at: "2026-01-31T12:00:00.000Z",
            actor_kind: "anonymous",
            actor_id: None,
            actor_name: "anonymous",
            source_addr: Some("127.0.0.1"),
            user_agent: None,
            request_id: Some("r1"),
            action: "registry.create",
            target_kind: "registry",
            target_project: None,
            target_namespace: Some("ns"),
            target_name: Some("ghcr"),
            outcome: "success",
            status_code: None,
            details: "{}",
            prev_hash: GENESIS,
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let mut h = Hasher::default();
        let base = h.hash(&row());
        assert_eq!(base.len(), 64);
        assert_eq!(base, h.hash(&row()), "deterministic");
        let variants = [
            ChainRow { id: 2, ..row() },
            ChainRow {
                actor_id: Some(0),
                ..row()
            },
            ChainRow {
                user_agent: Some(""),
                ..row()
            },
            ChainRow {
                target_namespace: None,
                ..row()
            },
            ChainRow {
                status_code: Some(409),
                ..row()
            },
            ChainRow {
                details: "{ }",
                ..row()
            },
            ChainRow {
                prev_hash: "1",
                ..row()
            },
        ];
        for v in variants {
            assert_ne!(h.hash(&v), base, "{v:?}");
        }
    }

    #[test]
    fn fields_cannot_be_shifted_into_each_other() {
        let mut h = Hasher::default();
        let a = ChainRow {
            target_namespace: Some("ab"),
            target_name: Some("c"),
            ..row()
        };
        let b = ChainRow {
            target_namespace: Some("a"),
            target_name: Some("bc"),
            ..row()
        };
        assert_ne!(h.hash(&a), h.hash(&b));
    }

    #[test]
    fn hex_matches_compares_without_allocating() {
        let mut h = Hasher::default();
        let digest = h.digest(&row());
        assert!(hex_matches(&h.hash(&row()), &digest));
        assert!(!hex_matches(GENESIS, &digest));
    }

    #[test]
    fn fingerprint_is_keyed_and_short() {
        let a = fingerprint(&[1; 32], b"hunter2");
        assert!(a.starts_with("hmac-sha256:") && a.len() == "hmac-sha256:".len() + 16);
        assert_eq!(a, fingerprint(&[1; 32], b"hunter2"));
        assert_ne!(a, fingerprint(&[2; 32], b"hunter2"));
        assert_ne!(a, fingerprint(&[1; 32], b"hunter3"));
    }
}
