//! The pull Secrets regboard did not write (issue #13 item 5): listed per
//! namespace when a page asks, with hosts and usernames only.
//!
//! ```text
//! namespaces the caller sees ─► per namespace, two lists by field selector
//!   type=kubernetes.io/dockerconfigjson and type=kubernetes.io/dockercfg
//!   ─► drop what regboard proves it wrote, and what carries regboard's
//!      labels without proof (the admins' "unproven" list, recover.rs)
//!   ─► hosts and usernames (auth decoded for its username), never a password
//! ```

use futures::{stream, StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};
use regboard_app::domain::docker_config::{ConfigError, DockerConfig};
use regboard_app::model::unmanaged::{UnmanagedSecret, DOCKERCFG, DOCKER_CONFIG_JSON};
use regboard_app::AppError;

use super::service::KubeRegistries;
use crate::cluster::errors::app_error;
use crate::cluster::ownership::{label, MANAGED_BY, MANAGER};

/// The most namespaces one listing reads (each costs two API calls).
pub const MAX_NAMESPACES: usize = 200;
/// Namespaces read at once.
const READ_AT_ONCE: usize = 8;
/// The data key of a legacy `kubernetes.io/dockercfg` Secret.
const DOCKERCFG_KEY: &str = ".dockercfg";

/// The docker config of a pull Secret of either type.
pub(super) fn pull_config(secret: &Secret) -> Result<DockerConfig, ConfigError> {
    let (key, legacy) = match secret.type_.as_deref() {
        Some(DOCKERCFG) => (DOCKERCFG_KEY, true),
        _ => (".dockerconfigjson", false),
    };
    let bytes = secret
        .data
        .as_ref()
        .and_then(|d| d.get(key))
        .map(|b| b.0.as_slice())
        .unwrap_or_default();
    if legacy {
        DockerConfig::parse_dockercfg(bytes)
    } else {
        DockerConfig::parse_dockerconfigjson(bytes)
    }
}

/// Whether `secret` carries regboard's `managed-by` label: then it is
/// regboard's, or one of the unproven Secrets only an admin may adopt.
pub(super) fn labelled_as_regboard(secret: &Secret) -> bool {
    label(secret, MANAGED_BY) == Some(MANAGER)
}

/// The row of an unmanaged pull Secret: hosts and usernames, nothing else
/// of its data.
fn row(secret: &Secret, project: Option<String>) -> UnmanagedSecret {
    let config = pull_config(secret);
    let (hosts, usernames) = match &config {
        Ok(c) => {
            let mut users: Vec<String> = c
                .auths
                .values()
                .filter_map(|e| e.effective_username())
                .filter(|u| !u.is_empty())
                .collect();
            users.sort();
            users.dedup();
            (c.hosts(), users)
        }
        Err(_) => (Vec::new(), Vec::new()),
    };
    UnmanagedSecret {
        namespace: secret.metadata.namespace.clone().unwrap_or_default(),
        name: secret.metadata.name.clone().unwrap_or_default(),
        secret_type: secret.type_.clone().unwrap_or_default(),
        hosts,
        usernames,
        unreadable: config.err().map(|e| e.to_string()),
        project,
        may_adopt: false,
        may_adopt_to_project: false,
    }
}

impl KubeRegistries {
    /// The unmanaged pull Secrets of `namespaces` (not the system
    /// namespace), sorted by namespace and name.
    pub(super) async fn unmanaged_secrets(
        &self,
        namespaces: &[String],
    ) -> Result<Vec<UnmanagedSecret>, AppError> {
        let mut wanted: Vec<String> = namespaces
            .iter()
            .filter(|ns| **ns != self.system_namespace)
            .cloned()
            .collect();
        if wanted.len() > MAX_NAMESPACES {
            // Too many to read: only those the inventory counts Secrets in.
            let with_secrets: std::collections::HashSet<String> = self
                .inventory
                .rows()
                .into_iter()
                .filter(|r| r.secrets > 0)
                .map(|r| r.name)
                .collect();
            wanted.retain(|ns| with_secrets.contains(ns.as_str()));
        }
        if wanted.len() > MAX_NAMESPACES {
            return Err(AppError::Invalid {
                field: Some("namespace".into()),
                message: format!(
                    "You see {} namespaces with Secrets; choose one namespace to look for unmanaged pull Secrets in.",
                    wanted.len()
                ),
            });
        }
        let per_namespace: Vec<Vec<Secret>> = stream::iter(wanted)
            .map(|ns: String| async move { self.pull_secrets_in(&ns).await })
            .buffered(READ_AT_ONCE)
            .try_collect()
            .await?;
        let mut rows: Vec<UnmanagedSecret> = per_namespace
            .into_iter()
            .flatten()
            .filter(|s| !self.key.owns(s) && !labelled_as_regboard(s))
            .map(|s| {
                let project = s
                    .metadata
                    .namespace
                    .as_deref()
                    .and_then(|ns| self.inventory.project_of(ns));
                row(&s, project)
            })
            .collect();
        rows.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        Ok(rows)
    }

    /// The Secrets of both pull types in `namespace`.
    async fn pull_secrets_in(&self, namespace: &str) -> Result<Vec<Secret>, AppError> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        let mut found = Vec::new();
        for secret_type in [DOCKER_CONFIG_JSON, DOCKERCFG] {
            let params = ListParams::default().fields(&format!("type={secret_type}"));
            let listed = api.list(&params).await.map_err(|e| {
                app_error(
                    &e,
                    &format!("the Secret list of namespace {namespace}"),
                    &[],
                )
            })?;
            found.extend(listed.items);
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::ByteString;

    fn secret(secret_type: &str, key: &str, data: &str) -> Secret {
        let mut s = Secret {
            type_: Some(secret_type.into()),
            ..Secret::default()
        };
        s.metadata.name = Some("pull".into());
        s.metadata.namespace = Some("team".into());
        s.data = Some([(key.to_owned(), ByteString(data.as_bytes().to_vec()))].into());
        s
    }

    #[test]
    fn rows_show_hosts_and_usernames_of_both_types_and_nothing_else() {
        let dcj = secret(
            DOCKER_CONFIG_JSON,
            ".dockerconfigjson",
            r#"{"auths":{"b.io":{"auth":"YWxpY2U6Y2FuYXJ5"},"a.io":{"username":"bob","password":"canary"}}}"#,
        );
        let r = row(&dcj, None);
        assert_eq!(r.hosts, vec!["a.io", "b.io"]);
        assert_eq!(r.usernames, vec!["alice", "bob"]);
        assert!(!serde_json::to_string(&r).unwrap().contains("canary"));
        let legacy = secret(DOCKERCFG, DOCKERCFG_KEY, r#"{"r.io":{"auth":"dTpw"}}"#);
        let r = row(&legacy, Some("p".into()));
        assert_eq!(
            (r.hosts, r.usernames),
            (vec!["r.io".into()], vec!["u".into()])
        );
        let broken = row(&secret(DOCKER_CONFIG_JSON, ".dockerconfigjson", "{}"), None);
        assert!(broken.unreadable.unwrap().contains("auths"));
    }
}
