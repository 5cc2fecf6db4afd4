//! A rollout's journal as it runs ([`Tracker`]), and what `theseus rollout status` shows of it
//! ([`RolloutStatus`]): the journal beside where Marathon stands.
//!
//! States: a rollout is journaled `rolling` when it starts (before its first change) and after
//! every batch, `rolling-back` before a rollback, `failed` when it stops half-way (rollback
//! failed or was off, or Ctrl-C). A rollout that ends with the group on one revision (done, or
//! rolled back) deletes its journal, so "a journal exists" means "the group may be between
//! revisions"; a journal left `rolling` by a client that died says so by its lock being free.

use serde::Serialize;

use super::live::{revision_of, LiveGroup};
use super::plan::Desired;
use super::scope::Scope;
use super::wait::counts;
use crate::etcd::{self, Journal, JournalSide, JournalState, RolloutKind};
use crate::marathon::types::App;
use crate::names::GroupKey;
use crate::spec::Rollout;

/// The time now, as journals and histories write it (RFC 3339, milliseconds, UTC).
pub(super) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Whether `journal` records a rollout to the app `to` (which a new run then continues).
pub(super) fn continues(journal: &Journal, kind: RolloutKind, to: &str) -> bool {
    journal.kind == kind && journal.to.app_id == to
}

fn side(app: &App, instances: u32) -> JournalSide {
    JournalSide { app_id: app.id.clone(), revision: revision_of(app), instances }
}

/// What a run is about to do, as one journal: for a new rollout from scratch; when `prev`
/// records the same rollout, continuing it (its start, its old revision's full capacity, its
/// batches done).
pub(super) struct Start<'a> {
    /// The journal found under the lock, if it records this rollout.
    pub prev: Option<&'a Journal>,
    /// Update or restart.
    pub kind: RolloutKind,
    /// The group.
    pub key: &'a GroupKey,
    /// The revision app rolled from (for a restart, the one restarted).
    pub old: &'a App,
    /// The target (`None` for a restart).
    pub desired: Option<&'a Desired>,
    /// Target instances.
    pub instances: u32,
    /// The settings in use.
    pub rollout: &'a Rollout,
    /// `-m`.
    pub message: Option<&'a str>,
    /// The batches this run will do.
    pub plan: Vec<u32>,
    /// Who runs it.
    pub owner: &'a str,
    /// Canary instances still to try (none: no canary step, or one promoted already).
    pub canary: Option<u32>,
}

impl Start<'_> {
    /// The journal of this run.
    pub(super) fn journal(self) -> Journal {
        let at = now();
        let to = match self.desired {
            Some(d) => JournalSide { app_id: d.app.id.clone(), revision: d.revision(), instances: self.instances },
            None => side(self.old, self.instances),
        };
        let fresh = Journal {
            kind: self.kind,
            service: self.key.service().to_owned(),
            group: self.key.group().to_owned(),
            from: Some(side(self.old, self.old.instances.unwrap_or(0))),
            to,
            plan: self.plan.clone(),
            batches_done: 0,
            state: JournalState::Rolling,
            started_at: at.clone(),
            updated_at: at,
            owner: self.owner.to_owned(),
            message: self.message.map(str::to_owned),
            reason: None,
            rollout: serde_json::to_value(self.rollout).unwrap_or_default(),
            app: self.desired.map(|d| serde_json::to_value(&d.app).unwrap_or_default()).unwrap_or_default(),
            config: self.desired.map(|d| d.config.clone()).unwrap_or_default(),
            canary: self.canary.map(|instances| crate::etcd::CanaryRecord {
                instances,
                healthy_at: None,
                gates: Vec::new(),
                passed_at: None,
                promoted: None,
            }),
            hold: None,
            obeyed: None,
        };
        match self.prev {
            Some(prev) if prev.from.as_ref().is_some_and(|f| f.app_id == self.old.id) => {
                let done = prev.batches_done.min(prev.plan.len() as u32);
                let mut plan: Vec<u32> = prev.plan.iter().copied().take(done as usize).collect();
                plan.extend(self.plan);
                Journal {
                    from: prev.from.clone(),
                    plan,
                    batches_done: done,
                    started_at: prev.started_at.clone(),
                    message: fresh.message.clone().or_else(|| prev.message.clone()),
                    canary: prev.canary.clone().or(fresh.canary.clone()),
                    obeyed: prev.obeyed.clone(),
                    ..fresh
                }
            }
            _ => fresh,
        }
    }
}

/// Keeps a group's journal current while its rollout runs.
#[derive(Debug)]
pub(super) struct Tracker<'a> {
    scope: Scope<'a>,
    key: GroupKey,
    journal: Journal,
}

impl<'a> Tracker<'a> {
    /// A tracker of `journal` (not written yet: call [`Tracker::write`]); every write goes
    /// through [`Scope::write`], so none is made once a lease of the session is lost.
    pub(super) fn new(scope: Scope<'a>, key: GroupKey, journal: Journal) -> Self {
        Tracker { scope, key, journal }
    }

    /// The journal as last written.
    pub(super) fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Writes the journal, stamped now.
    pub(super) async fn write(&mut self) -> Result<(), etcd::Error> {
        self.journal.updated_at = now();
        self.scope.write()?.etcd.put_rollout(&self.key, &self.journal).await
    }

    /// The canary step's record, to change before the next write.
    pub(super) fn canary_mut(&mut self) -> Option<&mut crate::etcd::CanaryRecord> {
        self.journal.canary.as_mut()
    }

    /// Sets (or clears) why the rollout holds, for the next write.
    pub(super) fn set_hold(&mut self, hold: Option<crate::etcd::Hold>) {
        self.journal.hold = hold;
    }

    /// Records the control request obeyed last, for the next write.
    pub(super) fn set_obeyed(&mut self, request: crate::etcd::ControlRequest) {
        self.journal.obeyed = Some(request);
    }

    /// Records one more batch done.
    pub(super) async fn batch_done(&mut self) -> Result<(), etcd::Error> {
        self.journal.batches_done += 1;
        self.write().await
    }

    /// Records a new state and why.
    pub(super) async fn state(&mut self, state: JournalState, reason: Option<String>) -> Result<(), etcd::Error> {
        self.journal.state = state;
        self.journal.reason = reason;
        self.write().await
    }

    /// Deletes the journal: the group is on one revision again.
    pub(super) async fn clear(&self) -> Result<bool, etcd::Error> {
        self.scope.write()?.etcd.delete_rollout(&self.key).await
    }
}

/// Where one revision of a journaled rollout stands in Marathon.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionStatus {
    /// The revision.
    pub revision: String,
    /// Its Marathon app id.
    pub app_id: String,
    /// Whether Marathon has the app.
    pub exists: bool,
    /// Instances Marathon is asked to run.
    pub desired: u32,
    /// Tasks running.
    pub running: u32,
    /// Tasks running and healthy.
    pub healthy: u32,
}

impl RevisionStatus {
    fn of(side: &JournalSide, live: Option<&LiveGroup>) -> Self {
        let app = live.and_then(|g| g.apps.iter().find(|a| a.id == side.app_id));
        let c = app.map(counts);
        RevisionStatus {
            revision: side.revision.clone(),
            app_id: side.app_id.clone(),
            exists: app.is_some(),
            desired: app.and_then(|a| a.instances).unwrap_or(0),
            running: c.as_ref().map_or(0, |c| c.running),
            healthy: c.as_ref().map_or(0, |c| c.healthy),
        }
    }
}

/// `theseus rollout status`: a group's journal beside where both revisions stand.
#[derive(Debug, Clone, Serialize)]
pub struct RolloutStatus {
    /// The service.
    pub service: String,
    /// The group (encoded labels).
    pub group: String,
    /// Update or restart.
    pub kind: RolloutKind,
    /// As journaled.
    pub state: JournalState,
    /// The old revision (for a restart, the one restarted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<RevisionStatus>,
    /// The new revision.
    pub to: RevisionStatus,
    /// Target instances.
    pub instances: u32,
    /// Batch sizes.
    pub plan: Vec<u32>,
    /// Batches done.
    pub batches_done: u32,
    /// Started (RFC 3339).
    pub started_at: String,
    /// Last journaled (RFC 3339).
    pub updated_at: String,
    /// Who ran it.
    pub owner: String,
    /// `-m`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Why it failed or stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who holds the group's lock now: the rollout still runs (or its client died less than a
    /// lease TTL ago). `None`: nobody; a `rolling` journal then means its client died.
    pub lock: Option<String>,
}

impl RolloutStatus {
    /// The status of `journal`, with the group as Marathon has it (`None`: not at all).
    pub fn of(journal: &Journal, live: Option<&LiveGroup>, lock: Option<String>) -> Self {
        RolloutStatus {
            service: journal.service.clone(),
            group: journal.group.clone(),
            kind: journal.kind,
            state: journal.state,
            from: journal.from.as_ref().map(|f| RevisionStatus::of(f, live)),
            to: RevisionStatus::of(&journal.to, live),
            instances: journal.to.instances,
            plan: journal.plan.clone(),
            batches_done: journal.batches_done,
            started_at: journal.started_at.clone(),
            updated_at: journal.updated_at.clone(),
            owner: journal.owner.clone(),
            message: journal.message.clone(),
            reason: journal.reason.clone(),
            lock,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(id: &str, instances: u32) -> App {
        App { id: id.into(), instances: Some(instances), ..App::default() }
    }

    #[test]
    fn a_continued_rollout_keeps_its_start_capacity_and_done_batches() {
        let key = GroupKey::new("web", "dev").unwrap();
        let (old, rollout) = (app("/it/web/dev/r1", 3), Rollout::default());
        let start = |prev, old: &App, plan: Vec<u32>| {
            Start {
                prev,
                kind: RolloutKind::Restart,
                key: &key,
                old,
                desired: None,
                instances: 3,
                rollout: &rollout,
                message: None,
                plan,
                owner: "me",
                canary: None,
            }
            .journal()
        };
        let mut first = start(None, &old, vec![1, 1, 1]);
        assert_eq!((first.batches_done, first.from.as_ref().unwrap().instances), (0, 3));
        first.batches_done = 1;
        let later = start(Some(&first), &app("/it/web/dev/r1", 2), vec![1, 1]);
        assert_eq!(later.plan, [1, 1, 1]);
        assert_eq!(later.batches_done, 1);
        assert_eq!(later.from.unwrap().instances, 3, "the capacity before the rollout, not now");
        assert_eq!(later.started_at, first.started_at);
        assert!(continues(&first, RolloutKind::Restart, "/it/web/dev/r1"));
        assert!(!continues(&first, RolloutKind::Update, "/it/web/dev/r1"));
    }
}
