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
