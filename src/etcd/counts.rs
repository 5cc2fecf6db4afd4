//! `view`'s registration counts: how many containers each shown group has registered, and the
//! namespace its config records, without reading one container's key.
//!
//! etcd answers a count-only range from its in-memory index, while any range that returns keys
//! (keys only too) reads each key's record from the backend: over 10,000 containers (26,000
//! keys) the count-only reads of 2,000 groups cost a fraction of one keys-only read of
//! `/services`. So the groups to count are the ones Marathon's answer shows, each counted by
//! two reads: its config (the one value read, for its namespace) and the keys under its
//! `containers/` (count only). The group marker is not read: every write under a group is
//! guarded by its marker and removing the marker removes the subtree in the same transaction,
//! so keys under a group exist only while its marker does (a third read per group cost a third
//! more). The reads of up to [`GROUPS_PER_TXN`] groups are one transaction, sent as soon as its
//! groups are named (`view` names them while Marathon's answer streams in), all at one
//! revision: one consistent snapshot.

use std::collections::{BTreeMap, BTreeSet};

use etcd_client::{Compare, CompareOp, GetOptions, Txn, TxnOp, TxnOpResponse};
use futures::stream::{FuturesUnordered, StreamExt as _};

use super::keys::prefix_end;
use super::owner::config_namespace;
use super::{Driver, Error, MAX_TXN_OPS};

/// Reads per group: the config, the containers.
const READS_PER_GROUP: usize = 2;

/// Groups counted per transaction: as many as etcd's `--max-txn-ops` allows.
pub const GROUPS_PER_TXN: usize = MAX_TXN_OPS / READS_PER_GROUP;

// A transaction carries whole groups, as many as fit.
const _: () = assert!(GROUPS_PER_TXN * READS_PER_GROUP <= MAX_TXN_OPS);

/// One group's registered containers, counted, with the namespace its config records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupCount {
    /// The namespace recorded in the group's config, if any (as
    /// [`super::GroupRegistrations::namespace`]).
    pub namespace: Option<String>,
    /// How many containers are registered.
    pub containers: usize,
}

/// The containers that `keys` keys under a group's `containers/` are. A container is two keys,
/// its marker and its info, written in one transaction and deleted in one
/// (docs/etcd-layout.md, "Guarantees"); rounded up, so a container left with one of the two
/// (by hand) still counts.
fn containers(keys: i64) -> usize {
    usize::try_from(keys).unwrap_or(0).div_ceil(2)
}

impl Driver {
    /// The revision etcd is at and whether anything may be registered then: what
    /// [`Driver::registration_counts`] reads at, taken while Marathon is still being read;
    /// `None` when the registry is empty, so every group counts 0 without another read.
    ///
    /// One transaction: when the `/services` marker exists (every registration creates it with
    /// its service), that is the answer; only without it are the keys under `/services/`
    /// counted (keys written by hand). Counting them every time walked etcd's whole index of
    /// the registry: over 10,000 containers, 4-7 ms of etcd's CPU per `view`.
    pub async fn registry_revision(&self) -> Result<Option<i64>, Error> {
        let (marker, prefix) = (self.keys.services(), self.keys.services_prefix());
        let marked = Compare::version(marker.as_str(), CompareOp::Greater, 0);
        let count = GetOptions::new().with_range(prefix_end(&prefix)).with_count_only();
        let txn = Txn::new()
            .when([marked])
            .and_then([TxnOp::get(marker.as_str(), Some(GetOptions::new().with_keys_only()))])
            .or_else([TxnOp::get(prefix.as_str(), Some(count))]);
        let resp = self.txn(&marker, txn).await?;
        let revision = resp.header().map_or(0, |h| h.revision());
        let unmarked_keys = match resp.op_responses().first() {
            Some(TxnOpResponse::Get(get)) if !resp.succeeded() => get.count(),
            _ => 0,
        };
        Ok((resp.succeeded() || unmarked_keys > 0).then_some(revision))
    }

    /// The registered containers and config namespace of each of `groups` (service, encoded
    /// labels) at `revision` (0: the latest), keyed by (service, encoded labels); a group with
    /// neither a config nor a container is left out. Two reads per group (its config, and its
    /// containers count only), in transactions of [`GROUPS_PER_TXN`] groups sent at the same
    /// time.
    pub async fn registration_counts<'g>(
        &self,
        groups: impl IntoIterator<Item = (&'g str, &'g str)>,
        revision: i64,
    ) -> Result<BTreeMap<(String, String), GroupCount>, Error> {
        let (named, names) = tokio::sync::mpsc::unbounded_channel();
        for (service, group) in groups {
            // The receiver is alive: it is `names`, right here.
            let _ = named.send((service.to_owned(), group.to_owned()));
        }
        drop(named);
        self.registration_counts_as_named(names, revision).await
    }

    /// [`Driver::registration_counts`] of groups named while they arrive on `names`, each once
    /// however often named: a transaction leaves as soon as [`GROUPS_PER_TXN`] new groups are
    /// in, the last one when `names` ends, so the counting overlaps whatever names the groups
    /// (`view`: Marathon's answer while it streams in). Every read is at `revision`, so the
    /// counts are one snapshot whenever each is sent.
    pub async fn registration_counts_as_named(
        &self,
        mut names: tokio::sync::mpsc::UnboundedReceiver<(String, String)>,
        revision: i64,
    ) -> Result<BTreeMap<(String, String), GroupCount>, Error> {
        let mut seen = BTreeSet::new();
        let mut batch = Vec::with_capacity(GROUPS_PER_TXN);
        let mut sent = FuturesUnordered::new();
        let mut counts = BTreeMap::new();
        let mut open = true;
        while open || !sent.is_empty() {
            tokio::select! {
                name = names.recv(), if open => {
                    match name {
                        Some(name) if seen.insert(name.clone()) => batch.push(name),
                        Some(_) => {}
                        None => open = false,
                    }
                    if batch.len() == GROUPS_PER_TXN || (!open && !batch.is_empty()) {
                        sent.push(self.count_groups(std::mem::take(&mut batch), revision));
                    }
                }
                Some(answer) = sent.next(), if !sent.is_empty() => counts.extend(answer?),
            }
        }
        Ok(counts)
    }

    /// One transaction: the two reads of each of `groups` at `revision`, and what they count
    /// (a group with neither a config nor a container is left out).
    async fn count_groups(
        &self,
        groups: Vec<(String, String)>,
        revision: i64,
    ) -> Result<Vec<((String, String), GroupCount)>, Error> {
        let at = |opts: GetOptions| if revision > 0 { opts.with_revision(revision) } else { opts };
        let ops: Vec<TxnOp> = groups
            .iter()
            .flat_map(|(service, group)| {
                let containers = self.keys.containers_prefix(service, group);
                [
                    TxnOp::get(self.keys.config(service, group), Some(at(GetOptions::new()))),
                    TxnOp::get(
                        containers.as_str(),
                        Some(at(GetOptions::new().with_range(prefix_end(&containers)).with_count_only())),
                    ),
                ]
            })
            .collect();
        let Some((service, group)) = groups.first() else { return Ok(Vec::new()) };
        let resp = self.txn(&self.keys.group(service, group), Txn::new().and_then(ops)).await?;
        let mut counts = Vec::with_capacity(groups.len());
        // A transaction answers its reads in order: the group's two, group after group.
        let mut ops = resp.op_responses().into_iter();
        for (service, group) in groups {
            let (Some(TxnOpResponse::Get(config)), Some(TxnOpResponse::Get(keys))) = (ops.next(), ops.next()) else {
                return Err(Error::Request {
                    op: "txn",
                    key: self.keys.group(&service, &group),
                    source: "etcd answered fewer reads than were sent".into(),
                });
            };
            if config.kvs().is_empty() && keys.count() == 0 {
                continue;
            }
            let namespace = config.kvs().first().and_then(|kv| config_namespace(kv.value()));
            counts.push(((service, group), GroupCount { namespace, containers: containers(keys.count()) }));
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_container_is_its_two_keys_and_a_lone_key_counts() {
        assert_eq!(containers(0), 0);
        assert_eq!(containers(1), 1);
        assert_eq!(containers(2), 1);
        assert_eq!(containers(10), 5);
        assert_eq!(containers(11), 6);
        assert_eq!(containers(-1), 0);
    }
}
