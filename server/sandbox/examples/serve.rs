//! Runs a demo sandbox until Ctrl-C and writes its kubeconfig to the path given as the
//! first argument (default `sandbox.kubeconfig`): `cargo run -p regboard-sandbox --example serve`.

use regboard_sandbox::{Sandbox, SandboxOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sandbox.kubeconfig".into());
    let sandbox = Sandbox::start(SandboxOptions::default()).await?;
    std::fs::write(&path, sandbox.kubeconfig_yaml())?;
    println!(
        "sandbox {} at {}; kubeconfig written to {path}",
        sandbox.version(),
        sandbox.url()
    );
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown().await;
    Ok(())
}
