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

/// One row as hashed: every column but `hash`, borrowed. Text is `str`
/// when writing; `verify` reads it as `[u8]`, since SQLite does not promise
/// that a (possibly tampered) column holds UTF-8, and only bytes are hashed.
#[derive(Debug)]
pub struct ChainRow<'a, T: ?Sized = str> {
    /// The row id.
    pub id: i64,
    /// UTC time with milliseconds.
    pub at: &'a T,
    /// `user`, `system` or `anonymous`.
    pub actor_kind: &'a T,
    /// The user id.
    pub actor_id: Option<i64>,
    /// The actor's name.
    pub actor_name: &'a T,
    /// The untrusted source address.
    pub source_addr: Option<&'a T>,
    /// The untrusted user agent.
    pub user_agent: Option<&'a T>,
    /// The request id.
    pub request_id: Option<&'a T>,
    /// The action.
    pub action: &'a T,
    /// The target's kind.
    pub target_kind: &'a T,
    /// The target's project.
    pub target_project: Option<&'a T>,
    /// The target's namespace.
    pub target_namespace: Option<&'a T>,
    /// The target's name.
    pub target_name: Option<&'a T>,
    /// The outcome.
    pub outcome: &'a T,
    /// The Kubernetes status code.
    pub status_code: Option<i64>,
    /// The details JSON text.
    pub details: &'a T,
    /// The previous row's hash.
    pub prev_hash: &'a T,
}

impl<T: ?Sized> Clone for ChainRow<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for ChainRow<'_, T> {}

/// Hashes rows, reusing one buffer.
#[derive(Debug, Default)]
pub struct Hasher {
    buf: Vec<u8>,
}

impl Hasher {
    /// The hash of `row`, as 64 lowercase hex characters.
    pub fn hash<T: AsRef<[u8]> + ?Sized>(&mut self, row: &ChainRow<'_, T>) -> String {
        hex::encode(self.digest(row))
    }

    /// The raw SHA-256 of `row`.
    pub fn digest<T: AsRef<[u8]> + ?Sized>(&mut self, row: &ChainRow<'_, T>) -> [u8; 32] {
        let buf = &mut self.buf;
        buf.clear();
        buf.extend_from_slice(row.prev_hash.as_ref());
        buf.extend_from_slice(DOMAIN);
        push_int(buf, Some(row.id));
        push_text(buf, Some(row.at.as_ref()));
        push_text(buf, Some(row.actor_kind.as_ref()));
        push_int(buf, row.actor_id);
        push_text(buf, Some(row.actor_name.as_ref()));
        push_text(buf, row.source_addr.map(AsRef::as_ref));
        push_text(buf, row.user_agent.map(AsRef::as_ref));
        push_text(buf, row.request_id.map(AsRef::as_ref));
        push_text(buf, Some(row.action.as_ref()));
        push_text(buf, Some(row.target_kind.as_ref()));
        push_text(buf, row.target_project.map(AsRef::as_ref));
        push_text(buf, row.target_namespace.map(AsRef::as_ref));
        push_text(buf, row.target_name.map(AsRef::as_ref));
        push_text(buf, Some(row.outcome.as_ref()));
        push_int(buf, row.status_code);
        push_text(buf, Some(row.details.as_ref()));
        Sha256::digest(&*buf).into()
    }
}

/// `0x00` for NULL, else `0x01 ‖ u64 BE length ‖ bytes`.
fn push_text(buf: &mut Vec<u8>, field: Option<&[u8]>) {
    match field {
        None => buf.push(0),
        Some(bytes) => {
            buf.push(1);
            buf.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
            buf.extend_from_slice(bytes);
        }
    }
}

/// An integer as [`push_text`] of its decimal form.
fn push_int(buf: &mut Vec<u8>, n: Option<i64>) {
    let mut digits = [0u8; 20];
    push_text(buf, n.map(|n| decimal(n, &mut digits)));
}

/// `n` in decimal (as `format!("{n}")`), written into `out`: no
/// formatting machinery on the path that runs once per row.
fn decimal(n: i64, out: &mut [u8; 20]) -> &[u8] {
    let mut at = out.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        out[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        out[at] = b'-';
    }
    &out[at..]
}

/// Whether `hex_hash` is the hex form of `digest`, without allocating.
pub fn hex_matches(hex_hash: &[u8], digest: &[u8; 32]) -> bool {
    let mut out = [0u8; 64];
    hex::encode_to_slice(digest, &mut out).is_ok() && out == hex_hash
}

/// `hmac-sha256:<first 16 hex>` of `credential` under `key`.
pub fn fingerprint(key: &[u8; 32], credential: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(credential);
    let tag = mac.finalize().into_bytes();
    format!("hmac-sha256:{}", &hex::encode(tag)[..16])
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
        assert!(hex_matches(h.hash(&row()).as_bytes(), &digest));
        assert!(!hex_matches(GENESIS.as_bytes(), &digest));
    }

    #[test]
    fn the_encoding_matches_the_documented_one() {
        // Computed apart from this code, from the module docs (Python:
        // hashlib.sha256 over prev_hash, DOMAIN and the length-prefixed
        // fields): an encoding change would orphan every stored chain.
        let mut h = Hasher::default();
        assert_eq!(
            h.hash(&row()),
            "5cafe9f3a5aefc8027c93b6976836e6c4666dfa2c4c1ddd9536f33070b9adfbb"
        );
        let with_ints = ChainRow {
            actor_id: Some(-5),
            status_code: Some(409),
            ..row()
        };
        assert_eq!(
            h.hash(&with_ints),
            "a5441eea4dbda631e15b5621c283ccbd8166db729dfa9ac06596cfc5684b1080"
        );
    }

    #[test]
    fn integers_are_hashed_in_plain_decimal() {
        for n in [0, 7, -7, 409, i64::MAX, i64::MIN, 1_000_000] {
            let mut out = [0u8; 20];
            assert_eq!(decimal(n, &mut out), n.to_string().as_bytes());
        }
    }

    #[test]
    fn text_and_bytes_hash_alike() {
        let text = row();
        let bytes: ChainRow<'_, [u8]> = ChainRow {
            id: text.id,
            at: text.at.as_bytes(),
            actor_kind: text.actor_kind.as_bytes(),
            actor_id: text.actor_id,
            actor_name: text.actor_name.as_bytes(),
            source_addr: text.source_addr.map(str::as_bytes),
            user_agent: text.user_agent.map(str::as_bytes),
            request_id: text.request_id.map(str::as_bytes),
            action: text.action.as_bytes(),
            target_kind: text.target_kind.as_bytes(),
            target_project: text.target_project.map(str::as_bytes),
            target_namespace: text.target_namespace.map(str::as_bytes),
            target_name: text.target_name.map(str::as_bytes),
            outcome: text.outcome.as_bytes(),
            status_code: text.status_code,
            details: text.details.as_bytes(),
            prev_hash: text.prev_hash.as_bytes(),
        };
        let mut h = Hasher::default();
        assert_eq!(h.digest(&text), h.digest(&bytes));
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
