//! `--log-format json` (and `THESEUS_LOG_FORMAT=json`): every line theseus writes on stderr is
//! one JSON object with `timestamp`, `level`, `target` and `message`: the `-v` request logs,
//! the status lines, warnings, the final error with its causes and hints, and a running
//! `sync`'s logs. Text stays the default.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::env::Env;
use crate::support::sync::{signal, wait_exit, SPEC, T};

/// Parses every line of `stderr` as a log object; panics naming the first that is not one.
fn json_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}\n{stderr}"));
            for field in ["timestamp", "level", "target", "message"] {
                assert!(v[field].is_string(), "no {field}: {line}");
            }
            v
        })
        .collect()
}

#[test]
fn a_verbose_command_writes_only_json_lines() {
    let env = Env::start();
    let spec = env.spec("spec.toml", SPEC);
    let out = env.cmd().args(["-v", "--log-format", "json", "create", spec.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines = json_lines(&String::from_utf8_lossy(&out.stderr));
    assert!(lines.iter().any(|l| l["target"] == "theseus::status"), "no status line");
    assert!(lines.iter().any(|l| l["level"] == "INFO" && l["target"] != "theseus::status"), "no -v request log");

    // The final error too, with its causes and hints; through the environment variable.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_theseus"))
        .env("THESEUS_LOG_FORMAT", "json")
        .args(["--marathon", "http://127.0.0.1:1", "--etcd", &env.etcd_endpoints, "-v", "view"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&String::from_utf8_lossy(&out.stderr));
    let last = lines.last().unwrap();
    assert_eq!(last["level"], "ERROR");
    assert!(last["causes"].as_array().is_some_and(|c| !c.is_empty()), "{last}");
    assert!(last["hints"].is_array(), "{last}");

    // A spec error report is one error object, its lines kept in the message.
    let bad = env.spec("bad.toml", "namespace = \"it\"\n[service.x]\ncpus = \"many\"\n");
    let out = env.cmd().args(["--log-format", "json", "validate", bad.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let lines = json_lines(&String::from_utf8_lossy(&out.stderr));
    assert!(lines.iter().any(|l| l["level"] == "ERROR" && l["message"].as_str().unwrap().contains("cpus")));

    // Text stays the default.
    let out = env.cmd().args(["-v", "view"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.is_empty() && stderr.lines().all(|l| !l.starts_with('{')), "{stderr}");
}

#[test]
fn a_running_sync_logs_json_lines() {
    let env = Env::start();
    let spec = env.spec("spec.toml", SPEC);
    env.cmd().args(["create", spec.to_str().unwrap()]).assert().success();
    let mut child = env.spawn_logged("json", &["-v", "--log-format", "json", "sync", "--name", "j", "--resync", "1s"]);
    let deadline = Instant::now() + T;
    // Leading, and following Marathon's events after the first reconcile.
    while !env.log("json").contains("j is the leader") || !env.log("json").contains("\"message\":\"following ") {
        assert!(Instant::now() < deadline, "sync did not lead:\n{}", env.log("json"));
        std::thread::sleep(Duration::from_millis(20));
    }
    signal(&child, libc::SIGTERM);
    assert_eq!(wait_exit(&mut child, T), Some(0));
    let lines = json_lines(&env.log("json"));
    assert!(lines.iter().any(|l| l["target"] == "theseus::sync"), "no sync log");
    assert!(lines.iter().any(|l| l["verb"] == "Stopped"), "no last status line");
}
