//! The "refuse the most common passwords" rule: a list of frequently used
//! passwords shipped with the project (`common_passwords.txt`, taken from
//! SecLists; see its header for the sources and licence) and a lookup in it.
//!
//! The list holds only entries of 8 to 128 characters, the range the length
//! rule allows, all lowercased, so the lookup is case-insensitive.

use std::collections::HashSet;
use std::sync::LazyLock;

/// The shipped list: one password per line; `#` lines and blank lines are
/// not entries.
const LIST: &str = include_str!("common_passwords.txt");

/// The list's entries, built once on first use.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| entries().collect());

/// Every entry of [`LIST`], in file order, skipping comment and blank lines.
fn entries() -> impl Iterator<Item = &'static str> {
    LIST.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Whether `password` is one of the commonly used passwords on the shipped
/// list, ignoring case.
///
/// The password is compared as typed (nothing is trimmed or normalised)
/// apart from being lowercased, so `"Password1"` and `"PASSWORD1"` match the
/// entry `password1`, while `" password1"` does not.
pub fn is_common(password: &str) -> bool {
    COMMON.contains(password.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_passwords_are_common() {
        for password in [
            "password",
            "Password1",
            "12345678",
            "QwertyUIOP",
            "iloveyou",
            "trustno1",
            "sunshine",
            "1q2w3e4r",
            "passw0rd",
            "qwerty123",
            "starwars",
        ] {
            assert!(is_common(password), "{password:?} should be common");
        }
    }

    #[test]
    fn case_is_ignored() {
        assert!(is_common("PASSWORD"));
        assert!(is_common("FootBall"));
    }

    #[test]
    fn input_is_not_trimmed() {
        assert!(!is_common(" password"));
        assert!(!is_common("password "));
    }

    #[test]
    fn random_string_is_not_common() {
        assert!(!is_common("q7#Lm2!vX9pR4zT8wK1e"));
        assert!(!is_common("correct horse battery staple"));
        assert!(!is_common(""));
    }

    #[test]
    fn comment_lines_are_not_entries() {
        let comment = LIST.lines().next().expect("list is not empty");
        assert!(comment.starts_with('#'));
        assert!(!is_common(comment));
        assert!(entries().all(|entry| !entry.starts_with('#')));
    }

    #[test]
    fn entries_fit_the_length_rule_and_are_lowercase() {
        let mut count = 0;
        for entry in entries() {
            let chars = entry.chars().count();
            assert!(
                (8..=128).contains(&chars),
                "{entry:?} has {chars} characters"
            );
            assert_eq!(entry, entry.to_lowercase(), "{entry:?} is not lowercase");
            count += 1;
        }
        assert!(count >= 3000, "only {count} entries");
    }

    #[test]
    fn entries_are_unique() {
        assert_eq!(COMMON.len(), entries().count());
    }
}
