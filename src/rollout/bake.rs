//! The bake of a rolling update (`--bake DURATION`, the spec's `rollout.bake`): after the last
//! batch, with every old task retired and the old revision app still in Marathon at 0
//! instances, the new revision app is watched for the bake's length before the old app is
//! deleted. Anything going wrong meanwhile fails the rollout, which then rolls back as a failed
//! batch does (the old app is scaled back up to its capacity before the rollout, then the new
//! one is drained and deleted): a bake keeps the way back open while the new revision runs
//! alone.
//!
//! During a batch, new tasks are expected to start, and the health gate's crash detector
//! ([`super::stuck`]) waits for a loop (two ends, or one whose relaunch backs off) before it
//! gives up. During a bake the new revision's tasks are all up and healthy, so the [`Watch`]
//! counts any change for the worse at once, on the signals Marathon gives (read from its
//! source, `src/main/scala/mesosphere/marathon/`):
//! - a `lastTaskFailure` other than the one the bake's first poll saw: a task of the app failed
//!   (`state/TaskFailure.scala`; a Marathon-level health-check kill is one too);
//! - a health check result that records a failure the task has not recovered from: Marathon's
//!   `alive` is false from the first failed probe after the last success
//!   (`core/health/Health.scala`), long before `maxConsecutiveFailures` kills the task;
//! - a task the first poll saw that is gone, or a task that is not running (ending, or a
//!   relaunch staging): tasks that end with no failure recorded (TASK_FINISHED, a Mesos-level
//!   health-check kill) show only so;
//! - an instance in `/v2/queue`: scheduled for a relaunch
//!   (`core/launchqueue/LaunchStats.scala`).

use std::collections::BTreeSet;
use std::time::Instant;

use super::end::Run;
use super::event::Event;
use super::gate::Cancel;
use super::live::Snapshot;
use super::register::{health, Health};
use super::wait::{task_healthy, WaitError};
use crate::marathon::types::{App, QueueItem, TaskFailure, TaskState};
use crate::spec::labels::Selector;

impl Run<'_> {
    /// Watches the new revision app `new_id` for the rollout's `bake` (nothing to do without
    /// one), reporting `baking until HH:MM:SS` at each poll; fails with
    /// [`WaitError::Failing`] (`bake: task ... failed: ...`) on the first sign of trouble (see
    /// the module docs), or [`WaitError::Interrupted`] on Ctrl-C.
    pub(super) async fn bake(&mut self, new_id: &str, mut cancel: Cancel<'_>) -> Result<(), WaitError> {
        let bake = self.settings.rollout.bake;
        if bake.is_zero() {
            return Ok(());
        }
        let (scope, live, reporter) = (self.scope, self.live, self.reporter);
        let name = self.name();
        let services = [live.key.service().to_owned()];
        let started = Instant::now();
        let until = chrono::Local::now() + bake;
        let state = format!("baking until {}", until.format("%H:%M:%S"));
        let mut watch: Option<Watch> = None;
        // A task failing, turning unhealthy or ending wakes the bake at once.
        let mut events = scope.watch(vec![new_id.to_owned()]);
        loop {
            let snap = Snapshot::read(scope.marathon, scope.namespace, &services, &Selector::default()).await?;
            let Some(app) = snap.group(&live.key).and_then(|g| g.apps.iter().find(|a| a.id == new_id)) else {
                return Err(WaitError::Gone { app: new_id.to_owned() });
            };
            let queued = snap.queue.iter().find(|q| q.app.as_ref().is_some_and(|a| a.id == new_id));
            let watch = watch.get_or_insert_with(|| Watch::new(app));
            if let Some(trouble) = watch.trouble(app, queued) {
                return Err(WaitError::Failing { group: format!("`{name}`"), reason: format!("bake: {trouble}") });
            }
            let healthy = app.tasks.iter().flatten().filter(|t| task_healthy(app, t)).count() as u32;
            let desired = app.instances.unwrap_or(healthy);
            reporter.on(Event::Progress { group: name.clone(), healthy, desired, state: state.clone() });
            let left = bake.saturating_sub(started.elapsed());
            if left.is_zero() {
                return Ok(());
            }
            tokio::select! {
                () = cancel.as_mut() => return Err(WaitError::Interrupted),
                () = events.sleep(left.min(scope.timing.poll)) => {}
            }
        }
    }
}

/// What the bake's first poll saw of the new revision app, to tell what changed since.
#[derive(Debug, Clone)]
struct Watch {
    /// The app's tasks.
    tasks: BTreeSet<String>,
    /// Its `lastTaskFailure` (task id, timestamp): one from the batches, not new.
    failure: Option<(String, String)>,
}

/// A `lastTaskFailure` as Marathon keys it: task id and timestamp.
fn key(f: &TaskFailure) -> (String, String) {
    (f.task_id.clone(), f.timestamp.clone())
}

impl Watch {
    /// The watch of a bake whose first poll shows `app`.
    fn new(app: &App) -> Self {
        Watch {
            tasks: app.tasks.iter().flatten().map(|t| t.id.clone()).collect(),
            failure: app.last_task_failure.as_ref().map(key),
        }
    }

    /// What went wrong with `app` (queued as `queued`) since the first poll, in words; `None`
    /// while every task runs healthy.
    fn trouble(&self, app: &App, queued: Option<&QueueItem>) -> Option<String> {
        if let Some(f) = app.last_task_failure.as_ref().filter(|f| self.failure.as_ref() != Some(&key(f))) {
            return Some(format!("task {} failed: {} on {}: {}", f.task_id, f.state, f.host, f.message));
        }
        let tasks: Vec<_> = app.tasks.iter().flatten().collect();
        for t in &tasks {
            if t.state == TaskState::Running && health(app, t) == Health::Failing {
                let cause = t
                    .health_check_results
                    .iter()
                    .flatten()
                    .find(|h| !h.alive && h.last_failure.is_some())
                    .and_then(|h| h.last_failure_cause.as_deref())
                    .unwrap_or("no cause given");
                return Some(format!("task {} failed its health check: {cause}", t.id));
            }
        }
        if let Some(t) = tasks.iter().find(|t| t.state != TaskState::Running) {
            return Some(format!("task {} is {}", t.id, t.state));
        }
        let present: BTreeSet<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
        if let Some(gone) = self.tasks.iter().find(|id| !present.contains(id.as_str())) {
            return Some(format!("task {gone} ended"));
        }
        match queued.map_or(0, |q| q.count) {
            0 => None,
            1 => Some("an instance is waiting for its relaunch".into()),
            n => Some(format!("{n} instances are waiting for their relaunch")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon::types::{HealthCheck, HealthCheckResult, Task};

    fn task(id: &str, state: TaskState, alive: Option<bool>) -> Task {
        let result = |alive: bool| HealthCheckResult {
            alive,
            last_failure: (!alive).then(|| "2024-05-01T10:00:09.000Z".into()),
            last_failure_cause: (!alive).then(|| "HTTP 404 Not Found".into()),
            ..HealthCheckResult::default()
        };
        Task {
            id: id.into(),
            state,
            host: "10.0.0.1".into(),
            health_check_results: alive.map(|a| vec![result(a)]),
            ..Task::default()
        }
    }

    fn app(tasks: Vec<Task>, failure: Option<&str>) -> App {
        App {
            id: "/it/web/r2".into(),
            instances: Some(tasks.len() as u32),
            health_checks: Some(vec![HealthCheck::default()]),
            tasks: Some(tasks),
            last_task_failure: failure.map(|id| TaskFailure {
                task_id: id.into(),
                timestamp: "2024-05-01T10:00:09.000Z".into(),
                state: TaskState::Failed,
                host: "10.0.0.2".into(),
                message: "Command exited with status 1".into(),
                ..TaskFailure::default()
            }),
            ..App::default()
        }
    }

    fn healthy(id: &str) -> Task {
        task(id, TaskState::Running, Some(true))
    }

    #[test]
    fn healthy_tasks_and_an_old_failure_are_no_trouble() {
        // A crash of batch 1 that recovered is the app's lastTaskFailure for its whole life.
        let first = app(vec![healthy("a"), healthy("b")], Some("x"));
        let watch = Watch::new(&first);
        assert_eq!(watch.trouble(&first, None), None);
        // A task whose check has not reported yet is not failing either.
        let unknown = app(vec![healthy("a"), task("b", TaskState::Running, None)], Some("x"));
        assert_eq!(watch.trouble(&unknown, None), None);
    }

    #[test]
    fn a_new_task_failure_fails_at_once() {
        let watch = Watch::new(&app(vec![healthy("a"), healthy("b")], None));
        let failed = app(vec![healthy("a"), healthy("b")], Some("b"));
        assert_eq!(
            watch.trouble(&failed, None).as_deref(),
            Some("task b failed: TASK_FAILED on 10.0.0.2: Command exited with status 1")
        );
        // Another failure than the first poll's is new too.
        let watch = Watch::new(&failed);
        let again = app(vec![healthy("a"), healthy("b")], Some("a1"));
        assert!(watch.trouble(&again, None).is_some_and(|t| t.starts_with("task a1 failed: ")));
    }

    #[test]
    fn a_failing_health_check_fails_at_once_naming_its_cause() {
        let watch = Watch::new(&app(vec![healthy("a"), healthy("b")], None));
        let sick = app(vec![healthy("a"), task("b", TaskState::Running, Some(false))], None);
        assert_eq!(watch.trouble(&sick, None).as_deref(), Some("task b failed its health check: HTTP 404 Not Found"));
    }

    #[test]
    fn a_task_that_ends_or_is_relaunched_fails_at_once() {
        let watch = Watch::new(&app(vec![healthy("a"), healthy("b")], None));
        // Ended with no failure recorded (TASK_FINISHED): seen as not running, then gone.
        let finished = app(vec![healthy("a"), task("b", TaskState::Finished, None)], None);
        assert_eq!(watch.trouble(&finished, None).as_deref(), Some("task b is TASK_FINISHED"));
        let gone = app(vec![healthy("a")], None);
        assert_eq!(watch.trouble(&gone, None).as_deref(), Some("task b ended"));
        // Its relaunch staging, or waiting in the queue.
        let staging = app(vec![healthy("a"), task("c", TaskState::Staging, None)], None);
        assert_eq!(watch.trouble(&staging, None).as_deref(), Some("task c is TASK_STAGING"));
        let queued = QueueItem { count: 1, ..QueueItem::default() };
        let both = app(vec![healthy("a"), healthy("b")], None);
        assert_eq!(watch.trouble(&both, Some(&queued)).as_deref(), Some("an instance is waiting for its relaunch"));
        let empty = QueueItem { count: 0, ..QueueItem::default() };
        assert_eq!(watch.trouble(&both, Some(&empty)), None);
    }
}
