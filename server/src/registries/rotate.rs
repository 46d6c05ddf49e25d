//! Rotating a registry's credential (issue 13, item 3).
//!
//! ```text
//! RotationInput ─► the registry's Secret (the source, for a project registry)
//!   ─► DockerConfig::rotate (pure: one host or every host, nothing else touched)
//!   ─► credential test of the new login (unless "rotate anyway"; rejected → stop)
//!   ─► one replace of the Secret (its resourceVersion as precondition)
//!   ─► the reconciler copies it to every namespace; wait, pass by pass, until
//!      every copy carries it or failed (bounded by ROTATION_WAIT)
//!   ─► the report (copies, failures, pods retrying) and ONE audit row
//!      `registry.rotate` with the old and new fingerprints (changes.rs)
//! ```
//!
//! A fingerprint is the audit key's HMAC over host, username and password,
//! truncated (`AuditLog::fingerprint`): it tells two credentials apart and
//! cannot be brute-forced without the key.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::ByteString;
use kube::api::PostParams;
use regboard_app::domain::docker_config::{ConfigError, RotateError, Rotated, Rotation};
use regboard_app::model::changes::{
    CopyProgress, NamespaceProgress, PodUse, RotationInput, RotationProgress, RotationReport,
};
use regboard_app::model::credentials::CredentialCheck;
use regboard_app::model::registries::{Scope, SyncState};
use regboard_app::AppError;
use serde_json::{json, Value};

use super::objects::{docker_config, set_valid_until, valid_until};
use super::service::KubeRegistries;
use super::validate::new_valid_until;
use crate::cluster::errors::{answer_within, app_error};
use crate::cluster::ownership::{self, source_name, CONTENT_HASH, DATA_KEY, SOURCE_UID};
use crate::cluster::proof::Claim;
use crate::credcheck::HostLogin;
use crate::reconcile::shown::Expect;

/// The longest a rotation waits for its copies before it answers (the
/// copies keep converging after; the progress shows them).
pub const ROTATION_WAIT: Duration = Duration::from_secs(60);
/// How long after a pass the store may take to show its writes.
const STORE_LAG: Duration = Duration::from_secs(2);
const POLL: Duration = Duration::from_millis(5);

/// The waiting reasons of a pod that kubelet retries with backoff.
const RETRIED: [&str; 2] = ["ImagePullBackOff", "ErrImagePull"];

fn invalid(field: &str, message: String) -> AppError {
    AppError::Invalid {
        field: Some(field.to_owned()),
        message,
    }
}

fn refusal(e: RotateError) -> AppError {
    let field = match &e {
        RotateError::NoSuchHost { .. } | RotateError::NoHosts => "host",
        RotateError::NoUsernameToKeep { .. } => "username",
        RotateError::Invalid(ConfigError::EmptyPassword) => "password",
        RotateError::Invalid(_) => "username",
    };
    invalid(field, e.to_string())
}

/// `current` with the rotation applied to its docker config and each
/// rotated host's "valid until" (as typed; else twelve hours for ECR, else
/// none: the old one described the old credential); everything else —
/// labels, proof, other annotations, resourceVersion — as it was. Also the
/// hosts it changed.
pub(super) fn rotated_secret(
    current: &Secret,
    input: &RotationInput,
    now: i64,
) -> Result<(Secret, Vec<Rotated>), AppError> {
    let mut config = docker_config(current).ok_or_else(|| {
        invalid(
            "host",
            "The registry's Secret holds no docker config regboard can read.".into(),
        )
    })?;
    let rotation = Rotation {
        host: input.host.clone().filter(|h| !h.trim().is_empty()),
        username: input.username.clone().filter(|u| !u.is_empty()),
        password: input.password.clone(),
    };
    let rotated = config.rotate(&rotation).map_err(refusal)?;
    let mut until = valid_until(current);
    for r in &rotated {
        let typed = input.valid_until.as_deref();
        match new_valid_until(&r.host, typed, true, now).map_err(|m| invalid("valid_until", m))? {
            Some(t) => until.insert(r.host.clone(), t),
            None => until.remove(&r.host),
        };
    }
    let mut next = current.clone();
    next.data.get_or_insert_with(BTreeMap::new).insert(
        DATA_KEY.to_owned(),
        ByteString(config.to_json().into_bytes()),
    );
    set_valid_until(&mut next, &until, &config);
    Ok((next, rotated))
}

impl KubeRegistries {
    /// The audit fingerprint of one host's login.
    pub(super) fn login_fingerprint(&self, host: &str, username: &str, password: &str) -> String {
        let text = [host, username, password].join("\0");
        self.audit.fingerprint(text.as_bytes())
    }

    /// Rotates, waits for the copies, reports; the second value is the
    /// audit details (fingerprints, never a credential).
    pub(super) async fn rotate_credential(
        &self,
        input: RotationInput,
    ) -> Result<(RotationReport, Value), AppError> {
        let (scope, name) = (input.scope.clone(), input.name.clone());
        let (api, current) = answer_within(self.registry_secret(&scope, &name)).await?;
        let (next, rotated) = rotated_secret(&current, &input, chrono::Utc::now().timestamp())?;
        let checks = self.test_rotation(&input, &rotated).await?;
        let secret_name = next.metadata.name.clone().unwrap_or_default();
        let password = input.password.expose();
        let written = answer_within(async {
            api.replace(&secret_name, &PostParams::default(), &next)
                .await
                .map_err(|e| app_error(&e, &format!("registry {name}"), &[password]))
        })
        .await?;
        let namespace = written.metadata.namespace.clone().unwrap_or_default();
        self.reconciler
            .shown(&namespace, &secret_name, Expect::Version(&written))
            .await;
        self.record_checks(&scope, &name, &checks).await;
        let progress = match &scope {
            Scope::Project { .. } => {
                self.reconciler.trigger();
                self.wait_for_copies(&scope, &name).await?
            }
            Scope::Namespace { .. } => self.progress_of(&scope, &name)?,
        };
        let details = self.rotation_details(&rotated, &input, &checks, &progress);
        let retrying = self.retrying_pods(&name, &progress).await;
        let report = RotationReport {
            hosts: rotated.into_iter().map(|r| r.host).collect(),
            progress,
            retrying,
            tested: checks.iter().map(CredentialCheck::sentence).collect(),
        };
        Ok((report, details))
    }

    /// Tests the new login of each rotated host unless the person chose
    /// "rotate anyway"; a rejected credential or an unexpected answer stops
    /// the rotation before anything is written.
    pub(super) async fn test_rotation(
        &self,
        input: &RotationInput,
        rotated: &[Rotated],
    ) -> Result<Vec<CredentialCheck>, AppError> {
        if !input.test_credential {
            return Ok(Vec::new());
        }
        let logins: Vec<HostLogin> = rotated
            .iter()
            .map(|r| HostLogin {
                host: r.host.clone(),
                username: r.username.clone(),
                password: input.password.clone(),
            })
            .collect();
        let checks = self.checks.test(&logins, None).await;
        let refused = super::credentials::refusals(&checks);
        if refused.is_empty() {
            return Ok(checks);
        }
        Err(invalid(
            "credential",
            format!(
                "The new credential failed its test, so nothing was rotated: {} Correct it, or rotate anyway.",
                refused.join(" ")
            ),
        ))
    }

    /// Waits, pass by pass, until every namespace carries the new source
    /// or failed in a pass after the write (at most [`ROTATION_WAIT`]).
    async fn wait_for_copies(
        &self,
        scope: &Scope,
        name: &str,
    ) -> Result<RotationProgress, AppError> {
        let deadline = Instant::now() + ROTATION_WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let _ = tokio::time::timeout(left, self.reconciler.next_pass()).await;
            // The pass's writes reach the store through the watch.
            let lag = Instant::now() + STORE_LAG;
            let progress = loop {
                let progress = self.progress_of(scope, name)?;
                if progress.settled() || Instant::now() >= lag.min(deadline) {
                    break progress;
                }
                tokio::time::sleep(POLL).await;
            };
            if progress.settled() || Instant::now() >= deadline {
                return Ok(progress);
            }
        }
    }

    /// How far the registry's current content has reached, from the
    /// reconciler's store and status (no cluster call).
    pub(super) fn progress_of(
        &self,
        scope: &Scope,
        name: &str,
    ) -> Result<RotationProgress, AppError> {
        let not_found = || {
            AppError::NotFound(format!(
                "There is no registry named {name} in {}.",
                scope.describe()
            ))
        };
        let managed = self.reconciler.managed();
        let Scope::Project { project } = scope else {
            let Scope::Namespace { namespace } = scope else {
                unreachable!()
            };
            let own = managed.iter().find(|s| {
                s.metadata.namespace.as_deref() == Some(namespace.as_str())
                    && s.metadata.name.as_deref() == Some(name)
                    && matches!(self.key.verify(s), Some(Claim::Namespace { .. }))
            });
            let own = own.ok_or_else(not_found)?;
            return Ok(RotationProgress {
                revision: own.metadata.resource_version.clone().unwrap_or_default(),
                updated: 1,
                total: 1,
                namespaces: vec![NamespaceProgress {
                    namespace: namespace.clone(),
                    state: CopyProgress::Updated,
                }],
            });
        };
        let source_at = source_name(project, name);
        let source = managed
            .iter()
            .find(|s| {
                s.metadata.namespace.as_deref() == Some(self.system_namespace.as_str())
                    && s.metadata.name.as_deref() == Some(source_at.as_str())
                    && matches!(self.key.verify(s), Some(Claim::Source { .. }))
            })
            .ok_or_else(not_found)?;
        let hash = ownership::content_hash(source);
        let uid = source.metadata.uid.clone();
        let copies: HashMap<&str, &Secret> = managed
            .iter()
            .filter(|s| s.metadata.name.as_deref() == Some(name))
            .filter(|s| matches!(self.key.verify(s), Some(Claim::Copy { project: p, .. }) if p == *project))
            .filter_map(|s| Some((s.metadata.namespace.as_deref()?, &**s)))
            .collect();
        let status = self.reconciler.status_of(project, name).unwrap_or_default();
        let mut namespaces: Vec<String> = self
            .inventory
            .membership()
            .members()
            .into_iter()
            .filter(|(ns, p)| p == project && *ns != self.system_namespace)
            .map(|(ns, _)| ns)
            .collect();
        namespaces.sort();
        let fresh = |copy: &Secret| {
            ownership::annotation(copy, SOURCE_UID) == uid.as_deref()
                && ownership::content_hash(copy) == hash
                && ownership::annotation(copy, CONTENT_HASH) == hash.as_deref()
        };
        let rows: Vec<NamespaceProgress> = namespaces
            .into_iter()
            .map(|ns| {
                let state = match (copies.get(ns.as_str()), status.get(&ns)) {
                    (Some(copy), _) if fresh(copy) => CopyProgress::Updated,
                    (_, Some(SyncState::Conflict { .. })) => CopyProgress::Collision,
                    (_, Some(SyncState::Error { message })) => CopyProgress::Failed {
                        message: message.clone(),
                    },
                    _ => CopyProgress::Pending,
                };
                NamespaceProgress {
                    namespace: ns,
                    state,
                }
            })
            .collect();
        let counted = rows.iter().filter(|r| r.state != CopyProgress::Collision);
        Ok(RotationProgress {
            revision: source.metadata.resource_version.clone().unwrap_or_default(),
            updated: rows
                .iter()
                .filter(|r| r.state == CopyProgress::Updated)
                .count() as u32,
            total: counted.count() as u32,
            namespaces: rows,
        })
    }

    /// The pods in ImagePullBackOff / ErrImagePull that pull with the
    /// Secret in an updated namespace: kubelet retries them with the new
    /// credential. A failed read leaves the list empty (logged).
    async fn retrying_pods(
        &self,
        name: &str,
        progress: &RotationProgress,
    ) -> Vec<(String, PodUse)> {
        let updated: Vec<String> = progress
            .namespaces
            .iter()
            .filter(|n| n.state == CopyProgress::Updated)
            .map(|n| n.namespace.clone())
            .collect();
        let refs =
            crate::workloads::references::references(&self.client, &self.inventory, name, &updated);
        match answer_within(refs).await {
            Ok(refs) => refs
                .into_iter()
                .filter(|r| r.kind == "Pod")
                .filter(|r| r.problem.as_deref().is_some_and(|p| RETRIED.contains(&p)))
                .map(|r| {
                    let pod = PodUse {
                        name: r.name,
                        problem: r.problem,
                    };
                    (r.namespace, pod)
                })
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, registry = %name, "pods of a rotation not read");
                Vec::new()
            }
        }
    }

    /// The audit details of a rotation: per host the username and the
    /// fingerprint before and after, the test's verdict labels, and how
    /// far the copies got.
    fn rotation_details(
        &self,
        rotated: &[Rotated],
        input: &RotationInput,
        checks: &[CredentialCheck],
        progress: &RotationProgress,
    ) -> Value {
        let hosts: serde_json::Map<String, Value> = rotated
            .iter()
            .map(|r| {
                let before = r
                    .before
                    .as_ref()
                    .map(|(u, p)| (u.clone(), self.login_fingerprint(&r.host, u, p.expose())));
                let after = self.login_fingerprint(&r.host, &r.username, input.password.expose());
                let value = json!({
                    "username": {"before": before.as_ref().map(|b| &b.0), "after": r.username},
                    "fingerprint": {"before": before.map(|b| b.1), "after": after},
                });
                (r.host.clone(), value)
            })
            .collect();
        let verdicts: BTreeMap<&str, &str> = checks
            .iter()
            .map(|c| (c.host.as_str(), c.verdict.label()))
            .collect();
        let failed: Vec<String> = progress.failed().into_iter().map(|(ns, _)| ns).collect();
        json!({
            "hosts": hosts,
            "tested": input.test_credential,
            "verdicts": verdicts,
            "namespaces": {"updated": progress.updated, "total": progress.total, "failed": failed},
        })
    }
}
