//! Check 5 of a diagnosis: can regboard reach a registry's `/v2/` from
//! where it runs? One unauthenticated `GET https://<host>/v2/` with a
//! [`PROBE_TIMEOUT`], no redirects followed; a loopback registry is also
//! tried over plain HTTP, as Docker treats `localhost` and `127.0.0.0/8` as
//! insecure registries. Answers are kept for [`CACHE_FOR`] so that reloading
//! a diagnosis does not knock on the registry each time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use regboard_app::domain::workloads::diagnosis::Reach;
use regboard_app::domain::workloads::registry_api_base;

/// How long one probe waits for an answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long an answer is reused.
pub const CACHE_FOR: Duration = Duration::from_secs(30);

/// The registry prober, with its answer cache; cheap to clone.
#[derive(Clone)]
pub struct Prober {
    client: Option<reqwest::Client>,
    cache: Arc<Mutex<HashMap<String, (Instant, Reach)>>>,
}

impl Default for Prober {
    fn default() -> Self {
        let client = reqwest::Client::builder()
            .timeout(PROBE_TIMEOUT)
            .connect_timeout(PROBE_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| tracing::warn!(error = %e, "no HTTP client for registry probes"))
            .ok();
        Prober {
            client,
            cache: Arc::default(),
        }
    }
}

impl Prober {
    /// The reach of `host` (an image's canonical registry host).
    pub async fn reach(&self, host: &str) -> Reach {
        if let Some(cached) = self.cached(host) {
            return cached;
        }
        let base = registry_api_base(host);
        let mut reach = self.get(&format!("{base}/v2/")).await;
        if matches!(reach, Reach::Failed { .. }) && is_loopback(host) {
            let plain = self.get(&format!("http://{host}/v2/")).await;
            if matches!(plain, Reach::Answered { .. }) {
                reach = plain;
            }
        }
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.retain(|_, (at, _)| at.elapsed() < CACHE_FOR);
        cache.insert(host.to_owned(), (Instant::now(), reach.clone()));
        reach
    }

    fn cached(&self, host: &str) -> Option<Reach> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get(host)
            .filter(|(at, _)| at.elapsed() < CACHE_FOR)
            .map(|(_, reach)| reach.clone())
    }

    async fn get(&self, url: &str) -> Reach {
        let Some(client) = &self.client else {
            return Reach::Failed {
                url: url.to_owned(),
                error: "regboard has no HTTP client".into(),
            };
        };
        let started = Instant::now();
        match client.get(url).send().await {
            Ok(response) => Reach::Answered {
                url: url.to_owned(),
                status: response.status().as_u16(),
                millis: started.elapsed().as_millis() as u64,
            },
            Err(e) => Reach::Failed {
                url: url.to_owned(),
                error: describe(&e),
            },
        }
    }
}

/// `localhost`, `127.0.0.0/8` or `[::1]`, with any port.
fn is_loopback(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !port.contains(']') => name,
        _ => host,
    };
    name == "localhost"
        || name == "[::1]"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The innermost cause, or that no answer came in time (shared with the
/// credential test).
fn describe(e: &reqwest::Error) -> String {
    crate::credcheck::transport::describe(e, PROBE_TIMEOUT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised() {
        for host in [
            "localhost",
            "localhost:5000",
            "127.0.0.1:5000",
            "127.1.2.3",
            "[::1]:5000",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["ghcr.io", "10.0.0.1:5000", "localhost.example.com"] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable_and_the_answer_is_cached() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let host = format!("127.0.0.1:{}", closed.local_addr().unwrap().port());
        drop(closed);
        let prober = Prober::default();
        let reach = prober.reach(&host).await;
        assert!(
            matches!(&reach, Reach::Failed { error, .. } if error.to_lowercase().contains("refused")),
            "{reach:?}"
        );
        assert_eq!(prober.cached(&host), Some(reach));
    }
}
