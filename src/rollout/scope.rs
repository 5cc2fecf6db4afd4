//! [`Scope`]: where and how a lifecycle command applies its changes (Marathon, etcd, the
//! namespace, the waits), shared by `apply`, `retire`, `rolling` and `restart`.

use super::wait::WaitOptions;
use crate::etcd::Driver;
use crate::marathon::Client;

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
