//! What changes between a live app and the desired one, leaf by leaf, for `plan`'s CHANGES
//! (`healthChecks[0].gracePeriodSeconds: 5 -> 6`). Pure.
//!
//! Marathon answers with more than was sent: it fills in defaults and assigns service ports.
//! Both are normalised away before comparing, from Marathon's own sources:
//! - app defaults: `src/main/scala/mesosphere/marathon/state/AppDefinition.scala` (`Default*`)
//!   and `docs/docs/rest-api/public/api/v2/types/app.raml` (backoff 1 s × 1.15 up to 300 s,
//!   cpus 1, mem 128, disk 0, upgradeStrategy {1, 1});
//! - health checks: `src/main/scala/mesosphere/marathon/core/health/HealthCheck.scala` and
//!   `.../v2/types/healthCheck.raml` (grace 300, interval 60, timeout 20, 3 failures, delay 15,
//!   HTTP, IPv4, no 1xx);
//! - readiness checks: `.../v2/types/readinessCheck.raml`; fetch: `.../v2/types/artifact.raml`
//!   (extract true, executable and cache false); Docker: `.../v2/types/docker.raml`;
//! - service ports: `src/main/scala/mesosphere/marathon/core/group/impl/AssignDynamicServiceLogic.scala`
//!   replaces `portDefinitions[].port` and `container.portMappings[].servicePort` of 0 with a
//!   port from the service-port range, so a desired 0 matches whatever Marathon assigned.
//!
//! Only what Theseus renders is compared; fields Marathon adds that Theseus never sends
//! (`executor`, `killSelection`, ...) are not changes.

use serde::Serialize;
use serde_json::{json, Value};

use crate::marathon::types::App;

/// One changed leaf of the app definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// The path of the leaf, e.g. `env.LOG_LEVEL` or `healthChecks[0].gracePeriodSeconds`.
    pub field: String,
    /// Live value (absent if unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Value>,
    /// Desired value (absent if unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Value>,
}

/// Top-level fields Theseus renders (`spec/render.rs`): a live one the spec leaves out is
/// compared with Marathon's default, so removing e.g. every constraint shows as a change.
const RENDERED: &[&str] = &[
    "cmd",
    "args",
    "user",
    "cpus",
    "mem",
    "disk",
    "container",
    "env",
    "labels",
    "constraints",
    "portDefinitions",
    "networks",
    "healthChecks",
    "readinessChecks",
    "fetch",
    "backoffSeconds",
    "backoffFactor",
    "maxLaunchDelaySeconds",
    "taskKillGracePeriodSeconds",
    "upgradeStrategy",
];

/// Fields that are not part of a revision's definition.
const IGNORED: &[&str] = &["id", "version", "versionInfo", "instances"];

/// Objects whose keys are data (every key counts), not fields with defaults.
const MAPS: &[&str] = &["env", "labels", "secrets", "portDefinitions[].labels", "container.portMappings[].labels"];

/// Values Marathon assigns when the request says 0 (or nothing).
const ASSIGNED: &[&str] =
    &["portDefinitions[].port", "container.portMappings[].servicePort", "container.portMappings[].hostPort"];

/// What Marathon shows for a field the request left out.
enum Default {
    /// This value.
    Value(Value),
    /// Nothing: a live value means something was set.
    Absent,
    /// A field Theseus never sends and Marathon may fill in: not compared.
    Unknown,
}

/// Marathon's default for a field, by its pattern (`healthChecks[].timeoutSeconds`).
fn default_of(pattern: &str) -> Default {
    let v = match pattern {
        "cpus" => json!(1),
        "mem" => json!(128),
        "disk" => json!(0),
        "env" | "labels" | "secrets" => json!({}),
        "constraints" | "healthChecks" | "readinessChecks" | "fetch" => json!([]),
        "backoffSeconds" => json!(1),
        "backoffFactor" => json!(1.15),
        "maxLaunchDelaySeconds" => json!(300),
        "networks" => json!([{"mode": "host"}]),
        "upgradeStrategy" => json!({"minimumHealthCapacity": 1, "maximumOverCapacity": 1}),
        "upgradeStrategy.minimumHealthCapacity" | "upgradeStrategy.maximumOverCapacity" => json!(1),
        "cmd" | "args" | "user" | "container" | "taskKillGracePeriodSeconds" | "portDefinitions" => {
            return Default::Absent
        }
        "container.type" => json!("DOCKER"),
        "container.volumes" | "container.docker.parameters" => json!([]),
        "container.docker.forcePullImage" | "container.docker.privileged" => json!(false),
        "container.portMappings[].protocol" | "portDefinitions[].protocol" => json!("tcp"),
        "container.portMappings[].containerPort" => json!(0),
        "portDefinitions[].labels" | "container.portMappings[].labels" => json!({}),
        "healthChecks[].protocol" => json!("HTTP"),
        "healthChecks[].gracePeriodSeconds" => json!(300),
        "healthChecks[].intervalSeconds" => json!(60),
        "healthChecks[].timeoutSeconds" => json!(20),
        "healthChecks[].maxConsecutiveFailures" => json!(3),
        "healthChecks[].delaySeconds" => json!(15),
        "healthChecks[].ignoreHttp1xx" => json!(false),
        "healthChecks[].ipProtocol" => json!("IPv4"),
        "healthChecks[].path" => json!("/"),
        "healthChecks[].portIndex" => json!(0),
        "readinessChecks[].name" => json!("readinessCheck"),
        "readinessChecks[].protocol" => json!("HTTP"),
        "readinessChecks[].path" => json!("/"),
        "readinessChecks[].portName" => json!("http-api"),
        "readinessChecks[].intervalSeconds" => json!(30),
        "readinessChecks[].timeoutSeconds" => json!(10),
        "readinessChecks[].httpStatusCodesForReady" => json!([200]),
        "readinessChecks[].preserveLastResponse" => json!(false),
        "fetch[].extract" => json!(true),
        "fetch[].executable" | "fetch[].cache" => json!(false),
        _ => return Default::Unknown,
    };
    Default::Value(v)
}

/// The changed leaves from `live` to `desired`, `labels.theseus.revision` aside (the revision
/// is shown on its own).
pub(super) fn diff(live: &App, desired: &App) -> Vec<FieldChange> {
    let (Ok(Value::Object(mut l)), Ok(Value::Object(mut d))) =
        (serde_json::to_value(live), serde_json::to_value(desired))
    else {
        return Vec::new();
    };
    for side in [&mut l, &mut d] {
        if let Some(Value::Object(labels)) = side.get_mut("labels") {
            labels.remove(super::live::label::REVISION);
        }
    }
    let mut keys: Vec<&String> = d.keys().collect();
    keys.extend(l.keys().filter(|k| RENDERED.contains(&k.as_str()) && !d.contains_key(*k)));
    let mut changes = Vec::new();
    for key in keys {
        if !IGNORED.contains(&key.as_str()) {
            compare(&mut changes, key, key, l.get(key), d.get(key));
        }
    }
    changes
}

/// Compares one field at `path` (its `pattern` has `[]` for indices) and records the changed leaves.
fn compare(out: &mut Vec<FieldChange>, path: &str, pattern: &str, have: Option<&Value>, want: Option<&Value>) {
    let change = |out: &mut Vec<FieldChange>| {
        out.push(FieldChange { field: path.to_owned(), from: have.cloned(), to: want.cloned() });
    };
    match (have, want) {
        (None, None) => {}
        (Some(h), None) => match default_of(pattern) {
            _ if ASSIGNED.contains(&pattern) => {}
            Default::Value(v) if same(h, &v) => {}
            // Leaf by leaf against the default: `env.A: "1" -> (unset)`.
            Default::Value(v) if h.is_object() && v.is_object() || h.is_array() && v.is_array() => {
                compare(out, path, pattern, Some(h), Some(&v));
            }
            Default::Unknown if !MAPS.iter().any(|m| parent_is(pattern, m)) => {}
            _ => change(out),
        },
        (None, Some(w)) => match default_of(pattern) {
            Default::Value(v) if same(w, &v) => {}
            _ if ASSIGNED.contains(&pattern) && w.as_u64() == Some(0) => {}
            _ => change(out),
        },
        (Some(Value::Object(h)), Some(Value::Object(w))) => {
            let mut keys: Vec<&String> = w.keys().collect();
            keys.extend(h.keys().filter(|k| !w.contains_key(*k)));
            for k in keys {
                compare(out, &format!("{path}.{k}"), &format!("{pattern}.{k}"), h.get(k), w.get(k));
            }
        }
        (Some(Value::Array(h)), Some(Value::Array(w))) => {
            for i in 0..h.len().max(w.len()) {
                let (at, like) = (format!("{path}[{i}]"), format!("{pattern}[]"));
                match (h.get(i), w.get(i)) {
                    (Some(a), Some(b)) => compare(out, &at, &like, Some(a), Some(b)),
                    // An element added or removed is one change, whatever its defaults.
                    (from, to) => out.push(FieldChange { field: at, from: from.cloned(), to: to.cloned() }),
                }
            }
        }
        (Some(h), Some(w)) => {
            let assigned = ASSIGNED.contains(&pattern) && w.as_u64() == Some(0);
            if !assigned && !same(h, w) {
                change(out);
            }
        }
    }
}

/// Whether `pattern` is a key directly inside the map field `map` (`env.LOG_LEVEL` in `env`).
fn parent_is(pattern: &str, map: &str) -> bool {
    pattern.strip_prefix(map).and_then(|rest| rest.strip_prefix('.')).is_some_and(|k| !k.contains(['.', '[']))
}

/// JSON equality that treats `1` and `1.0` alike (Marathon answers `"cpus": 1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (x, y) => x == y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(v: Value) -> App {
        serde_json::from_value(v).unwrap()
    }

    fn fields(changes: &[FieldChange]) -> Vec<String> {
        changes
            .iter()
            .map(|c| {
                let t = |v: &Option<Value>| v.as_ref().map_or("(unset)".to_owned(), Value::to_string);
                format!("{}: {} -> {}", c.field, t(&c.from), t(&c.to))
            })
            .collect()
    }

    /// What theseus sends for a command app with one port and an HTTP check.
    fn desired(grace: u64) -> Value {
        json!({
            "id": "/ns/web/dev/r2", "cmd": "serve", "instances": 2, "cpus": 0.1, "mem": 64.0, "disk": 0.0,
            "labels": {"theseus.managed": "true", "theseus.revision": "r2"},
            "portDefinitions": [{"port": 0, "name": "http", "protocol": "tcp"}],
            "networks": [{"mode": "host"}],
            "healthChecks": [{"protocol": "HTTP", "path": "/", "portIndex": 0, "gracePeriodSeconds": grace,
                              "intervalSeconds": 2, "timeoutSeconds": 1, "maxConsecutiveFailures": 3}],
            "upgradeStrategy": {"minimumHealthCapacity": 1.0, "maximumOverCapacity": 1.0}
        })
    }

    /// What Marathon answers for it: defaults filled in, a service port assigned.
    fn live(grace: u64) -> Value {
        let mut v = desired(grace);
        v["id"] = json!("/ns/web/dev/r1");
        v["labels"]["theseus.revision"] = json!("r1");
        v["version"] = json!("2026-01-01T00:00:00.000Z");
        v["portDefinitions"][0]["port"] = json!(10001);
        v["healthChecks"][0]["delaySeconds"] = json!(15);
        v["healthChecks"][0]["ignoreHttp1xx"] = json!(false);
        v["healthChecks"][0]["ipProtocol"] = json!("IPv4");
        for (k, d) in
            [("env", json!({})), ("constraints", json!([])), ("fetch", json!([])), ("backoffSeconds", json!(1))]
        {
            v[k] = d;
        }
        v["backoffFactor"] = json!(1.15);
        v["maxLaunchDelaySeconds"] = json!(300);
        v["executor"] = json!("");
        v["killSelection"] = json!("YOUNGEST_FIRST");
        v
    }

    #[test]
    fn marathon_defaults_and_assigned_service_ports_are_not_changes() {
        assert_eq!(fields(&diff(&app(live(5)), &app(desired(5)))), Vec::<String>::new());
    }

    #[test]
    fn the_changed_leaf_is_named() {
        assert_eq!(fields(&diff(&app(live(5)), &app(desired(6)))), ["healthChecks[0].gracePeriodSeconds: 5 -> 6"]);
    }

    #[test]
    fn env_keys_added_changed_and_removed_are_each_a_change() {
        let mut l = live(5);
        l["env"] = json!({"A": "1", "B": "2"});
        let mut d = desired(5);
        d["env"] = json!({"A": "1", "B": "3", "C": "4"});
        assert_eq!(fields(&diff(&app(l.clone()), &app(d))), ["env.B: \"2\" -> \"3\"", "env.C: (unset) -> \"4\""]);
        assert_eq!(fields(&diff(&app(l), &app(desired(5)))), ["env.A: \"1\" -> (unset)", "env.B: \"2\" -> (unset)"]);
    }

    #[test]
    fn a_field_the_spec_dropped_shows_unless_it_is_marathons_default() {
        let mut l = live(5);
        l["constraints"] = json!([["hostname", "UNIQUE"]]);
        l["backoffSeconds"] = json!(5);
        assert_eq!(
            fields(&diff(&app(l), &app(desired(5)))),
            ["constraints[0]: [\"hostname\",\"UNIQUE\"] -> (unset)", "backoffSeconds: 5 -> (unset)"]
        );
    }

    #[test]
    fn a_service_port_asked_for_explicitly_is_compared() {
        let mut d = desired(5);
        d["portDefinitions"][0]["port"] = json!(10005);
        assert_eq!(fields(&diff(&app(live(5)), &app(d))), ["portDefinitions[0].port: 10001 -> 10005"]);
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(same(&json!(1), &json!(1.0)));
        assert!(!same(&json!({"a": 1}), &json!({"a": 2})));
        assert!(parent_is("env.LOG", "env") && !parent_is("env.a.b", "env") && !parent_is("envx.a", "env"));
    }
}
