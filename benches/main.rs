//! The benchmarks, one binary: `cargo bench --bench theseus -- NAME [ARGS]` runs one (`scripts/bench`
//! runs them all and writes docs/benchmarks.md), `cargo bench --bench theseus` all of them in turn.
//! Each prints its figures, and `ROW` lines for docs/benchmarks.md.
//!
//! A `harness = false` target: `cargo test --all-targets` builds it (with the test profile) and
//! runs it without `--bench`; it then only checks that each benchmark name is known and
//! returns at once.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)] // benchmarks print their figures

mod etcd;
mod lifecycle;
mod local;
mod plan;
mod render;
mod rollout;
#[allow(dead_code, unreachable_pub)] // each benchmark uses a part of the shared launchers
mod support;
mod sync;
mod view;

use std::process::ExitCode;

/// A benchmark: its name, what it measures (one line) and its entry point (its arguments,
/// without the name and `--bench`).
struct Bench {
    name: &'static str,
    about: &'static str,
    run: fn(&[String]) -> anyhow::Result<()>,
}

const BENCHES: &[Bench] = &[
    Bench {
        name: "view",
        about: "view over 200 / 2,000 / 20,000 apps from a static server, against curl",
        run: view::run,
    },
    Bench { name: "plan", about: "plan over 10 / 100 / 1,000 groups: requests, time per group", run: plan::run },
    Bench {
        name: "etcd",
        about: "[CONTAINERS GROUPS] registration, listing and endpoints against raw etcd",
        run: etcd::run,
    },
    Bench {
        name: "local",
        about: "the engine: GET /v2/apps?embed=apps.tasks over 10,000 tasks, memory, creates",
        run: local::run,
    },
    Bench { name: "render", about: "[RUNS] render and validate of 1,000 groups; --help cold start", run: render::run },
    Bench {
        name: "lifecycle",
        about: "view over 2,000 groups on the engine; create of 100 groups against curl",
        run: lifecycle::run,
    },
    Bench {
        name: "rollout",
        about: "[ROUNDS] [--poll-interval D] update (20) and restart (12, HTTP-checked) against the engine's own",
        run: rollout::run,
    },
    Bench {
        name: "sync",
        about: "[TASKS GROUPS] reconcile into an empty etcd, unchanged, event-to-etcd latency",
        run: sync::run,
    },
];

fn usage() -> String {
    let mut text = String::from("usage: cargo bench --bench theseus [-- NAME [ARGS]]\n");
    for b in BENCHES {
        text.push_str(&format!("  {:<10} {}\n", b.name, b.about));
    }
    text
}

fn main() -> ExitCode {
    // `cargo bench` appends `--bench`; everything else is ours: a name, then its arguments.
    let all: Vec<String> = std::env::args().skip(1).collect();
    let benching = all.iter().any(|a| a == "--bench");
    if !benching {
        // `cargo test --all-targets` runs this binary with the test harness's arguments
        // (filters, `--test-threads`, `--nocapture`): it only says how to run the benchmarks.
        println!("benchmarks skipped: run them with `cargo bench --bench theseus -- NAME`");
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = all.into_iter().filter(|a| a != "--bench").collect();
    let selected: Vec<&Bench> = match args.first() {
        None => BENCHES.iter().collect(),
        Some(name) => match BENCHES.iter().find(|b| b.name == name.as_str()) {
            Some(b) => vec![b],
            None => {
                eprint!("error: no benchmark `{name}`\n{}", usage());
                return ExitCode::from(2);
            }
        },
    };
    let rest = args.get(1..).unwrap_or_default();
    let mut failed = false;
    for b in selected {
        if let Err(e) = (b.run)(rest) {
            eprintln!("error: benchmark {}: {e:#}", b.name);
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
