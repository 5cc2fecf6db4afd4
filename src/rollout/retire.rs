//! Stopping tasks with a drain (DESIGN §4): the victims are deregistered from etcd just before
//! the kill request, and registered again if Marathon refuses it, so consumers never see a
//! dead task and a refusal leaves etcd as it was.

use anyhow::Context as _;

use super::apply::Scope;
use super::register::container_info;
use super::wait::task_healthy;
use crate::marathon::types::{App, Task, TaskState};
use crate::names::GroupKey;

/// How the victims are killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kill {
    /// `scale=true`: the app's instances drop with them (a rolling update retiring old tasks).
    AndScale,
    /// `scale=false`: Marathon launches replacements (a restart).
    Relaunch,
}

/// Tasks to stop, best victims first: never one already killing (Marathon ignores a second
/// kill, so a target counting on it would never be reached), then unhealthy before healthy,
/// not running before running, youngest first.
pub fn pick<'a>(app: &'a App, tasks: impl Iterator<Item = &'a Task>, n: usize) -> Vec<&'a Task> {
    let mut tasks: Vec<&Task> = tasks.filter(|t| t.state < TaskState::Killing).collect();
    tasks.sort_by(|a, b| {
        let rank = |t: &Task| (task_healthy(app, t), t.state == TaskState::Running);
        rank(a).cmp(&rank(b)).then_with(|| b.staged_at.cmp(&a.staged_at))
    });
    tasks.truncate(n);
    tasks
}

/// Drains and kills `count` tasks of `app` (see the module docs); returns the killed task ids.
/// With [`Kill::AndScale`], instances not launched yet make up the rest by scaling down.
pub async fn kill_drained(
    scope: Scope<'_>,
    key: &GroupKey,
    app: &App,
    count: u32,
    kill: Kill,
) -> anyhow::Result<Vec<String>> {
    let victims = pick(app, app.tasks.iter().flatten(), count as usize);
    kill_these(scope, key, app, &victims, kill).await?;
    let short = count.saturating_sub(victims.len() as u32);
    if kill == Kill::AndScale && short > 0 {
        let target = app.instances.unwrap_or(0).saturating_sub(count);
        scope.marathon.scale_app(&app.id, target, true).await.with_context(|| format!("scaling `{}` down", app.id))?;
    }
    Ok(victims.iter().map(|t| t.id.clone()).collect())
}

/// Drains and kills the given tasks of `app`.
pub async fn kill_these(
    scope: Scope<'_>,
    key: &GroupKey,
    app: &App,
    victims: &[&Task],
    kill: Kill,
) -> anyhow::Result<()> {
    if victims.is_empty() {
        return Ok(());
    }
    let mut drained = Vec::new();
    for t in victims {
        if scope.etcd.deregister_container(key, &t.id).await.with_context(|| format!("draining `{}`", t.id))? {
            drained.push(container_info(app, t));
        }
    }
    let ids: Vec<String> = victims.iter().map(|t| t.id.clone()).collect();
    if let Err(err) = scope.marathon.kill_tasks(&ids, kill == Kill::AndScale).await {
        // Marathon refused: the tasks live on, so consumers get them back.
        scope.etcd.register_containers(key, &drained).await.context("registering refused victims again")?;
        return Err(anyhow::Error::new(err).context(format!("killing {} task(s) of `{}`", ids.len(), app.id)));
    }
    Ok(())
}
