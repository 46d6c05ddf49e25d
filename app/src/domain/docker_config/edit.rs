//! Editing a docker config without losing what regboard does not know.

use std::collections::BTreeMap;

use super::{AuthEntry, ConfigError, DockerConfig};
use crate::domain::secret::Password;

/// Checks a username for a registry entry: non-empty, no ':' (it would be
/// read back as part of the password from `auth`), no control characters.
pub fn validate_username(username: &str) -> Result<(), ConfigError> {
    if username.is_empty() {
        Err(ConfigError::EmptyUsername)
    } else if username.contains(':') {
        Err(ConfigError::UsernameContainsColon)
    } else if username.chars().any(char::is_control) {
        Err(ConfigError::UsernameControlChar)
    } else {
        Ok(())
    }
}

/// Checks a password for a registry entry: non-empty. Any other character,
/// ':' included, is allowed.
pub fn validate_password(password: &Password) -> Result<(), ConfigError> {
    if password.is_empty() {
        Err(ConfigError::EmptyPassword)
    } else {
        Ok(())
    }
}

impl DockerConfig {
    /// Applies the registry form to this config:
    ///
    /// - the hosts become exactly `hosts` (duplicates collapse); an existing
    ///   entry is reused for a host with the same key, or else naming the
    ///   same registry (`docker.io` for `https://index.docker.io/v1/`), and
    ///   keeps its unknown fields; removed hosts are dropped;
    /// - every entry gets `username`, `email` (removed when `None` or empty)
    ///   and a recomputed `auth`;
    /// - with `Some(password)` every entry gets that password; with `None`
    ///   each entry keeps its current password, and a new host is refused:
    ///   a credential follows its host, so re-pointing a registry to
    ///   another server needs the password typed again (otherwise whoever
    ///   edits could send a password they never knew to a server they own).
    ///
    /// On error the config is unchanged. Top-level unknown fields are kept.
    pub fn apply_edit(
        &mut self,
        hosts: &[String],
        username: &str,
        password: Option<&Password>,
        email: Option<&str>,
    ) -> Result<(), ConfigError> {
        validate_username(username)?;
        if let Some(password) = password {
            validate_password(password)?;
        }
        if hosts.is_empty() {
            return Err(ConfigError::NoHosts);
        }
        if hosts.iter().any(|h| h.trim().is_empty()) {
            return Err(ConfigError::EmptyHost);
        }
        let mut auths = BTreeMap::new();
        for host in hosts {
            let previous = self.entry(host);
            let password = match password {
                Some(p) => p.clone(),
                None => previous
                    .and_then(AuthEntry::username_password)
                    .map(|(_, p)| p)
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| ConfigError::NoPasswordToKeep { host: host.clone() })?,
            };
            let mut entry = AuthEntry::new(username, &password, email);
            if let Some(previous) = previous {
                entry.extra = previous.extra.clone();
            }
            auths.insert(host.clone(), entry);
        }
        self.auths = auths;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn hosts(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    fn existing() -> DockerConfig {
        DockerConfig::parse_dockerconfigjson(
            br#"{"auths":{
                "a.io":{"username":"old","password":"pa","auth":"b2xkOnBh","identitytoken":"t"},
                "b.io":{"username":"old","password":"pb","auth":"b2xkOnBi"},
                "https://index.docker.io/v1/":{"auth":"b2xkOnBv","x":1}
            },"credHelpers":{"gcr.io":"gcloud"}}"#,
        )
        .unwrap()
    }

    fn pw(c: &DockerConfig, host: &str) -> String {
        c.username_password(host).unwrap().1.expose().to_owned()
    }

    #[test]
    fn keeps_passwords_and_unknown_fields() {
        let mut c = existing();
        c.apply_edit(&hosts(&["a.io", "docker.io"]), "me", None, Some("m@x"))
            .unwrap();
        assert_eq!(c.hosts(), hosts(&["a.io", "docker.io"]));
        assert_eq!(pw(&c, "a.io"), "pa");
        assert_eq!(pw(&c, "docker.io"), "po");
        assert_eq!(c.username().as_deref(), Some("me"));
        assert_eq!(c.email().as_deref(), Some("m@x"));
        assert_eq!(c.auths["a.io"].extra["identitytoken"], "t");
        assert_eq!(c.auths["docker.io"].extra["x"], 1);
        assert_eq!(c.extra["credHelpers"], json!({"gcr.io": "gcloud"}));
        // auth follows the new username.
        let v: Value = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(v["auths"]["a.io"]["auth"], encode("me:pa"));
    }

    fn encode(s: &str) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn a_new_or_changed_host_needs_the_password_again() {
        let before = existing();
        for edit in [&["a.io", "new.io"][..], &["evil.example"][..]] {
            let mut c = before.clone();
            assert_eq!(
                c.apply_edit(&hosts(edit), "me", None, None),
                Err(ConfigError::NoPasswordToKeep {
                    host: edit.last().unwrap().to_string()
                }),
                "{edit:?}"
            );
            assert_eq!(c, before, "nothing changed");
        }
        let mut c = before.clone();
        c.apply_edit(
            &hosts(&["new.io"]),
            "me",
            Some(&Password::new("typed")),
            None,
        )
        .unwrap();
        assert_eq!(pw(&c, "new.io"), "typed");
    }

    #[test]
    fn sets_a_new_password_everywhere() {
        let mut c = existing();
        let p = Password::new("n:ew");
        c.apply_edit(&hosts(&["b.io", "c.io"]), "me", Some(&p), None)
            .unwrap();
        assert_eq!(c.hosts(), hosts(&["b.io", "c.io"]));
        assert_eq!(pw(&c, "b.io"), "n:ew");
        assert_eq!(pw(&c, "c.io"), "n:ew");
        assert_eq!(c.email(), None);
    }

    #[test]
    fn refuses_bad_edits_without_changing_anything() {
        let before = existing();
        let mut c = before.clone();
        let p = Password::new("p");
        assert_eq!(
            c.apply_edit(&[], "me", None, None),
            Err(ConfigError::NoHosts)
        );
        assert_eq!(
            c.apply_edit(&hosts(&[" "]), "me", None, None),
            Err(ConfigError::EmptyHost)
        );
        assert_eq!(
            c.apply_edit(&hosts(&["a.io"]), "", None, None),
            Err(ConfigError::EmptyUsername)
        );
        assert_eq!(
            c.apply_edit(&hosts(&["a.io"]), "a:b", Some(&p), None),
            Err(ConfigError::UsernameContainsColon)
        );
        assert_eq!(
            c.apply_edit(&hosts(&["a.io"]), "a\nb", Some(&p), None),
            Err(ConfigError::UsernameControlChar)
        );
        assert_eq!(
            c.apply_edit(&hosts(&["a.io"]), "me", Some(&Password::new("")), None),
            Err(ConfigError::EmptyPassword)
        );
        assert_eq!(c, before);
        let mut empty = DockerConfig::default();
        assert_eq!(
            empty.apply_edit(&hosts(&["x.io"]), "me", None, None),
            Err(ConfigError::NoPasswordToKeep {
                host: "x.io".into()
            })
        );
        let mut token_only =
            DockerConfig::parse_dockerconfigjson(br#"{"auths":{"x.io":{"identitytoken":"t"}}}"#)
                .unwrap();
        assert!(matches!(
            token_only.apply_edit(&hosts(&["x.io"]), "me", None, None),
            Err(ConfigError::NoPasswordToKeep { .. })
        ));
    }
}
