//! When the sync leader confirms that a namespace's registrations are current: the writer side
//! of `<root>/theseus/sync/confirmed/<namespace>` (the key and its readers: src/etcd/confirmation.rs).
//!
//! A confirmation says "at `synced_at`, the leader had applied everything it knew of": so it is
//! written only while the follower is caught up, and never on a guess:
//!
//! - after every successful full reconcile, and after the follower has caught up with the
//!   events (nothing dirty, running or unread; a group left to the command holding its lock
//!   does not count, since that command registers its own containers);
//! - and, while the event stream is alive (the heartbeats of Jetty's `EventSourceServlet`, which
//!   Marathon's `core/event/impl/stream/HttpEventStreamServlet.scala` extends, arrive within
//!   `--idle-timeout`, or the stream is reopened and nothing is confirmed until the reconcile
//!   after it) and the follower is caught up, at least every [`EVERY`] (never less often than
//!   twice per resync):
//!   an idle but healthy system stays fresh for `endpoints --fresh-within 30s` with five
//!   confirmations to spare, at the cost of two small etcd requests every five seconds;
//! - never after a failed reconcile or refresh (an etcd write or a Marathon read failed: the
//!   registrations may be behind) until a full reconcile succeeds again;
//! - only while leading: the write is guarded by the leadership's election key
//!   (`etcd::Driver::confirm_sync`), so a deposed leader writes nothing.
//!
//! Caught-up confirmations after events come at most every [`MIN_GAP`], so a stream of 200
//! events a second costs one confirmation a second, not one per refresh.
//!
//! An all-namespaces sync confirms every namespace of the groups its last reconcile covered (and
//! those its refreshes found since), all in one transaction; a sync limited to a namespace
//! confirms only that one.

use std::collections::BTreeSet;
use std::time::Duration;

use tokio::time::Instant;

use super::reconcile::Report;
use super::Options;
use crate::etcd::{Driver, Leadership};

/// The longest pause between two confirmations of a caught-up follower.
pub const EVERY: Duration = Duration::from_secs(5);

/// The shortest pause between two confirmations after events.
pub const MIN_GAP: Duration = Duration::from_secs(1);

/// How often an idle, caught-up follower confirms: [`EVERY`], or half the resync when that is
/// shorter (readers call a confirmation older than the resync stale).
pub fn interval(resync: Duration) -> Duration {
    EVERY.min(resync / 2).max(Duration::from_millis(100))
}

/// The confirmation schedule of one connection, apart from etcd (pure, so it is unit-tested).
#[derive(Debug, Clone)]
struct Schedule {
    /// No successful reconcile yet on this connection, or a failure since the last one.
    blocked: bool,
    /// Something was applied since the last confirmation: confirm once caught up.
    wanted: bool,
    /// When the last confirmation was written.
    last: Option<Instant>,
    every: Duration,
}

impl Schedule {
    fn new(every: Duration) -> Schedule {
        Schedule { blocked: true, wanted: false, last: None, every }
    }

    /// When the next confirmation is due; `None` while blocked.
    fn due(&self) -> Option<Instant> {
        if self.blocked {
            return None;
        }
        Some(match (self.last, self.wanted) {
            (None, _) => Instant::now(),
            (Some(last), true) => last + MIN_GAP.min(self.every),
            (Some(last), false) => last + self.every,
        })
    }
}

/// The writer of one connection's confirmations; does nothing without a leadership (a
/// follower run on its own, as the benchmarks do).
pub struct Freshness<'a> {
    etcd: &'a Driver,
    leadership: Option<&'a Leadership>,
    opts: &'a Options,
    /// The namespaces confirmed: the one sync is limited to, or those its groups are in.
    namespaces: BTreeSet<String>,
    schedule: Schedule,
}

impl<'a> Freshness<'a> {
    /// A writer for `opts`'s namespaces, confirming nothing before the first reconcile.
    pub fn new(etcd: &'a Driver, leadership: Option<&'a Leadership>, opts: &'a Options) -> Freshness<'a> {
        let namespaces = opts.namespace.iter().map(|n| n.trim_matches('/').to_owned()).collect();
        Freshness { etcd, leadership, opts, namespaces, schedule: Schedule::new(interval(opts.resync)) }
    }

    /// A full reconcile succeeded: confirm (once caught up), with the namespaces it covered.
    pub fn reconciled(&mut self, report: &Report) {
        if self.opts.namespace.is_none() {
            self.namespaces.clone_from(&report.namespaces);
        }
        self.schedule.blocked = false;
        self.schedule.wanted = true;
    }

    /// A refresh of a group applied what the events said: confirm once caught up.
    pub fn refreshed(&mut self, report: &Report) {
        if self.opts.namespace.is_none() {
            self.namespaces.extend(report.namespaces.iter().cloned());
        }
        self.schedule.wanted = true;
    }

    /// A reconcile or refresh failed: nothing is confirmed until a full reconcile succeeds.
    pub fn failed(&mut self) {
        self.schedule.blocked = true;
    }

    /// When the follower should wake to confirm (far ahead while blocked or not leading).
    pub fn wake(&self) -> Instant {
        let due = self.schedule.due().filter(|_| self.leadership.is_some());
        due.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600))
    }

    /// Whether a confirmation is due (the caller confirms only once caught up).
    pub fn is_due(&self) -> bool {
        self.leadership.is_some() && self.schedule.due().is_some_and(|due| due <= Instant::now())
    }

    /// Writes the confirmation of every namespace now; the caller is caught up. A failed write
    /// is logged and tried again at the next interval; a deposed leader stops confirming.
    pub async fn confirm(&mut self) {
        let Some(leadership) = self.leadership else { return };
        self.schedule.last = Some(Instant::now());
        self.schedule.wanted = false;
        if self.namespaces.is_empty() {
            super::confirmed(); // nothing to confirm in etcd: no Theseus group yet
            return;
        }
        let written = self.etcd.confirm_sync(leadership, &self.namespaces, &self.opts.identity, self.opts.resync);
        match written.await {
            Ok(Some(c)) => {
                super::confirmed();
                tracing::debug!(
                    target: "theseus::sync",
                    "confirmed {} namespace(s) at revision {}",
                    self.namespaces.len(),
                    c.revision
                );
            }
            Ok(None) => {
                tracing::warn!(target: "theseus::sync", "not the leader any more: freshness not confirmed");
                self.schedule.blocked = true;
            }
            Err(e) => tracing::warn!(
                target: "theseus::sync",
                "confirming freshness failed: {:#}; trying again in {}",
                anyhow::Error::new(e),
                humantime::format_duration(self.schedule.every)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_is_five_seconds_or_half_the_resync() {
        assert_eq!(interval(Duration::from_secs(300)), EVERY);
        assert_eq!(interval(Duration::from_secs(4)), Duration::from_secs(2));
        assert_eq!(interval(Duration::from_secs(1)), Duration::from_millis(500));
    }

    #[test]
    fn nothing_is_due_before_a_reconcile_or_after_a_failure() {
        let mut s = Schedule::new(EVERY);
        assert_eq!(s.due(), None, "before the first reconcile of a connection");
        s.blocked = false;
        assert!(s.due().is_some_and(|d| d <= Instant::now()), "at once after it");
        let last = Instant::now();
        s.last = Some(last);
        assert_eq!(s.due(), Some(last + EVERY), "then every interval while idle");
        s.wanted = true;
        assert_eq!(s.due(), Some(last + MIN_GAP), "sooner after events, but not at once");
        s.blocked = true;
        assert_eq!(s.due(), None, "a failure blocks until the next reconcile");
    }
}
