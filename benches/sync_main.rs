//! The benchmarks of `theseus sync` as a target of their own, `cargo bench --bench sync`:
//!
//! - `cargo bench --bench sync [-- TASKS [GROUPS]]`: reconcile and event-to-etcd latency, the
//!   same as `cargo bench --bench theseus -- sync` (benches/sync.rs);
//! - `cargo bench --bench sync -- soak [--duration 10m] [--rate 200]`: the soak of a `theseus
//!   sync` process (benches/soak.rs).
//!
//! It compiles the very modules of the `theseus` benchmark binary (benches/sync.rs,
//! benches/support) and adds the soak. A `harness = false` target: `cargo test --all-targets`
//! builds it and runs it without `--bench`, and it then returns at once.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)] // benchmarks print their figures

mod soak;
#[allow(dead_code, unreachable_pub)] // the soak and the sync benchmark use a part of the harness
mod support;
mod sync;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo bench --bench sync [-- TASKS [GROUPS]]\n       \
                     cargo bench --bench sync -- soak [--duration DURATION] [--rate EVENTS_PER_SECOND]\n";

fn main() -> ExitCode {
    // `cargo bench` appends `--bench`; everything else is ours.
    let all: Vec<String> = std::env::args().skip(1).collect();
    if !all.iter().any(|a| a == "--bench") {
        // `cargo test --all-targets` runs this binary with the test harness's arguments.
        println!("benchmarks skipped: run them with `cargo bench --bench sync [-- soak]`");
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = all.into_iter().filter(|a| a != "--bench").collect();
    let result = match args.first().map(String::as_str) {
        Some("soak") => soak::run(&args[1..]),
        _ if args.iter().all(|a| a.parse::<usize>().is_ok()) => sync::run(&args),
        _ => {
            eprint!("error: unknown arguments {args:?}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
