//! Whether a pull Secret's `auths` key serves an image, the way kubelet
//! decides (`pkg/credentialprovider/keyring.go`, `URLsMatch`): the key is
//! read as a URL without its scheme; `/v1/` and `/v2/` paths name the host
//! alone; host labels match one by one (a `*` matches within one label),
//! the ports must be equal, and a path in the key must be a prefix of the
//! image's repository. Docker Hub's aliases (`docker.io`, `index.docker.io`,
//! `registry-1.docker.io`) serve each other.

/// Whether the `auths` key `server` serves images of `registry` (as an
/// image reference names it, e.g. `ghcr.io`, `localhost:5000`, `docker.io`)
/// under `repository` (e.g. `library/nginx`).
pub fn server_serves(server: &str, registry: &str, repository: &str) -> bool {
    let (host, path) = split_key(server);
    let registry = registry.to_ascii_lowercase();
    host_matches(&host, &registry)
        && (path.is_empty()
            || repository == path
            || repository
                .strip_prefix(path.as_str())
                .is_some_and(|rest| rest.starts_with('/')))
}

/// `(host, path)` of an `auths` key: scheme dropped, lowercased host,
/// `/v1/`, `/v2/` and trailing slashes read as no path.
fn split_key(key: &str) -> (String, String) {
    let key = key.trim();
    let bare = match key.find("://") {
        Some(i) => &key[i + 3..],
        None => key,
    };
    let (host, path) = bare.split_once('/').unwrap_or((bare, ""));
    let path = path.trim_end_matches('/');
    let path = match path {
        "v1" | "v2" => "",
        other => other
            .strip_prefix("v1/")
            .or_else(|| other.strip_prefix("v2/"))
            .unwrap_or(other),
    };
    (host.to_ascii_lowercase(), path.to_owned())
}

fn is_docker_hub(host: &str) -> bool {
    matches!(
        host,
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    )
}

fn host_matches(pattern: &str, host: &str) -> bool {
    if is_docker_hub(pattern) && is_docker_hub(host) {
        return true;
    }
    let (p_name, p_port) = split_port(pattern);
    let (h_name, h_port) = split_port(host);
    let p_labels: Vec<&str> = p_name.split('.').collect();
    let h_labels: Vec<&str> = h_name.split('.').collect();
    p_port == h_port
        && p_labels.len() == h_labels.len()
        && p_labels.iter().zip(&h_labels).all(|(p, h)| glob(p, h))
}

/// `host` and `port` of `host[:port]`, bracketed IPv6 kept whole.
fn split_port(s: &str) -> (&str, &str) {
    match s.rfind(':') {
        Some(i) if !s[i..].contains(']') => (&s[..i], &s[i + 1..]),
        _ => (s, ""),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn serves(key: &str, registry: &str, repository: &str) -> bool {
        server_serves(key, registry, repository)
    }

    #[test]
    fn docker_hub_keys_serve_docker_hub_images() {
        for key in [
            "https://index.docker.io/v1/",
            "docker.io",
            "index.docker.io",
            "registry-1.docker.io",
            "HTTPS://Index.Docker.IO/v1/",
        ] {
            assert!(serves(key, "docker.io", "library/nginx"), "{key}");
        }
        assert!(!serves("ghcr.io", "docker.io", "library/nginx"));
        assert!(!serves("https://index.docker.io/v1/", "ghcr.io", "a/b"));
    }

    #[test]
    fn hosts_ports_and_paths_match_like_kubelet() {
        assert!(serves("ghcr.io", "ghcr.io", "acme/app"));
        assert!(serves("https://ghcr.io/v2/", "ghcr.io", "acme/app"));
        assert!(serves("ghcr.io", "GHCR.io", "acme/app"));
        assert!(serves("registry.local:5000", "registry.local:5000", "a"));
        assert!(!serves("registry.local:5000", "registry.local", "a"));
        assert!(!serves("registry.local", "registry.local:5000", "a"));
        assert!(serves("ghcr.io/acme", "ghcr.io", "acme/app"));
        assert!(serves("ghcr.io/acme/", "ghcr.io", "acme"));
        assert!(!serves("ghcr.io/acme", "ghcr.io", "acmecorp/app"));
        assert!(!serves("ghcr.io/acme", "ghcr.io", "other/app"));
        assert!(serves("localhost:5000", "localhost:5000", "x"));
        assert!(serves("[::1]:5000", "[::1]:5000", "x"));
        assert!(!serves("[::1]:5000", "[::1]:5001", "x"));
    }

    #[test]
    fn a_star_matches_within_one_label() {
        assert!(serves("*.example.com", "registry.example.com", "a"));
        assert!(serves("reg*.example.com", "registry.example.com", "a"));
        assert!(!serves("*.example.com", "a.registry.example.com", "a"));
        assert!(!serves("*.example.com", "example.com", "a"));
        assert!(serves("*.*.example.com", "a.registry.example.com", "a"));
    }
}
