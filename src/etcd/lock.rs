//! Per-group locks on an etcd lease, so that two rollouts never act on one group at once.
//!
//! The lock is the key `<root>/theseus/locks/<service>/<group>`, created with a transaction
//! `create_revision == 0` and bound to a lease that a background task keeps alive. Its value
//! records who holds it, so a waiter can say so. A waiter watches the key for its deletion and
//! retries until its timeout. When the holder dies, keep-alives stop and etcd deletes the key
//! when the lease expires (after at most its TTL).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use etcd_client::{Client, Compare, CompareOp, EventType, PutOptions, Txn, TxnOp, TxnOpResponse, WatchOptions};
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::{Driver, Error};

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
/// drop (best effort, in the background), or by lease expiry if the process dies.
pub struct GroupLock {
    client: Client,
    service: String,
    group: String,
    owner: String,
    key: String,
    lease: i64,
    keeper: JoinHandle<()>,
    lost: Arc<AtomicBool>,
    /// When the last keep-alive etcd answered was sent: the lease lives at most its TTL past it.
    renewed: Arc<Mutex<Instant>>,
    ttl: Duration,
    request_timeout: Duration,
    released: bool,
}

impl fmt::Debug for GroupLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupLock")
            .field("service", &self.service)
            .field("group", &self.group)
            .field("owner", &self.owner)
            .field("lease", &format_args!("{:x}", self.lease))
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

    /// Fails with [`Error::LockLost`] if the lease behind the lock expired (for example after
    /// etcd was unreachable for longer than the TTL); check before each irreversible step.
    pub fn check(&self) -> Result<(), Error> {
        let reason = if self.lost.load(Ordering::Relaxed) {
            "its lease expired".to_owned()
        } else if self.renewed.lock().map_or(true, |at| at.elapsed() >= self.ttl) {
            // etcd expires the lease a TTL after the last renewal it took, reachable or not.
            format!("its lease expired: not renewed for its TTL ({})", humantime::format_duration(self.ttl))
        } else {
            return Ok(());
        };
        Err(Error::LockLost { service: self.service.clone(), group: self.group.clone(), reason })
    }

    /// Completes once [`GroupLock::check`] fails: the lease is lost (polled every TTL/20, at
    /// most every 100 ms).
    pub fn lost(&self) -> impl std::future::Future<Output = ()> + '_ {
        let every = (self.ttl / 20).min(Duration::from_millis(100));
        async move {
            while self.check().is_ok() {
                tokio::time::sleep(every).await;
            }
        }
    }

    /// Releases the lock now: revokes its lease, which deletes the lock key.
    pub async fn release(mut self) -> Result<(), Error> {
        self.released = true;
        self.keeper.abort();
        let mut lease = self.client.lease_client();
        // Revoking is idempotent: a request a dead cluster member did not take is sent again.
        let revoke = async {
            loop {
                match lease.revoke(self.lease).await {
                    Err(err) if super::error::not_taken(&err, true) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    other => return other,
                }
            }
        };
        match tokio::time::timeout(self.request_timeout, revoke).await {
            Ok(Ok(_)) => Ok(()),
            // The lease is already gone: so is the lock.
            Ok(Err(err)) if err.to_string().contains("lease not found") => Ok(()),
            Ok(Err(err)) => {
                Err(Error::Request { op: "lease revoke", key: self.key.clone(), source: super::error::cause(err) })
            }
            Err(_) => Err(Error::Timeout { op: "lease revoke", key: self.key.clone(), timeout: self.request_timeout }),
        }
    }
}

impl Drop for GroupLock {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        self.keeper.abort();
        // Best effort: if the runtime ends first, the lease expires on its own.
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let mut lease = self.client.lease_client();
            let (id, limit) = (self.lease, self.request_timeout);
            handle.spawn(async move {
                let _ = tokio::time::timeout(limit, lease.revoke(id)).await;
            });
        }
    }
}

/// Keeps the lease alive every TTL/3 until aborted; sets `lost` once etcd says it is gone, and
/// `renewed` to when each renewal etcd took was sent.
async fn keep_alive(client: Client, lease: i64, ttl: Duration, lost: Arc<AtomicBool>, renewed: Arc<Mutex<Instant>>) {
    let mut tick = tokio::time::interval(ttl / 3);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut leases = client.lease_client();
    loop {
        // (Re)open the keep-alive stream; a broken connection is retried on the next tick.
        tick.tick().await;
        let Ok((mut keeper, mut stream)) = leases.keep_alive(lease).await else { continue };
        loop {
            let sent = Instant::now();
            if keeper.keep_alive().await.is_err() {
                break;
            }
            match stream.message().await {
                Ok(Some(resp)) if resp.ttl() > 0 => {
                    if let Ok(mut at) = renewed.lock() {
                        *at = sent;
                    }
                }
                Ok(Some(_)) => {
                    lost.store(true, Ordering::Relaxed);
                    return;
                }
                _ => break,
            }
            tick.tick().await;
        }
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
    let ttl = Duration::from_secs(ttl.as_secs().max(2));
    // The lease lives at least a TTL from before its grant was sent.
    let granted = Instant::now();
    let lease = driver
        .call("lease grant", &key, || {
            let mut leases = driver.client.lease_client();
            async move { leases.grant(ttl.as_secs() as i64, None).await }
        })
        .await?
        .id();
    let lost = Arc::new(AtomicBool::new(false));
    let renewed = Arc::new(Mutex::new(granted));
    let keeper = tokio::spawn(keep_alive(driver.client.clone(), lease, ttl, lost.clone(), renewed.clone()));
    let lock = GroupLock {
        client: driver.client.clone(),
        service: service.to_owned(),
        group: group.to_owned(),
        owner: owner.to_owned(),
        key: key.clone(),
        lease,
        keeper,
        lost,
        renewed,
        ttl,
        request_timeout: driver.request_timeout,
        released: false,
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
            .and_then([TxnOp::put(key, value, Some(PutOptions::new().with_lease(lock.lease)))])
            .or_else([TxnOp::get(key, None)]);
        let resp = driver.txn(key, txn).await?;
        if resp.succeeded() {
            return Ok(());
        }
        let revision = resp.header().map_or(0, |h| h.revision());
        let holder = resp.op_responses().into_iter().find_map(|r| match r {
            TxnOpResponse::Get(g) => g.kvs().first().map(|kv| holder_of(kv.value())),
            _ => None,
        });
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
            Some(Err(reason)) => {
                return Err(Error::Request { op: "watch", key: key.to_owned(), source: reason.into() });
            }
            None => return Err(locked(lock, holder, start)),
        }
    }
}

fn locked(lock: &GroupLock, holder: String, start: Instant) -> Error {
    Error::Locked { service: lock.service.clone(), group: lock.group.clone(), holder, waited: start.elapsed() }
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
