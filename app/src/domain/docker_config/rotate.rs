//! Rotating a credential: a new password (and, optionally, a new username)
//! for one host of a docker config, or for every host, touching nothing
//! else — other hosts, each entry's unknown fields (`identitytoken`, …),
//! the email and top-level fields (`credHelpers`, …) stay exactly as they
//! were.

use super::{validate_password, validate_username, AuthEntry, ConfigError, DockerConfig};
use crate::domain::hosts::same_registry;
use crate::domain::secret::Password;

/// What a rotation changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The host to rotate (the docker config key, or another name of the
    /// same registry); `None` rotates every host.
    pub host: Option<String>,
    /// The new username; `None` keeps each host's current one.
    pub username: Option<String>,
    /// The new password or token.
    pub password: Password,
}

/// Why a rotation was refused; no variant carries a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RotateError {
    /// The registry holds no entry for the host named.
    #[error("The registry holds no credential for {host}.")]
    NoSuchHost {
        /// The host asked for.
        host: String,
    },
    /// The registry holds no host at all.
    #[error("The registry holds no credential to rotate.")]
    NoHosts,
    /// The entry has no username to keep (it holds only a token): type one.
    #[error("The credential for {host} has no username to keep; enter one.")]
    NoUsernameToKeep {
        /// The host.
        host: String,
    },
    /// The new username or password is not valid.
    #[error("{0}")]
    Invalid(ConfigError),
}

/// One host a rotation changed, with the login before and after (for
/// fingerprints; never shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    /// The docker config key.
    pub host: String,
    /// The username and password before, if the entry had both.
    pub before: Option<(String, Password)>,
    /// The username after.
    pub username: String,
}

impl DockerConfig {
    /// The docker config keys `host` names: that key, or the first key of
    /// the same registry; every key for `None`.
    pub fn rotation_targets(&self, host: Option<&str>) -> Result<Vec<String>, RotateError> {
        if self.auths.is_empty() {
            return Err(RotateError::NoHosts);
        }
        let Some(host) = host else {
            return Ok(self.hosts());
        };
        if self.auths.contains_key(host) {
            return Ok(vec![host.to_owned()]);
        }
        self.auths
            .keys()
            .find(|k| same_registry(k, host))
            .map(|k| vec![k.clone()])
            .ok_or_else(|| RotateError::NoSuchHost {
                host: host.to_owned(),
            })
    }

    /// Applies `rotation`: each target entry gets the new password, the new
    /// username (or its current one), a recomputed `auth`, and keeps its
    /// email and unknown fields. On error nothing changes.
    pub fn rotate(&mut self, rotation: &Rotation) -> Result<Vec<Rotated>, RotateError> {
        validate_password(&rotation.password).map_err(RotateError::Invalid)?;
        let username = rotation.username.as_deref().filter(|u| !u.is_empty());
        if let Some(u) = username {
            validate_username(u).map_err(RotateError::Invalid)?;
        }
        let targets = self.rotation_targets(rotation.host.as_deref())?;
        let mut entries = Vec::with_capacity(targets.len());
        for host in targets {
            let previous = &self.auths[&host];
            let name = match username {
                Some(u) => u.to_owned(),
                None => previous
                    .effective_username()
                    .filter(|u| !u.is_empty())
                    .ok_or_else(|| RotateError::NoUsernameToKeep { host: host.clone() })?,
            };
            let mut entry = AuthEntry::new(&name, &rotation.password, previous.email.as_deref());
            entry.extra = previous.extra.clone();
            let done = Rotated {
                host: host.clone(),
                before: previous.username_password(),
                username: name,
            };
            entries.push((host, entry, done));
        }
        Ok(entries
            .into_iter()
            .map(|(host, entry, done)| {
                self.auths.insert(host, entry);
                done
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{json, Value};

    use super::*;

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

    fn rotation(host: Option<&str>, username: Option<&str>, password: &str) -> Rotation {
        Rotation {
            host: host.map(str::to_owned),
            username: username.map(str::to_owned),
            password: Password::new(password),
        }
    }

    #[test]
    fn one_host_rotated_leaves_everything_else_as_it_was() {
        let before = existing();
        let mut c = before.clone();
        let done = c.rotate(&rotation(Some("a.io"), None, "n:ew")).unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].host, "a.io");
        assert_eq!(done[0].before.as_ref().unwrap().1.expose(), "pa");
        let (user, pw) = c.username_password("a.io").unwrap();
        assert_eq!((user.as_str(), pw.expose()), ("old", "n:ew"));
        assert_eq!(c.auths["a.io"].extra["identitytoken"], "t");
        assert_eq!(c.auths["b.io"], before.auths["b.io"]);
        let hub = "https://index.docker.io/v1/";
        assert_eq!(c.auths[hub], before.auths[hub]);
        assert_eq!(c.extra["credHelpers"], json!({"gcr.io": "gcloud"}));
        let v: Value = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(v["auths"]["a.io"]["auth"], "b2xkOm46ZXc=");
    }

    #[test]
    fn every_host_and_another_name_of_a_host() {
        let mut c = existing();
        let done = c.rotate(&rotation(None, Some("bot"), "p2")).unwrap();
        assert_eq!(done.len(), 3);
        for host in c.hosts() {
            let (user, pw) = c.username_password(&host).unwrap();
            assert_eq!((user.as_str(), pw.expose()), ("bot", "p2"));
        }
        assert_eq!(c.auths["b.io"].email.as_deref(), Some("b@x.io"));
        let mut c = existing();
        let done = c.rotate(&rotation(Some("docker.io"), None, "p3")).unwrap();
        assert_eq!(done[0].host, "https://index.docker.io/v1/");
        assert_eq!(done[0].username, "old", "read from the auth-only entry");
        assert_eq!(c.auths["https://index.docker.io/v1/"].extra["x"], 1);
    }

    #[test]
    fn refusals_change_nothing() {
        let before = existing();
        let mut c = before.clone();
        assert_eq!(
            c.rotate(&rotation(Some("c.io"), None, "p")),
            Err(RotateError::NoSuchHost {
                host: "c.io".into()
            })
        );
        assert!(matches!(
            c.rotate(&rotation(None, None, "")),
            Err(RotateError::Invalid(ConfigError::EmptyPassword))
        ));
        assert!(matches!(
            c.rotate(&rotation(None, Some("a:b"), "p")),
            Err(RotateError::Invalid(_))
        ));
        assert_eq!(c, before);
        let mut token =
            DockerConfig::parse_dockerconfigjson(br#"{"auths":{"x.io":{"identitytoken":"t"}}}"#)
                .unwrap();
        assert!(matches!(
            token.rotate(&rotation(None, None, "p")),
            Err(RotateError::NoUsernameToKeep { .. })
        ));
        assert_eq!(
            DockerConfig::default().rotate(&rotation(None, None, "p")),
            Err(RotateError::NoHosts)
        );
    }

    fn extra_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            "[a-z0-9]{0,8}".prop_map(Value::String),
            any::<i32>().prop_map(|n| json!(n)),
            any::<bool>().prop_map(Value::Bool),
        ]
    }

    proptest! {
        /// Rotating one host keeps every other host, every unknown field of
        /// the rotated entry and every top-level unknown field.
        #[test]
        fn unknown_fields_and_other_hosts_survive(
            hosts in proptest::collection::btree_map("[a-z]{1,6}\\.io", ("[a-z]{1,6}", "[ -~]{1,12}"), 1..5),
            entry_extra in proptest::collection::btree_map("x[a-z]{0,5}", extra_value(), 0..3),
            top_extra in proptest::collection::btree_map("X[a-z]{0,5}", extra_value(), 0..3),
            pick in any::<prop::sample::Index>(),
            password in "[ -~]{1,20}",
        ) {
            let mut auths = serde_json::Map::new();
            for (host, (user, pass)) in &hosts {
                let mut entry = json!({"username": user, "password": pass});
                for (k, v) in &entry_extra {
                    entry[k] = v.clone();
                }
                auths.insert(host.clone(), entry);
            }
            let mut doc = json!({"auths": auths});
            for (k, v) in &top_extra {
                doc[k] = v.clone();
            }
            let before = DockerConfig::parse_dockerconfigjson(doc.to_string().as_bytes()).unwrap();
            let keys = before.hosts();
            let target = keys[pick.index(keys.len())].clone();
            let mut after = before.clone();
            after.rotate(&rotation(Some(&target), None, &password)).unwrap();
            let reparsed = DockerConfig::parse_dockerconfigjson(after.to_json().as_bytes()).unwrap();
            prop_assert_eq!(&reparsed, &after);
            for key in &keys {
                if *key == target {
                    let (user, pw) = after.username_password(key).unwrap();
                    prop_assert_eq!(user, hosts[key].0.clone());
                    prop_assert_eq!(pw.expose(), password.as_str());
                    prop_assert_eq!(&after.auths[key].extra, &before.auths[key].extra);
                } else {
                    prop_assert_eq!(&after.auths[key], &before.auths[key]);
                }
            }
            prop_assert_eq!(&after.extra, &before.extra);
        }
    }
}
