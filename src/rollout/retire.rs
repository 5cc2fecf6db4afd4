//! Stopping tasks with a drain (DESIGN §4): the victims are deregistered from etcd just before
//! the kill request, and registered again if Marathon refuses it, so consumers never see a
//! dead task and a refusal leaves etcd as it was.

use anyhow::Context as _;

use super::inflight::InFlight;
use super::register::container_info;
use super::scope::Scope;
use super::wait::task_healthy;
use crate::etcd::{ContainerInfo, GroupChange};
use crate::marathon::types::{App, Task, TaskState};
use crate::marathon::Change;
use crate::names::GroupKey;

/// How the victims are killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kill {
    /// `scale=true`: the app's instances drop with them (a rolling update retiring old tasks).
    AndScale,
    /// `scale=true&force=true`: like [`Kill::AndScale`], and a Marathon deployment holding the
    /// app is canceled (`scale --force`; a forced plan cancels the conflicting deployment:
    /// M:src/main/scala/mesosphere/marathon/MarathonSchedulerActor.scala, `deploy`).
    AndScaleForced,
    /// `scale=false`: Marathon launches replacements (a restart).
    Relaunch,
}

impl Kill {
    /// Whether the app's instances drop with the killed tasks.
    fn scales(self) -> bool {
        self != Kill::Relaunch
    }

    /// Whether the kill cancels a deployment that holds the app.
    fn forced(self) -> bool {
        self == Kill::AndScaleForced
    }
}

/// Tasks to stop, best victims first: never one already killing (Marathon ignores a second
/// kill, so a target counting on it would never be reached), then unhealthy before healthy,
/// not running before running, youngest first.
pub(super) fn pick<'a>(app: &'a App, tasks: impl Iterator<Item = &'a Task>, n: usize) -> Vec<&'a Task> {
    let mut tasks: Vec<&Task> = tasks.filter(|t| t.state < TaskState::Killing).collect();
    tasks.sort_by(|a, b| {
        let rank = |t: &Task| (task_healthy(app, t), t.state == TaskState::Running);
        rank(a).cmp(&rank(b)).then_with(|| b.staged_at.cmp(&a.staged_at))
    });
    tasks.truncate(n);
    tasks
}

/// What [`kill_drained`] did: Marathon's last change (to wait on).
#[derive(Debug, Clone, Default)]
pub(super) struct Retired {
    /// The last change Marathon accepted (the kill, or the scale-down after it).
    pub change: Option<Change>,
}

/// Drains and kills `count` tasks of `app` (see the module docs), registering `registering` in
/// the drain's transaction ([`kill_these`]). With [`Kill::AndScale`], instances not launched yet
/// make up the rest by scaling down: they were never registered, so no drain is needed for them.
pub(super) async fn kill_drained(
    scope: Scope<'_>,
    key: &GroupKey,
    app: &App,
    count: u32,
    kill: Kill,
    registering: &[ContainerInfo],
) -> anyhow::Result<Retired> {
    let victims = pick(app, app.tasks.iter().flatten(), count as usize);
    let mut change = kill_these(scope, key, app, &victims, kill, registering).await?;
    let short = count.saturating_sub(victims.len() as u32);
    if kill.scales() && short > 0 {
        let target = app.instances.unwrap_or(0).saturating_sub(count);
        // The kill's own deployment stays open until its tasks are terminal, and a second
        // deployment on the app meanwhile is 409 (M:src/main/scala/mesosphere/marathon/core/
        // deployment/impl/DeploymentActor.scala, `decommissionInstances`): it ends first, so
        // the scale-down never overlaps it (and never cancels it with force).
        if let Some(done) = &change {
            let timing = scope.timing;
            let mut inflight = InFlight::new(scope.marathon, timing.poll, timing.timeout).woken(scope.wakeup());
            inflight.started(&app.id, done);
            let never = std::pin::pin!(std::future::pending::<()>());
            let wait = inflight.settle(&app.id, never);
            wait.await.with_context(|| format!("waiting for the kill of {} task(s) of `{}`", victims.len(), app.id))?;
        }
        let scaled = super::confirm::scale_app(scope.write()?.marathon, &app.id, target, kill.forced()).await;
        change = Some(scaled.with_context(|| format!("scaling `{}` to {target}", app.id))?);
    }
    Ok(Retired { change })
}

/// Drains and kills the given tasks of `app` in one kill request; `None` when there are none.
/// The drain is one read and batched deletes; a refused kill puts back exactly the
/// registrations it removed. `registering` (a rolling update's newly healthy tasks, which take
/// the victims' place) are registered in the drain's own transaction, before its deletes: one
/// etcd round trip between the health gate and the kill, and the group never lists fewer
/// containers than before it; they stay registered if the kill is refused.
pub(super) async fn kill_these(
    scope: Scope<'_>,
    key: &GroupKey,
    app: &App,
    victims: &[&Task],
    kill: Kill,
    registering: &[ContainerInfo],
) -> anyhow::Result<Option<Change>> {
    let etcd = scope.write()?.etcd;
    if victims.is_empty() {
        if !registering.is_empty() {
            etcd.register_containers(key, registering).await.context("registering the new containers")?;
        }
        return Ok(None);
    }
    let ids: Vec<String> = victims.iter().map(|t| t.id.clone()).collect();
    let drained = if registering.is_empty() {
        etcd.deregister_containers(key, &ids).await.context("draining the tasks to stop")?
    } else {
        let change = GroupChange { key: key.clone(), put: registering.to_vec(), delete: ids.clone() };
        etcd.write_group_change(&change).await.context("registering the new containers and draining the old")?
    };
    // Marathon lowers `instances` by the victims that are active and not killing already.
    let active = victims.iter().filter(|t| t.state < TaskState::Killing).count() as u32;
    let after = app.instances.map(|n| n.saturating_sub(active));
    match super::confirm::kill_tasks(scope.write()?.marathon, &app.id, &ids, kill.scales(), kill.forced(), after).await
    {
        Ok(change) => Ok(Some(change)),
        Err(err) => {
            // Marathon refused: the tasks live on, so consumers get them back.
            let back: Vec<_> =
                victims.iter().filter(|t| drained.contains(&t.id)).map(|t| container_info(app, t)).collect();
            scope.write()?.etcd.register_containers(key, &back).await.context("registering refused victims again")?;
            Err(anyhow::Error::new(err).context(format!("killing {} task(s) of `{}`", ids.len(), app.id)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, state: TaskState, staged: &str) -> Task {
        Task { id: id.into(), state, staged_at: Some(staged.into()), ..Task::default() }
    }

    /// A task already killing is never a victim: Marathon does not count a second kill of it
    /// towards the change, so a target counting on it would never be reached.
    #[test]
    fn killing_tasks_are_never_victims_and_the_youngest_go_first() {
        let app = App::default();
        let tasks = [
            task("old", TaskState::Running, "2026-01-01T00:00:00Z"),
            task("dying", TaskState::Killing, "2026-01-03T00:00:00Z"),
            task("young", TaskState::Running, "2026-01-02T00:00:00Z"),
            task("staging", TaskState::Staging, "2026-01-01T00:00:00Z"),
        ];
        let picked: Vec<&str> = pick(&app, tasks.iter(), 3).iter().map(|t| t.id.as_str()).collect();
        assert_eq!(picked, ["staging", "young", "old"]);
        assert!(pick(&app, tasks[1..2].iter(), 1).is_empty());
    }
}
