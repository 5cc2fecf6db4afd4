//! End to end: `update` and `restart` roll groups in batches on the local engine, with a real
//! etcd: good rollouts, rollbacks, fail-fast, `--no-rollback`, `--dry-run`, and a drain that
//! never lets etcd list a dead address.

use std::collections::BTreeSet;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::support::cmd::theseus;
use super::support::engine::Engine;
use super::support::env::Env;

/// The HTTP health check of [`spec`]: passes once the server answers `/`.
const HEALTH: &str = r#"{ protocol = "HTTP", path = "/", port = "http", grace = "10s", interval = "1s", timeout = "1s", max_failures = 3 }"#;

/// An HTTP server on the assigned port with an HTTP health check; `version` is in its env.
fn spec(version: &str, cmd: &str, instances: u32, extra: &str) -> String {
    spec_with(version, cmd, instances, HEALTH, extra)
}

/// [`spec`] with another health check (a TOML inline table).
fn spec_with(version: &str, cmd: &str, instances: u32, health: &str, extra: &str) -> String {
    format!(
        r#"
namespace = "it"
[service.web]
cmd = "{cmd}"
cpus = 0.1
mem = 32
ports = [{{ name = "http" }}]
env = {{ VERSION = "{version}" }}
health = {health}
{extra}
[[service.web.group]]
labels = ["dev"]
instances = {instances}
"#
    )
}

const SERVE: &str = "exec python3 -m http.server $PORT0 --bind $HOST";

impl Env {
    /// Creates the first revision and returns its app id.
    fn create(&self, text: &str) -> String {
        let file = self.write("v1.toml", text);
        let (code, doc, err) = self.run(&["create", &file, "--poll-interval", "200ms", "--timeout", "60s"]);
        assert_eq!(code, Some(0), "{err}");
        let apps = self.app_ids();
        assert_eq!(apps.len(), 1, "{doc}");
        apps[0].clone()
    }

    /// (task id, host:port) registered in etcd for web/dev.
    fn registered(&self) -> Vec<(String, String)> {
        self.etcd.registered("web", "dev")
    }
}

/// Task ids and states of an app on the engine, healthy ones marked.
fn healthy_tasks(engine: &Engine, app: &str) -> Vec<String> {
    engine
        .tasks(app)
        .iter()
        .filter(|t| {
            t["state"] == "TASK_RUNNING"
                && t["healthCheckResults"]
                    .as_array()
                    .is_some_and(|r| !r.is_empty() && r.iter().all(|h| h["alive"] == true))
        })
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

const FAST: [&str; 6] = ["--poll-interval", "200ms", "--fail-after", "3s", "--deadline", "60s"];

#[test]
fn a_good_update_rolls_in_batches_and_etcd_only_lists_live_tasks() {
    let env = Arc::new(Env::start());
    let old = env.create(&spec("1", SERVE, 3, ""));
    let file = env.write("v2.toml", &spec("2", SERVE, 3, ""));

    // Sample etcd while the update runs: every address is a running task the engine lists and
    // accepts TCP connections.
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (env, stop) = (env.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut samples = 0;
            while !stop.load(Ordering::SeqCst) {
                // Marathon first, then etcd: a task is deregistered before its kill, so one
                // still registered at the second read was running at the first.
                let running: BTreeSet<String> = env.engine.get("/v2/tasks")["tasks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|t| t["state"] == "TASK_RUNNING")
                    .map(|t| t["id"].as_str().unwrap().to_owned())
                    .collect();
                let registered = env.registered();
                for (id, addr) in &registered {
                    assert!(running.contains(id), "etcd lists {id} ({addr}), which is not running");
                    if let Err(e) = TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_secs(2)) {
                        // Refused after the read: fine only if it was drained first.
                        let still = env.registered().iter().any(|(r, _)| r == id);
                        assert!(!still, "etcd lists {addr} ({id}) but it refuses: {e}");
                    }
                }
                samples += 1;
            }
            samples
        })
    };
    let (code, doc, err) = env.run(&["update", &file, "--batch", "1"].iter().copied().chain(FAST).collect::<Vec<_>>());
    stop.store(true, Ordering::SeqCst);
    let samples = sampler.join().unwrap();
    assert!(samples > 3, "sampled etcd {samples} times");
    assert_eq!(code, Some(0), "{err}");
    let row = &doc[0];
    assert_eq!(row["outcome"], "rolled", "{doc}");
    assert_ne!(row["from"], row["to"]);
    assert_eq!(row["batches"], serde_json::json!([1, 1, 1]));

    let apps = env.app_ids();
    assert_eq!(apps.len(), 1, "{apps:?}");
    assert_ne!(apps[0], old, "the old revision app is gone");
    let healthy = healthy_tasks(&env.engine, &apps[0]);
    assert_eq!(healthy.len(), 3);
    let registered: BTreeSet<String> = env.registered().into_iter().map(|(id, _)| id).collect();
    assert_eq!(registered, healthy.into_iter().collect::<BTreeSet<_>>());

    // Nothing is left to do; the dry run says so and changes nothing.
    let (code, doc, _) = env.run(&["update", &file, "--dry-run"]);
    assert_eq!(code, Some(0));
    assert_eq!(doc[0]["outcome"], "unchanged");
}

#[test]
fn a_crashing_revision_is_rolled_back_with_exit_3() {
    let env = Env::start();
    let old = env.create(&spec("1", SERVE, 2, ""));
    let before: BTreeSet<String> = env.registered().into_iter().map(|(id, _)| id).collect();
    let file = env.write("v2.toml", &spec("2", "echo fatal: cannot reach db:5432 >&2; exit 1", 2, ""));
    let started = Instant::now();
    let (code, doc, err) = env.run(&["update", &file].iter().copied().chain(FAST).collect::<Vec<_>>());
    assert_eq!(code, Some(3), "{err}\n{doc}");
    assert!(started.elapsed() < Duration::from_secs(40), "failed fast, not at the deadline");
    // The program's own words, from the failed tasks' sandboxes through the Mesos agents
    // (the master found through Marathon's /v2/info): one tail for the tasks that said the same.
    let logs = doc[0]["evidence"]["logs"].as_array().unwrap_or_else(|| panic!("no logs: {doc}"));
    let stderr = logs.iter().find(|t| t["stream"] == "stderr").unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(stderr["lines"], serde_json::json!(["fatal: cannot reach db:5432"]), "{doc}");
    assert_eq!(logs.iter().filter(|t| t["stream"] == "stderr").count(), 1, "identical tails once: {doc}");
    assert!(err.contains("  | fatal: cannot reach db:5432"), "{err}");
    assert_eq!(doc[0]["outcome"], "rolled-back");
    assert!(doc[0]["reason"].as_str().unwrap().contains("keep failing"), "{doc}");
    // The evidence, taken before the rollback deleted the app: Mesos's words for the crash.
    let failure = &doc[0]["evidence"]["last_task_failure"];
    assert!(failure["message"].as_str().unwrap().contains("exited with status 1"), "{doc}");
    assert_eq!(failure["state"], "TASK_FAILED");
    assert!(err.contains("last task failure: TASK_FAILED on"), "{err}");
    assert_eq!(env.app_ids(), vec![old.clone()], "the new app is gone");
    let healthy: BTreeSet<String> = healthy_tasks(&env.engine, &old).into_iter().collect();
    assert_eq!(healthy.len(), 2, "old revision at full healthy capacity");
    let registered: BTreeSet<String> = env.registered().into_iter().map(|(id, _)| id).collect();
    assert_eq!(registered, healthy);
    assert!(registered.is_subset(&before.union(&healthy).cloned().collect()));
}

#[test]
fn an_unplaceable_constraint_fails_fast_and_rolls_back() {
    let env = Env::start();
    let old = env.create(&spec("1", SERVE, 1, ""));
    // Four instances, one per host, on three agents.
    let file = env.write("v2.toml", &spec("2", SERVE, 4, "constraints = [[\"hostname\", \"UNIQUE\"]]"));
    let started = Instant::now();
    let args: Vec<&str> = ["update", &file, "--batch", "4"].iter().copied().chain(FAST).collect();
    let (code, doc, err) = env.run(&args);
    assert_eq!(code, Some(3), "{err}\n{doc}");
    assert!(started.elapsed() < Duration::from_secs(30), "within seconds, not at the deadline");
    assert!(doc[0]["reason"].as_str().unwrap().contains("UnfulfilledConstraint"), "{doc}");
    assert_eq!(env.app_ids(), vec![old]);
}

#[test]
fn no_rollback_leaves_a_failed_update_and_exits_4() {
    let env = Env::start();
    let old = env.create(&spec("1", SERVE, 1, ""));
    let file = env.write("v2.toml", &spec("2", "exit 1", 1, ""));
    let args: Vec<&str> = ["update", &file, "--no-rollback"].iter().copied().chain(FAST).collect();
    let (code, doc, err) = env.run(&args);
    assert_eq!(code, Some(4), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "failed");
    let apps = env.app_ids();
    assert_eq!(apps.len(), 2, "both revisions left: {apps:?}");
    assert!(apps.contains(&old));
    // etcd lists only what is healthy: the old task.
    let registered: BTreeSet<String> = env.registered().into_iter().map(|(id, _)| id).collect();
    assert_eq!(registered, healthy_tasks(&env.engine, &old).into_iter().collect());
}

#[test]
fn restart_replaces_every_task_and_stays_healthy() {
    let env = Env::start();
    let app = env.create(&spec("1", SERVE, 3, ""));
    let before: BTreeSet<String> =
        env.engine.tasks(&app).iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect();
    let (code, doc, err) = env.run(&[
        "restart",
        "web",
        "-l",
        "dev",
        "--batch",
        "1",
        "--wait",
        "1s",
        "--poll-interval",
        "200ms",
        "--fail-after",
        "5s",
    ]);
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "restarted");
    assert_eq!(doc[0]["batches"], serde_json::json!([1, 1, 1]));
    let total = doc[0]["timings"]["total"].as_f64().unwrap();
    assert!(total >= 2.0, "two 1s waits between three batches, took {total}s");
    let after: BTreeSet<String> = healthy_tasks(&env.engine, &app).into_iter().collect();
    assert_eq!(after.len(), 3);
    assert!(after.is_disjoint(&before), "every task was replaced");
    let registered: BTreeSet<String> = env.registered().into_iter().map(|(id, _)| id).collect();
    assert_eq!(registered, after);
}

/// A batch's gate passes as soon as its replacements are healthy, restart after restart. The
/// relaunch of a killed original can enter Marathon's queue a poll after it left the app's
/// tasks; the crash detector once counted that as a task of the batch ending, and the gate then
/// waited out `--fail-after` (30s) with every replacement healthy, about one restart in ten
/// (src/rollout/stuck.rs `expecting_relaunches`; the exact sequence is pinned in stuck_tests.rs).
#[test]
fn batched_restarts_pass_each_gate_once_the_replacements_are_healthy() {
    let env = Env::start();
    env.create(&spec("1", SERVE, 12, ""));
    for round in 1..=4 {
        let (code, doc, err) = env.run(&["restart", "web", "-l", "dev", "--batch", "3", "--wait", "0s"]);
        assert_eq!(code, Some(0), "round {round}: {err}\n{doc}");
        let batches: Vec<f64> =
            doc[0]["timings"]["batches"].as_array().unwrap().iter().map(|b| b.as_f64().unwrap()).collect();
        assert_eq!(batches.len(), 4, "round {round}: {doc}");
        // Each batch is a kill, a relaunch and a check on the next 1s tick: seconds, never the
        // 30s of `--fail-after`.
        assert!(batches.iter().all(|b| *b < 10.0), "round {round}: a gate held with its batch healthy: {batches:?}");
    }
}

#[test]
fn dry_run_changes_nothing() {
    let env = Env::start();
    let app = env.create(&spec("1", SERVE, 3, ""));
    let file = env.write("v2.toml", &spec("2", SERVE, 3, ""));
    let requests_before = env.etcd.dump();
    let (code, doc, err) = env.run(&["update", &file, "--dry-run", "--batch", "2"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(doc[0]["outcome"], "would-roll");
    assert_eq!(doc[0]["batches"], serde_json::json!([2, 1]));
    assert_eq!(env.app_ids(), vec![app]);
    assert_eq!(env.etcd.dump(), requests_before);
    let (code, doc, _) = env.run(&["restart", "web", "-l", "dev", "--dry-run"]);
    assert_eq!(code, Some(0));
    assert_eq!(doc[0]["outcome"], "would-restart");
}

/// Two rollouts of one group: the second waits for the group's lock. With a short
/// `--lock-timeout` it exits 6 naming the holder; with a long one it decides under the lock, on
/// what Marathon has then, and finds nothing left to do (no stale plan is applied).
#[test]
fn concurrent_updates_wait_for_the_lock_and_never_act_on_stale_state() {
    let env = Arc::new(Env::start());
    env.create(&spec("1", SERVE, 2, ""));
    let file = env.write("v2.toml", &spec("2", SERVE, 2, ""));
    let first = {
        let (env, file) = (env.clone(), file.clone());
        std::thread::spawn(move || {
            let args = ["update", &file, "--batch", "1", "--wait", "2s"];
            env.run(&args.iter().copied().chain(FAST).collect::<Vec<_>>())
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !env.etcd.dump().iter().any(|(k, _)| k.contains("/theseus/locks/web/dev")) {
        assert!(Instant::now() < deadline, "the first update never took the lock");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (code, _, err) = env.run(&["update", &file, "--lock-timeout", "1s"]);
    assert_eq!(code, Some(6), "{err}");
    assert!(err.contains("locked by") && err.contains("theseus update"), "names the holder: {err}");
    let (code, doc, err) = env.run(&["update", &file, "--lock-timeout", "120s", "--poll-interval", "200ms"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(doc[0]["outcome"], "unchanged", "decided under the lock: {doc}");
    let (code, doc, err) = first.join().unwrap();
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(doc[0]["outcome"], "rolled");
    let apps = env.app_ids();
    assert_eq!(apps.len(), 1, "{apps:?}");
    let healthy: BTreeSet<String> = healthy_tasks(&env.engine, &apps[0]).into_iter().collect();
    assert_eq!(healthy.len(), 2);
    assert_eq!(env.registered().into_iter().map(|(id, _)| id).collect::<BTreeSet<_>>(), healthy);
}

/// Rollout flags are checked as `validate` checks the spec's `rollout` table, before anything
/// is contacted: exit 2 with the reason (Marathon here is a closed port).
#[test]
fn bad_rollout_flags_are_usage_errors_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.toml");
    std::fs::write(&file, spec("1", SERVE, 2, "")).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    for (flags, says) in [
        (vec!["--batch", "0"], "--batch must be at least 1"),
        (vec!["--batch", "0%"], "--batch must be at least 1"),
        (vec!["--deadline", "0s"], "--deadline must be longer than 0s"),
        (vec!["--min-healthy", "5m", "--deadline", "1m"], "must be shorter than the deadline"),
    ] {
        let out = theseus()
            .args(["--marathon", &format!("http://{closed}"), "update", file.to_str().unwrap()])
            .args(&flags)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(says), "{flags:?}: {err}");
        assert!(!err.contains("cannot reach"), "nothing was contacted: {err}");
    }
}

/// Running tasks whose every health result is alive, per app, over every app on the engine
/// (one `/v2/apps?embed=apps.tasks` read, so both revisions are seen at one instant).
fn healthy_per_app(engine: &Engine) -> Vec<(String, usize)> {
    engine.get("/v2/apps?embed=apps.tasks")["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|app| {
            let healthy = app["tasks"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|t| {
                    t["state"] == "TASK_RUNNING"
                        && t["healthCheckResults"]
                            .as_array()
                            .is_some_and(|r| !r.is_empty() && r.iter().all(|h| h["alive"] == true))
                })
                .count();
            (app["id"].as_str().unwrap().to_owned(), healthy)
        })
        .collect()
}

/// What the capacity sampler saw during one rollout.
struct Capacity {
    samples: usize,
    /// The fewest healthy tasks over both revisions at one instant.
    min: usize,
    /// The most healthy tasks the new revision had.
    new_max: usize,
    /// The fewest healthy tasks the old revision had (0 once it was gone).
    old_min: usize,
}

/// Updates `web/dev` (4 instances) from `from` to the spec in `file` in batches of 2 with
/// `--max-unavailable max_unavailable`, sampling the engine's healthy tasks throughout.
fn rollout_sampled(env: &Arc<Env>, from: &str, file: &str, max_unavailable: &str) -> (String, Capacity) {
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (env, stop, from) = (env.clone(), stop.clone(), from.to_owned());
        std::thread::spawn(move || {
            let mut seen = Capacity { samples: 0, min: usize::MAX, new_max: 0, old_min: usize::MAX };
            while !stop.load(Ordering::SeqCst) {
                let apps = healthy_per_app(&env.engine);
                seen.min = seen.min.min(apps.iter().map(|(_, n)| n).sum());
                seen.old_min = seen.old_min.min(apps.iter().find(|(id, _)| *id == from).map_or(0, |(_, n)| *n));
                seen.new_max = seen.new_max.max(apps.iter().filter(|(id, _)| *id != from).map(|(_, n)| *n).sum());
                seen.samples += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            seen
        })
    };
    let args = ["update", file, "--batch", "2", "--max-unavailable", max_unavailable];
    let (code, doc, err) = env.run(&args.iter().copied().chain(FAST).collect::<Vec<_>>());
    stop.store(true, Ordering::SeqCst);
    let seen = sampler.join().unwrap();
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "rolled", "{doc}");
    assert_eq!(doc[0]["batches"], serde_json::json!([2, 2]));
    let apps = env.app_ids();
    assert_eq!(apps.len(), 1, "{apps:?}");
    assert_eq!(healthy_tasks(&env.engine, &apps[0]).len(), 4);
    // The sampler watched the whole rollout: the old revision went, the new one came up.
    assert!(seen.samples > 20, "sampled {} times", seen.samples);
    assert_eq!(seen.old_min, 0, "the sampler saw the old revision go");
    assert_eq!(seen.new_max, 4, "the sampler saw the new revision healthy");
    (apps[0].clone(), seen)
}

/// Healthy capacity over both revisions never drops below `instances -
/// max_unavailable`, sampled on the engine all through the rollout.
#[test]
fn healthy_capacity_never_drops_below_instances_minus_max_unavailable() {
    let env = Arc::new(Env::start());
    let v1 = env.create(&spec("1", SERVE, 4, ""));
    let file = env.write("v2.toml", &spec("2", SERVE, 4, ""));
    let (v2, seen) = rollout_sampled(&env, &v1, &file, "1");
    assert!(seen.min >= 3, "healthy capacity dropped to {} (floor 3)", seen.min);
    // One old task goes before each new batch is healthy (the engine's checks take over a
    // second), so the floor is reached: the sampler does see dips.
    assert_eq!(seen.min, 3, "--max-unavailable 1 was used");

    let file = env.write("v3.toml", &spec("3", SERVE, 4, ""));
    let (_, seen) = rollout_sampled(&env, &v2, &file, "0");
    assert_eq!(seen.min, 4, "healthy capacity dropped to {} (floor 4)", seen.min);
}

/// Batch k+1 is staged no earlier than `--wait` after batch k became healthy, by the
/// timestamps of the engine's own events.
#[test]
fn the_next_batch_starts_no_earlier_than_wait_after_the_last_became_healthy() {
    use super::support::engine::frames;
    use chrono::{DateTime, FixedOffset};

    let env = Arc::new(Env::start());
    let old = env.create(&spec("1", SERVE, 3, ""));
    let file = env.write("v2.toml", &spec("2", SERVE, 3, ""));
    let mut events = env.engine.events(
        "?event_type=status_update_event&event_type=health_status_changed_event&event_type=instance_health_changed_event",
    );
    let update = {
        let (env, file) = (env.clone(), file.clone());
        std::thread::spawn(move || {
            let args = ["update", &file, "--batch", "1", "--wait", "3s"];
            env.run(&args.iter().copied().chain(FAST).collect::<Vec<_>>())
        })
    };
    let at = |v: &Value| DateTime::parse_from_rfc3339(v["timestamp"].as_str().unwrap()).unwrap();
    let new_app = |v: &Value| {
        let app = v["appId"].as_str().or(v["runSpecId"].as_str()).unwrap();
        app != old
    };
    // (instance id, first time it was healthy) of new tasks.
    let healthy_of = |text: &str| -> Vec<(String, DateTime<FixedOffset>)> {
        let mut out: Vec<(String, DateTime<FixedOffset>)> = Vec::new();
        for (kind, v) in frames(text) {
            let healthy = (kind == "health_status_changed_event" && v["alive"] == true)
                || (kind == "instance_health_changed_event" && v["healthy"] == true);
            if healthy && new_app(&v) {
                let id = v["instanceId"].as_str().unwrap().to_owned();
                match out.iter_mut().find(|(i, _)| *i == id) {
                    Some((_, t)) => *t = (*t).min(at(&v)),
                    None => out.push((id, at(&v))),
                }
            }
        }
        out
    };
    let text = events.read_until(Duration::from_secs(90), |t| healthy_of(t).len() >= 3);
    let (code, doc, err) = update.join().unwrap();
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert_eq!(doc[0]["batches"], serde_json::json!([1, 1, 1]));
    let healthy = healthy_of(&text);
    // New tasks in the order they were staged, each with the time it became healthy.
    let mut staged: Vec<(DateTime<FixedOffset>, DateTime<FixedOffset>)> = frames(&text)
        .iter()
        .filter(|(k, v)| k == "status_update_event" && v["taskStatus"] == "TASK_STAGING" && new_app(v))
        .map(|(_, v)| {
            let task = v["taskId"].as_str().unwrap();
            let (_, ok) = healthy
                .iter()
                .find(|(instance, _)| task.starts_with(&format!("{instance}.")))
                .unwrap_or_else(|| panic!("new task {task} never became healthy:\n{text}"));
            (at(v), *ok)
        })
        .collect();
    staged.sort();
    assert_eq!(staged.len(), 3, "one new task per batch, none replaced:\n{text}");
    let wait = chrono::Duration::seconds(3);
    let granularity = chrono::Duration::milliseconds(5);
    for pair in staged.windows(2) {
        let ((_, healthy), (next, _)) = (pair[0], pair[1]);
        assert!(
            next >= healthy + wait - granularity,
            "a batch was staged at {next}, {} ms after the previous one became healthy at {healthy}",
            (next - healthy).num_milliseconds()
        );
    }
}

/// A health check that never passes (404), whose failures never get the task killed.
const NEVER_HEALTHY: &str = r#"{ protocol = "HTTP", path = "/nope", port = "http", grace = "1s", interval = "1s", timeout = "1s", max_failures = 0 }"#;

/// A revision whose health check never passes (404; never killed for it) fails
/// when its batch's `--deadline` passes, and is rolled back: exit 5 (only the deadline
/// passed), the old revision at full healthy capacity, etcd listing only its tasks.
#[test]
fn a_health_check_that_never_passes_fails_at_the_deadline_and_rolls_back_with_exit_5() {
    let env = Env::start();
    let old = env.create(&spec("1", SERVE, 2, ""));
    let before: BTreeSet<String> = env.registered().into_iter().map(|(id, _)| id).collect();
    let file = env.write("v2.toml", &spec_with("2", SERVE, 2, NEVER_HEALTHY, ""));
    let started = Instant::now();
    let args = ["update", &file, "--deadline", "15s", "--poll-interval", "200ms", "--fail-after", "3s"];
    let (code, doc, err) = env.run(&args);
    let took = started.elapsed();
    assert_eq!(code, Some(5), "{err}\n{doc}");
    assert!(took >= Duration::from_secs(15) && took < Duration::from_secs(28), "failed at the deadline: {took:?}");
    assert_eq!(doc[0]["outcome"], "rolled-back", "{doc}");
    let reason = doc[0]["reason"].as_str().unwrap();
    assert!(reason.contains("did not converge within 15s") && reason.contains("rolled back"), "{reason}");
    // The evidence, taken before the rollback deleted the app: the checks' own cause.
    let health = doc[0]["evidence"]["health"].as_array().unwrap_or_else(|| panic!("no health evidence: {doc}"));
    assert!(health.iter().all(|h| h["cause"].as_str().unwrap().contains("404")), "{doc}");
    assert!(err.contains("health check failing on") && err.contains("404"), "{err}");
    assert_eq!(env.app_ids(), vec![old.clone()], "the new app is gone");
    let healthy: BTreeSet<String> = healthy_tasks(&env.engine, &old).into_iter().collect();
    assert_eq!(healthy.len(), 2, "old revision at full healthy capacity");
    let registered: BTreeSet<String> = env.registered().into_iter().map(|(id, _)| id).collect();
    assert_eq!(registered, healthy, "etcd lists only the old healthy tasks");
    assert_eq!(registered, before, "the old tasks were never retired (--max-unavailable 0)");
}

/// SIGINT to a running `theseus update` ends it with exit 130, and etcd then lists
/// only running, healthy tasks (whatever revision they belong to), each reachable.
#[test]
fn ctrl_c_exits_130_and_leaves_etcd_listing_only_running_healthy_tasks() {
    let env = Env::start();
    let old = env.create(&spec("1", SERVE, 2, ""));
    let file = env.write("v2.toml", &spec("2", SERVE, 2, ""));
    let (out, err) = (env.dir.path().join("out"), env.dir.path().join("err"));
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_theseus"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("THESEUS_") {
            cmd.env_remove(key);
        }
    }
    let mut child = cmd
        .env("NO_COLOR", "1")
        .args(["--marathon", &env.engine.url(), "--etcd", &env.etcd.endpoint, "--request-timeout", "5s"])
        .args(["update", &file, "--batch", "1", "--wait", "30s", "-o", "json"])
        .args(FAST)
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    env.engine.wait_for("the new revision app", Duration::from_secs(30), |e| {
        e.get("/v2/apps")["apps"].as_array().is_some_and(|a| a.iter().any(|a| a["id"] != old.as_str()))
    });
    // SAFETY: kill(2) on the pid of our own child; it touches no memory.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("theseus update still runs 30s after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(&err).unwrap();
    let stdout = std::fs::read_to_string(&out).unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}\n{stderr}\n{stdout}");
    let doc: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    assert_eq!(doc[0]["outcome"], "failed", "{stdout}\n{stderr}");
    assert!(doc[0]["reason"].as_str().is_some_and(|r| r.contains("interrupted")), "{stdout}");

    let healthy: BTreeSet<String> = env.app_ids().iter().flat_map(|app| healthy_tasks(&env.engine, app)).collect();
    let registered = env.registered();
    assert!(!registered.is_empty(), "the group is still served");
    for (id, addr) in &registered {
        assert!(healthy.contains(id), "etcd lists {id} ({addr}), which is not running and healthy: {healthy:?}");
        TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_secs(2))
            .unwrap_or_else(|e| panic!("etcd lists {addr} ({id}) but it refuses: {e}"));
    }
    let old_healthy: BTreeSet<String> = healthy_tasks(&env.engine, &old).into_iter().collect();
    let registered: BTreeSet<String> = registered.into_iter().map(|(id, _)| id).collect();
    assert!(old_healthy.is_subset(&registered), "the old tasks still serve: {old_healthy:?} vs {registered:?}");
}

/// Old tasks a rollout retires are killed, and Marathon reports a killed task as TASK_KILLED,
/// not as a failure: so the old app keeps no `lastTaskFailure` and no launch backoff, and a
/// rollback brings it back at once. Here one old task is retired early (`--max-unavailable 1`)
/// before a revision that never becomes healthy is rolled back at its deadline.
#[test]
fn a_retired_task_ends_killed_and_leaves_the_old_app_no_failure() {
    use super::support::engine::frames;

    let env = Env::start();
    let old = env.create(&spec("1", SERVE, 2, ""));
    let mut events = env.engine.events("?event_type=status_update_event");
    let file = env.write("v2.toml", &spec_with("2", SERVE, 2, NEVER_HEALTHY, ""));
    let args = ["update", &file, "--max-unavailable", "1", "--deadline", "4s", "--poll-interval", "200ms"];
    let (code, doc, err) = env.run(&args);
    assert_eq!(code, Some(5), "{err}\n{doc}");
    assert_eq!(env.app_ids(), vec![old.clone()]);
    assert_eq!(healthy_tasks(&env.engine, &old).len(), 2, "old revision at full healthy capacity");
    // The stream holds the whole rollout; read until the killed old task's terminal update.
    let of_old = |v: &Value| v["appId"] == old.as_str();
    let text = events.read_until(Duration::from_secs(20), |t| {
        let updates = frames(t);
        let killing: Vec<&Value> =
            updates.iter().filter(|(_, v)| of_old(v) && v["taskStatus"] == "TASK_KILLING").map(|(_, v)| v).collect();
        !killing.is_empty()
            && killing.iter().all(|k| {
                updates.iter().any(|(_, v)| {
                    v["taskId"] == k["taskId"]
                        && ["TASK_KILLED", "TASK_FAILED", "TASK_FINISHED"].contains(&v["taskStatus"].as_str().unwrap())
                })
            })
    });
    let ends: Vec<(String, String)> = frames(&text)
        .into_iter()
        .filter(|(_, v)| of_old(v) && v["taskStatus"].as_str().is_some_and(|s| s != "TASK_KILLING"))
        .filter(|(_, v)| ["TASK_KILLED", "TASK_FAILED", "TASK_FINISHED"].contains(&v["taskStatus"].as_str().unwrap()))
        .map(|(_, v)| (v["taskId"].as_str().unwrap().to_owned(), v["taskStatus"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(ends.len(), 1, "one old task was retired: {ends:?}");
    assert_eq!(ends[0].1, "TASK_KILLED", "a killed task is TASK_KILLED: {ends:?}");
    let app = env.engine.get(&format!("/v2/apps{old}"))["app"].clone();
    assert!(app["lastTaskFailure"].is_null(), "a kill is no failure: {}", app["lastTaskFailure"]);
}

/// Old tasks that take their whole kill grace (2 s, SIGTERM ignored) to stop, slower than a new
/// batch becomes healthy: each kill-and-scale of the old revision app opens a deployment that
/// Marathon keeps until the killed task is terminal, and any other non-forced deployment on the
/// app meanwhile is 409 (M:src/main/scala/mesosphere/marathon/core/deployment/impl/
/// DeploymentActor.scala, `decommissionInstances`; M:src/main/scala/mesosphere/marathon/core/
/// deployment/impl/DeploymentManagerActor.scala, `giveUpConflictingDeployment`). The rollout
/// waits for each one before its next write to the app, so batch 2 does not fail and roll back;
/// with `--max-unavailable 1` and batches of 2, the early and the late retire of one batch are
/// two kills of the same app and the second waits for the first.
#[test]
fn multi_batch_rollouts_wait_for_each_kill_and_scale_deployment_of_the_old_app() {
    let env = Env::start();
    let slow = "trap '' TERM; exec python3 -m http.server $PORT0 --bind $HOST";
    env.create(&spec("1", slow, 4, "kill_grace = \"2s\""));
    for (version, extra) in [("2", vec!["--batch", "1"]), ("3", vec!["--batch", "2", "--max-unavailable", "1"])] {
        let file = env.write(&format!("v{version}.toml"), &spec(version, slow, 4, "kill_grace = \"2s\""));
        let started = Instant::now();
        let args: Vec<&str> =
            ["update", &file, "--wait", "0s"].iter().copied().chain(extra.clone()).chain(FAST).collect();
        let (code, doc, err) = env.run(&args);
        assert_eq!(code, Some(0), "{extra:?}: {err}\n{doc}");
        assert_eq!(doc[0]["outcome"], "rolled", "{extra:?}: {doc}");
        // Every kill waited out its task's 2 s grace before the next write to the old app.
        let kills = if extra[1] == "1" { 4 } else { 3 };
        assert!(started.elapsed() >= Duration::from_secs(2 * (kills - 1)), "{extra:?} took {:?}", started.elapsed());
        let apps = env.app_ids();
        assert_eq!(apps.len(), 1, "{apps:?}");
        assert_eq!(healthy_tasks(&env.engine, &apps[0]).len(), 4);
        assert_eq!(env.registered().len(), 4);
    }
}

/// A batch that passes its gate while the old app's previous kill is still on (its task
/// ignores SIGTERM and takes its whole 8 s grace, room for the next batch's gate on a loaded
/// machine) is registered at once, not once that kill ends: the registration rides in the
/// drain's transaction only when the gate's read shows the old app idle, so a long kill grace
/// never keeps healthy tasks out of etcd.
#[test]
fn a_batch_is_registered_while_the_old_apps_last_kill_still_runs() {
    let env = Env::start();
    let slow = "trap '' TERM; exec python3 -m http.server $PORT0 --bind $HOST";
    let old = env.create(&spec("1", slow, 2, "kill_grace = \"8s\""));
    let before: Vec<String> = env.registered().into_iter().map(|(id, _)| id).collect();
    let file = env.write("v2.toml", &spec("2", slow, 2, "kill_grace = \"8s\""));
    let done = AtomicBool::new(false);
    // Whether the first old task killed was still killing when both new tasks were registered.
    let seen = std::thread::scope(|s| {
        let sampler = s.spawn(|| {
            let mut first_killed: Option<String> = None;
            while !done.load(Ordering::SeqCst) {
                let killing: Vec<String> = env
                    .engine
                    .tasks(&old)
                    .iter()
                    .filter(|t| t["state"] == "TASK_KILLING")
                    .map(|t| t["id"].as_str().unwrap().to_owned())
                    .collect();
                if first_killed.is_none() {
                    first_killed = killing.first().cloned();
                }
                let new = env.registered().iter().filter(|(id, _)| !before.contains(id)).count();
                if new == 2 {
                    return Some(first_killed.is_some_and(|id| {
                        env.engine.tasks(&old).iter().any(|t| t["id"] == id.as_str() && t["state"] == "TASK_KILLING")
                    }));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            None
        });
        let args: Vec<&str> = ["update", &file, "--batch", "1", "--wait", "0s"].iter().copied().chain(FAST).collect();
        let (code, doc, err) = env.run(&args);
        done.store(true, Ordering::SeqCst);
        assert_eq!(code, Some(0), "{err}\n{doc}");
        sampler.join().unwrap()
    });
    assert_eq!(seen, Some(true), "the second batch was registered while the first kill's task still ran");
    assert_eq!(env.registered().len(), 2);
}

/// Most tasks of web/dev alive at once (any state short of terminal: a killing task still runs)
/// while `run` runs, sampled from the engine.
fn most_alive_during(engine: &Engine, run: impl FnOnce()) -> usize {
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let sampler = s.spawn(|| {
            let mut most = 0;
            while !stop.load(Ordering::SeqCst) {
                let tasks = engine.get("/v2/tasks");
                let alive = tasks["tasks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|t| t["appId"].as_str().unwrap().starts_with("/it/web/dev/"))
                    .count();
                most = most.max(alive);
                std::thread::sleep(Duration::from_millis(10));
            }
            most
        });
        run();
        stop.store(true, Ordering::SeqCst);
        sampler.join().unwrap()
    })
}

/// A `MARATHON_SINGLE_INSTANCE_APP` group never runs two tasks, in a good update nor in the
/// rollback of a bad one: Marathon's `{0, 0}` strategy orders replacement inside one app only
/// (M:src/main/scala/mesosphere/marathon/api/v2/validation/SchedulingValidation.scala,
/// `validForSingleInstanceApps`; M:src/main/scala/mesosphere/marathon/core/deployment/impl/
/// TaskReplaceActor.scala, `computeRestartStrategy`), and each revision is its own app, so the
/// rollout stops the old task before it starts the new one; `plan` and `--dry-run` say so.
#[test]
fn single_instance_groups_stop_the_old_task_before_starting_the_new_one() {
    let env = Env::start();
    let slow = "trap '' TERM; exec python3 -m http.server $PORT0 --bind $HOST";
    let single = "kill_grace = \"1s\"\nmarathon_labels = { MARATHON_SINGLE_INSTANCE_APP = \"true\" }";
    env.create(&spec("1", slow, 1, single));
    let file = env.write("v2.toml", &spec("2", slow, 1, single));

    let (code, doc, err) = env.run(&["plan", &file]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(doc[0]["stop_first"], true, "{doc}");
    let (code, doc, err) = env.run(&["update", &file, "--dry-run"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(doc[0]["reason"].as_str().unwrap_or_default().starts_with("stop-then-start"), "{doc}");

    let args: Vec<&str> = ["update", &file].iter().copied().chain(FAST).collect();
    let mut outcome = (None, Value::Null, String::new());
    let most = most_alive_during(&env.engine, || outcome = env.run(&args));
    let (code, doc, err) = outcome;
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "rolled", "{doc}");
    assert_eq!(most, 1, "two tasks of a single-instance group ran at once during the update");
    assert_eq!(env.registered().len(), 1);

    // A revision that never becomes healthy is rolled back, again one task at a time.
    let bad = env.write("v3.toml", &spec("3", "sleep 1000", 1, single));
    let args: Vec<&str> = ["update", &bad, "--deadline", "3s", "--poll-interval", "200ms"].to_vec();
    let mut outcome = (None, Value::Null, String::new());
    let most = most_alive_during(&env.engine, || outcome = env.run(&args));
    let (code, doc, err) = outcome;
    assert_eq!(code, Some(5), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "rolled-back", "{doc}");
    assert_eq!(most, 1, "two tasks of a single-instance group ran at once during the rollback");
    let apps = env.app_ids();
    assert_eq!(apps.len(), 1, "{apps:?}");
    assert_eq!(healthy_tasks(&env.engine, &apps[0]).len(), 1);
    assert_eq!(env.registered().len(), 1);
}

/// Reading logs is best effort: a Mesos master out of reach adds one line to the evidence and
/// leaves the exit code as it is.
#[test]
fn logs_out_of_reach_add_one_line_and_keep_the_exit_code() {
    let env = Env::start();
    let old = env.create(&spec("1", SERVE, 1, ""));
    let file = env.write("v2.toml", &spec("2", "echo boom >&2; exit 1", 1, ""));
    // A port nothing listens on: bound, then closed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mesos = format!("http://127.0.0.1:{closed}");
    let args: Vec<&str> = ["--mesos", &mesos, "update", &file].iter().copied().chain(FAST).collect();
    let (code, doc, err) = env.run(&args);
    assert_eq!(code, Some(3), "{err}\n{doc}");
    let notes = doc[0]["evidence"]["notes"].as_array().unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(notes.len(), 1, "{doc}");
    assert!(notes[0].as_str().unwrap().starts_with("logs unavailable"), "{doc}");
    assert!(doc[0]["evidence"]["last_task_failure"].is_object(), "Marathon's part stays: {doc}");
    assert_eq!(err.matches("logs unavailable").count(), 1, "{err}");
    assert_eq!(env.app_ids(), vec![old]);
    // --log-lines 0: no logs read at all.
    let file = env.write("v3.toml", &spec("3", "echo boom >&2; exit 1", 1, ""));
    let args: Vec<&str> = ["--log-lines", "0", "update", &file].iter().copied().chain(FAST).collect();
    let (code, doc, _) = env.run(&args);
    assert_eq!(code, Some(3));
    assert!(doc[0]["evidence"].get("logs").is_none() && doc[0]["evidence"].get("notes").is_none(), "{doc}");
}
