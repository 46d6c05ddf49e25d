//! A 32-byte HMAC key (credential fingerprints, ownership proof) in a file
//! beside the database, readable by its owner only.

use std::io::Write;
use std::path::Path;

use rand::RngCore;

use crate::error::{describe_io, Error, Result};

/// Reads the key at `path`, creating it (mode 0600) when it does not exist.
pub async fn load_or_create(path: &Path) -> Result<[u8; 32]> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || load_or_create_blocking(&path))
        .await
        .map_err(|e| Error::KeyFile {
            path: Default::default(),
            reason: e.to_string(),
        })?
}

/// Writes `key` to `path` (mode 0600), for a key restored from elsewhere.
pub async fn write(path: &Path, key: &[u8; 32]) -> Result<()> {
    let (path, key) = (path.to_owned(), *key);
    let fail = |reason: String, path: &Path| Error::KeyFile {
        path: path.to_owned(),
        reason,
    };
    tokio::task::spawn_blocking(move || {
        write_blocking(&path, &key)
            .map(|_| ())
            .map_err(|e| fail(describe_io(&e), &path))
    })
    .await
    .map_err(|e| fail(e.to_string(), Path::new("")))?
}

fn load_or_create_blocking(path: &Path) -> Result<[u8; 32]> {
    let fail = |reason: String| Error::KeyFile {
        path: path.to_owned(),
        reason,
    };
    match std::fs::read(path) {
        Ok(bytes) => {
            warn_if_shared(path);
            <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
                fail(format!(
                    "it holds {} bytes, not 32; restore the original key file",
                    bytes.len()
                ))
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            create(path).map_err(|e| fail(describe_io(&e)))
        }
        Err(e) => Err(fail(describe_io(&e))),
    }
}

fn create(path: &Path) -> std::io::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    write_blocking(path, &key)
}

/// Writes `key` to a new file at `path` (mode 0600); when another process
/// created the file first, returns the key in it instead.
fn write_blocking(path: &Path, key: &[u8; 32]) -> std::io::Result<[u8; 32]> {
    let key = *key;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(&key)?;
            file.sync_all()?;
            tracing::info!(path = %path.display(), "created a key file");
            Ok(key)
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let bytes = std::fs::read(path)?;
            <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
                std::io::Error::other("the key file is being written by another process")
            })
        }
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "the key file is readable by others; chmod 600 it");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_key_is_created_once_with_mode_0600_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("regboard.audit-key");
        let first = load_or_create(&path).await.unwrap();
        assert_ne!(first, [0; 32]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert_eq!(load_or_create(&path).await.unwrap(), first);
    }

    #[tokio::test]
    async fn a_truncated_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, b"short").unwrap();
        let err = load_or_create(&path).await.unwrap_err().to_string();
        assert!(err.contains("5 bytes, not 32"), "{err}");
    }
}
