//! Parsing `.dockerconfigjson` and legacy `.dockercfg` documents.
//!
//! The document is first read as untyped JSON so that no parser message can
//! quote a credential, then checked field by field like kubelet does:
//! the known fields must be strings (or null), a non-empty `auth` must
//! decode to `username:password`, everything else is kept.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::auth::decode_auth;
use super::{AuthEntry, ConfigError, DockerConfig};
use crate::domain::secret::Password;

impl DockerConfig {
    /// Parses the `.dockerconfigjson` of a `kubernetes.io/dockerconfigjson`
    /// Secret: `{"auths": {HOST: ENTRY, …}, …}`.
    pub fn parse_dockerconfigjson(bytes: &[u8]) -> Result<DockerConfig, ConfigError> {
        let mut top = parse_object(bytes)?;
        let auths = match top.remove("auths") {
            None => return Err(ConfigError::MissingAuths),
            Some(Value::Object(auths)) => auths,
            Some(_) => return Err(ConfigError::AuthsNotObject),
        };
        Ok(DockerConfig {
            auths: parse_auths(auths)?,
            extra: top,
        })
    }

    /// Parses the `.dockercfg` of a legacy `kubernetes.io/dockercfg` Secret,
    /// whose top-level object is the map of hosts to entries.
    pub fn parse_dockercfg(bytes: &[u8]) -> Result<DockerConfig, ConfigError> {
        Ok(DockerConfig {
            auths: parse_auths(parse_object(bytes)?)?,
            extra: Map::new(),
        })
    }
}

fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ConfigError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ConfigError::Empty);
    }
    // serde_json's messages may quote input, so keep only the position.
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ConfigError::NotAnObject),
        Err(e) => Err(ConfigError::NotJson {
            line: e.line(),
            column: e.column(),
        }),
    }
}

fn parse_auths(auths: Map<String, Value>) -> Result<BTreeMap<String, AuthEntry>, ConfigError> {
    auths
        .into_iter()
        .map(|(host, value)| {
            let entry = parse_entry(&host, value)?;
            Ok((host, entry))
        })
        .collect()
}

fn parse_entry(host: &str, value: Value) -> Result<AuthEntry, ConfigError> {
    let Value::Object(mut fields) = value else {
        return Err(ConfigError::EntryNotObject {
            host: host.to_owned(),
        });
    };
    let mut take = |field: &'static str| match fields.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ConfigError::FieldNotString {
            host: host.to_owned(),
            field,
        }),
    };
    let username = take("username")?;
    let password = take("password")?.map(Password::new);
    let email = take("email")?;
    let auth = take("auth")?;
    if let Some(auth) = auth.as_deref().filter(|a| !a.is_empty()) {
        decode_auth(host, auth)?;
    }
    Ok(AuthEntry {
        username,
        password,
        email,
        auth,
        extra: fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(s: &str) -> Result<DockerConfig, ConfigError> {
        DockerConfig::parse_dockerconfigjson(s.as_bytes())
    }

    #[test]
    fn parses_kubectl_output_and_keeps_unknown_fields() {
        let c = parse(
            r#"{"auths":{"ghcr.io":{"username":"u","password":"p","auth":"dTpw",
                "identitytoken":"tok"}},"credHelpers":{"gcr.io":"gcloud"}}"#,
        )
        .unwrap();
        assert_eq!(c.hosts(), vec!["ghcr.io".to_string()]);
        assert_eq!(c.auths["ghcr.io"].extra["identitytoken"], "tok");
        assert_eq!(c.extra["credHelpers"], json!({"gcr.io": "gcloud"}));
        let out: Value = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(out["credHelpers"]["gcr.io"], "gcloud");
        assert_eq!(out["auths"]["ghcr.io"]["identitytoken"], "tok");
    }

    #[test]
    fn auth_only_entries_yield_credentials() {
        let c = parse(r#"{"auths":{"r.io":{"auth":"dTpwOmEic3M="}}}"#).unwrap();
        let (u, p) = c.username_password("r.io").unwrap();
        assert_eq!((u.as_str(), p.expose()), ("u", "p:a\"ss"));
        assert_eq!(c.username().as_deref(), Some("u"));
    }

    #[test]
    fn parses_legacy_dockercfg() {
        let c = DockerConfig::parse_dockercfg(
            br#"{"https://index.docker.io/v1/":{"auth":"dTpw","email":"e@x"}}"#,
        )
        .unwrap();
        assert_eq!(c.hosts(), vec!["https://index.docker.io/v1/".to_string()]);
        assert_eq!(c.email().as_deref(), Some("e@x"));
        assert!(c
            .to_json()
            .starts_with(r#"{"auths":{"https://index.docker.io/v1/":"#));
    }

    #[test]
    fn null_fields_and_empty_auth_are_absent() {
        let c = parse(r#"{"auths":{"r.io":{"username":null,"password":"p","auth":""}}}"#).unwrap();
        let e = &c.auths["r.io"];
        assert_eq!(e.username, None);
        assert_eq!(
            e.username_password(),
            Some((String::new(), Password::new("p")))
        );
    }

    #[test]
    fn errors_are_specific() {
        assert_eq!(parse(" \n"), Err(ConfigError::Empty));
        assert_eq!(
            parse("{\n\"auths\": }"),
            Err(ConfigError::NotJson {
                line: 2,
                column: 10
            })
        );
        assert_eq!(parse("[]"), Err(ConfigError::NotAnObject));
        assert_eq!(parse("{}"), Err(ConfigError::MissingAuths));
        assert_eq!(parse(r#"{"auths":[]}"#), Err(ConfigError::AuthsNotObject));
        assert_eq!(
            parse(r#"{"auths":{"r.io":"x"}}"#),
            Err(ConfigError::EntryNotObject {
                host: "r.io".into()
            })
        );
        assert_eq!(
            parse(r#"{"auths":{"r.io":{"password":1}}}"#),
            Err(ConfigError::FieldNotString {
                host: "r.io".into(),
                field: "password"
            })
        );
        assert_eq!(
            parse(r#"{"auths":{"r.io":{"auth":"%%"}}}"#),
            Err(ConfigError::AuthNotBase64 {
                host: "r.io".into()
            })
        );
        assert_eq!(
            parse(r#"{"auths":{"r.io":{"auth":"bm9jb2xvbg=="}}}"#),
            Err(ConfigError::AuthWithoutColon {
                host: "r.io".into()
            })
        );
        assert_eq!(
            DockerConfig::parse_dockercfg(b"\"x\""),
            Err(ConfigError::NotAnObject)
        );
        assert_eq!(
            ConfigError::MissingAuths.to_string(),
            "The registry configuration has no \"auths\" section."
        );
    }

    #[test]
    fn errors_never_quote_credentials() {
        let canary = "Sup3rS3cretValue";
        let docs = [
            format!(r#"{{"auths":{{"r.io":{{"password":"{canary}"}}}},}}"#),
            format!(r#"{{"auths":{{"r.io":{{"password":"{canary}""#),
            format!(r#"{{"auths":{{"r.io":{{"auth":"{canary}"}}}}}}"#),
            format!(r#"{{"auths":"{canary}"}}"#),
            format!(r#"{{"auths":{{"r.io":"{canary}"}}}}"#),
            format!(r#""{canary}""#),
            format!(r#"{{"auths":{{"r.io":{{"password":"{canary}","auth":true}}}}}}"#),
        ];
        for doc in docs {
            let err = parse(&doc).unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(canary), "{shown}");
        }
    }
}
