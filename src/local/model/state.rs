//! The engine's state: apps with their versions, groups, instances, deployments and launch queues.
//! One `Mutex<State>` guards it; nobody holds the lock across an `.await`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::local::deployments::deployment::DeploymentRun;
use crate::local::scheduling::agents::Agent;
use crate::local::scheduling::offers::OfferStats;
use crate::marathon::types::{App, HealthCheckResult, TaskFailure};

use super::clock::VersionClock;

/// How many root-group versions are kept for group rollback (Marathon's `zk_max_versions` default is 50).
pub(crate) const MAX_ROOT_HISTORY: usize = 50;

/// Everything the engine knows.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Apps by absolute id.
    pub(crate) apps: BTreeMap<String, AppRecord>,
    /// Explicit groups (created by `POST /v2/groups` or by a group body), with their dependencies.
    pub(crate) groups: BTreeMap<String, GroupRecord>,
    /// Live instances by app id, then instance id. Terminal instances are expunged.
    pub(crate) instances: BTreeMap<String, BTreeMap<String, Instance>>,
    /// Running deployments, oldest first.
    pub(crate) deployments: Vec<DeploymentRun>,
    /// Recent root-group snapshots, newest last.
    pub(crate) history: VecDeque<RootSnapshot>,
    /// The agents.
    pub(crate) agents: Vec<Agent>,
    /// Version timestamps.
    pub(crate) clock: VersionClock,
    /// The root group's version.
    pub(crate) root_version: String,
    /// Service ports in use.
    pub(crate) service_ports: BTreeSet<u32>,
    /// App definitions changed since the state file was last written.
    pub(crate) dirty: bool,
    /// Offer statistics by app id, for the engine's whole life (never removed, like Marathon's
    /// launcher actors; see `offers`).
    pub(crate) offer_stats: BTreeMap<String, OfferStats>,
    /// Tasks that ended, oldest first, as the Mesos master and agents list them
    /// (`completed_tasks`, `completed_executors`); at most [`MAX_COMPLETED_TASKS`].
    pub(crate) completed: VecDeque<CompletedTask>,
    /// When the Marathon-level health checks of each (app id, app version) started ticking:
    /// their `HealthCheckActor`s, which check every running instance of that version together
    /// (`tasks::health`).
    pub(crate) health_clocks: BTreeMap<(String, String), std::time::Instant>,
}

/// How many ended tasks are kept: the Mesos master's `--max_completed_tasks_per_framework`
/// default (src/master/constants.hpp in Mesos's source).
pub(crate) const MAX_COMPLETED_TASKS: usize = 1000;

/// A task that ended, as the Mesos API lists it after its end (the agent only while its
/// sandbox is there: its garbage collector detaches what it removes).
#[derive(Debug, Clone)]
pub(crate) struct CompletedTask {
    /// The Mesos task id (Marathon's task id), also its command executor's id.
    pub(crate) task_id: String,
    /// The app it belonged to.
    pub(crate) app_id: String,
    /// Index into `State::agents`.
    pub(crate) agent: usize,
    /// Its sandbox directory.
    pub(crate) sandbox: PathBuf,
    /// Resources it held: cpus, mem, disk.
    pub(crate) resources: (f64, f64, f64),
    /// The status updates it went through (state, Unix time in seconds), the terminal one last.
    pub(crate) statuses: Vec<(TaskState, f64)>,
}

/// An app and what the engine keeps about it.
#[derive(Debug, Clone)]
pub(crate) struct AppRecord {
    /// The current definition, normalised, with `version` and `versionInfo`.
    pub(crate) def: Arc<App>,
    /// Every stored version by timestamp.
    pub(crate) versions: BTreeMap<String, Arc<App>>,
    /// Launch queue and backoff.
    pub(crate) launch: LaunchQueue,
    /// The last failed task.
    pub(crate) last_failure: Option<TaskFailure>,
}

impl AppRecord {
    /// A record for a new app definition.
    pub(crate) fn new(def: Arc<App>) -> Self {
        let mut versions = BTreeMap::new();
        versions.insert(def.version.clone().unwrap_or_default(), def.clone());
        AppRecord { def, versions, launch: LaunchQueue::default(), last_failure: None }
    }

    /// Drops the oldest stored versions beyond Marathon's `zk_max_versions` (50); the current
    /// definition is the newest and always stays.
    pub(crate) fn trim_versions(&mut self) {
        while self.versions.len() > crate::local::limits::MAX_APP_VERSIONS {
            self.versions.pop_first();
        }
    }
}

/// Instances waiting for an offer and the backoff delay (`/v2/queue`; the offer statistics
/// live in `State::offer_stats`).
#[derive(Debug, Clone, Default)]
pub(crate) struct LaunchQueue {
    /// Instances still to place (Marathon's scheduled instances).
    pub(crate) count: u32,
    /// Since when something waits.
    pub(crate) since: Option<String>,
    /// Current backoff delay in seconds (0 = none).
    pub(crate) delay_seconds: f64,
    /// No launch before this instant.
    pub(crate) delay_until: Option<Instant>,
}

/// An explicit group.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct GroupRecord {
    /// Ids this group depends on.
    #[serde(default)]
    pub(crate) dependencies: Vec<String>,
    /// When it last changed.
    #[serde(default)]
    pub(crate) version: String,
}

/// The root group at one version: every app definition and every explicit group.
#[derive(Debug, Clone)]
pub(crate) struct RootSnapshot {
    /// Root version.
    pub(crate) version: String,
    /// Apps by id.
    pub(crate) apps: BTreeMap<String, Arc<App>>,
    /// Explicit groups.
    pub(crate) groups: BTreeMap<String, GroupRecord>,
}

pub(crate) use crate::marathon::types::TaskState;

/// One instance (with its single task) of an app.
#[derive(Debug, Clone)]
pub(crate) struct Instance {
    /// `prod_web.instance-<uuid>`.
    pub(crate) instance_id: String,
    /// `prod_web.instance-<uuid>._app.1`.
    pub(crate) task_id: String,
    /// App id.
    pub(crate) app_id: String,
    /// App version at launch.
    pub(crate) version: String,
    /// The app's `lastConfigChangeAt` at launch: instances with another one are "old".
    pub(crate) config_version: String,
    /// Index into `State::agents`.
    pub(crate) agent: usize,
    /// Host ports.
    pub(crate) host_ports: Vec<u32>,
    /// Service ports of the app at launch.
    pub(crate) service_ports: Vec<u32>,
    /// Resources taken from the agent: cpus, mem, disk.
    pub(crate) resources: (f64, f64, f64),
    /// Task state.
    pub(crate) state: TaskState,
    /// False once the engine decided to kill it.
    pub(crate) goal_running: bool,
    /// Since when the instance waited in the launch queue before it was placed (ISO).
    pub(crate) queued_since: String,
    /// Staged at (ISO) and as an instant.
    pub(crate) staged_at: String,
    /// Monotonic staging time (for killSelection).
    pub(crate) staged_instant: Instant,
    /// Started at (ISO).
    pub(crate) started_at: Option<String>,
    /// Monotonic start time (health grace periods).
    pub(crate) started_instant: Option<Instant>,
    /// One slot per health check of the app at launch: `None` until the check reports, as
    /// Marathon lists a check's `Health` only once a result reached its `HealthCheckActor`
    /// (M:src/main/scala/mesosphere/marathon/core/health/impl/HealthCheckActor.scala,
    /// `healthByInstanceId`), and again after a leader change, which starts that map empty.
    pub(crate) health: Vec<Option<HealthCheckResult>>,
    /// Readiness (true when the app has no readiness checks).
    pub(crate) ready: bool,
    /// Process group of the task process (None for simulated tasks).
    pub(crate) pgid: Option<i32>,
    /// A simulated task (Docker app without a Docker engine).
    pub(crate) simulated: bool,
    /// The sandbox directory.
    pub(crate) sandbox: PathBuf,
    /// SIGTERM-to-SIGKILL grace, from the app version the task was launched with.
    pub(crate) kill_grace: std::time::Duration,
    /// A kill was asked for and `TASK_KILLING` is not reported yet: Mesos's executor reports it
    /// in a status update that reaches Marathon after the kill request was answered, so until
    /// the next scheduler cycle the task still shows its state before the kill.
    pub(crate) killing_unreported: bool,
}

impl Instance {
    /// The status updates Mesos would have sent for it so far (state, Unix seconds): TASK_RUNNING
    /// once started, TASK_KILLING once a kill is reported (stamped now: the engine keeps no time
    /// for it).
    pub(crate) fn statuses(&self) -> Vec<(TaskState, f64)> {
        let mut out = Vec::new();
        if let Some(t) = self.started_at.as_deref().and_then(unix_seconds) {
            out.push((TaskState::Running, t));
        }
        if self.state == TaskState::Killing {
            out.push((TaskState::Killing, unix_now()));
        }
        out
    }

    /// Not yet terminal and meant to run.
    pub(crate) fn active(&self) -> bool {
        self.goal_running && self.state < TaskState::Killing
    }

    /// Placed but not launched yet (sandbox, fetch, image pull): Marathon's `Provisioned`, which
    /// keeps the instance in the launch queue (`LaunchStats.launchingInstancesFold`).
    pub(crate) fn provisioned(&self) -> bool {
        self.goal_running && self.state == TaskState::Staging && self.pgid.is_none() && !self.simulated
    }

    /// Health checks pass (or none) and readiness (if any) passes.
    pub(crate) fn healthy_and_ready(&self) -> bool {
        self.state == TaskState::Running
            && self.health.iter().all(|h| h.as_ref().is_some_and(|h| h.alive))
            && self.ready
    }
}

impl State {
    /// The instances of an app (empty if none).
    pub(crate) fn instances_of(&self, app_id: &str) -> impl Iterator<Item = &Instance> {
        self.instances.get(app_id).into_iter().flat_map(|m| m.values())
    }

    /// Finds an instance by task id or instance id.
    pub(crate) fn find_task(&self, id: &str) -> Option<&Instance> {
        let app_prefix = id.split(".instance-").next().unwrap_or_default();
        self.instances
            .iter()
            .filter(|(app, _)| super::ids::task_prefix(app) == app_prefix)
            .flat_map(|(_, m)| m.values())
            .find(|i| i.task_id == id || i.instance_id == id)
    }

    /// Records a task that ended, dropping the oldest beyond [`MAX_COMPLETED_TASKS`].
    pub(crate) fn record_completed(&mut self, task: CompletedTask) {
        self.completed.push_back(task);
        while self.completed.len() > MAX_COMPLETED_TASKS {
            self.completed.pop_front();
        }
    }

    /// Ids of running deployments that touch `app_id`.
    pub(crate) fn deployments_of(&self, app_id: &str) -> Vec<String> {
        self.deployments.iter().filter(|d| d.affected.contains(app_id)).map(|d| d.id.clone()).collect()
    }

    /// Records the current root group in the history.
    pub(crate) fn snapshot(&mut self) {
        let snap = RootSnapshot {
            version: self.root_version.clone(),
            apps: self.apps.iter().map(|(k, v)| (k.clone(), v.def.clone())).collect(),
            groups: self.groups.clone(),
        };
        self.history.push_back(snap);
        while self.history.len() > MAX_ROOT_HISTORY {
            self.history.pop_front();
        }
    }

    /// Every group id that exists: explicit ones and those implied by app ids (not the root).
    pub(crate) fn all_group_ids(&self) -> BTreeSet<String> {
        let mut ids: BTreeSet<String> = self.groups.keys().filter(|g| g.as_str() != "/").cloned().collect();
        for id in self.groups.keys().chain(self.apps.keys()) {
            insert_ancestors(&mut ids, id);
        }
        ids
    }
}

/// Adds the enclosing groups of `id` (not the root), innermost first, stopping at the first one
/// already known: its own ancestors are then known too, so the work stays linear in the number
/// of ids whatever their depth.
fn insert_ancestors(ids: &mut BTreeSet<String>, id: &str) {
    let mut current = id;
    while let Some(pos) = current.rfind('/').filter(|p| *p > 0) {
        current = &current[..pos];
        if ids.contains(current) {
            return;
        }
        ids.insert(current.to_string());
    }
}

/// An ISO-8601 time as Unix seconds (Mesos's `TaskStatus.timestamp`).
pub(crate) fn unix_seconds(iso: &str) -> Option<f64> {
    chrono::DateTime::parse_from_rfc3339(iso).ok().map(|t| t.timestamp_millis() as f64 / 1000.0)
}

/// The current time as Unix seconds.
pub(crate) fn unix_now() -> f64 {
    chrono::Utc::now().timestamp_millis() as f64 / 1000.0
}
