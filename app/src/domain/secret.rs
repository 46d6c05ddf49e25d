//! Secret values that must never be printed.
//!
//! A [`Password`] travels from the browser form to the server (it is
//! deserialised there) and is written into a Secret; it is never sent back to
//! the browser, logged, audited or shown in an error message. Its `Debug`
//! output is redacted, it has no `Display`, and its memory is zeroed when it
//! is dropped.

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// A registry password or token. `Debug` prints `Password(***)`; there is no
/// `Display`, so it cannot end up in a `format!` by accident.
///
/// It (de)serialises as a plain JSON string so that a form can post it; the
/// server must never put one into a response.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the few places that must write it (the
    /// `.dockerconfigjson` document). Do not log or display the result.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the password is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Drop for Password {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::Password;

    #[test]
    fn debug_is_redacted() {
        let p = Password::new("hunter2");
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert_eq!(format!("{:?}", Some(p.clone())), "Some(Password(***))");
        assert_eq!(format!("{p:#?}"), "Password(***)");
    }

    #[test]
    fn exposes_and_reports_emptiness() {
        assert_eq!(Password::new(String::from("s3cr:et")).expose(), "s3cr:et");
        assert!(Password::new("").is_empty());
        assert!(Password::default().is_empty());
        assert!(!Password::new("x").is_empty());
    }

    #[test]
    fn serialises_as_a_plain_string() {
        let p = Password::new("a\"b");
        assert_eq!(serde_json::to_string(&p).unwrap(), r#""a\"b""#);
        let back: Password = serde_json::from_str(r#""a\"b""#).unwrap();
        assert_eq!(back, p);
        assert!(serde_json::from_str::<Password>("42").is_err());
    }
}
