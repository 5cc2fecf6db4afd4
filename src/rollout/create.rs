//! `create`: new labeled groups in Marathon, then in etcd, every check before the first change.
//!
//! Order: take the groups' locks; then, under them, read Marathon (existence), check that etcd
//! does not record the group for another namespace and that the Marathon paths overlap
//! nothing; then one `PUT /v2/apps` array (Marathon validates the apps together and starts
//! them in one deployment; an answer that never came is confirmed by re-reading, see
//! [`super::confirm`]); only once Marathon accepted, the etcd record; then wait and register.
//! A refusal anywhere before the PUT changes nothing.

use std::future::Future;

use anyhow::Context as _;

use super::adopt;
use super::confirm;
use super::event::Reporter;
use super::live::{LiveGroup, Snapshot};
use super::overlap;
use super::plan::Desired;
use super::register;
use super::result::{GroupResult, Outcome, Undone};
use super::scope::Scope;
use super::session::{Owners, Session};
use super::settle::{registered_count, wait_and_register};
use super::undo;
use super::wait::Target;
use crate::error::UserError;
use crate::names::GroupKey;

/// Creates the groups that do not exist yet. Existing ones are a [`UserError`] (exit 2) unless
/// `skip_existing` (then their etcd record and registration are repaired from Marathon),
/// checked under the groups' locks before any change.
pub async fn create(
    scope: Scope<'_>,
    desired: &[Desired],
    skip_existing: bool,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<Vec<GroupResult>> {
    let keys: Vec<GroupKey> = desired.iter().map(|d| d.key.clone()).collect();
    // Under the locks: Marathon read afresh (existence), and every etcd owner checked.
    let session = Session::open(scope, &keys, Owners::Refuse).await?;
    session
        .run(async |s| create_locked(s.scope(), s.snapshot(), desired, skip_existing, reporter, s.cancel(cancel)).await)
        .await
}

async fn create_locked(
    scope: Scope<'_>,
    snap: &Snapshot,
    desired: &[Desired],
    skip_existing: bool,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<Vec<GroupResult>> {
    let (existing, new): (Vec<&Desired>, Vec<&Desired>) = desired.iter().partition(|d| snap.group(&d.key).is_some());
    if !existing.is_empty() && !skip_existing {
        let names: Vec<String> = existing.iter().map(|d| format!("`{}`", d.group_id)).collect();
        return Err(UserError::with_hint(
            format!("{} already exist{} in Marathon", names.join(", "), if names.len() == 1 { "s" } else { "" }),
            "pass --skip-existing to create only the missing groups, or use `theseus plan` to see the differences",
        )
        .into());
    }
    // Every check before the first change: the session checked the etcd owners; the paths.
    let live: Vec<&LiveGroup> = existing.iter().filter_map(|d| snap.group(&d.key)).collect();
    overlap::check(scope.marathon, &new).await?;
    let mut results = Vec::new();
    for g in live {
        results.push(skipped(scope, g, snap).await?);
    }
    if new.is_empty() {
        return Ok(results);
    }
    results.extend(create_new(scope, &new, reporter, cancel).await?);
    Ok(results)
}

/// A group that exists: its etcd record is made (from Marathon's labels if missing) and its
/// registration synced from `snap`, so a re-run repairs what an interrupted `create` left.
async fn skipped(scope: Scope<'_>, g: &LiveGroup, snap: &Snapshot) -> anyhow::Result<GroupResult> {
    adopt::ensure_recorded(scope, g).await?;
    let regs = register::sync(scope.write()?.etcd, snap, std::slice::from_ref(&g.key))
        .await
        .with_context(|| format!("registering the containers of `{}` in etcd", g.group_id))?;
    Ok(GroupResult {
        service: g.key.service().to_owned(),
        group: g.key.group().to_owned(),
        id: g.group_id.clone(),
        result: Outcome::Skipped,
        revision: g.revisions().into_iter().next(),
        instances: g.desired(),
        deployment: None,
        converged: false,
        registered: registered_count(&regs, &g.key),
        evidence: None,
    })
}

async fn create_new(
    scope: Scope<'_>,
    new: &[&Desired],
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<Vec<GroupResult>> {
    let wait = scope.timing.wait;
    let apps: Vec<_> = new.iter().map(|d| d.app.clone()).collect();
    let change = confirm::put_apps(scope.write()?.marathon, &apps).await.context("creating the apps in Marathon")?;
    for d in new {
        // One transaction creates the service marker (if missing), the group, its config and
        // its first history entry. A record left by a group that is gone from Marathon (ours:
        // the owner was checked) is stale: it is replaced.
        let history = super::history::created(d);
        let mut stored = scope.write()?.etcd.create_group_recorded(&d.key, &d.config, &history).await;
        if matches!(stored, Ok(false)) {
            scope
                .write()?
                .etcd
                .remove_group(&d.key)
                .await
                .with_context(|| format!("replacing the stale record of `{}`", d.group_id))?;
            stored = scope.write()?.etcd.create_group_recorded(&d.key, &d.config, &history).await;
        }
        stored.with_context(|| format!("storing the config of `{}` in etcd", d.group_id))?;
    }
    let targets: Vec<Target> = new
        .iter()
        .map(|d| Target {
            key: d.key.clone(),
            app_id: d.app.id.clone(),
            instances: d.app.instances.unwrap_or(1),
            deployment_id: change.deployment_id.clone(),
        })
        .collect();
    let mut cancel = std::pin::pin!(cancel);
    let (waited, regs, reg_result) = wait_and_register(scope, &targets, reporter, cancel.as_mut()).await;
    match waited {
        Err(err) if undo::undoable(&err) => {
            // What Marathon and the tasks said, read before the undo removes the apps.
            let apps: Vec<(&GroupKey, &str)> = new.iter().map(|d| (&d.key, d.app.id.as_str())).collect();
            let evidence = super::evidence::witness(scope, &apps).await;
            let undone = undo::undo_create(scope, new, reporter, &err, cancel.as_mut()).await;
            let result = if undone.is_ok() { Outcome::Undone } else { Outcome::UndoFailed };
            let names: Vec<String> = new.iter().map(|d| format!("`{}`", d.group_id)).collect();
            let lines: Vec<String> =
                new.iter().zip(&evidence).flat_map(|(d, e)| super::evidence::group_lines(&d.key, e.as_ref())).collect();
            let error = undo::outcome(err, &undone, &format!("creating {}", names.join(", ")), &lines);
            let rows = new
                .iter()
                .zip(evidence)
                .map(|(d, evidence)| GroupResult {
                    service: d.key.service().to_owned(),
                    group: d.key.group().to_owned(),
                    id: d.group_id.clone(),
                    result,
                    revision: Some(d.revision()),
                    instances: d.app.instances.unwrap_or(1),
                    deployment: change.deployment_id.clone(),
                    converged: false,
                    registered: 0,
                    evidence,
                })
                .collect();
            return Err(Undone { rows, error }.into());
        }
        waited => waited?,
    }
    reg_result?;
    Ok(new
        .iter()
        .map(|d| GroupResult {
            service: d.key.service().to_owned(),
            group: d.key.group().to_owned(),
            id: d.group_id.clone(),
            result: Outcome::Created,
            revision: Some(d.revision()),
            instances: d.app.instances.unwrap_or(1),
            deployment: change.deployment_id.clone(),
            converged: wait,
            registered: registered_count(&regs, &d.key),
            evidence: None,
        })
        .collect())
}
