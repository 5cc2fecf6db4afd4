//! Registration: the one rule and the one diff that make etcd's containers of a group match
//! Marathon's tasks (DESIGN §4), used by every command (through [`sync`]) and by `theseus sync`
//! (full reconcile, the event follower and `plan`'s drift report call [`diff`]).
//!
//! A task is *healthy* when it runs and, where its app has health checks, every check has a
//! result and every result is alive ([`task_healthy`]); *failing* when it does not run or a
//! check recorded a failure it has not recovered from; otherwise its health is *unknown*.
//! Healthy tasks are registered, failing ones deregistered, and an unknown one is left as it
//! is: kept if registered, not registered until a result says healthy.
//!
//! Why unknown exists, in Marathon 1.10.26 (paths under `src/main/scala/mesosphere/marathon/`):
//! results live only in the memory of the leader's `core/health/impl/HealthCheckActor.scala`,
//! whose `healthByInstanceId` starts empty (on every leader, so after each leader change) and
//! gets a task's entry only when one of its checks reports, and the first check runs only
//! `min(interval, 5 s)` after the actor starts (`HealthCheck.DefaultFirstHealthCheckAfter`).
//! `core/health/impl/MarathonHealthCheckManager.scala` (`statuses`) lists only those entries,
//! `core/appinfo/impl/AppInfoBaseData.scala` (`enrichedTasksFuture`) gives a task without any
//! `Nil`, and `raml/TaskConversion.scala` writes that as `"healthCheckResults": []`. A running,
//! serving task therefore shows no result for a while after every leader change. And a result
//! Marathon ignored (a failure within the grace period before any success, or an ignored 1xx)
//! still creates the entry, as `Health(instanceId)`: `alive` false (`core/health/Health.scala`
//! needs a success) with no failure recorded. Neither says the task fails, so neither
//! deregisters it; only a result with a recorded failure (`lastFailure`) does.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::live::{LiveGroup, Snapshot};
use super::wait::task_healthy;
use crate::etcd::{self, CanaryMark, ContainerInfo, Driver, GroupChange, PortMappingInfo, SyncReport};
use crate::marathon::types::{App, HealthCheckResult, Task, TaskState};
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
        canary: false,
    }
}

/// The info of `task` of `app` in a group whose canary on trial is `canary` (if any): the
/// container of a canary revision's task says `"canary": true`. The one rule for the flag,
/// for rollouts and `sync` alike.
pub fn container_info_in(app: &App, task: &Task, canary: Option<&CanaryMark>) -> ContainerInfo {
    ContainerInfo { canary: canary.is_some_and(|m| m.app_id == app.id), ..container_info(app, task) }
}

/// The containers a registration of a live group starts from: its healthy tasks. (A task of
/// unknown health is also kept where it is registered already: [`diff`].)
pub fn desired_containers(group: &LiveGroup) -> Vec<ContainerInfo> {
    group
        .apps
        .iter()
        .flat_map(|app| {
            let healthy = app.tasks.iter().flatten().filter(|t| health(app, t) == Health::Healthy);
            healthy.map(move |t| container_info(app, t))
        })
        .collect()
}

/// What Marathon says about one task's health (module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Running and healthy (or running in an app without health checks): registered.
    Healthy,
    /// Not running, or a check recorded a failure: deregistered.
    Failing,
    /// Running, nothing failing, but not every check has a result saying alive: left as it is.
    Unknown,
}

/// Whether a check result records a failure the task has not recovered from. A result that is
/// not alive but records no failure is the entry of an ignored result (module doc).
fn failed(result: &HealthCheckResult) -> bool {
    !result.alive && result.last_failure.is_some()
}

/// The health of `task` of `app`.
pub fn health(app: &App, task: &Task) -> Health {
    if task_healthy(app, task) {
        Health::Healthy
    } else if task.state != TaskState::Running || task.health_check_results.iter().flatten().any(failed) {
        Health::Failing
    } else {
        Health::Unknown
    }
}

/// The changes that make one group's registrations equal to Marathon's tasks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupDiff {
    /// Healthy tasks not registered yet.
    pub register: Vec<ContainerInfo>,
    /// Registered containers whose info differs from the task's.
    pub update: Vec<ContainerInfo>,
    /// Registered containers with no running task whose health is healthy or unknown.
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

    /// The write that applies the diff to `key`'s group.
    pub fn change(&self, key: &GroupKey) -> GroupChange {
        GroupChange {
            key: key.clone(),
            put: self.register.iter().chain(&self.update).cloned().collect(),
            delete: self.deregister.clone(),
        }
    }

    /// The names the diff changes, as a command reports them.
    pub fn report(&self) -> SyncReport {
        let names = |infos: &[ContainerInfo]| infos.iter().map(|i| i.instance_name.clone()).collect();
        SyncReport {
            registered: names(&self.register),
            updated: names(&self.update),
            deregistered: self.deregister.clone(),
        }
    }
}

/// The diff of one group: `apps` are its revision apps with their tasks (none when Marathon
/// has no such group), `registered` what etcd lists (container name → its info, `None` when
/// the info is missing or unreadable, which differs from any task's info).
pub fn diff<'a>(
    apps: impl IntoIterator<Item = &'a App>,
    registered: &BTreeMap<String, Option<ContainerInfo>>,
    canary: Option<&CanaryMark>,
) -> GroupDiff {
    let mut out = GroupDiff::default();
    let mut keep: BTreeSet<&str> = BTreeSet::new();
    for app in apps {
        for task in app.tasks.iter().flatten() {
            match health(app, task) {
                Health::Healthy => {
                    keep.insert(task.id.as_str());
                    let info = container_info_in(app, task, canary);
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
                Health::Unknown | Health::Failing => {}
            }
        }
    }
    out.deregister = registered.keys().filter(|name| !keep.contains(name.as_str())).cloned().collect();
    out.register.sort_by(|a, b| a.instance_name.cmp(&b.instance_name));
    out.update.sort_by(|a, b| a.instance_name.cmp(&b.instance_name));
    out.unknown.sort();
    out
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

/// Applies [`diff`] to each group, for a command that holds the groups' locks: one range read
/// of the group's registrations, then one batched write ([`Driver::write_group_change`]). A group
/// missing from the snapshot gets no containers; one missing from etcd is
/// [`etcd::Error::GroupNotFound`].
pub async fn sync(etcd: &Driver, snap: &Snapshot, groups: &[GroupKey]) -> Result<Vec<Registered>, etcd::Error> {
    let mut out = Vec::new();
    for key in groups {
        let current = etcd.group_registrations(key).await?.ok_or_else(|| etcd::Error::GroupNotFound {
            service: key.service().to_owned(),
            group: key.group().to_owned(),
        })?;
        let apps = snap.group(key).map(|g| g.apps.as_slice()).unwrap_or_default();
        let d = diff(apps, &current.containers, current.canary.as_ref());
        if !d.is_empty() {
            etcd.write_group_change(&d.change(key)).await?;
        }
        let containers = current.containers.len() + d.register.len() - d.deregister.len();
        out.push(Registered {
            service: key.service().to_owned(),
            group: key.group().to_owned(),
            containers,
            report: d.report(),
        });
    }
    Ok(out)
}

/// Deregisters every container of a group (a command draining it before removing it): one
/// range read, then one batched write. A group missing from etcd has none. Returns the names.
pub async fn deregister_all(etcd: &Driver, key: &GroupKey) -> Result<Vec<String>, etcd::Error> {
    let Some(current) = etcd.group_registrations(key).await? else { return Ok(Vec::new()) };
    let names: Vec<String> = current.containers.into_keys().collect();
    if !names.is_empty() {
        etcd.write_group_change(&GroupChange { key: key.clone(), put: Vec::new(), delete: names.clone() }).await?;
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon::types::{Container, HealthCheck, PortDefinition, PortMapping};

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

    /// A check result as Marathon writes it (`raml/HealthConversion.scala`).
    #[derive(Clone, Copy)]
    enum R {
        /// A success, the last word.
        Alive,
        /// A failure after (or without) a success, the last word: `lastFailure` set.
        Failed,
        /// The entry of an ignored result (`Health(instanceId)`): not alive, nothing recorded.
        Ignored,
    }

    fn checked(id: &str, state: TaskState, results: Option<&[R]>) -> Task {
        let result = |r: &R| match r {
            R::Alive => HealthCheckResult { alive: true, last_success: Some("t1".into()), ..Default::default() },
            R::Failed => HealthCheckResult {
                alive: false,
                consecutive_failures: 1,
                last_failure: Some("t2".into()),
                ..Default::default()
            },
            R::Ignored => HealthCheckResult::default(),
        };
        Task {
            id: id.into(),
            host: "127.0.0.2".into(),
            ports: Some(vec![31000]),
            state,
            version: Some("v1".into()),
            health_check_results: results.map(|r| r.iter().map(result).collect()),
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
    fn health_is_unknown_until_every_check_reports_and_failing_only_on_a_recorded_failure() {
        use TaskState::Running;
        use R::*;
        let one = app(1, vec![]);
        let h = |a: &App, state, r: Option<&[R]>| health(a, &checked("t", state, r));
        // Before the first result, and right after a leader change: `healthCheckResults: []`.
        assert_eq!(h(&one, Running, None), Health::Unknown);
        assert_eq!(h(&one, Running, Some(&[])), Health::Unknown);
        // A failure in the grace period or an ignored 1xx leaves an entry that records nothing.
        assert_eq!(h(&one, Running, Some(&[Ignored])), Health::Unknown);
        assert_eq!(h(&one, Running, Some(&[Alive])), Health::Healthy);
        assert_eq!(h(&one, Running, Some(&[Failed])), Health::Failing);
        let two = app(2, vec![]);
        assert_eq!(h(&two, Running, Some(&[Alive])), Health::Unknown, "one check has not reported");
        assert_eq!(h(&two, Running, Some(&[Alive, Ignored])), Health::Unknown);
        assert_eq!(h(&two, Running, Some(&[Alive, Failed])), Health::Failing);
        assert_eq!(h(&two, Running, Some(&[Alive, Alive])), Health::Healthy);
        for state in [TaskState::Staging, TaskState::Starting, TaskState::Killing, TaskState::Killed] {
            assert_eq!(h(&one, state, Some(&[Alive])), Health::Failing, "{state:?}");
            assert_eq!(h(&one, state, None), Health::Failing, "{state:?}");
        }
        assert_eq!(h(&app(0, vec![]), Running, None), Health::Healthy, "no checks: running is healthy");
    }

    /// The task JSON Marathon writes (`api/v2/json/EnrichedTaskWritesTest.scala` shows
    /// `"healthCheckResults" : []`), and an ignored result's entry, read as unknown.
    #[test]
    fn marathons_task_json_without_results_reads_as_unknown() {
        let a = app(1, vec![]);
        let task = |results: &str| -> Task {
            serde_json::from_str(&format!(
                r#"{{"id":"t","appId":"/t/web/dev/r1","host":"h","state":"TASK_RUNNING","healthCheckResults":{results}}}"#
            ))
            .unwrap()
        };
        assert_eq!(health(&a, &task("[]")), Health::Unknown);
        let ignored = r#"[{"alive":false,"consecutiveFailures":0,"instanceId":"t.instance-1"}]"#;
        assert_eq!(health(&a, &task(ignored)), Health::Unknown);
        let failed = r#"[{"alive":false,"consecutiveFailures":1,"lastFailure":"2026-01-01T00:00:00.000Z",
            "lastFailureCause":"HTTP 500","instanceId":"t.instance-1"}]"#;
        assert_eq!(health(&a, &task(failed)), Health::Failing);
    }

    #[test]
    fn unknown_tasks_are_neither_deregistered_nor_registered() {
        use TaskState::Running;
        use R::*;
        let a = app(
            1,
            vec![
                checked("known", Running, None),
                checked("ignored", Running, Some(&[Ignored])),
                checked("new", Running, Some(&[])),
                checked("ok", Running, Some(&[Alive])),
                checked("bad", Running, Some(&[Failed])),
                checked("going", TaskState::Killing, Some(&[Alive])),
            ],
        );
        let ok = container_info(&a, &a.tasks.as_ref().unwrap()[3]);
        let mut reg = BTreeMap::new();
        for name in ["known", "ignored", "bad", "going", "gone"] {
            reg.insert(name.to_owned(), None);
        }
        reg.insert("ok".to_owned(), Some(ok));
        let d = diff([&a], &reg, None);
        assert!(d.register.is_empty() && d.update.is_empty(), "{d:?}");
        assert_eq!(d.deregister, ["bad", "going", "gone"]);
        assert_eq!(d.unknown, ["ignored", "known"]);
        let change = d.change(&GroupKey::new("web", "dev").unwrap());
        assert!(change.put.is_empty());
        assert_eq!(change.delete, ["bad", "going", "gone"]);
        let live = LiveGroup {
            key: GroupKey::new("web", "dev").unwrap(),
            labels: BTreeSet::from(["dev".to_owned()]),
            group_id: "/t/web/dev".into(),
            namespace: "t".into(),
            apps: vec![a],
        };
        let desired: Vec<String> = desired_containers(&live).into_iter().map(|i| i.instance_name).collect();
        assert_eq!(desired, ["ok"], "only a healthy task is desired on its own");
    }

    #[test]
    fn healthy_tasks_are_registered_or_updated_and_an_equal_state_is_empty() {
        let a = app(0, vec![checked("a", TaskState::Running, None), checked("b", TaskState::Running, None)]);
        let d = diff([&a], &BTreeMap::new(), None);
        assert_eq!(d.report().registered, ["a", "b"]);
        let mut reg: BTreeMap<String, Option<ContainerInfo>> =
            d.register.iter().map(|i| (i.instance_name.clone(), Some(i.clone()))).collect();
        assert!(diff([&a], &reg, None).is_empty());
        if let Some(Some(info)) = reg.get_mut("a") {
            info.instance_port = Some(1);
        }
        reg.insert("b".into(), None);
        let d = diff([&a], &reg, None);
        assert_eq!(d.report(), SyncReport { updated: vec!["a".into(), "b".into()], ..SyncReport::default() });
        assert_eq!(d.changes(), 2);
        let change = d.change(&GroupKey::new("web", "dev").unwrap());
        assert_eq!(change.put.iter().map(|i| i.instance_name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(diff([], &reg, None).deregister, ["a", "b"], "no Marathon group: everything goes");
    }
}
