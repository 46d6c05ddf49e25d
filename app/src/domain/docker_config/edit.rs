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

/// One host of a registry as the form gives it: the credential for that
/// host alone, as a docker config holds one entry per host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEdit {
    /// The docker config key, e.g. `ghcr.io`.
    pub host: String,
    /// The username.
    pub username: String,
    /// A new password; `None` keeps this host's current one.
    pub password: Option<Password>,
    /// The email; `None` (or empty) removes it.
    pub email: Option<String>,
}

impl DockerConfig {
    /// Applies the registry form's host rows to this config:
    ///
    /// - the hosts become exactly the rows' hosts; a row reuses the entry
    ///   with the same key, or else one naming the same registry
    ///   (`docker.io` for `https://index.docker.io/v1/`); removed hosts are
    ///   dropped;
    /// - a row that changes nothing (no new password, the same username and
    ///   email) keeps its entry exactly as it was, `auth` and unknown fields
    ///   included; any other row gets its username, email (removed when
    ///   empty), its password (the new one, or the entry's current one) and
    ///   a recomputed `auth`, and keeps the entry's unknown fields;
    /// - a new host needs a password: a credential follows its host, so
    ///   re-pointing a registry to another server needs it typed again
    ///   (otherwise whoever edits could send a password they never knew to
    ///   a server they own).
    ///
    /// On error the config is unchanged. Top-level unknown fields are kept.
    pub fn apply_hosts(&mut self, rows: &[HostEdit]) -> Result<(), ConfigError> {
        if rows.is_empty() {
            return Err(ConfigError::NoHosts);
        }
        let mut auths = BTreeMap::new();
        for row in rows {
            if row.host.trim().is_empty() {
                return Err(ConfigError::EmptyHost);
            }
            validate_username(&row.username)?;
            if let Some(password) = &row.password {
                validate_password(password)?;
            }
            auths.insert(row.host.clone(), self.edited_entry(row)?);
        }
        self.auths = auths;
        Ok(())
    }

    /// The entry `row` makes of the current one (see [`Self::apply_hosts`]).
    fn edited_entry(&self, row: &HostEdit) -> Result<AuthEntry, ConfigError> {
        let previous = self.entry(&row.host);
        let email = row.email.as_deref().filter(|e| !e.is_empty());
        if let Some(previous) = previous {
            let unchanged = row.password.is_none()
                && previous.effective_username().as_deref() == Some(row.username.as_str())
                && previous.email.as_deref() == email
                && previous.username_password().is_some();
            if unchanged {
                return Ok(previous.clone());
            }
        }
        let password = match &row.password {
            Some(p) => p.clone(),
            None => previous
                .and_then(AuthEntry::username_password)
                .map(|(_, p)| p)
                .filter(|p| !p.is_empty())
                .ok_or_else(|| ConfigError::NoPasswordToKeep {
                    host: row.host.clone(),
                })?,
        };
        let mut entry = AuthEntry::new(&row.username, &password, email);
        if let Some(previous) = previous {
            entry.extra = previous.extra.clone();
        }
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn row(host: &str, username: &str, password: Option<&str>, email: Option<&str>) -> HostEdit {
        HostEdit {
            host: host.into(),
            username: username.into(),
            password: password.map(Password::new),
            email: email.map(str::to_owned),
        }
    }

    fn existing() -> DockerConfig {
        DockerConfig::parse_dockerconfigjson(
            br#"{"auths":{
                "a.io":{"username":"old","password":"pa","auth":"b2xkOnBh","identitytoken":"t"},
                "b.io":{"username":"other","password":"pb","auth":"b3RoZXI6cGI=","email":"b@x.io"},
                "https://index.docker.io/v1/":{"auth":"b2xkOnBv","x":1}
            },"credHelpers":{"gcr.io":"gcloud"}}"#,
        )
        .unwrap()
    }

    fn pw(c: &DockerConfig, host: &str) -> String {
        c.username_password(host).unwrap().1.expose().to_owned()
    }

    fn encode(s: &str) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn editing_one_host_leaves_the_others_exactly_as_they_were() {
        let before = existing();
        let mut c = before.clone();
        c.apply_hosts(&[
            row("a.io", "me", None, Some("m@x.io")),
            row("b.io", "other", None, Some("b@x.io")),
            row("https://index.docker.io/v1/", "old", None, None),
        ])
        .unwrap();
        assert_eq!(c.auths["b.io"], before.auths["b.io"]);
        assert_eq!(
            c.auths["https://index.docker.io/v1/"], before.auths["https://index.docker.io/v1/"],
            "an auth-only entry stays auth-only"
        );
        // The edited host: new username and email, its password kept, auth
        // recomputed, its unknown fields kept.
        assert_eq!(pw(&c, "a.io"), "pa");
        assert_eq!(c.auths["a.io"].effective_username().as_deref(), Some("me"));
        assert_eq!(c.auths["a.io"].email.as_deref(), Some("m@x.io"));
        assert_eq!(c.auths["a.io"].extra["identitytoken"], "t");
        assert_eq!(c.extra["credHelpers"], json!({"gcr.io": "gcloud"}));
        let v: Value = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(v["auths"]["a.io"]["auth"], encode("me:pa"));
        assert_eq!(c.username(), None, "the hosts no longer share a username");
    }

    #[test]
    fn a_host_named_another_way_keeps_its_entry() {
        let mut c = existing();
        c.apply_hosts(&[row("docker.io", "old", None, None)])
            .unwrap();
        assert_eq!(c.hosts(), vec!["docker.io".to_string()]);
        assert_eq!(pw(&c, "docker.io"), "po");
        assert_eq!(c.auths["docker.io"].extra["x"], 1);
    }

    #[test]
    fn a_new_or_changed_host_needs_the_password_again() {
        let before = existing();
        for edit in [
            vec![
                row("a.io", "old", None, None),
                row("new.io", "me", None, None),
            ],
            vec![row("evil.example", "old", None, None)],
        ] {
            let mut c = before.clone();
            assert_eq!(
                c.apply_hosts(&edit),
                Err(ConfigError::NoPasswordToKeep {
                    host: edit.last().unwrap().host.clone()
                }),
            );
            assert_eq!(c, before, "nothing changed");
        }
        let mut c = before.clone();
        c.apply_hosts(&[row("new.io", "me", Some("typed"), None)])
            .unwrap();
        assert_eq!(pw(&c, "new.io"), "typed");
        assert_eq!(c.hosts(), vec!["new.io".to_string()]);
    }

    #[test]
    fn each_host_gets_its_own_credential() {
        let mut c = DockerConfig::default();
        c.apply_hosts(&[
            row("b.io", "bee", Some("n:ew"), None),
            row("c.io", "sea", Some("other"), Some("c@x.io")),
        ])
        .unwrap();
        assert_eq!(c.hosts(), vec!["b.io".to_string(), "c.io".to_string()]);
        assert_eq!(pw(&c, "b.io"), "n:ew");
        assert_eq!(pw(&c, "c.io"), "other");
        assert_eq!(c.auths["c.io"].effective_username().as_deref(), Some("sea"));
        assert_eq!(c.auths["b.io"].email, None);
    }

    #[test]
    fn refuses_bad_edits_without_changing_anything() {
        let before = existing();
        let mut c = before.clone();
        assert_eq!(c.apply_hosts(&[]), Err(ConfigError::NoHosts));
        assert_eq!(
            c.apply_hosts(&[row(" ", "me", None, None)]),
            Err(ConfigError::EmptyHost)
        );
        assert_eq!(
            c.apply_hosts(&[row("a.io", "", None, None)]),
            Err(ConfigError::EmptyUsername)
        );
        assert_eq!(
            c.apply_hosts(&[row("a.io", "a:b", Some("p"), None)]),
            Err(ConfigError::UsernameContainsColon)
        );
        assert_eq!(
            c.apply_hosts(&[row("a.io", "a\nb", Some("p"), None)]),
            Err(ConfigError::UsernameControlChar)
        );
        assert_eq!(
            c.apply_hosts(&[row("a.io", "me", Some(""), None)]),
            Err(ConfigError::EmptyPassword)
        );
        assert_eq!(c, before);
        let mut token_only =
            DockerConfig::parse_dockerconfigjson(br#"{"auths":{"x.io":{"identitytoken":"t"}}}"#)
                .unwrap();
        assert!(matches!(
            token_only.apply_hosts(&[row("x.io", "me", None, None)]),
            Err(ConfigError::NoPasswordToKeep { .. })
        ));
    }
}
