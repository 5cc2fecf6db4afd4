//! Leader election for `theseus sync` replicas, through etcd's election API on a lease.
//!
//! Each replica grants a lease (`ttl`), keeps it alive in the background (lease.rs, the guard
//! group locks use too) and campaigns on [`election_name`] (one election for replicas that
//! sync every namespace, one per namespace for those limited to one, so that they never wait on
//! one another): etcd puts one key per candidate under that name, bound to the candidate's
//! lease, and answers the campaign of the oldest one. When the leader dies its keep-alives
//! stop, etcd deletes its key when the lease expires (within `ttl`), and the next candidate's
//! campaign returns. A leader that cannot renew its lease for `ttl` (etcd unreachable) counts
//! itself as deposed, because another replica may be elected by then; an etcd leader change is
//! not that (the renewals go on through another member).

use std::fmt;
use std::time::Duration;

use etcd_client::{Client, Compare, CompareOp, LeaderKey, ResignOptions};

use super::lease::LeaseGuard;
use super::{Driver, Error};

/// A won election. Lost when its lease is (etcd says it expired, or no renewal was confirmed for
/// its TTL: the rules of src/etcd/lease.rs); given up by [`Leadership::resign`] (or on drop,
/// when the lease is revoked in the background).
pub struct Leadership {
    client: Client,
    leader: LeaderKey,
    lease: LeaseGuard,
    request_timeout: Duration,
}

impl fmt::Debug for Leadership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Leadership").field("key", &String::from_utf8_lossy(self.leader.key())).finish()
    }
}

impl Leadership {
    /// Completes once the leadership is lost (see [`Leadership::lost_reason`]).
    pub async fn lost(&self) {
        self.lease.lost().await;
    }

    /// Whether the leadership is lost already.
    pub fn is_lost(&self) -> bool {
        self.lease.lost_how().is_some()
    }

    /// Why the leadership was lost (which rule fired), once it was.
    pub fn lost_reason(&self) -> Option<String> {
        self.lease.lost_how().map(|how| how.reason())
    }

    /// The compare that holds while this replica leads: its candidate key still exists as its
    /// campaign created it (a key deleted with its lease, or a later campaign's, has another
    /// create revision). Writes only the leader may make carry it.
    pub(super) fn holds(&self) -> Compare {
        Compare::create_revision(self.leader.key(), CompareOp::Equal, self.leader.rev())
    }

    /// The candidate key this replica leads with.
    pub(super) fn key(&self) -> String {
        String::from_utf8_lossy(self.leader.key()).into_owned()
    }

    /// Gives the leadership up: resigns (the next candidate is elected at once) and revokes
    /// the lease.
    pub async fn resign(self) -> Result<(), Error> {
        let mut election = self.client.election_client();
        let resign = election.resign(Some(ResignOptions::new().with_leader(self.leader.clone())));
        let _ = tokio::time::timeout(self.request_timeout, resign).await;
        self.lease.revoke().await
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
    /// Campaigns in the sync election of `namespace` (see `election_name`) with `value` (who
    /// this replica is) on a lease of `ttl` (whole seconds, at least 2); returns once elected.
    /// Waiting has no time limit; drop the future to stop (the lease is revoked, so the
    /// candidacy goes at once).
    pub async fn campaign(&self, value: &str, ttl: Duration, namespace: Option<&str>) -> Result<Leadership, Error> {
        let name = election_name(&self.keys.sync_election(), namespace);
        let lease = LeaseGuard::grant(self, &name, ttl).await?;
        let id = lease.id();
        // Built before campaigning, so dropping this future revokes the lease.
        let mut guard = Leadership {
            client: self.client.clone(),
            leader: LeaderKey::new(),
            lease,
            request_timeout: self.request_timeout,
        };
        let mut election = self.client.election_client();
        let campaign = election.campaign(name.as_str(), value, id);
        let won = tokio::select! {
            won = campaign => won,
            () = guard.lost() => {
                let reason = guard.lost_reason().unwrap_or_default();
                return Err(Error::Request { op: "campaign", key: name, source: format!("the candidate's lease was lost: {reason}").into() })
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
