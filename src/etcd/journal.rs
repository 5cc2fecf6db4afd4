//! Rollout journals: while `update` or `restart` rolls a group, its progress is kept at
//! `<root>/theseus/rollouts/<service>/<group>` (see [`super::Keys::rollout`]), so that after
//! the client dies `theseus rollout status|resume|abort` can show, continue or roll it back.
//!
//! The journal is plain JSON written by one holder of the group's lock at a time. It is not
//! bound to a lease: it must outlive the process that wrote it. The rollout-specific parts
//! (the Marathon app definition, the resolved spec, the rollout settings) are opaque JSON here,
//! since this module knows neither Marathon's types nor the spec's.

use etcd_client::{GetOptions, Txn, TxnOp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::keys::prefix_end;
use super::{Driver, Error};
use crate::names::GroupKey;

/// What kind of rollout is journaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RolloutKind {
    /// `theseus update` (or `rollback`): a new revision replaces the old one.
    Update,
    /// `theseus restart`: every task of one revision is replaced.
    Restart,
}

/// Where a journaled rollout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JournalState {
    /// Batches are being rolled forward (or were, when the client died).
    Rolling,
    /// The old revision is being restored after a failure.
    RollingBack,
    /// The rollout stopped half-way (rollback failed or was off, or it was interrupted); the
    /// group is left between revisions until `rollout resume` or `rollout abort`.
    Failed,
    /// The rollout holds (`rollout pause`, a canary awaiting promotion, an inconclusive gate):
    /// [`Journal::hold`] says why, who asked and since when. Other changes of the group are
    /// refused (exit 6) until `rollout resume`, `promote` or `abort`.
    Paused,
    /// Finished. (Theseus deletes a finished journal; the state exists for readers that keep
    /// their own.)
    Done,
}

impl std::fmt::Display for JournalState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            JournalState::Rolling => "rolling",
            JournalState::RollingBack => "rolling-back",
            JournalState::Failed => "failed",
            JournalState::Paused => "paused",
            JournalState::Done => "done",
        })
    }
}

impl std::fmt::Display for RolloutKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RolloutKind::Update => "update",
            RolloutKind::Restart => "restart",
        })
    }
}

/// One side of a rollout: a revision app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalSide {
    /// The Marathon app id.
    pub app_id: String,
    /// The revision (`r` and 12 hex digits).
    pub revision: String,
    /// Instances: for `from`, what the old revision ran before the rollout (what a rollback
    /// restores); for `to`, the target.
    pub instances: u32,
}

/// The journal of one group's rollout (the JSON value of [`super::Keys::rollout`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    /// Update or restart.
    pub kind: RolloutKind,
    /// The service.
    pub service: String,
    /// The group (encoded labels).
    pub group: String,
    /// The revision rolled from (`None` never happens for updates and restarts; kept optional
    /// for readers of other tools' journals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<JournalSide>,
    /// The revision rolled to (for a restart, the same as `from`).
    pub to: JournalSide,
    /// Batch sizes, in order, including those done by earlier (resumed) runs.
    pub plan: Vec<u32>,
    /// How many batches of `plan` passed the health gate and retired their old tasks.
    pub batches_done: u32,
    /// Where it stands.
    pub state: JournalState,
    /// When the rollout started (RFC 3339).
    pub started_at: String,
    /// When the journal was last written (RFC 3339).
    pub updated_at: String,
    /// Who runs (or ran) it: `theseus update (by alice)`.
    pub owner: String,
    /// The message recorded with the new revision (`-m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Why it failed or stopped, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The rollout settings in use (the spec's `rollout` table with the flags applied).
    #[serde(default)]
    pub rollout: Value,
    /// The new revision's Marathon app definition, as sent: what `rollout resume` deploys,
    /// with no spec file.
    #[serde(default)]
    pub app: Value,
    /// The new revision's resolved spec, stored as the group's config when the rollout ends.
    #[serde(default)]
    pub config: Value,
    /// The canary step, when the rollout has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary: Option<CanaryRecord>,
    /// Why the rollout holds, when its state is [`JournalState::Paused`] (or it holds at a gate
    /// while its process runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<Hold>,
    /// The last control request the rollout obeyed ([`ControlRequest`]), so that the process
    /// that sent it sees it done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obeyed: Option<ControlRequest>,
}

/// The canary step of a journaled rollout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanaryRecord {
    /// Canary instances of the new revision.
    pub instances: u32,
    /// When every canary instance was first healthy (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthy_at: Option<String>,
    /// Each gate's verdict so far, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<GateRecord>,
    /// When the gates passed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passed_at: Option<String>,
    /// Who promoted the canary and when (`auto` when the rollout went on by itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promoted: Option<Stamp>,
}

/// One gate's verdict on a canary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRecord {
    /// `canary-for` (healthy for a while) or `command` (`--gate`).
    pub gate: String,
    /// `passed`, `failed` or `inconclusive`.
    pub verdict: String,
    /// What it saw.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// When (RFC 3339).
    pub at: String,
}

/// Who did something and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Who (`alice@ci-7`, or `auto`).
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

/// Why a rollout holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    /// `awaiting promotion`, `paused`, or `gate inconclusive: ...`.
    pub reason: String,
    /// Who paused it (`alice@ci-7`), or who ran the rollout when it holds by itself.
    pub by: String,
    /// Since when (RFC 3339).
    pub since: String,
}

/// What a control request asks of a running rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlAction {
    /// Hold before the next batch.
    Pause,
    /// Go on after a pause.
    Resume,
    /// Go on past the canary (once its gates pass; with `full`, at once).
    Promote,
    /// Stop at once and roll back.
    Abort,
}

impl std::fmt::Display for ControlAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ControlAction::Pause => "pause",
            ControlAction::Resume => "resume",
            ControlAction::Promote => "promote",
            ControlAction::Abort => "abort",
        })
    }
}

/// A request to the process running a group's rollout (the JSON value of
/// [`super::Keys::control`]), written by `theseus rollout pause|resume|promote|abort` from any
/// shell; the running process obeys it at its next safe point and records it in
/// [`Journal::obeyed`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlRequest {
    /// Unique per request, so a request is obeyed once and its sender knows it was.
    pub id: String,
    /// What to do.
    pub action: ControlAction,
    /// `promote --full`: skip the remaining gates and pauses.
    #[serde(default)]
    pub full: bool,
    /// Who asked (`alice@ci-7`).
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

/// The revision app on trial as a group's canary (the JSON value of [`super::Keys::canary`]):
/// its containers are registered with `"canary": true` until it is promoted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanaryMark {
    /// The Marathon app id of the canary revision.
    pub app_id: String,
    /// Its revision.
    pub revision: String,
}

impl Driver {
    /// Writes (or replaces) the journal of the group's rollout.
    pub async fn put_rollout(&self, id: &GroupKey, journal: &Journal) -> Result<(), Error> {
        self.put_json(&self.keys.rollout(id.service(), id.group()), journal).await
    }

    /// The journal of the group's rollout, if one is journaled.
    pub async fn get_rollout(&self, id: &GroupKey) -> Result<Option<Journal>, Error> {
        self.get_json(&self.keys.rollout(id.service(), id.group())).await
    }

    /// Deletes the journal of the group's rollout. Returns whether there was one.
    pub async fn delete_rollout(&self, id: &GroupKey) -> Result<bool, Error> {
        self.delete_key(&self.keys.rollout(id.service(), id.group())).await
    }

    /// Writes a control request for the group's running rollout (replacing an older one).
    pub async fn put_control(&self, id: &GroupKey, request: &ControlRequest) -> Result<(), Error> {
        self.put_json(&self.keys.control(id.service(), id.group()), request).await
    }

    /// The group's pending control request, if any.
    pub async fn get_control(&self, id: &GroupKey) -> Result<Option<ControlRequest>, Error> {
        self.get_json(&self.keys.control(id.service(), id.group())).await
    }

    /// Deletes the group's control request (obeyed, or its rollout is over).
    pub async fn delete_control(&self, id: &GroupKey) -> Result<(), Error> {
        self.delete_key(&self.keys.control(id.service(), id.group())).await.map(drop)
    }

    /// Deletes what an ended rollout leaves of itself: its journal, its pending control request
    /// and the canary mark, in one transaction (the group is on one revision again).
    pub async fn clear_rollout(&self, id: &GroupKey) -> Result<(), Error> {
        let (service, group) = (id.service(), id.group());
        let mut ops = self.rollout_delete_ops(service, group);
        ops.push(TxnOp::delete(self.keys.canary(service, group), None));
        self.txn(&self.keys.rollout(service, group), Txn::new().and_then(ops)).await.map(drop)
    }

    /// Marks `mark`'s revision app as the group's canary: its containers register with
    /// `"canary": true` ([`super::Keys::canary`]).
    pub async fn put_canary_mark(&self, id: &GroupKey, mark: &CanaryMark) -> Result<(), Error> {
        self.put_json(&self.keys.canary(id.service(), id.group()), mark).await
    }

    /// Removes the group's canary mark (promoted, or rolled back).
    pub async fn delete_canary_mark(&self, id: &GroupKey) -> Result<(), Error> {
        self.delete_key(&self.keys.canary(id.service(), id.group())).await.map(drop)
    }

    /// Every journaled rollout, in key order (service, then group), in one range read under
    /// [`super::Keys::rollouts_prefix`]; a value that is not a journal is skipped. What `view`
    /// shows beside Marathon's state: journals are few (one per group between revisions).
    pub async fn rollouts(&self) -> Result<Vec<Journal>, Error> {
        let prefix = self.keys.rollouts_prefix();
        let range = GetOptions::new().with_range(prefix_end(&prefix));
        let mut resp = self
            .call("get", &prefix, || {
                let (mut kv, prefix, range) = (self.kv(), prefix.clone(), range.clone());
                async move { kv.get(prefix, Some(range)).await }
            })
            .await?;
        Ok(resp.take_kvs().iter().filter_map(|kv| serde_json::from_slice(kv.value()).ok()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_kinds_are_kebab_case() {
        assert_eq!(serde_json::to_value(JournalState::RollingBack).unwrap(), "rolling-back");
        assert_eq!(JournalState::RollingBack.to_string(), "rolling-back");
        assert_eq!(serde_json::to_value(RolloutKind::Restart).unwrap(), "restart");
    }
}
