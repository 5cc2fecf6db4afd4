//! The inbox of a running rollout: requests from `theseus rollout pause|resume|promote|abort`
//! in any shell reach the process running the rollout through one etcd key beside its journal
//! ([`crate::etcd::Keys::control`]). The process watches that key (an etcd watch, with a
//! re-read every few seconds in case a watch event is lost) and obeys a request at its next safe
//! point: an abort at once (it ends every wait, then the rollout rolls back), a pause before the
//! next batch, a promotion when the canary's gates pass (with `--full`, at once). Each request
//! carries an id; the process records the request it obeyed in the journal
//! ([`crate::etcd::Journal::obeyed`]), which is how the sender knows it was obeyed, and never
//! obeys one id twice.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use crate::etcd::{ControlAction, ControlRequest, Driver, Journal};
use crate::names::GroupKey;

/// How often the inbox re-reads its key when no watch event came.
const REREAD: Duration = Duration::from_secs(5);

/// The control requests of one group's rollout.
#[derive(Debug)]
pub(super) struct Inbox<'a> {
    etcd: &'a Driver,
    key: GroupKey,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Ids already taken from the inbox.
    taken: BTreeSet<String>,
    /// A request taken by the abort watcher that is not an abort: kept for the next safe point.
    kept: Option<ControlRequest>,
    /// The abort request, once one came.
    abort: Option<ControlRequest>,
    /// The key was just read ([`Inbox::prefetch`]) and found nothing new: the next
    /// [`Inbox::poll`] need not read it again.
    fresh: bool,
}

impl<'a> Inbox<'a> {
    /// The inbox of `key`'s rollout, taking every request found.
    fn new(etcd: &'a Driver, key: GroupKey) -> Self {
        Inbox { etcd, key, state: Mutex::new(State::default()) }
    }

    /// The inbox of `key`'s rollout for a run that starts now: a request left in etcd by an
    /// earlier run was answered by it (or by nobody: its sender gave up), so it is not taken.
    pub(super) async fn open(etcd: &'a Driver, key: GroupKey) -> Self {
        let inbox = Inbox::new(etcd, key);
        if let Ok(Some(left)) = etcd.get_control(&inbox.key).await {
            if let Ok(mut s) = inbox.state.lock() {
                s.taken.insert(left.id);
            }
        }
        inbox
    }

    /// The abort request, if one came.
    pub(super) fn aborted(&self) -> Option<ControlRequest> {
        self.state.lock().ok().and_then(|s| s.abort.clone())
    }

    /// A request not taken yet, if one waits: kept by the abort watcher, else read from etcd
    /// now. An abort is also recorded as [`Inbox::aborted`].
    pub(super) async fn poll(&self) -> Option<ControlRequest> {
        if let Some(kept) = self.state.lock().ok().and_then(|mut s| s.kept.take()) {
            return Some(kept);
        }
        let request = self.etcd.get_control(&self.key).await.ok().flatten()?;
        let mut s = self.state.lock().ok()?;
        if !s.taken.insert(request.id.clone()) {
            return None;
        }
        if request.action == ControlAction::Abort {
            s.abort = Some(request.clone());
        }
        Some(request)
    }

    /// The request a safe point obeys, if one waits: [`Inbox::poll`], answered without a read
    /// of its own when [`Inbox::prefetch`] just read the key and found nothing.
    pub(super) async fn at_safe_point(&self) -> Option<ControlRequest> {
        if let Ok(mut s) = self.state.lock() {
            let fresh = std::mem::take(&mut s.fresh);
            if let Some(kept) = s.kept.take() {
                return Some(kept);
            }
            if fresh {
                return None;
            }
        }
        self.poll().await
    }

    /// Reads the key ahead of a safe point that follows at once (a rolling update reads it
    /// while it registers a batch and kills the old tasks, not after): a request found is kept
    /// for that point, and if none is, the point's [`Inbox::at_safe_point`] answers from this
    /// read. A request written later still reaches a later safe point, or ends the waits if it
    /// is an abort: the watcher reads the key on its own ([`Inbox::poll`] ignores this read).
    pub(super) async fn prefetch(&self) {
        let found = self.poll().await;
        if let Ok(mut s) = self.state.lock() {
            match found {
                Some(request) => s.kept = s.kept.take().or(Some(request)),
                None => s.fresh = true,
            }
        }
    }

    /// Waits for a request not taken yet: on the etcd watch of the key, re-read every
    /// [`REREAD`] all the same (a watch event can be lost with an etcd member), every second
    /// while no watch can be made.
    pub(super) async fn next(&self) -> ControlRequest {
        let mut watch = None;
        loop {
            // Watch first, then read: a request written in between is in the read or an event.
            if watch.is_none() {
                watch = self.etcd.watch_control(&self.key).await.ok();
            }
            if let Some(request) = self.poll().await {
                return request;
            }
            match watch.as_mut() {
                Some(w) => {
                    if let Ok(Err(_)) = tokio::time::timeout(REREAD, w.changed()).await {
                        watch = None;
                    }
                }
                None => tokio::time::sleep(Duration::from_secs(1)).await,
            }
        }
    }

    /// Completes when an abort request comes; any other request that comes meanwhile is kept
    /// for the next safe point ([`Inbox::poll`]). Part of every wait's cancellation.
    pub(super) async fn abort(&self) -> ControlRequest {
        loop {
            if let Some(abort) = self.aborted() {
                return abort;
            }
            let request = self.next().await;
            if request.action == ControlAction::Abort {
                return request;
            }
            if let Ok(mut s) = self.state.lock() {
                s.kept = Some(request);
            }
        }
    }
}

/// What became of a control request sent to a running rollout ([`ask`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The rollout obeyed it, and its journal now reads as `done` wanted.
    Obeyed(Journal),
    /// The journal is gone (the rollout ended); `obeyed` says whether it was seen obeying
    /// first, `last` is the journal as last read (what the rollout was rolling).
    Ended {
        /// Whether the rollout was seen recording the request as obeyed before its journal went.
        obeyed: bool,
        /// The journal as last read.
        last: Option<Journal>,
    },
    /// Another request replaced this one before the rollout took it.
    Superseded(ControlRequest),
    /// Nobody holds the group's lock and the request was not obeyed: no process runs it.
    NobodyRuns,
    /// Not obeyed within the timeout.
    TimedOut,
}

/// A fresh request to the running rollout of a group.
pub fn request(action: ControlAction, full: bool, by: &str) -> ControlRequest {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    ControlRequest {
        id: format!("{nanos:x}-{:x}", std::process::id()),
        action,
        full,
        by: by.to_owned(),
        at: super::journal::now(),
    }
}

/// Sends `request` to the process running `key`'s rollout and waits (up to `timeout`) until it
/// has obeyed and its journal satisfies `done`, or the journal is gone, or it cannot be obeyed
/// (replaced by another request, nobody runs the rollout).
pub async fn ask(
    etcd: &Driver,
    key: &GroupKey,
    request: &ControlRequest,
    timeout: Duration,
    done: impl Fn(&Journal) -> bool,
) -> Result<Answer, crate::etcd::Error> {
    etcd.put_control(key, request).await?;
    let give_up = tokio::time::Instant::now() + timeout;
    let mut obeyed = false;
    let mut polls = 0u32;
    let mut last = None;
    loop {
        let Some(journal) = etcd.get_rollout(key).await? else { return Ok(Answer::Ended { obeyed, last }) };
        last = Some(journal.clone());
        obeyed |= journal.obeyed.as_ref().is_some_and(|o| o.id == request.id);
        if obeyed && done(&journal) {
            return Ok(Answer::Obeyed(journal));
        }
        if !obeyed {
            if let Some(other) = etcd.get_control(key).await?.filter(|r| r.id != request.id) {
                return Ok(Answer::Superseded(other));
            }
            if etcd.group_lock_holder(key).await?.is_none() {
                // The running process may have ended between two reads: read the journal once
                // more before saying nobody runs it.
                let again = etcd.get_rollout(key).await?;
                let took = again.as_ref().and_then(|j| j.obeyed.as_ref()).is_some_and(|o| o.id == request.id);
                if !took {
                    let _ = etcd.delete_control(key).await;
                    return Ok(match again {
                        Some(_) => Answer::NobodyRuns,
                        None => Answer::Ended { obeyed: false, last },
                    });
                }
                obeyed = true;
            }
        }
        if tokio::time::Instant::now() >= give_up {
            return Ok(Answer::TimedOut);
        }
        polls = polls.saturating_add(1);
        tokio::time::sleep(super::gate::poll_delay(Duration::from_millis(500), polls)).await;
    }
}
