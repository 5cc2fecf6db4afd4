//! The one diff between Marathon's tasks and etcd's registrations, used by `sync` (full
//! reconcile and the event follower) and by `plan`'s drift report.
//!
//! A task is *healthy* when it runs and, where its app has health checks, every check has a
//! result and every result is alive ([`crate::rollout::wait::task_healthy`]). Health results
//! live only in the memory of Marathon's leader (`healthByInstanceId` starts empty in
//! `core/health/impl/HealthCheckActor.scala`, and `Health.alive` needs a success in
//! `core/health/Health.scala`), so after a leader change a running task shows no results for a
//! while. Such a task's health is *unknown*: it is never deregistered for missing data, and it
//! is not registered either until a result says it is healthy.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::etcd::ContainerInfo;
use crate::marathon::types::{App, Task, TaskState};
use crate::rollout::register::container_info;

/// What Marathon says about one task's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Running and healthy (or running in an app without health checks): registered.
    Healthy,
    /// Not running, or a health check result is not alive: not registered.
    Unhealthy,
    /// Running, no result is failing, but some are missing: left as it is.
    Unknown,
}

/// The health of `task` of `app`.
pub fn health(app: &App, task: &Task) -> Health {
    if task.state != TaskState::Running {
        return Health::Unhealthy;
    }
    let checks = app.health_checks.as_ref().map_or(0, Vec::len);
    if checks == 0 {
        return Health::Healthy;
    }
    let results = task.health_check_results.as_deref().unwrap_or_default();
    if results.iter().any(|r| !r.alive) {
        Health::Unhealthy
    } else if results.len() >= checks {
        Health::Healthy
    } else {
        Health::Unknown
    }
}

/// etcd's registrations of one group: container name → its info (`None` when the info key is
/// missing or unreadable, which counts as different from any desired info).
pub type Registered = BTreeMap<String, Option<ContainerInfo>>;

/// The changes that make one group's registrations equal to Marathon's tasks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupDiff {
    /// Healthy tasks not registered yet.
    pub register: Vec<ContainerInfo>,
    /// Registered containers whose info differs from the task's.
    pub update: Vec<ContainerInfo>,
    /// Registered containers with no running, healthy (or unknown) task.
    pub deregister: Vec<String>,
    /// Registered containers whose task's health is unknown: left as they are.
    pub unknown: Vec<String>,
}

impl GroupDiff {
    /// Whether nothing needs writing.
    pub fn is_empty(&self) -> bool {
        self.register.is_empty() && self.update.is_empty() && self.deregister.is_empty()
    }

    /// How many containers change.
    pub fn changes(&self) -> usize {
        self.register.len() + self.update.len() + self.deregister.len()
    }
}

/// The diff of one group: `apps` are its revision apps with their tasks (none when Marathon
/// has no such group), `registered` what etcd lists.
pub fn diff<'a>(apps: impl IntoIterator<Item = &'a App>, registered: &Registered) -> GroupDiff {
    let mut out = GroupDiff::default();
    let mut keep: BTreeSet<&str> = BTreeSet::new();
    for app in apps {
        for task in app.tasks.iter().flatten() {
            match health(app, task) {
                Health::Healthy => {
                    keep.insert(task.id.as_str());
                    let info = container_info(app, task);
                    match registered.get(&task.id) {
                        None => out.register.push(info),
                        Some(have) if have.as_ref() != Some(&info) => out.update.push(info),
                        Some(_) => {}
                    }
                }
                Health::Unknown if registered.contains_key(&task.id) => {
                    keep.insert(task.id.as_str());
                    out.unknown.push(task.id.clone());
                }
                Health::Unknown | Health::Unhealthy => {}
            }
        }
    }
    out.deregister = registered.keys().filter(|name| !keep.contains(name.as_str())).cloned().collect();
    out.register.sort_by(|a, b| a.instance_name.cmp(&b.instance_name));
    out.update.sort_by(|a, b| a.instance_name.cmp(&b.instance_name));
    out.unknown.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon::types::{HealthCheck, HealthCheckResult};

    fn task(id: &str, state: TaskState, results: Option<Vec<bool>>) -> Task {
        Task {
            id: id.into(),
            host: "127.0.0.2".into(),
            ports: Some(vec![31000]),
            state,
            version: Some("v1".into()),
            health_check_results: results.map(|r| {
                r.into_iter().map(|alive| HealthCheckResult { alive, ..HealthCheckResult::default() }).collect()
            }),
            ..Task::default()
        }
    }

    fn app(checks: usize, tasks: Vec<Task>) -> App {
        App {
            id: "/t/web/dev/r1".into(),
            health_checks: Some(vec![HealthCheck::default(); checks]),
            tasks: Some(tasks),
            ..App::default()
        }
    }

    #[test]
    fn health_is_unknown_only_while_results_are_missing() {
        let a = app(1, vec![]);
        assert_eq!(health(&a, &task("t", TaskState::Running, None)), Health::Unknown);
        assert_eq!(health(&a, &task("t", TaskState::Running, Some(vec![]))), Health::Unknown);
        assert_eq!(health(&a, &task("t", TaskState::Running, Some(vec![true]))), Health::Healthy);
        assert_eq!(health(&a, &task("t", TaskState::Running, Some(vec![false]))), Health::Unhealthy);
        assert_eq!(health(&a, &task("t", TaskState::Staging, Some(vec![true]))), Health::Unhealthy);
        let two = app(2, vec![]);
        assert_eq!(health(&two, &task("t", TaskState::Running, Some(vec![true]))), Health::Unknown);
        assert_eq!(health(&two, &task("t", TaskState::Running, Some(vec![true, false]))), Health::Unhealthy);
        assert_eq!(health(&app(0, vec![]), &task("t", TaskState::Running, None)), Health::Healthy);
    }

    #[test]
    fn unknown_tasks_are_neither_deregistered_nor_registered() {
        let a = app(
            1,
            vec![
                task("known", TaskState::Running, None),
                task("new", TaskState::Running, None),
                task("ok", TaskState::Running, Some(vec![true])),
                task("bad", TaskState::Running, Some(vec![false])),
            ],
        );
        let mut reg = Registered::new();
        let ok = container_info(&a, &a.tasks.as_ref().unwrap()[2]);
        reg.insert("known".into(), None);
        reg.insert("bad".into(), None);
        reg.insert("gone".into(), None);
        reg.insert("ok".into(), Some(ok));
        let d = diff([&a], &reg);
        assert!(d.register.is_empty() && d.update.is_empty(), "{d:?}");
        assert_eq!(d.deregister, ["bad", "gone"]);
        assert_eq!(d.unknown, ["known"]);
    }

    #[test]
    fn healthy_tasks_are_registered_or_updated_and_an_equal_state_is_empty() {
        let a = app(0, vec![task("a", TaskState::Running, None), task("b", TaskState::Running, None)]);
        let d = diff([&a], &Registered::new());
        assert_eq!(d.register.iter().map(|i| i.instance_name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        let mut reg: Registered = d.register.iter().map(|i| (i.instance_name.clone(), Some(i.clone()))).collect();
        assert!(diff([&a], &reg).is_empty());
        if let Some(Some(info)) = reg.get_mut("a") {
            info.instance_port = Some(1);
        }
        let d = diff([&a], &reg);
        assert_eq!(d.update.len(), 1);
        assert_eq!(d.changes(), 1);
        assert!(diff([], &reg).deregister.len() == 2, "no Marathon group: everything goes");
    }
}
