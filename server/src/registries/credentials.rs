//! Credential tests of registries: the logins read from a registry's Secret
//! (or from the form being saved), handed to `crate::credcheck`, and the
//! verdicts recorded. Nothing here returns or logs a credential.

use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::domain::image_ref::ImageRef;
use regboard_app::model::credentials::{CredentialCheck, Verdict};
use regboard_app::model::registries::{RegistryInput, Scope};
use regboard_app::AppError;

use super::objects::docker_config;
use super::service::KubeRegistries;
use super::validate::validate;
use crate::credcheck::{HostLogin, RegistryId};

/// The logins of `config` for `hosts` (every host when `None`).
fn logins_of(config: &DockerConfig, only: Option<&str>) -> Vec<HostLogin> {
    config
        .hosts()
        .into_iter()
        .filter(|h| only.is_none_or(|o| o == h))
        .filter_map(|host| {
            let (username, password) = config.username_password(&host)?;
            Some(HostLogin {
                host,
                username,
                password,
            })
        })
        .collect()
}

/// The sentences of the verdicts that stop a save or a rotation: a
/// rejected credential or an unexpected answer (an unreachable registry
/// does not stop it).
pub(super) fn refusals(checks: &[CredentialCheck]) -> Vec<String> {
    checks
        .iter()
        .filter(|c| {
            matches!(
                c.verdict,
                Verdict::Rejected { .. } | Verdict::Unexpected { .. }
            )
        })
        .map(CredentialCheck::sentence)
        .collect()
}

impl KubeRegistries {
    /// Tests the stored credential of `host` of registry `name` (every host
    /// when `None`; with `image`, for pulling its repository), records the
    /// verdicts and answers them.
    pub(super) async fn test_registry(
        &self,
        scope: &Scope,
        name: &str,
        host: Option<&str>,
        image: Option<&str>,
    ) -> Result<Vec<CredentialCheck>, AppError> {
        let repository = match image.map(ImageRef::parse) {
            Some(Ok(image)) => Some(image.repository().to_owned()),
            Some(Err(e)) => {
                return Err(AppError::Invalid {
                    field: Some("image".into()),
                    message: format!("The image cannot be read: {e}"),
                })
            }
            None => None,
        };
        let (_, secret) = self.registry_secret(scope, name).await?;
        let config = docker_config(&secret).unwrap_or_default();
        let logins = logins_of(&config, host);
        if logins.is_empty() {
            return Err(AppError::NotFound(match host {
                Some(h) => format!("Registry {name} holds no login for {h}."),
                None => format!("Registry {name} holds no login to test."),
            }));
        }
        let checks = self.checks.test(&logins, repository.as_deref()).await;
        let id: RegistryId = (scope.clone(), name.to_owned());
        self.checks.record(&id, &checks).await?;
        Ok(checks)
    }

    /// Before a save: tests the credential the form gives (on edit, an empty
    /// password means the stored one) unless the person chose to save
    /// anyway. A rejected credential or an unexpected answer refuses the
    /// save with the verdicts (field `credential`); an unreachable registry
    /// does not. Answers the verdicts to record once saved.
    pub(super) async fn test_before_save(
        &self,
        input: &RegistryInput,
        editing: bool,
    ) -> Result<Vec<CredentialCheck>, AppError> {
        if !input.test_credential {
            return Ok(Vec::new());
        }
        let valid = validate(input.clone(), editing, chrono::Utc::now().timestamp())?;
        let keeps_one = valid.hosts.iter().any(|h| h.edit.password.is_none());
        let stored = match keeps_one && editing {
            true => self
                .registry_secret(&valid.scope, &valid.name)
                .await
                .ok()
                .and_then(|(_, s)| docker_config(&s)),
            false => None,
        };
        let logins: Vec<HostLogin> = valid
            .hosts
            .iter()
            .filter_map(|h| {
                let password = match &h.edit.password {
                    Some(p) => p.clone(),
                    None => stored.as_ref()?.username_password(&h.edit.host)?.1,
                };
                Some(HostLogin {
                    host: h.edit.host.clone(),
                    username: h.edit.username.clone(),
                    password,
                })
            })
            .collect();
        let checks = self.checks.test(&logins, None).await;
        let refused = refusals(&checks);
        if refused.is_empty() {
            return Ok(checks);
        }
        Err(AppError::Invalid {
            field: Some("credential".into()),
            message: format!(
                "The credential test failed, so nothing was saved: {} Correct it, or save anyway.",
                refused.join(" ")
            ),
        })
    }

    /// Records the verdicts of a save-time test once the save succeeded.
    pub(super) async fn record_checks(
        &self,
        scope: &Scope,
        name: &str,
        checks: &[CredentialCheck],
    ) {
        let id: RegistryId = (scope.clone(), name.to_owned());
        if let Err(e) = self.checks.record(&id, checks).await {
            tracing::warn!(error = %e, registry = %name, "the credential verdict was not recorded");
        }
    }

    /// Every registry's logins (namespace registries and project sources),
    /// for the periodic test.
    pub(crate) async fn every_login(&self) -> Result<Vec<(RegistryId, Vec<HostLogin>)>, AppError> {
        let rows = self.list_registries(&Default::default()).await?;
        let mut out = Vec::new();
        for row in rows.into_iter().filter(|r| !r.source_lost) {
            match self.registry_secret(&row.scope, &row.name).await {
                Ok((_, secret)) => {
                    let config = docker_config(&secret).unwrap_or_default();
                    out.push(((row.scope, row.name), logins_of(&config, None)));
                }
                Err(e) => {
                    tracing::warn!(registry = %row.name, error = %e, "not tested: unreadable")
                }
            }
        }
        Ok(out)
    }

    /// The last verdicts of each row's current hosts, and how each host's
    /// "valid until" stands now.
    pub(super) async fn fill_checks(
        &self,
        rows: &mut [regboard_app::model::registries::RegistrySummary],
    ) {
        for host in rows.iter_mut().flat_map(|r| r.host_details.iter_mut()) {
            host.expiry = host.valid_until.map(|until| self.checks.expiry(until));
        }
        let mut all = match self.checks.all().await {
            Ok(all) => all,
            Err(e) => {
                tracing::warn!(error = %e, "credential verdicts unreadable");
                return;
            }
        };
        for row in rows {
            let mut checks = all
                .remove(&(row.scope.clone(), row.name.clone()))
                .unwrap_or_default();
            checks.retain(|c| row.hosts.contains(&c.host));
            row.credential_checks = checks;
        }
    }
}
