//! The README's main command, `scripts/demo`, works end to end: it starts the local engine and
//! an etcd, creates the example groups, lists them and their endpoints, fetches a page from a
//! running container, rolls out and restarts, repairs etcd with `sync --once` after a container
//! is killed behind its back, and removes everything.

use std::process::Command;

use super::support::cmd::repo_path;

#[test]
fn the_readme_main_command_runs_the_whole_job() {
    let out = Command::new(repo_path("scripts/demo"))
        .env("THESEUS_BIN", env!("CARGO_BIN_EXE_theseus"))
        .env_remove("THESEUS_MARATHON_URL")
        .env_remove("THESEUS_ETCD_ENDPOINTS")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "scripts/demo failed\n{stdout}\n{stderr}");
    for expected in
        ["created", "stable", "127.0.0.", "Directory listing", "1 missing, 1 stale", "DEREGISTERED", "removed"]
    {
        assert!(stdout.contains(expected), "`{expected}` missing from the demo's output:\n{stdout}\n{stderr}");
    }
}
