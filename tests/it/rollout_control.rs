//! End to end on the local engine and a real etcd: the canary step (surge beside the full old
//! revision, registered with `"canary": true`), its gates, automatic and manual promotion,
//! `--detach` (exit 11, the journal paused, the lock released) and what other commands do
//! meanwhile, and `rollout pause|resume|promote|abort` of a rollout another process runs.

use std::collections::BTreeSet;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::support::env::Env;
use super::support::specs::{web_cmd as spec, SLEEP};

const FAST: [&str; 6] = ["--poll-interval", "200ms", "--fail-after", "3s", "--deadline", "60s"];
const JOURNAL: &str = "/theseus/rollouts/web/dev";
const MARK: &str = "/services/web/dev/canary";
const LOCK: &str = "/theseus/locks/web/dev";

impl Env {
    /// Creates v1 with `instances`; returns its app id.
    fn first(&self, instances: u32) -> String {
        let file = self.write("v1.toml", &spec("1", SLEEP, instances));
        self.ok(&["create", &file, "--poll-interval", "200ms", "--timeout", "60s"]);
        let apps = self.app_ids();
        assert_eq!(apps.len(), 1);
        apps[0].clone()
    }

    fn key(&self, key: &str) -> Option<Value> {
        self.etcd
            .dump()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| serde_json::from_str(&v).unwrap_or(Value::Null))
    }

    /// Registered container infos of web/dev.
    fn infos(&self) -> Vec<Value> {
        self.etcd
            .dump()
            .into_iter()
            .filter(|(k, _)| k.starts_with("/services/web/dev/containers/") && k.ends_with("/info"))
            .map(|(_, v)| serde_json::from_str(&v).unwrap())
            .collect()
    }

    /// Running tasks per app id.
    fn per_app(&self) -> Vec<(String, usize, u64)> {
        let apps = self.engine.get("/v2/apps?embed=apps.tasks")["apps"].as_array().cloned().unwrap_or_default();
        apps.iter()
            .map(|a| {
                let running =
                    a["tasks"].as_array().map_or(0, |t| t.iter().filter(|t| t["state"] == "TASK_RUNNING").count());
                (a["id"].as_str().unwrap().to_owned(), running, a["instances"].as_u64().unwrap_or(0))
            })
            .collect()
    }

    /// Spawns `theseus ARGS -o json` (USER=`user`), its output captured.
    fn spawn_as(&self, user: &str, args: &[&str]) -> Child {
        self.process()
            .env("USER", user)
            .args(args)
            .args(["-o", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Polls until `f` holds (a minute at most), checking `child` has not ended.
    fn until(&self, what: &str, mut child: Option<&mut Child>, mut f: impl FnMut(&Env) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !f(self) {
            if let Some(c) = child.as_deref_mut() {
                if let Some(status) = c.try_wait().unwrap() {
                    let out = c.wait_with_output_now();
                    panic!("ended ({status}) before {what}: {out}");
                }
            }
            assert!(Instant::now() < deadline, "never: {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn journal_state(&self) -> Option<String> {
        self.key(JOURNAL).map(|j| j["state"].as_str().unwrap_or_default().to_owned())
    }
}

trait Output {
    fn wait_with_output_now(&mut self) -> String;
}

impl Output for Child {
    fn wait_with_output_now(&mut self) -> String {
        use std::io::Read;
        let (mut out, mut err) = (String::new(), String::new());
        if let Some(o) = self.stdout.as_mut() {
            let _ = o.read_to_string(&mut out);
        }
        if let Some(e) = self.stderr.as_mut() {
            let _ = e.read_to_string(&mut err);
        }
        format!("{out}{err}")
    }
}

/// Waits for `child` to end; returns its exit code, its JSON result and stderr.
fn finish(child: Child) -> (Option<i32>, Value, String) {
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), serde_json::from_slice(&out.stdout).unwrap_or(Value::Null), stderr)
}

fn args<'a>(head: &[&'a str]) -> Vec<&'a str> {
    head.iter().copied().chain(FAST).collect()
}

#[test]
fn a_canary_surges_beside_the_full_old_revision_is_flagged_then_promoted_by_itself() {
    let env = Env::start();
    let old = env.first(4);
    let file = env.write("v2.toml", &spec("2", SLEEP, 4));
    let mut child =
        env.spawn_as("ci", &args(&["update", &file, "--canary", "1", "--canary-for", "2s", "--batch", "2"]));
    // During the canary: one new task beside four old ones, registered with "canary": true.
    env.until("the canary is registered", Some(&mut child), |e| e.infos().iter().any(|i| i["canary"] == true));
    let running = env.per_app();
    let old_now = running.iter().find(|(id, ..)| *id == old).map_or(0, |r| r.1);
    assert_eq!(old_now, 4, "the old revision keeps its capacity during the canary: {running:?}");
    let mark = env.key(MARK).expect("the canary mark is in etcd");
    assert_ne!(mark["app_id"], old.as_str());
    let canaries: Vec<_> = env.infos().into_iter().filter(|i| i["canary"] == true).collect();
    assert_eq!(canaries.len(), 1, "one canary container");
    let journal = env.key(JOURNAL).unwrap();
    assert_eq!(journal["canary"]["instances"], 1);
    let (code, doc, err) = finish(child);
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "rolled");
    let apps = env.app_ids();
    assert_eq!(apps.len(), 1);
    assert_ne!(apps[0], old);
    assert!(env.key(MARK).is_none(), "the mark goes with the promotion");
    assert!(env.key(JOURNAL).is_none());
    let infos = env.infos();
    assert_eq!(infos.len(), 4);
    assert!(infos.iter().all(|i| i.get("canary").is_none()), "no container is a canary any more: {infos:?}");
    assert!(err.contains("Promoted") && err.contains("by auto"), "{err}");
}

#[test]
fn a_crashing_canary_is_rolled_back_and_the_old_revision_never_drops_below_full() {
    let env = Env::start();
    let old = env.first(3);
    let file = env.write("v2.toml", &spec("2", "exit 1", 3));
    // A task that exits at once may be seen running by one poll, which passes a health gate
    // without checks: `--canary-for` is what catches such a canary.
    let mut child = env.spawn_as("ci", &args(&["update", &file, "--canary", "1", "--canary-for", "10s"]));
    let started = Instant::now();
    let mut lowest = usize::MAX;
    let mut samples = Vec::new();
    while child.try_wait().unwrap().is_none() {
        let running = env.per_app();
        if let Some(r) = running.iter().find(|(id, ..)| *id == old) {
            lowest = lowest.min(r.1);
        }
        samples.push(format!("{:?} {running:?}", started.elapsed()));
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the update never ended: {}", child.wait_with_output_now());
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    let (code, doc, err) = finish(child);
    assert_eq!(code, Some(3), "{err}\n{doc}");
    assert!(started.elapsed() < Duration::from_secs(30), "failed within --fail-after, not at the deadline");
    assert_eq!(doc[0]["outcome"], "rolled-back");
    assert!(doc[0]["reason"].as_str().unwrap().contains("canary"), "{doc}");
    assert_eq!(lowest, 3, "the old revision ran its 3 tasks throughout: {err}\n{}", samples.join("\n"));
    assert_eq!(env.app_ids(), vec![old]);
    assert!(env.key(MARK).is_none() && env.key(JOURNAL).is_none());
}

#[test]
fn detach_then_promote_from_the_journal_alone() {
    let env = Env::start();
    let old = env.first(3);
    let file = env.write("v2.toml", &spec("2", SLEEP, 3));
    let (code, doc, err) = env.run(&args(&["update", &file, "--canary", "1", "--promote", "manual", "--detach"]));
    assert_eq!(code, Some(11), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "paused");
    assert!(err.contains("rollout promote") && err.contains("rollout abort"), "the hint names both: {err}");
    // The journal alone holds the rollout: paused, awaiting promotion, the lock released.
    assert_eq!(env.journal_state().as_deref(), Some("paused"));
    let journal = env.key(JOURNAL).unwrap();
    assert_eq!(journal["hold"]["reason"], "awaiting promotion");
    assert!(env.key(LOCK).is_none(), "the lock is released");
    assert!(env.key(MARK).is_some());
    assert_eq!(env.infos().iter().filter(|i| i["canary"] == true).count(), 1);
    // While paused, other changes of the group are refused with exit 6 naming the rollout.
    let (code, _, err) = env.run(&args(&["update", &file]));
    assert_eq!(code, Some(6), "{err}");
    assert!(err.contains("paused") && err.contains("awaiting promotion"), "{err}");
    let out = env.out(&["scale", "web/dev", "-n", "5"]);
    assert_eq!(out.code, Some(6), "{}", out.stderr);
    let out = env.out(&["restart", "web/dev"]);
    assert_eq!(out.code, Some(6), "{}", out.stderr);
    let status = env.json(&["rollout", "status", "web/dev"]);
    assert_eq!(status["state"], "paused");
    // `resume` is not a promotion.
    let out = env.out(&["rollout", "resume", "web/dev"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("rollout promote"), "{}", out.stderr);
    // Promote: no process runs it, so the command takes the lock and goes on.
    let (code, doc, err) = env.run(&args(&["rollout", "promote", "web/dev"]));
    assert_eq!(code, Some(0), "{err}\n{doc}");
    let apps = env.app_ids();
    assert_eq!(apps.len(), 1);
    assert_ne!(apps[0], old);
    assert_eq!(env.per_app()[0].1, 3);
    assert!(env.key(JOURNAL).is_none() && env.key(MARK).is_none());
    assert!(env.infos().iter().all(|i| i.get("canary").is_none()));
}

#[test]
fn detach_then_abort_restores_the_old_revision_with_exit_0() {
    let env = Env::start();
    let old = env.first(2);
    let file = env.write("v2.toml", &spec("2", SLEEP, 2));
    let (code, _, err) = env.run(&args(&["update", &file, "--canary", "1", "--promote", "manual", "--detach"]));
    assert_eq!(code, Some(11), "{err}");
    let (code, doc, err) = env.run(&args(&["rollout", "abort", "web/dev"]));
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "rolled-back");
    assert_eq!(env.app_ids(), vec![old.clone()]);
    assert_eq!(env.per_app()[0].1, 2);
    assert!(env.key(JOURNAL).is_none() && env.key(MARK).is_none());
    assert_eq!(env.infos().len(), 2);
}

#[test]
fn a_manual_canary_waits_for_promote_from_another_shell() {
    let env = Env::start();
    env.first(2);
    let file = env.write("v2.toml", &spec("2", SLEEP, 2));
    let mut child = env.spawn_as("ci", &args(&["update", &file, "--canary", "1", "--promote", "manual"]));
    env.until("the canary awaits promotion", Some(&mut child), |e| e.journal_state().as_deref() == Some("paused"));
    assert!(env.key(LOCK).is_some(), "the running update keeps its lock");
    let out = env.cmd().env("USER", "alice").args(["rollout", "promote", "web/dev"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let (code, doc, err) = finish(child);
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert!(err.contains("Promoted") && err.contains("by alice@"), "the update says who promoted: {err}");
    assert_eq!(env.app_ids().len(), 1);
}

/// An update of 4 instances in batches of 1 with 2 s waits, run by `ci`; returns the child once
/// its first batch is journaled.
fn running_update(env: &Env) -> Child {
    env.first(4);
    let file = env.write("v2.toml", &spec("2", SLEEP, 4));
    let mut child = env.spawn_as("ci", &args(&["update", &file, "--batch", "1", "--wait", "2s"]));
    env.until("the first batch is journaled", Some(&mut child), |e| {
        e.key(JOURNAL).is_some_and(|j| j["batches_done"] == 1)
    });
    child
}

/// Pauses the update `child` runs as alice, checks that no batch comes for `hold`, resumes it
/// as bob and waits for it: the journal as the pause left it, and the update's end.
fn pause_hold_resume(env: &Env, mut child: Child, hold: Duration) -> (Value, (Option<i32>, Value, String)) {
    let out = env.cmd().env("USER", "alice").args(["rollout", "pause", "web/dev"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let journal = env.key(JOURNAL).unwrap();
    assert_eq!(journal["state"], "paused", "{journal}");
    assert!(journal["hold"]["by"].as_str().unwrap().starts_with("alice@"), "{journal}");
    let held = Instant::now();
    while held.elapsed() < hold {
        assert_eq!(env.key(JOURNAL).unwrap()["batches_done"], journal["batches_done"], "no batch while paused");
        assert!(child.try_wait().unwrap().is_none(), "the update waits while paused");
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = env.cmd().env("USER", "bob").args(["rollout", "resume", "web/dev"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    (journal, finish(child))
}

#[test]
fn pause_and_resume_a_running_update_from_another_process() {
    let env = Env::start();
    let child = running_update(&env);
    // Held: no batch for longer than the 2 s wait would allow.
    let (_, (code, doc, err)) = pause_hold_resume(&env, child, Duration::from_secs(4));
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert!(err.contains("paused (by alice@") || err.contains("by alice@"), "{err}");
    assert!(err.contains("Resumed") && err.contains("by bob@"), "{err}");
    assert_eq!(env.app_ids().len(), 1);
}

/// With no wait between batches, the safe point's read of the control key is taken while the
/// last batch registers and its old tasks are killed, not after: a pause still holds the
/// update before a later batch, nothing moves until it is resumed, and it then finishes.
#[test]
fn pause_holds_an_update_with_no_wait_between_batches() {
    let env = Env::start();
    env.first(12);
    let file = env.write("v2.toml", &spec("2", SLEEP, 12));
    let mut child = env.spawn_as("ci", &args(&["update", &file, "--batch", "1", "--wait", "0s"]));
    env.until("the first batch is journaled", Some(&mut child), |e| {
        e.key(JOURNAL).is_some_and(|j| j["batches_done"] == 1)
    });
    let (journal, (code, doc, err)) = pause_hold_resume(&env, child, Duration::from_secs(2));
    assert!(journal["batches_done"].as_u64().unwrap() < 12, "held before the last batch: {journal}");
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "rolled", "{doc}");
    assert_eq!(env.app_ids().len(), 1);
    assert_eq!(env.infos().len(), 12, "every new task registered once rolled");
}

#[test]
fn abort_a_running_update_from_another_process() {
    let env = Env::start();
    let child = running_update(&env);
    let old: BTreeSet<String> = env.app_ids().into_iter().collect();
    let out = env.cmd().env("USER", "alice").args(["rollout", "abort", "web/dev"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "abort exits 0 once the old revision is back: {stderr}");
    let (code, doc, err) = finish(child);
    assert_eq!(code, Some(3), "{err}\n{doc}");
    assert!(doc[0]["reason"].as_str().unwrap().contains("aborted by alice@"), "{doc}");
    let apps = env.app_ids();
    assert_eq!(apps.len(), 1);
    assert!(old.contains(&apps[0]), "the old revision runs");
    assert_eq!(env.per_app()[0].1, 4, "at full capacity");
    assert!(env.key(JOURNAL).is_none());
}

#[test]
fn control_requests_need_a_journal_and_a_canary_to_promote() {
    let env = Env::start();
    env.first(1);
    let out = env.out(&["rollout", "pause", "web/dev"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    let file = env.write("v2.toml", &spec("2", SLEEP, 1));
    let out = env.out(&["update", &file, "--detach"]);
    assert_eq!(out.code, Some(2), "--detach without a canary: {}", out.stderr);
    assert!(out.stderr.contains("needs a canary"), "{}", out.stderr);
    let out = env.out(&["update", &file, "--gate", "true"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert_eq!(env.app_ids().len(), 1, "nothing changed");
}

#[test]
fn abort_a_running_restart_from_another_process_stops_it() {
    let env = Env::start();
    let app = env.first(3);
    let mut child = env.spawn_as("ci", &args(&["restart", "web/dev", "--batch", "1", "--wait", "3s"]));
    env.until("the first batch is journaled", Some(&mut child), |e| {
        e.key(JOURNAL).is_some_and(|j| j["batches_done"] == 1)
    });
    let out = env.cmd().env("USER", "alice").args(["rollout", "abort", "web/dev"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let (code, doc, err) = finish(child);
    assert_eq!(code, Some(3), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "aborted");
    assert!(doc[0]["reason"].as_str().unwrap().contains("aborted by alice@"), "{doc}");
    assert_eq!(env.app_ids(), vec![app]);
    assert_eq!(env.per_app()[0].1, 3);
    assert!(env.key(JOURNAL).is_none());
}

#[test]
fn gate_commands_pass_fail_hold_and_time_out() {
    let env = Env::start();
    let old = env.first(2);
    let v2 = env.write("v2.toml", &spec("2", SLEEP, 2));
    // Exit 1: the rollout fails and rolls back, with the command's own words.
    let gate = "echo canary answers 500 >&2; exit 1";
    let (code, doc, err) = env.run(&args(&["update", &v2, "--canary", "1", "--gate", gate]));
    assert_eq!(code, Some(3), "{err}\n{doc}");
    assert!(doc[0]["reason"].as_str().unwrap().contains("canary answers 500"), "{doc}");
    assert_eq!(env.app_ids(), vec![old.clone()]);
    // A gate that hangs is killed at --gate-timeout and counts as a failure.
    let started = Instant::now();
    let (code, doc, err) =
        env.run(&args(&["update", &v2, "--canary", "1", "--gate", "sleep 600", "--gate-timeout", "1s"]));
    assert_eq!(code, Some(3), "{err}\n{doc}");
    assert!(doc[0]["reason"].as_str().unwrap().contains("killed after 1s"), "{doc}");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(env.app_ids(), vec![old.clone()]);
    // Exit 2: inconclusive, the rollout holds for a person (detached: exit 11).
    let (code, _, err) = env.run(&args(&["update", &v2, "--canary", "1", "--gate", "exit 2", "--detach"]));
    assert_eq!(code, Some(11), "{err}");
    let journal = env.key(JOURNAL).unwrap();
    assert!(journal["hold"]["reason"].as_str().unwrap().starts_with("gate inconclusive"), "{journal}");
    assert_eq!(journal["canary"]["gates"][0]["verdict"], "inconclusive");
    env.ok(&["rollout", "abort", "web/dev"]);
    assert_eq!(env.app_ids(), vec![old.clone()]);
    // Exit 0 with what the command was given: the group in its environment and as JSON on stdin.
    let seen = env.dir.path().join("gate.json");
    let gate =
        format!("test \"$THESEUS_GROUP\" = dev && test \"$THESEUS_CANARY_INSTANCES\" = 1 && cat > {}", seen.display());
    let (code, doc, err) = env.run(&args(&["update", &v2, "--canary", "1", "--gate", &gate]));
    assert_eq!(code, Some(0), "{err}\n{doc}");
    let input: Value = serde_json::from_str(&std::fs::read_to_string(&seen).unwrap()).unwrap();
    assert_eq!(input["service"], "web");
    assert_eq!(input["to_revision"], doc[0]["to"]);
    assert!(err.contains("Gate web/dev: command passed"), "{err}");
    assert_eq!(env.app_ids().len(), 1);
    assert_ne!(env.app_ids()[0], old);
}

#[test]
fn promote_full_skips_the_gates_left_and_no_wait_returns_at_once() {
    let env = Env::start();
    env.first(2);
    let file = env.write("v2.toml", &spec("2", SLEEP, 2));
    let mut child = env.spawn_as(
        "ci",
        &args(&[
            "update",
            &file,
            "--canary",
            "1",
            "--canary-for",
            "5m",
            "--gate",
            "sleep 600",
            "--gate-timeout",
            "10m",
        ]),
    );
    env.until("the canary is up", Some(&mut child), |e| e.key(MARK).is_some());
    // --no-wait: the request is written and the command returns without waiting for it.
    let out =
        env.cmd().env("USER", "alice").args(["rollout", "promote", "web/dev", "--full", "--no-wait"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let started = Instant::now();
    let (code, doc, err) = finish(child);
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert!(started.elapsed() < Duration::from_secs(60), "neither the 5m --canary-for nor the gate command ran out");
    assert!(err.contains("Promoted") && err.contains("by alice@"), "{err}");
    assert!(!err.contains("Gate web/dev: command"), "the gate command was skipped: {err}");
    assert_eq!(env.app_ids().len(), 1);
}

/// Puts `value` at `key` in the env's etcd (a test changing etcd behind theseus's back).
fn etcd_put(env: &Env, key: &str, value: &str) {
    let (endpoint, key, value) = (env.etcd.endpoint.clone(), key.to_owned(), value.to_owned());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let mut client = etcd_client::Client::connect([endpoint], None).await.unwrap();
            client.put(key, value, None).await.unwrap();
        });
    })
    .join()
    .unwrap();
}

#[test]
fn sync_keeps_the_canary_flag_by_the_same_rule_as_the_rollout() {
    let env = Env::start();
    env.first(2);
    let file = env.write("v2.toml", &spec("2", SLEEP, 2));
    let (code, _, err) = env.run(&args(&["update", &file, "--canary", "1", "--promote", "manual", "--detach"]));
    assert_eq!(code, Some(11), "{err}");
    // The canary's info loses its flag behind theseus's back; `sync --once` writes it again.
    let (key, mut info) = env
        .etcd
        .dump()
        .into_iter()
        .filter(|(k, _)| k.starts_with("/services/web/dev/containers/") && k.ends_with("/info"))
        .map(|(k, v)| (k, serde_json::from_str::<Value>(&v).unwrap()))
        .find(|(_, i)| i["canary"] == true)
        .expect("a canary container");
    info.as_object_mut().unwrap().remove("canary");
    etcd_put(&env, &key, &info.to_string());
    let report = env.json(&["sync", "--once"]);
    let canaries: Vec<Value> = env.infos().into_iter().filter(|i| i["canary"] == true).collect();
    assert_eq!(canaries.len(), 1, "sync flags the canary again: {report:#}");
    assert_eq!(canaries[0]["instance_name"], info["instance_name"]);
    assert_eq!(env.infos().len(), 3, "two old containers and the canary");
}

#[test]
fn pause_and_resume_a_rollout_whose_client_died() {
    let env = Env::start();
    env.first(3);
    let file = env.write("v2.toml", &spec("2", SLEEP, 3));
    let mut child = env
        .process()
        .args(["--lock-ttl", "2s", "update", &file, "--batch", "1", "--wait", "30s"])
        .args(FAST)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    env.until("the first batch is journaled", Some(&mut child), |e| {
        e.key(JOURNAL).is_some_and(|j| j["batches_done"] == 1)
    });
    child.kill().unwrap();
    child.wait().unwrap();
    // Nobody runs it any more: once the dead client's lock lapses, `pause` journals it paused.
    let out = env.cmd().env("USER", "alice").args(["rollout", "pause", "web/dev"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let journal = env.key(JOURNAL).unwrap();
    assert_eq!(journal["state"], "paused");
    assert!(journal["hold"]["by"].as_str().unwrap().starts_with("alice@"), "{journal}");
    let (code, _, err) = env.run(&args(&["update", &file]));
    assert_eq!(code, Some(6), "paused: {err}");
    let (code, doc, err) = env.run(&args(&["rollout", "resume", "web/dev", "--wait", "0s"]));
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "rolled");
    assert_eq!(env.app_ids().len(), 1);
    assert_eq!(env.per_app()[0].1, 3);
    assert!(env.key(JOURNAL).is_none());
}

#[test]
fn removing_a_paused_group_removes_its_journal_so_it_can_be_created_and_updated_again() {
    let env = Env::start();
    env.first(2);
    let file = env.write("v2.toml", &spec("2", SLEEP, 2));
    let (code, _, err) = env.run(&args(&["update", &file, "--canary", "1", "--promote", "manual", "--detach"]));
    assert_eq!(code, Some(11), "{err}");
    env.ok(&["remove", "web", "-l", "dev"]);
    assert!(env.key(JOURNAL).is_none() && env.key(MARK).is_none(), "the group's bookkeeping went with it");
    assert!(env.etcd.dump().iter().any(|(k, _)| k.starts_with("/theseus/history/web/dev")), "its history stays");
    env.first(2);
    let (code, _, err) = env.run(&args(&["update", &file]));
    assert_eq!(code, Some(0), "not paused any more: {err}");
}
