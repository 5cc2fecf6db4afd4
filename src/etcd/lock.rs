//! Per-group locks on an etcd lease, so that two rollouts never act on one group at once.
//!
//! The lock is the key `<root>/theseus/locks/<service>/<group>`, created with a transaction
//! `create_revision == 0` and bound to a lease that a background task keeps alive (lease.rs,
//! shared with the sync election). Its value records who holds it, so a waiter can say so. A
//! waiter watches the key for its deletion and retries until its timeout. When the holder dies,
//! keep-alives stop and etcd deletes the key when the lease expires (after at most its TTL).

use std::fmt;
use std::future::Future;
use std::time::Duration;

use etcd_client::{Compare, CompareOp, EventType, PutOptions, Txn, TxnOp, TxnOpResponse, WatchOptions};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::lease::LeaseGuard;
use super::{Driver, Error};
use crate::names::GroupKey;

/// The lease TTL of a group lock unless chosen otherwise: how long a dead holder's lock lasts.
pub const DEFAULT_LOCK_TTL: Duration = Duration::from_secs(10);

/// The value of a lock key.
#[derive(Debug, Serialize, Deserialize)]
struct LockValue {
    owner: String,
    acquired_at: String,
    pid: u32,
}

/// A readable description of a lock value's holder.
pub(super) fn holder_of(value: &[u8]) -> String {
    match serde_json::from_slice::<LockValue>(value) {
        Ok(v) => format!("`{}` (pid {}, since {})", v.owner, v.pid, v.acquired_at),
        Err(_) => format!("`{}`", String::from_utf8_lossy(value)),
    }
}

/// A held group lock. Released by [`GroupLock::release`] (preferred: it waits for etcd), on
/// drop (best effort, in the background), or by lease expiry if the process dies. It is lost
/// when its lease is (the rules of src/etcd/lease.rs): [`GroupLock::check`] and
/// [`GroupLock::lost`] say so.
pub struct GroupLock {
    service: String,
    group: String,
    owner: String,
    key: String,
    lease: LeaseGuard,
}

impl fmt::Debug for GroupLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupLock")
            .field("service", &self.service)
            .field("group", &self.group)
            .field("owner", &self.owner)
            .field("lease", &format_args!("{:x}", self.lease.id()))
            .finish()
    }
}

impl GroupLock {
    /// The service whose group is locked.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The locked group (encoded labels).
    pub fn group(&self) -> &str {
        &self.group
    }

    /// Who holds it (as given to [`Driver::lock_group`]).
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Fails with [`Error::LockLost`] (exit 6) once the lock is lost: etcd said its lease
    /// expired, or no renewal was confirmed for a whole TTL (etcd unreachable); the reason says
    /// which. Check before each irreversible step.
    pub fn check(&self) -> Result<(), Error> {
        match self.lease.lost_how() {
            Some(how) => {
                Err(Error::LockLost { service: self.service.clone(), group: self.group.clone(), reason: how.reason() })
            }
            None => Ok(()),
        }
    }

    /// Completes once the lock is lost (then [`GroupLock::check`] fails); never while it holds.
    pub fn lost(&self) -> impl Future<Output = ()> + '_ {
        self.lease.lost()
    }

    /// Releases the lock now: revokes its lease, which deletes the lock key.
    pub async fn release(self) -> Result<(), Error> {
        self.lease.revoke().await
    }
}

pub(super) async fn acquire(
    driver: &Driver,
    service: &str,
    group: &str,
    owner: &str,
    timeout: Duration,
    ttl: Duration,
) -> Result<GroupLock, Error> {
    let key = driver.keys.group_lock(service, group);
    let lease = LeaseGuard::grant(driver, &key, ttl).await?;
    let lock = GroupLock {
        service: service.to_owned(),
        group: group.to_owned(),
        owner: owner.to_owned(),
        key: key.clone(),
        lease,
    };
    // On failure `lock` drops, which revokes the lease (and so any half-made state).
    wait_for(driver, &lock, timeout).await?;
    Ok(lock)
}

async fn wait_for(driver: &Driver, lock: &GroupLock, timeout: Duration) -> Result<(), Error> {
    let start = Instant::now();
    let deadline = start + timeout;
    let key = lock.key.as_str();
    loop {
        let value = serde_json::to_vec(&LockValue {
            owner: lock.owner.clone(),
            acquired_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            pid: std::process::id(),
        })
        .unwrap_or_default();
        let txn = Txn::new()
            .when([Compare::create_revision(key, CompareOp::Equal, 0)])
            .and_then([TxnOp::put(key, value, Some(PutOptions::new().with_lease(lock.lease.id())))])
            .or_else([TxnOp::get(key, None)]);
        let resp = driver.txn(key, txn).await?;
        if resp.succeeded() {
            return Ok(());
        }
        let revision = resp.header().map_or(0, |h| h.revision());
        let held = resp.op_responses().into_iter().find_map(|r| match r {
            TxnOpResponse::Get(g) => g.kvs().first().map(|kv| (kv.lease(), holder_of(kv.value()))),
            _ => None,
        });
        // The key on our own lease: this transaction, sent again after a leader change, had
        // taken the lock the first time.
        if held.as_ref().is_some_and(|(lease, _)| *lease == lock.lease.id()) {
            return Ok(());
        }
        let holder = held.map(|(_, holder)| holder);
        let Some(holder) = holder else { continue }; // deleted in between: try again
        if Instant::now() >= deadline {
            return Err(locked(lock, holder, start));
        }
        // Wait for the holder's key to go, from the revision we saw it at.
        let opts = WatchOptions::new().with_start_revision(revision + 1);
        let mut stream = driver
            .call("watch", key, || {
                let (mut watch, opts) = (driver.client.watch_client(), opts.clone());
                async move { watch.watch(key, Some(opts)).await }
            })
            .await?;
        let deleted = async {
            loop {
                match stream.message().await {
                    Ok(Some(resp)) if resp.events().iter().any(|e| e.event_type() == EventType::Delete) => {
                        return Ok(())
                    }
                    Ok(Some(resp)) if resp.canceled() => {
                        return Err(format!("watch canceled: {}", resp.cancel_reason()))
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => return Err("watch stream ended".to_owned()),
                    Err(err) => return Err(err.to_string()),
                }
            }
        };
        let outcome = tokio::select! {
            r = deleted => Some(r),
            () = tokio::time::sleep_until(deadline) => None,
        };
        drop(stream); // closing the gRPC stream cancels its watch
        match outcome {
            Some(Ok(())) => continue,
            // The watch broke (its member died, a leader change): read the lock again.
            Some(Err(reason)) => {
                tracing::debug!(target: "theseus::etcd", "watch `{key}` ended ({reason}); reading the lock again");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            None => return Err(locked(lock, holder, start)),
        }
    }
}

fn locked(lock: &GroupLock, holder: String, start: Instant) -> Error {
    Error::Locked { service: lock.service.clone(), group: lock.group.clone(), holder, waited: start.elapsed() }
}

impl Driver {
    /// Takes the group's lock for `owner` (recorded, shown to whoever waits), waiting up to
    /// `timeout`. The lock lives on a lease of [`Options::lock_ttl`](super::Options::lock_ttl) kept alive in the
    /// background; it is released by [`GroupLock::release`], on drop, or when the holder
    /// dies and the lease expires. Waiting past `timeout` is [`Error::Locked`] (exit 6).
    pub async fn lock_group(&self, id: &GroupKey, owner: &str, timeout: Duration) -> Result<GroupLock, Error> {
        self.lock_group_with_ttl(id, owner, timeout, self.lock_ttl).await
    }

    /// [`Driver::lock_group`] with a chosen lease TTL (whole seconds, at least 2).
    pub async fn lock_group_with_ttl(
        &self,
        id: &GroupKey,
        owner: &str,
        timeout: Duration,
        ttl: Duration,
    ) -> Result<GroupLock, Error> {
        let (service, group) = (id.service(), id.group());
        acquire(self, service, group, owner, timeout, ttl).await
    }

    /// Who holds the group's lock, if anyone.
    pub async fn group_lock_holder(&self, id: &GroupKey) -> Result<Option<String>, Error> {
        let (service, group) = (id.service(), id.group());
        let key = self.keys.group_lock(service, group);
        Ok(self.get_value(&key).await?.map(|v| holder_of(&v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_are_described() {
        let v = serde_json::to_vec(&LockValue { owner: "ci-42".into(), acquired_at: "T".into(), pid: 7 }).unwrap();
        assert_eq!(holder_of(&v), "`ci-42` (pid 7, since T)");
        assert_eq!(holder_of(b"raw"), "`raw`");
    }
}
