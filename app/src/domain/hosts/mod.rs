//! Registry host presets and host normalisation.
//!
//! A [`HostPreset`] is what the "add registry" form offers; [`HostPreset::server`]
//! turns it into the exact string written as a key of `auths` in the Secret.
//! [`normalize_host`] gives the canonical host used to compare such keys with
//! each other and with image references.

mod error;
mod host_port;
mod matching;
mod preset;

pub use error::HostError;
pub use host_port::validate_host_port;
pub use matching::server_serves;
pub use preset::{all_kinds, HostKind, HostPreset};

/// The server key docker and kubectl write for Docker Hub.
pub const DOCKER_HUB_SERVER: &str = "https://index.docker.io/v1/";

/// The canonical registry host of an `auths` key or image registry, for
/// comparisons: scheme, a trailing `/v1/` or `/v2/` and trailing slashes are
/// removed, the result is lowercased, and Docker Hub's aliases
/// (`index.docker.io`, `registry-1.docker.io`) become `docker.io`.
pub fn normalize_host(server: &str) -> String {
    let mut s = server.trim().to_ascii_lowercase();
    if let Some(i) = s.find("://") {
        s.drain(..i + 3);
    }
    let mut s = s.trim_end_matches('/');
    for suffix in ["/v1", "/v2"] {
        if let Some(stripped) = s.strip_suffix(suffix) {
            s = stripped.trim_end_matches('/');
            break;
        }
    }
    match s {
        "index.docker.io" | "registry-1.docker.io" => "docker.io".to_owned(),
        other => other.to_owned(),
    }
}

/// Validates a server typed or stored as an `auths` key and returns the
/// string to write: Docker Hub in any spelling (`docker.io`,
/// `https://index.docker.io/v1/`, …) becomes [`DOCKER_HUB_SERVER`] as docker
/// and kubectl write it; anything else goes through [`validate_host_port`].
pub fn validate_server(input: &str) -> Result<String, HostError> {
    if normalize_host(input) == "docker.io" {
        Ok(DOCKER_HUB_SERVER.to_owned())
    } else {
        validate_host_port(input)
    }
}

/// Whether two servers name the same registry after [`normalize_host`].
pub fn same_registry(a: &str, b: &str) -> bool {
    normalize_host(a) == normalize_host(b)
}

/// Whether `server` is an Amazon ECR registry
/// (`ACCOUNT.dkr.ecr.REGION.amazonaws.com`, `.com.cn` in China), whose
/// tokens are valid for 12 hours.
pub fn is_ecr(server: &str) -> bool {
    let host = normalize_host(server);
    let host = host.split(':').next().unwrap_or_default();
    let rest = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"));
    let Some((account, region)) = rest.and_then(|r| r.split_once(".dkr.ecr.")) else {
        return false;
    };
    account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalisation() {
        for s in [
            "https://index.docker.io/v1/",
            "docker.io",
            "index.docker.io",
            "registry-1.docker.io",
            "HTTPS://Index.Docker.IO/v2",
            "http://docker.io/",
        ] {
            assert_eq!(normalize_host(s), "docker.io", "{s}");
        }
        assert_eq!(
            normalize_host("https://Registry.Local:5000/v2/"),
            "registry.local:5000"
        );
        assert_eq!(normalize_host("ghcr.io//"), "ghcr.io");
        assert_eq!(normalize_host("r.io/team/v1"), "r.io/team");
        assert!(same_registry("https://index.docker.io/v1/", "docker.io"));
        assert!(!same_registry("ghcr.io", "quay.io"));
        for hub in [
            "docker.io",
            "https://index.docker.io/v1/",
            "registry-1.docker.io",
        ] {
            assert_eq!(validate_server(hub).unwrap(), DOCKER_HUB_SERVER);
        }
        assert_eq!(validate_server("https://R.io:5000").unwrap(), "r.io:5000");
        assert!(validate_server("r.io/path").is_err());
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(s in "[a-zA-Z0-9.:/_-]{0,40}") {
            let once = normalize_host(&s);
            prop_assert_eq!(normalize_host(&once), once.clone());
        }
    }

    #[test]
    fn ecr_hosts_are_known() {
        assert!(is_ecr("123456789012.dkr.ecr.eu-west-1.amazonaws.com"));
        assert!(is_ecr(
            "https://123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"
        ));
        assert!(!is_ecr("12345.dkr.ecr.eu-west-1.amazonaws.com"));
        assert!(!is_ecr("ecr.example.com"));
        assert!(!is_ecr("123456789012.dkr.ecr..amazonaws.com"));
    }
}
