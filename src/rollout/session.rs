//! The locked session: the one prologue and epilogue of every change to groups.
//!
//! [`Session::open`] takes the etcd locks of the groups (sorted, so two commands never
//! deadlock), then, under them, reads Marathon afresh (another command may have changed the
//! groups while this one waited) and checks that etcd does not record a group for another
//! namespace (exit 2 before any change). A locked body works through [`Session::scope`]: its
//! writes go through [`Scope::write`], which first checks that every lock's lease is still
//! ours, and its waits take [`Session::cancel`], which ends them at once when a lease is lost
//! as well as on Ctrl-C. [`Session::close`] releases the locks.
//!
//! A lost lease (etcd unreachable for longer than the lock's TTL, so another process may hold
//! the lock now) ends the command with exit 6 naming the group: nothing more is written, so
//! no rollback is attempted and a rollout's journal stays in etcd for the next holder
//! (`theseus rollout resume|abort`).

use std::collections::BTreeSet;
use std::future::Future;

use anyhow::Context as _;

use super::live::Snapshot;
use super::scope::Scope;
use crate::error::{ExitStatus, StatusError};
use crate::etcd::{self, GroupLock, JournalState};
use crate::names::GroupKey;
use crate::spec::labels::Selector;

/// What [`Session::open`] does about groups whose etcd record another namespace owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Owners {
    /// Refuse (exit 2) before any change.
    Refuse,
    /// Leave their etcd records alone and carry on (`remove --force`): see [`Session::ours`].
    LeaveAlone,
}

/// The groups' locks, held, and Marathon as read under them.
#[derive(Debug)]
pub(super) struct Session<'a> {
    scope: Scope<'a>,
    locks: Vec<GroupLock>,
    snapshot: Snapshot,
    foreign: BTreeSet<GroupKey>,
}

impl<'a> Session<'a> {
    /// Takes the locks of `keys`, reads their services from Marathon under them and checks
    /// etcd ownership as `owners` says. A lock another process keeps past the lock timeout is
    /// an exit-6 error naming the holder; nothing is changed before this returns.
    pub(super) async fn open(scope: Scope<'a>, keys: &[GroupKey], owners: Owners) -> anyhow::Result<Session<'a>> {
        let mut sorted = keys.to_vec();
        sorted.sort();
        sorted.dedup();
        let mut locks = Vec::with_capacity(sorted.len());
        for key in &sorted {
            let lock = scope
                .etcd
                .lock_group(key, scope.owner, scope.timing.lock_timeout)
                .await
                .with_context(|| format!("locking group `{key}`"));
            match lock {
                Ok(lock) => locks.push(lock),
                Err(err) => {
                    release(locks).await;
                    return Err(err);
                }
            }
        }
        match Self::prologue(scope, &sorted, owners).await {
            Ok((snapshot, foreign)) => Ok(Session { scope, locks, snapshot, foreign }),
            Err(err) => {
                release(locks).await;
                Err(err)
            }
        }
    }

    /// Marathon read under the locks, then every owner checked.
    async fn prologue(
        scope: Scope<'a>,
        keys: &[GroupKey],
        owners: Owners,
    ) -> anyhow::Result<(Snapshot, BTreeSet<GroupKey>)> {
        let mut services: Vec<String> = keys.iter().map(|k| k.service().to_owned()).collect();
        services.dedup();
        let snapshot =
            Snapshot::read(scope.marathon, scope.namespace, &services, &Selector::default()).await.with_context(
                || format!("reading the groups under `/{}` from Marathon under their locks", scope.namespace),
            )?;
        let mut foreign = BTreeSet::new();
        for key in keys {
            match scope.etcd.check_owner(key, scope.namespace).await {
                Ok(()) => {}
                Err(etcd::Error::Foreign { owner, .. }) if owners == Owners::LeaveAlone => {
                    tracing::warn!(target: "theseus::rollout", "leaving `{key}` in etcd to namespace `{owner}`");
                    foreign.insert(key.clone());
                }
                Err(e @ etcd::Error::Foreign { .. }) => return Err(e.into()),
                Err(e) => return Err(anyhow::Error::new(e).context("reading etcd")),
            }
        }
        Ok((snapshot, foreign))
    }

    /// Refuses (exit 6) a change of `key` while its rollout is journaled as paused (a canary
    /// awaiting promotion, `rollout pause`): only `theseus rollout resume|promote|abort` goes on
    /// from there, so that a re-run CI job never promotes a canary by accident.
    pub(super) async fn refuse_paused(&self, key: &GroupKey) -> anyhow::Result<()> {
        let journal = self
            .scope
            .etcd
            .get_rollout(key)
            .await
            .with_context(|| format!("reading the rollout journal of `{key}`"))?;
        let Some(journal) = journal.filter(|j| j.state == JournalState::Paused) else { return Ok(()) };
        let (why, by, since) = match &journal.hold {
            Some(h) => (h.reason.as_str(), h.by.as_str(), h.since.as_str()),
            None => ("paused", journal.owner.as_str(), journal.updated_at.as_str()),
        };
        let group = format!("{}/{}", key.service(), key.group());
        Err(StatusError {
            status: ExitStatus::Locked,
            message: format!(
                "`{group}` is paused ({why}, by {by} since {since}): its {} to {} holds the group",
                journal.kind, journal.to.revision
            ),
            hint: Some(format!(
                "`theseus rollout promote {group}` (or `resume`) goes on with it, `theseus rollout abort {group}` \
                 rolls it back; `theseus rollout status {group}` shows it"
            )),
        }
        .into())
    }

    /// Marathon as read under the locks.
    pub(super) fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Whether `key`'s etcd record (if any) is this namespace's to change: false only for a
    /// record left alone by [`Owners::LeaveAlone`].
    pub(super) fn ours(&self, key: &GroupKey) -> bool {
        !self.foreign.contains(key)
    }

    /// Where the locked body works: writes through [`Scope::write`] check these locks' leases.
    pub(super) fn scope(&self) -> Scope<'_> {
        self.scope.locked(&self.locks)
    }

    /// `interrupt` (Ctrl-C), or the loss of any lease, whichever comes first: the cancellation
    /// every wait of the locked body takes.
    pub(super) fn cancel<'s>(&'s self, interrupt: impl Future<Output = ()> + 's) -> impl Future<Output = ()> + 's {
        async move {
            let interrupt = std::pin::pin!(interrupt);
            if self.locks.is_empty() {
                return interrupt.await;
            }
            let lost = futures::future::select_all(self.locks.iter().map(|l| Box::pin(l.lost())));
            futures::future::select(interrupt, lost).await;
        }
    }

    /// The body's error, or exit 6 naming the lost lease if one was lost meanwhile (settled by
    /// [`Scope::confirm`]: a failure may come from etcd being out of reach): the body stopped
    /// because its lock is no longer ours, whatever it was doing then.
    pub(super) async fn verdict<T>(&self, result: anyhow::Result<T>) -> anyhow::Result<T> {
        let err = match result {
            Ok(done) => return Ok(done),
            Err(err) => err,
        };
        match self.scope().confirm().await {
            Ok(()) => Err(err),
            Err(lost) => {
                tracing::debug!(target: "theseus::rollout", "stopped by the lost lease: {err:#}");
                Err(lease_lost(&lost).into())
            }
        }
    }

    /// Releases the locks still ours; a lost one is only dropped (its lease is gone, or etcd
    /// is out of reach: either way the lock frees itself).
    pub(super) async fn close(self) {
        release(self.locks).await;
    }

    /// Runs `body` under the session and closes it: the body's result with [`Session::verdict`].
    pub(super) async fn run<T>(self, body: impl AsyncFnOnce(&Session<'a>) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let result = body(&self).await;
        let result = self.verdict(result).await;
        self.close().await;
        result
    }
}

/// Releases the locks whose lease is still ours, now.
async fn release(locks: Vec<GroupLock>) {
    for lock in locks {
        if lock.check().is_ok() {
            let _ = lock.release().await;
        }
    }
}

/// The exit-6 error of a lost lease (`lost` is the [`etcd::Error::LockLost`] that says which and
/// why): nothing more was written, and a rollout's journal stays for the next holder.
pub(super) fn lease_lost(lost: &etcd::Error) -> StatusError {
    StatusError {
        status: ExitStatus::Locked,
        message: format!("{lost}; stopped without another change (no rollback without the lock)"),
        hint: Some(
            "another theseus may hold the lock now; once etcd is reachable, `theseus rollout status` shows a \
             journaled rollout and `theseus rollout resume` or `abort` finishes it"
                .into(),
        ),
    }
}
