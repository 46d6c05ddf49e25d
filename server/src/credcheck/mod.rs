//! Credential tests (issue 13, item 1): does the registry accept the
//! credential a registry Secret holds? Run at save time, on demand from the
//! detail page, and periodically; the last verdict per host is kept in
//! SQLite (verdict, time and host only) and shown in the list, the detail
//! page and check 3 of a pull diagnosis.
//!
//! ```text
//! registries/credentials.rs (reads the login from the Secret)
//!   └─► CredentialChecks::test ─► prober.rs (HTTP, per the registry protocol)
//!                                  └─ transport.rs (what a failed request means)
//!         └─► store.rs (last verdict per host)   periodic.rs (every --credential-check-interval)
//! ```

pub mod periodic;
pub mod prober;
pub mod store;
pub mod transport;

use std::time::Duration;

use clap::Args;
use regboard_app::domain::credential::expiry::{Expiry, DEFAULT_WARNINGS};
use regboard_app::domain::secret::Password;
use regboard_app::model::credentials::CredentialCheck;
use sqlx::SqlitePool;

use crate::error::Result;
pub use prober::{Login, Prober};
pub use store::RegistryId;

/// How long each request of a credential test waits.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The credential-test flags of `regboard serve`.
#[derive(Debug, Clone, Args)]
pub struct CredCheckArgs {
    /// How often every registry's credential is tested again (`6h`, `90m`,
    /// `30s`; `0` turns periodic tests off).
    #[arg(
        long = "credential-check-interval",
        env = "REGBOARD_CREDENTIAL_CHECK_INTERVAL",
        default_value = "6h",
        value_parser = parse_interval,
        value_name = "DURATION"
    )]
    pub interval: Duration,
    /// A registry host (`host[:port]`) the credential test may reach over
    /// plain HTTP, and send the credential to unencrypted (repeatable;
    /// comma-separated in the variable). Every other host is tested over
    /// HTTPS with a verified certificate.
    #[arg(
        long = "credential-check-plain-http",
        env = "REGBOARD_CREDENTIAL_CHECK_PLAIN_HTTP",
        value_delimiter = ',',
        value_name = "HOST[:PORT]"
    )]
    pub plain_http: Vec<String>,
    /// How long before a credential's "valid until" it is shown as
    /// expiring soon (comma-separated: each threshold crossed makes the
    /// warning more urgent; `0` turns the warnings off; "expired" is
    /// always shown).
    #[arg(
        long = "credential-expiry-warnings",
        env = "REGBOARD_CREDENTIAL_EXPIRY_WARNINGS",
        default_value = "7d,1d",
        value_delimiter = ',',
        value_parser = parse_interval,
        value_name = "DURATION,…"
    )]
    pub expiry_warnings: Vec<Duration>,
}

impl CredCheckArgs {
    /// The options these flags give.
    pub fn options(&self) -> CredCheckOptions {
        CredCheckOptions {
            interval: (!self.interval.is_zero()).then_some(self.interval),
            plain_http: self.plain_http.clone(),
            timeout: DEFAULT_TIMEOUT,
            expiry_warnings: self
                .expiry_warnings
                .iter()
                .filter(|d| !d.is_zero())
                .map(|d| d.as_secs() as i64)
                .collect(),
        }
    }
}

/// `6h`, `90m`, `30s`, `2d` or a number of seconds.
fn parse_interval(text: &str) -> std::result::Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 6h, 90m or 0"))?;
    let seconds = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{text:?}: the unit must be s, m, h or d")),
    };
    Ok(Duration::from_secs(n.saturating_mul(seconds)))
}

/// What differs between production and tests.
#[derive(Debug, Clone)]
pub struct CredCheckOptions {
    /// How often registries are tested again; `None`: never periodically.
    pub interval: Option<Duration>,
    /// Hosts (`host[:port]`) that may be asked over plain HTTP.
    pub plain_http: Vec<String>,
    /// How long each request waits.
    pub timeout: Duration,
    /// Seconds before a "valid until" at which a credential is shown as
    /// expiring soon.
    pub expiry_warnings: Vec<i64>,
}

impl Default for CredCheckOptions {
    fn default() -> Self {
        CredCheckOptions {
            interval: Some(Duration::from_secs(6 * 3600)),
            plain_http: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            expiry_warnings: DEFAULT_WARNINGS.to_vec(),
        }
    }
}

/// A host and the login its docker config entry holds.
pub struct HostLogin {
    /// The docker config key.
    pub host: String,
    /// The username.
    pub username: String,
    /// The password or token.
    pub password: Password,
}

/// Credential tests and their record; cheap to clone.
#[derive(Clone)]
pub struct CredentialChecks {
    prober: Prober,
    db: SqlitePool,
    metrics: crate::metrics::CredentialMetrics,
    /// The options it was made with.
    pub options: CredCheckOptions,
}

impl CredentialChecks {
    /// The tests with `options`, recorded in `db`.
    pub fn new(db: SqlitePool, options: CredCheckOptions) -> Result<Self> {
        let prober = Prober::new(options.clone()).map_err(|e| crate::error::Error::Io {
            context: "cannot make the credential-test HTTP client".into(),
            source: std::io::Error::other(e.to_string()),
        })?;
        Ok(CredentialChecks {
            prober,
            db,
            metrics: crate::metrics::CredentialMetrics::default(),
            options,
        })
    }

    /// Tests every login (concurrently), without recording anything.
    pub async fn test(
        &self,
        logins: &[HostLogin],
        repository: Option<&str>,
    ) -> Vec<CredentialCheck> {
        let tests = logins.iter().map(|l| async move {
            let login = Login {
                username: &l.username,
                password: &l.password,
            };
            let verdict = self.prober.test(&l.host, &login, repository).await;
            CredentialCheck {
                host: l.host.clone(),
                verdict,
                checked_unix: chrono::Utc::now().timestamp(),
            }
        });
        futures::future::join_all(tests).await
    }

    /// Records `checks` as the last tests of registry `id`, and logs each
    /// verdict (its label and host: never the credential).
    pub async fn record(&self, id: &RegistryId, checks: &[CredentialCheck]) -> Result<()> {
        for check in checks {
            tracing::info!(
                registry = %id.1,
                scope = %id.0.describe(),
                host = %check.host,
                verdict = check.verdict.label(),
                "credential tested"
            );
            self.metrics.count(&check.verdict);
            store::record(&self.db, id, check).await?;
        }
        Ok(())
    }

    /// Where a credential valid until `until` stands now.
    pub fn expiry(&self, until: i64) -> Expiry {
        Expiry::at(
            until,
            chrono::Utc::now().timestamp(),
            &self.options.expiry_warnings,
        )
    }

    /// The verdict counts `/metrics` shows.
    pub fn metrics(&self) -> &crate::metrics::CredentialMetrics {
        &self.metrics
    }

    /// The last tests of registry `id`.
    pub async fn last(&self, id: &RegistryId) -> Result<Vec<CredentialCheck>> {
        store::of(&self.db, id).await
    }

    /// The last tests of every registry.
    pub async fn all(
        &self,
    ) -> Result<std::collections::BTreeMap<RegistryId, Vec<CredentialCheck>>> {
        store::all(&self.db).await
    }

    /// Forgets the tests of a deleted registry.
    pub async fn forget(&self, id: &RegistryId) -> Result<()> {
        store::forget(&self.db, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::parse_interval;
    use std::time::Duration;

    #[test]
    fn intervals_read_with_their_unit() {
        assert_eq!(parse_interval("6h"), Ok(Duration::from_secs(6 * 3600)));
        assert_eq!(parse_interval("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_interval("0"), Ok(Duration::ZERO));
        assert_eq!(parse_interval("45"), Ok(Duration::from_secs(45)));
        assert!(parse_interval("6 hours").is_err());
        assert!(parse_interval("h").is_err());
    }
}
