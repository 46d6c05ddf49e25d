//! A registry's Secret as files for a GitOps repository: a manifest for
//! `kubectl apply -f` (one Secret per namespace, `---` between them) or a
//! kustomize `secretGenerator` (a `kustomization.yaml` and the config file
//! it reads).
//!
//! ```text
//! .dockerconfigjson bytes ─┬─ with the credential: the bytes as they are
//!                          └─ without (the default): placeholders_json —
//!                             each password/token "<… for HOST — fill in>",
//!                             no `auth`, every other field kept
//!                        ─► manifest() | kustomization()  (YAML written here,
//!                             every scalar JSON-quoted, the config a literal block)
//! ```
//!
//! Neither carries regboard's labels, proof or annotations: an applied
//! export is a Secret regboard did not write, and is never taken for one.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

use super::docker_config::{ConfigError, DockerConfig};

/// The Secret type of a registry.
pub const DOCKER_CONFIG_JSON: &str = "kubernetes.io/dockerconfigjson";

/// Entry fields that hold a credential besides `password` and `auth`
/// (docker's `AuthConfig`): replaced by placeholders too.
const TOKEN_FIELDS: [&str; 2] = ["identitytoken", "registrytoken"];

/// One file of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Its name, e.g. `kustomization.yaml`.
    pub name: String,
    /// Its text.
    pub content: String,
}

/// What the export is of.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The Secret's name (the registry's).
    pub name: &'a str,
    /// Where it is written, one Secret each.
    pub namespaces: &'a [String],
    /// The config to write: the stored bytes, or [`placeholders_json`].
    pub config: &'a str,
    /// Whether `config` holds the credential (it changes the comments).
    pub with_credential: bool,
}

/// The placeholder of a credential field of `host`.
pub fn placeholder(what: &str, host: &str) -> String {
    format!("<{what} for {host} — fill in>")
}

/// The stored `.dockerconfigjson` with each credential replaced by a
/// placeholder saying where it goes: `password` (and `identitytoken`,
/// `registrytoken` when present) become "<… for HOST — fill in>", `auth` is
/// left out (kubelet then uses username and password), a username known
/// only from `auth` is written out. Every other field is kept as it is.
pub fn placeholders_json(stored: &[u8]) -> Result<String, ConfigError> {
    let config = DockerConfig::parse_dockerconfigjson(stored)?;
    let mut doc: Value = serde_json::from_slice(stored).map_err(|_| ConfigError::NotAnObject)?;
    let Some(auths) = doc.get_mut("auths").and_then(Value::as_object_mut) else {
        return Err(ConfigError::AuthsNotObject);
    };
    for (host, entry) in auths.iter_mut() {
        let Some(fields) = entry.as_object_mut() else {
            continue;
        };
        let username = config.auths.get(host).and_then(|e| e.effective_username());
        fields.remove("auth");
        if let Some(username) = username {
            fields.insert("username".into(), Value::String(username));
        }
        fields.insert("password".into(), placeholder("password", host).into());
        for token in TOKEN_FIELDS {
            if fields.contains_key(token) {
                fields.insert(token.into(), placeholder(token, host).into());
            }
        }
    }
    Ok(serde_json::to_string_pretty(&doc).expect("JSON values serialise"))
}

/// A YAML scalar: JSON's double-quoted string is a valid YAML one.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialise")
}

/// `text` as a YAML literal block (`|`) indented by `indent` spaces.
/// JSON text from serde_json has no tabs or control characters in it, so
/// every line can stand in a block as it is.
fn literal_block(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::from("|\n");
    for line in text.trim_end_matches('\n').lines() {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The comment lines at the top of every exported file.
fn header(subject: &Subject, how: &str) -> String {
    let mut lines = vec![
        format!("# Registry {} exported by regboard, {how}.", subject.name),
        "# regboard's labels and ownership proof are left out on purpose: a Secret made".into(),
        "# from this file is not regboard's, and regboard will neither edit nor delete it.".into(),
    ];
    let rest: &[&str] = if subject.with_credential {
        &[
            "# It CONTAINS THE CREDENTIAL: keep it secret (e.g. seal or encrypt it",
            "# before committing).",
        ]
    } else {
        &[
            "# The credential is left out: replace every \"<password for HOST — fill in>\"",
            "# (and any \"<identitytoken for HOST — fill in>\") in the docker config below",
            "# with the real value. No auth field is needed: kubelet reads username and",
            "# password.",
        ]
    };
    lines.extend(rest.iter().map(|l| l.to_string()));
    lines.join("\n") + "\n"
}

/// A multi-document manifest for `kubectl apply -f`: one Secret per
/// namespace, the config under `data` (base64 of the exact bytes) with the
/// credential, or under `stringData` as a readable block without it.
pub fn manifest(subject: &Subject) -> File {
    let mut out = header(subject, "for `kubectl apply -f`");
    for namespace in subject.namespaces {
        out.push_str("---\n");
        out.push_str("apiVersion: v1\nkind: Secret\nmetadata:\n");
        out.push_str(&format!("  name: {}\n", quoted(subject.name)));
        out.push_str(&format!("  namespace: {}\n", quoted(namespace)));
        out.push_str(&format!("type: {}\n", quoted(DOCKER_CONFIG_JSON)));
        if subject.with_credential {
            let encoded = STANDARD.encode(subject.config.as_bytes());
            out.push_str(&format!(
                "data:\n  .dockerconfigjson: {}\n",
                quoted(&encoded)
            ));
        } else {
            out.push_str("stringData:\n  .dockerconfigjson: ");
            out.push_str(&literal_block(subject.config, 4));
        }
    }
    File {
        name: format!("{}.yaml", subject.name),
        content: out,
    }
}

/// The name of the config file a kustomization reads.
pub fn config_file_name(name: &str) -> String {
    format!("{name}.dockerconfigjson")
}

/// A `kustomization.yaml` with one `secretGenerator` entry per namespace
/// (same name, fixed: no hash suffix), all reading one config file, and
/// that file.
pub fn kustomization(subject: &Subject) -> [File; 2] {
    let config_file = config_file_name(subject.name);
    let mut out = header(subject, "as a kustomize secretGenerator");
    out.push_str("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
    out.push_str("secretGenerator:\n");
    let source = format!(".dockerconfigjson={config_file}");
    for namespace in subject.namespaces {
        out.push_str(&format!("- name: {}\n", quoted(subject.name)));
        out.push_str(&format!("  namespace: {}\n", quoted(namespace)));
        out.push_str(&format!("  type: {}\n", quoted(DOCKER_CONFIG_JSON)));
        out.push_str(&format!("  files:\n  - {}\n", quoted(&source)));
        out.push_str("  options:\n    disableNameSuffixHash: true\n");
    }
    let mut config = subject.config.to_owned();
    if !subject.with_credential && !config.ends_with('\n') {
        config.push('\n');
    }
    [
        File {
            name: "kustomization.yaml".into(),
            content: out,
        },
        File {
            name: config_file,
            content: config,
        },
    ]
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
