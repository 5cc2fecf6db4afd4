//! End to end on the local engine and a real etcd: `view` and `rollout status` show a group's
//! journaled rollout. A detached canary awaiting promotion says so in `view`'s state column
//! (not `degraded`, though two revisions run), its JSON `rollout` object and its canary
//! container; `rollout status` shows the canary, its gates and the hold; a canary in its
//! `--canary-for` says `canary 1/N`; once promoted the group is `stable` again and no container
//! is a canary.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::support::env::Env;
use super::support::specs::{web_cmd, SLEEP};

/// Group `web/dev` running `sleep 600`, `version` in its env.
fn spec(version: &str, instances: u32) -> String {
    web_cmd(version, SLEEP, instances)
}

const FAST: [&str; 6] = ["--poll-interval", "200ms", "--fail-after", "3s", "--deadline", "60s"];

/// Creates v1 of web/dev with `instances`; returns the path of v2's spec.
fn first(env: &Env, instances: u32) -> String {
    let file = env.write("v1.toml", &spec("1", instances));
    env.ok(&["create", &file, "--poll-interval", "200ms", "--timeout", "60s"]);
    env.write("v2.toml", &spec("2", instances))
}

/// `args` then the fast timings.
fn args<'a>(head: &[&'a str]) -> Vec<&'a str> {
    head.iter().copied().chain(FAST).collect()
}

/// Runs `theseus ARGS` as user `ci`; returns the exit code and stderr.
fn run_as_ci(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    let out = env.cmd().env("USER", "ci").args(args).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `view -o json`'s one group.
fn viewed(env: &Env) -> Value {
    let doc = env.json(&["view"]);
    assert_eq!(doc.as_array().map(Vec::len), Some(1), "one group: {doc}");
    doc[0].clone()
}

/// The containers `view -o json` flags as canaries.
fn canaries(group: &Value) -> Vec<Value> {
    group["containers"].as_array().unwrap().iter().filter(|c| c["canary"] == true).cloned().collect()
}

/// Polls `view -o json` until `f` holds of the group (a minute at most), checking `child` has
/// not ended.
fn until_viewed(env: &Env, what: &str, child: &mut Child, f: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let group = viewed(env);
        if f(&group) {
            return group;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the update ended ({status}) before {what}: {group}");
        }
        assert!(Instant::now() < deadline, "never: {what}; last: {group}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// After the promotion: one revision, `stable`, no rollout, no canary container.
fn assert_promoted(env: &Env) {
    let group = viewed(env);
    assert_eq!(group["state"], "stable", "{group}");
    assert!(group.get("rollout").is_none(), "no journal, no rollout object: {group}");
    assert!(canaries(&group).is_empty(), "no container is a canary any more: {group}");
    let table = env.ok(&["view", "--containers"]).stdout;
    assert!(!table.contains("(canary)"), "{table}");
}

#[test]
fn a_detached_canary_awaiting_promotion_shows_in_view_and_rollout_status() {
    let env = Env::start();
    let v2 = first(&env, 4);
    let (code, err) = run_as_ci(
        &env,
        &args(&["update", &v2, "--canary", "1", "--canary-for", "1s", "--promote", "manual", "--detach"]),
    );
    assert_eq!(code, Some(11), "{err}");

    // The table's state column: the hold, the canary healthy for a while, who holds it and since when.
    let table = env.ok(&["view"]).stdout;
    let row = table.lines().find(|l| l.contains("web")).unwrap_or_else(|| panic!("no row for web: {table}"));
    assert!(row.contains("paused: awaiting promotion, canary 1/4 healthy "), "{row}");
    assert!(row.contains(" (by theseus update (by ci), ") && row.contains(" ago)"), "{row}");
    assert!(!row.contains("degraded"), "{row}");

    // The JSON: the state as text, the rollout object, the canary container.
    let group = viewed(&env);
    let state = group["state"].as_str().unwrap();
    assert!(state.starts_with("paused: awaiting promotion, canary 1/4 healthy "), "{state}");
    let rollout = &group["rollout"];
    assert_eq!(rollout["kind"], "update", "{rollout}");
    assert_eq!(rollout["state"], "paused", "{rollout}");
    assert_eq!(rollout["batches_done"], 0, "{rollout}");
    assert!(rollout["batches"].as_u64().unwrap() >= 1, "{rollout}");
    assert_eq!(rollout["canary"]["instances"], 1, "{rollout}");
    assert_eq!(rollout["canary"]["healthy"], 1, "{rollout}");
    assert!(rollout["canary"]["healthy_since"].is_string(), "{rollout}");
    assert_eq!(rollout["canary"]["promoted_by"], Value::Null, "{rollout}");
    assert_eq!(rollout["paused"]["reason"], "awaiting promotion", "{rollout}");
    assert_eq!(rollout["paused"]["by"], "theseus update (by ci)", "{rollout}");
    assert!(rollout["paused"]["since"].is_string(), "{rollout}");
    let canary = canaries(&group);
    assert_eq!(canary.len(), 1, "one canary container: {group}");
    assert_eq!(canary[0]["revision"], group["revisions"][0], "the canary runs the new revision: {group}");
    assert_eq!(group["containers"].as_array().unwrap().len(), 5, "four old beside the canary: {group}");
    let table = env.ok(&["view", "--containers"]).stdout;
    assert_eq!(table.matches("(canary)").count(), 1, "{table}");

    // `rollout status`: the canary, its gate's verdict and detail, the hold.
    let status = env.json(&["rollout", "status", "web/dev"]);
    assert_eq!(status["canary"]["instances"], 1, "{status}");
    assert!(status["canary"]["healthy_at"].is_string(), "{status}");
    let gates = status["canary"]["gates"].as_array().unwrap();
    assert_eq!(gates.len(), 1, "{status}");
    assert_eq!((&gates[0]["gate"], &gates[0]["verdict"]), (&"canary-for".into(), &"passed".into()), "{status}");
    assert!(gates[0]["detail"].as_str().unwrap().contains("healthy for 1s"), "{status}");
    assert_eq!(status["hold"]["reason"], "awaiting promotion", "{status}");
    assert_eq!(status["hold"]["by"], "theseus update (by ci)", "{status}");
    let table = env.ok(&["rollout", "status", "web/dev"]).stdout;
    assert!(table.contains("1 of 4 instances, healthy since "), "{table}");
    assert!(table.contains("canary-for: passed (1 task(s) healthy for 1s)"), "{table}");
    assert!(table.contains("awaiting promotion, by theseus update (by ci) since "), "{table}");

    let (code, err) = run_as_ci(&env, &args(&["rollout", "promote", "web/dev"]));
    assert_eq!(code, Some(0), "{err}");
    assert_promoted(&env);
}

#[test]
fn a_canary_in_its_gates_shows_canary_1_of_n_until_promoted() {
    let env = Env::start();
    let v2 = first(&env, 3);
    let mut child = env
        .process()
        .env("USER", "ci")
        .args(args(&["update", &v2, "--canary", "1", "--canary-for", "30s"]))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let group =
        until_viewed(&env, "the canary is in its gates", &mut child, |g| g["state"] == "canary 1/3: gates running");
    assert_eq!(group["rollout"]["state"], "rolling", "{group}");
    assert!(group["rollout"].get("paused").is_none(), "{group}");
    assert_eq!(canaries(&group).len(), 1, "{group}");
    let table = env.ok(&["view"]).stdout;
    assert!(table.contains("canary 1/3: gates running"), "{table}");

    // Promoted at once: the rollout goes on and ends on one revision.
    let (code, err) = run_as_ci(&env, &["rollout", "promote", "web/dev", "--full"]);
    assert_eq!(code, Some(0), "{err}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_promoted(&env);
}
