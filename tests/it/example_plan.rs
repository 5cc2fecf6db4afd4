//! `examples/plan.rs`, the library example: run against the local engine, it prints one line
//! per group with the action `theseus plan` would take.

use std::path::Path;
use std::process::Command;

use super::support::cmd::{example, theseus};
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
    let example = example("plan");
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
