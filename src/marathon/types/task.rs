//! Tasks and their states: `/v2/tasks`, an app's embedded tasks and its last task failure
//! (R:v2/types/task.raml).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::checks::HealthCheckResult;

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

/// `{"tasks": [...]}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TaskList {
    /// The tasks.
    pub tasks: Vec<Task>,
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
mod tests {
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
