//! Batched reads and writes of registrations for `theseus sync`: every group's containers in
//! one range read per service, and the changes of many groups packed into as few transactions
//! as etcd's `--max-txn-ops` allows.
//!
//! Each write is guarded by two compares per group: the group marker exists (a group removed
//! meanwhile gets nothing written, as everywhere in this driver) and the group's rollout lock
//! is *not* held (a command that holds the lock registers and drains its own containers; sync
//! leaves the group until the lock goes, so it never re-registers a container being drained).

use std::collections::{BTreeMap, BTreeSet};

use etcd_client::{Compare, CompareOp, GetOptions, TxnOp};
use futures::StreamExt as _;
use serde_json::Value;

use super::keys::Entry;
use super::owner::recorded_namespace;
use super::{chunk_ops, ContainerInfo, Driver, Error, MAX_TXN_OPS};
use crate::names::GroupKey;

/// How many transactions [`Driver::apply_registrations`] keeps in flight at once.
const IN_FLIGHT: usize = 8;

/// One group's registrations as etcd has them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupRegistrations {
    /// The group's stored config, if readable.
    pub config: Option<Value>,
    /// Registered container → its info (`None` when the info is missing or unreadable).
    pub containers: BTreeMap<String, Option<ContainerInfo>>,
    /// The revision app on trial as the group's canary, if one is.
    pub canary: Option<super::CanaryMark>,
}

impl GroupRegistrations {
    /// The namespace recorded in the group's config, if any (as [`super::Owner::of_config`]
    /// reads it).
    pub fn namespace(&self) -> Option<&str> {
        self.config.as_ref().and_then(|c| c.get("namespace")).and_then(Value::as_str).and_then(recorded_namespace)
    }
}

/// Every registered group, and the groups whose rollout lock is held.
#[derive(Debug, Clone, Default)]
pub struct Registrations {
    /// Groups by key.
    pub groups: BTreeMap<GroupKey, GroupRegistrations>,
    /// Groups a command holds the lock of.
    pub locked: BTreeSet<GroupKey>,
}

/// The registration changes of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupChange {
    /// The group.
    pub key: GroupKey,
    /// Containers to register or rewrite.
    pub put: Vec<ContainerInfo>,
    /// Containers to deregister.
    pub delete: Vec<String>,
}

/// Why a group's changes were not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// The group marker is gone (the group was removed meanwhile).
    GroupGone,
    /// A command holds the group's lock.
    Locked,
    /// The group was registered by someone else meanwhile (not restored).
    CreatedMeanwhile,
}

/// What [`Driver::apply_registrations`] did.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// Transactions sent.
    pub transactions: usize,
    /// Groups whose changes were not written, and why.
    pub skipped: Vec<(GroupKey, Skipped)>,
}

impl Driver {
    /// Every group of every registered service with its config and containers (one keys-only
    /// read of the services, one range read per service), and the held group locks (one read).
    pub async fn registrations(&self) -> Result<Registrations, Error> {
        let mut out = Registrations::default();
        for service in self.get_service_names().await? {
            for (group, regs) in self.service_registrations(&service).await? {
                let Ok(key) = GroupKey::new(&service, &group) else { continue };
                out.groups.insert(key, regs);
            }
        }
        out.locked = self.locked_groups().await?;
        Ok(out)
    }

    /// Every group of one service (encoded labels → registrations) in one range read; an
    /// unregistered service has none.
    pub async fn service_registrations(&self, service: &str) -> Result<BTreeMap<String, GroupRegistrations>, Error> {
        crate::names::check_service(service)?;
        let prefix = self.keys.service_prefix(service);
        let Some(kvs) = self.marker_and_range(&self.keys.service(service), &prefix, false).await? else {
            return Ok(BTreeMap::new());
        };
        let mut by_group: BTreeMap<String, GroupRegistrations> = BTreeMap::new();
        let mut groups: BTreeSet<String> = BTreeSet::new();
        for kv in &kvs {
            let Ok(key) = kv.key_str() else { continue };
            match self.keys.parse_in_service(service, key) {
                Some(Entry::Group { group }) => {
                    groups.insert(group.to_owned());
                }
                Some(Entry::Config { group }) => {
                    by_group.entry(group.to_owned()).or_default().config = serde_json::from_slice(kv.value()).ok();
                }
                Some(Entry::Canary { group }) => {
                    by_group.entry(group.to_owned()).or_default().canary = serde_json::from_slice(kv.value()).ok();
                }
                Some(Entry::Container { group, container }) => {
                    by_group.entry(group.to_owned()).or_default().containers.entry(container.to_owned()).or_default();
                }
                Some(Entry::ContainerInfo { group, container }) => {
                    by_group
                        .entry(group.to_owned())
                        .or_default()
                        .containers
                        .insert(container.to_owned(), serde_json::from_slice(kv.value()).ok());
                }
                _ => {}
            }
        }
        // Only groups whose marker exists: keys left under a missing marker are not a group.
        Ok(groups
            .into_iter()
            .map(|g| {
                let regs = by_group.remove(&g).unwrap_or_default();
                (g, regs)
            })
            .collect())
    }

    /// One group's registrations (one range read), or `None` when the group is not registered.
    pub async fn group_registrations(&self, id: &GroupKey) -> Result<Option<GroupRegistrations>, Error> {
        let (service, group) = (id.service(), id.group());
        let Some(kvs) = self
            .marker_and_range(&self.keys.group(service, group), &self.keys.group_prefix(service, group), false)
            .await?
        else {
            return Ok(None);
        };
        let mut out = GroupRegistrations::default();
        for kv in &kvs {
            let Ok(key) = kv.key_str() else { continue };
            match self.keys.parse_in_service(service, key) {
                Some(Entry::Config { .. }) => out.config = serde_json::from_slice(kv.value()).ok(),
                Some(Entry::Canary { .. }) => out.canary = serde_json::from_slice(kv.value()).ok(),
                Some(Entry::Container { container, .. }) => {
                    out.containers.entry(container.to_owned()).or_default();
                }
                Some(Entry::ContainerInfo { container, .. }) => {
                    out.containers.insert(container.to_owned(), serde_json::from_slice(kv.value()).ok());
                }
                _ => {}
            }
        }
        Ok(Some(out))
    }

    /// The groups whose rollout lock is held (one keys-only range read).
    pub async fn locked_groups(&self) -> Result<BTreeSet<GroupKey>, Error> {
        let keys = self.keys_under(&self.keys.locks_prefix()).await?;
        Ok(keys
            .iter()
            .filter_map(|key| {
                let (service, group) = key.split_once('/')?;
                GroupKey::new(service, group).ok()
            })
            .collect())
    }

    /// Writes the changes of many groups in as few transactions as [`MAX_TXN_OPS`] allows,
    /// each guarded per group (marker present, lock free). A transaction whose guard fails is
    /// retried group by group, so one removed or locked group never holds back the others.
    /// Groups with nothing to change cost nothing.
    pub async fn apply_registrations(&self, changes: &[GroupChange]) -> Result<Applied, Error> {
        // Pack whole groups while they fit; a group larger than one transaction goes alone,
        // in chunks, each chunk guarded.
        let mut units: Vec<Vec<&GroupChange>> = Vec::new();
        let mut pending: Vec<&GroupChange> = Vec::new();
        let mut pending_ops = 0;
        for change in changes.iter().filter(|c| !c.put.is_empty() || !c.delete.is_empty()) {
            for c in change.put.iter().map(|i| i.instance_name.as_str()).chain(change.delete.iter().map(String::as_str))
            {
                super::keys::check_container(c)?;
            }
            let ops = 2 * (change.put.len() + change.delete.len());
            if ops > MAX_TXN_OPS {
                units.push(vec![change]);
                continue;
            }
            if pending_ops + ops > MAX_TXN_OPS || 2 * (pending.len() + 1) > MAX_TXN_OPS {
                units.push(std::mem::take(&mut pending));
                pending_ops = 0;
            }
            pending.push(change);
            pending_ops += ops;
        }
        if !pending.is_empty() {
            units.push(pending);
        }
        // The units touch disjoint keys, so they go concurrently: etcd commits concurrent
        // transactions together (one fsync for several), which is most of the time saved.
        let work: Vec<_> = units.iter().map(|unit| self.apply_unit(unit)).collect();
        let results: Vec<Result<Applied, Error>> =
            futures::stream::iter(work).buffer_unordered(IN_FLIGHT).collect().await;
        let mut applied = Applied::default();
        for r in results {
            let r = r?;
            applied.transactions += r.transactions;
            applied.skipped.extend(r.skipped);
        }
        applied.skipped.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(applied)
    }

    async fn apply_unit(&self, unit: &[&GroupChange]) -> Result<Applied, Error> {
        let mut applied = Applied::default();
        self.apply_packed(unit, &mut applied).await?;
        Ok(applied)
    }

    fn guards(&self, key: &GroupKey) -> [Compare; 2] {
        let (service, group) = (key.service(), key.group());
        [
            self.group_exists_cmp(service, group),
            Compare::version(self.keys.group_lock(service, group), CompareOp::Equal, 0),
        ]
    }

    fn change_ops(&self, change: &GroupChange) -> Vec<Vec<TxnOp>> {
        let (service, group) = (change.key.service(), change.key.group());
        change
            .put
            .iter()
            .map(|i| self.register_ops(service, group, i).to_vec())
            .chain(change.delete.iter().map(|c| self.deregister_ops(service, group, c).to_vec()))
            .collect()
    }

    async fn apply_packed(&self, groups: &[&GroupChange], applied: &mut Applied) -> Result<(), Error> {
        match groups {
            [] => Ok(()),
            [one] => self.apply_one(one, applied).await,
            many => {
                let guards: Vec<Compare> = many.iter().flat_map(|c| self.guards(&c.key)).collect();
                let ops: Vec<TxnOp> = many.iter().flat_map(|c| self.change_ops(c)).flatten().collect();
                let first = many[0].key.to_string();
                applied.transactions += 1;
                if self.txn(&first, etcd_client::Txn::new().when(guards).and_then(ops)).await?.succeeded() {
                    return Ok(());
                }
                for change in many {
                    self.apply_one(change, applied).await?;
                }
                Ok(())
            }
        }
    }

    async fn apply_one(&self, change: &GroupChange, applied: &mut Applied) -> Result<(), Error> {
        let (service, group) = (change.key.service(), change.key.group());
        let marker = self.keys.group(service, group);
        for ops in chunk_ops(self.change_ops(change)) {
            let lock = self.keys.group_lock(service, group);
            let txn = etcd_client::Txn::new()
                .when(self.guards(&change.key))
                .and_then(ops)
                .or_else([TxnOp::get(lock.as_str(), Some(GetOptions::new().with_count_only()))]);
            applied.transactions += 1;
            let resp = self.txn(&marker, txn).await?;
            if !resp.succeeded() {
                let locked = resp
                    .op_responses()
                    .into_iter()
                    .any(|r| matches!(r, etcd_client::TxnOpResponse::Get(g) if g.count() > 0));
                applied.skipped.push((change.key.clone(), if locked { Skipped::Locked } else { Skipped::GroupGone }));
                return Ok(());
            }
        }
        Ok(())
    }

    /// Registers a group Marathon runs but etcd lacks (a command interrupted between its
    /// Marathon change and its etcd write) with `config`: marker, config and container list in
    /// one transaction, only if the group is still missing *and* its lock is free, so a command
    /// that holds the lock and is about to store the group's real config and history is never
    /// pre-empted. `Err(why)` when nothing was written.
    pub async fn restore_group(&self, id: &GroupKey, config: &Value) -> Result<Result<(), Skipped>, Error> {
        let (service, group) = (id.service(), id.group());
        let marker = self.keys.group(service, group);
        let lock = self.keys.group_lock(service, group);
        let txn = etcd_client::Txn::new()
            .when([
                Compare::version(marker.as_str(), CompareOp::Equal, 0),
                Compare::version(lock.as_str(), CompareOp::Equal, 0),
            ])
            .and_then(self.create_group_ops(id, config))
            .or_else([
                TxnOp::get(lock.as_str(), Some(GetOptions::new().with_count_only())),
                TxnOp::get(self.keys.config(service, group), None),
            ]);
        let (resp, resent) = self.txn_resent(&marker, txn).await?;
        if resp.succeeded() {
            return Ok(Ok(()));
        }
        // The lock's count, then the config there is.
        let reads = resp.op_responses();
        let locked = matches!(reads.first(), Some(etcd_client::TxnOpResponse::Get(g)) if g.count() > 0);
        let config_read = match reads.get(1) {
            Some(etcd_client::TxnOpResponse::Get(g)) => g.kvs().first().map(|kv| kv.value().to_vec()),
            _ => None,
        };
        // Sent again after a leader change: the group found may be this very restore.
        if resent && config_read == Some(super::json(config)) {
            return Ok(Ok(()));
        }
        Ok(Err(if locked { Skipped::Locked } else { Skipped::CreatedMeanwhile }))
    }
}
