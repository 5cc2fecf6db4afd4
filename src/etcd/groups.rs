//! Groups: register a group with its config, remove it, read and replace its config, list its
//! containers. Every write under a group is guarded by its marker ([`Driver::group_exists_cmp`]).

use etcd_client::{Compare, CompareOp, Txn, TxnOp, TxnOpResponse};
use serde_json::Value;

use super::keys::Entry;
use super::values::{json, ContainersMarker, GroupMarker};
use super::{Driver, Error};
use crate::names::GroupKey;

impl Driver {
    /// The compare that guards a write under a group: its marker exists.
    pub(super) fn group_exists_cmp(&self, service: &str, group: &str) -> Compare {
        Compare::version(self.keys.group(service, group), CompareOp::Greater, 0)
    }

    /// Registers a group with its resolved spec, creating the service if needed, in one
    /// transaction. Returns `false` if the group already existed (then nothing is written;
    /// use [`Driver::set_group_config`] to change its config).
    pub async fn create_group(&self, id: &GroupKey, config: &Value) -> Result<bool, Error> {
        let gkey = self.keys.group(id.service(), id.group());
        let ckey = self.keys.config(id.service(), id.group());
        let txn = Txn::new()
            .when([Compare::version(gkey.as_str(), CompareOp::Equal, 0)])
            .and_then(self.create_group_ops(id, config))
            .or_else([TxnOp::get(ckey.as_str(), None)]);
        let (resp, resent) = self.txn_resent(&gkey, txn).await?;
        if resp.succeeded() {
            return Ok(true);
        }
        // Sent again after a leader change: the group found may be this very creation.
        let ours = resp.op_responses().into_iter().any(
            |r| matches!(r, TxnOpResponse::Get(g) if g.kvs().first().is_some_and(|kv| kv.value() == json(config))),
        );
        Ok(resent && ours)
    }

    /// The ops of [`Driver::create_group`] (marker, config, container list, service markers).
    pub(super) fn create_group_ops(&self, id: &GroupKey, config: &Value) -> Vec<TxnOp> {
        let (service, group) = (id.service(), id.group());
        let marker = GroupMarker { service, group, labels: group.split('.').collect() };
        let mut ops = vec![
            TxnOp::put(self.keys.group(service, group), json(&marker), None),
            TxnOp::put(self.keys.config(service, group), json(config), None),
            TxnOp::put(self.keys.containers(service, group), json(&ContainersMarker { service, group }), None),
        ];
        ops.extend(self.ensure_service_ops(service));
        ops
    }

    /// Removes a group and everything under it, with its rollout journal and control request,
    /// in one transaction. Returns whether it existed.
    pub async fn remove_group(&self, id: &GroupKey) -> Result<bool, Error> {
        let (service, group) = (id.service(), id.group());
        let (key, prefix) = (self.keys.group(service, group), self.keys.group_prefix(service, group));
        let mut ops = Self::subtree_delete_ops(&key, &prefix).to_vec();
        ops.extend(self.rollout_delete_ops(service, group));
        let resp = self.txn(&key, Txn::new().and_then(ops)).await?;
        Ok(Self::deleted_any(&resp))
    }

    /// Whether the group is registered.
    pub async fn group_exists(&self, id: &GroupKey) -> Result<bool, Error> {
        let (service, group) = (id.service(), id.group());
        self.count(&self.keys.group(service, group)).await
    }

    /// The resolved spec stored for the group.
    pub async fn get_group_config(&self, id: &GroupKey) -> Result<Value, Error> {
        let (service, group) = (id.service(), id.group());
        let key = self.keys.config(service, group);
        match self.get_value(&key).await? {
            Some(value) => Self::decode(&key, &value),
            None => Err(Self::group_not_found(service, group)),
        }
    }

    /// Replaces the group's stored spec; the group must exist.
    pub async fn set_group_config(&self, id: &GroupKey, config: &Value) -> Result<(), Error> {
        let (service, group) = (id.service(), id.group());
        let key = self.keys.config(service, group);
        let txn = Txn::new().when([self.group_exists_cmp(service, group)]).and_then([TxnOp::put(
            key.as_str(),
            json(config),
            None,
        )]);
        if self.txn(&key, txn).await?.succeeded() {
            Ok(())
        } else {
            Err(Self::group_not_found(service, group))
        }
    }

    /// The names (Marathon task ids, sorted) of the group's registered containers (one
    /// keys-only range read).
    pub async fn get_group_container_names(&self, id: &GroupKey) -> Result<Vec<String>, Error> {
        let (service, group) = (id.service(), id.group());
        let kvs = self
            .marker_and_range(&self.keys.group(service, group), &self.keys.containers_prefix(service, group), true)
            .await?
            .ok_or_else(|| Self::group_not_found(service, group))?;
        Ok(kvs
            .iter()
            .filter_map(|kv| match self.keys.parse_in_service(service, kv.key_str().ok()?) {
                Some(Entry::Container { container, .. }) => Some(container.to_owned()),
                _ => None,
            })
            .collect())
    }
}
