//! Undoing a `create` or a scale-up whose tasks cannot be placed or keep failing: exit 3 once
//! the change is undone, exit 4 when it cannot be (DESIGN §5; issue 9 item 5). Marathon would
//! retry such a deployment forever, so Theseus takes its change back itself:
//!
//! - create: the groups created in this call are drained, deleted from Marathon (with force:
//!   the deployment that cannot finish holds their lock) and removed from etcd
//!   ([`super::remove`]).
//! - scale-up: the app is scaled back to its previous count with force. Marathon picks what to
//!   stop by `ScalingProposition` (M:src/main/scala/mesosphere/marathon/core/deployment/
//!   ScalingProposition.scala): unreachable, staging, starting, then running tasks by
//!   `killSelection`, and only then instances still waiting for an offer (their condition
//!   `Scheduled` weighs 5, after `Running`'s 4). So a running task may go before an unplaced
//!   instance: every task it may pick is deregistered first, the wait then checks that the app
//!   really is back at its count, and etcd is synced to what runs.

use std::future::Future;

use anyhow::Context as _;
use serde_json::Value;

use super::event::{Event, Reporter};
use super::live::Snapshot;
use super::plan::Desired;
use super::register::{self, container_info};
use super::remove::{remove_locked, Doomed};
use super::scope::Scope;
use super::wait::{self, Target, WaitError};
use crate::error::{ExitStatus, StatusError};
use crate::etcd::Driver;
use crate::marathon::types::{App, Task, TaskState};
use crate::names::GroupKey;
use crate::spec::labels::Selector;

/// Whether a failed wait is one Theseus undoes (unplaceable, or new tasks keep failing); a
/// deadline, an interrupt or an error talking to Marathon keep their own exit codes.
pub fn undoable(err: &WaitError) -> bool {
    matches!(err, WaitError::Unplaceable { .. } | WaitError::Failing { .. })
}

/// The error a failed wait ends with after its undo: exit 3 when `undo` succeeded, else 4.
/// The wait's reason leads the message, and its hint is kept.
pub fn outcome(err: WaitError, undo: anyhow::Result<()>, what: &str) -> anyhow::Error {
    use crate::error::Classify as _;
    let status = match undo {
        Ok(()) => StatusError {
            status: ExitStatus::RolledBack,
            message: format!("{err}; {what} was undone"),
            hint: err.hint(),
        },
        Err(e) => StatusError {
            status: ExitStatus::RollbackFailed,
            message: format!("{err}; undoing {what} failed: {e:#}"),
            hint: Some("`theseus view` shows what is left; finish with `theseus scale` or `theseus remove`".into()),
        },
    };
    status.into()
}

/// Removes the groups a failed `create` made (see the module docs).
pub async fn undo_create(
    scope: Scope<'_>,
    created: &[&Desired],
    reporter: &dyn Reporter,
    reason: &WaitError,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let doomed: Vec<Doomed> = created
        .iter()
        .map(|d| {
            let group = format!("{}/{}", d.key.service(), d.key.group());
            reporter.on(Event::RollingBack { group, reason: reason.to_string() });
            Doomed { key: d.key.clone(), group_id: d.group_id.clone() }
        })
        .collect();
    let mut scope = scope;
    scope.waiting.wait = true;
    remove_locked(scope, &doomed, true, cancel).await.context("removing the groups created")?;
    Ok(())
}

/// Stores `instances` in a group's etcd config; a group created outside theseus has none.
pub async fn set_config_instances(etcd: &Driver, key: &GroupKey, group_id: &str, instances: u32) -> anyhow::Result<()> {
    match etcd.get_group_config(key).await {
        Ok(mut config) => {
            if let Value::Object(m) = &mut config {
                m.insert("instances".into(), Value::from(instances));
            }
            etcd.set_group_config(key, &config)
                .await
                .with_context(|| format!("updating the config of `{group_id}` in etcd"))
        }
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("reading the config of `{group_id}` from etcd"))),
    }
}

/// The tasks Marathon may stop when `app` is scaled down by `surplus`, in `ScalingProposition`
/// order (instances without a task come last, so they never push a task out of this list).
pub fn scale_down_candidates(app: &App, surplus: usize) -> Vec<&Task> {
    let weight = |t: &Task| match t.state {
        TaskState::Unreachable => 1,
        TaskState::Staging => 2,
        TaskState::Starting => 3,
        TaskState::Running => 4,
        _ => 5,
    };
    let oldest_first = app.kill_selection.as_deref() == Some("OLDEST_FIRST");
    let mut tasks: Vec<&Task> = app
        .tasks
        .iter()
        .flatten()
        .filter(|t| t.state < TaskState::Killing || t.state == TaskState::Unreachable)
        .collect();
    tasks.sort_by(|a, b| {
        let since = |t: &Task| t.started_at.clone().or_else(|| t.staged_at.clone()).unwrap_or_default();
        let by_age = if oldest_first { since(a).cmp(&since(b)) } else { since(b).cmp(&since(a)) };
        weight(a).cmp(&weight(b)).then(by_age)
    });
    tasks.truncate(surplus);
    tasks
}

/// Scales `app_id` of `group_id` back to `previous` after a failed scale-up (see the module docs).
pub async fn undo_scale(
    scope: Scope<'_>,
    key: &GroupKey,
    group_id: &str,
    app_id: &str,
    previous: u32,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let fresh = Snapshot::read_group(scope.marathon, scope.namespace, key).await?;
    let app = fresh.as_ref().and_then(|g| g.apps.iter().find(|a| a.id == app_id)).cloned();
    let Some(app) = app else { anyhow::bail!("`{app_id}` is gone from Marathon") };
    let surplus = app.instances.unwrap_or(0).saturating_sub(previous) as usize;
    let candidates = scale_down_candidates(&app, surplus);
    let ids: Vec<String> = candidates.iter().map(|t| t.id.clone()).collect();
    let drained = scope.etcd.deregister_containers(key, &ids).await.context("draining the tasks to stop")?;
    let change = match super::confirm::scale_app(scope.marathon, app_id, previous, true).await {
        Ok(change) => change,
        Err(err) => {
            let back: Vec<_> =
                candidates.iter().filter(|t| drained.contains(&t.id)).map(|t| container_info(&app, t)).collect();
            scope.etcd.register_containers(key, &back).await.context("registering refused victims again")?;
            return Err(anyhow::Error::new(err).context(format!("scaling `{app_id}` back to {previous}")));
        }
    };
    set_config_instances(scope.etcd, key, group_id, previous).await?;
    let target = Target {
        key: key.clone(),
        app_id: app_id.to_owned(),
        instances: previous,
        deployment_id: change.deployment_id,
    };
    let waited =
        wait::converge(scope.marathon, scope.namespace, &[target], scope.waiting.options, reporter, cancel).await;
    // Whatever happened, etcd ends listing exactly what runs healthy.
    let services = [key.service().to_owned()];
    let snap = Snapshot::read(scope.marathon, scope.namespace, &services, &Selector::default()).await?;
    register::sync(scope.etcd, &snap, std::slice::from_ref(key)).await.context("syncing the registration")?;
    waited.with_context(|| format!("waiting for `{app_id}` back at {previous} instance(s)"))?;
    Ok(())
}
