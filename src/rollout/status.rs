//! What `view` shows: one stable, documented status document per labeled group, derived from
//! a [`Snapshot`] (its own types, never raw Marathon JSON, so scripts survive wire changes)
//! and the rollout journals etcd holds (a group between revisions says why: a canary on
//! trial, a hold, the batch it is at).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::ser::SerializeStruct;
use serde::Serialize;

use super::canary::PAUSED;
use super::live::{LiveGroup, Snapshot};
use super::stuck::unplaced_reason;
use super::wait::{counts, task_healthy, Counts};
use crate::etcd::{Hold, Journal, JournalState, RolloutKind};
use crate::marathon::summary::AppRecord;
use crate::marathon::types::{App, HealthCheck, HealthCheckResult, TaskState};

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
    pub state: TaskState,
    /// Whether it counts as healthy.
    pub healthy: bool,
    /// Revision it runs.
    pub revision: String,
    /// When it started (ISO-8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// It belongs to the revision app on trial as the group's canary (not promoted yet).
    /// Absent otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub canary: bool,
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
    /// A journaled rollout says what the group is doing (a canary on trial, a hold, the batch
    /// it is at): the text of [`RolloutSummary::text`].
    Rollout(String),
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
            GroupState::Rollout(text) => f.write_str(text),
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

/// One labeled group. Serialized by [`GroupStatus::serialize_fields`]: its fields in this
/// order, `since` and `rollout` left out when absent.
#[derive(Debug, Clone, PartialEq)]
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
    /// `failed: <reason>`, what its journaled rollout says (`paused: awaiting promotion, ...`,
    /// `canary 1/4: gates running`, `rolling 2/4`, ...), `scaling` or `degraded`.
    pub state: GroupState,
    /// When the newest revision's config last changed (ISO-8601).
    pub since: Option<String>,
    /// Distinct hosts running containers.
    pub hosts: Vec<String>,
    /// The containers.
    pub containers: Vec<ContainerStatus>,
    /// The group's journaled rollout, when one is journaled.
    pub rollout: Option<RolloutSummary>,
}

/// The number of fields [`GroupStatus::serialize_fields`] writes at most.
pub const GROUP_STATUS_FIELDS: usize = 13;

impl GroupStatus {
    /// Writes the fields into a struct being serialized, so that a row that adds fields of its
    /// own (`view -o json`'s `registered`) is one flat struct: `#[serde(flatten)]` would make
    /// serde buffer and write it through its slower map serializer instead.
    pub fn serialize_fields<S: SerializeStruct>(&self, s: &mut S) -> Result<(), S::Error> {
        s.serialize_field("namespace", &self.namespace)?;
        s.serialize_field("service", &self.service)?;
        s.serialize_field("labels", &self.labels)?;
        s.serialize_field("group", &self.group)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("instances", &self.instances)?;
        s.serialize_field("revisions", &self.revisions)?;
        s.serialize_field("runs", &self.runs)?;
        s.serialize_field("state", &self.state)?;
        match &self.since {
            Some(since) => s.serialize_field("since", since)?,
            None => s.skip_field("since")?,
        }
        s.serialize_field("hosts", &self.hosts)?;
        s.serialize_field("containers", &self.containers)?;
        match &self.rollout {
            Some(rollout) => s.serialize_field("rollout", rollout)?,
            None => s.skip_field("rollout")?,
        }
        Ok(())
    }
}

impl Serialize for GroupStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("GroupStatus", GROUP_STATUS_FIELDS)?;
        self.serialize_fields(&mut s)?;
        s.end()
    }
}

impl GroupStatus {
    /// Coarse age of the newest revision's config (`42s`, `5m`, `3h`, `2d`); empty when
    /// unknown.
    pub fn age(&self) -> String {
        self.since.as_deref().and_then(|since| age(since, Utc::now())).unwrap_or_default()
    }
}

/// A group's journaled rollout as `view` shows it (`rollout` in `view -o json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolloutSummary {
    /// `update` or `restart`.
    pub kind: RolloutKind,
    /// As journaled: `rolling`, `rolling-back`, `failed` or `paused`.
    pub state: JournalState,
    /// Batches that passed the health gate and retired their old tasks.
    pub batches_done: u32,
    /// Batches planned.
    pub batches: u32,
    /// Target instances of the new revision.
    pub instances: u32,
    /// Why it failed or stopped, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The canary step, when the rollout has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary: Option<CanarySummary>,
    /// Why the rollout holds, who paused it (or ran it, when it holds by itself) and since when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused: Option<Hold>,
}

/// The canary step of a journaled rollout, as `view` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CanarySummary {
    /// Canary instances of the new revision.
    pub instances: u32,
    /// Healthy containers of the canary's revision app now (of the whole new revision, once
    /// promoted).
    pub healthy: u32,
    /// When every canary instance was first healthy (RFC 3339); `null` before.
    pub healthy_since: Option<String>,
    /// Who promoted it (`auto` when the rollout went on by itself); `null` before.
    pub promoted_by: Option<String>,
    /// Whether its gates passed (the journal's `passed_at`).
    #[serde(skip)]
    gates_passed: bool,
}

impl RolloutSummary {
    /// The summary of `journal`, whose new revision app is (or was) in `group`.
    fn of(journal: &Journal, group: &LiveGroup<AppRecord>, health: &mut Health) -> Self {
        let canary = journal.canary.as_ref().map(|c| {
            let app = group.apps.iter().find(|a| a.id == journal.to.app_id);
            CanarySummary {
                instances: c.instances,
                healthy: app.map_or(0, |a| health.load(a).healthy),
                healthy_since: c.healthy_at.clone(),
                promoted_by: c.promoted.as_ref().map(|p| p.by.clone()),
                gates_passed: c.passed_at.is_some(),
            }
        });
        RolloutSummary {
            kind: journal.kind,
            state: journal.state,
            batches_done: journal.batches_done,
            batches: journal.plan.len() as u32,
            instances: journal.to.instances,
            reason: journal.reason.clone(),
            canary,
            paused: journal.hold.clone(),
        }
    }

    /// The `state` column at `now`: `paused: awaiting promotion, canary 1/4 healthy 10m (by
    /// theseus update (by ci), 12m ago)`, `paused by alice@ci-7 3m ago, batch 2/4`, `canary
    /// 1/4: gates running`, `rolling 2/4`, `rolling back`, `rollout failed, batch 2/4: ...`;
    /// `None` for a journal that says nothing Marathon's state does not (a finished one).
    pub fn text(&self, now: DateTime<Utc>) -> Option<String> {
        let batch = format!("batch {}/{}", self.batches_done, self.batches);
        let on_trial = self.canary.as_ref().filter(|c| c.promoted_by.is_none());
        let canary = on_trial.map(|c| format!("canary {}/{}", c.instances, self.instances));
        let because = |text: String| match &self.reason {
            Some(reason) => format!("{text}: {reason}"),
            None => text,
        };
        if let Some(hold) = &self.paused {
            let healthy = on_trial.and_then(|c| c.healthy_since.as_deref()).and_then(|t| age(t, now));
            let detail = match (&canary, healthy) {
                (Some(canary), Some(healthy)) => format!("{canary} healthy {healthy}"),
                (Some(canary), None) => canary.clone(),
                (None, _) => batch,
            };
            let ago = age(&hold.since, now).map(|a| format!(" {a} ago"));
            return Some(if hold.reason == PAUSED {
                format!("paused by {}{}, {detail}", hold.by, ago.unwrap_or_default())
            } else {
                let when = ago.map(|a| format!(",{a}")).unwrap_or_default();
                format!("paused: {}, {detail} (by {}{when})", hold.reason, hold.by)
            });
        }
        match self.state {
            JournalState::Done => None,
            JournalState::Paused => Some(format!("paused, {}", canary.unwrap_or(batch))),
            JournalState::Failed => Some(because(format!("rollout failed, {batch}"))),
            JournalState::RollingBack => Some(because("rolling back".to_owned())),
            JournalState::Rolling => Some(match (canary, on_trial) {
                (Some(canary), Some(c)) if c.gates_passed => format!("{canary}: gates passed"),
                (Some(canary), Some(c)) if c.healthy_since.is_some() => format!("{canary}: gates running"),
                (Some(canary), _) => format!("{canary}: starting"),
                (None, _) => {
                    let verb = match self.kind {
                        RolloutKind::Update => "rolling",
                        RolloutKind::Restart => "restarting",
                    };
                    format!("{verb} {}/{}", self.batches_done, self.batches)
                }
            }),
        }
    }
}

/// Coarse age of an RFC 3339 timestamp at `now`: `42s`, `5m`, `3h`, `2d`; `None` when it is
/// not one.
fn age(since: &str, now: DateTime<Utc>) -> Option<String> {
    let t = DateTime::parse_from_rfc3339(since).ok()?;
    let secs = (now - t.with_timezone(&Utc)).num_seconds().max(0);
    Some(match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    })
}

/// What an app runs: its image, else its command or args.
fn runs(app: &AppRecord) -> String {
    if let Some(image) = &app.image {
        return image.clone();
    }
    app.cmd.clone().or_else(|| app.args.as_ref().map(|a| a.join(" "))).unwrap_or_default()
}

/// The waits' health rules ([`counts`], [`task_healthy`]: one rule in one place) applied to
/// `view`'s lean records: an [`App`] that carries what those rules read of one record (the
/// number of health checks, each task's state and `alive` results) and nothing else. One is
/// reused for every app, so its buffers are allocated once, not per app and per task.
#[derive(Default)]
struct Health {
    app: App,
}

impl Health {
    /// Takes in `record`'s health (dropping the previous app's) and returns its counts.
    fn load(&mut self, record: &AppRecord) -> Counts {
        let app = &mut self.app;
        match record.health_checks {
            None => app.health_checks = None,
            Some(n) => app.health_checks.get_or_insert_with(Vec::new).resize(n, HealthCheck::default()),
        }
        match &record.tasks {
            None => app.tasks = None,
            Some(records) => {
                let tasks = app.tasks.get_or_insert_with(Vec::new);
                tasks.resize_with(records.len(), Default::default);
                for (task, record) in tasks.iter_mut().zip(records) {
                    task.state = record.state;
                    match &record.alive {
                        None => task.health_check_results = None,
                        Some(alive) => {
                            let results = task.health_check_results.get_or_insert_with(Vec::new);
                            results.clear();
                            results
                                .extend(alive.iter().map(|&alive| HealthCheckResult { alive, ..Default::default() }));
                        }
                    }
                }
            }
        }
        counts(app)
    }

    /// Whether the loaded app's task `i` counts as healthy.
    fn healthy(&self, i: usize) -> bool {
        self.app.tasks.as_ref().and_then(|t| t.get(i)).is_some_and(|t| task_healthy(&self.app, t))
    }
}

/// The status of one live group, taking its tasks' strings rather than copying them.
fn group_status(
    mut group: LiveGroup<AppRecord>,
    snap: &Snapshot<AppRecord>,
    journals: &BTreeMap<(&str, &str), &Journal>,
    now: DateTime<Utc>,
    health: &mut Health,
) -> GroupStatus {
    let journal = journal_of(&group, journals);
    let rollout = journal.map(|j| RolloutSummary::of(j, &group, health));
    // The revision app on trial as the group's canary.
    let on_trial = journal.filter(|j| j.canary.as_ref().is_some_and(|c| c.promoted.is_none()));
    let canary_app = on_trial.map(|j| j.to.app_id.as_str());
    let revisions = group.revisions();
    let mut instances = Instances { healthy: 0, running: 0, desired: group.desired() };
    let task_count = group.apps.iter().map(|a| a.tasks.as_ref().map_or(0, Vec::len)).sum();
    let mut containers = Vec::with_capacity(task_count);
    for (app, revision) in group.apps.iter_mut().zip(&revisions) {
        let counts = health.load(app);
        instances.healthy += counts.healthy;
        instances.running += counts.running;
        let canary = canary_app == Some(app.id.as_str());
        for (i, t) in app.tasks.take().into_iter().flatten().enumerate() {
            containers.push(ContainerStatus {
                healthy: health.healthy(i),
                state: t.state,
                id: t.id,
                host: t.host,
                ports: t.ports.unwrap_or_default(),
                revision: revision.clone(),
                started_at: t.started_at,
                canary,
            });
        }
    }
    let state = state(&group, snap, instances, rollout.as_ref(), now);
    let current = group.current();
    let runs = current.map(runs).unwrap_or_default();
    let since = current.and_then(|a| a.last_config_change_at.clone().or_else(|| a.version.clone()));
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
        rollout,
    }
}

/// What the group is doing, worst news first: blocked, deploying, crash-looping; then what
/// its journaled rollout says (a canary group runs two revisions: it is not `degraded`); then
/// Marathon's counts.
fn state(
    group: &LiveGroup<AppRecord>,
    snap: &Snapshot<AppRecord>,
    n: Instances,
    rollout: Option<&RolloutSummary>,
    now: DateTime<Utc>,
) -> GroupState {
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
            let why = group.apps.iter().find_map(|a| a.last_task_failure.clone());
            return GroupState::Failed(why.unwrap_or_else(|| "tasks keep failing (launch backoff)".into()));
        }
    }
    if let Some(text) = rollout.and_then(|r| r.text(now)) {
        return GroupState::Rollout(text);
    }
    if n.healthy == n.desired && n.running == n.desired && group.apps.len() == 1 {
        GroupState::Stable
    } else if n.running != n.desired {
        GroupState::Scaling
    } else {
        GroupState::Degraded
    }
}

/// The journal of `group`'s rollout among `journals` (by service and group): one whose new
/// revision app is in the group's Marathon group (another namespace's group of the same name
/// is not this one).
fn journal_of<'j>(group: &LiveGroup<AppRecord>, journals: &BTreeMap<(&str, &str), &'j Journal>) -> Option<&'j Journal> {
    let journal = journals.get(&(group.key.service(), group.key.group()))?;
    let revision = journal.to.app_id.strip_prefix(group.group_id.as_str())?;
    revision.starts_with('/').then_some(*journal)
}

/// Statuses of every group in the snapshot, in (service, labels) order, each with its
/// journaled rollout among `journals` (from [`crate::etcd::Driver::rollouts`]). The snapshot
/// is used up: its tasks' strings move into the statuses instead of being copied.
pub fn statuses(snap: Snapshot<AppRecord>, journals: &[Journal]) -> Vec<GroupStatus> {
    statuses_at(snap, journals, Utc::now())
}

/// [`statuses`] with the ages in the rollout texts taken at `now`.
fn statuses_at(snap: Snapshot<AppRecord>, journals: &[Journal], now: DateTime<Utc>) -> Vec<GroupStatus> {
    let journals: BTreeMap<(&str, &str), &Journal> =
        journals.iter().map(|j| ((j.service.as_str(), j.group.as_str()), j)).collect();
    let Snapshot { groups, deployments, queue } = snap;
    // The deployments and the queue, which each group's state is read against.
    let marathon = Snapshot { groups: BTreeMap::new(), deployments, queue };
    let mut health = Health::default();
    groups.into_values().map(|g| group_status(g, &marathon, &journals, now, &mut health)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon::summary::TaskRecord;
    use crate::marathon::types::Deployment;
    use crate::rollout::live::{fold, label};
    use crate::spec::labels::Selector;

    fn app(tasks: u32, instances: u32) -> AppRecord {
        revision_app("r1", tasks, instances)
    }

    fn revision_app(revision: &str, tasks: u32, instances: u32) -> AppRecord {
        let labels: Vec<(String, String)> = [
            (label::MANAGED, "true"),
            (label::SERVICE, "web"),
            (label::GROUP, "dev.frontend"),
            (label::REVISION, revision),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        AppRecord {
            id: format!("/ns/web/dev.frontend/{revision}"),
            cmd: Some("serve".into()),
            instances: Some(instances),
            labels: Some(labels),
            tasks: Some(
                (0..tasks)
                    .map(|i| TaskRecord {
                        id: format!("{revision}.t{i}"),
                        host: "127.0.0.2".into(),
                        ports: Some(vec![31000 + i]),
                        state: TaskState::Running,
                        ..TaskRecord::default()
                    })
                    .collect(),
            ),
            ..AppRecord::default()
        }
    }

    #[test]
    fn health_follows_the_waits_rule_checks_and_results() {
        // Two checks: healthy only with two live results; a task that is not running never is.
        let mut a = app(4, 4);
        a.health_checks = Some(2);
        let tasks = a.tasks.as_mut().unwrap();
        tasks[0].alive = Some(vec![true, true]);
        tasks[1].alive = Some(vec![true, false]);
        tasks[2].alive = Some(vec![true]);
        tasks[3].alive = Some(vec![true, true]);
        tasks[3].state = TaskState::Staging;
        let snap = Snapshot { groups: fold(vec![a], Some("ns"), &[], &Selector::default()), ..Snapshot::default() };
        let s = statuses(snap, &[]);
        assert_eq!(s[0].instances, Instances { healthy: 1, running: 3, desired: 4 });
        let healthy: Vec<(&str, bool)> = s[0].containers.iter().map(|c| (c.id.as_str(), c.healthy)).collect();
        assert_eq!(healthy, [("r1.t0", true), ("r1.t1", false), ("r1.t2", false), ("r1.t3", false)]);
        assert_eq!(s[0].state, GroupState::Scaling);
    }

    #[test]
    fn a_fully_running_group_is_stable() {
        let snap =
            Snapshot { groups: fold(vec![app(2, 2)], Some("ns"), &[], &Selector::default()), ..Snapshot::default() };
        let s = statuses(snap, &[]);
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
        assert_eq!(statuses(snap, &[])[0].state, GroupState::Deploying(1, 2));
    }

    const NOW: &str = "2024-05-01T12:00:00Z";

    fn at(minutes_before: i64) -> String {
        (now() - chrono::Duration::minutes(minutes_before)).to_rfc3339()
    }

    fn now() -> DateTime<Utc> {
        NOW.parse().unwrap()
    }

    /// A journal of web/dev.frontend rolling r1 (4 instances) to r2 in 4 batches, 2 done.
    fn journal(state: JournalState) -> Journal {
        let side = |revision: &str| crate::etcd::JournalSide {
            app_id: format!("/ns/web/dev.frontend/{revision}"),
            revision: revision.into(),
            instances: 4,
        };
        Journal {
            kind: RolloutKind::Update,
            service: "web".into(),
            group: "dev.frontend".into(),
            from: Some(side("r1")),
            to: side("r2"),
            plan: vec![1, 1, 1, 1],
            batches_done: 2,
            state,
            started_at: at(20),
            updated_at: at(12),
            owner: "theseus update (by ci)".into(),
            message: None,
            reason: None,
            rollout: serde_json::Value::Null,
            app: serde_json::Value::Null,
            config: serde_json::Value::Null,
            canary: None,
            hold: None,
            obeyed: None,
        }
    }

    /// `journal` with a canary of one instance, healthy for 10 minutes, not promoted.
    fn canary_journal(state: JournalState) -> Journal {
        let mut j = journal(state);
        j.batches_done = 0;
        j.canary = Some(crate::etcd::CanaryRecord {
            instances: 1,
            healthy_at: Some(at(10)),
            gates: Vec::new(),
            passed_at: None,
            promoted: None,
        });
        j
    }

    /// The group as Marathon has it during the canary: r1 with 4 tasks, r2 with 1 (newest first).
    fn canary_snapshot() -> Snapshot<AppRecord> {
        let apps = vec![revision_app("r2", 1, 1), revision_app("r1", 4, 4)];
        Snapshot { groups: fold(apps, Some("ns"), &[], &Selector::default()), ..Snapshot::default() }
    }

    fn text(j: &Journal) -> Option<String> {
        let group = canary_snapshot().groups.into_values().next().unwrap();
        RolloutSummary::of(j, &group, &mut Health::default()).text(now())
    }

    #[test]
    fn a_canary_awaiting_promotion_says_since_when_and_who_holds_it() {
        let mut j = canary_journal(JournalState::Paused);
        j.hold = Some(Hold { reason: "awaiting promotion".into(), by: "theseus update (by ci)".into(), since: at(12) });
        assert_eq!(
            text(&j).unwrap(),
            "paused: awaiting promotion, canary 1/4 healthy 10m (by theseus update (by ci), 12m ago)"
        );
    }

    #[test]
    fn a_paused_rollout_says_who_paused_it_and_the_batch() {
        let mut j = journal(JournalState::Paused);
        j.hold = Some(Hold { reason: PAUSED.into(), by: "alice@ci-7".into(), since: at(3) });
        assert_eq!(text(&j).unwrap(), "paused by alice@ci-7 3m ago, batch 2/4");
    }

    #[test]
    fn a_canary_in_its_gates_and_a_plain_rollout_say_where_they_are() {
        assert_eq!(text(&canary_journal(JournalState::Rolling)).unwrap(), "canary 1/4: gates running");
        let mut starting = canary_journal(JournalState::Rolling);
        starting.canary.as_mut().unwrap().healthy_at = None;
        assert_eq!(text(&starting).unwrap(), "canary 1/4: starting");
        let mut passed = canary_journal(JournalState::Rolling);
        passed.canary.as_mut().unwrap().passed_at = Some(at(1));
        assert_eq!(text(&passed).unwrap(), "canary 1/4: gates passed");
        // Promoted: the canary is the new revision's first batch, the rollout rolls on.
        let mut promoted = canary_journal(JournalState::Rolling);
        promoted.canary.as_mut().unwrap().promoted = Some(crate::etcd::Stamp { by: "auto".into(), at: at(1) });
        promoted.batches_done = 1;
        assert_eq!(text(&promoted).unwrap(), "rolling 1/4");
        assert_eq!(text(&journal(JournalState::Rolling)).unwrap(), "rolling 2/4");
        let mut restart = journal(JournalState::Rolling);
        restart.kind = RolloutKind::Restart;
        assert_eq!(text(&restart).unwrap(), "restarting 2/4");
    }

    #[test]
    fn failed_and_rolling_back_journals_say_why_and_a_done_one_says_nothing() {
        let mut failed = journal(JournalState::Failed);
        failed.reason = Some("interrupted".into());
        assert_eq!(text(&failed).unwrap(), "rollout failed, batch 2/4: interrupted");
        assert_eq!(text(&journal(JournalState::RollingBack)).unwrap(), "rolling back");
        assert_eq!(text(&journal(JournalState::Done)), None);
    }

    #[test]
    fn a_canary_group_shows_its_rollout_not_degraded_and_flags_the_canary_containers() {
        assert_eq!(statuses_at(canary_snapshot(), &[], now())[0].state, GroupState::Degraded);
        let mut j = canary_journal(JournalState::Paused);
        j.hold = Some(Hold { reason: "awaiting promotion".into(), by: "ci".into(), since: at(12) });
        let s = statuses_at(canary_snapshot(), &[j], now());
        assert_eq!(s[0].state.to_string(), "paused: awaiting promotion, canary 1/4 healthy 10m (by ci, 12m ago)");
        let canaries: Vec<&str> = s[0].containers.iter().filter(|c| c.canary).map(|c| c.id.as_str()).collect();
        assert_eq!(canaries, ["r2.t0"]);
        let doc = serde_json::to_value(&s[0]).unwrap();
        assert_eq!(doc["rollout"]["state"], "paused");
        assert_eq!(doc["rollout"]["batches"], 4);
        assert_eq!(doc["rollout"]["canary"]["instances"], 1);
        assert_eq!(doc["rollout"]["canary"]["healthy"], 1);
        assert_eq!(doc["rollout"]["canary"]["promoted_by"], serde_json::Value::Null);
        assert_eq!(doc["rollout"]["paused"]["by"], "ci");
        assert_eq!(doc["containers"].as_array().unwrap().iter().filter(|c| c["canary"] == true).count(), 1);
    }

    #[test]
    fn a_promoted_canary_flags_no_container_and_another_namespace_journal_is_not_this_group() {
        let mut j = canary_journal(JournalState::Rolling);
        j.canary.as_mut().unwrap().promoted = Some(crate::etcd::Stamp { by: "alice".into(), at: at(1) });
        let s = statuses_at(canary_snapshot(), &[j.clone()], now());
        assert!(s[0].containers.iter().all(|c| !c.canary));
        assert_eq!(serde_json::to_value(&s[0]).unwrap()["rollout"]["canary"]["promoted_by"], "alice");
        j.to.app_id = "/other/web/dev.frontend/r2".into();
        let s = statuses_at(canary_snapshot(), &[j], now());
        assert_eq!(s[0].rollout, None);
        assert_eq!(s[0].state, GroupState::Degraded);
    }

    #[test]
    fn a_blocked_group_says_so_before_its_rollout() {
        let mut snap = canary_snapshot();
        snap.deployments.push(Deployment {
            id: "d".into(),
            affected_apps: vec!["/ns/web/dev.frontend/r2".into()],
            current_step: 1,
            total_steps: 1,
            ..Deployment::default()
        });
        let s = statuses_at(snap, &[canary_journal(JournalState::Rolling)], now());
        assert_eq!(s[0].state, GroupState::Deploying(1, 1));
        assert!(s[0].rollout.is_some(), "the JSON still carries the rollout");
    }

    #[test]
    fn ages_are_coarse() {
        assert_eq!(age(&at(5), now()).unwrap(), "5m");
        assert_eq!(age(&(now() - chrono::Duration::seconds(42)).to_rfc3339(), now()).unwrap(), "42s");
        assert_eq!(age(&(now() - chrono::Duration::hours(3)).to_rfc3339(), now()).unwrap(), "3h");
        assert_eq!(age(&(now() - chrono::Duration::days(2)).to_rfc3339(), now()).unwrap(), "2d");
        assert_eq!(age("not a time", now()), None);
    }
}
