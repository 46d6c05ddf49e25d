//! The registries the "add registry" form offers, and the server string
//! each one writes into the Secret.

use serde::{Deserialize, Serialize};

use super::{validate_host_port, HostError, DOCKER_HUB_SERVER};

/// A registry the form knows how to address. Variants with fields take the
/// user's input, which [`HostPreset::server`] validates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HostPreset {
    /// Docker Hub.
    DockerHub,
    /// Red Hat Quay.io.
    Quay,
    /// GitHub Container Registry.
    Ghcr,
    /// GitLab.com container registry.
    GitLab,
    /// Amazon Elastic Container Registry.
    Ecr {
        /// 12-digit AWS account id.
        account: String,
        /// AWS region, e.g. `eu-west-1`.
        region: String,
    },
    /// Google Artifact Registry (Docker format).
    ArtifactRegistry {
        /// Location, e.g. `europe-west1` or `us`.
        location: String,
    },
    /// Google Container Registry.
    Gcr,
    /// Azure Container Registry.
    Acr {
        /// Registry name: 5–50 letters and digits.
        name: String,
    },
    /// A Harbor instance.
    Harbor {
        /// `host[:port]`.
        host: String,
    },
    /// A Sonatype Nexus Docker connector.
    Nexus {
        /// `host[:port]`.
        host: String,
    },
    /// A JFrog Artifactory instance.
    Artifactory {
        /// `host[:port]`.
        host: String,
    },
    /// Any other registry.
    Custom {
        /// `host[:port]`.
        host: String,
    },
}

/// The kind of a [`HostPreset`], without its inputs: the options of the
/// form's select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostKind {
    /// See [`HostPreset::DockerHub`].
    DockerHub,
    /// See [`HostPreset::Quay`].
    Quay,
    /// See [`HostPreset::Ghcr`].
    Ghcr,
    /// See [`HostPreset::GitLab`].
    GitLab,
    /// See [`HostPreset::Ecr`].
    Ecr,
    /// See [`HostPreset::ArtifactRegistry`].
    ArtifactRegistry,
    /// See [`HostPreset::Gcr`].
    Gcr,
    /// See [`HostPreset::Acr`].
    Acr,
    /// See [`HostPreset::Harbor`].
    Harbor,
    /// See [`HostPreset::Nexus`].
    Nexus,
    /// See [`HostPreset::Artifactory`].
    Artifactory,
    /// See [`HostPreset::Custom`].
    Custom,
}

/// Every kind, in the order the form lists them.
pub fn all_kinds() -> &'static [HostKind] {
    use HostKind::*;
    &[
        DockerHub,
        Quay,
        Ghcr,
        GitLab,
        Ecr,
        ArtifactRegistry,
        Gcr,
        Acr,
        Harbor,
        Nexus,
        Artifactory,
        Custom,
    ]
}

impl HostKind {
    /// Human-readable name for the select.
    pub fn label(self) -> &'static str {
        match self {
            HostKind::DockerHub => "Docker Hub",
            HostKind::Quay => "Quay.io",
            HostKind::Ghcr => "GitHub Container Registry",
            HostKind::GitLab => "GitLab.com",
            HostKind::Ecr => "Amazon ECR",
            HostKind::ArtifactRegistry => "Google Artifact Registry",
            HostKind::Gcr => "Google Container Registry",
            HostKind::Acr => "Azure Container Registry",
            HostKind::Harbor => "Harbor",
            HostKind::Nexus => "Sonatype Nexus",
            HostKind::Artifactory => "JFrog Artifactory",
            HostKind::Custom => "Other registry",
        }
    }

    /// Stable identifier, as used in serialised presets and `<option value>`.
    pub fn id(self) -> &'static str {
        match self {
            HostKind::DockerHub => "docker_hub",
            HostKind::Quay => "quay",
            HostKind::Ghcr => "ghcr",
            HostKind::GitLab => "git_lab",
            HostKind::Ecr => "ecr",
            HostKind::ArtifactRegistry => "artifact_registry",
            HostKind::Gcr => "gcr",
            HostKind::Acr => "acr",
            HostKind::Harbor => "harbor",
            HostKind::Nexus => "nexus",
            HostKind::Artifactory => "artifactory",
            HostKind::Custom => "custom",
        }
    }

    /// The kind whose [`HostKind::id`] is `id`.
    pub fn from_id(id: &str) -> Option<HostKind> {
        all_kinds().iter().copied().find(|k| k.id() == id)
    }
}
impl HostPreset {
    /// The kind of this preset.
    pub fn kind(&self) -> HostKind {
        match self {
            HostPreset::DockerHub => HostKind::DockerHub,
            HostPreset::Quay => HostKind::Quay,
            HostPreset::Ghcr => HostKind::Ghcr,
            HostPreset::GitLab => HostKind::GitLab,
            HostPreset::Ecr { .. } => HostKind::Ecr,
            HostPreset::ArtifactRegistry { .. } => HostKind::ArtifactRegistry,
            HostPreset::Gcr => HostKind::Gcr,
            HostPreset::Acr { .. } => HostKind::Acr,
            HostPreset::Harbor { .. } => HostKind::Harbor,
            HostPreset::Nexus { .. } => HostKind::Nexus,
            HostPreset::Artifactory { .. } => HostKind::Artifactory,
            HostPreset::Custom { .. } => HostKind::Custom,
        }
    }

    /// Human-readable name of the kind.
    pub fn label(&self) -> &'static str {
        self.kind().label()
    }

    /// The server string to write as the `auths` key, after validating the
    /// inputs (surrounding whitespace is ignored).
    pub fn server(&self) -> Result<String, HostError> {
        match self {
            HostPreset::DockerHub => Ok(DOCKER_HUB_SERVER.to_owned()),
            HostPreset::Quay => Ok("quay.io".to_owned()),
            HostPreset::Ghcr => Ok("ghcr.io".to_owned()),
            HostPreset::GitLab => Ok("registry.gitlab.com".to_owned()),
            HostPreset::Gcr => Ok("gcr.io".to_owned()),
            HostPreset::Ecr { account, region } => {
                let account = account.trim();
                if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(HostError::EcrAccount);
                }
                let region = region.trim();
                if !is_aws_region(region) {
                    return Err(HostError::EcrRegion {
                        region: region.to_owned(),
                    });
                }
                let suffix = if region.starts_with("cn-") {
                    "amazonaws.com.cn"
                } else {
                    "amazonaws.com"
                };
                Ok(format!("{account}.dkr.ecr.{region}.{suffix}"))
            }
            HostPreset::ArtifactRegistry { location } => {
                let location = location.trim();
                if !is_gcp_location(location) {
                    return Err(HostError::ArtifactLocation {
                        location: location.to_owned(),
                    });
                }
                Ok(format!("{location}-docker.pkg.dev"))
            }
            HostPreset::Acr { name } => {
                let name = name.trim();
                if !(5..=50).contains(&name.len())
                    || !name.bytes().all(|b| b.is_ascii_alphanumeric())
                {
                    return Err(HostError::AcrName);
                }
                Ok(format!("{}.azurecr.io", name.to_ascii_lowercase()))
            }
            HostPreset::Harbor { host }
            | HostPreset::Nexus { host }
            | HostPreset::Artifactory { host }
            | HostPreset::Custom { host } => validate_host_port(host),
        }
    }
}

/// `eu-west-1`, `us-gov-west-1`, `ap-southeast-2`, `cn-north-1`, …
fn is_aws_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    parts.len() >= 3
        && first.len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && !last.is_empty()
        && last.len() <= 2
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// `us`, `europe`, `europe-west1`, `northamerica-northeast2`, …
fn is_gcp_location(location: &str) -> bool {
    !location.is_empty()
        && location.len() <= 40
        && location.split('-').all(|p| {
            p.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(h: &str) -> Result<String, HostError> {
        HostPreset::Custom { host: h.into() }.server()
    }

    #[test]
    fn fixed_presets() {
        assert_eq!(
            HostPreset::DockerHub.server().unwrap(),
            "https://index.docker.io/v1/"
        );
        assert_eq!(HostPreset::Quay.server().unwrap(), "quay.io");
        assert_eq!(HostPreset::Ghcr.server().unwrap(), "ghcr.io");
        assert_eq!(HostPreset::GitLab.server().unwrap(), "registry.gitlab.com");
        assert_eq!(HostPreset::Gcr.server().unwrap(), "gcr.io");
    }

    #[test]
    fn cloud_presets_validate_their_inputs() {
        let ecr = |a: &str, r: &str| {
            HostPreset::Ecr {
                account: a.into(),
                region: r.into(),
            }
            .server()
        };
        assert_eq!(
            ecr("123456789012", "eu-west-1").unwrap(),
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            ecr(" 123456789012 ", "us-gov-west-1").unwrap(),
            "123456789012.dkr.ecr.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(
            ecr("123456789012", "cn-north-1").unwrap(),
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(ecr("12345678901", "eu-west-1"), Err(HostError::EcrAccount));
        assert_eq!(ecr("12345678901x", "eu-west-1"), Err(HostError::EcrAccount));
        for bad in [
            "",
            "eu-west",
            "EU-west-1",
            "eu-west-x",
            "euwest1",
            "e-west-1",
            "eu--1",
        ] {
            assert!(
                matches!(ecr("123456789012", bad), Err(HostError::EcrRegion { .. })),
                "{bad}"
            );
        }
        let ar = |l: &str| HostPreset::ArtifactRegistry { location: l.into() }.server();
        assert_eq!(ar("europe-west1").unwrap(), "europe-west1-docker.pkg.dev");
        assert_eq!(ar("us").unwrap(), "us-docker.pkg.dev");
        for bad in ["", "Europe", "eu west1", "-us", "us-", "1us", "a.b"] {
            assert!(
                matches!(ar(bad), Err(HostError::ArtifactLocation { .. })),
                "{bad}"
            );
        }
        let acr = |n: &str| HostPreset::Acr { name: n.into() }.server();
        assert_eq!(acr("MyRegistry1").unwrap(), "myregistry1.azurecr.io");
        assert_eq!(acr("abcd"), Err(HostError::AcrName));
        assert_eq!(acr(&"a".repeat(51)), Err(HostError::AcrName));
        assert_eq!(acr("my-registry"), Err(HostError::AcrName));
    }

    #[test]
    fn self_hosted_presets_take_host_and_port() {
        assert_eq!(
            custom("registry.local:5000").unwrap(),
            "registry.local:5000"
        );
        assert_eq!(
            custom(" https://Harbor.Example.com/ ").unwrap(),
            "harbor.example.com"
        );
        assert_eq!(custom("10.0.0.1:443").unwrap(), "10.0.0.1:443");
        assert_eq!(custom("localhost").unwrap(), "localhost");
        let harbor = HostPreset::Harbor {
            host: "harbor.corp:8443".into(),
        };
        assert_eq!(harbor.server().unwrap(), "harbor.corp:8443");
        assert_eq!(harbor.label(), "Harbor");
    }

    #[test]
    fn kinds_cover_every_preset() {
        assert_eq!(all_kinds().len(), 12);
        for k in all_kinds() {
            assert_eq!(HostKind::from_id(k.id()), Some(*k));
            assert!(!k.label().is_empty());
            let json = serde_json::to_string(k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.id()));
        }
        assert_eq!(HostPreset::Quay.kind(), HostKind::Quay);
        let p: HostPreset =
            serde_json::from_str(r#"{"kind":"ecr","account":"1","region":"r"}"#).unwrap();
        assert_eq!(p.kind(), HostKind::Ecr);
        let p: HostPreset = serde_json::from_str(r#"{"kind":"git_lab"}"#).unwrap();
        assert_eq!(p, HostPreset::GitLab);
    }
}
