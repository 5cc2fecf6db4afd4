//! The local engine's answers against Marathon's API fixtures (tests/fixtures/marathon-api/):
//! apps and groups validate against the JSON Schemas (Draft 4), other bodies have the keys of
//! the RAML examples, the system-test app bodies are accepted and the 100-app benchmark group
//! posts.
//!
//! The schemas date from 2018 (README there) and use `additionalProperties: false`, so before
//! validating we strip what they cannot know: the response-only AppInfo fields (`tasks*`,
//! `deployments`, `lastTaskFailure`, `readinessCheckResults`), fields added in 1.9+ (`role`),
//! and the group fields `pods`/`enforceRole`. Everything else an app response carries must be
//! schema-valid, including every default the engine fills in.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::engine::Engine;

const T: Duration = Duration::from_secs(30);
const APP_SCHEMA_URL: &str = "https://raw.githubusercontent.com/mesosphere/marathon/master/docs/docs/rest-api/public/api/v2/schema/AppDefinition.json";

/// A file of Marathon's API fixtures in `tests/fixtures/marathon-api/`.
fn fixture(path: &str) -> PathBuf {
    crate::support::cmd::repo_path("tests/fixtures/marathon-api").join(path)
}

fn load(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(path)).expect("fixture")).expect("json")
}

/// A schema with its `$schema` (the unresolvable `http://json-schema.org/schema#`) removed:
/// the draft is fixed to 4 explicitly instead.
fn load_schema(path: &str) -> Value {
    let mut v = load(path);
    if let Some(o) = v.as_object_mut() {
        o.remove("$schema");
    }
    v
}

fn app_validator() -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&load_schema("schema/AppDefinition.json"))
        .expect("schema")
}

/// Serves the app schema to the group schema's `$ref`, from disk (tests never reach the network).
struct AppSchema(serde_json::Value);

impl jsonschema::Retrieve for AppSchema {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.as_str().trim_end_matches('#') == APP_SCHEMA_URL {
            Ok(self.0.clone())
        } else {
            Err(format!("no such schema here: {uri}").into())
        }
    }
}

fn group_validator() -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .with_retriever(AppSchema(load_schema("schema/AppDefinition.json")))
        .build(&load_schema("schema/Group.json"))
        .expect("schema")
}

const RESPONSE_ONLY: [&str; 10] = [
    "tasksStaged",
    "tasksRunning",
    "tasksHealthy",
    "tasksUnhealthy",
    "deployments",
    "tasks",
    "lastTaskFailure",
    "readinessCheckResults",
    "tasksStats",
    "role",
];

fn strip_app(app: &Value) -> Value {
    let mut app = app.clone();
    if let Some(o) = app.as_object_mut() {
        for k in RESPONSE_ONLY {
            o.remove(k);
        }
    }
    app
}

fn strip_group(group: &Value) -> Value {
    let mut g = group.clone();
    if let Some(o) = g.as_object_mut() {
        o.remove("pods");
        o.remove("enforceRole");
        if let Some(apps) = o.get_mut("apps").and_then(Value::as_array_mut) {
            for a in apps.iter_mut() {
                *a = strip_app(a);
            }
        }
        if let Some(groups) = o.get_mut("groups").and_then(Value::as_array_mut) {
            for s in groups.iter_mut() {
                *s = strip_group(s);
            }
        }
    }
    g
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} is not schema-valid: {errors:#?}\n{doc:#}");
}

/// Every key of `ours` appears in `example` (recursively; arrays compare element shapes).
fn assert_keys_within(ours: &Value, example: &Value, path: &str, allowed_extra: &[&str]) {
    match (ours, example) {
        (Value::Object(o), Value::Object(e)) => {
            for (k, v) in o {
                match e.get(k) {
                    Some(ev) => assert_keys_within(v, ev, &format!("{path}/{k}"), allowed_extra),
                    None => assert!(allowed_extra.contains(&k.as_str()), "{path}/{k} is not in the RAML example"),
                }
            }
        }
        (Value::Array(o), Value::Array(e)) => {
            let merged = e.iter().fold(Value::Null, merge);
            for item in o {
                assert_keys_within(item, &merged, path, allowed_extra);
            }
        }
        _ => {}
    }
}

/// The union of the keys of two example elements (recursively).
fn merge(acc: Value, x: &Value) -> Value {
    match (acc, x) {
        (Value::Object(mut a), Value::Object(b)) => {
            for (k, v) in b {
                let prev = a.remove(k).unwrap_or(Value::Null);
                a.insert(k.clone(), merge(prev, v));
            }
            Value::Object(a)
        }
        (Value::Array(a), Value::Array(b)) => Value::Array(vec![a.iter().chain(b).fold(Value::Null, merge)]),
        (Value::Null, x) => x.clone(),
        (a, _) => a,
    }
}

fn apps_of_every_shape(e: &Engine) {
    let apps = [
        json!({"id": "/f/cmd", "cmd": "exec python3 -m http.server $PORT0 --bind $HOST", "cpus": 0.1, "mem": 8, "labels": {"a": "b"}, "constraints": [["hostname", "UNIQUE"]],
            "healthChecks": [{"protocol": "TCP", "intervalSeconds": 1, "gracePeriodSeconds": 60}], "env": {"X": "1"}}),
        json!({"id": "/f/docker", "cpus": 0.1, "mem": 8, "container": {"type": "DOCKER", "docker": {"image": "nginx", "network": "BRIDGE",
            "portMappings": [{"containerPort": 80, "name": "http"}]}}}),
        json!({"id": "/f/args", "args": ["sleep", "1000"], "cpus": 0.1, "mem": 8, "portDefinitions": [],
            "upgradeStrategy": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0}, "killSelection": "OLDEST_FIRST"}),
    ];
    for app in apps {
        let r = e.call("POST", "/v2/apps", Some(&app));
        assert_eq!(r.status, 201, "{}", r.text);
        assert_valid(&app_validator(), &strip_app(&r.json), "POST /v2/apps response");
    }
    e.wait_idle(T);
}

#[test]
fn app_and_group_responses_validate_against_the_json_schemas() {
    let e = Engine::start();
    apps_of_every_shape(&e);
    let v = app_validator();
    for app in e.get("/v2/apps?embed=apps.tasks&embed=apps.lastTaskFailure")["apps"].as_array().unwrap() {
        assert_valid(&v, &strip_app(app), "GET /v2/apps item");
    }
    let one = e.get("/v2/apps/f/cmd")["app"].clone();
    assert_valid(&v, &strip_app(&one), "GET /v2/apps/{id}");
    let version = one["version"].as_str().unwrap();
    assert_valid(
        &v,
        &strip_app(&e.get(&format!("/v2/apps/f/cmd/versions/{version}"))),
        "GET /v2/apps/{id}/versions/{v}",
    );
    let g = group_validator();
    assert_valid(&g, &strip_group(&e.get("/v2/groups")), "GET /v2/groups");
    assert_valid(&g, &strip_group(&e.get("/v2/groups/f")), "GET /v2/groups/f");
}

#[test]
fn other_bodies_have_the_shapes_of_the_raml_examples() {
    let e = Engine::start();
    let r = e.call("POST", "/v2/apps", Some(&json!({"id": "/s/app", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "instances": 2,
        "healthChecks": [{"protocol": "COMMAND", "command": {"value": "false"}, "intervalSeconds": 1, "gracePeriodSeconds": 60}]})));
    let dep = r.header("marathon-deployment-id").unwrap().to_string();
    e.wait_for("running tasks", T, |e| {
        e.tasks("/s/app").len() == 2 && e.tasks("/s/app").iter().all(|t| t["state"] == "TASK_RUNNING")
    });
    // deployments (open: the health check never passes)
    let deps = e.get("/v2/deployments");
    assert_keys_within(&deps, &load("raml/v2/examples/deployments.json"), "deployments", &["readinessCheckResults"]);
    assert_eq!(deps[0]["id"], dep.as_str());
    for k in ["id", "version", "affectedApps", "affectedPods", "steps", "currentActions", "currentStep", "totalSteps"] {
        assert!(deps[0].get(k).is_some(), "deployment lacks {k}");
    }
    // tasks
    let tasks = e.get("/v2/tasks");
    assert_keys_within(
        &tasks,
        &load("raml/v2/examples/tasks.json"),
        "tasks",
        &[
            "role",
            "region",
            "zone",
            "localVolumes",
            "healthCheckResults",
            "lastFailureCause",
            "ipAddresses",
            "instanceId",
            "consecutiveFailures",
            "alive",
            "lastFailure",
            "firstSuccess",
            "lastSuccess",
        ],
    );
    let t = &tasks["tasks"][0];
    for k in [
        "id",
        "appId",
        "host",
        "ports",
        "servicePorts",
        "slaveId",
        "state",
        "stagedAt",
        "startedAt",
        "version",
        "ipAddresses",
    ] {
        assert!(t.get(k).is_some(), "task lacks {k}");
    }
    assert_keys_within(
        &e.get("/v2/apps/s/app/tasks"),
        &load("raml/v2/examples/app_tasks.json"),
        "app tasks",
        &[
            "role",
            "region",
            "zone",
            "localVolumes",
            "healthCheckResults",
            "lastFailureCause",
            "ipAddresses",
            "slaveId",
            "state",
            "servicePorts",
        ],
    );
    // deployment results
    let r = e.call("PUT", "/v2/apps/s/other", Some(&json!({"cmd": "sleep 1000", "cpus": 64})));
    assert_keys_within(&r.json, &load("raml/v2/examples/deployments_result.json"), "deploymentResult", &[]);
    assert_eq!(r.json.as_object().unwrap().len(), 2);
    // queue (the 64-cpu app cannot be placed)
    e.wait_for("queue", T, |e| !e.get("/v2/queue")["queue"].as_array().unwrap().is_empty());
    let queue = e.get("/v2/queue");
    assert_keys_within(
        &queue,
        &load("raml/v2/examples/queue.json"),
        "queue",
        &[
            "env",
            "labels",
            "constraints",
            "dependencies",
            "fetch",
            "gpus",
            "healthChecks",
            "readinessChecks",
            "portDefinitions",
            "networks",
            "unreachableStrategy",
            "killSelection",
            "secrets",
            "role",
            "cmd",
            "executor",
        ],
    );
    // info, leader
    let info = e.get("/v2/info");
    let example = load("raml/v2/examples/info.json");
    for k in example.as_object().unwrap().keys() {
        assert!(info.get(k).is_some(), "info lacks {k}");
    }
    assert_keys_within(&info, &example, "info", &[]);
    // errors: {message, details?}
    let r = e.call("POST", "/v2/apps", Some(&json!({"id": "/x", "cmd": "aa", "args": ["b"]})));
    assert!(r.json.as_object().unwrap().keys().all(|k| k == "message" || k == "details"));
}

#[test]
fn system_test_app_bodies_are_accepted() {
    let e = Engine::start_with(crate::support::engine::test_config());
    let dir = fixture("examples/system-tests/apps");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|d| d.unwrap().path()).collect();
    names.sort();
    assert!(names.len() > 10);
    for path in names {
        let body: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let r = e.call("POST", "/v2/apps", Some(&body));
        assert_eq!(r.status, 201, "{}: {}", path.display(), r.text);
        let id = r.json["id"].as_str().unwrap().to_string();
        assert_eq!(e.call("DELETE", &format!("/v2/apps{id}"), None).status, 200);
        // `large-sleep.json` and `sleep-app.json` are both `/sleep`: a POST while the stop is
        // still running is Marathon's 409, so wait for it.
        e.wait_idle(T);
    }
}

#[test]
fn the_benchmark_group_of_100_docker_apps_posts_as_a_group() {
    let mut config = crate::support::engine::test_config();
    config.agents = 10;
    config.agent_cpus = 1000.0;
    config.agent_mem = 1_000_000.0;
    config.agent_disk = 10_000_000.0;
    let e = Engine::start_with(config);
    let body = load("examples/benchmark/group-155_100.json");
    let r = e.call("POST", "/v2/groups", Some(&body));
    assert_eq!(r.status, 201, "{}", r.text);
    let count = |g: &Value| -> usize {
        fn walk(g: &Value) -> usize {
            g["apps"].as_array().map_or(0, |a| a.len())
                + g["groups"].as_array().map_or(0, |gs| gs.iter().map(walk).sum())
        }
        walk(g)
    };
    assert_eq!(count(&e.get("/v2/groups")), 100);
    assert_eq!(e.get("/v2/apps")["apps"].as_array().unwrap().len(), 100);
    assert_valid(&group_validator(), &strip_group(&e.get("/v2/groups")), "GET /v2/groups with the benchmark group");
}
