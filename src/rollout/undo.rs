//! Undoing a `create` or a scale-up whose tasks cannot be placed or keep failing: exit 3 once
//! the change is undone, exit 4 when it cannot be (DESIGN §5). Marathon would
//! retry such a deployment forever, so Theseus takes its change back itself.
//!
//! - create: the groups created in this call are drained, deleted from Marathon (with force:
//!   the deployment that cannot finish holds their lock) and removed from etcd
//!   (`rollout::remove`).
//! - scale-up: the app goes back to its previous count without ever stopping a task that serves
//!   (running, healthy, registered in etcd) while something that does not serve could go
//!   instead, or it is left as it is with exit 4 and the reason. The same rule
//!   picks the tasks of a `theseus scale` down ([`safe_victims`]).
//!
//! # What Marathon stops when an app shrinks
//!
//! Every way to lower an app's count ends in `ScalingProposition.propose`
//! (M:src/main/scala/mesosphere/marathon/core/deployment/ScalingProposition.scala): a `PUT` of
//! `instances`, a group `scaleBy`, the revert of `DELETE /v2/deployments/{id}` (a forced new
//! plan back to the old count: M:src/main/scala/mesosphere/marathon/api/v2/DeploymentsResource.scala
//! `cancel`, M:src/main/scala/mesosphere/marathon/core/deployment/DeploymentPlan.scala `revert`),
//! the periodic `SchedulerActions.scale` (M:src/main/scala/mesosphere/marathon/MarathonSchedulerActor.scala)
//! and a kill with `scale=true`, all through `DeploymentActor.scaleRunnable`
//! (M:src/main/scala/mesosphere/marathon/core/deployment/impl/DeploymentActor.scala). `propose`
//! counts every instance whose goal is Running, placed or not, stops
//! `decommissionCount = max(goalRunning - scaleTo, sentenced)` of them, and takes them in this
//! order: the *sentenced* ones (the ids a `scale=true` kill named), then those picked to meet
//! constraints, then the rest by `sortByConditionAndDate`: Unreachable, Staging, Starting,
//! Running, and only then everything else (weight 5), which is where an instance still waiting
//! for an offer (`Scheduled`) or waiting for its relaunch after a failure sits. Health plays no
//! part. So a plain scale-down of an app with `u` waiting instances stops up to `u` placed
//! tasks, healthy ones included, while the waiting ones stay; the capacity they free then
//! places the waiting instances, which start from nothing.
//!
//! The one lever a client has is sentencing: `POST /v2/tasks/delete?scale=true` with task ids
//! (M:src/main/scala/mesosphere/marathon/api/v2/TasksResource.scala `killTasks`,
//! M:src/main/scala/mesosphere/marathon/api/TaskKiller.scala `killAndScale`) lowers the count by
//! the named instances that are active and not already killing, and passes all of them as
//! sentenced, so Marathon stops exactly those. It cannot reach a waiting instance:
//!
//! - A `Scheduled` instance has no task, so no task id: `/v2/apps/{id}/tasks`, `/v2/tasks` and
//!   `embed=apps.tasks` list only instances with an agent and tasks
//!   (M:src/main/scala/mesosphere/marathon/core/appinfo/EnrichedTask.scala `fromInstance`), and
//!   `/v2/queue` shows counts, not ids.
//! - Even named (a waiting-for-relaunch instance keeps its failed task), it is not active, so
//!   `killAndScale` does not lower the count for it; sentenced anyway, `propose` stops it and
//!   starts a new one in its place (`toStart = scaleTo - goalRunning + decommissionCount`).
//!   And a kill whose count does not change makes no deployment step at all
//!   (`DeploymentPlan.dependencyOrderedSteps` needs a scale change), so nothing is sentenced.
//! - Cancelling the scale-up's deployment (`DELETE /v2/deployments/{id}?force=true`) stops its
//!   `TaskStartActor` but keeps the waiting instances: nothing in 1.10 purges them from the
//!   launch queue. Without `force` it reverts, which is the plain scale-down above.
//!
//! (Forcing them out with `wipe=true` would need their instance ids, which only the event stream
//! publishes, and the periodic scale or the open deployment would schedule them again.)
//!
//! # The sequence Theseus uses
//!
//! [`safe_victims`] chooses, on one fresh read of the app and of etcd, the tasks to stop:
//!
//! 1. No instance waits (an app waits for as many as it has fewer tasks than instances, or as
//!    its `/v2/queue` count says, e.g. a stuck restart's new instances): the usual choice (not
//!    serving first, then [`super::retire::pick`]).
//! 2. Some wait, and the tasks that do not serve (staging, starting, unhealthy, or not
//!    registered) cover the whole surplus: exactly those, sentenced, so none that serves goes.
//! 3. Some wait and they do not: every way down stops a serving task while a waiting instance
//!    could go instead. Theseus refuses before any change: a `theseus scale` down exits 2 and
//!    names the lowest count it can reach safely; an undo leaves the app at its new count, the
//!    scale-up's deployment still placing the waiting instances (they serve once capacity frees
//!    up), registers what serves, and exits 4 with the way out as its hint.
//!
//! An undo that can go ahead first ends the scale-up's own deployment, which never finishes on
//! its own: `DELETE /v2/deployments/{id}?force=true` (a cancel, no revert), waiting until
//! Marathon no longer lists it; it then decides again on a fresh read (placement may have moved
//! meanwhile) and sends one kill with `scale=true` and without `force`, so two deployments never
//! overlap on the app and nothing relies on `force` to end Theseus's own previous step. The
//! victims are deregistered before the kill (DESIGN §4), and it waits for the deployment the
//! kill returned (Marathon keeps it open until the killed tasks are terminal) and for the app
//! at its count; etcd is synced to what runs however it ends.

use std::collections::BTreeSet;
use std::future::Future;

use anyhow::Context as _;
use serde_json::Value;

use super::event::{Event, Reporter};
use super::live::Snapshot;
use super::plan::Desired;
use super::register;
use super::remove::{remove_locked, Doomed};
use super::retire::{self, Kill};
use super::scope::Scope;
use super::wait::{self, task_healthy, Target, WaitError};
use crate::error::{ExitStatus, StatusError};
use crate::etcd::Driver;
use crate::marathon::types::{App, Task};
use crate::names::GroupKey;
use crate::spec::labels::Selector;

/// Whether a failed wait is one Theseus undoes (unplaceable, or new tasks keep failing); a
/// deadline, an interrupt or an error talking to Marathon keep their own exit codes.
pub(super) fn undoable(err: &WaitError) -> bool {
    matches!(err, WaitError::Unplaceable { .. } | WaitError::Failing { .. })
}

/// The error a failed wait ends with after its undo: exit 3 when `undo` succeeded, else 4.
/// The wait's reason leads the message, the `evidence` lines (taken before the undo,
/// [`super::evidence::witness_lines`]) follow it, and its hint is kept.
pub(super) fn outcome(err: WaitError, undo: &anyhow::Result<()>, what: &str, evidence: &[String]) -> StatusError {
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
            hint: Some(match e.downcast_ref::<Refused>() {
                Some(refused) => refused.hint.clone(),
                None => "`theseus view` shows what is left; finish with `theseus scale` or `theseus remove`".into(),
            }),
        },
    };
    let mut status = status;
    for line in evidence {
        status.message.push_str("\n    ");
        status.message.push_str(line);
    }
    status
}

/// Removes the groups a failed `create` made (see the module docs).
pub(super) async fn undo_create(
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
    scope.timing.wait = true;
    let mut services: Vec<String> = doomed.iter().map(|d| d.key.service().to_owned()).collect();
    services.sort();
    services.dedup();
    let snap = Snapshot::read(scope.marathon, scope.namespace, &services, &Selector::default())
        .await
        .context("reading the groups created from Marathon")?;
    // Created by this command, under its locks: their etcd records are ours.
    let ours = |_: &GroupKey| true;
    remove_locked(scope, &snap, &doomed, true, &ours, cancel).await.context("removing the groups created")?;
    Ok(())
}

/// Stores `instances` in a group's etcd config; a group created outside theseus has none.
pub(super) async fn set_config_instances(
    scope: Scope<'_>,
    key: &GroupKey,
    group_id: &str,
    instances: u32,
) -> anyhow::Result<()> {
    match scope.etcd.get_group_config(key).await {
        Ok(mut config) => {
            if let Value::Object(m) = &mut config {
                m.insert("instances".into(), Value::from(instances));
            }
            scope
                .write()?
                .etcd
                .set_group_config(key, &config)
                .await
                .with_context(|| format!("updating the config of `{group_id}` in etcd"))
        }
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("reading the config of `{group_id}` from etcd"))),
    }
}

/// Why an app cannot shrink without stopping a task that serves (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Unsafe {
    /// Instances Marathon counts that wait for an offer or for a relaunch.
    pub waiting: u32,
    /// Placed tasks that do not serve: the only ones that may go.
    pub not_serving: u32,
    /// The lowest count the app can reach without stopping a task that serves.
    pub lowest: u32,
}

impl Unsafe {
    /// The reason, for `app_id` going from `from` to `to` instances.
    pub(super) fn explain(&self, app_id: &str, from: u32, to: u32) -> String {
        format!(
            "`{app_id}` cannot go from {from} to {to} instance(s) without stopping a task that serves: {} instance(s) \
             still wait for an offer, and Marathon stops placed tasks, healthy or not, before those \
             (ScalingProposition); the lowest count it can reach without that is {}",
            self.waiting, self.lowest
        )
    }
}

/// A change Theseus refused to make (see the module docs), with the way out.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(super) struct Refused {
    /// What was refused and why.
    pub message: String,
    /// What the user can do.
    pub hint: String,
}

/// Whether a task serves: running, healthy and registered in etcd.
fn serving(app: &App, registered: &BTreeSet<String>, task: &Task) -> bool {
    task_healthy(app, task) && registered.contains(&task.id)
}

/// The tasks to stop, with `scale=true`, to bring `app` down to `target` instances without ever
/// stopping a task that serves while something that does not could go instead (see the module
/// docs): those that do not serve first, then [`retire::pick`]'s order. When instances wait for
/// an offer or a relaunch (`queued`, the app's `/v2/queue` count, or fewer tasks than
/// instances: Marathon counts them but stops every placed task before them) only tasks that do
/// not serve may go, and [`Unsafe`] says so when they are too few.
pub(super) fn safe_victims<'a>(
    app: &'a App,
    registered: &BTreeSet<String>,
    queued: u32,
    target: u32,
) -> Result<Vec<&'a Task>, Unsafe> {
    let instances = app.instances.unwrap_or(0);
    let surplus = instances.saturating_sub(target) as usize;
    let mut order = retire::pick(app, app.tasks.iter().flatten(), usize::MAX);
    order.sort_by_key(|t| serving(app, registered, t));
    let waiting = instances.saturating_sub(order.len() as u32).max(queued);
    let not_serving = order.iter().filter(|t| !serving(app, registered, t)).count();
    if waiting > 0 && surplus > not_serving {
        return Err(Unsafe { waiting, not_serving: not_serving as u32, lowest: instances - not_serving as u32 });
    }
    order.truncate(surplus);
    Ok(order)
}

/// The containers etcd lists for a group.
async fn registered(etcd: &Driver, key: &GroupKey) -> anyhow::Result<BTreeSet<String>> {
    let names = etcd.get_group_container_names(key).await.context("reading the group's containers from etcd")?;
    Ok(names.into_iter().collect())
}

/// The instances of `app_id` waiting in Marathon's launch queue.
pub(super) fn queued(snap: &Snapshot, app_id: &str) -> u32 {
    snap.queue.iter().filter(|q| q.app.as_ref().is_some_and(|a| a.id == app_id)).map(|q| q.count).sum()
}

/// What an undo decides on: the app with its tasks, the group's registrations, the queue count.
struct Fresh {
    app: App,
    registered: BTreeSet<String>,
    queued: u32,
}

impl Fresh {
    async fn read(scope: &Scope<'_>, key: &GroupKey, app_id: &str) -> anyhow::Result<Fresh> {
        let services = [key.service().to_owned()];
        let snap = Snapshot::read(scope.marathon, scope.namespace, &services, &Selector::default()).await?;
        let app = snap.group(key).and_then(|g| g.apps.iter().find(|a| a.id == app_id)).cloned();
        let Some(app) = app else { anyhow::bail!("`{app_id}` is gone from Marathon") };
        let queued = queued(&snap, app_id);
        Ok(Fresh { app, registered: registered(scope.etcd, key).await?, queued })
    }

    fn victims(&self, target: u32) -> Result<Vec<&Task>, Unsafe> {
        safe_victims(&self.app, &self.registered, self.queued, target)
    }
}

/// The group's name as `theseus scale` takes it (`SERVICE/GROUP`).
fn group_arg(key: &GroupKey) -> String {
    format!("{}/{}", key.service(), key.group())
}

/// Scales `app_id` of `group_id` back to `previous` after a failed scale-up whose deployment is
/// `deployment` (see the module docs): refused before any change when a task that serves would
/// have to go, else the deployment is canceled and the tasks that do not serve are killed with
/// `scale=true`. etcd ends matching what runs however it ends.
#[allow(clippy::too_many_arguments)]
pub(super) async fn undo_scale(
    scope: Scope<'_>,
    key: &GroupKey,
    group_id: &str,
    app_id: &str,
    previous: u32,
    deployment: Option<&str>,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let mut cancel = std::pin::pin!(cancel);
    let undone = undo_scale_inner(scope, key, group_id, app_id, previous, deployment, reporter, cancel.as_mut()).await;
    // Whatever happened, etcd ends listing exactly what runs healthy.
    let services = [key.service().to_owned()];
    let snap = Snapshot::read(scope.marathon, scope.namespace, &services, &Selector::default()).await?;
    register::sync(scope.write()?.etcd, &snap, std::slice::from_ref(key)).await.context("syncing the registration")?;
    undone
}

#[allow(clippy::too_many_arguments)]
async fn undo_scale_inner(
    scope: Scope<'_>,
    key: &GroupKey,
    group_id: &str,
    app_id: &str,
    previous: u32,
    deployment: Option<&str>,
    reporter: &dyn Reporter,
    mut cancel: std::pin::Pin<&mut impl Future<Output = ()>>,
) -> anyhow::Result<()> {
    let refused = |app: &App, why: Unsafe, canceled: bool| {
        let have = app.instances.unwrap_or(0);
        let left = if canceled {
            "its deployment is canceled; Marathon keeps placing the waiting instances"
        } else {
            "its deployment keeps placing the waiting instances"
        };
        Refused {
            message: format!("{}; `{group_id}` stays at {have} ({left})", why.explain(app_id, have, previous)),
            hint: format!(
                "the waiting instances serve once there is room for them (`theseus view` shows them); to go back \
                 then, `theseus scale {} --instances {previous}` stops the tasks that do not serve first",
                group_arg(key)
            ),
        }
    };
    let fresh = Fresh::read(&scope, key, app_id).await?;
    if let Err(why) = fresh.victims(previous) {
        return Err(refused(&fresh.app, why, false).into());
    }
    // The scale-up's deployment never ends on its own: cancel it (no revert, which would be a
    // plain scale-down) and wait until Marathon no longer lists it.
    if let Some(id) = deployment {
        match scope.write()?.marathon.cancel_deployment(id, true).await {
            Err(e) if !e.is_not_found() => {
                return Err(anyhow::Error::new(e).context(format!("canceling the scale-up's deployment {id}")))
            }
            _ => {}
        }
        let ids = [id.to_owned()];
        wait::gone(scope.marathon, scope.wakeup(), &ids, scope.timing, cancel.as_mut())
            .await
            .with_context(|| format!("waiting for the scale-up's deployment {id} to end"))?;
    }
    // Decide again: tasks may have been placed, or have failed, meanwhile.
    let fresh = Fresh::read(&scope, key, app_id).await?;
    let victims = fresh.victims(previous).map_err(|why| refused(&fresh.app, why, deployment.is_some()))?;
    let change = retire::kill_these(scope, key, &fresh.app, &victims, Kill::AndScale, &[])
        .await
        .with_context(|| format!("scaling `{app_id}` back to {previous}"))?;
    set_config_instances(scope, key, group_id, previous).await?;
    let target = Target {
        key: key.clone(),
        app_id: app_id.to_owned(),
        instances: previous,
        deployment_id: change.and_then(|c| c.deployment_id),
    };
    wait::converge(scope.marathon, scope.wakeup(), scope.namespace, &[target], scope.timing, reporter, cancel)
        .await
        .with_context(|| format!("waiting for `{app_id}` back at {previous} instance(s)"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon::types::TaskState;

    fn task(id: &str, state: TaskState, staged: &str) -> Task {
        Task { id: id.into(), state, staged_at: Some(staged.into()), ..Task::default() }
    }

    fn app(instances: u32, tasks: Vec<Task>) -> App {
        App { id: "/a".into(), instances: Some(instances), tasks: Some(tasks), ..App::default() }
    }

    fn ids(victims: &[&Task]) -> Vec<String> {
        victims.iter().map(|t| t.id.clone()).collect()
    }

    /// With instances waiting for an offer only tasks that do not serve go (staging, or running
    /// but not registered), sentenced by id, since Marathon stops every placed task before a
    /// waiting one (M:src/main/scala/mesosphere/marathon/core/deployment/ScalingProposition.scala
    /// `propose`); when they are too few the scale-down is refused with the lowest safe count.
    #[test]
    fn waiting_instances_leave_only_tasks_that_do_not_serve() {
        let tasks = vec![
            task("serving", TaskState::Running, "2026-01-01T00:00:00Z"),
            task("unregistered", TaskState::Running, "2026-01-01T00:00:00Z"),
            task("staging", TaskState::Staging, "2026-01-02T00:00:00Z"),
        ];
        let registered: BTreeSet<String> = ["serving".to_owned(), "staging".to_owned()].into();
        // 5 instances, 3 placed: 2 wait.
        let a = app(5, tasks);
        assert_eq!(ids(&safe_victims(&a, &registered, 0, 3).unwrap()), ["staging", "unregistered"]);
        let why = safe_victims(&a, &registered, 0, 2).unwrap_err();
        assert_eq!(why, Unsafe { waiting: 2, not_serving: 2, lowest: 3 });
        assert!(why.explain("/a", 5, 2).contains("the lowest count it can reach without that is 3"));
    }

    /// With nothing waiting, serving tasks may go once the others have.
    #[test]
    fn without_waiting_instances_serving_tasks_go_last() {
        let tasks = vec![
            task("old", TaskState::Running, "2026-01-01T00:00:00Z"),
            task("young", TaskState::Running, "2026-01-03T00:00:00Z"),
            task("staging", TaskState::Staging, "2026-01-02T00:00:00Z"),
        ];
        let registered: BTreeSet<String> = ["old".to_owned(), "young".to_owned()].into();
        let a = app(3, tasks);
        assert_eq!(ids(&safe_victims(&a, &registered, 0, 1).unwrap()), ["staging", "young"]);
        assert!(safe_victims(&a, &registered, 0, 3).unwrap().is_empty());
    }
}
