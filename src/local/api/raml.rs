//! Marathon's RAML type checks on a raw request body, before anything is converted: JSON types,
//! int32 ranges, `minimum`/`maximum`, `minLength`/`maxLength`, patterns and enums, as the
//! readers Marathon generates from its RAML report them (Play JSON's codes: `error.expected.*`,
//! `error.min`, `error.max`, `error.minLength`, `error.maxLength`, `error.pattern`,
//! `error.unknown.enum.literal`), each with its Play path (`/healthChecks(0)/portIndex`).
//!
//! Sources: M:docs/docs/rest-api/public/api/v2/types/{app,appContainer,healthCheck,
//! readinessCheck,artifact,network,numberTypes,stringTypes,group}.raml and the generator,
//! M:type-generator/src/main/scala/mesosphere/raml/backend/treehugger/FieldVisitor.scala.
//! `MarathonExceptionMapper.scala` answers such errors (a `JsResultException`) with 422
//! `{"message": "Invalid JSON", "details": [{path, errors}]}`.

use serde_json::{Map, Value};

use crate::local::model::normalize::Violation;

/// A RAML type, as far as the engine checks it.
enum Ty {
    /// `integer`, `format: int32`, with an optional minimum and maximum.
    Int32(Option<i64>, Option<i64>),
    /// `number`, `format: double`, with an optional minimum and maximum.
    Double(Option<f64>, Option<f64>),
    /// `string` with minLength and maxLength.
    Str(usize, Option<usize>),
    /// `strings.LegacyName`.
    LegacyName,
    /// `strings.NetworkName`: `^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$`, at most 63 characters.
    NetworkName,
    /// A string enum.
    Enum(&'static [&'static str]),
    /// `boolean`.
    Bool,
    /// An array of a type.
    Array(&'static Ty),
    /// An object with known fields (others are not checked).
    Object(&'static [(&'static str, Ty)]),
    /// An object whose every value has a type (`KVLabels`).
    Map(&'static Ty),
    /// `LegacyEnvVars`: a string or `{"secret": string}` per key.
    EnvVars,
    /// `UnreachableStrategy`: `"disabled"` or an object of int64 seconds ≥ 0.
    Unreachable,
    /// Anything (not checked here).
    Any,
}

const PORT: Ty = Ty::Int32(Some(0), Some(65535));
const SECONDS: Ty = Ty::Int32(Some(0), None);
const LABELS: Ty = Ty::Map(&Ty::Str(0, None));
const STRINGS: Ty = Ty::Array(&Ty::Str(0, None));
const PROTOCOL: Ty = Ty::Enum(&["tcp", "udp", "udp,tcp"]);
const PATH: Ty = Ty::Str(1, Some(1024));

const PORT_DEFINITION: &[(&str, Ty)] =
    &[("port", PORT), ("labels", LABELS), ("name", Ty::LegacyName), ("protocol", PROTOCOL)];

const PORT_MAPPING: &[(&str, Ty)] = &[
    ("containerPort", PORT),
    ("hostPort", PORT),
    ("servicePort", PORT),
    ("labels", LABELS),
    ("name", Ty::LegacyName),
    ("protocol", PROTOCOL),
    ("networkNames", STRINGS),
];

const DOCKER: &[(&str, Ty)] = &[
    ("image", Ty::Str(1, None)),
    ("forcePullImage", Ty::Bool),
    ("privileged", Ty::Bool),
    ("network", Ty::Enum(&["BRIDGE", "HOST", "NONE", "USER"])),
    ("parameters", Ty::Array(&Ty::Object(&[("key", Ty::Str(1, None)), ("value", Ty::Str(0, None))]))),
    ("portMappings", Ty::Array(&Ty::Object(PORT_MAPPING))),
];

const CONTAINER: &[(&str, Ty)] = &[
    ("type", Ty::Enum(&["MESOS", "DOCKER"])),
    ("docker", Ty::Object(DOCKER)),
    ("portMappings", Ty::Array(&Ty::Object(PORT_MAPPING))),
    ("volumes", Ty::Array(&Ty::Any)),
];

const HEALTH_CHECK: &[(&str, Ty)] = &[
    ("command", Ty::Object(&[("value", Ty::Str(0, None))])),
    ("gracePeriodSeconds", SECONDS),
    ("intervalSeconds", SECONDS),
    ("maxConsecutiveFailures", SECONDS),
    ("timeoutSeconds", Ty::Int32(None, None)),
    ("delaySeconds", SECONDS),
    ("ignoreHttp1xx", Ty::Bool),
    ("path", Ty::Str(0, None)),
    ("port", PORT),
    ("portIndex", PORT),
    ("protocol", Ty::Enum(&["HTTP", "HTTPS", "TCP", "COMMAND", "MESOS_TCP", "MESOS_HTTP", "MESOS_HTTPS"])),
    ("ipProtocol", Ty::Enum(&["IPv4", "IPv6"])),
];

const READINESS_CHECK: &[(&str, Ty)] = &[
    ("name", Ty::Str(1, None)),
    ("protocol", Ty::Enum(&["HTTP", "HTTPS"])),
    ("path", PATH),
    ("portName", Ty::LegacyName),
    ("intervalSeconds", SECONDS),
    ("timeoutSeconds", Ty::Int32(Some(1), None)),
    ("httpStatusCodesForReady", Ty::Array(&Ty::Int32(Some(100), Some(999)))),
    ("preserveLastResponse", Ty::Bool),
];

const ARTIFACT: &[(&str, Ty)] =
    &[("uri", PATH), ("extract", Ty::Bool), ("executable", Ty::Bool), ("cache", Ty::Bool), ("destPath", PATH)];

const UPGRADE_STRATEGY: &[(&str, Ty)] = &[
    ("minimumHealthCapacity", Ty::Double(Some(0.0), Some(1.0))),
    ("maximumOverCapacity", Ty::Double(Some(0.0), Some(1.0))),
];

const NETWORK: &[(&str, Ty)] =
    &[("name", Ty::NetworkName), ("mode", Ty::Enum(&["container", "container/bridge", "host"])), ("labels", LABELS)];

/// RAML `App` (and `AppUpdate`, whose fields are the same, all optional).
const APP: &[(&str, Ty)] = &[
    ("id", Ty::Str(1, None)),
    ("acceptedResourceRoles", STRINGS),
    ("args", STRINGS),
    ("backoffFactor", Ty::Double(Some(1.0), None)),
    ("backoffSeconds", SECONDS),
    ("cmd", Ty::Str(1, None)),
    ("constraints", Ty::Array(&STRINGS)),
    ("container", Ty::Object(CONTAINER)),
    ("cpus", Ty::Double(Some(0.001), None)),
    ("dependencies", STRINGS),
    ("disk", Ty::Double(Some(0.0), None)),
    ("env", Ty::EnvVars),
    ("executor", Ty::Str(0, None)),
    ("fetch", Ty::Array(&Ty::Object(ARTIFACT))),
    ("healthChecks", Ty::Array(&Ty::Object(HEALTH_CHECK))),
    ("instances", Ty::Int32(Some(0), None)),
    ("labels", LABELS),
    ("maxLaunchDelaySeconds", SECONDS),
    ("mem", Ty::Double(Some(0.0), None)),
    ("gpus", Ty::Int32(Some(0), None)),
    ("networks", Ty::Array(&Ty::Object(NETWORK))),
    ("ports", Ty::Array(&PORT)),
    ("portDefinitions", Ty::Array(&Ty::Object(PORT_DEFINITION))),
    ("readinessChecks", Ty::Array(&Ty::Object(READINESS_CHECK))),
    ("requirePorts", Ty::Bool),
    ("taskKillGracePeriodSeconds", SECONDS),
    ("upgradeStrategy", Ty::Object(UPGRADE_STRATEGY)),
    ("uris", Ty::Array(&PATH)),
    ("user", Ty::Str(0, None)),
    ("killSelection", Ty::Enum(&["YOUNGEST_FIRST", "OLDEST_FIRST"])),
    ("unreachableStrategy", Ty::Unreachable),
    ("tty", Ty::Bool),
    ("role", Ty::Str(1, None)),
];

/// Checks an app body (`POST /v2/apps`, `PUT`/`PATCH /v2/apps/{id}`, or one of a group's apps).
pub(crate) fn check_app(raw: &Value, prefix: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    match raw.as_object() {
        Some(obj) => fields(obj, APP, prefix, &mut out),
        None => push(&mut out, if prefix.is_empty() { "/" } else { prefix }, "error.expected.jsobject"),
    }
    out
}

/// Checks a `GroupUpdate` body: its own fields, then its apps and groups, recursively.
pub(crate) fn check_group(raw: &Value, prefix: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    group(raw, prefix, &mut out);
    out
}

fn group(raw: &Value, prefix: &str, out: &mut Vec<Violation>) {
    let Some(obj) = raw.as_object() else {
        push(out, if prefix.is_empty() { "/" } else { prefix }, "error.expected.jsobject");
        return;
    };
    let own: &[(&str, Ty)] = &[
        ("id", Ty::Str(1, None)),
        ("dependencies", STRINGS),
        ("scaleBy", Ty::Double(Some(0.0), None)),
        ("version", Ty::Str(0, None)),
        ("enforceRole", Ty::Bool),
    ];
    fields(obj, own, prefix, out);
    match obj.get("apps") {
        None | Some(Value::Null) => {}
        Some(Value::Array(apps)) => {
            for (i, app) in apps.iter().enumerate() {
                out.extend(check_app(app, &format!("{prefix}/apps({i})")));
            }
        }
        Some(_) => push(out, &format!("{prefix}/apps"), "error.expected.jsarray"),
    }
    match obj.get("groups") {
        None | Some(Value::Null) => {}
        Some(Value::Array(groups)) => {
            for (i, g) in groups.iter().enumerate() {
                group(g, &format!("{prefix}/groups({i})"), out);
            }
        }
        Some(_) => push(out, &format!("{prefix}/groups"), "error.expected.jsarray"),
    }
}

fn push(out: &mut Vec<Violation>, path: &str, error: &str) {
    out.push(Violation { path: path.to_string(), error: error.to_string() });
}

fn fields(obj: &Map<String, Value>, schema: &[(&str, Ty)], prefix: &str, out: &mut Vec<Violation>) {
    for (name, ty) in schema {
        // An explicit null is an absent optional field for Play's readNullable.
        if let Some(value) = obj.get(*name).filter(|v| !v.is_null()) {
            check(value, ty, &format!("{prefix}/{name}"), out);
        }
    }
}

fn check(value: &Value, ty: &Ty, path: &str, out: &mut Vec<Violation>) {
    match ty {
        Ty::Int32(min, max) => match value.as_number() {
            None => push(out, path, "error.expected.jsnumber"),
            Some(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
                None => push(out, path, "error.expected.int"),
                Some(i) => {
                    if min.is_some_and(|m| i64::from(i) < m) {
                        push(out, path, "error.min");
                    } else if max.is_some_and(|m| i64::from(i) > m) {
                        push(out, path, "error.max");
                    }
                }
            },
        },
        Ty::Double(min, max) => match value.as_f64() {
            None => push(out, path, "error.expected.jsnumber"),
            Some(x) if min.is_some_and(|m| x < m) => push(out, path, "error.min"),
            Some(x) if max.is_some_and(|m| x > m) => push(out, path, "error.max"),
            Some(_) => {}
        },
        Ty::Str(min, max) => match value.as_str() {
            None => push(out, path, "error.expected.jsstring"),
            Some(s) if s.chars().count() < *min => push(out, path, "error.minLength"),
            Some(s) if max.is_some_and(|m| s.chars().count() > m) => push(out, path, "error.maxLength"),
            Some(_) => {}
        },
        Ty::LegacyName => match value.as_str() {
            None => push(out, path, "error.expected.jsstring"),
            Some("") => push(out, path, "error.minLength"),
            Some(s) if !crate::marathon::rules::is_valid_port_name(s) => push(out, path, "error.pattern"),
            Some(_) => {}
        },
        Ty::NetworkName => match value.as_str() {
            None => push(out, path, "error.expected.jsstring"),
            Some("") => push(out, path, "error.minLength"),
            Some(s) if s.chars().count() > 63 => push(out, path, "error.maxLength"),
            Some(s) if !is_network_name(s) => push(out, path, "error.pattern"),
            Some(_) => {}
        },
        Ty::Enum(values) => match value.as_str() {
            None => push(out, path, "error.expected.jsstring"),
            Some(s) if !values.contains(&s) => push(out, path, "error.unknown.enum.literal"),
            Some(_) => {}
        },
        Ty::Bool => {
            if !value.is_boolean() {
                push(out, path, "error.expected.jsboolean");
            }
        }
        Ty::Array(item) => match value.as_array() {
            None => push(out, path, "error.expected.jsarray"),
            Some(items) => {
                for (i, v) in items.iter().enumerate() {
                    check(v, item, &format!("{path}({i})"), out);
                }
            }
        },
        Ty::Object(schema) => match value.as_object() {
            None => push(out, path, "error.expected.jsobject"),
            Some(obj) => fields(obj, schema, path, out),
        },
        Ty::Map(item) => match value.as_object() {
            None => push(out, path, "error.expected.jsobject"),
            Some(obj) => {
                for (k, v) in obj {
                    check(v, item, &format!("{path}/{k}"), out);
                }
            }
        },
        Ty::EnvVars => match value.as_object() {
            None => push(out, path, "error.expected.jsobject"),
            Some(obj) => {
                for (k, v) in obj {
                    let secret = v.as_object().is_some_and(|o| o.get("secret").is_some_and(Value::is_string));
                    if !v.is_string() && !secret {
                        push(out, &format!("{path}/{k}"), "error.expected.jsstring");
                    }
                }
            }
        },
        Ty::Unreachable => match value {
            Value::String(s) if s == "disabled" => {}
            Value::String(_) => push(out, path, "error.unknown.enum.literal"),
            Value::Object(obj) => {
                for field in ["inactiveAfterSeconds", "expungeAfterSeconds"] {
                    match obj.get(field).filter(|v| !v.is_null()) {
                        None => {}
                        Some(v) => match v.as_number() {
                            None => push(out, &format!("{path}/{field}"), "error.expected.jsnumber"),
                            Some(n) => match n.as_i64() {
                                None => push(out, &format!("{path}/{field}"), "error.expected.long"),
                                Some(i) if i < 0 => push(out, &format!("{path}/{field}"), "error.min"),
                                Some(_) => {}
                            },
                        },
                    }
                }
            }
            _ => push(out, path, "error.expected.jsobject"),
        },
        Ty::Any => {}
    }
}

fn is_network_name(s: &str) -> bool {
    let edge = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    s.starts_with(edge) && s.ends_with(edge) && s.chars().all(|c| edge(c) || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn errors(raw: Value) -> Vec<(String, String)> {
        check_app(&raw, "").into_iter().map(|v| (v.path, v.error)).collect()
    }

    fn e(path: &str, error: &str) -> (String, String) {
        (path.to_string(), error.to_string())
    }

    #[test]
    fn numbers_follow_the_raml_ranges() {
        assert_eq!(errors(json!({"id": "/a", "cmd": "x", "cpus": 0.5, "instances": 3})), vec![]);
        assert_eq!(
            errors(json!({"cpus": 0, "instances": 3_000_000_000u64, "taskKillGracePeriodSeconds": 1e20,
                          "backoffSeconds": -1, "backoffFactor": 0.5, "mem": "x"})),
            vec![
                e("/backoffFactor", "error.min"),
                e("/backoffSeconds", "error.min"),
                e("/cpus", "error.min"),
                e("/instances", "error.expected.int"),
                e("/mem", "error.expected.jsnumber"),
                e("/taskKillGracePeriodSeconds", "error.expected.int"),
            ]
        );
    }

    #[test]
    fn nested_fields_have_their_play_paths() {
        let raw = json!({
            "cmd": "",
            "env": {"OK": "1", "N": 5, "S": {"secret": "s"}},
            "portDefinitions": [{"port": 70000, "name": "http-"}],
            "healthChecks": [{"protocol": "GOPHER", "portIndex": -1}],
            "upgradeStrategy": {"minimumHealthCapacity": 2},
            "fetch": [{"uri": "http://x/y", "destPath": ""}],
            "labels": {"a": 1},
            "unreachableStrategy": {"inactiveAfterSeconds": -1, "expungeAfterSeconds": 1e30},
        });
        assert_eq!(
            errors(raw),
            vec![
                e("/cmd", "error.minLength"),
                e("/env/N", "error.expected.jsstring"),
                e("/fetch(0)/destPath", "error.minLength"),
                e("/healthChecks(0)/portIndex", "error.min"),
                e("/healthChecks(0)/protocol", "error.unknown.enum.literal"),
                e("/labels/a", "error.expected.jsstring"),
                e("/portDefinitions(0)/port", "error.max"),
                e("/portDefinitions(0)/name", "error.pattern"),
                e("/upgradeStrategy/minimumHealthCapacity", "error.max"),
                e("/unreachableStrategy/inactiveAfterSeconds", "error.min"),
                e("/unreachableStrategy/expungeAfterSeconds", "error.expected.long"),
            ]
        );
    }

    #[test]
    fn network_names_follow_the_raml_pattern() {
        let net = |name: &str| errors(json!({"networks": [{"mode": "container", "name": name}]}));
        assert_eq!(net("dcos_overlay-1"), vec![]);
        assert_eq!(net("_x"), vec![e("/networks(0)/name", "error.pattern")]);
        assert_eq!(net(&"a".repeat(64)), vec![e("/networks(0)/name", "error.maxLength")]);
    }

    #[test]
    fn unreachable_strategy_is_disabled_or_seconds() {
        assert_eq!(errors(json!({"unreachableStrategy": "disabled"})), vec![]);
        assert_eq!(errors(json!({"unreachableStrategy": {"inactiveAfterSeconds": 0}})), vec![]);
        assert_eq!(
            errors(json!({"unreachableStrategy": "off"})),
            vec![e("/unreachableStrategy", "error.unknown.enum.literal")]
        );
    }

    #[test]
    fn groups_check_their_apps_and_subgroups() {
        let found: Vec<_> = check_group(&json!({"id": "/g", "apps": "x"}), "").into_iter().map(|v| v.path).collect();
        assert_eq!(found, ["/apps"]);
        let raw = json!({"id": "/g", "groups": [{"id": "s", "apps": [{"id": "a", "cmd": "x", "cpus": 0}]}]});
        let found: Vec<_> = check_group(&raw, "").into_iter().map(|v| (v.path, v.error)).collect();
        assert_eq!(found, vec![e("/groups(0)/apps(0)/cpus", "error.min")]);
    }
}
