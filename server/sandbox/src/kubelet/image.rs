//! Image references read the way Docker and containerd read them (`distribution/reference`):
//! `nginx` is `docker.io/library/nginx:latest`. A small normalizer, not a validator.

/// The Docker Hub host every Hub alias normalizes to.
pub const DOCKER_HUB: &str = "docker.io";
/// Names by which clients reach Docker Hub.
pub const DOCKER_HUB_ALIASES: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/// A normalized image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host (with port), Docker Hub aliases folded into `docker.io`.
    pub host: String,
    /// Repository path, `library/` added to single-component Hub names.
    pub repository: String,
    /// `:tag`, `latest` when neither a tag nor a digest is given.
    pub tag: Option<String>,
    /// `@sha256:…`, when given.
    pub digest: Option<String>,
}

/// Whether `host` names Docker Hub.
pub fn is_docker_hub(host: &str) -> bool {
    DOCKER_HUB_ALIASES
        .iter()
        .any(|alias| alias.eq_ignore_ascii_case(host))
}

impl ImageRef {
    /// Normalizes `image`; `None` when it is empty or has an empty component.
    pub fn parse(image: &str) -> Option<ImageRef> {
        let (name, digest) = match image.split_once('@') {
            Some((name, digest)) => (name, Some(digest.to_string())),
            None => (image, None),
        };
        // A ':' after the last '/' starts the tag; one before it is a port.
        let slash = name.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name[slash..].rfind(':') {
            Some(i) => (&name[..slash + i], Some(name[slash + i + 1..].to_string())),
            None => (name, None),
        };
        let (first, rest) = name.split_once('/').unwrap_or(("", name));
        let is_host = !first.is_empty()
            && (first.contains('.') || first.contains(':') || first == "localhost");
        let (host, path) = if is_host {
            (first.to_ascii_lowercase(), rest.to_string())
        } else {
            (DOCKER_HUB.to_string(), name.to_string())
        };
        let host = if is_docker_hub(&host) {
            DOCKER_HUB.to_string()
        } else {
            host
        };
        if path.is_empty() || path.split('/').any(str::is_empty) || tag.as_deref() == Some("") {
            return None;
        }
        let repository = if host == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        let tag = tag.or_else(|| digest.is_none().then(|| "latest".to_string()));
        Some(ImageRef {
            host,
            repository,
            tag,
            digest,
        })
    }

    fn suffix(&self) -> String {
        let mut out = String::new();
        if let Some(tag) = &self.tag {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(digest);
        }
        out
    }

    /// The fully-qualified form containerd prints: `docker.io/library/nginx:latest`.
    pub fn full(&self) -> String {
        format!("{}/{}{}", self.host, self.repository, self.suffix())
    }

    /// The familiar form with the default tag, as kubelet's `applyDefaultImageTag` returns
    /// it: `nginx:latest`, `registry.example.com/a/b:1.0`.
    pub fn familiar(&self) -> String {
        let name = if self.host == DOCKER_HUB {
            self.repository
                .strip_prefix("library/")
                .filter(|r| !r.contains('/'))
                .unwrap_or(&self.repository)
                .to_string()
        } else {
            format!("{}/{}", self.host, self.repository)
        };
        format!("{name}{}", self.suffix())
    }

    /// `host/repository`, without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.host, self.repository)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_rules() {
        let full = |s: &str| ImageRef::parse(s).unwrap().full();
        assert_eq!(full("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(
            full("index.docker.io/nginx:1.27"),
            "docker.io/library/nginx:1.27"
        );
        assert_eq!(
            full("registry-1.docker.io/bitnami/redis"),
            "docker.io/bitnami/redis:latest"
        );
        assert_eq!(full("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(
            full("Registry.Example.com:8443/team/app:v2"),
            "registry.example.com:8443/team/app:v2"
        );
        let digest = format!("ghcr.io/o/r@sha256:{}", "a".repeat(64));
        assert_eq!(full(&digest), digest);
        assert_eq!(ImageRef::parse("nginx").unwrap().familiar(), "nginx:latest");
        assert_eq!(
            ImageRef::parse("ghcr.io/o/r").unwrap().familiar(),
            "ghcr.io/o/r:latest"
        );
        assert!(ImageRef::parse("").is_none() && ImageRef::parse("a//b").is_none());
    }
}
