//! Registration: makes etcd's containers of a group match Marathon's tasks (DESIGN §4).
//!
//! A task is registered once it runs and, where its app has health checks, is healthy; every
//! other container of the group is deregistered. One batched sync per group.

use serde::Serialize;

use super::live::{LiveGroup, Snapshot};
use super::wait::task_healthy;
use crate::etcd::{ContainerInfo, Driver, PortMappingInfo, SyncReport};
use crate::marathon::types::{App, Task};
use crate::names::GroupKey;

/// The registration of one task.
pub fn container_info(app: &App, task: &Task) -> ContainerInfo {
    let host_ports = task.ports.clone().unwrap_or_default();
    let mappings: Vec<(Option<u32>, Option<String>, String)> =
        match app.container.as_ref().and_then(|c| c.port_mappings.as_ref()) {
            Some(pm) => pm
                .iter()
                .map(|m| (m.container_port, m.name.clone(), m.protocol.clone().unwrap_or_else(|| "tcp".into())))
                .collect(),
            None => app
                .port_definitions
                .iter()
                .flatten()
                .map(|p| (None, p.name.clone(), p.protocol.clone().unwrap_or_else(|| "tcp".into())))
                .collect(),
        };
    let port_mappings = host_ports
        .iter()
        .enumerate()
        .map(|(i, host_port)| {
            let (container_port, name, protocol) = mappings.get(i).cloned().unwrap_or((None, None, "tcp".into()));
            PortMappingInfo { container_port, host_port: *host_port, name, protocol }
        })
        .collect();
    ContainerInfo {
        instance_name: task.id.clone(),
        instance_host: task.host.clone(),
        instance_port: host_ports.first().copied(),
        port_mappings,
        version: task.version.clone().or_else(|| app.version.clone()).unwrap_or_default(),
        healthy: task_healthy(app, task),
        started_at: task.started_at.clone(),
    }
}

/// The containers that should be registered for a live group: running and healthy tasks.
pub fn desired_containers(group: &LiveGroup) -> Vec<ContainerInfo> {
    group
        .apps
        .iter()
        .flat_map(|app| {
            app.tasks.iter().flatten().filter(|t| task_healthy(app, t)).map(move |t| container_info(app, t))
        })
        .collect()
}

/// What registration changed in one group.
#[derive(Debug, Clone, Serialize)]
pub struct Registered {
    /// Service name.
    pub service: String,
    /// Encoded labels.
    pub group: String,
    /// Containers registered after the sync.
    pub containers: usize,
    /// The changes.
    #[serde(flatten)]
    pub report: SyncReport,
}

/// Syncs etcd's containers of each group with the snapshot's tasks; a group missing from the
/// snapshot gets no containers.
pub async fn sync(etcd: &Driver, snap: &Snapshot, groups: &[GroupKey]) -> Result<Vec<Registered>, crate::etcd::Error> {
    let mut out = Vec::new();
    for key in groups {
        let desired = snap.group(key).map(desired_containers).unwrap_or_default();
        let containers = desired.len();
        let report = etcd.sync_group_containers(key, desired).await?;
        out.push(Registered { service: key.service().to_owned(), group: key.group().to_owned(), containers, report });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon::types::{Container, PortDefinition, PortMapping, TaskState};

    fn task() -> Task {
        Task {
            id: "ns_web.instance-1._app.1".into(),
            host: "127.0.0.2".into(),
            ports: Some(vec![31001, 31002]),
            state: TaskState::Running,
            version: Some("v1".into()),
            ..Task::default()
        }
    }

    #[test]
    fn host_networking_names_ports_from_port_definitions() {
        let app = App {
            port_definitions: Some(vec![
                PortDefinition { name: Some("http".into()), ..PortDefinition::default() },
                PortDefinition {
                    name: Some("admin".into()),
                    protocol: Some("udp".into()),
                    ..PortDefinition::default()
                },
            ]),
            ..App::default()
        };
        let info = container_info(&app, &task());
        assert_eq!(info.instance_port, Some(31001));
        assert_eq!(info.address().as_deref(), Some("127.0.0.2:31001"));
        assert_eq!(info.port_mappings[1].name.as_deref(), Some("admin"));
        assert_eq!(info.port_mappings[1].protocol, "udp");
        assert_eq!(info.port_mappings[0].container_port, None);
        assert!(info.healthy);
    }

    #[test]
    fn bridge_networking_keeps_container_ports() {
        let app = App {
            container: Some(Container {
                port_mappings: Some(vec![PortMapping {
                    container_port: Some(80),
                    name: Some("http".into()),
                    ..PortMapping::default()
                }]),
                ..Container::default()
            }),
            ..App::default()
        };
        let info = container_info(&app, &task());
        assert_eq!(info.port_mappings[0].container_port, Some(80));
        assert_eq!(info.port_mappings[0].host_port, 31001);
    }
}
