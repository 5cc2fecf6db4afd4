//! Containers: register and deregister one or many, read and replace one's info, and write a
//! group's registration change (the diff is `rollout::register`'s), in transactions of at most
//! [`MAX_TXN_OPS`] operations.

use std::collections::BTreeSet;

use etcd_client::{Compare, CompareOp, DeleteOptions, Txn, TxnOp, TxnOpResponse};

use super::keys::{check_container, prefix_end};
use super::values::{json, ContainerInfo, ContainerMarker};
use super::{Driver, Error, GroupChange, MAX_TXN_OPS};
use crate::names::GroupKey;

impl Driver {
    pub(super) fn register_ops(&self, service: &str, group: &str, info: &ContainerInfo) -> [TxnOp; 2] {
        let name = info.instance_name.as_str();
        [
            TxnOp::put(self.keys.container(service, group, name), json(&ContainerMarker { instance_name: name }), None),
            TxnOp::put(self.keys.container_info(service, group, name), json(info), None),
        ]
    }

    pub(super) fn deregister_ops(&self, service: &str, group: &str, container: &str) -> [TxnOp; 2] {
        let prefix = self.keys.container_prefix(service, group, container);
        [
            TxnOp::delete(self.keys.container(service, group, container), None),
            TxnOp::delete(prefix.as_str(), Some(DeleteOptions::new().with_range(prefix_end(&prefix)))),
        ]
    }

    /// Whether the container is registered in the group.
    pub async fn container_exists(&self, id: &GroupKey, container: &str) -> Result<bool, Error> {
        let (service, group) = (id.service(), id.group());
        check_container(container)?;
        self.count(&self.keys.container(service, group, container)).await
    }

    /// The container's registration.
    pub async fn get_container_info(&self, id: &GroupKey, container: &str) -> Result<ContainerInfo, Error> {
        let (service, group) = (id.service(), id.group());
        check_container(container)?;
        let key = self.keys.container_info(service, group, container);
        match self.get_value(&key).await? {
            Some(value) => Self::decode(&key, &value),
            None => Err(Error::ContainerNotFound {
                service: service.to_owned(),
                group: group.to_owned(),
                container: container.to_owned(),
            }),
        }
    }

    /// Replaces the info of a registered container (named by `info.instance_name`); the
    /// container must be registered.
    pub async fn set_container_info(&self, id: &GroupKey, info: &ContainerInfo) -> Result<(), Error> {
        let (service, group) = (id.service(), id.group());
        check_container(&info.instance_name)?;
        let name = info.instance_name.as_str();
        let key = self.keys.container_info(service, group, name);
        let txn = Txn::new()
            .when([Compare::version(self.keys.container(service, group, name), CompareOp::Greater, 0)])
            .and_then([TxnOp::put(key.as_str(), json(info), None)]);
        if self.txn(&key, txn).await?.succeeded() {
            Ok(())
        } else {
            Err(Error::ContainerNotFound {
                service: service.to_owned(),
                group: group.to_owned(),
                container: name.to_owned(),
            })
        }
    }

    /// Registers a container (named by `info.instance_name`) in an existing group, in one
    /// transaction guarded by the group marker: a missing group is [`Error::GroupNotFound`],
    /// never a silent create. Registering again overwrites the info (idempotent).
    pub async fn register_container(&self, id: &GroupKey, info: &ContainerInfo) -> Result<(), Error> {
        self.register_containers(id, std::slice::from_ref(info)).await
    }

    /// Deregisters a container (its marker and subtree, one transaction). Idempotent: returns
    /// whether it was registered; a missing group is not an error.
    pub async fn deregister_container(&self, id: &GroupKey, container: &str) -> Result<bool, Error> {
        let (service, group) = (id.service(), id.group());
        check_container(container)?;
        let key = self.keys.container(service, group, container);
        let resp = self.txn(&key, Txn::new().and_then(self.deregister_ops(service, group, container))).await?;
        Ok(Self::deleted_any(&resp))
    }

    /// Deregisters many containers: one keys-only read of the group's registrations, then the
    /// registered ones deleted in transactions of at most [`MAX_TXN_OPS`] operations (not one
    /// round trip per container). Idempotent; a missing group is not an error. Returns the names
    /// that were registered (sorted), so a caller can put exactly those back.
    pub async fn deregister_containers(&self, id: &GroupKey, containers: &[String]) -> Result<Vec<String>, Error> {
        let (service, group) = (id.service(), id.group());
        for c in containers {
            check_container(c)?;
        }
        if containers.is_empty() {
            return Ok(Vec::new());
        }
        let registered: BTreeSet<String> = match self.get_group_container_names(id).await {
            Ok(names) => names.into_iter().collect(),
            Err(Error::GroupNotFound { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let doomed: BTreeSet<&String> = containers.iter().filter(|c| registered.contains(*c)).collect();
        for ops in chunk_ops(doomed.iter().map(|c| self.deregister_ops(service, group, c).to_vec())) {
            self.txn(&self.keys.group(service, group), Txn::new().and_then(ops)).await?;
        }
        Ok(doomed.into_iter().cloned().collect())
    }

    /// Registers many containers in an existing group, [`MAX_TXN_OPS`] operations per
    /// transaction, each guarded by the group marker.
    pub async fn register_containers(&self, id: &GroupKey, infos: &[ContainerInfo]) -> Result<(), Error> {
        let (service, group) = (id.service(), id.group());
        for info in infos {
            check_container(&info.instance_name)?;
        }
        let batches: Vec<Vec<TxnOp>> = chunk_ops(infos.iter().map(|i| self.register_ops(service, group, i).to_vec()));
        for ops in batches {
            let txn = Txn::new().when([self.group_exists_cmp(service, group)]).and_then(ops);
            if !self.txn(&self.keys.group(service, group), txn).await?.succeeded() {
                return Err(Self::group_not_found(service, group));
            }
        }
        Ok(())
    }

    /// Writes one group's registration changes for the command that holds the group's lock
    /// (sync's [`Driver::apply_registrations`] leaves a locked group alone): `put` registers or
    /// rewrites, `delete` deregisters, in as few transactions as [`MAX_TXN_OPS`] allows (the
    /// registrations before the deregistrations, so the group never lists fewer containers in
    /// between than before and after), each guarded by the group marker (a group removed
    /// meanwhile is [`Error::GroupNotFound`]). Returns the names of `delete` that were
    /// registered (sorted), from the deletes' own answers: what a caller puts back if what it
    /// deregistered them for is refused. Which containers change is the caller's rule
    /// (`rollout::register::diff`).
    pub async fn write_group_change(&self, change: &GroupChange) -> Result<Vec<String>, Error> {
        let (service, group) = (change.key.service(), change.key.group());
        let names = change.put.iter().map(|i| i.instance_name.as_str()).chain(change.delete.iter().map(String::as_str));
        for name in names {
            check_container(name)?;
        }
        let per_container =
            change.put.iter().map(|info| (None, self.register_ops(service, group, info).to_vec())).chain(
                change.delete.iter().map(|name| (Some(name), self.deregister_ops(service, group, name).to_vec())),
            );
        let mut deregistered = BTreeSet::new();
        for chunk in chunk_named_ops(per_container) {
            let (tags, ops): (Vec<Option<&String>>, Vec<Vec<TxnOp>>) = chunk.into_iter().unzip();
            let lens: Vec<usize> = ops.iter().map(Vec::len).collect();
            let txn = Txn::new().when([self.group_exists_cmp(service, group)]).and_then(ops.concat());
            let resp = self.txn(&self.keys.group(service, group), txn).await?;
            if !resp.succeeded() {
                return Err(Self::group_not_found(service, group));
            }
            // The ops answer in order; a deregistration's first op deletes the container's
            // marker, which deleted a key only if the container was registered.
            let mut answers = resp.op_responses().into_iter();
            for (tag, len) in tags.into_iter().zip(lens) {
                let first = answers.next();
                answers.by_ref().take(len.saturating_sub(1)).for_each(drop);
                if let (Some(name), Some(TxnOpResponse::Delete(marker))) = (tag, first) {
                    if marker.deleted() > 0 {
                        deregistered.insert(name.clone());
                    }
                }
            }
        }
        Ok(deregistered.into_iter().collect())
    }
}

/// [`chunk_ops`] of ops that each carry a tag (which container they are for).
fn chunk_named_ops<T>(per_container: impl IntoIterator<Item = (T, Vec<TxnOp>)>) -> Vec<Vec<(T, Vec<TxnOp>)>> {
    let mut batches = Vec::new();
    let mut current = Vec::new();
    let mut ops = 0;
    for (tag, these) in per_container {
        if !current.is_empty() && ops + these.len() > MAX_TXN_OPS {
            batches.push(std::mem::take(&mut current));
            ops = 0;
        }
        ops += these.len();
        current.push((tag, these));
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

/// Packs per-container op lists into transactions of at most [`MAX_TXN_OPS`] ops, never
/// splitting one container's ops.
pub(super) fn chunk_ops(per_container: impl IntoIterator<Item = Vec<TxnOp>>) -> Vec<Vec<TxnOp>> {
    let tagged = chunk_named_ops(per_container.into_iter().map(|ops| ((), ops)));
    tagged.into_iter().map(|chunk| chunk.into_iter().flat_map(|((), ops)| ops).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_are_chunked_without_splitting_a_container() {
        let per: Vec<Vec<TxnOp>> = (0..100).map(|i| vec![TxnOp::delete(format!("a{i}"), None); 2]).collect();
        let batches = chunk_ops(per);
        assert_eq!(batches.iter().map(Vec::len).collect::<Vec<_>>(), [128, 72]);
        assert!(chunk_ops(Vec::new()).is_empty());
    }
}
