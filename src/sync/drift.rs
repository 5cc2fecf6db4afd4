//! Registration drift of chosen groups: the same [`super::reconcile::plan_group`] and diff a
//! sync would apply, without writing. `plan` reports it and `view` counts registrations.

use std::collections::BTreeMap;

use serde::Serialize;

use super::reconcile::{plan_group, Action};
use crate::etcd::{self, Driver, GroupRegistrations};
use crate::names::GroupKey;
use crate::rollout::live::{LiveGroup, Snapshot};

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

/// Services with at most this many chosen groups are read group by group (one small range
/// read each); more, and the whole service is one range read.
const GROUP_READS_PER_SERVICE: usize = 4;

/// The drift of each of `keys` against the snapshot's groups under `namespace`: one etcd read
/// per service (or per group for a service with few chosen groups), never one per group of a
/// large plan (1,000 groups cost 1,000 reads and 0.25 ms each).
pub async fn drift(
    etcd: &Driver,
    snap: &Snapshot,
    namespace: &str,
    keys: &[GroupKey],
) -> Result<BTreeMap<GroupKey, Drift>, etcd::Error> {
    let mut by_service: BTreeMap<&str, Vec<&GroupKey>> = BTreeMap::new();
    for key in keys {
        by_service.entry(key.service()).or_default().push(key);
    }
    let mut out = BTreeMap::new();
    for (service, keys) in by_service {
        let mut whole =
            if keys.len() > GROUP_READS_PER_SERVICE { Some(etcd.service_registrations(service).await?) } else { None };
        for key in keys {
            let registered = match whole.as_mut() {
                Some(groups) => groups.remove(key.group()),
                None => etcd.group_registrations(key).await?,
            };
            let live = snap.groups.get(&(namespace.to_owned(), service.to_owned(), key.group().to_owned()));
            out.insert(key.clone(), group_drift(live.into_iter().collect(), registered.as_ref(), namespace));
        }
    }
    Ok(out)
}

/// One group's drift: its live apps (none or one labeled group) against its registrations.
fn group_drift(lives: Vec<&LiveGroup>, registered: Option<&GroupRegistrations>, namespace: &str) -> Drift {
    let mut d = Drift { registered: registered.map_or(0, |r| r.containers.len()), ..Drift::default() };
    if let Action::Sync { diff, restore, .. } = plan_group(&lives, registered, Some(namespace)) {
        d.group_missing = restore.is_some();
        d.missing = diff.register.iter().map(|i| i.instance_name.clone()).collect();
        d.stale = diff.update.iter().map(|i| i.instance_name.clone()).chain(diff.deregister).collect();
        d.stale.sort();
    }
    d
}
