//! Progress events and the [`Reporter`] trait: rollout code reports through it and never names
//! a terminal library; `output::progress` draws the events with indicatif.

/// Something worth telling the user while waiting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Waiting started for `total` groups.
    Started {
        /// Number of groups waited on.
        total: usize,
    },
    /// A group's counts changed.
    Progress {
        /// Group label, `service/encoded`.
        group: String,
        /// Healthy (or running, without health checks) instances of the target revision.
        healthy: u32,
        /// Desired instances.
        desired: u32,
        /// Short state text (`deploying 1/2`, `waiting: ...`).
        state: String,
    },
    /// A group reached its desired state.
    Converged {
        /// Group label.
        group: String,
    },
    /// A rollout batch of a group started.
    BatchStarted {
        /// Group label.
        group: String,
        /// The batch, from 1.
        batch: u32,
        /// Batches in all.
        batches: u32,
        /// Instances of the new revision this batch brings up (or replaces, for a restart).
        size: u32,
    },
    /// A group pauses between batches.
    Waiting {
        /// Group label.
        group: String,
        /// How long.
        wait: std::time::Duration,
    },
    /// A group's rollout failed and is being rolled back.
    RollingBack {
        /// Group label.
        group: String,
        /// Why.
        reason: String,
    },
    /// A group's rollout started (journaled, before its first change).
    RolloutStarted {
        /// Group label.
        group: String,
        /// `update` or `restart`.
        kind: String,
        /// The revision rolled from.
        from: Option<String>,
        /// The revision rolled to.
        to: String,
        /// Target instances.
        instances: u32,
        /// The batch sizes left to do.
        batches: Vec<u32>,
        /// Canary instances, when the rollout has a canary step.
        canary: Option<u32>,
    },
    /// A batch of a group passed the health gate.
    BatchHealthy {
        /// Group label.
        group: String,
        /// The batch, from 1.
        batch: u32,
        /// Healthy instances of the new revision now.
        healthy: u32,
        /// Target instances.
        desired: u32,
    },
    /// A group's canary instances are up and healthy; its gates start.
    Canary {
        /// Group label.
        group: String,
        /// Canary instances.
        instances: u32,
        /// The old revision's instances beside them.
        old: u32,
    },
    /// A gate judged a group's canary.
    Gate {
        /// Group label.
        group: String,
        /// `canary-for` or `command`.
        gate: String,
        /// `passed`, `failed` or `inconclusive`.
        verdict: String,
        /// What it saw.
        detail: String,
    },
    /// A group's rollout holds (paused, awaiting promotion, inconclusive gate).
    Paused {
        /// Group label.
        group: String,
        /// Who paused it (or who runs the rollout when it holds by itself).
        by: String,
        /// Why.
        reason: String,
    },
    /// A paused rollout goes on.
    Resumed {
        /// Group label.
        group: String,
        /// Who resumed it.
        by: String,
    },
    /// A canary was promoted: the remaining batches follow.
    Promoted {
        /// Group label.
        group: String,
        /// Who promoted it (`auto` when its gates passed and promotion is automatic).
        by: String,
    },
    /// A rollout was aborted (it rolls back next).
    Aborted {
        /// Group label.
        group: String,
        /// Who aborted it.
        by: String,
    },
    /// A group's rollout was rolled back: the old revision runs at full capacity again.
    RolledBack {
        /// Group label.
        group: String,
        /// The revision restored.
        to: String,
    },
    /// All groups converged or the wait ended.
    Finished,
}

/// Receives progress events.
pub trait Reporter: Send + Sync {
    /// Handles one event.
    fn on(&self, event: Event);
}

/// A reporter that drops every event (for `--no-wait` and library callers).
#[derive(Debug, Default)]
pub struct Silent;

impl Reporter for Silent {
    fn on(&self, _event: Event) {}
}
