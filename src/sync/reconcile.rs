//! Reconciliation: a full diff of Marathon's tasks against etcd's registrations, applied in
//! batched transactions. An unchanged state reads and writes nothing else.
//!
//! Order matters: etcd is read *before* Marathon, so a container a command registers meanwhile
//! is at worst rewritten with the same info, never deleted on stale data; every write is
//! guarded per group (marker present, lock free; see `etcd::Driver::apply_registrations`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{json, Value};

use crate::etcd::{self, Driver, GroupChange, GroupRegistrations, Skipped};
use crate::marathon::{self, Client};
use crate::names::GroupKey;
use crate::rollout::live::{fold, revision_of, LiveGroup};
use crate::rollout::register::{diff, GroupDiff};
use crate::spec::labels::Selector;

/// What to do with one group.
#[derive(Debug, Clone)]
pub enum Action<'a> {
    /// Leave it: the reason.
    Skip(&'static str),
    /// Neither Marathon nor etcd has it (under the namespace): nothing to do or say.
    Absent,
    /// Make etcd match `live` (none: no Marathon group, so every container goes).
    Sync {
        /// The Marathon group.
        live: Option<&'a LiveGroup>,
        /// The config to register the group with first, when etcd lacks it.
        restore: Option<Value>,
        /// The registration changes.
        diff: GroupDiff,
    },
}

/// Decides one group: `live` are the Marathon groups with this key (one per namespace that has
/// it), `registered` etcd's view of it, `namespace` the namespace sync is limited to, if any.
pub fn plan_group<'a>(
    live: &[&'a LiveGroup],
    registered: Option<&GroupRegistrations>,
    namespace: Option<&str>,
) -> Action<'a> {
    let owner = registered.and_then(GroupRegistrations::namespace);
    if let (Some(owner), Some(ns)) = (owner, namespace) {
        if owner != ns {
            return Action::Skip("owned by another namespace");
        }
    }
    let candidates: Vec<&LiveGroup> = live
        .iter()
        .copied()
        .filter(|g| owner.is_none_or(|o| g.namespace == o) && namespace.is_none_or(|n| g.namespace == n))
        .collect();
    let chosen = match candidates.as_slice() {
        [] => None,
        [one] => Some(*one),
        _ => return Action::Skip("in several namespaces; run sync with --namespace"),
    };
    let empty = GroupRegistrations::default();
    match (registered, chosen) {
        (None, None) => Action::Absent,
        // Limited to a namespace, an etcd group that names none may belong to another one.
        (Some(_), None) if namespace.is_some() && owner.is_none() => Action::Skip("namespace unknown"),
        (Some(reg), live) => {
            let apps = live.map(|g| g.apps.as_slice()).unwrap_or_default();
            Action::Sync { live, restore: None, diff: diff(apps, &reg.containers, reg.canary.as_ref()) }
        }
        (None, Some(g)) => Action::Sync {
            live: Some(g),
            restore: Some(restored_config(g)),
            diff: diff(&g.apps, &empty.containers, None),
        },
    }
}

/// The config stored for a group that Marathon runs but etcd lacks: what Marathon tells
/// (namespace, revision, app id, instances); the spec's own fields come with the next
/// `create`/`update`.
pub fn restored_config(g: &LiveGroup) -> Value {
    let current = g.current();
    json!({
        "service": g.key.service(),
        "labels": g.labels,
        "namespace": g.namespace,
        "revision": current.map(revision_of),
        "app_id": current.map(|a| a.id.clone()),
        "instances": current.and_then(|a| a.instances),
        "restored_by": "theseus sync",
    })
}

/// What sync did to one group.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GroupSync {
    /// Service name.
    pub service: String,
    /// Encoded labels.
    pub group: String,
    /// The namespace of the Marathon group, if Marathon has it.
    pub namespace: Option<String>,
    /// The group was missing from etcd and was registered.
    pub restored: bool,
    /// Containers registered.
    pub registered: Vec<String>,
    /// Containers whose info was rewritten.
    pub updated: Vec<String>,
    /// Containers deregistered.
    pub deregistered: Vec<String>,
    /// Registered containers left as they are because their health is unknown.
    pub unknown: Vec<String>,
    /// Marathon runs no app of this group (removed behind Theseus's back, or a `create` cut
    /// short before its Marathon change): every container is deregistered, and the group's
    /// record (config, history) is kept for `theseus create` or `theseus remove` to settle.
    pub not_in_marathon: bool,
    /// Why nothing was written, when nothing was (`locked`, `removed`, ...).
    pub skipped: Option<String>,
}

impl GroupSync {
    /// Whether anything was written.
    pub fn changed(&self) -> bool {
        self.restored || !self.registered.is_empty() || !self.updated.is_empty() || !self.deregistered.is_empty()
    }
}

/// What one reconcile did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Groups compared.
    pub groups: usize,
    /// Running tasks seen in Marathon.
    pub tasks: usize,
    /// Containers changed (registered + updated + deregistered).
    pub changes: usize,
    /// etcd transactions written.
    pub transactions: usize,
    /// Groups that changed, were skipped, or hold unknown-health containers.
    pub details: Vec<GroupSync>,
    /// The namespaces of the groups covered (Marathon's and etcd's, within the sync's
    /// namespace): what the leader confirms as current (src/sync/freshness.rs).
    #[serde(skip)]
    pub namespaces: BTreeSet<String>,
}

/// Why a reconcile failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading Marathon failed.
    #[error("reading the managed apps from Marathon")]
    Marathon(#[from] marathon::Error),
    /// Reading or writing etcd failed.
    #[error("syncing the registrations in etcd")]
    Etcd(#[from] etcd::Error),
}

impl Error {
    /// Which side failed, for the error counters.
    pub fn side(&self) -> super::metrics::Failed {
        match self {
            Error::Marathon(_) => super::metrics::Failed::Marathon,
            Error::Etcd(_) => super::metrics::Failed::Etcd,
        }
    }
}

/// Reads every managed app (one request: `?label=theseus.managed==true&embed=apps.tasks`),
/// folded into groups by key.
pub async fn read_live(client: &Client, namespace: Option<&str>) -> Result<Vec<LiveGroup>, marathon::Error> {
    let apps = client.apps(Some(&Selector::default().marathon_label_filter()), true).await?;
    Ok(fold(apps, namespace, &[], &Selector::default()).into_values().collect())
}

/// A full reconcile: etcd's registrations (one read per service), Marathon's managed apps (one
/// request), one diff per group, the changes in batched transactions.
pub async fn reconcile(client: &Client, etcd: &Driver, namespace: Option<&str>) -> Result<Report, Error> {
    let _busy = super::health::global().busy("reconcile");
    let registrations = etcd.registrations().await?;
    let live = read_live(client, namespace).await?;
    let mut by_key: BTreeMap<&GroupKey, Vec<&LiveGroup>> = BTreeMap::new();
    for g in &live {
        by_key.entry(&g.key).or_default().push(g);
    }
    let keys: BTreeSet<&GroupKey> = by_key.keys().copied().chain(registrations.groups.keys()).collect();
    let mut planned = Vec::new();
    for key in keys {
        let lives = by_key.get(key).map(Vec::as_slice).unwrap_or_default();
        let action = plan_group(lives, registrations.groups.get(key), namespace);
        let locked = registrations.locked.contains(key);
        planned.push((key.clone(), action, locked));
    }
    let mut report = apply(etcd, planned).await?;
    let registered = registrations.groups.values().filter_map(GroupRegistrations::namespace);
    report.namespaces = live
        .iter()
        .map(|g| g.namespace.as_str())
        .chain(registered)
        .filter(|ns| namespace.is_none_or(|n| n.trim_matches('/') == *ns))
        .map(str::to_owned)
        .collect();
    report.tasks = live
        .iter()
        .flat_map(LiveGroup::tasks)
        .filter(|t| t.state == crate::marathon::types::TaskState::Running)
        .count();
    Ok(report)
}

fn skip_reason(why: Skipped) -> &'static str {
    match why {
        Skipped::Locked => "locked by a running command",
        Skipped::GroupGone => "removed meanwhile",
        Skipped::CreatedMeanwhile => "registered meanwhile by another writer",
    }
}

/// Applies planned actions: restores missing groups, then every group's changes in batched
/// transactions. Locked groups (`locked`) are reported and left alone.
pub async fn apply(etcd: &Driver, planned: Vec<(GroupKey, Action<'_>, bool)>) -> Result<Report, Error> {
    let mut report = Report { groups: planned.len(), ..Report::default() };
    let mut changes: Vec<GroupChange> = Vec::new();
    let mut details: BTreeMap<GroupKey, GroupSync> = BTreeMap::new();
    for (key, action, locked) in planned {
        let mut row =
            GroupSync { service: key.service().to_owned(), group: key.group().to_owned(), ..GroupSync::default() };
        match action {
            Action::Absent => continue,
            Action::Skip(reason) => {
                row.skipped = Some(reason.to_owned());
                details.insert(key, row);
                continue;
            }
            Action::Sync { live, restore, diff } => {
                row.namespace = live.map(|g| g.namespace.clone());
                row.unknown = diff.unknown.clone();
                row.not_in_marathon = live.is_none();
                if diff.is_empty() && restore.is_none() {
                    if !row.unknown.is_empty() || row.not_in_marathon {
                        details.insert(key, row);
                    }
                    continue;
                }
                if locked {
                    row.skipped = Some("locked by a running command".into());
                    details.insert(key, row);
                    continue;
                }
                let restoring = restore.is_some();
                if let Some(config) = restore {
                    report.transactions += 1;
                    match etcd.restore_group(&key, &config).await? {
                        Ok(()) => row.restored = true,
                        Err(why) => {
                            row.skipped = Some(skip_reason(why).into());
                            details.insert(key, row);
                            continue;
                        }
                    }
                }
                let names = diff.report();
                super::metrics::global().drift_found(
                    names.registered.len(),
                    names.updated.len(),
                    names.deregistered.len(),
                    usize::from(restoring),
                );
                (row.registered, row.updated, row.deregistered) = (names.registered, names.updated, names.deregistered);
                changes.push(diff.change(&key));
                details.insert(key, row);
            }
        }
    }
    let applied = etcd.apply_registrations(&changes).await?;
    report.transactions += applied.transactions;
    for (key, why) in applied.skipped {
        if let Some(row) = details.get_mut(&key) {
            row.registered.clear();
            row.updated.clear();
            row.deregistered.clear();
            row.skipped = Some(skip_reason(why).into());
        }
    }
    report.details = details.into_values().collect();
    for d in &report.details {
        let (registered, updated, deregistered) = (d.registered.len(), d.updated.len(), d.deregistered.len());
        super::metrics::global().drift_repaired(registered, updated, deregistered, usize::from(d.restored));
    }
    report.changes = report.details.iter().map(|d| d.registered.len() + d.updated.len() + d.deregistered.len()).sum();
    Ok(report)
}

impl Report {
    /// The groups skipped because a command holds their lock.
    pub fn locked(&self) -> Vec<String> {
        self.details
            .iter()
            .filter(|d| d.skipped.as_deref().is_some_and(|s| s.starts_with("locked")))
            .map(|d| format!("{}/{}", d.service, d.group))
            .collect()
    }

    /// Folds a later pass into this report: its counts, its verdict per group, and the
    /// containers both passes changed.
    fn absorb(&mut self, later: Report) {
        self.groups = later.groups;
        self.tasks = later.tasks;
        self.transactions += later.transactions;
        for d in later.details {
            match self.details.iter_mut().find(|e| e.service == d.service && e.group == d.group) {
                Some(e) => {
                    e.restored |= d.restored;
                    e.registered.extend(d.registered);
                    e.updated.extend(d.updated);
                    e.deregistered.extend(d.deregistered);
                    e.unknown = d.unknown;
                    e.not_in_marathon = d.not_in_marathon;
                    e.skipped = d.skipped;
                    e.namespace = d.namespace.or(e.namespace.take());
                }
                None => self.details.push(d),
            }
        }
        self.changes = self.details.iter().map(|d| d.registered.len() + d.updated.len() + d.deregistered.len()).sum();
    }
}

/// [`reconcile`], then again every half second while groups are skipped because a command
/// holds their lock, for up to `lock_timeout` (a killed command's lock lasts until its lease
/// expires). The report covers every pass; groups still locked at the end stay skipped.
pub async fn reconcile_waiting(
    client: &Client,
    etcd: &Driver,
    namespace: Option<&str>,
    lock_timeout: std::time::Duration,
) -> Result<Report, Error> {
    let deadline = tokio::time::Instant::now() + lock_timeout;
    let mut report = reconcile(client, etcd, namespace).await?;
    while !report.locked().is_empty() && tokio::time::Instant::now() < deadline {
        tracing::info!(target: "theseus::sync", "waiting for the locks of {}", report.locked().join(", "));
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let later = reconcile(client, etcd, namespace).await?;
        report.absorb(later);
    }
    Ok(report)
}
