//! Kill-and-scale on the local engine as on Marathon 1.10:
//! `POST /v2/tasks/delete?scale=true` opens a `ScaleApplication` deployment that stays open until
//! the killed tasks are terminal, and locks the app against any other non-forced deployment
//! meanwhile; well-formed ids of no task are ignored.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::engine::{Engine, STUBBORN};

const T: Duration = Duration::from_secs(30);

fn task_ids(e: &Engine, app: &str) -> Vec<String> {
    e.tasks(app).iter().map(|t| t["id"].as_str().expect("task id").to_string()).collect()
}

fn deployments(e: &Engine) -> Vec<Value> {
    e.get("/v2/deployments").as_array().cloned().unwrap_or_default()
}

/// A task that ignores SIGTERM lives its kill grace (3 s); the deployment that
/// `POST /v2/tasks/delete?scale=true` returns stays open all that time, and a second kill-and-scale
/// or a scale of the same app is 409 naming it, until the killed task is terminal. Pins
/// M:src/main/scala/mesosphere/marathon/core/deployment/impl/DeploymentActor.scala
/// (`scaleRunnable`, `decommissionInstances`),
/// M:src/main/scala/mesosphere/marathon/core/task/termination/impl/KillStreamWatcher.scala
/// (`watchForKilledTasks`) and
/// M:src/main/scala/mesosphere/marathon/core/deployment/impl/DeploymentManagerActor.scala
/// (`giveUpConflictingDeployment`).
#[test]
fn a_kill_and_scale_deployment_stays_open_until_the_killed_tasks_are_terminal() {
    let e = Engine::start();
    let app = json!({"id": "/slow", "cmd": STUBBORN, "cpus": 0.1, "mem": 8,
        "instances": 3, "taskKillGracePeriodSeconds": 3});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    e.wait_idle(T);
    e.wait_stubborn("/slow", 3);
    let ids = task_ids(&e, "/slow");
    let asked = Instant::now();
    let r = e.call("POST", "/v2/tasks/delete?scale=true", Some(&json!({"ids": [ids[0]]})));
    assert_eq!(r.status, 200, "{}", r.text);
    let dep = r.json["deploymentId"].as_str().expect("deploymentId").to_string();
    assert_eq!(e.get("/v2/apps/slow")["app"]["instances"], 2);

    // Well inside the grace period: the deployment is open and holds the app.
    let open = deployments(&e);
    assert!(open.iter().any(|d| d["id"] == dep.as_str()), "deployment {dep} closed at once: {open:?}");
    let second = e.call("POST", "/v2/tasks/delete?scale=true", Some(&json!({"ids": [ids[1]]})));
    assert_eq!(second.status, 409, "a second kill-and-scale must conflict: {}", second.text);
    assert_eq!(second.json["deployments"][0]["id"], dep.as_str(), "{}", second.text);
    let scale = e.call("PUT", "/v2/apps/slow", Some(&json!({"instances": 1})));
    assert_eq!(scale.status, 409, "a scale must conflict: {}", scale.text);
    assert!(asked.elapsed() < Duration::from_secs(2), "the checks above took too long to be inside the grace");
    // The refused kill killed nothing: the 409 comes before any kill.
    assert!(task_ids(&e, "/slow").contains(&ids[1]));
    assert_eq!(e.get("/v2/apps/slow")["app"]["instances"], 2);

    // The deployment ends only once the killed task is terminal, and not before its grace.
    e.wait_for("the kill-and-scale deployment to end", T, |e| deployments(e).is_empty());
    assert!(asked.elapsed() >= Duration::from_millis(2_900), "ended after {:?}, before the 3 s grace", asked.elapsed());
    assert!(!task_ids(&e, "/slow").contains(&ids[0]), "the killed task outlived its deployment");
    let again = e.call("POST", "/v2/tasks/delete?scale=true&force=false", Some(&json!({"ids": [ids[1]]})));
    assert_eq!(again.status, 200, "{}", again.text);
}

/// `killTasks` ignores a well-formed id of no task and kills the others; an id no task-id
/// pattern matches is 400, one whose UUID does not parse 422, and either refuses the whole
/// request. Pins M:src/main/scala/mesosphere/marathon/api/v2/TasksResource.scala (`killTasks`)
/// and M:src/main/scala/mesosphere/marathon/core/task/Task.scala (`Task.Id.parse`).
#[test]
fn unknown_well_formed_task_ids_are_ignored_and_malformed_ones_refused() {
    let e = Engine::start();
    let app = json!({"id": "/k", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "instances": 2});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    e.wait_idle(T);
    let ids = task_ids(&e, "/k");
    let gone = "k.instance-6a3c0f4e-7c3a-11ef-9e0b-0242ac110002._app.1";

    let bad = e.call("POST", "/v2/tasks/delete", Some(&json!({"ids": [ids[0], "nodots"]})));
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert!(bad.json["message"].as_str().unwrap_or_default().contains("Invalid task id 'nodots'"), "{}", bad.text);
    let uuid = e.call("POST", "/v2/tasks/delete", Some(&json!({"ids": [ids[0], "k.instance-zz._app.1"]})));
    assert_eq!(uuid.status, 422, "{}", uuid.text);
    assert_eq!(task_ids(&e, "/k").len(), 2, "a refused request killed a task");

    let r = e.call("POST", "/v2/tasks/delete?scale=true", Some(&json!({"ids": [ids[0], gone]})));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json["deploymentId"].is_string(), "{}", r.text);
    e.wait_idle(T);
    assert_eq!(task_ids(&e, "/k"), vec![ids[1].clone()]);
    assert_eq!(e.get("/v2/apps/k")["app"]["instances"], 1);

    let plain = e.call("POST", "/v2/tasks/delete", Some(&json!({"ids": [gone]})));
    assert_eq!(plain.status, 200, "{}", plain.text);
    assert_eq!(plain.json["tasks"], json!([]));
}

/// A kill-and-scale whose answer is lost (the proxy forwards it, then answers 502) is confirmed
/// by re-reading, even while Marathon still shows the killed task `TASK_RUNNING`: Mesos's
/// executor reports `TASK_KILLING` in a status update after the answer, but the lower
/// `instances` is stored with the deployment before it
/// (M:src/main/scala/mesosphere/marathon/core/group/impl/GroupManagerImpl.scala,
/// `updateRootEither`). The proxy serves that moment's app (instances down, task running) to
/// every re-read. Reading the task state alone, as before, ends uncertain.
#[tokio::test(flavor = "multi_thread")]
async fn a_lost_kill_answer_is_confirmed_by_the_lower_instance_count_before_task_killing_shows() {
    use crate::support::proxy::{Fault, Proxy};
    use theseus::marathon::{Client, Options};

    let e = Engine::start();
    let app = json!({"id": "/k", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "instances": 2});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    e.wait_idle(T);
    let ids = task_ids(&e, "/k");
    // What Marathon shows between the kill-and-scale and the executor's TASK_KILLING.
    let mut moment = e.get("/v2/apps/k?embed=app.tasks");
    moment["app"]["instances"] = json!(1);
    let moment = moment.to_string();

    let proxy = Proxy::start(&e.url());
    let client = Client::new(&Options {
        urls: vec![proxy.url().parse().unwrap()],
        timeout: Duration::from_secs(5),
        attempts: 1,
        ..Options::default()
    })
    .unwrap();
    let victim = [ids[0].clone()];

    proxy.fault("POST", "/v2/tasks/delete", Fault::After(502, "{}".into()), 1);
    proxy.inject("GET", "/v2/apps/k", 200, &moment, 100);
    let stale = theseus::rollout::kill_tasks(&client, "/k", &victim, true, false, None).await;
    assert!(stale.is_err_and(|e| e.is_uncertain()), "the task state alone cannot confirm it");
    proxy.clear();
    e.wait_idle(T);

    let ids = task_ids(&e, "/k");
    let mut moment = e.get("/v2/apps/k?embed=app.tasks");
    moment["app"]["instances"] = json!(0);
    let victim = [ids[0].clone()];
    proxy.fault("POST", "/v2/tasks/delete", Fault::After(502, "{}".into()), 1);
    proxy.inject("GET", "/v2/apps/k", 200, &moment.to_string(), 100);
    let change = theseus::rollout::kill_tasks(&client, "/k", &victim, true, false, Some(0)).await;
    assert!(change.is_ok(), "{change:?}");
}

/// A task killed without scale is relaunched only once it is terminal: Marathon counts a killing
/// instance as active (M:src/main/scala/mesosphere/marathon/core/condition/Condition.scala,
/// `Killing extends Active`) and its launcher relaunches an instance with goal Running once its
/// task is terminal (M:src/main/scala/mesosphere/marathon/core/launchqueue/impl/
/// TaskLauncherActor.scala). A task that ignores SIGTERM (3 s grace) is never beside its
/// replacement, which matters most for `MARATHON_SINGLE_INSTANCE_APP`.
#[test]
fn a_task_killed_without_scale_is_replaced_only_once_it_is_terminal() {
    let e = Engine::start();
    let app = json!({"id": "/one", "cmd": STUBBORN, "cpus": 0.1, "mem": 8,
        "instances": 1, "taskKillGracePeriodSeconds": 2});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    e.wait_idle(T);
    e.wait_stubborn("/one", 1);
    let first = task_ids(&e, "/one");
    assert_eq!(first.len(), 1);
    let asked = Instant::now();
    let r = e.call("POST", "/v2/tasks/delete", Some(&json!({"ids": first})));
    assert_eq!(r.status, 200, "{}", r.text);
    let mut most = 0;
    e.wait_for("a replacement running", T, |e| {
        let ids = task_ids(e, "/one");
        most = most.max(ids.len());
        ids.len() == 1 && ids[0] != first[0] && e.tasks("/one")[0]["state"] == "TASK_RUNNING"
    });
    assert_eq!(most, 1, "the replacement ran beside the task being killed");
    assert!(asked.elapsed() >= Duration::from_millis(1_900), "replaced after {:?}, inside the grace", asked.elapsed());
}
