//! Integration tests for the sandbox cluster, one binary: every test starts its own
//! sandbox on 127.0.0.1:0 and talks to it through kube-rs (or kubectl / raw HTTP).

mod admission;
mod apply;
mod crud;
mod errors;
mod faults;
mod kubectl;
mod kubelet;
mod rbac;
mod throttle;
mod watch;

use std::net::SocketAddr;

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, PostParams};
use regboard_sandbox::{Sandbox, SandboxOptions, Seed};
use serde_json::json;

/// A sandbox on a free loopback port.
pub async fn sandbox(seed: Seed) -> Sandbox {
    let listen: SocketAddr = "127.0.0.1:0".parse().expect("literal address");
    Sandbox::start(SandboxOptions::new(listen, seed))
        .await
        .expect("sandbox starts")
}

/// The (code, reason, message) of a kube API error; panics on any other outcome.
pub fn api_error<T: std::fmt::Debug>(result: Result<T, kube::Error>) -> (u16, String, String) {
    match result {
        Err(kube::Error::Api(status)) => {
            (status.code, status.reason.clone(), status.message.clone())
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Creates namespace `name`.
pub async fn create_namespace(client: &kube::Client, name: &str) {
    let ns: Namespace =
        serde_json::from_value(json!({"metadata": {"name": name}})).expect("namespace json");
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await
        .expect("namespace created");
}

/// An Opaque secret with `stringData`.
pub fn secret(name: &str, labels: serde_json::Value, string_data: serde_json::Value) -> Secret {
    serde_json::from_value(
        json!({"metadata": {"name": name, "labels": labels}, "stringData": string_data}),
    )
    .expect("secret json")
}
