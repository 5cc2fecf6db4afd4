//! Rollout journals: while `update` or `restart` rolls a group, its progress is kept at
//! `<root>/theseus/rollouts/<service>/<group>` (see [`super::Keys::rollout`]), so that after
//! the client dies `theseus rollout status|resume|abort` can show, continue or roll it back.
//!
//! The journal is plain JSON written by one holder of the group's lock at a time. It is not
//! bound to a lease: it must outlive the process that wrote it. The rollout-specific parts
//! (the Marathon app definition, the resolved spec, the rollout settings) are opaque JSON here,
//! since this module knows neither Marathon's types nor the spec's.

use etcd_client::DeleteOptions;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{json, Driver, Error};
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
}

impl Driver {
    /// Writes (or replaces) the journal of the group's rollout.
    pub async fn put_rollout(&self, id: &GroupKey, journal: &Journal) -> Result<(), Error> {
        let key = self.keys.rollout(id.service(), id.group());
        let value = json(journal);
        self.call("put", &key, || {
            let (mut kv, key, value) = (self.kv(), key.clone(), value.clone());
            async move { kv.put(key, value, None).await }
        })
        .await?;
        Ok(())
    }

    /// The journal of the group's rollout, if one is journaled.
    pub async fn get_rollout(&self, id: &GroupKey) -> Result<Option<Journal>, Error> {
        let key = self.keys.rollout(id.service(), id.group());
        match self.get_value(&key).await? {
            Some(value) => Ok(Some(Self::decode(&key, &value)?)),
            None => Ok(None),
        }
    }

    /// Deletes the journal of the group's rollout. Returns whether there was one.
    pub async fn delete_rollout(&self, id: &GroupKey) -> Result<bool, Error> {
        let key = self.keys.rollout(id.service(), id.group());
        let resp = self
            .call("delete", &key, || {
                let (mut kv, key) = (self.kv(), key.clone());
                async move { kv.delete(key, None::<DeleteOptions>).await }
            })
            .await?;
        Ok(resp.deleted() > 0)
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
