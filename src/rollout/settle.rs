//! The end of every create and scale: wait for convergence (if asked), then make etcd match
//! Marathon's task list for the groups touched, whatever the wait's outcome.

use std::future::Future;

use super::event::Reporter;
use super::live::Snapshot;
use super::register::{self, Registered};
use super::scope::Scope;
use super::wait::{self, Target};
use crate::names::GroupKey;
use crate::spec::labels::Selector;

/// Waits (if asked), then syncs registration from a fresh snapshot whatever the wait's outcome,
/// so etcd matches Marathon even after a failure. Returns the registration per group.
pub(super) async fn wait_and_register(
    scope: Scope<'_>,
    targets: &[Target],
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> (Result<(), wait::WaitError>, Vec<Registered>, anyhow::Result<()>) {
    let Scope { marathon: client, namespace, timing, .. } = scope;
    let groups: Vec<GroupKey> = targets.iter().map(|t| t.key.clone()).collect();
    let waited = if timing.wait {
        wait::converge(client, scope.wakeup(), namespace, targets, timing, reporter, cancel).await.map(|_| ())
    } else {
        Ok(())
    };
    let mut services: Vec<String> = groups.iter().map(|g| g.service().to_owned()).collect();
    services.sort();
    services.dedup();
    let registered = async {
        let snap = Snapshot::read(client, namespace, &services, &Selector::default()).await?;
        let regs = register::sync(scope.write()?.etcd, &snap, &groups).await?;
        anyhow::Ok(regs)
    }
    .await;
    match registered {
        Ok(r) => (waited, r, Ok(())),
        Err(e) => (waited, Vec::new(), Err(e.context("registering containers in etcd"))),
    }
}

/// How many containers registration left in `key`'s group.
pub(super) fn registered_count(regs: &[Registered], key: &GroupKey) -> usize {
    regs.iter().find(|r| r.service == key.service() && r.group == key.group()).map_or(0, |r| r.containers)
}
