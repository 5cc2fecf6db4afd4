//! Integrity: no command leaves etcd or Marathon wrong. Five regression cases (shared etcd keys across namespaces, nested namespaces, deregistering before
//! Marathon accepts, racing creates, a write whose answer came late), ownership, path
//! overlaps and recovery from Marathon's labels, end to end with the real binary, a real etcd
//! and the local engine. [`Env::assert_consistent`] is the check the fault suite
//! (`integrity_faults.rs`) runs after every trial.

use std::time::Duration;

use serde_json::{json, Value};

use super::support::consistency::{spec_text, FAST};
use super::support::engine::Engine;
use super::support::env::Env;
use super::support::proxy::{Fault, Proxy};

/// A managed app as theseus renders it, created behind theseus's back.
pub(crate) fn managed_app(id: &str, service: &str, group: &str) -> Value {
    json!({
        "id": id, "cmd": "sleep 600", "cpus": 0.01, "mem": 8, "instances": 1,
        "labels": { "theseus.managed": "true", "theseus.service": service, "theseus.group": group,
                    "theseus.revision": "r1", format!("theseus.tag.{group}"): "" }
    })
}

/// Shared etcd keys across namespaces: two namespaces with the same service and labels in one etcd root. The
/// second `create` is refused (exit 2, naming the owner and `--etcd-prefix`) before anything
/// reaches Marathon; `remove` from the other namespace never deletes the first's keys; with
/// their own `--etcd-prefix` both namespaces work side by side.
#[test]
fn namespaces_sharing_an_etcd_root_never_touch_each_others_groups() {
    let env = Env::start();
    let demo = env.spec("demo.toml", &spec_text("demo", "hello", &[("backend,dev", 1)]));
    let demo2 = env.spec("demo2.toml", &spec_text("demo2", "hello", &[("backend,dev", 1)]));
    env.ok(&[&["create", demo.to_str().unwrap()][..], &FAST].concat());
    let before = env.etcd_dump();

    let refused = env.out(&[&["create", demo2.to_str().unwrap()][..], &FAST].concat());
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert!(refused.stderr.contains("belongs to namespace `demo`"), "{}", refused.stderr);
    assert!(refused.stderr.contains("--etcd-prefix"), "{}", refused.stderr);
    assert!(env.marathon_groups("demo2").is_empty(), "nothing reached Marathon");
    assert_eq!(env.etcd_dump(), before, "etcd unchanged");

    // A remove from the other namespace finds nothing of its own and deletes nothing.
    let removed = env.out(&["remove", "hello", "--all", "--namespace", "demo2"]);
    assert_eq!(removed.code, Some(2), "{}", removed.stderr);
    assert!(removed.stderr.contains("nothing to remove"), "{}", removed.stderr);
    assert_eq!(env.etcd_dump(), before);

    // Separate roots: the same names live side by side, and removing one leaves the other.
    env.ok(&[&["create", demo2.to_str().unwrap(), "--etcd-prefix", "demo2"][..], &FAST].concat());
    env.assert_consistent("", "demo");
    env.assert_consistent("/demo2", "demo2");
    env.ok(&["remove", "hello", "--all", "--namespace", "demo2", "--etcd-prefix", "demo2"]);
    env.assert_consistent("", "demo");
    env.assert_consistent("/demo2", "demo2");
    env.ok(&["remove", "hello", "--all", "--namespace", "demo"]);
    env.assert_consistent("", "demo");
    assert!(env.etcd_groups("").0.is_empty());
}

/// A record another namespace owns blocks `scale` and `remove` of a same-named group living in
/// Marathon (exit 2, etcd unchanged); `remove --force` removes the Marathon apps and leaves
/// the other namespace's record alone.
#[test]
fn a_foreign_etcd_record_is_never_written_or_deleted() {
    let env = Env::start();
    let demo = env.spec("demo.toml", &spec_text("demo", "hello", &[("dev", 1)]));
    env.ok(&[&["create", demo.to_str().unwrap()][..], &FAST].concat());
    // demo2's group exists in Marathon only (as an older theseus could leave it).
    let app = managed_app("/demo2/hello/dev/r1", "hello", "dev");
    assert_eq!(env.engine.call("POST", "/v2/apps", Some(&app)).status, 201);
    env.engine.wait_idle(Duration::from_secs(60));
    let before = env.etcd_dump();

    let scale = env.out(&[&["scale", "hello", "-l", "dev", "-n", "2", "--namespace", "demo2"][..], &FAST].concat());
    assert_eq!(scale.code, Some(2), "{}", scale.stderr);
    assert!(scale.stderr.contains("belongs to namespace `demo`"), "{}", scale.stderr);
    let remove = env.out(&["remove", "hello", "-l", "dev", "--namespace", "demo2"]);
    assert_eq!(remove.code, Some(2), "{}", remove.stderr);
    let restart = env.out(&["restart", "hello", "-l", "dev", "--namespace", "demo2"]);
    assert_eq!(restart.code, Some(2), "{}", restart.stderr);
    assert!(restart.stderr.contains("belongs to namespace `demo`"), "{}", restart.stderr);
    let spec2 = env.spec("demo2.toml", &spec_text("demo2", "hello", &[("dev", 1)]).replace("sleep 600", "sleep 601"));
    let update = env.out(&["update", spec2.to_str().unwrap(), "--poll-interval", "100ms"]);
    assert_eq!(update.code, Some(2), "{}", update.stderr);
    assert!(update.stderr.contains("belongs to namespace `demo`"), "{}", update.stderr);
    assert_eq!(env.etcd_dump(), before, "refusals leave etcd as it was");

    env.ok(&["remove", "hello", "-l", "dev", "--namespace", "demo2", "--force"]);
    assert!(env.marathon_groups("demo2").is_empty());
    env.assert_consistent("", "demo");
}

/// Nested namespaces: namespace `nest` (service `b`, labels `c`: `/nest/b/c`) and namespace
/// `nest/b` (service `c`: `/nest/b/c/...`) would nest. The second `create` is refused before
/// any change; and `remove` deletes exactly its group's apps, never a parent group that holds
/// something else (here an app Theseus does not manage).
#[test]
fn nested_marathon_paths_are_refused_and_remove_keeps_what_is_not_its_own() {
    let env = Env::start();
    let outer = env.spec("outer.toml", &spec_text("nest", "b", &[("c", 1)]));
    let inner = env.spec("inner.toml", &spec_text("nest/b", "c", &[("x", 1)]));
    env.ok(&[&["create", outer.to_str().unwrap()][..], &FAST].concat());
    let before = env.etcd_dump();
    let refused = env.out(&[&["create", inner.to_str().unwrap(), "--etcd-prefix", "inner"][..], &FAST].concat());
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert!(refused.stderr.contains("must not nest") && refused.stderr.contains("/nest/b/c"), "{}", refused.stderr);
    assert!(env.marathon_groups("nest/b").is_empty());
    assert_eq!(env.etcd_dump(), before);

    // Something else appears inside the group's path: remove must leave it running.
    let foreign = json!({ "id": "/nest/b/c/sidecar", "cmd": "sleep 600", "cpus": 0.01, "mem": 8, "instances": 1 });
    assert_eq!(env.engine.call("POST", "/v2/apps", Some(&foreign)).status, 201);
    env.engine.wait_idle(Duration::from_secs(60));
    let dry = env.ok(&["remove", "b", "-l", "c", "--namespace", "nest", "--dry-run", "-o", "json"]).json();
    assert_eq!(dry.as_array().unwrap().len(), 1, "{dry}");
    env.ok(&[&["remove", "b", "-l", "c", "--namespace", "nest"][..], &FAST].concat());
    assert_eq!(env.engine.call("GET", "/v2/apps/nest/b/c/sidecar", None).status, 200, "the foreign app survives");
    env.engine.wait_for("the sidecar to run", Duration::from_secs(30), |e| {
        e.tasks("/nest/b/c/sidecar").iter().any(|t| t["state"] == "TASK_RUNNING")
    });
    env.assert_consistent("", "nest");
}

/// Puts the one app of namespace `it` under a deployment that never ends, and returns its id:
/// a restart that can never place its new tasks keeps a deployment open (upgradeStrategy {1, 1}
/// keeps the old tasks running: M:.../core/deployment/impl/TaskReplaceActor.scala).
fn hold_with_a_stuck_deployment(env: &Env) -> String {
    let (app_id, _) = env.marathon_groups("it").into_iter().next().unwrap();
    let stuck = json!({ "constraints": [["hostname", "LIKE", "nowhere"]] });
    assert_eq!(env.engine.call("PUT", &format!("/v2/apps{app_id}"), Some(&stuck)).status, 200);
    app_id
}

/// Deregistering before Marathon accepts: `scale` while a Marathon deployment holds the app is refused with exit 6
/// before anything is drained: etcd still lists both healthy tasks.
#[test]
fn scale_during_a_deployment_is_refused_before_anything_is_drained() {
    let env = Env::start();
    let before = {
        let spec = env.spec("s.toml", &spec_text("it", "web", &[("dev", 2)]));
        env.ok(&[&["create", spec.to_str().unwrap()][..], &FAST].concat());
        env.assert_consistent("", "it");
        env.etcd_revisions("/services/")
    };
    hold_with_a_stuck_deployment(&env);
    for n in ["1", "3"] {
        let out = env.out(&[&["scale", "web", "-l", "dev", "-n", n][..], &FAST].concat());
        assert_eq!(out.code, Some(6), "scale to {n}: {}", out.stderr);
        assert!(out.stderr.contains("deployment"), "{}", out.stderr);
        assert!(out.stderr.contains("pass --force to cancel it and scale anyway"), "{}", out.stderr);
        // Not one registration was deleted and written back: every key kept its revisions.
        assert_eq!(env.etcd_revisions("/services/"), before, "scale to {n} never touched etcd");
    }
    env.ok(&["remove", "web", "--all", "--force"]);
    env.assert_consistent("", "it");
}

/// `scale --force` over a stuck restart, never stopping a task that serves. The restart's
/// new instances wait in the launch queue; the forced change would cancel the restart, which
/// leaves them queued (M:src/main/scala/mesosphere/marathon/core/deployment/impl/StopActor.scala,
/// M:src/main/scala/mesosphere/marathon/core/deployment/impl/TaskStartActor.scala `postStop`),
/// and its scale-down then stops placed tasks before them
/// (M:src/main/scala/mesosphere/marathon/core/deployment/ScalingProposition.scala `propose`):
/// both serving tasks would go, for one instance that never runs. So it is refused before any
/// change (exit 2): the deployment stays, both tasks run on, registered, and etcd equals Marathon.
#[test]
fn scale_force_over_a_stuck_restart_refuses_to_stop_serving_tasks() {
    let env = Env::start();
    let spec = env.spec("s.toml", &spec_text("it", "web", &[("dev", 2)]));
    env.ok(&[&["create", spec.to_str().unwrap()][..], &FAST].concat());
    let before = env.etcd_revisions("/services/");
    let app_id = hold_with_a_stuck_deployment(&env);
    let deployments = || env.engine.call("GET", "/v2/deployments", None).json.as_array().map_or(0, Vec::len);
    assert_eq!(deployments(), 1, "the stuck restart holds the app");
    env.engine.wait_for("the new instances queued", Duration::from_secs(30), |e| {
        e.call("GET", "/v2/queue", None).json["queue"][0]["count"].as_u64().unwrap_or(0) > 0
    });
    let out = env.out(&[&["scale", "web", "-l", "dev", "-n", "1", "--force"][..], &FAST].concat());
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("without stopping a task that serves"), "{}", out.stderr);
    assert_eq!(deployments(), 1, "the restart still holds the app");
    let app = env.engine.call("GET", &format!("/v2/apps{app_id}"), None).json;
    assert_eq!(app["app"]["instances"], 2, "{app}");
    assert_eq!(app["app"]["tasksRunning"], 2, "{app}");
    assert_eq!(env.etcd_revisions("/services/"), before, "etcd untouched");
    env.assert_consistent("", "it");
    env.ok(&["remove", "web", "--all", "--force"]);
}

/// Racing creates: two `create` of one group at once. The first holds the group's lock
/// while its `PUT /v2/apps` is still on its way to Marathon; the second reads Marathon then
/// (nothing yet). The existence check runs under the lock: the second finds the group once it
/// gets the lock (exit 2) instead of creating it again; one revision, one history entry.
#[test]
fn racing_creates_make_one_group_with_one_revision() {
    let env = Env::proxied();
    let spec = env.spec("s.toml", &spec_text("it", "race", &[("dev", 1)]));
    let args = [&["create", spec.to_str().unwrap(), "--lock-timeout", "60s"][..], &FAST].concat();
    let spawn = || {
        env.process()
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    env.proxy().fault("PUT", "/v2/apps", Fault::Hold(Duration::from_millis(1500)), 1);
    let first = spawn();
    env.engine
        .wait_for("the first PUT", Duration::from_secs(60), |_| env.proxy().seen().iter().any(|s| s.method == "PUT"));
    let second = spawn();
    let mut codes: Vec<Option<i32>> = Vec::new();
    let mut errs = String::new();
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        codes.push(out.status.code());
        errs.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(codes, [Some(0), Some(2)], "{errs}");
    assert!(errs.contains("already exists"), "{errs}");
    assert_eq!(env.proxy().seen().iter().filter(|s| s.method == "PUT").count(), 1, "one PUT");
    assert_eq!(env.marathon_groups("it").len(), 1, "one revision app");
    let history = &env.etcd_dump()["/theseus/history/race/dev"];
    assert_eq!(serde_json::from_str::<Value>(history).unwrap().as_array().unwrap().len(), 1, "{history}");
    env.assert_consistent("", "it");
}

/// A write whose answer came late: Marathon applies `PUT /v2/apps` but answers after the request timeout.
/// The write is not sent again; the client re-reads Marathon, finds the apps, and goes on:
/// exit 0, etcd records and registers the group.
#[test]
fn a_create_whose_answer_comes_late_is_confirmed_not_resent() {
    let env = Env::proxied();
    let spec = env.spec("s.toml", &spec_text("it", "late", &[("dev", 2)]));
    env.proxy().fault("PUT", "/v2/apps", Fault::Delay(Duration::from_secs(4)), 1);
    let out = env.out(&[&["create", spec.to_str().unwrap(), "--request-timeout", "1s", "-v"][..], &FAST].concat());
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let puts = env.proxy().seen().iter().filter(|s| s.method == "PUT").count();
    assert_eq!(puts, 1, "a write is never sent twice");
    assert!(out.stderr.contains("re-reading Marathon"), "{}", out.stderr);
    env.assert_consistent("", "it");
    assert_eq!(env.etcd_groups("").0.values().next().unwrap().len(), 2);
}

/// Recoverability: with etcd's record lost, `scale` works from Marathon's labels and
/// records the group again; `remove` then cleans both; `remove --force` succeeds on a group
/// only etcd has.
#[test]
fn scale_and_remove_work_from_marathon_labels_when_etcd_lost_the_group() {
    let env = Env::start();
    let spec = env.spec("s.toml", &spec_text("it", "lost", &[("dev", 1), ("prod", 1)]));
    env.ok(&[&["create", spec.to_str().unwrap()][..], &FAST].concat());
    env.etcd_delete_prefix("/services/");
    let scaled = env.ok(&[&["scale", "lost", "-l", "dev", "-n", "2", "-o", "json"][..], &FAST].concat()).json();
    assert_eq!(scaled[0]["registered"], 2, "{scaled}");
    let config: Value = serde_json::from_str(&env.etcd_dump()["/services/lost/dev/config"]).unwrap();
    assert_eq!((config["namespace"].as_str(), config["recovered"].as_bool()), (Some("it"), Some(true)));
    // `prod` is in Marathon only: remove finds it by its labels.
    env.ok(&[&["remove", "lost", "-l", "prod"][..], &FAST].concat());
    env.assert_consistent("", "it");
    // A group only etcd has (its Marathon apps deleted by hand): --force removes the record.
    let (app_id, _) = env.marathon_groups("it").into_iter().next().unwrap();
    assert_eq!(env.engine.call("DELETE", &format!("/v2/apps{app_id}"), None).status, 200);
    env.engine.wait_idle(Duration::from_secs(60));
    env.ok(&["remove", "lost", "-l", "dev", "--force"]);
    env.assert_consistent("", "it");
    assert!(env.etcd_groups("").1.is_empty(), "the service marker went with its last group");
}

/// `create --skip-existing` repairs a group an interrupted `create` left in Marathon only.
#[test]
fn create_skip_existing_records_and_registers_a_group_only_marathon_has() {
    let env = Env::start();
    let spec = env.spec("s.toml", &spec_text("it", "half", &[("dev", 2)]));
    env.ok(&[&["create", spec.to_str().unwrap()][..], &FAST].concat());
    env.etcd_delete_prefix("/services/");
    let out = env.ok(&["create", spec.to_str().unwrap(), "--skip-existing", "-o", "json"]).json();
    assert_eq!((out[0]["result"].as_str(), out[0]["registered"].as_u64()), (Some("skipped"), Some(2)), "{out}");
    env.assert_consistent("", "it");
}

/// The retry policy, through the library client: a write whose connection failed
/// before anything was sent fails over to the next URL; a write that reached Marathon and got
/// 503 is never sent again but reported as uncertain; reads are retried; `delete_app` always
/// says `force` (Marathon's code defaults it to true, its RAML to false:
/// M:src/main/scala/mesosphere/marathon/api/v2/AppsResource.scala).
#[tokio::test(flavor = "multi_thread")]
async fn writes_are_sent_again_only_when_no_byte_reached_marathon() {
    use theseus::marathon::{Client, Options};
    let engine = Engine::start();
    let proxy = Proxy::start(&engine.url());
    let opts = |urls: &[String]| Options {
        urls: urls.iter().map(|u| u.parse().unwrap()).collect(),
        timeout: Duration::from_secs(5),
        attempts: 3,
        backoff: Duration::from_millis(20),
        ..Options::default()
    };
    let puts = || proxy.seen().iter().filter(|s| s.method == "PUT").count();
    let app: theseus::marathon::types::App =
        serde_json::from_value(json!({"id": "/r/a", "cmd": "sleep 600", "cpus": 0.01, "mem": 8, "instances": 0}))
            .unwrap();
    // A dead first URL: nothing was sent there, so the write goes to the next one.
    let client = Client::new(&opts(&["http://127.0.0.1:9".into(), proxy.url()])).unwrap();
    client.put_apps(std::slice::from_ref(&app)).await.unwrap();
    assert_eq!(puts(), 1);
    // The create's deployment must end first: it locks the app against the scale below (409).
    engine.wait_idle(Duration::from_secs(30));
    // 503 after forwarding: applied, never resent, reported as uncertain.
    let client = Client::new(&opts(&[proxy.url()])).unwrap();
    proxy.fault("PUT", "/v2/apps", Fault::After(503, "{}".into()), 1);
    let err = client.scale_app("/r/a", 1, false).await.unwrap_err();
    assert!(err.is_uncertain(), "{err:?}");
    assert_eq!(puts(), 2, "sent once");
    assert_eq!(engine.get("/v2/apps/r/a")["app"]["instances"], 1, "Marathon applied it");
    // Reads are retried through 503s.
    proxy.fail_next(2, 503);
    assert!(client.app("/r/a").await.unwrap().is_some());
    // DELETE says force either way.
    client.delete_app("/r/a", false).await.unwrap();
    let deletes: Vec<String> = proxy.seen().into_iter().filter(|s| s.method == "DELETE").map(|s| s.path).collect();
    assert_eq!(deletes, ["/v2/apps/r/a?force=false"]);
}
