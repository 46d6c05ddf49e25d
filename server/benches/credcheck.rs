//! The time of one credential test against a local Distribution registry
//! (Debian's `docker-registry`, started here) in htpasswd (Basic) and token
//! mode: median and p95 of 20 tests with the accepted credential, and the
//! floor measured in the same run: one unauthenticated `GET /v2/` on a
//! fresh connection (a Basic test makes two such requests, a token test
//! three plus the issuer's signing). Prints figures; asserts nothing.
//!
//! Run: `cargo bench -p regboard-server --bench credcheck`
//! (`CREDCHECK_RUNS=N`, 20 by default).

use std::time::{Duration, Instant};

use regboard_app::domain::credential::Verdict;
use regboard_app::domain::secret::Password;
use regboard_server::credcheck::{CredCheckOptions, Login, Prober};

#[path = "../tests/api/registry_harness.rs"]
#[allow(dead_code)]
mod registry_harness;

use registry_harness::{docker_registry, Registry};

const USER: &str = "bench";
const PASSWORD: &str = "bench-password";

fn median_p95(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let p95 = samples[(samples.len() * 95 / 100).min(samples.len() - 1)];
    (samples[samples.len() / 2], p95)
}

/// `runs` credential tests of `registry` (each with a new client, so each
/// opens its connections as the server's tests do).
async fn tests(registry: &Registry, runs: usize) -> Vec<Duration> {
    let password = Password::new(PASSWORD);
    let login = Login {
        username: USER,
        password: &password,
    };
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let options = CredCheckOptions {
            plain_http: registry.plain_http_hosts(),
            ..CredCheckOptions::default()
        };
        let prober = Prober::new(options).unwrap();
        let started = Instant::now();
        let verdict = prober.test(&registry.host, &login, None).await;
        samples.push(started.elapsed());
        assert_eq!(
            verdict,
            Verdict::Accepted,
            "the bench tests a right credential"
        );
    }
    samples
}

/// The floor: `runs` unauthenticated `GET /v2/` on fresh connections.
async fn floor(registry: &Registry, runs: usize) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let client = reqwest::Client::new();
        let started = Instant::now();
        let status = client
            .get(format!("http://{}/v2/", registry.host))
            .send()
            .await
            .unwrap()
            .status();
        samples.push(started.elapsed());
        assert_eq!(status, 401);
    }
    samples
}

fn main() {
    let runs: usize = std::env::var("CREDCHECK_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let Some(bin) = docker_registry() else { return };
        println!("credential test against a local docker-registry, {runs} runs each");
        println!(
            "{:<8} {:>12} {:>12} {:>14} {:>8}",
            "mode", "median ms", "p95 ms", "floor med ms", "ratio"
        );
        for mode in ["basic", "token"] {
            let registry = match mode {
                "basic" => Registry::basic(&bin, USER, PASSWORD).await,
                _ => Registry::token(&bin, USER, PASSWORD, None).await,
            };
            tests(&registry, 2).await; // warm up
            let (median, p95) = median_p95(tests(&registry, runs).await);
            let (floor_median, _) = median_p95(floor(&registry, runs).await);
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "{mode:<8} {:>12.2} {:>12.2} {:>14.2} {:>8.1}",
                ms(median),
                ms(p95),
                ms(floor_median),
                ms(median) / ms(floor_median)
            );
        }
    });
}
