//! The `theseus` binary: parse, build a runtime, run, exit with the documented code.

use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: reading 2,000 apps with 10,000 tasks for `view` spent a
/// fifth of its time in malloc and free (figures in docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Usage errors exit 2 inside parse(), before any runtime or connection exists.
    let cli = theseus::cli::Cli::parse_args();
    let out = theseus::output::Output::new(&cli.global);
    if let Some(warning) = theseus::logging::init(cli.global.verbose, out.stderr_color()) {
        out.warn(warning);
    }
    // `theseus local` serves many clients: its API runs on worker threads so that one slow
    // request never blocks another (`/ping`). Every other command issues a handful of requests
    // and starts faster on the current thread.
    let builder = match cli.command {
        theseus::cli::Command::Local(_) => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let mut builder = builder;
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(err) => return ExitCode::from(theseus::error_reporting::report(&err.into(), &out).code()),
    };
    let status =
        runtime.block_on(theseus::run(cli, &out)).unwrap_or_else(|err| theseus::error_reporting::report(&err, &out));
    ExitCode::from(status.code())
}
