//! [`Scope`]: where and how a lifecycle command applies its changes (Marathon, etcd, the
//! namespace, its [`Timing`]), and how a rollout steps ([`Settings`]); shared by every
//! lifecycle change.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::wakeup::{Wakeup, Watch};
use crate::etcd::{self, Driver, GroupLock};
use crate::marathon::Client;
use crate::spec::Rollout;

/// How a command times its waits: the one set of timings every wait, gate and lock of the
/// command reads (`--no-wait`, `--timeout` or a rollout's deadline, `--poll-interval`,
/// `--fail-after`, `--lock-timeout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Wait for convergence at all (`--no-wait` turns it off).
    pub wait: bool,
    /// Give up waiting for convergence after this long (exit 5): `--timeout`, or in a rollout
    /// command the group's `--deadline`.
    pub timeout: Duration,
    /// Poll interval.
    pub poll: Duration,
    /// Fail when new tasks stay unplaceable or keep failing this long (`rollout::stuck`).
    pub fail_after: Duration,
    /// How long to wait for another theseus holding a group's lock.
    pub lock_timeout: Duration,
}

/// Where and how a command applies its changes: Marathon, etcd, the namespace, the waits.
/// Inside a locked session (`rollout::session`) it also carries the groups' locks, and every change
/// goes through [`Scope::write`].
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The Marathon client.
    pub marathon: &'a Client,
    /// The etcd driver.
    pub etcd: &'a Driver,
    /// The namespace the groups live in.
    pub namespace: &'a str,
    /// Whether, how long and how often to wait.
    pub timing: Timing,
    /// Who takes the group locks, shown to whoever waits for them (`theseus update (by alice)`).
    pub owner: &'a str,
    /// The locks of the session this scope works in (none before one is opened).
    leases: &'a [GroupLock],
    /// Where the evidence of a failure reads task logs (none: no logs in the evidence), and how
    /// many lines of each stream.
    logs: Option<(&'a dyn Logs, usize)>,
    /// The command's subscription to Marathon's event stream, which wakes its waits (none: the
    /// waits poll alone).
    wakeup: Option<&'a Wakeup>,
}

/// The clients a change is made with, handed out by [`Scope::write`] once the leases are
/// checked.
#[derive(Debug, Clone, Copy)]
pub struct Writer<'a> {
    /// The Marathon client.
    pub marathon: &'a Client,
    /// The etcd driver.
    pub etcd: &'a Driver,
}

impl<'a> Scope<'a> {
    /// A scope holding no lock yet: opening a session (`rollout::session`) takes them.
    pub fn new(marathon: &'a Client, etcd: &'a Driver, namespace: &'a str, timing: Timing, owner: &'a str) -> Self {
        Scope { marathon, etcd, namespace, timing, owner, leases: &[], logs: None, wakeup: None }
    }

    /// The same scope whose failures' evidence carries the last `lines` lines of the failed
    /// tasks' logs, read through `logs`.
    pub fn with_logs(self, logs: &'a dyn Logs, lines: usize) -> Self {
        Scope { logs: Some((logs, lines)), ..self }
    }

    /// The same scope whose waits wake on the events of `wakeup` ([`super::Wakeup`]).
    pub fn with_wakeup(self, wakeup: &'a Wakeup) -> Self {
        Scope { wakeup: Some(wakeup), ..self }
    }

    /// A watch of `ids` (apps, groups, deployments) for one wait: woken by the events naming
    /// them, or polling alone where the scope has no subscription.
    pub(super) fn watch(&self, ids: Vec<String>) -> Watch {
        self.wakeup.map_or_else(Watch::none, |w| w.watch(ids))
    }

    /// The command's subscription to the event stream, if any.
    pub(super) fn wakeup(&self) -> Option<&'a Wakeup> {
        self.wakeup
    }

    /// Starts connecting the event stream now (in the background), so it is live when the
    /// first wait begins; a no-op without a subscription or once it is open.
    pub(super) fn connect_events(&self) {
        if let Some(w) = self.wakeup {
            w.connect();
        }
    }

    /// Where a failure's evidence reads task logs, and how many lines of each stream.
    pub(super) fn logs(&self) -> Option<(&'a dyn Logs, usize)> {
        self.logs
    }

    /// This scope inside a session holding `locks`.
    pub(super) fn locked<'s>(self, locks: &'s [GroupLock]) -> Scope<'s>
    where
        'a: 's,
    {
        Scope { leases: locks, ..self }
    }

    /// The same scope with other timings.
    pub fn with_timing(self, timing: Timing) -> Self {
        Scope { timing, ..self }
    }

    /// Fails with [`etcd::Error::LockLost`] once a lease of the session is lost.
    pub fn held(&self) -> Result<(), etcd::Error> {
        self.leases.iter().try_for_each(GroupLock::check)
    }

    /// Settles whether the locks are still ours after a failure that may come from etcd being
    /// out of reach: etcd answering a read (then a lease not lost is ours: go on, roll back) or
    /// a lease lost, whichever comes first (within a TTL, since nothing renews it meanwhile).
    /// So a rollout cut off from etcd stops as a lost lease (exit 6) instead of rolling back
    /// Marathon while its lock lapses.
    pub async fn confirm(&self) -> Result<(), etcd::Error> {
        let Some(first) = self.leases.first() else { return Ok(()) };
        loop {
            self.held()?;
            let lost = futures::future::select_all(self.leases.iter().map(|l| Box::pin(l.lost())));
            tokio::select! {
                read = self.etcd.service_exists(first.service()) => {
                    if read.is_ok() {
                        return self.held();
                    }
                }
                _ = lost => return self.held(),
            }
            // etcd did not answer: ask again shortly, unless the lease goes meanwhile.
            let lost = futures::future::select_all(self.leases.iter().map(|l| Box::pin(l.lost())));
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(100)) => {}
                _ = lost => return self.held(),
            }
        }
    }

    /// The clients for one change (a Marathon write, an etcd change), once every lease of the
    /// session is checked to be still ours: a lost one is [`etcd::Error::LockLost`] and nothing
    /// is written. Reads use the fields.
    pub fn write(&self) -> Result<Writer<'a>, etcd::Error> {
        self.held()?;
        Ok(Writer { marathon: self.marathon, etcd: self.etcd })
    }
}

/// How one group rolls: the spec's `rollout` table with the flags applied (its timings are the
/// scope's [`Timing`]).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Batch, waits, unavailability, health time and deadline.
    pub rollout: Rollout,
    /// Leave a failed rollout as it is instead of rolling back.
    pub no_rollback: bool,
    /// Recorded with the revision in the group's etcd config.
    pub message: Option<String>,
    /// End the command as soon as the rollout holds (`--detach`: exit 11, lock released).
    pub detach: bool,
    /// This run is `theseus rollout promote` by this requester (the canary is promoted without
    /// a hold).
    pub promoted_by: Option<String>,
    /// `rollout promote --full`: skip the remaining gates and pauses.
    pub full: bool,
    /// This run continues a journaled rollout (`rollout resume|promote`): a paused one is its
    /// to go on with, where `update` refuses it (exit 6).
    pub resuming: bool,
}

/// Where the evidence reads task logs from: the Mesos agents, through a client found on first
/// use (the master from `--mesos` or Marathon's `/v2/info`), so a command asks for it only when
/// a failure needs logs.
pub trait Logs: Sync + std::fmt::Debug {
    /// The Mesos client, or why there is none.
    fn mesos(&self) -> Pin<Box<dyn Future<Output = anyhow::Result<&crate::mesos::Client>> + Send + '_>>;
}
