//! The one-time setup token that lets the first admin be created from the
//! browser. Issued at start while no user exists, logged as a link, kept
//! only as a SHA-256 digest, valid for [`SETUP_TOKEN_TTL`], and gone once an
//! admin exists.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use rand::RngCore as _;
use sha2::{Digest, Sha256};
use tokio::time::Instant;

/// How long a setup link works.
pub const SETUP_TOKEN_TTL: Duration = Duration::from_secs(60 * 60);

/// The current setup token, if one is outstanding.
#[derive(Clone, Default)]
pub struct SetupToken {
    slot: Arc<Mutex<Option<Issued>>>,
}

struct Issued {
    digest: [u8; 32],
    expires: Instant,
}

impl SetupToken {
    /// Issues a fresh token (replacing any earlier one) and returns it.
    pub fn issue(&self, ttl: Duration) -> String {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        *self.lock() = Some(Issued {
            digest: digest(&token),
            expires: Instant::now() + ttl,
        });
        token
    }

    /// Whether `token` is the outstanding, unexpired token.
    pub fn matches(&self, token: &str) -> bool {
        let slot = self.lock();
        let Some(issued) = slot.as_ref() else {
            return false;
        };
        let given = digest(token);
        // Compare every byte: the time taken says nothing about the token.
        let same = issued
            .digest
            .iter()
            .zip(given.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        same && Instant::now() < issued.expires
    }

    /// Uses the token up (after the first admin was created).
    pub fn consume(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Issued>> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_token_works_once_and_not_after_it_expires() {
        let setup = SetupToken::default();
        let token = setup.issue(Duration::from_secs(60));
        assert!(token.len() >= 43);
        assert!(setup.matches(&token));
        assert!(!setup.matches("guess"));
        assert!(!setup.matches(&token[1..]));
        setup.consume();
        assert!(!setup.matches(&token), "single use");

        let token = setup.issue(Duration::from_secs(60));
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(!setup.matches(&token), "expired");
    }

    #[test]
    fn a_new_token_replaces_the_old_one() {
        let setup = SetupToken::default();
        let first = setup.issue(SETUP_TOKEN_TTL);
        let second = setup.issue(SETUP_TOKEN_TTL);
        assert!(!setup.matches(&first));
        assert!(setup.matches(&second));
    }
}
