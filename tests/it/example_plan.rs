//! `examples/plan.rs`, the library example: run against the local engine, it prints one line
//! per group with the action `theseus plan` would take.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::support::cmd::theseus;
use super::support::engine::Engine;

/// Two command-app groups of one service.
const SPEC: &str = r#"
namespace = "ex"

[service.hello]
cmd = "sleep 600"
cpus = 0.1
mem = 32

[[service.hello.group]]
labels = ["dev", "frontend"]
instances = 2

[[service.hello.group]]
labels = ["dev", "backend"]
instances = 1
"#;

/// Prefixes of the variables cargo sets for a test process (not the CARGO_* configuration).
const CARGO_SET: [&str; 7] = [
    "CARGO_MANIFEST_",
    "CARGO_PKG_",
    "CARGO_CRATE_",
    "CARGO_BIN_",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
];

/// The `plan` example, built as a program. `cargo test --all-targets` builds examples only as
/// test harnesses, so build it here with the profile of this test binary (a no-op when it is
/// up to date, and never a stale binary when examples/plan.rs changed).
fn plan_example() -> PathBuf {
    // target/<profile>/deps/it-<hash> → target/<profile>/examples/plan
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|p| p.parent()).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build.args(["build", "--quiet", "--example", "plan"]).current_dir(env!("CARGO_MANIFEST_DIR"));
    // Drop what cargo sets for this test process: a build script that tracks one of them
    // (ring tracks CARGO_MANIFEST_DIR) would otherwise rebuild, and so would the next
    // top-level build after it.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if CARGO_SET.iter().any(|p| key.starts_with(p)) {
            build.env_remove(key);
        }
    }
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some(profile) => {
            build.args(["--profile", profile]);
        }
    }
    assert!(build.status().unwrap().success(), "building the plan example failed");
    let path = profile_dir.join("examples").join("plan");
    assert!(path.exists(), "{} is missing after building it", path.display());
    path
}

/// Runs the example and returns its lines, sorted.
fn run_plan(example: &Path, spec: &Path, url: &str) -> Vec<String> {
    let out = Command::new(example).arg(spec).arg(url).output().unwrap();
    assert!(out.status.success(), "plan example failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut lines: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

#[test]
fn the_plan_example_prints_create_then_unchanged_for_a_group_that_exists() {
    let example = plan_example();
    let engine = Engine::start();
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.toml");
    std::fs::write(&spec, SPEC).unwrap();

    // Nothing runs yet: both groups are to be created.
    assert_eq!(run_plan(&example, &spec, &engine.url()), ["create\thello\tbackend.dev", "create\thello\tdev.frontend"]);

    // Put the rendered backend group on the engine: it is now unchanged, the other still new.
    let rendered = theseus().args(["render", spec.to_str().unwrap(), "-l", "backend"]).output().unwrap();
    assert!(rendered.status.success(), "{}", String::from_utf8_lossy(&rendered.stderr));
    let apps: serde_json::Value = serde_json::from_slice(&rendered.stdout).unwrap();
    let put = engine.call("PUT", "/v2/apps", Some(&apps));
    assert!(matches!(put.status, 200 | 201), "PUT /v2/apps: {} {}", put.status, put.text);
    assert_eq!(
        run_plan(&example, &spec, &engine.url()),
        ["create\thello\tdev.frontend", "unchanged\thello\tbackend.dev"]
    );

    // A URL nobody listens on is an error, not an empty plan.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = Command::new(&example).arg(&spec).arg(format!("http://127.0.0.1:{port}")).output().unwrap();
    assert!(!out.status.success(), "plan against a closed port succeeded: {}", String::from_utf8_lossy(&out.stdout));
}
