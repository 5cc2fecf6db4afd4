//! One registration rule for commands and `theseus sync`: a running task whose health is
//! *unknown* (it has health checks and not every check has reported) keeps its registration,
//! is not registered until a result says healthy, and a failing result deregisters it.
//!
//! What Marathon 1.10.26 reports (paths under `src/main/scala/mesosphere/marathon/`):
//! `core/health/impl/HealthCheckActor.scala` keeps a task's `Health` in `healthByInstanceId`,
//! which starts empty (on every leader, so after a leader change too) and gets an entry only
//! when a check result arrives; `core/health/impl/MarathonHealthCheckManager.scala` `statuses`
//! lists only those entries; `core/appinfo/impl/AppInfoBaseData.scala` (`enrichedTasksFuture`)
//! gives a task without entries `Nil`, which `raml/TaskConversion.scala` writes as
//! `"healthCheckResults": []`. So right after a leader change every running task shows no
//! result until its checks report again, while its health (`core/health/Health.scala`
//! `alive`) is in fact whatever it was.
//!
//! The local engine does the same: `DELETE /v2/leader` forgets every result, and a check that
//! is under way (here one whose task never answers) reports nothing until it ends.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::support::env::Env;
use crate::support::gk;

const T: Duration = Duration::from_secs(60);

/// The task's HTTP check target: answers 200, or 500 once the file `fail` is in its sandbox;
/// once the file `hang` is there, it never answers and says so by creating `hanging`.
const SERVER: &str = r#"
import http.server, os, time
class Check(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if os.path.exists("hang"):
            open("hanging", "w").close()
            time.sleep(3600)
            return
        self.send_response(500 if os.path.exists("fail") else 200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT0"])), Check).serve_forever()
"#;

/// A group of three tasks checked every second with no grace period (a failure counts at
/// once) and a timeout long enough that a check without an answer reports nothing meanwhile.
fn spec(env: &Env) -> String {
    let server = env.write("server.py", SERVER);
    env.write(
        "spec.toml",
        &format!(
            r#"namespace = "it"
[service.web]
cmd = "exec python3 {server}"
cpus = 0.1
mem = 32
ports = [{{ name = "http" }}]
health = {{ protocol = "HTTP", path = "/", port = "http", grace = "0s", interval = "1s", timeout = "300s", max_failures = 0 }}
[[service.web.group]]
labels = ["dev"]
instances = 3
"#
        ),
    )
}

/// The group's tasks by id, as Marathon lists them (with `healthCheckResults`).
fn tasks(env: &Env) -> Vec<Value> {
    let id = env.only_app()["id"].as_str().unwrap().to_owned();
    let mut tasks = env.engine.tasks(&id);
    tasks.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    tasks
}

fn results_of(env: &Env, task: &str) -> Vec<Value> {
    let all = tasks(env);
    let t = all.iter().find(|t| t["id"] == task).unwrap_or_else(|| panic!("task {task} is gone: {all:#?}"));
    assert_eq!(t["state"], "TASK_RUNNING", "{t:#}");
    t["healthCheckResults"].as_array().cloned().unwrap_or_default()
}

fn healthy(env: &Env, task: &str) -> bool {
    let r = results_of(env, task);
    r.len() == 1 && r[0]["alive"] == true
}

fn failing(env: &Env, task: &str) -> bool {
    let r = results_of(env, task);
    r.len() == 1 && r[0]["alive"] == false && r[0]["lastFailure"].is_string()
}

fn sandbox(env: &Env, task: &str) -> PathBuf {
    env.engine.handle().task_sandbox(task).unwrap()
}

fn registered(env: &Env) -> BTreeSet<String> {
    env.container_ids("web", "dev")
}

fn set<const N: usize>(names: [&str; N]) -> BTreeSet<String> {
    names.into_iter().map(str::to_owned).collect()
}

/// The container infos etcd holds for `names`, to put them back later as they were.
fn infos(env: &Env, names: &[&str]) -> Vec<theseus::etcd::ContainerInfo> {
    names
        .iter()
        .map(|name| {
            let key = format!("/services/web/dev/containers/{name}/info");
            let (_, v) = env.etcd.dump().into_iter().find(|(k, _)| *k == key).unwrap();
            serde_json::from_str(&v).unwrap()
        })
        .collect()
}

/// The state both registration passes start from: `unknown` and `failing` registered as a
/// previous leader's results left them, `healthy` not registered.
fn prepare(env: &Env, put: &[theseus::etcd::ContainerInfo], healthy: &str) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let d = env.etcd.driver().await;
        for info in put {
            d.register_container(&gk("web", "dev"), info).await.unwrap();
        }
        d.deregister_container(&gk("web", "dev"), healthy).await.unwrap();
    });
}

#[test]
fn commands_and_sync_keep_unknown_health_register_healthy_and_deregister_failing() {
    let env = Env::start();
    let spec = spec(&env);
    env.cmd().args(["create", &spec, "--poll-interval", "200ms"]).assert().success();
    let ids: Vec<String> = tasks(&env).iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect();
    let [unknown, bad, good] = [ids[0].as_str(), ids[1].as_str(), ids[2].as_str()];
    assert_eq!(registered(&env), set([unknown, bad, good]), "create registers the healthy tasks");
    let before = infos(&env, &[unknown, bad]);

    // `unknown`'s next check gets no answer; `bad` starts failing.
    std::fs::write(sandbox(&env, unknown).join("hang"), "").unwrap();
    env.engine.wait_for("a check without an answer", T, |_| sandbox(&env, unknown).join("hanging").exists());
    std::fs::write(sandbox(&env, bad).join("fail"), "").unwrap();
    env.engine.wait_for("a failing result", T, |_| failing(&env, bad));

    // A leader change: Marathon forgets every result; the checks that can report do so.
    let r = env.engine.call("DELETE", "/v2/leader", None);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(results_of(&env, unknown), Vec::<Value>::new(), "no result yet: `healthCheckResults: []`");
    env.engine.wait_for("results after the leader change", T, |_| healthy(&env, good) && failing(&env, bad));
    assert!(results_of(&env, unknown).is_empty(), "its check is still under way");

    // A command's registration pass (scale to the same count, so nothing else changes).
    prepare(&env, &before, good);
    let out = env.json(&["scale", "web", "-l", "dev", "--instances", "3", "--no-wait"]);
    assert_eq!(
        registered(&env),
        set([unknown, good]),
        "a command keeps the unknown task, registers the healthy one and drops the failing one: {out:#}"
    );
    assert!(results_of(&env, unknown).is_empty(), "the task's health was still unknown");

    // `theseus sync --once` from the same state does the same.
    prepare(&env, &before, good);
    let report = env.json(&["sync", "--once"]);
    assert_eq!(registered(&env), set([unknown, good]), "sync agrees with the command: {report:#}");
    let detail = report["details"].as_array().unwrap().iter().find(|d| d["group"] == "dev").unwrap().clone();
    assert_eq!(detail["registered"], serde_json::json!([good]), "{report:#}");
    assert_eq!(detail["deregistered"], serde_json::json!([bad]), "{report:#}");
    assert_eq!(detail["unknown"], serde_json::json!([unknown]), "{report:#}");
    assert!(results_of(&env, unknown).is_empty(), "the task's health was still unknown");

    // `plan` finds no registration drift in a kept unknown task.
    let plan = env.json(&["plan", &spec]);
    let row = plan.as_array().unwrap().iter().find(|r| r["group"] == "dev").unwrap();
    assert_eq!(row["registration"]["stale"], serde_json::json!([]), "{plan:#}");
    assert_eq!(row["registration"]["missing"], serde_json::json!([]), "{plan:#}");
}

/// A command's registration pass costs one range read and one transaction per group (up to
/// `MAX_TXN_OPS` operations), not a request per container, and a second pass only the read.
#[test]
fn a_commands_registration_pass_is_one_read_and_one_batched_write_per_group() {
    use theseus::marathon::types::{App, HealthCheck, Task, TaskState};
    use theseus::rollout::live::{LiveGroup, Snapshot};
    use theseus::rollout::register;

    let etcd = crate::support::etcd::Etcd::start();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let d = etcd.driver().await;
        let key = gk("web", "dev");
        d.create_group(&key, &serde_json::json!({})).await.unwrap();
        let task = |i: usize, results: Option<Vec<theseus::marathon::types::HealthCheckResult>>| Task {
            id: format!("t{i:03}"),
            host: "127.0.0.2".into(),
            ports: Some(vec![31000 + i as u32]),
            state: TaskState::Running,
            health_check_results: results,
            ..Task::default()
        };
        let alive = theseus::marathon::types::HealthCheckResult { alive: true, ..Default::default() };
        // 40 healthy tasks to register, 1 of unknown health (registered), 20 stale registrations.
        let mut tasks: Vec<Task> = (0..40).map(|i| task(i, Some(vec![alive.clone()]))).collect();
        tasks.push(task(40, Some(Vec::new())));
        let app = App {
            id: "/it/web/dev/r1".into(),
            health_checks: Some(vec![HealthCheck::default()]),
            tasks: Some(tasks),
            ..App::default()
        };
        let stale: Vec<_> = (100..120).map(|i| crate::etcd_driver::info(&format!("t{i:03}"), 1)).collect();
        d.register_containers(&key, &stale).await.unwrap();
        d.register_container(&key, &crate::etcd_driver::info("t040", 31040)).await.unwrap();
        let mut snap = Snapshot::default();
        let live = LiveGroup {
            key: key.clone(),
            labels: ["dev".to_owned()].into(),
            group_id: "/it/web/dev".into(),
            namespace: "it".into(),
            apps: vec![app],
        };
        snap.groups.insert(("it".into(), "web".into(), "dev".into()), live);

        let before = d.requests_sent();
        let regs = register::sync(&d, &snap, std::slice::from_ref(&key)).await.unwrap();
        assert_eq!(d.requests_sent() - before, 2, "one range read, then (40 + 20) * 2 ops in one transaction");
        assert_eq!(regs[0].report.registered.len(), 40);
        assert_eq!(regs[0].report.deregistered.len(), 20);
        assert_eq!(regs[0].containers, 41, "the 40 healthy tasks and the one of unknown health");
        let names = d.get_group_container_names(&key).await.unwrap();
        assert_eq!(names.len(), 41);
        assert!(names.contains(&"t040".to_owned()));

        let before = d.requests_sent();
        let again = register::sync(&d, &snap, std::slice::from_ref(&key)).await.unwrap();
        assert_eq!(d.requests_sent() - before, 1, "nothing to change: the read alone");
        assert!(again[0].report.is_empty(), "{:?}", again[0].report);

        let missing = register::sync(&d, &snap, &[gk("web", "gone")]).await.unwrap_err();
        assert!(missing.is_not_found(), "{missing}");
    });
}
