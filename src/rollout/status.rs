//! What `view` shows: one stable, documented status document per labeled group, derived from
//! a [`Snapshot`] (its own types, never raw Marathon JSON, so scripts survive wire changes).

use serde::Serialize;

use super::live::{LiveGroup, Snapshot};
use super::stuck::unplaced_reason;
use super::wait::{counts, task_healthy};
use crate::marathon::types::App;

/// Instance counts of a group over all its revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Instances {
    /// Healthy (running, and passing every health check if it has any).
    pub healthy: u32,
    /// Running.
    pub running: u32,
    /// Desired.
    pub desired: u32,
}

/// One container (Marathon task) of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerStatus {
    /// Marathon task id.
    pub id: String,
    /// Agent host (an address the container is reachable on).
    pub host: String,
    /// Host ports.
    pub ports: Vec<u32>,
    /// Marathon task state (`TASK_RUNNING`, ...).
    pub state: String,
    /// Whether it counts as healthy.
    pub healthy: bool,
    /// Revision it runs.
    pub revision: String,
    /// When it started (ISO-8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
}

/// What a labeled group is doing, worst news first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupState {
    /// Marathon's queue says why instances cannot be placed (an unfulfilled constraint, ...).
    Waiting(String),
    /// A Marathon deployment runs: step `.0` of `.1`.
    Deploying(u32, u32),
    /// Tasks keep failing (launch backoff); the reason is Marathon's `lastTaskFailure`.
    Failed(String),
    /// Every instance runs and is healthy, on one revision.
    Stable,
    /// The running count differs from the desired count.
    Scaling,
    /// As many run as desired, but not all are healthy (or several revisions run).
    Degraded,
}

impl std::fmt::Display for GroupState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GroupState::Waiting(why) => write!(f, "waiting: {why}"),
            GroupState::Deploying(step, of) => write!(f, "deploying {step}/{of}"),
            GroupState::Failed(why) => write!(f, "failed: {why}"),
            GroupState::Stable => f.write_str("stable"),
            GroupState::Scaling => f.write_str("scaling"),
            GroupState::Degraded => f.write_str("degraded"),
        }
    }
}

/// Serialized as its text, the stable JSON shape `view -o json` has always had.
impl Serialize for GroupState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One labeled group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupStatus {
    /// Namespace (Marathon path prefix).
    pub namespace: String,
    /// Service name.
    pub service: String,
    /// The label set, sorted.
    pub labels: Vec<String>,
    /// Encoded labels (the etcd group segment).
    pub group: String,
    /// Marathon group id.
    pub id: String,
    /// Instance counts.
    pub instances: Instances,
    /// Revisions, newest first (several while a rollout runs).
    pub revisions: Vec<String>,
    /// Docker image or command of the newest revision.
    pub runs: String,
    /// What the group is doing; printed as `stable`, `deploying n/m`, `waiting: <reason>`,
    /// `failed: <reason>`, `scaling` or `degraded`.
    pub state: GroupState,
    /// When the newest revision's config last changed (ISO-8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Distinct hosts running containers.
    pub hosts: Vec<String>,
    /// The containers.
    pub containers: Vec<ContainerStatus>,
}

/// What an app runs: its image, else its command or args.
pub(super) fn runs(app: &App) -> String {
    if let Some(image) = app.container.as_ref().and_then(|c| c.docker.as_ref()).map(|d| d.image.clone()) {
        return image;
    }
    app.cmd.clone().or_else(|| app.args.as_ref().map(|a| a.join(" "))).unwrap_or_default()
}

/// Instance counts of one live group.
fn instances(group: &LiveGroup) -> Instances {
    let mut n = Instances { healthy: 0, running: 0, desired: group.desired() };
    for app in &group.apps {
        let c = counts(app);
        n.healthy += c.healthy;
        n.running += c.running;
    }
    n
}

/// The status of one live group, taking its tasks' strings rather than copying them.
fn group_status(group: LiveGroup, instances: Instances, state: GroupState) -> GroupStatus {
    let revisions = group.revisions();
    let current = group.current();
    let runs = current.map(runs).unwrap_or_default();
    let since = current.and_then(|a| {
        a.version_info.as_ref().and_then(|v| v.last_config_change_at.clone()).or_else(|| a.version.clone())
    });
    let mut containers = Vec::with_capacity(group.tasks().count());
    for (mut app, revision) in group.apps.into_iter().zip(&revisions) {
        for t in app.tasks.take().into_iter().flatten() {
            containers.push(ContainerStatus {
                healthy: task_healthy(&app, &t),
                state: t.state.to_string(),
                id: t.id,
                host: t.host,
                ports: t.ports.unwrap_or_default(),
                revision: revision.clone(),
                started_at: t.started_at,
            });
        }
    }
    containers.sort_by(|a, b| (&a.host, &a.ports, &a.id).cmp(&(&b.host, &b.ports, &b.id)));
    let mut hosts: Vec<String> = containers.iter().map(|c| c.host.clone()).collect();
    hosts.dedup(); // sorted already: the containers are sorted by host first
    GroupStatus {
        service: group.key.service().to_owned(),
        group: group.key.group().to_owned(),
        labels: group.labels.into_iter().collect(),
        namespace: group.namespace,
        id: group.group_id,
        instances,
        revisions,
        runs,
        state,
        since,
        hosts,
        containers,
    }
}

fn state(group: &LiveGroup, snap: &Snapshot, n: Instances) -> GroupState {
    // What blocks a group says more than "deploying": Marathon keeps such deployments open forever.
    for item in snap.queued_for(group) {
        if let Some(reason) = unplaced_reason(item) {
            return GroupState::Waiting(reason);
        }
    }
    if let Some(d) = snap.deployments_of(group).next() {
        return GroupState::Deploying(d.current_step, d.total_steps);
    }
    for item in snap.queued_for(group) {
        if item.delay.time_left_seconds > 0 {
            let why = group.apps.iter().find_map(|a| a.last_task_failure.as_ref()).map(|f| f.message.clone());
            return GroupState::Failed(why.unwrap_or_else(|| "tasks keep failing (launch backoff)".into()));
        }
    }
    if n.healthy == n.desired && n.running == n.desired && group.apps.len() == 1 {
        GroupState::Stable
    } else if n.running != n.desired {
        GroupState::Scaling
    } else {
        GroupState::Degraded
    }
}

/// Statuses of every group in the snapshot, in (service, labels) order. The snapshot is
/// used up: its tasks' strings move into the statuses instead of being copied.
pub fn statuses(snap: Snapshot) -> Vec<GroupStatus> {
    let states: Vec<(Instances, GroupState)> = snap
        .groups
        .values()
        .map(|g| {
            let n = instances(g);
            (n, state(g, &snap, n))
        })
        .collect();
    snap.groups.into_values().zip(states).map(|(g, (n, state))| group_status(g, n, state)).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::marathon::types::{Deployment, Task, TaskState};
    use crate::rollout::live::{fold, label};
    use crate::spec::labels::Selector;

    fn app(tasks: u32, instances: u32) -> App {
        let labels: BTreeMap<String, String> = [
            (label::MANAGED, "true"),
            (label::SERVICE, "web"),
            (label::GROUP, "dev.frontend"),
            (label::REVISION, "r1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        App {
            id: "/ns/web/dev.frontend/r1".into(),
            cmd: Some("serve".into()),
            instances: Some(instances),
            labels: Some(labels),
            tasks: Some(
                (0..tasks)
                    .map(|i| Task {
                        id: format!("t{i}"),
                        host: "127.0.0.2".into(),
                        ports: Some(vec![31000 + i]),
                        state: TaskState::Running,
                        ..Task::default()
                    })
                    .collect(),
            ),
            ..App::default()
        }
    }

    #[test]
    fn a_fully_running_group_is_stable() {
        let snap =
            Snapshot { groups: fold(vec![app(2, 2)], Some("ns"), &[], &Selector::default()), ..Snapshot::default() };
        let s = statuses(snap);
        assert_eq!(s[0].state, GroupState::Stable);
        assert_eq!(s[0].instances, Instances { healthy: 2, running: 2, desired: 2 });
        assert_eq!(s[0].labels, ["dev", "frontend"]);
        assert_eq!(s[0].hosts, ["127.0.0.2"]);
        assert_eq!(s[0].runs, "serve");
    }

    #[test]
    fn a_running_deployment_shows_its_step() {
        let mut snap =
            Snapshot { groups: fold(vec![app(1, 2)], Some("ns"), &[], &Selector::default()), ..Snapshot::default() };
        snap.deployments.push(Deployment {
            id: "d".into(),
            affected_apps: vec!["/ns/web/dev.frontend/r1".into()],
            current_step: 1,
            total_steps: 2,
            ..Deployment::default()
        });
        assert_eq!(statuses(snap)[0].state, GroupState::Deploying(1, 2));
    }
}
