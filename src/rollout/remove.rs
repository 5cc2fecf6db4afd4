//! Removing groups: exactly the selected groups' revision apps, never a parent
//! group that holds anything else.
//!
//! Under the groups' locks: read Marathon afresh (the apps to delete are the groups' own
//! revision apps, by their `theseus.*` labels, whether or not etcd records the group), check
//! each etcd record's owner and, without `--force`, that no deployment holds the group (Marathon
//! would answer 409, and nothing may be drained for a refusal). Then drain (deregister the
//! containers), delete the apps (a 404 is already gone; an answer that never came is confirmed
//! by re-reading, [`super::confirm`]); a refusal registers what still runs again. Once Marathon
//! accepted, etcd forgets the groups, Marathon groups left empty are pruned, and a service
//! marker goes only when no group at all is left under it. Also the undo of a failed `create`
//! ([`super::undo`]).

use std::future::Future;

use anyhow::Context as _;

use super::confirm;
use super::live::{namespace_path, LiveGroup, Snapshot};
use super::register;
use super::result::{GroupResult, Outcome};
use super::scope::Scope;
use super::session::{Owners, Session};
use super::wait;
use crate::error::{ExitStatus, StatusError};
use crate::names::GroupKey;
use crate::spec::labels::Selector;

/// A group to remove: live in Marathon, recorded in etcd, or both.
#[derive(Debug, Clone)]
pub struct Doomed {
    /// Service and encoded labels.
    pub key: GroupKey,
    /// Marathon group id.
    pub group_id: String,
}

/// Removes groups (see the module docs). With `force`, deployments holding them are cancelled
/// and a record another namespace owns is left alone instead of refusing. With `dry_run`, only
/// reports what would go.
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
    // Under the locks: Marathon read afresh, every etcd owner checked (with `force`, a record
    // another namespace owns is left alone).
    let owners = if force { Owners::LeaveAlone } else { Owners::Refuse };
    let session = Session::open(scope, &keys, owners).await?;
    session
        .run(async |s| {
            let ours = |key: &GroupKey| s.ours(key);
            remove_locked(s.scope(), s.snapshot(), doomed, force, &ours, s.cancel(cancel)).await
        })
        .await
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
        evidence: None,
    }
}

/// One group, as found under its lock.
struct Found<'a> {
    doomed: &'a Doomed,
    /// Its revision apps in Marathon.
    apps: Vec<String>,
    /// Whether its etcd record (if any) is this namespace's to delete.
    ours: bool,
}

fn services_of(doomed: &[Doomed]) -> Vec<String> {
    let mut services: Vec<String> = doomed.iter().map(|d| d.key.service().to_owned()).collect();
    services.sort();
    services.dedup();
    services
}

/// Every check before the first change (see the module docs; the etcd owners were checked
/// when the locks were taken: `ours` says which records are this namespace's).
fn find<'a>(
    snap: &Snapshot,
    doomed: &'a [Doomed],
    force: bool,
    ours: &dyn Fn(&GroupKey) -> bool,
) -> anyhow::Result<Vec<Found<'a>>> {
    let mut found = Vec::new();
    for d in doomed {
        let live: Option<&LiveGroup> = snap.group(&d.key);
        let ours = ours(&d.key);
        if let (Some(live), false) = (live, force) {
            let busy: Vec<String> = snap.deployments_of(live).map(|d| d.id.clone()).collect();
            if !busy.is_empty() {
                return Err(StatusError {
                    status: ExitStatus::Locked,
                    message: format!("`{}` is locked by Marathon deployment {}", d.group_id, busy.join(", ")),
                    hint: Some("wait for it to finish, or pass --force to cancel it and remove the group".into()),
                }
                .into());
            }
        }
        let apps = live.map(|g| g.apps.iter().map(|a| a.id.clone()).collect()).unwrap_or_default();
        found.push(Found { doomed: d, apps, ours });
    }
    Ok(found)
}

/// Removes `doomed` as `snap` (read under their locks) has them; `ours` says which etcd records
/// are this namespace's to change.
pub(super) async fn remove_locked(
    scope: Scope<'_>,
    snap: &Snapshot,
    doomed: &[Doomed],
    force: bool,
    ours: &dyn Fn(&GroupKey) -> bool,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<Vec<GroupResult>> {
    let Scope { marathon: client, namespace, timing, .. } = scope;
    let services = services_of(doomed);
    let found = find(snap, doomed, force, ours)?;
    // Drain: consumers stop seeing the containers before they are killed.
    for f in found.iter().filter(|f| f.ours) {
        match register::deregister_all(scope.write()?.etcd, &f.doomed.key).await {
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => {
                return Err(
                    anyhow::Error::new(e).context(format!("deregistering the containers of `{}`", f.doomed.group_id))
                )
            }
        }
    }
    let mut results = Vec::new();
    let mut deployments = Vec::new();
    let mut refused = None;
    let mut accepted: Vec<&Found<'_>> = Vec::new();
    'groups: for f in &found {
        let mut first = None;
        for app in &f.apps {
            match confirm::delete_app(scope.write()?.marathon, app, force).await {
                Ok(change) => {
                    first = first.or(change.deployment_id.clone());
                    deployments.extend(change.deployment_id);
                }
                Err(err) => {
                    refused = Some((f, anyhow::Error::new(err).context(format!("removing `{app}` from Marathon"))));
                    break 'groups;
                }
            }
        }
        accepted.push(f);
        results.push(result(f.doomed, Outcome::Removed, first));
    }
    if let Some((failed, err)) = refused {
        // Whatever Marathon did not accept still runs: consumers get it back.
        let rest: Vec<GroupKey> = found
            .iter()
            .filter(|f| f.ours && !accepted.iter().any(|a| a.doomed.key == f.doomed.key))
            .map(|f| f.doomed.key.clone())
            .collect();
        if let (Ok(fresh), Ok(writer)) =
            (Snapshot::read(client, namespace, &services, &Selector::default()).await, scope.write())
        {
            let _ = register::sync(writer.etcd, &fresh, &rest).await;
        }
        forget(scope, &accepted).await?;
        return Err(err.context(format!("removing `{}`", failed.doomed.group_id)));
    }
    // Marathon accepted the deletions: etcd forgets the groups even if the wait fails, so it
    // never keeps a group Marathon no longer has (their containers were drained above).
    let waited = if timing.wait && !deployments.is_empty() {
        let waited = wait::gone(client, scope.wakeup(), &deployments, timing, cancel).await;
        for r in &mut results {
            r.converged = waited.is_ok();
        }
        waited
    } else {
        Ok(())
    };
    forget(scope, &accepted).await?;
    if waited.is_ok() {
        prune(scope, &accepted).await;
    }
    waited?;
    Ok(results)
}

/// Removes the etcd records of the groups Marathon accepted to remove (this namespace's only),
/// then the markers of services left with no group.
async fn forget(scope: Scope<'_>, accepted: &[&Found<'_>]) -> anyhow::Result<()> {
    for f in accepted.iter().filter(|f| f.ours) {
        let d = f.doomed;
        scope
            .write()?
            .etcd
            .remove_group(&d.key)
            .await
            .with_context(|| format!("removing `{}` from etcd", d.group_id))?;
    }
    let mut services: Vec<&str> = accepted.iter().map(|f| f.doomed.key.service()).collect();
    services.sort_unstable();
    services.dedup();
    for s in services {
        scope
            .write()?
            .etcd
            .remove_service_if_empty(s)
            .await
            .with_context(|| format!("removing service `{s}` from etcd"))?;
    }
    Ok(())
}

/// Deletes the Marathon groups the removal left empty: each removed group's path, then its
/// service's. A group holding anything (another namespace's group nested inside, an app
/// Theseus does not manage) stays. Best effort: an empty group is harmless.
async fn prune(scope: Scope<'_>, accepted: &[&Found<'_>]) {
    let Scope { marathon: client, namespace, .. } = scope;
    let mut paths: Vec<String> = accepted.iter().map(|f| f.doomed.group_id.clone()).collect();
    let mut services: Vec<String> =
        accepted.iter().map(|f| format!("{}/{}", namespace_path(namespace), f.doomed.key.service())).collect();
    services.sort();
    services.dedup();
    paths.extend(services);
    for path in paths {
        if let Ok(Some(g)) = client.group(&path).await {
            match scope.write() {
                Ok(writer) if g.apps.is_empty() && g.groups.is_empty() => {
                    let _ = confirm::delete_group(writer.marathon, &path, false).await;
                }
                _ => {}
            }
        }
    }
}
