//! What Marathon says outside the resources: the leader of `/v2/leader` and the error body every
//! endpoint answers a refusal with (R:v2/types/error.raml).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::deployment::DeploymentRef;

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
