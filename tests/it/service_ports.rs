//! Service ports: a group keeps its marathon-lb frontend port across revisions (the client), and
//! the engine assigns and validates service ports as Marathon 1.10 does.
//!
//! marathon-lb routes by service port: `marathon_lb.py` (`get_apps`) makes one frontend per
//! service port of an app, bound to `HAPROXY_{n}_PORT` when set (`config.py` `set_port`), and
//! merges the apps that share a `HAPROXY_DEPLOYMENT_GROUP` into one app whose frontend is the
//! older app's. Theseus runs each revision as its own app, so a revision app that got a new
//! service port from Marathon would move the frontend.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::support::engine::Engine;
use super::support::env::Env;

const SERVE: &str = "exec python3 -m http.server $PORT0 --bind $HOST";

/// Two named ports, the first health-checked; `version` is in the env.
fn spec(version: &str, instances: u32) -> String {
    format!(
        r#"
namespace = "it"
[service.web]
cmd = "{SERVE}"
cpus = 0.1
mem = 32
ports = [{{ name = "http" }}, {{ name = "admin" }}]
env = {{ VERSION = "{version}" }}
health = {{ protocol = "HTTP", path = "/", port = "http", grace = "10s", interval = "1s", timeout = "1s", max_failures = 3 }}
marathon_labels = {{ HAPROXY_GROUP = "external" }}
[[service.web.group]]
labels = ["dev"]
instances = {instances}
"#
    )
}

const FAST: [&str; 8] = ["--poll-interval", "200ms", "--fail-after", "5s", "--deadline", "60s", "--batch", "1"];

impl Env {
    fn app_defs(&self) -> Vec<Value> {
        self.engine.get("/v2/apps?embed=apps.tasks")["apps"].as_array().cloned().unwrap_or_default()
    }
}

/// The service ports of an app as Marathon shows them (`AppDefinition.servicePorts`).
fn service_ports(app: &Value) -> Vec<u64> {
    let mappings = app["container"]["portMappings"].as_array().filter(|m| !m.is_empty());
    match mappings {
        Some(m) => m.iter().map(|p| p["servicePort"].as_u64().unwrap_or(0)).collect(),
        None => app["portDefinitions"].as_array().into_iter().flatten().map(|p| p["port"].as_u64().unwrap()).collect(),
    }
}

/// The frontends marathon-lb makes of `apps`, by the app (or deployment group) they serve:
/// `marathon_lb.py` `get_apps` renames an app to its `HAPROXY_DEPLOYMENT_GROUP` and merges the
/// apps of one group into the oldest by `HAPROXY_DEPLOYMENT_STARTED_AT` (the later listed of
/// two with the same date); each service port `n` of the result is a frontend on `HAPROXY_{n}_PORT`
/// when the label is set (`config.py` `set_port`), else on the service port.
fn frontends(apps: &[Value]) -> BTreeMap<String, Vec<u64>> {
    let mut merged: BTreeMap<String, &Value> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for app in apps {
        let labels = &app["labels"];
        let Some(group) = labels["HAPROXY_DEPLOYMENT_GROUP"].as_str() else {
            let ports = ports_of(app);
            assert!(out.insert(app["id"].as_str().unwrap().to_owned(), ports).is_none());
            continue;
        };
        let group = if group.starts_with('/') { group.to_owned() } else { format!("/{group}") };
        let started = |a: &Value| a["labels"]["HAPROXY_DEPLOYMENT_STARTED_AT"].as_str().unwrap_or("").to_owned();
        match merged.get(&group) {
            Some(prev) if started(prev) < started(app) => {}
            _ => {
                merged.insert(group, app);
            }
        }
    }
    for (group, app) in merged {
        assert!(out.insert(group, ports_of(app)).is_none(), "an app id and a deployment group collide");
    }
    out
}

fn ports_of(app: &Value) -> Vec<u64> {
    service_ports(app)
        .into_iter()
        .enumerate()
        .map(|(n, p)| app["labels"][format!("HAPROXY_{n}_PORT")].as_str().map_or(p, |l| l.parse().unwrap()))
        .collect()
}

/// The frontends marathon-lb would bind for the web/dev group while apps of it exist, and how
/// many of its revision apps each sample saw.
fn group_frontends(apps: &[Value]) -> (Option<Vec<u64>>, usize, BTreeSet<Vec<u64>>) {
    let ours: Vec<Value> =
        apps.iter().filter(|a| a["id"].as_str().unwrap().starts_with("/it/web/dev/")).cloned().collect();
    let all = frontends(&ours);
    let seen: BTreeSet<Vec<u64>> = all.values().cloned().collect();
    (all.get("/it/web/dev").cloned(), ours.len(), seen)
}

/// A rolling update keeps the frontends marathon-lb binds for the group (its service ports, or
/// `HAPROXY_{n}_PORT`) the same across revisions, during the surge when both revision apps
/// exist too. Pins: marathon-lb `marathon_lb.py` (`get_apps`: deployment groups merge into one
/// frontend), `config.py` (`set_port`); Marathon's
/// `M:src/main/scala/mesosphere/marathon/core/group/impl/AssignDynamicServiceLogic.scala`
/// (`assignDynamicServicePorts`: only a port of 0 is assigned, an explicit one is kept, and no
/// validator refuses a service port another app holds: `RootGroup.validRootGroup`,
/// `AppValidation.portDefinitionsValidator` check one app only).
#[test]
fn a_rolling_update_keeps_the_groups_frontend_ports_during_and_after_the_surge() {
    let env = Arc::new(Env::start());
    env.json(&["create", &env.write("v1.toml", &spec("1", 2)), "--poll-interval", "200ms", "--timeout", "60s"]);
    let (first, n, _) = group_frontends(&env.app_defs());
    assert_eq!(n, 1);
    let first = first.expect("the group is one deployment group for marathon-lb");
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|p| (10000..=20000).contains(p)), "Marathon assigned them: {first:?}");

    for version in ["2", "3"] {
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = {
            let (env, stop) = (env.clone(), stop.clone());
            std::thread::spawn(move || {
                let (mut surge, mut seen) = (0, BTreeSet::new());
                while !stop.load(Ordering::SeqCst) {
                    let (group, n, all) = group_frontends(&env.app_defs());
                    if n > 1 {
                        surge += 1;
                        assert!(group.is_some(), "both revision apps are one marathon-lb deployment group");
                    }
                    seen.extend(all);
                    std::thread::sleep(Duration::from_millis(20));
                }
                (surge, seen)
            })
        };
        let file = env.write(&format!("v{version}.toml"), &spec(version, 2));
        let mut args = vec!["update", file.as_str()];
        args.extend(FAST);
        let doc = env.json(&args);
        stop.store(true, Ordering::SeqCst);
        let (surge, seen) = sampler.join().unwrap();
        assert_eq!(doc[0]["outcome"], "rolled", "{doc}");
        assert!(surge > 0, "sampled the surge with both revision apps");
        assert_eq!(seen, BTreeSet::from([first.clone()]), "every frontend of the group, every sample (v{version})");
        let apps = env.app_defs();
        assert_eq!(apps.len(), 1);
        assert_eq!(service_ports(&apps[0]), first, "the new revision app holds the group's service ports");
    }
}

/// A group created by an older Theseus (revision apps without `HAPROXY_DEPLOYMENT_GROUP`) keeps
/// the service ports Marathon assigned its live revision app, and the new revision is labeled.
/// Pins `M:src/main/scala/mesosphere/marathon/core/group/impl/AssignDynamicServiceLogic.scala`
/// (`assignDynamicServicePorts`: the new revision app asks for the live app's ports explicitly,
/// which Marathon keeps though the old app still holds them).
#[test]
fn an_update_of_a_group_from_an_older_theseus_keeps_its_ports() {
    let env = Env::start();
    env.json(&["create", &env.write("v1.toml", &spec("1", 1)), "--poll-interval", "200ms", "--timeout", "60s"]);
    let app = env.app_defs().remove(0);
    let id = app["id"].as_str().unwrap().to_owned();
    let ports = service_ports(&app);
    // What an older Theseus left: the same app without the deployment-group label.
    let mut labels = app["labels"].clone();
    labels.as_object_mut().unwrap().remove("HAPROXY_DEPLOYMENT_GROUP");
    let r = env.engine.call("PATCH", &format!("/v2/apps{id}"), Some(&json!({"labels": labels})));
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_idle(Duration::from_secs(60));
    env.engine.wait_for("a healthy task", Duration::from_secs(60), |e| {
        e.tasks(&id)
            .iter()
            .any(|t| t["healthCheckResults"].as_array().is_some_and(|h| h.iter().any(|c| c["alive"] == true)))
    });

    let file = env.write("v2.toml", &spec("2", 1));
    let mut args = vec!["update", file.as_str()];
    args.extend(FAST);
    let doc = env.json(&args);
    assert_eq!(doc[0]["outcome"], "rolled", "{doc}");
    let apps = env.app_defs();
    assert_eq!(apps.len(), 1);
    assert_ne!(apps[0]["id"], id);
    assert_eq!(service_ports(&apps[0]), ports);
    assert_eq!(apps[0]["labels"]["HAPROXY_DEPLOYMENT_GROUP"], "/it/web/dev");
}

fn app(id: &str, ports: &[u32]) -> Value {
    let defs: Vec<Value> = ports.iter().map(|p| json!({"port": p})).collect();
    json!({"id": id, "cmd": "sleep 100", "cpus": 0.01, "mem": 8, "instances": 0, "portDefinitions": defs})
}

fn ports_on(e: &Engine, id: &str) -> Vec<u64> {
    service_ports(&e.get(&format!("/v2/apps{id}"))["app"])
}

/// Marathon's service-port assignment: a port of 0 takes first the app's own ports that its
/// new definition gave up, in their order and only those in the range (10000-20000), even one
/// another app asks for explicitly in the same change; then the lowest port no app held before
/// or holds after the change. An explicit port another app holds is accepted. Pins
/// `M:src/main/scala/mesosphere/marathon/core/group/impl/AssignDynamicServiceLogic.scala`
/// (`assignPorts`, `assignDynamicServicePorts`), `M:.../MarathonConf.scala` (`localPortMin`,
/// `localPortMax`).
#[test]
fn the_engine_assigns_service_ports_as_marathon() {
    let e = Engine::start();
    // Each change opens a deployment, even of 0 instances, and Marathon answers 409 to the next
    // change of the same app until it ends: every write waits for the one before.
    let idle = |e: &Engine| e.wait_idle(Duration::from_secs(30));
    let r = e.call("POST", "/v2/apps", Some(&app("/a", &[0, 0])));
    assert_eq!(r.status, 201, "{}", r.text);
    idle(&e);
    assert_eq!(ports_on(&e, "/a"), [10000, 10001]);
    // 10001 kept explicitly; the 0 takes the port given up (10000), not a new one.
    let r = e.call("PUT", "/v2/apps/a", Some(&app("/a", &[10001, 0])));
    assert_eq!(r.status, 200, "{}", r.text);
    idle(&e);
    assert_eq!(ports_on(&e, "/a"), [10001, 10000]);
    // One change: /a gives its ports up for 0s while /b asks for 10000 explicitly. /a takes its
    // own ports back all the same, and both hold 10000.
    let body = json!({"id": "/", "apps": [app("/a", &[0, 0]), app("/b", &[10000])]});
    let r = e.call("PUT", "/v2/groups", Some(&body));
    assert_eq!(r.status, 200, "{}", r.text);
    idle(&e);
    assert_eq!(ports_on(&e, "/a"), [10001, 10000]);
    assert_eq!(ports_on(&e, "/b"), [10000]);
    // A port outside the range is not taken back: the 0 gets the lowest port never held.
    let r = e.call("POST", "/v2/apps", Some(&app("/c", &[5000])));
    assert_eq!(r.status, 201, "{}", r.text);
    idle(&e);
    let r = e.call("PUT", "/v2/apps/c", Some(&app("/c", &[0])));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(ports_on(&e, "/c"), [10002]);
}

/// One app's explicit ports must differ ("Ports must be unique.", 0 aside), and so must its
/// port names. Pins `M:src/main/scala/mesosphere/marathon/api/v2/validation/AppValidation.scala`
/// (`portDefinitionsValidator`, `portMappingsIndependentOfNetworks`).
#[test]
fn the_engine_refuses_an_app_with_one_port_twice() {
    let e = Engine::start();
    let r = e.call("POST", "/v2/apps", Some(&app("/a", &[10005, 10005])));
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json["details"], json!([{"path": "/portDefinitions", "errors": ["Ports must be unique."]}]));
    let r = e.call("POST", "/v2/apps", Some(&app("/a", &[0, 0])));
    assert_eq!(r.status, 201, "{}", r.text);
    let mut named = app("/b", &[0, 0]);
    named["portDefinitions"] = json!([{"port": 0, "name": "http"}, {"port": 0, "name": "http"}]);
    let r = e.call("POST", "/v2/apps", Some(&named));
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json["details"], json!([{"path": "/portDefinitions", "errors": ["Port names must be unique."]}]));
}
