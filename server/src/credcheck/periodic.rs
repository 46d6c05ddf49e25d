//! The periodic credential test: every `--credential-check-interval`, each
//! registry host whose last verdict is older than the interval (or that was
//! never tested) is tested again with the login its Secret holds now, and
//! the verdict recorded. Registries are tested one after another, their
//! hosts together, so a large installation does not flood its registries.

use std::time::Duration;

use super::{CredentialChecks, RegistryId};
use crate::registries::KubeRegistries;

/// The longest pause between two looks for stale verdicts.
const MAX_TICK: Duration = Duration::from_secs(300);

/// Starts the periodic test when `checks` has an interval.
pub fn spawn(checks: CredentialChecks, registries: KubeRegistries) {
    let Some(interval) = checks.options.interval else {
        tracing::info!("periodic credential tests are off");
        return;
    };
    tokio::spawn(async move {
        let tick = interval.min(MAX_TICK);
        loop {
            tokio::time::sleep(tick).await;
            if let Err(e) = pass(&checks, &registries, interval).await {
                tracing::warn!(error = %e, "the periodic credential test did not run");
            }
        }
    });
}

/// Tests every registry host whose verdict is older than `interval`.
async fn pass(
    checks: &CredentialChecks,
    registries: &KubeRegistries,
    interval: Duration,
) -> Result<(), regboard_app::AppError> {
    let last = checks.all().await?;
    let now = chrono::Utc::now().timestamp();
    let stale_after = i64::try_from(interval.as_secs()).unwrap_or(i64::MAX);
    for (id, logins) in registries.every_login().await? {
        let logins: Vec<_> = logins
            .into_iter()
            .filter(|l| !fresh(last.get(&id), &l.host, now, stale_after))
            .collect();
        if logins.is_empty() {
            continue;
        }
        let verdicts = checks.test(&logins, None).await;
        record(checks, &id, &verdicts).await;
    }
    Ok(())
}

/// Whether `host` was tested within `stale_after` seconds of `now`.
fn fresh(
    last: Option<&Vec<regboard_app::model::credentials::CredentialCheck>>,
    host: &str,
    now: i64,
    stale_after: i64,
) -> bool {
    last.into_iter()
        .flatten()
        .any(|c| c.host == host && now.saturating_sub(c.checked_unix) < stale_after)
}

async fn record(
    checks: &CredentialChecks,
    id: &RegistryId,
    verdicts: &[regboard_app::model::credentials::CredentialCheck],
) {
    if let Err(e) = checks.record(id, verdicts).await {
        tracing::warn!(error = %e, registry = %id.1, "a periodic credential verdict was not recorded");
    }
}
