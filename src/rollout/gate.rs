//! The health gate of rolling updates and restarts: waits until enough tasks of one revision
//! app are running, healthy by Marathon's health results and ready (where readiness checks
//! are defined) continuously for `min_healthy`, Marathon's deployment of the app has ended,
//! and no new task ended unforgiven, and fails fast on the signals Marathon gives.
//! Readiness is Marathon's `readinessCheckResults` during a deployment, or, through
//! [`pass_probed`], the client's own probes where no deployment runs the checks (a restart).
//!
//! Marathon never fails a deployment itself, so the gate does, with the detector it shares with
//! the convergence wait ([`super::stuck`]): unplaced instances whose offers keep being declined
//! across polls while nothing gets placed (the queue's reason), or new tasks that keep ending
//! (new `lastTaskFailure`s, task ids replaced, relaunches in the queue, or one end with the
//! relaunch backing off), fail it after `fail_after`; a gate not passed by its deadline fails
//! with [`WaitError::TimedOut`]. The gate waits for no app version, so the `lastTaskFailure` its
//! first poll sees is older than the step and never counts (a restart of an app that failed
//! months ago is no crash loop).

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use super::event::{Event, Reporter};
use super::live::Snapshot;
use super::readiness::Prober;
use super::stuck::{proof_time, Detector, Poll, Trouble};
use super::wait::{task_healthy, WaitError};
pub(super) use super::wakeup::poll_delay;
use super::wakeup::{Wakeup, Watch};
use crate::marathon::types::{App, Task, TaskState};
use crate::marathon::Client;
use crate::names::GroupKey;
use crate::spec::labels::Selector;

/// A Ctrl-C future that several waits of one rollout share.
pub(super) type Cancel<'a> = Pin<&'a mut dyn Future<Output = ()>>;

/// What one gate waits for.
#[derive(Debug, Clone)]
pub(super) struct Gate<'a> {
    /// The group.
    pub key: &'a GroupKey,
    /// The namespace it lives in.
    pub namespace: &'a str,
    /// The revision app whose tasks must be healthy.
    pub app_id: &'a str,
    /// How many tasks must pass.
    pub want: u32,
    /// Task ids that never count (the originals of a restart).
    pub exclude: &'a BTreeSet<String>,
    /// Tasks the step killed to have them relaunched (a restart's batch): their relaunches
    /// through Marathon's queue are no crash loop.
    pub relaunches: usize,
    /// How long each task must stay healthy.
    pub min_healthy: Duration,
    /// Give up after this long.
    pub deadline: Duration,
    /// Poll interval.
    pub poll: Duration,
    /// Fail when tasks stay unplaceable or keep failing this long; `None` waits out the deadline.
    pub fail_after: Option<Duration>,
    /// The event stream that wakes the gate between polls (none: it polls alone).
    pub wakeup: Option<&'a Wakeup>,
}

/// What a passed gate saw.
#[derive(Debug, Clone)]
pub(super) struct Passed {
    /// The last snapshot.
    pub snapshot: Snapshot,
    /// The app as Marathon last reported it.
    pub app: App,
    /// The tasks that passed.
    pub tasks: Vec<Task>,
}

/// Whether a task passed its readiness checks (always, where the app has none).
fn ready(app: &App, task: &Task, deploying: bool) -> bool {
    if app.readiness_checks.as_ref().is_none_or(Vec::is_empty) {
        return true;
    }
    // Marathon reports readiness only during a deployment, which ends when every task is ready.
    let results = app.readiness_check_results.as_deref().unwrap_or_default();
    let mine: Vec<_> = results.iter().filter(|r| r.task_id == task.id).collect();
    if mine.is_empty() {
        !deploying
    } else {
        mine.iter().all(|r| r.ready)
    }
}

/// Waits until the gate passes; see the module docs.
pub(super) async fn pass(
    client: &Client,
    gate: &Gate<'_>,
    reporter: &dyn Reporter,
    cancel: Cancel<'_>,
) -> Result<Passed, WaitError> {
    pass_probed(client, gate, None, reporter, cancel).await
}

/// [`pass`], with readiness judged by `probe` (which checks the tasks' endpoints itself) instead
/// of Marathon's `readinessCheckResults`: for changes that open no deployment (a restart), where
/// Marathon runs no readiness check ([`super::readiness`]).
pub(super) async fn pass_probed(
    client: &Client,
    gate: &Gate<'_>,
    probe: Option<&Prober>,
    reporter: &dyn Reporter,
    mut cancel: Cancel<'_>,
) -> Result<Passed, WaitError> {
    let name = format!("{}/{}", gate.key.service(), gate.key.group());
    let services = [gate.key.service().to_owned()];
    let started = Instant::now();
    let mut healthy_since: BTreeMap<String, Instant> = BTreeMap::new();
    let mut detector = gate.fail_after.map(|f| Detector::new(f).expecting_relaunches(gate.relaunches));
    let mut polls = 0u32;
    // Woken by the events of the app (its tasks' states and health, its deployments), so the
    // gate passes the moment a poll can see it; subscribed before the first poll.
    let mut watch = gate.wakeup.map_or_else(Watch::none, |w| w.watch(vec![gate.app_id.to_owned()]));
    // When the next task becomes healthy for `min_healthy`: no event says so.
    let mut due: Option<Duration> = None;
    loop {
        if polls > 0 {
            let mut pause = watch.delay(gate.poll, polls);
            // The client's own readiness probes send no event either.
            if probe.and_then(Prober::waiting).is_some() {
                pause = pause.min(poll_delay(gate.poll, polls));
            }
            if let Some(due) = due {
                pause = pause.min(due);
            }
            // A gate that no event wakes still fails at its deadline, not a poll later.
            pause = pause.min(gate.deadline.saturating_sub(started.elapsed()));
            tokio::select! {
                () = cancel.as_mut() => return Err(WaitError::Interrupted),
                () = watch.sleep(pause) => {}
            }
        }
        polls = polls.saturating_add(1);
        if started.elapsed() >= gate.deadline {
            return Err(WaitError::TimedOut { groups: format!("`{name}`"), timeout: gate.deadline });
        }
        let snap = Snapshot::read(client, gate.namespace, &services, &Selector::default()).await?;
        let Some(app) = snap.group(gate.key).and_then(|g| g.apps.iter().find(|a| a.id == gate.app_id)).cloned() else {
            return Err(WaitError::Gone { app: gate.app_id.to_owned() });
        };
        let deploying = snap.deployments.iter().any(|d| d.affected_apps.iter().any(|a| a == gate.app_id));
        let now = Instant::now();
        let tasks: Vec<&Task> = app.tasks.iter().flatten().filter(|t| !gate.exclude.contains(&t.id)).collect();
        let live: BTreeSet<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
        healthy_since.retain(|id, _| live.contains(id.as_str()));
        if let Some(p) = probe {
            p.retain(&live);
        }
        for t in &tasks {
            let ready = match probe {
                Some(p) => p.ready(&app, t),
                None => ready(&app, t, deploying),
            };
            if task_healthy(&app, t) && ready {
                healthy_since.entry(t.id.clone()).or_insert(now);
            } else {
                healthy_since.remove(&t.id);
            }
        }
        // A task of an app without health checks is only seen running: it also has to have
        // been seen so for a poll interval (`proof_time`, the waits' own rule).
        let min_healthy = gate.min_healthy.max(proof_time(&app, gate.poll));
        let passed: Vec<Task> = tasks
            .iter()
            .filter(|t| healthy_since.get(&t.id).is_some_and(|s| now.duration_since(*s) >= min_healthy))
            .map(|t| (*t).clone())
            .collect();
        due = healthy_since
            .values()
            .map(|since| min_healthy.saturating_sub(now.duration_since(*since)))
            .filter(|left| !left.is_zero())
            .min();
        // Every poll is observed: new tasks that ended since the gate began keep it closed until
        // one stays up for `fail_after` (a task that ends at once can be seen running by a poll).
        let queued = snap.queue.iter().find(|q| q.app.as_ref().is_some_and(|a| a.id == app.id));
        let poll = Poll { app: &app, queued, exclude: gate.exclude, since_version: None };
        let stuck = detector.as_mut().and_then(|d| d.observe(now, poll));
        let troubled = detector.as_ref().is_some_and(Detector::troubled);
        // Marathon's own deployment of the app must agree: it ends when its instances are up
        // (`core/deployment/impl/TaskStartActor.scala`, `ReadinessBehavior.scala`), and stays open
        // while a task that was seen running for a moment keeps crashing.
        if passed.len() as u32 >= gate.want && !troubled && !deploying {
            return Ok(Passed { snapshot: snap, app, tasks: passed });
        }
        if passed.len() as u32 >= gate.want {
            let trouble = detector.as_ref().filter(|_| troubled).map(Detector::trouble_summary);
            tracing::debug!(group = %name, deploying, "healthy, but held: {}", trouble.unwrap_or_default());
        }
        let state = match stuck {
            Some(stuck) if stuck.expired => {
                let group = format!("`{name}`");
                return Err(match stuck.trouble {
                    Trouble::Unplaceable => WaitError::Unplaceable { group, reason: stuck.reason },
                    Trouble::Failing => WaitError::Failing { group, reason: stuck.reason },
                });
            }
            Some(stuck) => format!("waiting: {}", stuck.reason),
            // Without a minimum healthy time, the counts before the comma say it all; then say
            // how many tasks Mesos runs (a task runs before its health checks pass).
            None if gate.min_healthy.is_zero() => {
                format!("{} running", tasks.iter().filter(|t| t.state == TaskState::Running).count())
            }
            None => format!(
                "{} healthy, {} of them for {}",
                healthy_since.len(),
                passed.len(),
                humantime::format_duration(gate.min_healthy)
            ),
        };
        let state = match probe.and_then(Prober::waiting) {
            Some(waiting) => format!("{state}; {waiting}"),
            None => state,
        };
        reporter.on(Event::Progress { group: name.clone(), healthy: passed.len() as u32, desired: gate.want, state });
    }
}

/// Sleeps `wait` between batches, reporting when the next batch starts; Ctrl-C ends it early.
pub(super) async fn pause(
    group: &str,
    wait: Duration,
    reporter: &dyn Reporter,
    cancel: Cancel<'_>,
) -> Result<(), WaitError> {
    if wait.is_zero() {
        return Ok(());
    }
    reporter.on(Event::Waiting { group: group.to_owned(), wait });
    tokio::select! {
        () = cancel => Err(WaitError::Interrupted),
        () = tokio::time::sleep(wait) => Ok(()),
    }
}
