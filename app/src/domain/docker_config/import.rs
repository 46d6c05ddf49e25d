//! Importing a docker client's `config.json` (`~/.docker/config.json`):
//! which `auths` entries carry a login Kubernetes can use, and why the
//! others cannot. The file is parsed strictly (`parse.rs`: no parser
//! message quotes it) and never kept; only hosts, usernames and sentences
//! come out of [`read_config_json`], plus the config itself for the entries
//! a person then chooses.

use super::{ConfigError, DockerConfig};
use crate::domain::hosts::validate_server;
use serde_json::Value;

/// The largest `config.json` accepted. A docker config with a login for
/// every host a registry may hold (20) is well under it.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024;

/// One `auths` entry of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportEntry {
    /// The key as written in the file (e.g. `https://index.docker.io/v1/`).
    pub key: String,
    /// The server as regboard writes it, when the key is a valid one.
    pub server: Option<String>,
    /// The username kubelet would use.
    pub username: Option<String>,
    /// Why this entry cannot be imported (`None`: it can).
    pub refusal: Option<String>,
}

/// What a `config.json` holds, for a person to choose from.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// Every `auths` entry, sorted by key.
    pub entries: Vec<ImportEntry>,
    /// Credential helpers (`credsStore`, `credHelpers`), each explained.
    pub helpers: Vec<String>,
    /// The parsed config (credentials inside; never shown or stored).
    pub config: DockerConfig,
}

/// Why a file was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Larger than [`MAX_IMPORT_BYTES`].
    #[error("The file is {size} bytes; a docker config.json regboard imports is at most {max} KiB.", max = MAX_IMPORT_BYTES / 1024)]
    TooLarge {
        /// Its size in bytes.
        size: usize,
    },
    /// Not a docker config.
    #[error("{0}")]
    Invalid(ConfigError),
}

/// Reads a docker `config.json` (see the module documentation).
pub fn read_config_json(bytes: &[u8]) -> Result<Imported, ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge { size: bytes.len() });
    }
    let config = match DockerConfig::parse_dockerconfigjson(bytes) {
        Ok(config) => config,
        // `docker login` with a credential store writes no `auths` at all.
        Err(ConfigError::MissingAuths) => {
            let mut with = serde_json::from_slice::<serde_json::Map<String, Value>>(bytes)
                .map_err(|_| ImportError::Invalid(ConfigError::NotAnObject))?;
            with.insert("auths".into(), Value::Object(Default::default()));
            let text = Value::Object(with).to_string();
            DockerConfig::parse_dockerconfigjson(text.as_bytes()).map_err(ImportError::Invalid)?
        }
        Err(e) => return Err(ImportError::Invalid(e)),
    };
    let store = config.extra.get("credsStore").and_then(Value::as_str);
    let entries = config
        .auths
        .iter()
        .map(|(key, entry)| {
            let server = validate_server(key).ok();
            let refusal = match (&server, entry.username_password()) {
                (None, _) => Some(format!("'{key}' is not a registry host regboard can write.")),
                (Some(_), Some(_)) => None,
                (Some(_), None) if entry.extra.contains_key("identitytoken") => Some(
                    "It holds an identity token (from `docker login` with an OAuth flow), which \
                     kubelet does not send: pull Secrets need a username and password or token."
                        .to_owned(),
                ),
                (Some(_), None) => Some(match store {
                    Some(store) => format!(
                        "Its login is in the credential store '{store}' (credsStore), not in the \
                         file: Kubernetes reads only \"auths\". Add it with its password here instead."
                    ),
                    None => "It holds no username and password.".to_owned(),
                }),
            };
            ImportEntry {
                key: key.clone(),
                server,
                username: entry.effective_username(),
                refusal,
            }
        })
        .collect();
    Ok(Imported {
        entries,
        helpers: helpers(&config),
        config,
    })
}

/// A sentence for `credsStore` and for each host of `credHelpers`.
fn helpers(config: &DockerConfig) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(store) = config.extra.get("credsStore").and_then(Value::as_str) {
        out.push(format!(
            "credsStore '{store}': docker keeps logins in docker-credential-{store}, outside \
             this file. Kubernetes reads only \"auths\", so those logins cannot be imported."
        ));
    }
    if let Some(Value::Object(hosts)) = config.extra.get("credHelpers") {
        for (host, helper) in hosts {
            let helper = helper.as_str().unwrap_or("?");
            out.push(format!(
                "credHelpers {host}: docker asks docker-credential-{helper} for this login each \
                 time; Kubernetes reads only \"auths\". Add {host} with a token instead."
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::docker_config::encode_auth;
    use crate::domain::secret::Password;

    fn read(text: &str) -> Imported {
        read_config_json(text.as_bytes()).unwrap()
    }

    #[test]
    fn auth_only_entries_as_docker_login_writes_them() {
        let auth = encode_auth("robot", &Password::new("s3cret"));
        let file = format!(
            r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{auth}"}},"ghcr.io":{{"auth":"{auth}","email":"a@b.io"}}}}}}"#
        );
        let imported = read(&file);
        assert_eq!(imported.entries.len(), 2);
        assert!(imported.entries.iter().all(|e| e.refusal.is_none()));
        let hub = &imported.entries[1];
        assert_eq!(hub.key, "https://index.docker.io/v1/");
        assert_eq!(hub.server.as_deref(), Some("https://index.docker.io/v1/"));
        assert_eq!(hub.username.as_deref(), Some("robot"));
        assert!(imported.helpers.is_empty());
        let (user, password) = imported.config.username_password("ghcr.io").unwrap();
        assert_eq!((user.as_str(), password.expose()), ("robot", "s3cret"));
    }

    #[test]
    fn identity_tokens_and_credential_helpers_are_named_and_explained() {
        let imported = read(
            r#"{"auths":{"myacr.azurecr.io":{"identitytoken":"eyJ-tok"},"quay.io":{}},
                "credsStore":"desktop","credHelpers":{"gcr.io":"gcloud"},"HttpHeaders":{"X":"y"}}"#,
        );
        let acr = &imported.entries[0];
        assert!(acr.refusal.as_deref().unwrap().contains("identity token"));
        let quay = &imported.entries[1];
        assert!(quay
            .refusal
            .as_deref()
            .unwrap()
            .contains("credential store 'desktop'"));
        assert_eq!(imported.helpers.len(), 2);
        assert!(imported.helpers[0].starts_with("credsStore 'desktop'"));
        assert!(imported.helpers[1].starts_with("credHelpers gcr.io"));
        let shown = format!("{imported:?}");
        assert!(!shown.contains("eyJ-tok"), "{shown}");
    }

    #[test]
    fn a_store_only_file_has_no_entries_and_says_why() {
        let imported = read(r#"{"credsStore":"osxkeychain"}"#);
        assert!(imported.entries.is_empty());
        assert_eq!(imported.helpers.len(), 1);
    }

    #[test]
    fn refusals_are_sentences_that_never_quote_the_file() {
        let big = vec![b' '; 10 * 1024 * 1024];
        assert_eq!(
            read_config_json(&big),
            Err(ImportError::TooLarge {
                size: 10 * 1024 * 1024
            })
        );
        for (bad, what) in [
            (
                r#"{"auths": {"r.io": {"password": "canary-pw""#,
                "not valid JSON",
            ),
            (r#"["canary-pw"]"#, "must be a JSON object"),
            (r#"{"auths": "canary-pw"}"#, "\"auths\" section"),
            (
                r#"{"auths": {"r.io": {"auth": "canary-pw"}}}"#,
                "not valid base64",
            ),
        ] {
            let e = read_config_json(bad.as_bytes()).unwrap_err().to_string();
            assert!(e.contains(what), "{e}");
            assert!(!e.contains("canary-pw"), "{e}");
        }
    }

    #[test]
    fn a_key_that_is_not_a_host_is_refused_alone() {
        let auth = encode_auth("u", &Password::new("p"));
        let imported = read(&format!(
            r#"{{"auths":{{"not a host":{{"auth":"{auth}"}},"r.io":{{"auth":"{auth}"}}}}}}"#
        ));
        assert!(imported.entries[0].refusal.is_some());
        assert!(imported.entries[1].refusal.is_none());
    }
}
