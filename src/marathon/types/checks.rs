//! Health and readiness checks of an app and their results per task
//! (R:v2/types/healthCheck.raml, readinessCheck.raml, task.raml).

use serde::{Deserialize, Serialize};
use serde_json::Value;

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
