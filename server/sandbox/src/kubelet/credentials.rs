//! Pull credentials as kubelet reads them (`credentialprovider/secrets.MakeDockerKeyring`):
//! only Secrets of type `kubernetes.io/dockerconfigjson` (key `.dockerconfigjson`) or
//! `kubernetes.io/dockercfg` (key `.dockercfg`) count; an `auths` key matches an image by
//! host (with `*` globs per label and the port), then by path prefix; `/v1/` and `/v2/`
//! paths mean the host, and Docker Hub's aliases match each other.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

use super::image::{is_docker_hub, ImageRef};

/// One registry login found in a pull Secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// The `auths` key as written.
    pub key: String,
    /// The user name (from `username` or the decoded `auth`).
    pub username: String,
    /// The password (from `password` or the decoded `auth`); never logged.
    pub password: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("key", &self.key)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

fn login(key: &str, entry: &Value) -> Credential {
    let text = |k: &str| {
        entry
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (mut username, mut password) = (text("username"), text("password"));
    if let Some(decoded) = entry
        .get("auth")
        .and_then(Value::as_str)
        .and_then(|a| STANDARD.decode(a).ok())
        .and_then(|b| String::from_utf8(b).ok())
    {
        if let Some((u, p)) = decoded.split_once(':') {
            (username, password) = (u.to_string(), p.to_string());
        }
    }
    Credential {
        key: key.to_string(),
        username,
        password,
    }
}

/// The logins in one Secret, or none when kubelet would ignore it.
pub fn from_secret(secret: &Value) -> Vec<Credential> {
    let kind = secret.get("type").and_then(Value::as_str).unwrap_or("");
    let (data_key, nested) = match kind {
        "kubernetes.io/dockerconfigjson" => (".dockerconfigjson", true),
        "kubernetes.io/dockercfg" => (".dockercfg", false),
        _ => return Vec::new(),
    };
    let Some(doc) = secret
        .pointer(&format!("/data/{}", data_key.replace('/', "~1")))
        .and_then(Value::as_str)
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|raw| serde_json::from_slice::<Value>(&raw).ok())
    else {
        return Vec::new();
    };
    let auths = if nested { doc.get("auths") } else { Some(&doc) };
    auths
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| login(k, v)).collect())
        .unwrap_or_default()
}

/// `(host, path)` of an `auths` key, scheme dropped, `/v1/`/`/v2/` read as the host.
fn parse_key(key: &str) -> (String, String) {
    let bare = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let (host, path) = bare.split_once('/').unwrap_or((bare, ""));
    let path = path
        .strip_prefix("v1/")
        .or_else(|| path.strip_prefix("v2/"))
        .or(if path == "v1" || path == "v2" {
            Some("")
        } else {
            None
        })
        .unwrap_or(path)
        .trim_end_matches('/');
    (host.to_ascii_lowercase(), path.to_string())
}

fn host_matches(pattern: &str, host: &str) -> bool {
    if is_docker_hub(pattern) && is_docker_hub(host) {
        return true;
    }
    let (p_name, p_port) = pattern.split_once(':').unwrap_or((pattern, ""));
    let (h_name, h_port) = host.split_once(':').unwrap_or((host, ""));
    let p_labels: Vec<&str> = p_name.split('.').collect();
    let h_labels: Vec<&str> = h_name.split('.').collect();
    p_port == h_port
        && p_labels.len() == h_labels.len()
        && p_labels.iter().zip(&h_labels).all(|(p, h)| glob(p, h))
}

/// `*` matches any run of characters within one label.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.starts_with(head)
                && (head.len()..=text.len())
                    .any(|i| text.is_char_boundary(i) && glob(tail, &text[i..]))
        }
    }
}

/// Whether an `auths` key applies to `image`.
pub fn matches(key: &str, image: &ImageRef) -> bool {
    let (host, path) = parse_key(key);
    host_matches(&host, &image.host)
        && (path.is_empty()
            || image.repository == path
            || image.repository.starts_with(&format!("{path}/")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn image(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn keys_match_like_kubelet() {
        assert!(matches("https://index.docker.io/v1/", &image("nginx")));
        assert!(matches("docker.io", &image("registry-1.docker.io/a/b")));
        assert!(matches(
            "registry.example.com",
            &image("registry.example.com/a/b:1")
        ));
        assert!(matches(
            "https://registry.example.com/v2/",
            &image("registry.example.com/a")
        ));
        assert!(matches("*.example.com", &image("registry.example.com/a")));
        assert!(!matches(
            "*.example.com",
            &image("a.registry.example.com/a")
        ));
        assert!(matches(
            "registry.example.com/team",
            &image("registry.example.com/team/app")
        ));
        assert!(!matches(
            "registry.example.com/team",
            &image("registry.example.com/other/app")
        ));
        assert!(!matches(
            "registry.example.com:5000",
            &image("registry.example.com/a")
        ));
        assert!(!matches("ghcr.io", &image("nginx")));
    }

    #[test]
    fn only_docker_secret_types_count() {
        let doc = STANDARD.encode(r#"{"auths":{"ghcr.io":{"auth":"dTpw"}}}"#);
        let mut secret =
            json!({"type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": doc}});
        let creds = from_secret(&secret);
        assert_eq!(creds.len(), 1);
        assert_eq!(
            (creds[0].username.as_str(), creds[0].password.as_str()),
            ("u", "p")
        );
        secret["type"] = json!("Opaque");
        assert!(from_secret(&secret).is_empty());
        let cfg = STANDARD.encode(r#"{"quay.io":{"username":"a","password":"b"}}"#);
        let legacy = json!({"type": "kubernetes.io/dockercfg", "data": {".dockercfg": cfg}});
        assert_eq!(from_secret(&legacy)[0].key, "quay.io");
    }
}
