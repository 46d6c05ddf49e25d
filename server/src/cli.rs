//! The command-line entry point: parse flags, start the runtime, run the
//! subcommand, and turn any failure into one sentence on stderr and a
//! non-zero exit code.

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;

use crate::config::{Cli, Command, ServeArgs};

/// Runs `regboard` with the process's arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let command = match cli.command {
        Some(command) => command,
        None => match ServeArgs::from_env() {
            Ok(args) => Command::Serve(Box::new(args)),
            Err(e) => return usage_error(e),
        },
    };
    let log_format = match &command {
        Command::Serve(args) => args.log_format,
        _ => crate::telemetry::LogFormat::Text,
    };
    crate::telemetry::init(log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("regboard: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async move {
        match command {
            Command::Serve(args) => crate::serve::run(*args).await,
            Command::Sandbox(args) => crate::sandbox_cmd::run(args).await,
            Command::Audit(args) => crate::audit_cmd::run(args).await,
            Command::Admin(args) => crate::admin_cmd::run(args).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("regboard: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Help and version go to stdout; a usage mistake is one line on stderr.
fn usage_error(e: clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        _ => {
            let rendered = e.to_string();
            let first = rendered.lines().next().unwrap_or_default();
            let sentence = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("regboard: {sentence} (see 'regboard --help')");
            ExitCode::from(2)
        }
    }
}
