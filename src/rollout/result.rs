//! What the lifecycle commands report per group: [`GroupResult`] (create, scale, remove) and
//! [`RolloutResult`] (update, restart, rollback), each printed as a table row or a JSON object.

use serde::Serialize;

use super::live::LiveGroup;
use super::plan::Desired;
use crate::error::ExitStatus;

/// What a rollout did to one group (`-o json`: one object per group).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RolloutOutcome {
    /// Created (it did not exist).
    Created,
    /// Scaled in place (only `instances` changed).
    Scaled,
    /// Rolled to the new revision.
    Rolled,
    /// Every task replaced by `restart`.
    Restarted,
    /// Failed and rolled back to the old revision.
    RolledBack,
    /// Nothing to do.
    Unchanged,
    /// Failed; left as it was when it failed (see `reason`).
    Failed,
    /// `rollout abort` of a restart: stopped where it was (nothing to roll back to).
    Aborted,
    /// `update --waves`: not touched, because an earlier wave did not finish (see `reason`).
    Skipped,
    /// Held, awaiting `theseus rollout promote` (`update --detach`): journaled as paused.
    Paused,
    /// `--dry-run`: would be created.
    WouldCreate,
    /// `--dry-run`: would be scaled.
    WouldScale,
    /// `--dry-run`: would be rolled.
    WouldRoll,
    /// `--dry-run`: would be restarted.
    WouldRestart,
    /// `--dry-run`: would be rolled back (`rollout abort`).
    WouldRollBack,
}

impl std::fmt::Display for RolloutOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        f.write_str(&text)
    }
}

/// How long a rollout took.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    /// The whole rollout, seconds.
    pub total: f64,
    /// Each batch from its start until its new tasks passed the health gate, seconds.
    pub batches: Vec<f64>,
}

/// The result of a rollout of one group.
#[derive(Debug, Clone, Serialize)]
pub struct RolloutResult {
    /// Service name.
    pub service: String,
    /// Encoded labels.
    pub group: String,
    /// What happened.
    pub outcome: RolloutOutcome,
    /// The revision before.
    pub from: Option<String>,
    /// The revision wanted.
    pub to: Option<String>,
    /// Desired instances.
    pub instances: u32,
    /// Batch sizes (planned with `--dry-run`, else those that started).
    pub batches: Vec<u32>,
    /// Why it failed, was rolled back or skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Durations.
    pub timings: Timings,
    /// The exit status this group asks for (success unless it failed).
    #[serde(skip)]
    pub status: ExitStatus,
    /// The group's wave (from 1) under `update --waves`; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wave: Option<u32>,
    /// What Marathon said about the revision that failed, taken when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<super::evidence::Evidence>,
}

impl RolloutResult {
    /// A successful roll of `live` to `desired`, before anything happened.
    pub(super) fn of(live: &LiveGroup, desired: &Desired) -> Self {
        RolloutResult {
            service: live.key.service().to_owned(),
            group: live.key.group().to_owned(),
            outcome: RolloutOutcome::Rolled,
            from: live.revisions().into_iter().next(),
            to: Some(desired.revision()),
            instances: desired.app.instances.unwrap_or(1),
            batches: Vec::new(),
            reason: None,
            timings: Timings::default(),
            status: ExitStatus::Success,
            wave: None,
            evidence: None,
        }
    }
}

/// What a command did to one group (`created`, `skipped`, ... in tables and JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Created by `create`.
    Created,
    /// Left alone by `create --skip-existing`: it already existed.
    Skipped,
    /// Scaled in place.
    Scaled,
    /// Removed from Marathon and etcd.
    Removed,
    /// What `remove --dry-run` would remove.
    WouldRemove,
    /// What `create --dry-run` would create.
    WouldCreate,
    /// Created or scaled up, then undone: it could not be placed or kept failing (exit 3).
    Undone,
    /// Created or scaled up, failed, and the undo failed too (exit 4).
    UndoFailed,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outcome::Created => "created",
            Outcome::Skipped => "skipped",
            Outcome::Scaled => "scaled",
            Outcome::Removed => "removed",
            Outcome::WouldRemove => "would-remove",
            Outcome::WouldCreate => "would-create",
            Outcome::Undone => "undone",
            Outcome::UndoFailed => "undo-failed",
        })
    }
}

/// What happened to one group.
#[derive(Debug, Clone, Serialize)]
pub struct GroupResult {
    /// Service name.
    pub service: String,
    /// Encoded labels.
    pub group: String,
    /// Marathon group id.
    pub id: String,
    /// What happened to it.
    pub result: Outcome,
    /// The revision involved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Desired instances afterwards.
    pub instances: u32,
    /// The Marathon deployment that carried the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<String>,
    /// Whether the command waited until the group converged.
    pub converged: bool,
    /// Containers registered in etcd afterwards.
    pub registered: usize,
    /// What Marathon (and the failed tasks' logs) said, when it was undone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<super::evidence::Evidence>,
}

/// A `create` or scale-up that failed and was undone (or whose undo failed): the rows to print,
/// each with its evidence, before the error that carries the exit status.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct Undone {
    /// One row per group, `undone` or `undo-failed`.
    pub rows: Vec<GroupResult>,
    /// The error the command ends with (exit 3, or 4).
    pub error: crate::error::StatusError,
}
