//! `theseus render` and `validate` of a large spec and the cold start of `--help`, on the
//! `theseus` binary `cargo bench` builds with the same (optimized) profile: `cargo bench --bench
//! theseus -- render [RUNS]` (or `scripts/bench-render`).
//!
//! 1. `theseus render` of a generated 1,000-group spec: median wall time over RUNS runs (after
//!    3 warm-up runs) and peak RSS. Targets: < 100 ms and < 30 MiB.
//! 2. The cold start of `theseus --help`: median wall time over 2 x RUNS runs (after 5
//!    warm-up runs). Target: < 10 ms.
//!
//! RUNS defaults to 20. Each timed run spawns the binary directly with stdout discarded; peak
//! RSS is what GNU time's `-f %M` reports over 3 more runs (see
//! `support::measure::measure_with`).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};

/// 20 services x 50 groups = 1,000 groups, each with ports, env, constraints, health,
/// readiness and rollout settings (the spec `scripts/bench-render` generated before).
fn thousand_groups() -> String {
    let mut s = String::from("namespace = \"bench\"\n");
    for svc in 1..=20 {
        let _ = write!(
            s,
            r#"
[service.svc-{svc}]
image = "registry.example.com/svc-{svc}:1.0.{svc}"
cpus = 0.25
mem = 256
ports = [{{ name = "http", container = 8080 }}, {{ name = "admin", container = 9090 }}]
env = {{ SERVICE = "svc-{svc}", LOG_LEVEL = "info" }}
constraints = [["hostname", "UNIQUE"], ["zone", "GROUP_BY", "3"]]
health = {{ path = "/healthz", port = "http", grace = "30s", interval = "10s", timeout = "5s" }}
readiness = {{ path = "/ready", port = "admin", interval = "10s", timeout = "2s" }}
rollout = {{ batch = "25%", wait = "30s", deadline = "10m" }}
"#
        );
        for g in 1..=50 {
            let _ = write!(
                s,
                r#"
[[service.svc-{svc}.group]]
labels = ["env-{}", "shard-{g}", "tier-{}"]
instances = {}
env = {{ SHARD = "{g}" }}
"#,
                g % 5,
                g % 3,
                g % 7 + 1
            );
        }
    }
    s
}

/// Runs the benchmark; `args`: [RUNS].
pub(crate) fn run(args: &[String]) -> Result<()> {
    let runs = args.iter().find_map(|a| a.parse::<usize>().ok()).unwrap_or(20).max(1);
    let bin = PathBuf::from(crate::support::THESEUS);

    let dir = tempfile::tempdir()?;
    let spec = dir.path().join("thousand.toml");
    let text = thousand_groups();
    std::fs::write(&spec, &text)?;
    let spec_arg = spec.to_str().context("temp path is not UTF-8")?;

    let validated = Command::new(&bin).args(["validate", spec_arg, "-o", "json"]).output()?;
    if !validated.status.success() {
        bail!("the generated spec is invalid: {}", String::from_utf8_lossy(&validated.stderr));
    }
    let groups = String::from_utf8_lossy(&validated.stdout).matches("\"/bench/").count();
    println!("spec: {groups} groups, {} bytes", text.len());

    let (render_ms, render_kib) = crate::support::measure::measure_with(&bin, &["render", spec_arg], 3, runs)?;
    let (validate_ms, validate_kib) = crate::support::measure::measure_with(&bin, &["validate", spec_arg], 3, runs)?;
    let (help_ms, _) = crate::support::measure::measure_with(&bin, &["--help"], 5, runs * 2)?;
    println!(
        "render 1,000 groups: median {render_ms:.1} ms (target < 100), peak RSS {:.1} MiB (target < 30); {runs} runs",
        render_kib as f64 / 1024.0
    );
    println!(
        "validate 1,000 groups: median {validate_ms:.1} ms (target < 10), peak RSS {:.1} MiB",
        validate_kib as f64 / 1024.0
    );
    println!("theseus --help:      median {help_ms:.2} ms (target < 10); {} runs", runs * 2);
    crate::support::measure::row(
        "render 1,000 groups",
        &format!("{render_ms:.1} ms, {:.1} MiB", render_kib as f64 / 1024.0),
        &format!("theseus --help {help_ms:.1} ms"),
        Some(render_ms / help_ms),
        "<= 20 ms",
        render_ms <= 20.0,
    );
    crate::support::measure::row(
        "validate 1,000 groups",
        &format!("{validate_ms:.1} ms, {:.1} MiB", validate_kib as f64 / 1024.0),
        &format!("theseus --help {help_ms:.1} ms"),
        Some(validate_ms / help_ms),
        "<= 10 ms",
        validate_ms <= 10.0,
    );
    Ok(())
}
