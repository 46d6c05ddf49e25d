//! Secret create/get throughput through kube-rs at concurrency 1 and 32.
//!
//! `cargo bench -p regboard-sandbox` prints ops/s and p50/p99 latency per case and the
//! concurrency-32 / concurrency-1 ratio. Set `SANDBOX_BENCH_OPS` to change the op count.

use std::time::{Duration, Instant};

use futures::{stream, StreamExt};
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, PostParams};
use regboard_sandbox::{Sandbox, SandboxOptions, Seed};
use serde_json::json;

struct Outcome {
    ops_per_sec: f64,
    p50: Duration,
    p99: Duration,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

async fn run<F, Fut>(ops: usize, concurrency: usize, op: F) -> Outcome
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let started = Instant::now();
    let mut latencies: Vec<Duration> = stream::iter(0..ops)
        .map(|i| {
            let fut = op(i);
            async move {
                let t = Instant::now();
                fut.await;
                t.elapsed()
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed();
    latencies.sort();
    Outcome {
        ops_per_sec: ops as f64 / elapsed.as_secs_f64(),
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
    }
}

fn report(case: &str, o: &Outcome) {
    println!(
        "{case:<22} {:>10.0} ops/s   p50 {:>8.3} ms   p99 {:>8.3} ms",
        o.ops_per_sec,
        o.p50.as_secs_f64() * 1e3,
        o.p99.as_secs_f64() * 1e3
    );
}

fn secret(name: String) -> Secret {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"bench": "true"}},
        "type": "kubernetes.io/dockerconfigjson",
        "stringData": {".dockerconfigjson": r#"{"auths":{"registry.example.com":{"auth":"ZGVtbzpkZW1v"}}}"#},
    }))
    .expect("static secret json")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ops: usize = std::env::var("SANDBOX_BENCH_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let listen = "127.0.0.1:0".parse()?;
    let sandbox = Sandbox::start(SandboxOptions::new(listen, Seed::Empty)).await?;
    let client = sandbox.client()?;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    println!("regboard-sandbox throughput, {ops} ops per case, through kube-rs over loopback HTTP");
    for concurrency in [1usize, 32] {
        let ns: Namespace =
            serde_json::from_value(json!({"metadata": {"name": format!("bench-c{concurrency}")}}))?;
        namespaces.create(&PostParams::default(), &ns).await?;
    }
    let mut results = Vec::new();
    for verb in ["create", "get"] {
        let mut per_verb = Vec::new();
        for concurrency in [1usize, 32] {
            let api: Api<Secret> =
                Api::namespaced(client.clone(), &format!("bench-c{concurrency}"));
            let outcome = run(ops, concurrency, |i| {
                let api = api.clone();
                async move {
                    let name = format!("s-{i}");
                    let result = match verb {
                        "create" => api
                            .create(&PostParams::default(), &secret(name))
                            .await
                            .map(|_| ()),
                        _ => api.get(&name).await.map(|_| ()),
                    };
                    if let Err(e) = result {
                        eprintln!("{verb} s-{i} failed: {e}");
                    }
                }
            })
            .await;
            report(&format!("{verb} c={concurrency}"), &outcome);
            per_verb.push(outcome.ops_per_sec);
        }
        results.push((verb, per_verb[1] / per_verb[0]));
    }
    for (verb, ratio) in results {
        println!("{verb}: concurrency 32 / concurrency 1 throughput = {ratio:.2}x");
    }
    sandbox.shutdown().await;
    Ok(())
}
