//! Leader election for `theseus sync` replicas, through etcd's election API on a lease.
//!
//! Each replica grants a lease (`ttl`), keeps it alive in the background and campaigns on
//! [`election_name`] (one election for replicas that sync every namespace, one per namespace for
//! those limited to one, so that they never wait on one another): etcd puts one key per candidate under that name, bound to
//! the candidate's lease, and answers the campaign of the oldest one. When the leader dies its
//! keep-alives stop, etcd deletes its key when the lease expires (within `ttl`), and the next
//! candidate's campaign returns. A leader that cannot renew its lease for `ttl` (etcd
//! unreachable) counts itself as deposed, because another replica may be elected by then.

use std::fmt;
use std::time::Duration;

use etcd_client::{Client, LeaderKey, ResignOptions};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::{Driver, Error};

/// A won election. Lost when its lease expires or cannot be renewed for its TTL; given up by
/// [`Leadership::resign`] (or on drop, when the lease is revoked in the background).
pub struct Leadership {
    client: Client,
    leader: LeaderKey,
    lease: i64,
    keeper: JoinHandle<()>,
    lost: watch::Receiver<bool>,
    request_timeout: Duration,
    resigned: bool,
}

impl fmt::Debug for Leadership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Leadership").field("key", &String::from_utf8_lossy(self.leader.key())).finish()
    }
}

impl Leadership {
    /// Completes once the leadership is lost (lease expired, or not renewed for its TTL).
    pub async fn lost(&self) {
        let mut rx = self.lost.clone();
        // An Err means the keeper ended, which happens only once it marked the lease lost.
        let _ = rx.wait_for(|lost| *lost).await;
    }

    /// Whether the leadership is lost already.
    pub fn is_lost(&self) -> bool {
        *self.lost.borrow()
    }

    /// Gives the leadership up: resigns (the next candidate is elected at once) and revokes
    /// the lease.
    pub async fn resign(mut self) -> Result<(), Error> {
        self.resigned = true;
        self.keeper.abort();
        let mut election = self.client.election_client();
        let key = String::from_utf8_lossy(self.leader.key()).into_owned();
        let resign = election.resign(Some(ResignOptions::new().with_leader(self.leader.clone())));
        let _ = tokio::time::timeout(self.request_timeout, resign).await;
        let mut lease = self.client.lease_client();
        match tokio::time::timeout(self.request_timeout, lease.revoke(self.lease)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) if err.to_string().contains("lease not found") => Ok(()),
            Ok(Err(err)) => Err(Error::Request { op: "lease revoke", key, source: super::error::cause(err) }),
            Err(_) => Err(Error::Timeout { op: "lease revoke", key, timeout: self.request_timeout }),
        }
    }
}

impl Drop for Leadership {
    fn drop(&mut self) {
        if self.resigned {
            return;
        }
        self.keeper.abort();
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let mut lease = self.client.lease_client();
            let (id, limit) = (self.lease, self.request_timeout);
            handle.spawn(async move {
                let _ = tokio::time::timeout(limit, lease.revoke(id)).await;
            });
        }
    }
}

/// Renews the lease every TTL/3; marks it lost when etcd says it expired, or when no renewal
/// succeeded for a whole TTL.
async fn keep_alive(client: Client, lease: i64, ttl: Duration, lost: watch::Sender<bool>) {
    let mut leases = client.lease_client();
    let mut renewed = Instant::now();
    loop {
        let attempt = async {
            let (mut keeper, mut stream) = leases.keep_alive(lease).await?;
            keeper.keep_alive().await?;
            Ok::<_, etcd_client::Error>(stream.message().await?.map(|r| r.ttl()))
        };
        match tokio::time::timeout(ttl / 3, attempt).await {
            Ok(Ok(Some(left))) if left > 0 => renewed = Instant::now(),
            Ok(Ok(Some(_))) => {
                let _ = lost.send(true);
                return;
            }
            _ => {}
        }
        if renewed.elapsed() >= ttl {
            let _ = lost.send(true);
            return;
        }
        tokio::time::sleep(ttl / 3).await;
    }
}

/// The election of the replicas that sync `namespace` (`None`: every namespace). etcd keeps the
/// candidates under `<name>/`, so no name may be a prefix of another plus `/`: a namespace's
/// slashes become `:` (not allowed in a namespace segment) under a `-ns` sibling of the
/// all-namespaces name.
pub(crate) fn election_name(all: &str, namespace: Option<&str>) -> String {
    match namespace.map(|n| n.trim_matches('/')).filter(|n| !n.is_empty()) {
        None => all.to_owned(),
        Some(ns) => format!("{all}-ns/{}", ns.replace('/', ":")),
    }
}

impl Driver {
    /// Campaigns in the sync election of `namespace` (see [`election_name`]) with `value` (who
    /// this replica is) on a lease of `ttl` (whole seconds, at least 2); returns once elected.
    /// Waiting has no time limit; drop the future to stop (the lease is revoked, so the
    /// candidacy goes at once).
    pub async fn campaign(&self, value: &str, ttl: Duration, namespace: Option<&str>) -> Result<Leadership, Error> {
        let name = election_name(&self.keys.sync_election(), namespace);
        let ttl = Duration::from_secs(ttl.as_secs().max(2));
        let lease = self
            .call("lease grant", &name, || {
                let mut leases = self.client.lease_client();
                async move { leases.grant(ttl.as_secs() as i64, None).await }
            })
            .await?
            .id();
        let (tx, rx) = watch::channel(false);
        let keeper = tokio::spawn(keep_alive(self.client.clone(), lease, ttl, tx));
        // Built before campaigning, so dropping this future revokes the lease.
        let mut guard = Leadership {
            client: self.client.clone(),
            leader: LeaderKey::new(),
            lease,
            keeper,
            lost: rx,
            request_timeout: self.request_timeout,
            resigned: false,
        };
        let mut election = self.client.election_client();
        let campaign = election.campaign(name.as_str(), value, lease);
        let won = tokio::select! {
            won = campaign => won,
            () = guard.lost() => {
                return Err(Error::Request { op: "campaign", key: name, source: "the candidate's lease expired".into() })
            }
        };
        let mut resp =
            won.map_err(|err| Error::Request { op: "campaign", key: name.clone(), source: super::error::cause(err) })?;
        let Some(leader) = resp.take_leader() else {
            return Err(Error::Request { op: "campaign", key: name, source: "etcd named no leader key".into() });
        };
        guard.leader = leader;
        Ok(guard)
    }

    /// The value of the current sync leader of `namespace` (who it is), if any.
    pub async fn sync_leader(&self, namespace: Option<&str>) -> Result<Option<String>, Error> {
        let name = election_name(&self.keys.sync_election(), namespace);
        let leader = || {
            let (mut election, name) = (self.client.election_client(), name.clone());
            async move { election.leader(name).await }
        };
        match self.call("election leader", &name, leader).await {
            Ok(mut resp) => Ok(resp.take_kv().map(|kv| String::from_utf8_lossy(kv.value()).into_owned())),
            Err(Error::Request { source, .. }) if source.to_string().contains("no leader") => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_election_name_is_another_ones_candidate_prefix() {
        let all = "/r/theseus/sync/leader";
        let names: Vec<String> =
            [None, Some("it"), Some("/team-a/prod/"), Some("team-a"), Some("team-a/leader"), Some("")]
                .into_iter()
                .map(|ns| election_name(all, ns))
                .collect();
        assert_eq!(names[0], all);
        assert_eq!(names[1], "/r/theseus/sync/leader-ns/it");
        assert_eq!(names[2], "/r/theseus/sync/leader-ns/team-a:prod");
        assert_eq!(names[5], all, "an empty namespace is every namespace");
        for a in &names {
            for b in &names {
                assert!(a == b || !b.starts_with(&format!("{a}/")), "{b} sits among {a}'s candidates");
            }
        }
    }
}
