//! The `theseus` binary: parse, build a runtime, run, exit with the documented code.

use std::io::Write as _;

/// mimalloc instead of glibc's malloc: reading 2,000 apps with 10,000 tasks for `view` spent a
/// fifth of its time in malloc and free (figures in docs/benchmarks.md).
///
/// Built with `no_thp` (Cargo.toml): with transparent huge pages allowed, `view -o json` of
/// 2,000 apps took a tenth less CPU (26.9 against 30.2 ms, 402 page faults against 3,087) but
/// its peak RSS grew from 28.5 to 38.7 MiB, past its 32 MiB target, since each huge page is
/// resident whole.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Usage errors exit 2 inside parse(), before any runtime or connection exists.
    let cli = theseus::cli::Cli::parse_args();
    let out = theseus::output::Output::new(&cli.global);
    if let Some(warning) = theseus::logging::init(cli.global.verbose, out.stderr_color(), out.json_logs) {
        out.warn(warning);
    }
    let report = |err: anyhow::Error| theseus::error_reporting::report(&err, &out);
    // render, validate and completions need no runtime (building one is a tenth of a render).
    let cli = match theseus::run_offline(cli, &out) {
        Ok(result) => exit(&out, result.unwrap_or_else(report).code()),
        Err(cli) => cli,
    };
    // `theseus local` serves many clients: its API runs on worker threads so that one slow
    // request never blocks another (`/ping`). Every other command issues a handful of requests
    // and starts faster on the current thread.
    let mut builder = match cli.command {
        theseus::cli::Command::Local(_) => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(err) => exit(&out, report(err.into()).code()),
    };
    let status = runtime.block_on(theseus::run(*cli, &out)).unwrap_or_else(report);
    drop(runtime);
    exit(&out, status.code())
}

/// Ends the output with `code` (`-o jsonl` writes its last object, the result, with it),
/// flushes stdout and stderr and ends the process at once with `code`.
///
/// `_exit` skips the C library's exit handlers, which here only hand memory back: mimalloc's
/// exit handler, linked statically, collects and purges every page it holds (`madvise`), a
/// twentieth of a `validate` and more the more memory a command used. Every result is written
/// and flushed before this point, and the runtime (with any task still holding a connection or
/// a lock's lease keeper) is already dropped.
fn exit(out: &theseus::output::Output, code: u8) -> ! {
    out.end(code);
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` only ends the process; nothing is read or written after it.
    unsafe { libc::_exit(i32::from(code)) }
}
