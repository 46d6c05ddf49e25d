//! The `regboard` binary; everything lives in the library.

fn main() -> std::process::ExitCode {
    regboard_server::cli::main()
}
