//! Groups: the tree of `/v2/groups` (R:v2/types/group.raml).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::app::App;

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
