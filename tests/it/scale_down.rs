//! Scaling down on a full cluster. Marathon stops placed tasks, healthy or not,
//! before instances still waiting for an offer
//! (M:src/main/scala/mesosphere/marathon/core/deployment/ScalingProposition.scala `propose`,
//! `sortByConditionAndDate`); the engine does the same, and Theseus never lets that stop a task
//! that serves (src/rollout/undo.rs explains the sequence and its limit).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use theseus::local::Config;

use super::support::engine::{test_config, Engine};
use super::support::env::Env;

const T: Duration = Duration::from_secs(30);
const FAST: [&str; 6] = ["--poll-interval", "200ms", "--fail-after", "2s", "--timeout", "60s"];

/// One agent with room for exactly four tasks of 0.25 cpus.
fn full_cluster() -> Engine {
    Engine::start_with(Config { agents: 1, agent_cpus: 1.0, ..test_config() })
}

fn ids(tasks: &[Value], state: &str) -> BTreeSet<String> {
    tasks.iter().filter(|t| t["state"] == state).map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

/// The engine stops the running tasks before it drops instances from the launch queue: 4 running
/// and 6 queued scaled to 4 stop all 4 running ones, and the 4 queued ones take their place.
/// Pins M:src/main/scala/mesosphere/marathon/core/deployment/ScalingProposition.scala
/// (`propose`: `decommissionCount` over every instance with goal Running, `Scheduled` weighs 5)
/// as M:src/main/scala/mesosphere/marathon/core/deployment/impl/DeploymentActor.scala
/// (`scaleRunnable`) uses it.
#[test]
fn the_engine_stops_running_tasks_before_queued_instances() {
    let e = full_cluster();
    let app = json!({"id": "/q", "cmd": "sleep 1000", "cpus": 0.25, "mem": 8, "instances": 4});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    e.wait_idle(T);
    let first = ids(&e.tasks("/q"), "TASK_RUNNING");
    assert_eq!(first.len(), 4);
    e.call("PATCH", "/v2/apps/q", Some(&json!({"instances": 10})));
    e.wait_for("six instances queued", T, |e| e.get("/v2/queue")["queue"][0]["count"] == 6);
    // The scale-up deployment cannot finish: a forced change replaces it.
    let r = e.call("PATCH", "/v2/apps/q?force=true", Some(&json!({"instances": 4})));
    assert_eq!(r.status, 200, "{}", r.text);
    e.wait_for("four new tasks in place of the running ones", T, |e| {
        let running = ids(&e.tasks("/q"), "TASK_RUNNING");
        running.len() == 4 && running.is_disjoint(&first)
    });
}

impl Env {
    /// A full cluster with group `app/dev` at 4 healthy, registered tasks.
    fn full() -> Env {
        let env = Env::with_engine(full_cluster());
        let path = env.dir.path().join("spec.toml");
        let text = "namespace = \"it\"\n[service.app]\ncpus = 0.25\nmem = 16\ncmd = \"sleep 600\"\n\
                    [[service.app.group]]\nlabels = [\"dev\"]\ninstances = 4\n";
        std::fs::write(&path, text).unwrap();
        let (code, err) = env.run_plain(&[&["create", path.to_str().unwrap()][..], &FAST].concat());
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(env.container_ids("app", "dev").len(), 4);
        env
    }

    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("theseus"));
        cmd.env_clear()
            .env("NO_COLOR", "1")
            .args(["--marathon", &self.engine.url(), "--etcd", &self.etcd.endpoint, "--request-timeout", "5s"])
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        cmd
    }

    fn running(&self) -> BTreeSet<String> {
        ids(self.only_app()["tasks"].as_array().unwrap(), "TASK_RUNNING")
    }

    /// Runs theseus, checking all along that every task in `keep` runs and is registered.
    fn run_watching(&self, args: &[&str], keep: &BTreeSet<String>, min_polls: u32) -> (Option<i32>, String) {
        let mut child = self.command(args).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut polls = 0;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "theseus did not end");
            let running = self.running();
            assert!(keep.is_subset(&running), "a serving task stopped: {keep:?} vs running {running:?}");
            let registered = self.container_ids("app", "dev");
            assert!(keep.is_subset(&registered), "a serving task was deregistered: {registered:?}");
            polls += 1;
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(polls >= min_polls, "watched the whole run ({polls} polls)");
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        (status.code(), err)
    }
}

/// Undoing a scale-up from 4 to 10 that cannot be placed never stops one of the 4 healthy,
/// registered tasks: Marathon would stop them before the 6 waiting instances, and nothing in
/// its API drops a waiting instance instead, so Theseus leaves the app at 10 and exits 4 with
/// the reason, before any change. Pins
/// M:src/main/scala/mesosphere/marathon/core/deployment/ScalingProposition.scala (`propose`,
/// `sortByConditionAndDate`), M:src/main/scala/mesosphere/marathon/api/TaskKiller.scala
/// (`killAndScale`: only active instances lower the count) and
/// M:src/main/scala/mesosphere/marathon/api/v2/DeploymentsResource.scala (`cancel`: the revert is
/// a plain scale-down).
#[test]
fn an_undo_on_a_full_cluster_keeps_every_serving_task() {
    let env = Env::full();
    let serving = env.running();
    assert_eq!(serving.len(), 4);
    let args = [&["scale", "app", "-l", "dev", "--instances", "10"][..], &FAST].concat();
    let (code, err) = env.run_watching(&args, &serving, 20);
    assert_eq!(code, Some(4), "{err}");
    assert!(err.contains("without stopping a task that serves") && err.contains("6 instance(s)"), "{err}");
    assert!(err.contains("theseus scale app/dev --instances 4"), "the way out: {err}");
    assert_eq!(env.running(), serving, "the serving tasks run on");
    assert_eq!(env.container_ids("app", "dev"), serving, "and stay registered");
    assert_eq!(env.only_app()["instances"], 10, "left as it is");
}

/// `theseus scale` down while instances wait for an offer refuses (exit 2) before any change
/// when only serving tasks could go, and names the way out; the serving tasks run on and stay
/// registered. Pins M:src/main/scala/mesosphere/marathon/core/deployment/ScalingProposition.scala
/// (`propose`) and M:src/main/scala/mesosphere/marathon/api/TaskKiller.scala (`killAndScale`).
#[test]
fn a_scale_down_with_waiting_instances_keeps_every_serving_task() {
    let env = Env::full();
    let serving = env.running();
    let app_id = env.only_app()["id"].as_str().unwrap().to_owned();
    // Scaled up outside Theseus: six instances wait for an offer, the deployment stays open.
    let r = env.engine.call("PATCH", &format!("/v2/apps{app_id}"), Some(&json!({"instances": 10})));
    assert_eq!(r.status, 200, "{}", r.text);
    env.engine.wait_for("six instances queued", T, |e| e.get("/v2/queue")["queue"][0]["count"] == 6);
    let args = [&["scale", "app", "-l", "dev", "--instances", "6", "--force"][..], &FAST].concat();
    let (code, err) = env.run_watching(&args, &serving, 1);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("without stopping a task that serves") && err.contains("the lowest count"), "{err}");
    assert_eq!(env.running(), serving);
    assert_eq!(env.container_ids("app", "dev"), serving);
    assert_eq!(env.only_app()["instances"], 10, "nothing changed");
}
