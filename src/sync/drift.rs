//! Registration drift of chosen groups: the same [`super::reconcile::plan_group`] and diff a
//! sync would apply, without writing. `plan` reports it and `view` counts registrations.

use std::collections::BTreeMap;

use serde::Serialize;

use super::reconcile::{plan_group, Action};
use crate::etcd::{self, Driver};
use crate::names::GroupKey;
use crate::rollout::live::Snapshot;

/// A group's drift: what `theseus sync` would change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Healthy tasks that are not registered.
    pub missing: Vec<String>,
    /// Registered containers with no running, healthy task (or an info that differs).
    pub stale: Vec<String>,
    /// Containers registered now.
    pub registered: usize,
    /// Marathon runs the group but etcd has no record of it at all (a command cut short
    /// between its Marathon change and its etcd write): drift even with no task to register.
    pub group_missing: bool,
}

impl Drift {
    /// Whether etcd differs from Marathon for this group.
    pub fn any(&self) -> bool {
        self.group_missing || !self.missing.is_empty() || !self.stale.is_empty()
    }
}

/// The drift of each of `keys` (one etcd read per group) against the snapshot's groups under
/// `namespace`.
pub async fn drift(
    etcd: &Driver,
    snap: &Snapshot,
    namespace: &str,
    keys: &[GroupKey],
) -> Result<BTreeMap<GroupKey, Drift>, etcd::Error> {
    let mut out = BTreeMap::new();
    for key in keys {
        let registered = etcd.group_registrations(key).await?;
        let lives: Vec<_> = snap.groups.values().filter(|g| &g.key == key && g.namespace == namespace).collect();
        let mut d = Drift { registered: registered.as_ref().map_or(0, |r| r.containers.len()), ..Drift::default() };
        if let Action::Sync { diff, restore, .. } = plan_group(&lives, registered.as_ref(), Some(namespace)) {
            d.group_missing = restore.is_some();
            d.missing = diff.register.iter().map(|i| i.instance_name.clone()).collect();
            d.stale = diff.update.iter().map(|i| i.instance_name.clone()).chain(diff.deregister).collect();
            d.stale.sort();
        }
        out.insert(key.clone(), d);
    }
    Ok(out)
}
