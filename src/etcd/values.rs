//! The values the driver stores: a container's registration ([`ContainerInfo`]), what a sync
//! changed ([`SyncReport`]), and the small JSON markers that say a key exists.

use serde::{Deserialize, Serialize};

/// One container's registration: the value at `.../containers/<container>/info`.
///
/// ```json
/// {"instance_name": "theseus_web_dev.frontend_r1.6f1c2a3e-...", "instance_host": "10.0.3.12",
///  "instance_port": 31002, "port_mappings": [{"container_port": 80, "host_port": 31002,
///  "name": "http", "protocol": "tcp"}], "version": "2024-05-01T10:00:00.000Z",
///  "healthy": true, "started_at": "2024-05-01T10:00:05.123Z"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerInfo {
    /// The Marathon task id; also the `<container>` key segment.
    pub instance_name: String,
    /// The agent host the task runs on (a name or an address).
    pub instance_host: String,
    /// The first host port, if the task has ports.
    #[serde(default)]
    pub instance_port: Option<u32>,
    /// Every port of the task.
    #[serde(default)]
    pub port_mappings: Vec<PortMappingInfo>,
    /// The Marathon app version (or revision) the task runs.
    #[serde(default)]
    pub version: String,
    /// Whether the task passed its health checks (true when the app has none and it runs).
    #[serde(default)]
    pub healthy: bool,
    /// When the task started (RFC 3339), as Marathon reports it.
    #[serde(default)]
    pub started_at: Option<String>,
    /// The task belongs to a canary on trial (its rollout not promoted yet): consumers may
    /// route to it or not. Absent otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub canary: bool,
}

impl ContainerInfo {
    /// `host:port` of the first host port, if any.
    pub fn address(&self) -> Option<String> {
        self.instance_port.map(|p| format!("{}:{p}", self.instance_host))
    }
}

/// One port of a container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortMappingInfo {
    /// The port inside the container (bridge networking); none with host networking.
    #[serde(default)]
    pub container_port: Option<u32>,
    /// The port on the agent.
    pub host_port: u32,
    /// The port's name from the spec.
    #[serde(default)]
    pub name: Option<String>,
    /// `tcp`, `udp` or `udp,tcp`.
    #[serde(default = "default_protocol")]
    pub protocol: String,
}

fn default_protocol() -> String {
    "tcp".into()
}

/// What a command's registration pass changed in one group (container names, sorted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Containers newly registered.
    pub registered: Vec<String>,
    /// Registered containers whose info changed.
    pub updated: Vec<String>,
    /// Containers removed because they were not desired.
    pub deregistered: Vec<String>,
}

impl SyncReport {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.registered.is_empty() && self.updated.is_empty() && self.deregistered.is_empty()
    }
}

/// The marker value of `/services` (the layout's version).
#[derive(Serialize)]
pub(super) struct RootMarker {
    pub(super) layout: u32,
}

#[derive(Serialize)]
pub(super) struct ServiceMarker<'a> {
    pub(super) service: &'a str,
}

#[derive(Serialize)]
pub(super) struct GroupMarker<'a> {
    pub(super) service: &'a str,
    pub(super) group: &'a str,
    pub(super) labels: Vec<&'a str>,
}

#[derive(Serialize)]
pub(super) struct ContainersMarker<'a> {
    pub(super) service: &'a str,
    pub(super) group: &'a str,
}

#[derive(Serialize)]
pub(super) struct ContainerMarker<'a> {
    pub(super) instance_name: &'a str,
}

pub(super) fn json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing these plain structs and `Value`s cannot fail (string keys only).
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_info_json_is_snake_case_and_lenient() {
        let info: ContainerInfo =
            serde_json::from_str(r#"{"instance_name":"t1","instance_host":"h","instance_port":31000,"extra":1}"#)
                .unwrap();
        assert_eq!(info.address().as_deref(), Some("h:31000"));
        let back = serde_json::to_value(&info).unwrap();
        assert_eq!(back["port_mappings"], serde_json::json!([]));
        assert_eq!(back["healthy"], false);
    }
}
