//! Marathon's wire model: the JSON shapes of `/v2/apps`, `/v2/groups`, `/v2/deployments`,
//! `/v2/tasks`, `/v2/queue` and friends (marathon-api/raml/v2/types).
//!
//! One model serves both sides: the Marathon client reads and writes these, and the local
//! engine (`local/`) stores and serves them, so a shape can never drift between the two.
//!
//! Rules: field names are Marathon's (camelCase); every optional field is an `Option` or a
//! collection that is omitted when absent or empty, never serialized as `null` (Marathon's
//! Jackson writer omits them); unknown fields are ignored on input (strict about what we own,
//! lenient about what we don't).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// `{"id": "..."}`: a reference to a deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentRef {
    /// Deployment id (a UUID).
    pub id: String,
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

/// The app's container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// `DOCKER` or `MESOS`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Docker image settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker: Option<Docker>,
    /// Port mappings (bridge or container networking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_mappings: Option<Vec<PortMapping>>,
    /// Volumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<Value>>,
}

/// Docker settings of a container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Docker {
    /// Image reference.
    #[serde(default)]
    pub image: String,
    /// Pull the image even when cached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_pull_image: Option<bool>,
    /// Run privileged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    /// Extra `docker run` parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<Value>>,
    /// Deprecated network mode, normalised into `networks`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// Deprecated port mappings, normalised into `container.portMappings`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_mappings: Option<Vec<PortMapping>>,
    /// Pull credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_config: Option<Value>,
    /// Deprecated credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Value>,
}

/// A container port mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortMapping {
    /// Port inside the container (0 = same as host port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_port: Option<u32>,
    /// Host port (0 = assigned at launch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port: Option<u32>,
    /// Service port (0 = auto-assigned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_port: Option<u32>,
    /// `tcp`, `udp` or `udp,tcp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Port name (`$PORT_<NAME>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Port labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Networks this mapping applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_names: Option<Vec<String>>,
}

/// A host-networking port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortDefinition {
    /// Service port (0 = auto-assigned from 10000..20000).
    #[serde(default)]
    pub port: u32,
    /// Port name (`$PORT_<NAME>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `tcp`, `udp` or `udp,tcp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Port labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
}

/// A network the app joins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    /// `host`, `container/bridge` or `container`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Network name (`container` mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Network labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
}

/// A health check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheck {
    /// `HTTP`, `HTTPS`, `TCP`, `COMMAND`, `MESOS_HTTP`, `MESOS_HTTPS`, `MESOS_TCP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// HTTP path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Index into the app's ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_index: Option<u32>,
    /// Fixed port to check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// Command for `COMMAND` checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandCheck>,
    /// Failures are ignored this long after launch, until the first success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<u64>,
    /// Seconds between checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_seconds: Option<u64>,
    /// Seconds before a check counts as failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    /// Failures in a row before the task is killed (0 = never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_consecutive_failures: Option<u32>,
    /// Delay before the first Mesos-level check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_seconds: Option<u64>,
    /// Treat HTTP 1xx as unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_http1xx: Option<bool>,
    /// `IPv4` or `IPv6`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_protocol: Option<String>,
}

/// `{"value": "..."}`: the command of a `COMMAND` health check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandCheck {
    /// Shell command; exit 0 means healthy.
    pub value: String,
}

/// A readiness check, consulted only during deployments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessCheck {
    /// Name (default `readinessCheck`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `HTTP` or `HTTPS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// HTTP path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Name of the port to check (must name one of the app's ports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_name: Option<String>,
    /// Seconds between checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_seconds: Option<u64>,
    /// Seconds before a check fails (less than the interval).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    /// Status codes that mean ready (default `[200]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status_codes_for_ready: Option<Vec<u16>>,
    /// Keep the last response in the results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserve_last_response: Option<bool>,
}

/// The result of a readiness check for one task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessCheckResult {
    /// Check name.
    pub name: String,
    /// Task id.
    pub task_id: String,
    /// Whether the task is ready.
    pub ready: bool,
    /// Last response, when preserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_response: Option<Value>,
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

/// Writes a whole number as a JSON integer (`1`, not `1.0`): Marathon types these fields as
/// integers (R:v2/types/app.raml) and its JSON Schema rejects `1.0`.
fn whole_as_integer<S: serde::Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => s.serialize_i64(*v as i64),
        Some(v) => s.serialize_f64(*v),
        None => s.serialize_none(),
    }
}

fn one() -> f64 {
    1.0
}

/// A task (one running instance of an app).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// Task id, e.g. `prod_web.instance-<uuid>._app.1`.
    pub id: String,
    /// App id.
    pub app_id: String,
    /// Agent hostname.
    #[serde(default)]
    pub host: String,
    /// Host ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<u32>>,
    /// Service ports.
    #[serde(default)]
    pub service_ports: Vec<u32>,
    /// Agent id.
    #[serde(default)]
    pub slave_id: String,
    /// `TASK_STAGING`, `TASK_RUNNING`, ...
    #[serde(default)]
    pub state: TaskState,
    /// When the task was staged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staged_at: Option<String>,
    /// When the task started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// App version the task runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// IP addresses of the task.
    #[serde(default)]
    pub ip_addresses: Vec<IpAddress>,
    /// Health check results, one per health check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_results: Option<Vec<HealthCheckResult>>,
    /// Local volumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_volumes: Option<Vec<Value>>,
    /// Region of the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Zone of the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Mesos role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// An IP address of a task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpAddress {
    /// The address.
    pub ip_address: String,
    /// `IPv4` or `IPv6`.
    pub protocol: String,
}

/// The result of one health check for one task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheckResult {
    /// Whether the last check passed.
    pub alive: bool,
    /// Failures in a row.
    pub consecutive_failures: u32,
    /// First success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_success: Option<String>,
    /// Last success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_success: Option<String>,
    /// Last failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<String>,
    /// Why the last check failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failure_cause: Option<String>,
    /// Instance id.
    #[serde(default)]
    pub instance_id: String,
}

/// The last failure of an app's task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskFailure {
    /// App id.
    pub app_id: String,
    /// Agent hostname.
    pub host: String,
    /// Message.
    pub message: String,
    /// Terminal state.
    pub state: TaskState,
    /// Task id.
    pub task_id: String,
    /// When it failed.
    pub timestamp: String,
    /// App version.
    pub version: String,
    /// Agent id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slave_id: Option<String>,
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

/// `{"tasks": [...]}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TaskList {
    /// The tasks.
    pub tasks: Vec<Task>,
}

/// `{"versions": [...]}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct VersionList {
    /// Version timestamps, newest first.
    pub versions: Vec<String>,
}

/// `{"deploymentId", "version"}`: what a change returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentResult {
    /// The deployment that carries the change.
    pub deployment_id: String,
    /// The new version.
    pub version: String,
}

/// A Marathon group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Absolute group id.
    #[serde(default)]
    pub id: String,
    /// Apps directly in this group.
    #[serde(default)]
    pub apps: Vec<App>,
    /// Subgroups.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// Pods (not supported by the local engine; always empty there).
    #[serde(default)]
    pub pods: Vec<Value>,
    /// Ids this group depends on.
    #[serde(default)]
    pub dependencies: Vec<String>,
    /// Version timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Enforce the group role on its apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_role: Option<bool>,
}

/// One action of a deployment step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentAction {
    /// `StartApplication`, `StopApplication`, `ScaleApplication`, `RestartApplication`.
    pub action: String,
    /// App id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// Pod id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    /// Readiness results (in `currentActions` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_check_results: Option<Vec<ReadinessCheckResult>>,
}

/// One step: actions that run in parallel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeploymentStep {
    /// The actions.
    pub actions: Vec<DeploymentAction>,
}

/// A running deployment, as listed by `GET /v2/deployments`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// Deployment id.
    pub id: String,
    /// Target version.
    pub version: String,
    /// Apps the deployment changes.
    #[serde(default)]
    pub affected_apps: Vec<String>,
    /// Pods the deployment changes.
    #[serde(default)]
    pub affected_pods: Vec<String>,
    /// All steps.
    #[serde(default)]
    pub steps: Vec<DeploymentStep>,
    /// Actions of the current step.
    #[serde(default)]
    pub current_actions: Vec<DeploymentAction>,
    /// 1-based current step (0 before the first starts).
    #[serde(default)]
    pub current_step: u32,
    /// Number of steps.
    #[serde(default)]
    pub total_steps: u32,
}

/// One entry of `GET /v2/queue`: an app with instances waiting for offers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueItem {
    /// Instances still to launch.
    pub count: u32,
    /// Launch delay.
    pub delay: QueueDelay,
    /// Since when the item waits.
    pub since: String,
    /// Offer-matching statistics (why offers were declined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed_offers_summary: Option<ProcessedOffersSummary>,
    /// Last offers seen (with `embed=lastUnusedOffers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_unused_offers: Option<Vec<Value>>,
    /// The app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<App>,
    /// The pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<Value>,
    /// Role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// Launch delay of a queued app.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueDelay {
    /// Seconds until the next launch attempt.
    pub time_left_seconds: u64,
    /// Whether backoff overdue.
    pub overdue: bool,
}

/// Why offers were declined for a queued app.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessedOffersSummary {
    /// Offers looked at.
    pub processed_offers_count: u64,
    /// Offers declined.
    pub unused_offers_count: u64,
    /// When the last offer was declined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_unused_offer_at: Option<String>,
    /// When the last offer was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_offer_at: Option<String>,
    /// Decline counts by reason, e.g. `UnfulfilledConstraint`, `InsufficientCpus`
    /// (wire name `rejectSummaryLastOffers`, as in R:v2/types/queue.raml).
    #[serde(default, rename = "rejectSummaryLastOffers", alias = "rejectionSummaryLastOffers")]
    pub rejection_summary_last_offers: Vec<RejectionCount>,
    /// Decline counts by reason over the whole launch attempt (wire name `rejectSummaryLaunchAttempt`).
    #[serde(default, rename = "rejectSummaryLaunchAttempt", alias = "rejectionSummaryLaunchAttempt")]
    pub rejection_summary_launch_attempt: Vec<RejectionCount>,
}

/// One reason and how many offers it declined.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectionCount {
    /// The reason: `UnfulfilledRole`, `UnfulfilledConstraint`, `NoCorrespondingReservationFound`,
    /// `AgentMaintenance`, `InsufficientCpus`, `InsufficientMemory`, `InsufficientDisk`,
    /// `InsufficientGpus`, `InsufficientPorts`, `DeclinedScarceResources`.
    pub reason: String,
    /// Offers declined for it.
    pub declined: u64,
    /// Offers processed.
    pub processed: u64,
}

/// `{"queue": [...]}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Queue {
    /// Waiting apps.
    pub queue: Vec<QueueItem>,
}

/// Marathon's error body: `{"message", "details"?}` (409 adds `deployments`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Human-readable message.
    pub message: String,
    /// Per-path validation errors (`[{path, errors[]}]`) or other details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    /// Deployments holding a lock (409 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployments: Option<Vec<DeploymentRef>>,
}

/// `{"leader": "host:port"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leader {
    /// The leader's `host:port`.
    pub leader: String,
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

/// A Mesos task state as Marathon reports it (`TASK_RUNNING`, ...), shared by the client and the
/// engine. Lenient: a state this build does not know reads as [`TaskState::Unknown`]. The order
/// is the life of a task: every state before [`TaskState::Killing`] is a live one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TaskState {
    /// Placed, not yet started (sandbox, fetch, image pull).
    #[serde(rename = "TASK_STAGING")]
    Staging,
    /// The executor is starting it.
    #[serde(rename = "TASK_STARTING")]
    Starting,
    /// Running.
    #[serde(rename = "TASK_RUNNING")]
    Running,
    /// Being killed (Marathon ignores it when picking tasks to kill).
    #[serde(rename = "TASK_KILLING")]
    Killing,
    /// Terminal: killed.
    #[serde(rename = "TASK_KILLED")]
    Killed,
    /// Terminal: exited non-zero or could not start.
    #[serde(rename = "TASK_FAILED")]
    Failed,
    /// Terminal: exited zero.
    #[serde(rename = "TASK_FINISHED")]
    Finished,
    /// Terminal: the task description was invalid.
    #[serde(rename = "TASK_ERROR")]
    Error,
    /// The agent lost it.
    #[serde(rename = "TASK_LOST")]
    Lost,
    /// Terminal: dropped before it started.
    #[serde(rename = "TASK_DROPPED")]
    Dropped,
    /// Its agent is unreachable; it may come back.
    #[serde(rename = "TASK_UNREACHABLE")]
    Unreachable,
    /// Terminal: its agent is gone.
    #[serde(rename = "TASK_GONE")]
    Gone,
    /// Terminal: an operator marked its agent gone.
    #[serde(rename = "TASK_GONE_BY_OPERATOR")]
    GoneByOperator,
    /// Unknown to Mesos, or a state this build does not know.
    #[default]
    #[serde(rename = "TASK_UNKNOWN", other)]
    Unknown,
}

impl TaskState {
    /// Marathon's name, e.g. `TASK_RUNNING`.
    pub fn name(self) -> &'static str {
        match self {
            TaskState::Staging => "TASK_STAGING",
            TaskState::Starting => "TASK_STARTING",
            TaskState::Running => "TASK_RUNNING",
            TaskState::Killing => "TASK_KILLING",
            TaskState::Killed => "TASK_KILLED",
            TaskState::Failed => "TASK_FAILED",
            TaskState::Finished => "TASK_FINISHED",
            TaskState::Error => "TASK_ERROR",
            TaskState::Lost => "TASK_LOST",
            TaskState::Dropped => "TASK_DROPPED",
            TaskState::Unreachable => "TASK_UNREACHABLE",
            TaskState::Gone => "TASK_GONE",
            TaskState::GoneByOperator => "TASK_GONE_BY_OPERATOR",
            TaskState::Unknown => "TASK_UNKNOWN",
        }
    }

    /// The instance condition Marathon derives from it (`instance_changed_event`'s `condition`;
    /// `core/condition/Condition.scala`).
    pub fn condition(self) -> &'static str {
        match self {
            TaskState::Staging => "Staging",
            TaskState::Starting => "Starting",
            TaskState::Running => "Running",
            TaskState::Killing => "Killing",
            TaskState::Killed => "Killed",
            TaskState::Failed => "Failed",
            TaskState::Finished => "Finished",
            TaskState::Error => "Error",
            TaskState::Lost | TaskState::Unreachable => "Unreachable",
            TaskState::Dropped => "Dropped",
            TaskState::Gone => "Gone",
            TaskState::GoneByOperator => "GoneByOperator",
            TaskState::Unknown => "Unknown",
        }
    }
}

impl std::fmt::Display for TaskState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod task_state_tests {
    use super::TaskState;

    #[test]
    fn task_states_read_leniently_and_write_marathons_names() {
        let s: TaskState = serde_json::from_str("\"TASK_RUNNING\"").unwrap();
        assert_eq!(s, TaskState::Running);
        let odd: TaskState = serde_json::from_str("\"TASK_FROM_THE_FUTURE\"").unwrap();
        assert_eq!(odd, TaskState::Unknown);
        assert_eq!(serde_json::to_string(&TaskState::GoneByOperator).unwrap(), "\"TASK_GONE_BY_OPERATOR\"");
        assert!(TaskState::Running < TaskState::Killing && TaskState::Staging < TaskState::Killing);
    }
}
