//! `regboard sandbox`: the sandbox cluster on its own, with a kubeconfig
//! written for kubectl, other tools, or a second `regboard serve`.

use std::io::Write;

use regboard_sandbox::{Sandbox, SandboxOptions};

use crate::config::SandboxArgs;
use crate::error::{describe_io, Error, Result};

/// Runs the sandbox until Ctrl-C or SIGTERM.
pub async fn run(args: SandboxArgs) -> Result<()> {
    let sandbox = Sandbox::start(SandboxOptions::new(args.listen, args.seed))
        .await
        .map_err(|e| Error::Cluster(format!("cannot start the sandbox cluster: {e}")))?;
    write_kubeconfig(&args.kubeconfig_out, &sandbox.kubeconfig_yaml())?;
    tracing::info!(
        url = %sandbox.url(),
        kubeconfig = %args.kubeconfig_out.display(),
        seed = %args.seed,
        "sandbox cluster listening on {}; kubeconfig written to {}",
        sandbox.url(),
        args.kubeconfig_out.display()
    );
    crate::serve::shutdown_signal().await;
    sandbox.shutdown().await;
    Ok(())
}

/// Writes `yaml` to `path` readable by its owner only (a kubeconfig may hold
/// credentials; this one does not, but tools expect the habit).
fn write_kubeconfig(path: &std::path::Path, yaml: &str) -> Result<()> {
    let fail = |e: std::io::Error| {
        Error::Cluster(format!(
            "cannot write the kubeconfig to {}: {}",
            path.display(),
            describe_io(&e)
        ))
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(yaml.as_bytes()).map_err(fail)
}
