//! Services: register, remove, list, and read every registration of one service.

use std::collections::BTreeMap;

use etcd_client::{Compare, CompareOp, DeleteOptions, Txn, TxnOp, TxnOpResponse, TxnResponse};

use super::keys::{prefix_end, Entry};
use super::owner::config_namespace;
use super::values::{json, ContainerInfo, RootMarker, ServiceMarker};
use super::{Driver, Error};
use crate::names::check_service;

impl Driver {
    /// Ops that create the `/services` and service markers if they are missing (nested
    /// transactions, so existing markers are not rewritten and watchers see no change).
    pub(super) fn ensure_service_ops(&self, service: &str) -> Vec<TxnOp> {
        let root = self.keys.services();
        let svc = self.keys.service(service);
        vec![
            TxnOp::txn(Txn::new().when([Compare::version(root.as_str(), CompareOp::Equal, 0)]).and_then([TxnOp::put(
                root.as_str(),
                json(&RootMarker { layout: 1 }),
                None,
            )])),
            TxnOp::txn(Txn::new().when([Compare::version(svc.as_str(), CompareOp::Equal, 0)]).and_then([TxnOp::put(
                svc.as_str(),
                json(&ServiceMarker { service }),
                None,
            )])),
        ]
    }

    pub(super) fn subtree_delete_ops(key: &str, prefix: &str) -> [TxnOp; 2] {
        [TxnOp::delete(key, None), TxnOp::delete(prefix, Some(DeleteOptions::new().with_range(prefix_end(prefix))))]
    }

    /// Whether the first two deletes of `resp` (a [`Driver::subtree_delete_ops`] pair) deleted
    /// anything: the subtree existed.
    pub(super) fn deleted_any(resp: &TxnResponse) -> bool {
        resp.op_responses().iter().take(2).any(|r| matches!(r, TxnOpResponse::Delete(d) if d.deleted() > 0))
    }

    /// Deletes of a group's (or, with `group` empty, every group's of `service`) rollout
    /// bookkeeping: its journal and its pending control request. They go with the group: a
    /// journal a paused or failed rollout left would otherwise hold a group created again under
    /// the same labels (`update` refuses a paused one). The history stays.
    pub(super) fn rollout_delete_ops(&self, service: &str, group: &str) -> Vec<TxnOp> {
        [self.keys.rollout(service, group), self.keys.control(service, group)]
            .into_iter()
            .map(|key| match group {
                "" => TxnOp::delete(key.clone(), Some(DeleteOptions::new().with_range(prefix_end(&key)))),
                _ => TxnOp::delete(key, None),
            })
            .collect()
    }

    /// Registers a service (its marker, and the `/services` marker). Returns `false` if it
    /// already existed (then nothing is written).
    pub async fn create_service(&self, service: &str) -> Result<bool, Error> {
        check_service(service)?;
        let txn = Txn::new().and_then(self.ensure_service_ops(service));
        let resp = self.txn(&self.keys.service(service), txn).await?;
        // The second nested txn is the service marker; it succeeded iff the marker was absent.
        Ok(matches!(resp.op_responses().get(1), Some(TxnOpResponse::Txn(t)) if t.succeeded()))
    }

    /// Removes a service and everything under it in one transaction. Returns whether it existed.
    pub async fn remove_service(&self, service: &str) -> Result<bool, Error> {
        check_service(service)?;
        let (key, prefix) = (self.keys.service(service), self.keys.service_prefix(service));
        let mut ops = Self::subtree_delete_ops(&key, &prefix).to_vec();
        ops.extend(self.rollout_delete_ops(service, ""));
        let resp = self.txn(&key, Txn::new().and_then(ops)).await?;
        Ok(Self::deleted_any(&resp))
    }

    /// Whether the service is registered.
    pub async fn service_exists(&self, service: &str) -> Result<bool, Error> {
        check_service(service)?;
        self.count(&self.keys.service(service)).await
    }

    /// Every registered service, sorted (one keys-only range read).
    pub async fn get_service_names(&self) -> Result<Vec<String>, Error> {
        let names = self.keys_under(&self.keys.services_prefix()).await?;
        Ok(names.into_iter().filter(|name| !name.contains('/')).collect())
    }

    /// The groups (encoded labels, sorted) of a service (one keys-only range read).
    pub async fn get_service_groups(&self, service: &str) -> Result<Vec<String>, Error> {
        check_service(service)?;
        let kvs = self
            .marker_and_range(&self.keys.service(service), &self.keys.service_prefix(service), true)
            .await?
            .ok_or_else(|| Error::ServiceNotFound { service: service.to_owned() })?;
        Ok(kvs
            .iter()
            .filter_map(|kv| match self.keys.parse_in_service(service, kv.key_str().ok()?) {
                Some(Entry::Group { group }) => Some(group.to_owned()),
                _ => None,
            })
            .collect())
    }

    /// Every registered container of every group of a service, by group (one range read).
    /// Groups without containers are present with an empty list.
    pub async fn get_service_containers(&self, service: &str) -> Result<BTreeMap<String, Vec<ContainerInfo>>, Error> {
        Ok(self.get_service_endpoints(service).await?.into_iter().map(|(group, e)| (group, e.containers)).collect())
    }

    /// [`Driver::get_service_containers`] with the namespace each group's config records (the
    /// namespace whose sync confirmation vouches for it), in the same range read.
    pub async fn get_service_endpoints(&self, service: &str) -> Result<BTreeMap<String, GroupEndpoints>, Error> {
        check_service(service)?;
        let kvs = self
            .marker_and_range(&self.keys.service(service), &self.keys.service_prefix(service), false)
            .await?
            .ok_or_else(|| Error::ServiceNotFound { service: service.to_owned() })?;
        let mut groups: BTreeMap<String, GroupEndpoints> = BTreeMap::new();
        let mut namespaces: BTreeMap<&str, String> = BTreeMap::new();
        for kv in &kvs {
            let Ok(key) = kv.key_str() else { continue };
            match self.keys.parse_in_service(service, key) {
                Some(Entry::Group { group }) => {
                    groups.entry(group.to_owned()).or_default();
                }
                Some(Entry::Config { group }) => {
                    if let Some(ns) = config_namespace(kv.value()) {
                        namespaces.insert(group, ns);
                    }
                }
                Some(Entry::ContainerInfo { group, .. }) => {
                    let info: ContainerInfo = Self::decode(key, kv.value())?;
                    groups.entry(group.to_owned()).or_default().containers.push(info);
                }
                _ => {}
            }
        }
        for (group, ns) in namespaces {
            if let Some(g) = groups.get_mut(group) {
                g.namespace = Some(ns);
            }
        }
        Ok(groups)
    }
}

/// One group of a service as `endpoints` reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupEndpoints {
    /// The namespace the group's config records, if it records one.
    pub namespace: Option<String>,
    /// Its registered containers.
    pub containers: Vec<ContainerInfo>,
}
