//! Container image references, normalised the way Docker, containerd and
//! kubelet read them (the `distribution/reference` rules): `nginx` means
//! `docker.io/library/nginx:latest`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::domain::hosts::same_registry;

/// The registry of references without one.
pub const DEFAULT_REGISTRY: &str = "docker.io";
/// Longest `registry/repository`, as in `distribution/reference`.
pub const MAX_NAME_LEN: usize = 255;
/// Longest tag.
pub const MAX_TAG_LEN: usize = 128;

/// A fully-qualified image reference. Construct it with [`ImageRef::parse`];
/// `Display` prints the fully-qualified form
/// (`docker.io/library/nginx:latest`), which parses back to the same value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

/// Why a string is not an image reference.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImageRefError {
    /// Nothing was given.
    #[error("The image reference is empty.")]
    Empty,
    /// A 64-digit hex string is an image ID.
    #[error("'{0}' is an image ID, not a repository name.")]
    ImageId(String),
    /// The repository has uppercase letters.
    #[error("The repository name must be lowercase: '{0}'.")]
    Uppercase(String),
    /// `a//b`, a leading or trailing '/', or nothing before ':' or '@'.
    #[error("The image name has an empty part: check for '//' or a '/' at the start or end.")]
    EmptyComponent,
    /// A path component outside the grammar.
    #[error("'{0}' is not a valid repository name part: use lowercase letters and digits, separated by '.', '_', '__' or '-'.")]
    BadComponent(String),
    /// The registry is not `host[:port]`.
    #[error("'{0}' is not a valid registry host.")]
    BadRegistry(String),
    /// `registry/repository` is too long.
    #[error("The image name is {0} characters long; the limit is 255.")]
    TooLong(usize),
    /// The tag is empty or uses other characters.
    #[error("'{0}' is not a valid tag: use letters, digits, '_', '.' and '-', not starting with '.' or '-'.")]
    BadTag(String),
    /// The tag is longer than 128 characters.
    #[error("The tag is {0} characters long; the limit is 128.")]
    TagTooLong(usize),
    /// The digest is not `algorithm:hex` of the right length.
    #[error(
        "'{0}' is not a valid digest: expected e.g. 'sha256:' followed by 64 lowercase hex digits."
    )]
    BadDigest(String),
    /// The digest algorithm is not sha256, sha384 or sha512.
    #[error("Digest algorithm '{0}' is not supported; use sha256, sha384 or sha512.")]
    UnsupportedDigest(String),
}

impl ImageRef {
    /// Parses and normalises a reference: a missing registry is `docker.io`
    /// (`index.docker.io` too), a single-component Docker Hub repository gets
    /// `library/`, and a missing tag is `latest` unless a digest is given.
    /// The first component is a registry if it contains '.' or ':', is
    /// `localhost`, or has uppercase letters (as in Docker).
    pub fn parse(s: &str) -> Result<ImageRef, ImageRefError> {
        if s.is_empty() {
            return Err(ImageRefError::Empty);
        }
        if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(ImageRefError::ImageId(s.to_owned()));
        }
        let (name, digest) = match s.split_once('@') {
            Some((name, digest)) => (name, Some(validate_digest(digest)?)),
            None => (s, None),
        };
        let (registry, remainder) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.bytes().any(|b| b.is_ascii_uppercase()) =>
            {
                (first, rest)
            }
            _ => (DEFAULT_REGISTRY, name),
        };
        let registry = if registry == "index.docker.io" {
            DEFAULT_REGISTRY
        } else {
            registry
        };
        let (path, tag) = match remainder.rsplit_once(':') {
            Some((path, tag)) => (path, Some(validate_tag(tag)?)),
            None => (remainder, None),
        };
        if path.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(ImageRefError::Uppercase(path.to_owned()));
        }
        validate_registry(registry)?;
        let repository = if registry == DEFAULT_REGISTRY && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_owned()
        };
        for component in repository.split('/') {
            validate_component(component)?;
        }
        let len = registry.len() + 1 + repository.len();
        if len > MAX_NAME_LEN {
            return Err(ImageRefError::TooLong(len));
        }
        let tag = match (tag, &digest) {
            (None, None) => Some("latest".to_owned()),
            (tag, _) => tag,
        };
        Ok(ImageRef {
            registry: registry.to_owned(),
            repository,
            tag,
            digest,
        })
    }

    /// The registry host (`docker.io`, `ghcr.io`, `registry.local:5000`).
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path (`library/nginx`).
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag; `latest` when neither tag nor digest was given.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest (`sha256:…`), if given.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// Whether credentials for `server` (an `auths` key such as
    /// `https://index.docker.io/v1/`) are for this image's registry.
    pub fn matches_host(&self, server: &str) -> bool {
        same_registry(&self.registry, server)
    }

    /// Whether kubelet would pull this image with the credentials of the
    /// `auths` key `server` (host globs, port, path prefix; see
    /// [`crate::domain::hosts::server_serves`]).
    pub fn served_by(&self, server: &str) -> bool {
        crate::domain::hosts::server_serves(server, &self.registry, &self.repository)
    }

    /// Whether this is one of Docker Hub's official images
    /// (`docker.io/library/…`), which pull without a login.
    pub fn is_docker_official(&self) -> bool {
        self.registry == DEFAULT_REGISTRY && self.repository.starts_with("library/")
    }
}

fn validate_digest(digest: &str) -> Result<String, ImageRefError> {
    let bad = || ImageRefError::BadDigest(digest.to_owned());
    let (algorithm, hex) = digest.split_once(':').ok_or_else(bad)?;
    let expected_len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        other => {
            let well_formed = !other.is_empty()
                && other.split(['.', '+', '_', '-']).all(|p| {
                    !p.is_empty()
                        && p.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                });
            return Err(if well_formed {
                ImageRefError::UnsupportedDigest(other.to_owned())
            } else {
                bad()
            });
        }
    };
    if hex.len() == expected_len && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(digest.to_owned())
    } else {
        Err(bad())
    }
}

fn validate_tag(tag: &str) -> Result<String, ImageRefError> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let valid = tag.bytes().next().is_some_and(word)
        && tag.bytes().all(|b| word(b) || b == b'.' || b == b'-');
    if !valid {
        return Err(ImageRefError::BadTag(tag.to_owned()));
    }
    if tag.len() > MAX_TAG_LEN {
        return Err(ImageRefError::TagTooLong(tag.len()));
    }
    Ok(tag.to_owned())
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn validate_component(component: &str) -> Result<(), ImageRefError> {
    if component.is_empty() {
        return Err(ImageRefError::EmptyComponent);
    }
    let bad = || ImageRefError::BadComponent(component.to_owned());
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = component.as_bytes();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return Err(bad());
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &component[start..i];
        let ok = matches!(sep, "." | "_" | "__") || sep.bytes().all(|b| b == b'-');
        if !ok {
            return Err(bad());
        }
    }
    Ok(())
}

/// `host[:port]` where host is a domain name, IPv4 or `[IPv6]`.
fn validate_registry(registry: &str) -> Result<(), ImageRefError> {
    let bad = || ImageRefError::BadRegistry(registry.to_owned());
    let (host, port) = if registry.starts_with('[') {
        let end = registry.find(']').ok_or_else(bad)?;
        let inner = &registry[1..end];
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return Err(bad());
        }
        match &registry[end + 1..] {
            "" => (&registry[..=end], None),
            rest => (
                &registry[..=end],
                Some(rest.strip_prefix(':').ok_or_else(bad)?),
            ),
        }
    } else {
        match registry.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (registry, None),
        }
    };
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
    }
    if host.starts_with('[') {
        return Ok(());
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if host.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(bad())
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for ImageRef {
    type Err = ImageRefError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageRef::parse(s)
    }
}

/// Serialises as the fully-qualified string.
impl Serialize for ImageRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Deserialises from a string, with [`ImageRef::parse`].
impl<'de> Deserialize<'de> for ImageRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        ImageRef::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[path = "image_ref_tests.rs"]
mod tests;
