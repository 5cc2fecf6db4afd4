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

use super::adopt;
use super::confirm;
use super::event::Reporter;
use super::live::{LiveGroup, Snapshot};
use super::plan::Desired;
use super::result::{GroupResult, Outcome, Undone};
use super::retire::{self, Kill};
use super::scope::Scope;
use super::session::{Owners, Session};
use super::settle::{registered_count, wait_and_register};
use super::undo;
use super::wait::Target;
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

/// Scales a group in place, without a restart. Scaling down drains first (`retire`): the
/// tasks to stop are chosen here (`undo::safe_victims`: never one that serves while one that
/// does not could go, and a refusal, exit 2, when instances waiting for an offer would make
/// Marathon stop a serving task instead of them), deregistered from etcd, then killed in one
/// request with `scale=true`, so Marathon stops exactly those; a refused kill registers them
/// again. With `force`, a Marathon deployment holding the group does not refuse the scale:
/// Marathon cancels it for the forced change.
pub async fn scale(
    scope: Scope<'_>,
    group: &LiveGroup,
    instances: u32,
    force: bool,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<GroupResult> {
    let keys = [group.key.clone()];
    let session = Session::open(scope, &keys, Owners::Refuse).await?;
    // Decide on what Marathon has now, under the lock: another command may have changed it.
    session
        .run(async |s| match s.snapshot().group(&group.key) {
            Some(fresh) => {
                s.refuse_paused(&group.key).await?;
                scale_fresh(s.scope(), s.snapshot(), fresh, instances, force, reporter, s.cancel(cancel)).await
            }
            None => Err(UserError::new(format!("`{}` is gone from Marathon", group.group_id)).into()),
        })
        .await
}

/// Every check before the first change (the etcd owner was checked by the session): one
/// revision, no deployment running (Marathon would refuse the change with 409, and nothing may
/// be drained for a refusal) unless `force`.
async fn scale_fresh(
    scope: Scope<'_>,
    snap: &Snapshot,
    group: &LiveGroup,
    instances: u32,
    force: bool,
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
    let busy: Vec<String> = snap.deployments_of(group).map(|d| d.id.clone()).collect();
    if !busy.is_empty() && !force {
        return Err(StatusError {
            status: ExitStatus::Locked,
            message: format!("`{}` is locked by Marathon deployment {}", group.group_id, busy.join(", ")),
            hint: Some(
                "wait for it to finish (`theseus view` shows it), or pass --force to cancel it and scale anyway".into(),
            ),
        }
        .into());
    }
    let queued = undo::queued(snap, &app.id);
    scale_locked(scope, group, app, queued, instances, force && !busy.is_empty(), reporter, cancel).await
}

/// `queued`: the app's instances waiting in Marathon's launch queue.
#[allow(clippy::too_many_arguments)]
async fn scale_locked(
    scope: Scope<'_>,
    group: &LiveGroup,
    app: &crate::marathon::types::App,
    queued: u32,
    instances: u32,
    force: bool,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<GroupResult> {
    let Scope { etcd, timing, .. } = scope;
    let have = app.instances.unwrap_or(0);
    let change = if instances < have {
        let kill = if force { Kill::AndScaleForced } else { Kill::AndScale };
        let names = etcd.get_group_container_names(&group.key).await.context("reading the group's containers")?;
        let registered = names.into_iter().collect();
        let victims = undo::safe_victims(app, &registered, queued, instances).map_err(|why| {
            let hint = if why.lowest < have {
                format!("scale to {} or more now; lower once the waiting instances run (`theseus view`)", why.lowest)
            } else {
                "scale down once the waiting instances run (`theseus view` shows them), or add capacity".to_owned()
            };
            UserError::with_hint(why.explain(&app.id, have, instances), hint)
        })?;
        // One kill naming every victim: Marathon stops exactly those (they are all active, so
        // the count drops by as many) and returns one deployment to wait for.
        let retired = retire::kill_these(scope, &group.key, app, &victims, kill, &[])
            .await
            .with_context(|| format!("scaling `{}` to {instances}", app.id))?;
        match retired {
            Some(change) => change,
            None => confirm::scale_app(scope.write()?.marathon, &app.id, instances, force).await?,
        }
    } else {
        confirm::scale_app(scope.write()?.marathon, &app.id, instances, force)
            .await
            .with_context(|| format!("scaling `{}` to {instances}", app.id))?
    };
    // Marathon accepted: a group etcd has no record of is recorded from Marathon's labels.
    adopt::ensure_recorded(scope, group).await?;
    undo::set_config_instances(scope, &group.key, &group.group_id, instances).await?;
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
            let deployment = change.deployment_id.as_deref();
            let (key, id) = (&group.key, &group.group_id);
            // What Marathon and the tasks said, read before the undo stops them.
            let evidence = super::evidence::witness(scope, &[(key, app.id.as_str())]).await.pop().flatten();
            let undone = undo::undo_scale(scope, key, id, &app.id, have, deployment, reporter, cancel.as_mut()).await;
            let what = format!("scaling `{}` to {instances}", group.group_id);
            let lines = super::evidence::group_lines(key, evidence.as_ref());
            let error = undo::outcome(err, &undone, &what, &lines);
            let row = GroupResult {
                service: group.key.service().to_owned(),
                group: group.key.group().to_owned(),
                id: group.group_id.clone(),
                result: if undone.is_ok() { Outcome::Undone } else { Outcome::UndoFailed },
                revision: group.revisions().into_iter().next(),
                instances: if undone.is_ok() { have } else { instances },
                deployment: change.deployment_id.clone(),
                converged: false,
                registered: 0,
                evidence,
            };
            return Err(Undone { rows: vec![row], error }.into());
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
        converged: timing.wait,
        registered: registered_count(&regs, &group.key),
        evidence: None,
    })
}
