//! The event stream read without pause, into a set of groups to look at again.
//!
//! The HTTP body of `/v2/events` is read on demand only: while the follower waits on a slow
//! etcd write, the events behind it stay in the socket and would then come out one at a time,
//! each costing a refresh of its own, and a consumer that falls behind long enough is dropped
//! by Marathon (`core/event/impl/stream/HttpEventStreamHandleActor.scala`). So a task of its
//! own reads the stream and adds the groups each event names to an [`Inbox`]; the follower
//! takes every group gathered so far in one go. Memory stays bounded by the number of groups.
//! Each group keeps when its oldest event not yet acted on arrived ([`Inbox::received`]), the
//! start of the event-to-etcd latency.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::marathon::{EventStream, StreamError};

/// How the stream ended.
#[derive(Debug)]
pub enum End {
    /// Marathon closed it.
    Closed,
    /// It broke or went silent.
    Broken(StreamError),
}

#[derive(Debug, Default)]
struct Pending {
    groups: BTreeSet<String>,
    received: BTreeMap<String, Instant>,
    end: Option<End>,
}

#[derive(Debug, Default)]
struct Shared {
    pending: Mutex<Pending>,
    notify: Notify,
}

/// Groups named by the events read so far; the reading task stops when this is dropped.
#[derive(Debug)]
pub struct Inbox {
    shared: Arc<Shared>,
    reader: JoinHandle<()>,
}

impl Inbox {
    /// Starts reading `stream`; `groups_of` names the groups an event concerns.
    pub fn read(mut stream: EventStream, groups_of: fn(&crate::marathon::Event) -> Vec<String>) -> Inbox {
        let shared = Arc::new(Shared::default());
        let writer = shared.clone();
        let reader = tokio::spawn(async move {
            loop {
                let next = stream.next().await;
                let mut pending = writer.pending.lock().unwrap_or_else(PoisonError::into_inner);
                let done = match next {
                    Ok(Some(event)) => {
                        super::metrics::global().event(&event.kind);
                        let now = Instant::now();
                        for group in groups_of(&event) {
                            pending.received.entry(group.clone()).or_insert(now);
                            pending.groups.insert(group);
                        }
                        false
                    }
                    Ok(None) => {
                        pending.end = Some(End::Closed);
                        true
                    }
                    Err(e) => {
                        pending.end = Some(End::Broken(e));
                        true
                    }
                };
                drop(pending);
                writer.notify.notify_one();
                if done {
                    return;
                }
            }
        });
        Inbox { shared, reader }
    }

    /// Waits until something arrived since the last [`Inbox::take`] (at once if it did).
    pub async fn arrived(&self) {
        self.shared.notify.notified().await;
    }

    /// When the oldest event naming `group` since the last call for it arrived; the caller is
    /// about to read the group afresh, which covers every event until now.
    pub fn received(&self, group: &str) -> Option<Instant> {
        self.shared.pending.lock().unwrap_or_else(PoisonError::into_inner).received.remove(group)
    }

    /// Every group gathered so far, and how the stream ended if it did.
    pub fn take(&self) -> (BTreeSet<String>, Option<End>) {
        let mut pending = self.shared.pending.lock().unwrap_or_else(PoisonError::into_inner);
        (std::mem::take(&mut pending.groups), pending.end.take())
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        self.reader.abort();
    }
}
