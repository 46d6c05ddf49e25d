//! Kubernetes object name validation, with messages a person understands.
//!
//! Secret names are DNS-1123 subdomains; namespace names, project names and
//! registry names (which are also label values) are DNS-1123 labels or
//! short subdomains. The checks run in the browser for immediate feedback and
//! again on the server before any cluster call.

use thiserror::Error;

/// Longest DNS-1123 subdomain (Secret names).
pub const MAX_SUBDOMAIN_LEN: usize = 253;
/// Longest DNS-1123 label (namespace names, label values).
pub const MAX_LABEL_LEN: usize = 63;

/// Why a name is not a valid Kubernetes name. Positions are 1-based
/// character positions. `Display` gives a sentence to show beside the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    /// The name is the empty string.
    #[error("The name is empty.")]
    Empty,
    /// The name has more characters than allowed.
    #[error("The name is {len} characters long; the limit is {max}.")]
    TooLong {
        /// Length of the name in characters.
        len: usize,
        /// The limit for this kind of name.
        max: usize,
    },
    /// An ASCII uppercase letter.
    #[error("Use lowercase letters: '{ch}' at position {position} is uppercase.")]
    Uppercase {
        /// The offending letter.
        ch: char,
        /// Its 1-based position.
        position: usize,
    },
    /// A character outside the allowed set.
    #[error("{ch:?} at position {position} is not allowed; use {allowed}.")]
    InvalidChar {
        /// The offending character.
        ch: char,
        /// Its 1-based position.
        position: usize,
        /// The allowed characters, in words.
        allowed: &'static str,
    },
    /// The first character is not a letter or digit.
    #[error("The name must start with a letter or digit.")]
    BadStart,
    /// The last character is not a letter or digit.
    #[error("The name must end with a letter or digit.")]
    BadEnd,
    /// Two consecutive dots.
    #[error("'..' is not allowed: each part between dots must be non-empty.")]
    EmptyPart,
    /// A dot-separated part starts or ends with '-'.
    #[error(
        "'-' at position {position} is not allowed next to a dot: each part between dots must start and end with a letter or digit."
    )]
    HyphenNextToDot {
        /// 1-based position of the hyphen.
        position: usize,
    },
}

const SUBDOMAIN_CHARS: &str = "lowercase letters, digits, '-' and '.'";
const LABEL_CHARS: &str = "lowercase letters, digits and '-'";

/// Validates a Secret name: a DNS-1123 subdomain of 1–253 characters made of
/// lowercase letters, digits, '-' and '.', where every dot-separated part
/// starts and ends with a letter or digit.
pub fn validate_secret_name(name: &str) -> Result<(), NameError> {
    validate(name, MAX_SUBDOMAIN_LEN, true)
}

/// Validates a namespace name: a DNS-1123 label of 1–63 lowercase letters,
/// digits and '-', starting and ending with a letter or digit.
pub fn validate_namespace_name(name: &str) -> Result<(), NameError> {
    validate(name, MAX_LABEL_LEN, false)
}

/// Validates a project name. It is the value of the `regboard.dev/project`
/// namespace label and part of Secret names, so it is a DNS-1123 label
/// (1–63 characters, no dots).
pub fn validate_project_name(name: &str) -> Result<(), NameError> {
    validate(name, MAX_LABEL_LEN, false)
}

/// Validates a registry name. It is the Secret's name *and* the value of the
/// `regboard.dev/registry` label, so it must be a DNS-1123 subdomain that is
/// also a valid label value: at most 63 characters.
pub fn validate_registry_name(name: &str) -> Result<(), NameError> {
    validate(name, MAX_LABEL_LEN, true)
}

fn validate(name: &str, max: usize, dots_allowed: bool) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    let len = name.chars().count();
    if len > max {
        return Err(NameError::TooLong { len, max });
    }
    let allowed = if dots_allowed {
        SUBDOMAIN_CHARS
    } else {
        LABEL_CHARS
    };
    for (i, ch) in name.chars().enumerate() {
        let position = i + 1;
        if ch.is_ascii_uppercase() {
            return Err(NameError::Uppercase { ch, position });
        }
        let ok = ch.is_ascii_lowercase()
            || ch.is_ascii_digit()
            || ch == '-'
            || (dots_allowed && ch == '.');
        if !ok {
            return Err(NameError::InvalidChar {
                ch,
                position,
                allowed,
            });
        }
    }
    // Only ASCII remains, so byte indices are character indices.
    let bytes = name.as_bytes();
    if !bytes[0].is_ascii_alphanumeric() {
        return Err(NameError::BadStart);
    }
    if !bytes[bytes.len() - 1].is_ascii_alphanumeric() {
        return Err(NameError::BadEnd);
    }
    for (i, pair) in bytes.windows(2).enumerate() {
        match pair {
            [b'.', b'.'] => return Err(NameError::EmptyPart),
            [b'-', b'.'] => return Err(NameError::HyphenNextToDot { position: i + 1 }),
            [b'.', b'-'] => return Err(NameError::HyphenNextToDot { position: i + 2 }),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn msg(r: Result<(), NameError>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn accepts_valid_names() {
        for n in ["a", "0", "regcred", "ghcr-pull", "a.b.c", "x-1.y-2", "1a"] {
            assert_eq!(validate_secret_name(n), Ok(()), "{n}");
        }
        assert_eq!(validate_secret_name(&"a".repeat(253)), Ok(()));
        for n in ["a", "team-a", "prod1"] {
            assert_eq!(validate_namespace_name(n), Ok(()), "{n}");
            assert_eq!(validate_project_name(n), Ok(()), "{n}");
        }
        assert_eq!(validate_namespace_name(&"a".repeat(63)), Ok(()));
        assert_eq!(validate_registry_name("ghcr.pull-1"), Ok(()));
    }

    #[test]
    fn messages_are_specific() {
        assert_eq!(msg(validate_secret_name("")), "The name is empty.");
        assert_eq!(
            msg(validate_secret_name(&"a".repeat(254))),
            "The name is 254 characters long; the limit is 253."
        );
        assert_eq!(
            msg(validate_secret_name("Abc")),
            "Use lowercase letters: 'A' at position 1 is uppercase."
        );
        assert_eq!(
            msg(validate_secret_name("abc_d")),
            "'_' at position 4 is not allowed; use lowercase letters, digits, '-' and '.'."
        );
        assert_eq!(
            msg(validate_secret_name("-abc")),
            "The name must start with a letter or digit."
        );
        assert_eq!(
            msg(validate_secret_name("abc.")),
            "The name must end with a letter or digit."
        );
        assert_eq!(
            msg(validate_secret_name("a..b")),
            "'..' is not allowed: each part between dots must be non-empty."
        );
        assert_eq!(
            validate_secret_name("ab-.c"),
            Err(NameError::HyphenNextToDot { position: 3 })
        );
        assert_eq!(
            validate_secret_name("ab.-c"),
            Err(NameError::HyphenNextToDot { position: 4 })
        );
        assert_eq!(
            msg(validate_namespace_name("a.b")),
            "'.' at position 2 is not allowed; use lowercase letters, digits and '-'."
        );
        assert_eq!(
            msg(validate_project_name(&"p".repeat(64))),
            "The name is 64 characters long; the limit is 63."
        );
        assert_eq!(
            msg(validate_registry_name(&"r".repeat(64))),
            "The name is 64 characters long; the limit is 63."
        );
        assert_eq!(
            msg(validate_secret_name("a b")),
            "' ' at position 2 is not allowed; use lowercase letters, digits, '-' and '.'."
        );
        assert_eq!(
            msg(validate_secret_name("a\nb")),
            "'\\n' at position 2 is not allowed; use lowercase letters, digits, '-' and '.'."
        );
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        assert_eq!(
            validate_secret_name("éa_"),
            Err(NameError::InvalidChar {
                ch: 'é',
                position: 1,
                allowed: SUBDOMAIN_CHARS
            })
        );
        assert_eq!(
            validate_secret_name(&"é".repeat(200)),
            Err(NameError::InvalidChar {
                ch: 'é',
                position: 1,
                allowed: SUBDOMAIN_CHARS
            })
        );
    }

    /// A straightforward restatement of the DNS-1123 grammar to check against.
    fn is_subdomain(s: &str) -> bool {
        !s.is_empty()
            && s.len() <= 253
            && s.split('.').all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !p.starts_with('-')
                    && !p.ends_with('-')
            })
    }

    proptest! {
        #[test]
        fn subdomain_matches_the_grammar(s in "[a-zA-Z0-9._ -]{0,12}") {
            prop_assert_eq!(validate_secret_name(&s).is_ok(), is_subdomain(&s));
        }

        #[test]
        fn label_is_a_dotless_subdomain(s in "[a-z0-9.-]{0,70}") {
            let expected = is_subdomain(&s) && !s.contains('.') && s.len() <= 63;
            prop_assert_eq!(validate_namespace_name(&s).is_ok(), expected);
            prop_assert_eq!(validate_project_name(&s).is_ok(), expected);
        }

        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = validate_secret_name(&s);
            let _ = validate_namespace_name(&s);
        }
    }
}
