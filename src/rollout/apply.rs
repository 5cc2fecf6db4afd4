//! Applying changes to Marathon and etcd: create, scale and remove labeled groups.
//!
//! Every operation checks everything it can before its first change (existence, locks, etcd
//! reachability), sends as few requests as Marathon allows (all new groups in one
//! `PUT /v2/apps` array, so Marathon validates them together and starts them in one
//! deployment), waits by the deployment ids Marathon returned, and leaves etcd matching
//! Marathon's task list for the groups it touched, even when the wait fails.

use std::future::Future;

use anyhow::Context as _;
use serde_json::Value;

use super::event::Reporter;
use super::live::{LiveGroup, Snapshot};
pub use super::locks::{lock_groups, unlock};
use super::plan::Desired;
use super::register::{self, Registered};
pub use super::remove::{remove, Doomed};
pub use super::result::{GroupResult, Outcome};
use super::retire::{self, Kill};
pub use super::scope::{Scope, Waiting};
use super::undo;
use super::wait::{self, Target};
use crate::error::{ExitStatus, StatusError, UserError};
use crate::names::{GroupKey, InvalidName};
use crate::spec::labels::Selector;
use crate::spec::GroupSpec;

/// The desired state of a spec group under a namespace, with the config stored in etcd.
/// (A loaded spec has valid names, so the error is only for hand-built specs.)
pub fn desired(group: &GroupSpec, namespace: &str) -> Result<Desired, InvalidName> {
    let app = group.to_app(namespace);
    let mut config = serde_json::to_value(group).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut config {
        m.insert("namespace".into(), Value::String(namespace.to_owned()));
        m.insert("revision".into(), Value::String(group.revision()));
        m.insert("app_id".into(), Value::String(app.id.clone()));
    }
    Ok(Desired {
        key: GroupKey::new(&group.service, &group.group)?,
        labels: group.labels.clone(),
        group_id: group.group_id(namespace),
        app,
        config,
    })
}

fn services_of(desired: &[Desired]) -> Vec<String> {
    let mut s: Vec<String> = desired.iter().map(|d| d.key.service().to_owned()).collect();
    s.sort();
    s.dedup();
    s
}

/// Waits (if asked), then syncs registration from a fresh snapshot whatever the wait's outcome,
/// so etcd matches Marathon even after a failure. Returns the registration per group.
async fn wait_and_register(
    scope: Scope<'_>,
    targets: &[Target],
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> (Result<(), wait::WaitError>, Vec<Registered>, anyhow::Result<()>) {
    let Scope { marathon: client, etcd, namespace, waiting, .. } = scope;
    let groups: Vec<GroupKey> = targets.iter().map(|t| t.key.clone()).collect();
    let waited = if waiting.wait {
        wait::converge(client, namespace, targets, waiting.options, reporter, cancel).await.map(|_| ())
    } else {
        Ok(())
    };
    let mut services: Vec<String> = groups.iter().map(|g| g.service().to_owned()).collect();
    services.sort();
    services.dedup();
    let registered = async {
        let snap = Snapshot::read(client, namespace, &services, &Selector::default()).await?;
        let regs = register::sync(etcd, &snap, &groups).await?;
        anyhow::Ok(regs)
    }
    .await;
    match registered {
        Ok(r) => (waited, r, Ok(())),
        Err(e) => (waited, Vec::new(), Err(e.context("registering containers in etcd"))),
    }
}

fn registered_count(regs: &[Registered], key: &GroupKey) -> usize {
    regs.iter().find(|r| r.service == key.service() && r.group == key.group()).map_or(0, |r| r.containers)
}

/// Creates the groups that do not exist yet. Existing ones are a [`UserError`] (exit 2) unless
/// `skip_existing`, checked before any change.
pub async fn create(
    scope: Scope<'_>,
    desired: &[Desired],
    skip_existing: bool,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<Vec<GroupResult>> {
    let Scope { marathon: client, etcd, namespace, waiting, .. } = scope;
    let snap = Snapshot::read(client, namespace, &services_of(desired), &Selector::default())
        .await
        .with_context(|| format!("reading groups under `/{namespace}`"))?;
    let (existing, new): (Vec<&Desired>, Vec<&Desired>) = desired.iter().partition(|d| snap.group(&d.key).is_some());
    if !existing.is_empty() && !skip_existing {
        let names: Vec<String> = existing.iter().map(|d| format!("`{}`", d.group_id)).collect();
        return Err(UserError::with_hint(
            format!("{} already exist{} in Marathon", names.join(", "), if names.len() == 1 { "s" } else { "" }),
            "pass --skip-existing to create only the missing groups, or use `theseus plan` to see the differences",
        )
        .into());
    }
    let mut results: Vec<GroupResult> = existing
        .iter()
        .map(|d| GroupResult {
            service: d.key.service().to_owned(),
            group: d.key.group().to_owned(),
            id: d.group_id.clone(),
            result: Outcome::Skipped,
            revision: snap.group(&d.key).and_then(|g| g.revisions().into_iter().next()),
            instances: snap.group(&d.key).map_or(0, LiveGroup::desired),
            deployment: None,
            converged: false,
            registered: 0,
        })
        .collect();
    if new.is_empty() {
        return Ok(results);
    }
    // All new apps in one request: Marathon validates them together (nothing is created if one
    // is invalid) and starts them in one deployment.
    let keys: Vec<GroupKey> = new.iter().map(|d| d.key.clone()).collect();
    let locks = lock_groups(etcd, &keys, waiting.lock_timeout, scope.owner).await?;
    let result = create_locked(scope, &new, reporter, cancel).await;
    unlock(locks).await;
    results.extend(result?);
    Ok(results)
}

async fn create_locked(
    scope: Scope<'_>,
    new: &[&Desired],
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<Vec<GroupResult>> {
    let Scope { marathon: client, etcd, waiting, .. } = scope;
    let mut results = Vec::new();
    let apps: Vec<_> = new.iter().map(|d| d.app.clone()).collect();
    let change = client.put_apps(&apps).await.context("creating the apps in Marathon")?;
    for d in new {
        // One transaction creates the service marker (if missing), the group, its config and
        // its first history entry.
        etcd.create_group_recorded(&d.key, &d.config, &super::history::created(d))
            .await
            .with_context(|| format!("storing the config of `{}` in etcd", d.group_id))?;
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
            let undone = undo::undo_create(scope, new, reporter, &err, cancel.as_mut()).await;
            let names: Vec<String> = new.iter().map(|d| format!("`{}`", d.group_id)).collect();
            return Err(undo::outcome(err, undone, &format!("creating {}", names.join(", "))));
        }
        waited => waited?,
    }
    reg_result?;
    for d in new {
        results.push(GroupResult {
            service: d.key.service().to_owned(),
            group: d.key.group().to_owned(),
            id: d.group_id.clone(),
            result: Outcome::Created,
            revision: Some(d.revision()),
            instances: d.app.instances.unwrap_or(1),
            deployment: change.deployment_id.clone(),
            converged: waiting.wait,
            registered: registered_count(&regs, &d.key),
        });
    }
    Ok(results)
}

/// The one live group a `SERVICE -l LABELS` selection names; anything else is a [`UserError`].
pub fn the_group<'a>(snap: &'a Snapshot, service: &str, selector: &Selector) -> anyhow::Result<&'a LiveGroup> {
    let matching: Vec<&LiveGroup> =
        snap.groups.values().filter(|g| g.key.service() == service && selector.matches(&g.labels)).collect();
    match matching.as_slice() {
        [one] => Ok(one),
        [] => Err(UserError::with_hint(
            format!("no group of service `{service}` matches the labels"),
            "`theseus view` lists the groups and their labels",
        )
        .into()),
        many => {
            // An exact label-set match wins over a partial one.
            if let Some(exact) = many.iter().find(|g| g.labels == selector.required) {
                return Ok(exact);
            }
            let names: Vec<String> = many.iter().map(|g| format!("`{}`", g.key.group())).collect();
            Err(UserError::with_hint(
                format!("the labels match {} groups of `{service}`: {}", many.len(), names.join(", ")),
                "give the group's full label set with -l",
            )
            .into())
        }
    }
}

/// Scales a group in place, without a restart. Scaling down drains first ([`retire`]): the
/// tasks to stop are chosen here, deregistered from etcd, then killed with `scale=true`; a
/// refused kill registers them again.
pub async fn scale(
    scope: Scope<'_>,
    group: &LiveGroup,
    instances: u32,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<GroupResult> {
    let keys = [group.key.clone()];
    let locks = lock_groups(scope.etcd, &keys, scope.waiting.lock_timeout, scope.owner).await?;
    // Decide on what Marathon has now, under the lock: another command may have changed it.
    let result = match Snapshot::read_group(scope.marathon, scope.namespace, &group.key).await {
        Ok(Some(fresh)) => scale_fresh(scope, &fresh, instances, reporter, cancel).await,
        Ok(None) => Err(UserError::new(format!("`{}` is gone from Marathon", group.group_id)).into()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("reading `{}` under its lock", group.group_id))),
    };
    unlock(locks).await;
    result
}

async fn scale_fresh(
    scope: Scope<'_>,
    group: &LiveGroup,
    instances: u32,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<GroupResult> {
    let app = match group.apps.as_slice() {
        [app] => app,
        [] => return Err(UserError::new(format!("`{}` has no app", group.group_id)).into()),
        apps => {
            return Err(StatusError {
                status: ExitStatus::Locked,
                message: format!("`{}` is in the middle of a rollout ({} revisions)", group.group_id, apps.len()),
                hint: Some("let the rollout finish (or roll it back) before scaling".into()),
            }
            .into())
        }
    };
    scale_locked(scope, group, app, instances, reporter, cancel).await
}

async fn scale_locked(
    scope: Scope<'_>,
    group: &LiveGroup,
    app: &crate::marathon::types::App,
    instances: u32,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<GroupResult> {
    let Scope { marathon: client, etcd, waiting, .. } = scope;
    let have = app.instances.unwrap_or(0);
    let change = if instances < have {
        let retired = retire::kill_drained(scope, &group.key, app, have - instances, Kill::AndScale)
            .await
            .with_context(|| format!("scaling `{}` to {instances}", app.id))?;
        match retired.change {
            Some(change) => change,
            None => client.scale_app(&app.id, instances, false).await?,
        }
    } else {
        client
            .scale_app(&app.id, instances, false)
            .await
            .with_context(|| format!("scaling `{}` to {instances}", app.id))?
    };
    // The config key holds what is deployed; a group created outside theseus has none to update.
    undo::set_config_instances(etcd, &group.key, &group.group_id, instances).await?;
    let target = Target {
        key: group.key.clone(),
        app_id: app.id.clone(),
        instances,
        deployment_id: change.deployment_id.clone(),
    };
    let mut cancel = std::pin::pin!(cancel);
    let (waited, regs, reg_result) =
        wait_and_register(scope, std::slice::from_ref(&target), reporter, cancel.as_mut()).await;
    match waited {
        // A scale-up that cannot be placed or keeps failing is scaled back (exit 3, or 4).
        Err(err) if undo::undoable(&err) && instances > have => {
            let name = format!("{}/{}", group.key.service(), group.key.group());
            reporter.on(super::event::Event::RollingBack { group: name, reason: err.to_string() });
            let undone =
                undo::undo_scale(scope, &group.key, &group.group_id, &app.id, have, reporter, cancel.as_mut()).await;
            return Err(undo::outcome(err, undone, &format!("scaling `{}` to {instances}", group.group_id)));
        }
        waited => waited?,
    }
    reg_result?;
    Ok(GroupResult {
        service: group.key.service().to_owned(),
        group: group.key.group().to_owned(),
        id: group.group_id.clone(),
        result: Outcome::Scaled,
        revision: group.revisions().into_iter().next(),
        instances,
        deployment: change.deployment_id,
        converged: waiting.wait,
        registered: registered_count(&regs, &group.key),
    })
}
