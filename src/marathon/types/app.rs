//! Apps: the definition `/v2/apps` takes and answers (with `AppInfo`'s response-only fields),
//! its version stamps, upgrade strategy and artifacts, and the envelopes it travels in
//! (R:v2/types/app.raml, artifact.raml).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::checks::{HealthCheck, ReadinessCheck, ReadinessCheckResult};
use super::container::Container;
use super::deployment::DeploymentRef;
use super::ports::{Network, PortDefinition};
use super::task::{Task, TaskFailure};

/// A Marathon application definition, plus the response-only fields of `AppInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct App {
    /// Absolute path id, e.g. `/prod/web/dev.frontend`.
    #[serde(default)]
    pub id: String,
    /// Shell command, run with `/bin/sh -c`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<String>,
    /// Command arguments, executed directly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// User the task runs as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Number of instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances: Option<u32>,
    /// CPU shares per instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    /// Memory per instance, MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem: Option<f64>,
    /// Disk per instance, MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<f64>,
    /// GPUs per instance.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub gpus: Option<f64>,
    /// Executor, `""` for the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor: Option<String>,
    /// Container settings (Docker or Mesos containerizer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    /// Environment: plain strings or `{"secret": "ref"}` objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, Value>>,
    /// Free-form key/value labels (`theseus.*` labels live here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Placement constraints: `[field, OPERATOR]` or `[field, OPERATOR, value]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<Vec<Vec<String>>>,
    /// Roles whose resources the app accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_resource_roles: Option<Vec<String>>,
    /// Ids of apps or groups this app depends on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Vec<String>>,
    /// Host-networking ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_definitions: Option<Vec<PortDefinition>>,
    /// Deprecated port list (service ports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<u32>>,
    /// Host port must equal the service port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_ports: Option<bool>,
    /// Networks the app joins (default: host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networks: Option<Vec<Network>>,
    /// Health checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_checks: Option<Vec<HealthCheck>>,
    /// Readiness checks (at most one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_checks: Option<Vec<ReadinessCheck>>,
    /// Artifacts fetched into the sandbox before the task starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch: Option<Vec<Fetch>>,
    /// Deprecated artifact URIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uris: Option<Vec<String>>,
    /// Launch backoff, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub backoff_seconds: Option<f64>,
    /// Launch backoff growth factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_factor: Option<f64>,
    /// Maximum launch delay, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub max_launch_delay_seconds: Option<f64>,
    /// Seconds between SIGTERM and SIGKILL.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub task_kill_grace_period_seconds: Option<f64>,
    /// How Marathon replaces instances during a deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade_strategy: Option<UpgradeStrategy>,
    /// What to do with unreachable instances (object or `"disabled"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreachable_strategy: Option<Value>,
    /// `YOUNGEST_FIRST` or `OLDEST_FIRST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kill_selection: Option<String>,
    /// Secrets referenced from `env`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Value>,
    /// Resident-task settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residency: Option<Value>,
    /// Mesos role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Allocate a TTY.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// Version timestamp (ISO-8601); a PUT of only `{"version"}` is a rollback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// When the config and the scaling last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_info: Option<VersionInfo>,

    // ---- response-only (AppInfo) ----
    /// Staged task count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks_staged: Option<u32>,
    /// Running task count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks_running: Option<u32>,
    /// Healthy task count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks_healthy: Option<u32>,
    /// Unhealthy task count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks_unhealthy: Option<u32>,
    /// Deployments that currently affect the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployments: Option<Vec<DeploymentRef>>,
    /// Running tasks (with `embed=apps.tasks` or on `GET /v2/apps/{id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<Vec<Task>>,
    /// The most recent task failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_task_failure: Option<TaskFailure>,
    /// Readiness results of the running deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_check_results: Option<Vec<ReadinessCheckResult>>,
}

/// When an app's configuration and scaling last changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    /// Last scaling change (or config change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scaling_at: Option<String>,
    /// Last config change (or restart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_config_change_at: Option<String>,
}

/// `{minimumHealthCapacity, maximumOverCapacity}`, both in `[0, 1]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeStrategy {
    /// Fraction of instances that must stay healthy.
    #[serde(default = "one")]
    pub minimum_health_capacity: f64,
    /// Fraction of extra instances allowed during a deployment.
    #[serde(default = "one")]
    pub maximum_over_capacity: f64,
}

fn one() -> f64 {
    1.0
}

/// An artifact to fetch into the sandbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fetch {
    /// Where to download from.
    pub uri: String,
    /// Mark the file executable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executable: Option<bool>,
    /// Extract archives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extract: Option<bool>,
    /// Use the fetcher cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<bool>,
    /// Destination inside the sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dest_path: Option<String>,
}

/// Writes a whole number as a JSON integer (`1`, not `1.0`): Marathon types these fields as
/// integers (R:v2/types/app.raml) and its JSON Schema rejects `1.0`.
fn whole_as_integer<S: serde::Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => s.serialize_i64(*v as i64),
        Some(v) => s.serialize_f64(*v),
        None => s.serialize_none(),
    }
}

/// `{"apps": [...]}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AppList {
    /// The apps.
    pub apps: Vec<App>,
}

/// `{"app": {...}}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AppEnvelope {
    /// The app.
    pub app: App,
}

/// `{"versions": [...]}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct VersionList {
    /// Version timestamps, newest first.
    pub versions: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_are_omitted_not_null() {
        let app = App { id: "/a".into(), cmd: Some("sleep 1".into()), ..App::default() };
        let json = serde_json::to_string(&app).unwrap();
        assert_eq!(json, r#"{"id":"/a","cmd":"sleep 1"}"#);
    }

    #[test]
    fn integer_typed_fields_serialize_without_a_fraction() {
        let app = App { backoff_seconds: Some(1.0), gpus: Some(0.0), backoff_factor: Some(1.0), ..App::default() };
        let json = serde_json::to_string(&app).unwrap();
        assert_eq!(json, r#"{"id":"","gpus":0,"backoffSeconds":1,"backoffFactor":1.0}"#);
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let app: App = serde_json::from_str(r#"{"id":"/a","someFutureField":{"x":1}}"#).unwrap();
        assert_eq!(app.id, "/a");
    }
}
