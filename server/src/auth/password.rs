//! Password hashing (argon2id, OWASP's m = 19 MiB, t = 2, p = 1) and the
//! rules for a new password. Hashing runs on tokio's blocking pool, at most
//! one hash per core at once (each takes 19 MiB): past that a request waits
//! up to [`BUSY_WAIT`], then is refused with "busy, retry".

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use regboard_app::domain::access::check_password_length;
use regboard_app::domain::secret::Password;
use regboard_app::AppError;

use super::common::is_common;
use crate::error::{internal, Error};

/// Memory cost in KiB (OWASP Password Storage Cheat Sheet: 19 MiB).
pub const MEMORY_KIB: u32 = 19_456;
/// Iterations.
pub const ITERATIONS: u32 = 2;
/// Parallelism.
pub const PARALLELISM: u32 = 1;

/// How long a request waits for a free hashing slot before it is refused.
pub const BUSY_WAIT: Duration = Duration::from_secs(2);
/// The Retry-After of a request refused for want of a hashing slot.
pub const BUSY_RETRY_SECS: u64 = 2;

/// Hashes and verifies passwords.
#[derive(Clone)]
pub struct Passwords {
    argon: Arc<Argon2<'static>>,
    /// One permit per core: hashes running at once.
    slots: Arc<Semaphore>,
    /// Password verifications run so far (for tests and metrics).
    checks: Arc<AtomicU64>,
    /// The hash of a random password, verified against when the user is
    /// unknown so that both answers take the same time.
    dummy: Arc<str>,
}

impl Passwords {
    /// A hasher with the standard parameters (computes the dummy hash).
    pub fn new() -> Self {
        let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
            .expect("argon2 parameters are valid");
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy = hash_with(&argon, uuid::Uuid::new_v4().to_string().as_bytes())
            .expect("hashing a random password works");
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            argon: Arc::new(argon),
            slots: Arc::new(Semaphore::new(cores)),
            checks: Arc::default(),
            dummy: dummy.into(),
        }
    }

    /// How many password verifications have run (each is one argon2 hash).
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }

    /// A hashing slot, waiting up to [`BUSY_WAIT`] for one.
    async fn slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
        let busy = || AppError::Busy {
            retry_after_secs: BUSY_RETRY_SECS,
        };
        match tokio::time::timeout(BUSY_WAIT, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(internal(Error::Bug("the hashing slots were closed".into()))),
            Err(_) => {
                tracing::warn!("every password hashing slot is busy; refusing a request");
                Err(busy())
            }
        }
    }

    /// The argon2id PHC string of `password`.
    pub async fn hash(&self, password: &Password) -> Result<String, AppError> {
        let argon = self.argon.clone();
        let password = password.clone();
        let permit = self.slot().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            hash_with(&argon, password.expose().as_bytes())
        })
        .await
        .map_err(|e| internal(Error::Bug(format!("the password hashing task failed: {e}"))))?
        .map_err(|e| internal(Error::Bug(format!("hashing a password failed: {e}"))))
    }

    /// Whether `password` matches `hash`. With no hash (unknown user) it
    /// verifies against a dummy hash and answers false, taking the same time.
    /// Refused with [`AppError::Busy`] when no hashing slot frees in time.
    pub async fn verify(&self, password: &Password, hash: Option<&str>) -> Result<bool, AppError> {
        let known = hash.is_some();
        let hash: Arc<str> = hash.map_or_else(|| self.dummy.clone(), Arc::from);
        let argon = self.argon.clone();
        let password = password.clone();
        let permit = self.slot().await?;
        self.checks.fetch_add(1, Ordering::Relaxed);
        let matched = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            PasswordHash::new(&hash)
                .map(|parsed| {
                    argon
                        .verify_password(password.expose().as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        Ok(known && matched)
    }
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new()
    }
}

fn hash_with(argon: &Argon2<'_>, password: &[u8]) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Ok(argon.hash_password(password, &salt)?.to_string())
}

/// Checks a new password for the account `name`: 8 to 128 characters, not
/// one of the most common passwords, not the account name. `field` names
/// the form field the message belongs to.
pub fn check_new_password(name: &str, password: &Password, field: &str) -> Result<(), AppError> {
    let invalid = |message: String| AppError::Invalid {
        field: Some(field.to_owned()),
        message,
    };
    let text = password.expose();
    check_password_length(text).map_err(invalid)?;
    if is_common(text) {
        return Err(invalid(
            "This password is one of the most commonly used; choose another.".into(),
        ));
    }
    if text.eq_ignore_ascii_case(name) {
        return Err(invalid("The password must not be the user name.".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_owasp_parameters_and_verify() {
        let passwords = Passwords::new();
        let pw = Password::new("correct horse battery staple");
        let hash = passwords.hash(&pw).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains("correct horse"));
        assert!(passwords.verify(&pw, Some(&hash)).await.unwrap());
        assert!(!passwords
            .verify(&Password::new("wrong"), Some(&hash))
            .await
            .unwrap());
        assert!(
            !passwords.verify(&pw, None).await.unwrap(),
            "an unknown user never matches"
        );
        let again = passwords.hash(&pw).await.unwrap();
        assert_ne!(hash, again, "each hash has its own salt");
        assert_eq!(passwords.checks(), 3, "three verifications ran");
    }

    #[tokio::test(start_paused = true)]
    async fn past_the_slots_a_request_waits_then_is_refused_as_busy() {
        let passwords = Passwords::new();
        let cores = passwords.slots.available_permits();
        let held = passwords
            .slots
            .clone()
            .acquire_many_owned(cores as u32)
            .await
            .unwrap();
        let started = tokio::time::Instant::now();
        let refused = passwords.verify(&Password::new("x"), None).await;
        assert_eq!(
            refused,
            Err(AppError::Busy {
                retry_after_secs: BUSY_RETRY_SECS
            })
        );
        assert_eq!(started.elapsed(), BUSY_WAIT, "it waited before refusing");
        assert_eq!(passwords.checks(), 0, "no hash ran");
        drop(held);
    }

    #[test]
    fn new_passwords_follow_the_rules() {
        let check = |p: &str| check_new_password("alice", &Password::new(p), "password");
        assert!(check("a long unusual phrase").is_ok());
        assert!(check("short").is_err());
        assert!(
            matches!(check("password1"), Err(AppError::Invalid { field: Some(f), message }) if f == "password" && message.contains("commonly"))
        );
        assert!(check("ALICEalice").is_ok());
        assert!(check_new_password("alice-admin", &Password::new("Alice-Admin"), "new").is_err());
    }
}
