//! Which task ends Marathon records as `lastTaskFailure` and which feed its launch backoff, on
//! the engine, and what Theseus makes of them:
//!
//! - M:src/main/scala/mesosphere/marathon/state/TaskFailure.scala (`isFailureState`): only
//!   TASK_FAILED, ERROR, LOST, DROPPED, GONE, GONE_BY_OPERATOR and UNKNOWN are failures; a
//!   task that exits 0 (TASK_FINISHED) is none. `FromUnhealthyInstanceKillEvent`: a
//!   Marathon-level health-check kill is recorded as TASK_KILLED when the kill is decided.
//! - M:src/main/scala/mesosphere/marathon/core/task/update/impl/steps/NotifyRateLimiterStepImpl.scala
//!   (`limitWorthy`): Dropped, Error, Failed, Gone and Finished grow the launch delay; Killed
//!   (a health-check kill included) does not.
//! - Theseus fails fast on a crash loop Marathon records no failure for, and never counts a
//!   failure older than the step (`src/rollout/stuck.rs`).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::support::engine::Engine;
use super::support::env::Env;

const T: Duration = Duration::from_secs(30);

/// How many lines a task's command appended to `file` (one per run).
fn runs(file: &std::path::Path) -> usize {
    std::fs::read_to_string(file).map_or(0, |s| s.lines().count())
}

/// The app's `lastTaskFailure` (null when there is none).
fn last_failure(e: &Engine, app: &str) -> Value {
    e.get(&format!("/v2/apps{app}"))["app"]["lastTaskFailure"].clone()
}

/// The `/v2/queue` delay of an app, in whole seconds left (0 when it is not queued).
fn delay_left(e: &Engine, app: &str) -> u64 {
    let queue = e.get("/v2/queue")["queue"].as_array().cloned().unwrap_or_default();
    queue.iter().find(|q| q["app"]["id"] == app).and_then(|q| q["delay"]["timeLeftSeconds"].as_u64()).unwrap_or(0)
}

/// A task that exits 0 ends TASK_FINISHED: relaunched after the launch backoff, which it grows
/// (`NotifyRateLimiterStep.limitWorthy` holds `Condition.Finished`), but never the app's
/// `lastTaskFailure` (M:src/main/scala/mesosphere/marathon/state/TaskFailure.scala
/// `isFailureState`); one that exits 1 is.
#[test]
fn exit_zero_is_no_task_failure_but_feeds_the_backoff() {
    let e = Engine::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("runs");
    let cmd = format!("echo run >> {}; exit 0", log.display());
    let app = json!({"id": "/done", "cmd": cmd, "cpus": 0.1, "mem": 8, "backoffSeconds": 1, "backoffFactor": 1.0});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    e.wait_for("three runs of the exit-0 task", T, |_| runs(&log) >= 3);
    assert!(last_failure(&e, "/done").is_null(), "TASK_FINISHED is no failure: {}", last_failure(&e, "/done"));

    let slow = json!({"id": "/done-slow", "cmd": "exit 0", "cpus": 0.1, "mem": 8, "backoffSeconds": 60});
    assert_eq!(e.call("POST", "/v2/apps", Some(&slow)).status, 201);
    e.wait_for("the relaunch of the finished task to back off", T, |e| delay_left(e, "/done-slow") > 30);
    assert!(last_failure(&e, "/done-slow").is_null());

    let crash = json!({"id": "/crash", "cmd": "exit 1", "cpus": 0.1, "mem": 8, "backoffSeconds": 60});
    assert_eq!(e.call("POST", "/v2/apps", Some(&crash)).status, 201);
    e.wait_for("a failure", T, |e| last_failure(e, "/crash")["state"] == "TASK_FAILED");
    assert_eq!(last_failure(&e, "/crash")["message"], "Command exited with status 1");
}

/// Tasks killed for failing health checks end TASK_KILLED, which does not grow the launch
/// delay (M:src/main/scala/mesosphere/marathon/core/task/update/impl/steps/NotifyRateLimiterStepImpl.scala
/// `limitWorthy`): with a 60 s backoff they are still relaunched at once. A Marathon-level
/// (HTTP) check's kill is the app's `lastTaskFailure` as TASK_KILLED with the check's reason
/// (M:src/main/scala/mesosphere/marathon/state/TaskFailure.scala `FromUnhealthyInstanceKillEvent`,
/// published by M:src/main/scala/mesosphere/marathon/core/health/impl/HealthCheckActor.scala
/// `checkConsecutiveFailures`); a Mesos-level one only shows Marathon the TASK_KILLED, no failure.
#[test]
fn health_check_kills_are_not_backed_off_and_only_marathon_level_ones_are_failures() {
    let e = Engine::start();
    let dir = tempfile::tempdir().unwrap();
    for (id, protocol) in [("/sick", "HTTP"), ("/mesos-sick", "MESOS_HTTP")] {
        let log = dir.path().join(&id[1..]);
        let cmd = format!("echo run >> {}; exec sleep 1000", log.display());
        let check = json!({"protocol": protocol, "portIndex": 0, "intervalSeconds": 1, "gracePeriodSeconds": 0,
            "maxConsecutiveFailures": 1, "timeoutSeconds": 1});
        let app = json!({"id": id, "cmd": cmd, "cpus": 0.1, "mem": 8, "portDefinitions": [{"port": 0}],
            "backoffSeconds": 60, "healthChecks": [check]});
        assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201, "{id}");
        let mut max_delay = 0;
        e.wait_for("two kills and relaunches", T, |e| {
            max_delay = max_delay.max(delay_left(e, id));
            runs(&log) >= 3
        });
        assert_eq!(max_delay, 0, "{id}: a health-check kill does not back off the relaunch");
        let failure = last_failure(&e, id);
        if protocol == "HTTP" {
            assert_eq!(failure["state"], "TASK_KILLED", "{failure}");
            let message = failure["message"].as_str().unwrap_or_default();
            assert!(message.starts_with("Task was killed since health check failed. Reason: "), "{failure}");
            assert!(failure["timestamp"].is_string() && failure["version"].is_string(), "{failure}");
        } else {
            assert!(failure.is_null(), "Marathon sees only TASK_KILLED: {failure}");
        }
    }
}

impl Env {
    /// A shell script in the temp dir; returns the command that runs it in the task's process.
    fn script(&self, text: &str) -> String {
        let path = self.dir.path().join("run.sh");
        std::fs::write(&path, text).unwrap();
        format!("exec sh {}", path.display())
    }
}

/// A `create` whose command exits 0 at once (a daemon that forks away) is undone (exit 3) within
/// about `--fail-after`, not at `--timeout`: Marathon records no failure for TASK_FINISHED
/// (M:src/main/scala/mesosphere/marathon/state/TaskFailure.scala `isFailureState`) but relaunches
/// the instance, so its `/v2/queue` entry comes back with a new `since`
/// (M:src/main/scala/mesosphere/marathon/core/launchqueue/LaunchStats.scala
/// `launchingInstancesFold`) and task ids are replaced; Theseus counts those ends.
#[test]
fn a_create_whose_tasks_exit_zero_at_once_is_undone_within_fail_after() {
    let env = Env::start();
    for instances in [1, 2] {
        let spec = env
            .app_spec(&format!("cmd = \"exit 0\"\n[[service.app.group]]\nlabels = [\"dev\"]\ninstances = {instances}"));
        let started = Instant::now();
        let args = ["create", &spec, "--poll-interval", "200ms", "--fail-after", "3s", "--timeout", "40s"];
        let (code, err) = env.run_plain(&args);
        assert_eq!(code, Some(3), "{instances} instances: {err}");
        assert!(err.contains("keep ending") && err.contains("no failure"), "{err}");
        assert!(err.contains("was undone"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(20), "within seconds, not at the timeout: {err}");
        assert!(env.engine.get("/v2/apps")["apps"].as_array().unwrap().is_empty(), "gone from Marathon");
    }
}

/// A failure from before a restart (the app's first task exited 1) is still the app's
/// `lastTaskFailure` (Marathon keeps the latest one for the app's whole life,
/// M:src/main/scala/mesosphere/marathon/core/history/impl/HistoryActor.scala, deleted only with
/// the app); the restart's gate counts only failures newer than the step, so one transient
/// failure of a replacement, relaunched after a backoff shorter than `--fail-after`, does not
/// fail the restart. (On the tree before, old + new made two "new" failures counted from the
/// gate's start, expired while the relaunch backed off: exit 4.)
#[test]
fn a_restart_does_not_count_an_old_failure_as_new() {
    let env = Env::start();
    let count = env.dir.path().join("count");
    // Run 1 fails (the old failure); run 2 is the original; run 3, its replacement, fails
    // once after 2 s and is relaunched after the 2 s backoff; run 4 stays up.
    let cmd = env.script(&format!(
        "n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}\n\
         case $n in 1) exit 1;; 3) sleep 2; exit 1;; esac\nexec sleep 1000\n",
        c = count.display()
    ));
    let backoff = "backoff = { delay = \"2s\", factor = 1.0, max_delay = \"10s\" }";
    let spec =
        env.app_spec(&format!("cmd = \"{cmd}\"\n{backoff}\n[[service.app.group]]\nlabels = [\"dev\"]\ninstances = 1"));
    let (code, err) = env.run_plain(&["create", &spec, "--poll-interval", "200ms", "--fail-after", "5s"]);
    assert_eq!(code, Some(0), "{err}");
    let apps = env.engine.get("/v2/apps")["apps"].as_array().unwrap().clone();
    let id = apps[0]["id"].as_str().unwrap().to_owned();
    let old = last_failure(&env.engine, &id);
    assert_eq!(old["state"], "TASK_FAILED", "the old failure happened: {old}");
    let args = ["restart", "app", "-l", "dev", "--batch", "1", "--poll-interval", "200ms", "--fail-after", "3s"];
    let (code, err) = env.run_plain(&[&args[..], &["--min-healthy", "2500ms"]].concat());
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(std::fs::read_to_string(&count).unwrap().trim(), "4", "the replacement failed once, then stayed up");
    assert_ne!(last_failure(&env.engine, &id)["taskId"], old["taskId"], "a new failure happened meanwhile");
}

/// An update to a command that dies within a second of starting, on an app without health
/// checks, fails and is rolled back. Marathon's deployment counts such a task at TASK_RUNNING
/// (M:src/main/scala/mesosphere/marathon/core/deployment/impl/ReadinessBehavior.scala), and the
/// engine now advances it as the task turns Running; a gate woken by that event sees both tasks
/// running well before they exit. Only the rule that an unchecked task counts once seen running
/// a poll interval (src/rollout/stuck.rs `proof_time`) keeps the gate from passing: without it
/// this update exited 0 with both tasks crash-looping.
#[test]
fn an_unchecked_update_whose_tasks_die_within_a_second_is_rolled_back() {
    let env = Env::start();
    let v1 = env.write("v1.toml", &super::support::specs::web_cmd("1", super::support::specs::SLEEP, 2));
    env.ok(&["create", &v1, "--poll-interval", "100ms"]);
    let v2 = env.write("v2.toml", &super::support::specs::web_cmd("2", "sleep 0.4; exit 1", 2));
    let args = ["update", &v2, "--batch", "2", "--poll-interval", "1s", "--fail-after", "3s", "--deadline", "60s"];
    let (code, err) = env.run_plain(&args);
    assert_eq!(code, Some(3), "a crash-looping revision must not pass its gate: {err}");
    assert!(err.contains("rolled back"), "{err}");
    let apps = env.engine.get("/v2/apps?embed=apps.tasks");
    let apps = apps["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 1, "only the old revision is left: {apps:?}");
    assert_eq!(apps[0]["env"]["VERSION"], "1", "{apps:?}");
}
