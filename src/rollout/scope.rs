//! [`Scope`]: where and how a lifecycle command applies its changes (Marathon, etcd, the
//! namespace, the waits) and how a rollout steps ([`Settings`]), shared by `apply`, `retire`, `rolling` and `restart`.

use std::time::Duration;

use super::wait::WaitOptions;
use crate::etcd::Driver;
use crate::marathon::Client;
use crate::spec::Rollout;

/// How a command waits.
#[derive(Debug, Clone, Copy)]
pub struct Waiting {
    /// Wait at all (`--no-wait` turns it off).
    pub wait: bool,
    /// How long to wait for another theseus holding a group's lock.
    pub lock_timeout: std::time::Duration,
    /// Timeouts and polling.
    pub options: WaitOptions,
}

/// Where and how a command applies its changes: Marathon, etcd, the namespace, the waits.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The Marathon client.
    pub marathon: &'a Client,
    /// The etcd driver.
    pub etcd: &'a Driver,
    /// The namespace the groups live in.
    pub namespace: &'a str,
    /// Whether and how long to wait.
    pub waiting: Waiting,
    /// Who takes the group locks, shown to whoever waits for them (`theseus update (by alice)`).
    pub owner: &'a str,
}

/// How one group rolls: the spec's `rollout` table with the flags applied, and the waits.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Batch, waits, unavailability, health time and deadline.
    pub rollout: Rollout,
    /// Leave a failed rollout as it is instead of rolling back.
    pub no_rollback: bool,
    /// How long to wait for another theseus holding the group's lock.
    pub lock_timeout: Duration,
    /// Poll interval.
    pub poll: Duration,
    /// Fail when new tasks stay unplaceable or keep failing this long.
    pub fail_after: Duration,
    /// Recorded with the revision in the group's etcd config.
    pub message: Option<String>,
}
