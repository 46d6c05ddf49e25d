//! Password hashing (argon2id, OWASP's m = 19 MiB, t = 2, p = 1) and the
//! rules for a new password. Hashing runs on tokio's blocking pool.

use std::sync::Arc;

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

/// Hashes and verifies passwords.
#[derive(Clone)]
pub struct Passwords {
    argon: Arc<Argon2<'static>>,
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
        Self {
            argon: Arc::new(argon),
            dummy: dummy.into(),
        }
    }

    /// The argon2id PHC string of `password`.
    pub async fn hash(&self, password: &Password) -> Result<String, AppError> {
        let argon = self.argon.clone();
        let password = password.clone();
        tokio::task::spawn_blocking(move || hash_with(&argon, password.expose().as_bytes()))
            .await
            .map_err(|e| internal(Error::Bug(format!("the password hashing task failed: {e}"))))?
            .map_err(|e| internal(Error::Bug(format!("hashing a password failed: {e}"))))
    }

    /// Whether `password` matches `hash`. With no hash (unknown user) it
    /// verifies against a dummy hash and answers false, taking the same time.
    pub async fn verify(&self, password: &Password, hash: Option<&str>) -> bool {
        let known = hash.is_some();
        let hash: Arc<str> = hash.map_or_else(|| self.dummy.clone(), Arc::from);
        let argon = self.argon.clone();
        let password = password.clone();
        let matched = tokio::task::spawn_blocking(move || {
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
        known && matched
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
        assert!(passwords.verify(&pw, Some(&hash)).await);
        assert!(!passwords.verify(&Password::new("wrong"), Some(&hash)).await);
        assert!(
            !passwords.verify(&pw, None).await,
            "an unknown user never matches"
        );
        let again = passwords.hash(&pw).await.unwrap();
        assert_ne!(hash, again, "each hash has its own salt");
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
