//! Deployments of the local engine: the rolling restart of
//! M:src/main/scala/mesosphere/marathon/core/deployment/impl/TaskReplaceActor.scala under each worked upgrade
//! strategy (n = 3), observed through the event stream, and "minimum health capacity is never
//! undershot" when the new version never becomes healthy.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::engine::{frames, Engine};

const T: Duration = Duration::from_secs(30);

/// What the event stream showed of one restart.
struct Replay {
    /// Task states in order: (task id, is new, state).
    updates: Vec<(String, bool, String)>,
}

impl Replay {
    fn index(&self, pred: impl Fn(&(String, bool, String)) -> bool) -> usize {
        self.updates.iter().position(pred).expect("event present")
    }
    /// Max tasks alive (not terminal) and min tasks RUNNING (after the first update) over the restart.
    fn bounds(&self, start_alive: &BTreeSet<String>) -> (usize, usize) {
        let mut state: BTreeMap<String, String> =
            start_alive.iter().map(|t| (t.clone(), "TASK_RUNNING".to_string())).collect();
        let (mut max_alive, mut min_running) = (state.len(), usize::MAX);
        for (id, _, s) in &self.updates {
            if ["TASK_KILLED", "TASK_FAILED", "TASK_FINISHED"].contains(&s.as_str()) {
                state.remove(id);
            } else {
                state.insert(id.clone(), s.clone());
            }
            max_alive = max_alive.max(state.len());
            min_running = min_running.min(state.values().filter(|v| *v == "TASK_RUNNING").count());
        }
        (max_alive, min_running)
    }
}

fn restart_with(min_health: f64, max_over: f64) -> Replay {
    let e = Engine::start();
    let app = json!({"id": "/r", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "instances": 3,
        "upgradeStrategy": {"minimumHealthCapacity": min_health, "maximumOverCapacity": max_over}});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    e.wait_idle(T);
    let old: BTreeSet<String> = e.tasks("/r").iter().map(|t| t["id"].as_str().expect("task id").to_string()).collect();
    let mut stream = e.events("?event_type=status_update_event&event_type=deployment_success");
    stream.read_until(T, |t| t.contains("\r\n\r\n") || t.contains("\r\n"));
    let r = e.call("POST", "/v2/apps/r/restart", None);
    let dep = r.json["deploymentId"].as_str().expect("deployment id").to_string();
    let text = stream.read_until(T, |t| t.contains(&dep));
    let updates = frames(&text)
        .into_iter()
        .filter(|(k, _)| k == "status_update_event")
        .map(|(_, v): (String, Value)| {
            let id = v["taskId"].as_str().expect("taskId").to_string();
            let is_new = !old.contains(&id);
            (id, is_new, v["taskStatus"].as_str().expect("taskStatus").to_string())
        })
        .collect();
    let replay = Replay { updates };
    assert_eq!(e.tasks("/r").len(), 3);
    REPLAY_OLD.with(|o| *o.borrow_mut() = old);
    replay
}

thread_local! {
    static REPLAY_OLD: std::cell::RefCell<BTreeSet<String>> = const { std::cell::RefCell::new(BTreeSet::new()) };
}

fn old_tasks() -> BTreeSet<String> {
    REPLAY_OLD.with(|o| o.borrow().clone())
}

#[test]
fn restart_1_1_starts_three_new_before_killing_old() {
    let r = restart_with(1.0, 1.0);
    let third_new_staged =
        r.updates.iter().enumerate().filter(|(_, u)| u.1 && u.2 == "TASK_STAGING").nth(2).expect("3 new").0;
    let first_old_kill = r.index(|u| !u.1 && u.2 == "TASK_KILLING");
    assert!(third_new_staged < first_old_kill, "{:?}", r.updates);
    let (max_alive, min_running) = r.bounds(&old_tasks());
    assert!(max_alive <= 6);
    assert!(min_running >= 3, "never below 100% healthy: {min_running}");
}

#[test]
fn restart_1_0_replaces_one_at_a_time_with_capacity_4() {
    let r = restart_with(1.0, 0.0);
    let (max_alive, min_running) = r.bounds(&old_tasks());
    assert_eq!(max_alive, 4, "{:?}", r.updates);
    assert!(min_running >= 3);
    let first_old_kill = r.index(|u| !u.1 && u.2 == "TASK_KILLING");
    let first_new_running = r.index(|u| u.1 && u.2 == "TASK_RUNNING");
    assert!(first_new_running < first_old_kill);
}

#[test]
fn restart_half_0_kills_one_first_and_alternates() {
    let r = restart_with(0.5, 0.0);
    let first_old_kill = r.index(|u| !u.1 && u.2 == "TASK_KILLING");
    let first_new_staged = r.index(|u| u.1 && u.2 == "TASK_STAGING");
    assert!(first_old_kill < first_new_staged, "{:?}", r.updates);
    let kills_before_new = r.updates[..first_new_staged].iter().filter(|u| !u.1 && u.2 == "TASK_KILLING").count();
    assert_eq!(kills_before_new, 1);
    let (max_alive, min_running) = r.bounds(&old_tasks());
    assert!(max_alive <= 3, "max {max_alive}");
    assert!(min_running >= 2, "min {min_running}");
}

#[test]
fn restart_0_0_kills_all_three_first() {
    let r = restart_with(0.0, 0.0);
    let first_new_staged = r.index(|u| u.1 && u.2 == "TASK_STAGING");
    let kills_before_new = r.updates[..first_new_staged].iter().filter(|u| !u.1 && u.2 == "TASK_KILLING").count();
    assert_eq!(kills_before_new, 3, "{:?}", r.updates);
    let (max_alive, _) = r.bounds(&old_tasks());
    assert!(max_alive <= 3);
}

#[test]
fn minimum_health_capacity_is_never_undershot_when_the_new_version_never_becomes_healthy() {
    let e = Engine::start();
    // A COMMAND check is run by Mesos, which kills at `maxConsecutiveFailures` failures (0: at
    // the first; docs/docs/health-checks.md), so a high limit keeps the failing tasks alive.
    let check = |cmd: &str| json!([{"protocol": "COMMAND", "command": {"value": cmd}, "intervalSeconds": 1, "gracePeriodSeconds": 0, "maxConsecutiveFailures": 1000}]);
    let app =
        json!({"id": "/h", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "instances": 3, "healthChecks": check("true")});
    e.call("POST", "/v2/apps", Some(&app));
    e.wait_idle(T);
    let old: BTreeSet<String> = e.tasks("/h").iter().map(|t| t["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(e.get("/v2/apps/h")["app"]["tasksHealthy"], 3);
    let r = e.call("PATCH", "/v2/apps/h", Some(&json!({"healthChecks": check("false")})));
    assert_eq!(r.status, 200);
    e.wait_for("new tasks to fail their checks twice", T, |e| {
        let tasks = e.tasks("/h");
        let failing = tasks
            .iter()
            .filter(|t| {
                !old.contains(t["id"].as_str().unwrap())
                    && t["healthCheckResults"][0]["consecutiveFailures"].as_u64().unwrap_or(0) >= 2
            })
            .count();
        failing == 3
    });
    let tasks = e.tasks("/h");
    let old_running =
        tasks.iter().filter(|t| old.contains(t["id"].as_str().unwrap()) && t["state"] == "TASK_RUNNING").count();
    assert_eq!(old_running, 3, "the old version keeps every instance");
    let deps = e.get("/v2/deployments");
    assert_eq!(deps.as_array().unwrap().len(), 1, "the deployment stays open");
    assert_eq!(deps[0]["currentActions"][0]["action"], "RestartApplication");
}

#[test]
fn scale_down_follows_kill_selection() {
    let e = Engine::start();
    let app = json!({"id": "/s", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "instances": 1, "killSelection": "OLDEST_FIRST"});
    e.call("POST", "/v2/apps", Some(&app));
    e.wait_idle(T);
    let oldest = e.tasks("/s")[0]["id"].clone();
    e.call("PATCH", "/v2/apps/s", Some(&json!({"instances": 3})));
    e.wait_idle(T);
    e.call("PATCH", "/v2/apps/s", Some(&json!({"instances": 2})));
    e.wait_idle(T);
    e.wait_for("the killed task to end", T, |e| e.tasks("/s").len() == 2);
    assert!(e.tasks("/s").iter().all(|t| t["id"] != oldest), "OLDEST_FIRST kills the oldest");
}
