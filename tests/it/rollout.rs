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
use super::support::etcd::Etcd;

struct Env {
    engine: Engine,
    etcd: Etcd,
    dir: tempfile::TempDir,
}

/// An HTTP server on the assigned port with an HTTP health check; `version` is in its env.
fn spec(version: &str, cmd: &str, instances: u32, extra: &str) -> String {
    format!(
        r#"
namespace = "it"
[service.web]
cmd = "{cmd}"
cpus = 0.1
mem = 32
ports = [{{ name = "http" }}]
env = {{ VERSION = "{version}" }}
health = {{ protocol = "HTTP", path = "/", port = "http", grace = "10s", interval = "1s", timeout = "1s", max_failures = 3 }}
{extra}
[[service.web.group]]
labels = ["dev"]
instances = {instances}
"#
    )
}

const SERVE: &str = "exec python3 -m http.server $PORT0 --bind $HOST";

impl Env {
    fn start() -> Env {
        Env { engine: Engine::start(), etcd: Etcd::start(), dir: tempfile::tempdir().unwrap() }
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut c = theseus();
        c.args(["--marathon", &self.engine.url(), "--etcd", &self.etcd.endpoint, "--request-timeout", "5s"]);
        c.timeout(Duration::from_secs(180));
        c
    }

    /// Runs a command with `-o json`; returns the exit code, the document and stderr.
    fn run(&self, args: &[&str]) -> (Option<i32>, Value, String) {
        let out = self.cmd().args(args).args(["-o", "json"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        (out.status.code(), serde_json::from_slice(&out.stdout).unwrap_or(Value::Null), stderr)
    }

    /// Creates the first revision and returns its app id.
    fn create(&self, text: &str) -> String {
        let file = self.write("v1.toml", text);
        let (code, doc, err) = self.run(&["create", &file, "--poll-interval", "200ms", "--timeout", "60s"]);
        assert_eq!(code, Some(0), "{err}");
        let apps = self.apps();
        assert_eq!(apps.len(), 1, "{doc}");
        apps[0].clone()
    }

    fn apps(&self) -> Vec<String> {
        let apps = self.engine.get("/v2/apps?embed=apps.tasks");
        apps["apps"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect()
    }

    /// (task id, host:port) registered in etcd for web/dev.
    fn registered(&self) -> Vec<(String, String)> {
        registered_in(&self.etcd)
    }
}

fn registered_in(etcd: &Etcd) -> Vec<(String, String)> {
    etcd.dump()
        .into_iter()
        .filter(|(k, _)| k.contains("/services/web/dev/containers/") && k.ends_with("/info"))
        .map(|(_, v)| {
            let info: Value = serde_json::from_str(&v).unwrap();
            let addr = format!("{}:{}", info["instance_host"].as_str().unwrap(), info["instance_port"]);
            (info["instance_name"].as_str().unwrap().to_owned(), addr)
        })
        .collect()
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

    let apps = env.apps();
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
    let file = env.write("v2.toml", &spec("2", "exit 1", 2, ""));
    let started = Instant::now();
    let (code, doc, err) = env.run(&["update", &file].iter().copied().chain(FAST).collect::<Vec<_>>());
    assert_eq!(code, Some(3), "{err}\n{doc}");
    assert!(started.elapsed() < Duration::from_secs(40), "failed fast, not at the deadline");
    assert_eq!(doc[0]["outcome"], "rolled-back");
    assert!(doc[0]["reason"].as_str().unwrap().contains("keep failing"), "{doc}");
    assert_eq!(env.apps(), vec![old.clone()], "the new app is gone");
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
    assert_eq!(env.apps(), vec![old]);
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
    let apps = env.apps();
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
    let (code, doc, err) =
        env.run(&["restart", "web", "-l", "dev", "--batch", "1", "--poll-interval", "200ms", "--fail-after", "5s"]);
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "restarted");
    let after: BTreeSet<String> = healthy_tasks(&env.engine, &app).into_iter().collect();
    assert_eq!(after.len(), 3);
    assert!(after.is_disjoint(&before), "every task was replaced");
    let registered: BTreeSet<String> = env.registered().into_iter().map(|(id, _)| id).collect();
    assert_eq!(registered, after);
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
    assert_eq!(env.apps(), vec![app]);
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
    let apps = env.apps();
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
