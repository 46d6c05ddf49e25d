//! Whether an image pull succeeds: public images always do; a private one needs a
//! matching login among the pod's pull Secrets and, for a host mapped to a real registry,
//! that registry's `/v2/` must accept the login (HTTP Basic). Failures are worded as
//! containerd reports them to kubelet over CRI.

use std::collections::BTreeMap;
use std::time::Duration;

use super::credentials::{self, Credential};
use super::image::{is_docker_hub, ImageRef, DOCKER_HUB};

/// Which registries are public and which logins are checked against a real registry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registries {
    /// Hosts whose every image pulls without credentials (Docker Hub aliases allowed).
    pub public_hosts: Vec<String>,
    /// Make Docker Hub's official images (`docker.io/library/*`) private too.
    pub private_library: bool,
    /// Host → base URL of a real registry (e.g. `https://registry.example.com`): a login
    /// for that host must be accepted by `GET <url>/v2/` with HTTP Basic auth.
    pub verify: BTreeMap<String, String>,
}

/// The result of one pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pull {
    /// The image is on the node.
    Pulled,
    /// The runtime's error, e.g. `rpc error: code = Unknown desc = failed to pull and unpack …`.
    Failed(String),
}

impl Registries {
    /// Whether `image` pulls without credentials.
    pub fn is_public(&self, image: &ImageRef) -> bool {
        let listed = self.public_hosts.iter().any(|h| {
            h.eq_ignore_ascii_case(&image.host) || (is_docker_hub(h) && image.host == DOCKER_HUB)
        });
        let library = image.host == DOCKER_HUB
            && image.repository.starts_with("library/")
            && !self.private_library;
        listed || library
    }

    /// Pulls `image` with the logins of the pod's pull Secrets.
    pub async fn pull(&self, image: &ImageRef, logins: &[Credential]) -> Pull {
        if self.is_public(image) {
            return Pull::Pulled;
        }
        let Some(login) = logins.iter().find(|c| credentials::matches(&c.key, image)) else {
            return Pull::Failed(denied(image));
        };
        match self.verify.get(&image.host) {
            None => Pull::Pulled,
            Some(url) => check(url, image, login).await,
        }
    }
}

fn cri(image: &ImageRef, why: &str) -> String {
    let full = image.full();
    format!(
        "rpc error: code = Unknown desc = failed to pull and unpack image \"{full}\": \
         failed to resolve reference \"{full}\": {why}"
    )
}

fn manifest_url(base: &str, image: &ImageRef) -> String {
    let reference = image
        .digest
        .clone()
        .or_else(|| image.tag.clone())
        .unwrap_or_else(|| "latest".into());
    format!("{base}/v2/{}/manifests/{reference}", image.repository)
}

/// The error for a private image pulled without a usable login.
pub fn denied(image: &ImageRef) -> String {
    if image.host == DOCKER_HUB {
        cri(
            image,
            "pull access denied, repository does not exist or may require authorization: \
             server message: insufficient_scope: authorization failed",
        )
    } else {
        let url = manifest_url(&format!("https://{}", image.host), image);
        cri(
            image,
            &format!("unexpected status from HEAD request to {url}: 401 Unauthorized"),
        )
    }
}

/// `GET <base>/v2/` with the login: 2xx accepts it, anything else refuses the pull.
async fn check(base: &str, image: &ImageRef, login: &Credential) -> Pull {
    let base = base.trim_end_matches('/');
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(client) => client,
        Err(e) => return Pull::Failed(cri(image, &format!("failed to do request: {e}"))),
    };
    let answer = client
        .get(format!("{base}/v2/"))
        .basic_auth(&login.username, Some(&login.password))
        .send()
        .await;
    match answer {
        Ok(response) if response.status().is_success() => Pull::Pulled,
        Ok(response) => {
            let status = response.status();
            let url = manifest_url(base, image);
            let text = format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            );
            Pull::Failed(cri(
                image,
                &format!(
                    "unexpected status from HEAD request to {url}: {}",
                    text.trim()
                ),
            ))
        }
        Err(e) => {
            let url = manifest_url(base, image);
            let why = format!("failed to do request: Head \"{url}\": {}", without_url(&e));
            Pull::Failed(cri(image, &why))
        }
    }
}

/// A reqwest error's text without the URL it repeats.
fn without_url(e: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut last = e.to_string();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn public_and_private_hosts() {
        let mut registries = Registries::default();
        assert!(registries.is_public(&image("nginx")));
        assert!(registries.is_public(&image("index.docker.io/library/redis:7")));
        assert!(!registries.is_public(&image("bitnami/redis")));
        assert!(!registries.is_public(&image("ghcr.io/o/r")));
        registries.public_hosts = vec!["ghcr.io".into(), "index.docker.io".into()];
        assert!(registries.is_public(&image("ghcr.io/o/r")));
        assert!(registries.is_public(&image("bitnami/redis")));
        registries = Registries {
            private_library: true,
            ..Registries::default()
        };
        assert!(!registries.is_public(&image("nginx")));
    }

    #[test]
    fn denial_wording() {
        assert_eq!(
            denied(&image("registry.example.com/a/b:1")),
            "rpc error: code = Unknown desc = failed to pull and unpack image \
             \"registry.example.com/a/b:1\": failed to resolve reference \"registry.example.com/a/b:1\": \
             unexpected status from HEAD request to https://registry.example.com/v2/a/b/manifests/1: \
             401 Unauthorized"
        );
        assert!(denied(&image("acme/app")).ends_with("insufficient_scope: authorization failed"));
    }
}
