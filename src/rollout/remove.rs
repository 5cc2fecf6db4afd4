//! Removing groups: drain their containers from etcd, delete the Marathon groups, wait for
//! their tasks to stop, then remove the etcd subtrees (and services left with no group). Also
//! the undo of a failed `create` ([`super::undo`]).

use std::future::Future;

use anyhow::Context as _;

use super::live::Snapshot;
use super::locks::{lock_groups, unlock};
use super::register;
use super::result::{GroupResult, Outcome};
use super::scope::Scope;
use super::wait;
use crate::names::GroupKey;
use crate::spec::labels::Selector;

/// A group to remove: live in Marathon, registered in etcd, or both.
#[derive(Debug, Clone)]
pub struct Doomed {
    /// Service and encoded labels.
    pub key: GroupKey,
    /// Marathon group id.
    pub group_id: String,
    /// Whether Marathon has it.
    pub in_marathon: bool,
}

/// Removes groups: deregisters their containers first (drain), then deletes the Marathon
/// groups, waits for their tasks to stop, then removes the etcd subtrees (and services left
/// with no group). With `dry_run`, only reports what would go.
pub async fn remove(
    scope: Scope<'_>,
    doomed: &[Doomed],
    force: bool,
    dry_run: bool,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<Vec<GroupResult>> {
    if dry_run {
        return Ok(doomed.iter().map(|d| result(d, Outcome::WouldRemove, None)).collect());
    }
    let keys: Vec<GroupKey> = doomed.iter().map(|d| d.key.clone()).collect();
    let locks = lock_groups(scope.etcd, &keys, scope.waiting.lock_timeout, scope.owner).await?;
    let outcome = remove_locked(scope, doomed, force, cancel).await;
    unlock(locks).await;
    outcome
}

/// The result line of a removed (or would-be removed) group.
fn result(d: &Doomed, what: Outcome, deployment: Option<String>) -> GroupResult {
    GroupResult {
        service: d.key.service().to_owned(),
        group: d.key.group().to_owned(),
        id: d.group_id.clone(),
        result: what,
        revision: None,
        instances: 0,
        deployment,
        converged: false,
        registered: 0,
    }
}

pub(super) async fn remove_locked(
    scope: Scope<'_>,
    doomed: &[Doomed],
    force: bool,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<Vec<GroupResult>> {
    let Scope { marathon: client, etcd, namespace, waiting, .. } = scope;
    // Drain: consumers stop seeing the containers before they are killed.
    for d in doomed {
        etcd.sync_group_containers(&d.key, Vec::new())
            .await
            .with_context(|| format!("deregistering the containers of `{}`", d.group_id))?;
    }
    let mut results = Vec::new();
    let mut deployments = Vec::new();
    for d in doomed.iter().filter(|d| d.in_marathon) {
        match client.delete_group(&d.group_id, force).await {
            Ok(change) => {
                deployments.extend(change.deployment_id.clone());
                results.push(result(d, Outcome::Removed, change.deployment_id));
            }
            Err(err) => {
                // Put the registrations back: the group still runs.
                let services = vec![d.key.service().to_owned()];
                if let Ok(snap) = Snapshot::read(client, namespace, &services, &Selector::default()).await {
                    let _ = register::sync(etcd, &snap, std::slice::from_ref(&d.key)).await;
                }
                return Err(anyhow::Error::new(err).context(format!("removing `{}` from Marathon", d.group_id)));
            }
        }
    }
    for d in doomed.iter().filter(|d| !d.in_marathon) {
        results.push(result(d, Outcome::Removed, None));
    }
    // Marathon accepted the deletions: etcd forgets the groups even if the wait fails, so it
    // never keeps a group Marathon no longer has (their containers were drained above).
    let waited = if waiting.wait && !deployments.is_empty() {
        let waited = wait::gone(client, &deployments, waiting.options, cancel).await;
        for r in &mut results {
            r.converged = waited.is_ok();
        }
        waited
    } else {
        Ok(())
    };
    let mut services: Vec<&str> = doomed.iter().map(|d| d.key.service()).collect();
    services.sort_unstable();
    services.dedup();
    for d in doomed {
        etcd.remove_group(&d.key).await.with_context(|| format!("removing `{}` from etcd", d.group_id))?;
    }
    for s in services {
        if etcd.get_service_groups(s).await.map(|g| g.is_empty()).unwrap_or(false) {
            etcd.remove_service(s).await.with_context(|| format!("removing service `{s}` from etcd"))?;
            // Marathon keeps empty groups; drop the service's if nothing is left in it.
            let sid = format!("{}/{s}", super::live::namespace_path(namespace));
            if let Ok(Some(g)) = client.group(&sid).await {
                if g.apps.is_empty() && g.groups.is_empty() {
                    let _ = client.delete_group(&sid, false).await;
                }
            }
        }
    }
    waited?;
    Ok(results)
}
