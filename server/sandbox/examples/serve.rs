//! Runs a demo sandbox until Ctrl-C and writes its kubeconfig:
//! `cargo run -p regboard-sandbox --example serve -- [KUBECONFIG] [--rbac FILE]... [--token TOKEN=USER]...`
//!
//! `KUBECONFIG` defaults to `sandbox.kubeconfig`. Any `--rbac` or `--token` turns
//! authorization on: each `--rbac` file (multi-document YAML, e.g. `kubectl kustomize
//! deploy/base`) is loaded at start, each `--token` is accepted as `USER`
//! (`system:serviceaccount:<ns>:<name>` or a user name); the kubeconfig then carries the
//! admin's token.

use std::path::Path;

use regboard_sandbox::{Authorization, Sandbox, SandboxOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut kubeconfig = "sandbox.kubeconfig".to_string();
    let mut authorization: Option<Authorization> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rbac" | "--token" => {
                let value = args.next().ok_or(format!("{arg} needs a value"))?;
                let auth = authorization.take().unwrap_or_else(Authorization::rbac);
                authorization = Some(if arg == "--rbac" {
                    auth.manifests_file(Path::new(&value))?
                } else {
                    auth.token_flag(&value)?
                });
            }
            path => kubeconfig = path.to_string(),
        }
    }
    let options = SandboxOptions {
        authorization,
        ..SandboxOptions::default()
    };
    let sandbox = Sandbox::start(options).await?;
    std::fs::write(&kubeconfig, sandbox.kubeconfig_yaml())?;
    println!(
        "sandbox {} at {}; kubeconfig written to {kubeconfig}",
        sandbox.version(),
        sandbox.url()
    );
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown().await;
    Ok(())
}
