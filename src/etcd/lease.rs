//! A lease kept alive in the background: the one guard behind group locks ([`super::GroupLock`])
//! and the sync election ([`super::Leadership`]).
//!
//! [`LeaseGuard::grant`] grants a lease of a TTL (whole seconds, at least 2) and renews it every
//! TTL/3 on one keep-alive stream, which is opened again (through etcd-client's balanced
//! channel, so on another member when one died) whenever it breaks. The lease counts as lost
//! by the stricter of two rules: etcd answers that it expired, or no renewal was confirmed for
//! a whole TTL (etcd unreachable: by then etcd may have let it expire and another holder may
//! have the lock or the leadership). A leader change is not a loss: the new leader keeps every
//! lease alive for at least a TTL, and the renewals go on through another member.
//!
//! Revoked by [`LeaseGuard::revoke`], or in the background on drop; a process that dies leaves
//! it to expire after its TTL.

use std::time::Duration;

use etcd_client::{Client, LeaseKeepAliveStream, LeaseKeeper};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::error::{self, Error};
use super::Driver;

/// How a lease was lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lost {
    /// etcd answered a renewal with "expired" (TTL 0).
    Expired,
    /// No renewal was confirmed for this long (at least the TTL).
    NotRenewed(Duration),
}

impl Lost {
    /// The rule that fired, for [`Error::LockLost`] and the sync loop's notes.
    pub(super) fn reason(&self) -> String {
        match self {
            Lost::Expired => "etcd says its lease expired".to_owned(),
            Lost::NotRenewed(ttl) => format!(
                "no renewal of its lease was confirmed for {} (its TTL), so etcd may have let it expire",
                humantime::format_duration(*ttl)
            ),
        }
    }
}

/// A granted lease, renewed in the background until revoked or dropped.
pub(super) struct LeaseGuard {
    driver: Driver,
    id: i64,
    /// The key the lease is for, for errors and logs.
    key: String,
    keeper: JoinHandle<()>,
    lost: watch::Receiver<Option<Lost>>,
    revoked: bool,
}

impl LeaseGuard {
    /// Grants a lease of `ttl` (rounded down to whole seconds, at least 2) for `key` and starts
    /// renewing it.
    pub(super) async fn grant(driver: &Driver, key: &str, ttl: Duration) -> Result<LeaseGuard, Error> {
        let ttl = Duration::from_secs(ttl.as_secs().max(2));
        // etcd counts the TTL from when it took the grant, so no later than this.
        let sent = Instant::now();
        let id = driver
            .call("lease grant", key, || {
                let mut leases = driver.client.lease_client();
                async move { leases.grant(ttl.as_secs() as i64, None).await }
            })
            .await?
            .id();
        let (tx, rx) = watch::channel(None);
        let keeper = tokio::spawn(keep_alive(driver.client.clone(), id, ttl, sent, tx));
        Ok(LeaseGuard { driver: driver.clone(), id, key: key.to_owned(), keeper, lost: rx, revoked: false })
    }

    /// The lease id.
    pub(super) fn id(&self) -> i64 {
        self.id
    }

    /// How it was lost, if it was.
    pub(super) fn lost_how(&self) -> Option<Lost> {
        self.lost.borrow().clone()
    }

    /// Completes once the lease is lost.
    pub(super) async fn lost(&self) {
        let mut rx = self.lost.clone();
        // An Err means the keeper ended, which happens only once it marked the lease lost (or
        // was aborted by a revoke, which consumes the guard first).
        let _ = rx.wait_for(Option::is_some).await;
    }

    /// Revokes the lease now (every key bound to it goes). A lease already gone is fine.
    pub(super) async fn revoke(mut self) -> Result<(), Error> {
        self.revoked = true;
        self.keeper.abort();
        let id = self.id;
        let revoked = self
            .driver
            .call("lease revoke", &self.key, || {
                let mut leases = self.driver.client.lease_client();
                async move { leases.revoke(id).await }
            })
            .await;
        match revoked {
            Err(Error::Request { source, .. }) if source.to_string().contains("lease not found") => Ok(()),
            other => other.map(drop),
        }
    }
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        self.keeper.abort();
        if self.revoked {
            return;
        }
        // Best effort: if the runtime ends first, the lease expires on its own.
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let mut leases = self.driver.client.lease_client();
            let (id, limit) = (self.id, self.driver.request_timeout);
            handle.spawn(async move {
                let _ = tokio::time::timeout(limit, leases.revoke(id)).await;
            });
        }
    }
}

/// One renewal on the open keep-alive stream (opened first if there is none): the TTL etcd
/// answers (0: expired).
async fn renew(
    client: &Client,
    id: i64,
    stream: &mut Option<(LeaseKeeper, LeaseKeepAliveStream)>,
) -> Result<Option<i64>, etcd_client::Error> {
    if stream.is_none() {
        *stream = Some(client.lease_client().keep_alive(id).await?);
    }
    let Some((keeper, answers)) = stream.as_mut() else { return Ok(None) };
    keeper.keep_alive().await?;
    Ok(answers.message().await?.map(|r| r.ttl()))
}

/// Renews the lease every TTL/3 until aborted; on a failed renewal, opens the stream again
/// after a short pause (another member answers when one died). Marks the lease lost, and
/// ends, by the rules of the module doc. `renewed` is when the last renewal etcd confirmed was
/// sent (at first, the grant): etcd took it no earlier, so the lease lives at most a TTL past it.
async fn keep_alive(client: Client, id: i64, ttl: Duration, mut renewed: Instant, lost: watch::Sender<Option<Lost>>) {
    let mut stream = None;
    loop {
        let sent = Instant::now();
        match tokio::time::timeout(ttl / 3, renew(&client, id, &mut stream)).await {
            Ok(Ok(Some(left))) if left > 0 => {
                renewed = sent;
                tokio::time::sleep(ttl / 3).await;
                continue;
            }
            Ok(Ok(Some(_))) => {
                let _ = lost.send(Some(Lost::Expired));
                return;
            }
            Ok(Err(err)) if error::failure(&err) == error::Failure::Final && err.to_string().contains("not found") => {
                let _ = lost.send(Some(Lost::Expired));
                return;
            }
            // The stream broke, timed out or ended: open it again.
            other => {
                tracing::debug!(target: "theseus::etcd", "lease {id:x} not renewed ({other:?}); reconnecting");
                stream = None;
            }
        }
        if renewed.elapsed() >= ttl {
            let _ = lost.send(Some(Lost::NotRenewed(ttl)));
            return;
        }
        tokio::time::sleep(Duration::from_millis(100).min(ttl / 10)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_names_the_rule_that_fired() {
        assert_eq!(Lost::Expired.reason(), "etcd says its lease expired");
        let text = Lost::NotRenewed(Duration::from_secs(10)).reason();
        assert!(text.starts_with("no renewal of its lease was confirmed for 10s"), "{text}");
    }
}
