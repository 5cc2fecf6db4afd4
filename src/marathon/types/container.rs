//! An app's container: Docker or Mesos, and its Docker image settings (R:v2/types/appContainer.raml).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ports::PortMapping;

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
