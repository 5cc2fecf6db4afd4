//! Waiting until groups converge: the deployments Marathon returned are gone and every target
//! revision runs its instances, healthy where it has health checks.
//!
//! Each poll costs three requests (apps with tasks, deployments, queue) whatever the number of
//! groups. Marathon never fails a deployment on its own, so the wait fails fast itself when,
//! across polls, tasks cannot be placed (with Marathon's reason) or new ones keep failing
//! (`rollout::stuck`), and gives up at the deadline.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use super::event::{Event, Reporter};
use super::live::{LiveGroup, Snapshot};
use super::scope::Timing;
pub use super::stuck::{describe_reason, task_healthy, unplaced_reason};
use super::stuck::{proof_time, Detector, Poll, Trouble};
use super::wakeup::{Wakeup, Watch};
use crate::error::{Classify, ExitStatus};
use crate::marathon::types::{App, QueueItem, TaskState};
use crate::marathon::{self, Client};
use crate::names::GroupKey;
use crate::spec::labels::Selector;

/// One group to wait for.
#[derive(Debug, Clone)]
pub struct Target {
    /// The group.
    pub key: GroupKey,
    /// The revision app that must run.
    pub app_id: String,
    /// Desired instances of that app.
    pub instances: u32,
    /// The deployment Marathon returned for the change, if any.
    pub deployment_id: Option<String>,
}

impl Target {
    fn name(&self) -> String {
        format!("{}/{}", self.key.service(), self.key.group())
    }
}

/// Why a wait ended without convergence.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// Talking to Marathon failed.
    #[error(transparent)]
    Marathon(#[from] marathon::Error),
    /// The timeout passed.
    #[error("{groups} did not converge within {}", humantime::format_duration(*.timeout))]
    TimedOut {
        /// The groups still not converged.
        groups: String,
        /// The timeout.
        timeout: Duration,
    },
    /// Marathon cannot place the tasks.
    #[error("cannot place the tasks of {group}: {reason}")]
    Unplaceable {
        /// The group.
        group: String,
        /// Marathon's reasons.
        reason: String,
    },
    /// Tasks keep failing.
    #[error("the tasks of {group} keep failing: {reason}")]
    Failing {
        /// The group.
        group: String,
        /// The last failure.
        reason: String,
    },
    /// The app disappeared while waiting (deleted or rolled back by someone else).
    #[error("{app} disappeared while waiting (deleted or its deployment rolled back)")]
    Gone {
        /// The app.
        app: String,
    },
    /// Ctrl-C.
    #[error("interrupted while waiting; Marathon carries on with the deployment")]
    Interrupted,
}

impl Classify for WaitError {
    fn exit_status(&self) -> Option<ExitStatus> {
        match self {
            WaitError::Marathon(e) => e.exit_status(),
            WaitError::TimedOut { .. } => Some(ExitStatus::Deadline),
            WaitError::Interrupted => Some(ExitStatus::Interrupted),
            _ => Some(ExitStatus::Failure),
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            WaitError::TimedOut { .. } => {
                Some("see `theseus view` for the state; raise --timeout to wait longer".into())
            }
            WaitError::Unplaceable { .. } => Some(
                "change the constraints or resources in the spec, or add agents; `theseus view` shows the state".into(),
            ),
            WaitError::Failing { .. } => Some(
                "check the task's stdout and stderr in its sandbox (a command must stay in the foreground: \
                 one that exits 0 ends its task too); `theseus view` shows the state"
                    .into(),
            ),
            WaitError::Interrupted => Some("`theseus view` shows where it got to".into()),
            WaitError::Marathon(e) => e.hint(),
            WaitError::Gone { .. } => None,
        }
    }
}

/// Counts of a revision app's instances.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Running tasks.
    pub running: u32,
    /// Running tasks that count as healthy (all checks alive, or no checks).
    pub healthy: u32,
}

/// Running and healthy counts of an app's tasks.
pub fn counts(app: &App) -> Counts {
    let tasks = app.tasks.as_deref().unwrap_or_default();
    Counts {
        running: tasks.iter().filter(|t| t.state == TaskState::Running).count() as u32,
        healthy: tasks.iter().filter(|t| task_healthy(app, t)).count() as u32,
    }
}

/// Short state text of a target in a snapshot.
fn state_text(target: &Target, app: Option<&App>, snap: &Snapshot) -> String {
    if let Some(d) = target.deployment_id.as_ref().and_then(|id| snap.deployments.iter().find(|d| &d.id == id)) {
        return format!("deploying {}/{}", d.current_step, d.total_steps);
    }
    if let Some(reason) = app.and_then(|a| queued(snap, &a.id)).and_then(unplaced_reason) {
        return format!("waiting: {reason}");
    }
    "starting".into()
}

fn queued<'a>(snap: &'a Snapshot, app_id: &str) -> Option<&'a QueueItem> {
    snap.queue.iter().find(|q| q.app.as_ref().is_some_and(|a| a.id == app_id))
}

fn find_app<'a>(group: Option<&'a LiveGroup>, app_id: &str) -> Option<&'a App> {
    group.and_then(|g| g.apps.iter().find(|a| a.id == app_id))
}

/// When each healthy task was first seen healthy: a convergence counts a task once it has been
/// seen so for its [`proof_time`] (a poll interval for an app without health checks).
#[derive(Debug, Default)]
struct Sightings {
    first: BTreeMap<String, Instant>,
}

impl Sightings {
    /// How many of `app`'s tasks count as up at `now`: the healthy ones first seen healthy at
    /// least their [`proof_time`] before.
    fn proven_up(&mut self, app: &App, now: Instant, poll: Duration) -> u32 {
        let proof = proof_time(app, poll);
        let healthy = app.tasks.as_deref().unwrap_or_default().iter().filter(|t| task_healthy(app, t));
        healthy.filter(|t| now.duration_since(*self.first.entry(t.id.clone()).or_insert(now)) >= proof).count() as u32
    }
}

/// Waits until every target converged; returns the last snapshot (for registration). Woken
/// between polls by the events of `wakeup` that name a target's app or deployment
/// ([`super::Wakeup`]; `None` polls alone): the wait ends on the first poll after the last
/// instance became healthy, not a poll interval later.
pub async fn converge(
    client: &Client,
    wakeup: Option<&Wakeup>,
    namespace: &str,
    targets: &[Target],
    opts: Timing,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> Result<Snapshot, WaitError> {
    let services: Vec<String> = {
        let mut s: Vec<String> = targets.iter().map(|t| t.key.service().to_owned()).collect();
        s.sort();
        s.dedup();
        s
    };
    reporter.on(Event::Started { total: targets.len() });
    let started = Instant::now();
    let deadline = tokio::time::sleep(opts.timeout);
    tokio::pin!(cancel, deadline);
    let mut detectors: BTreeMap<String, Detector> = BTreeMap::new();
    let mut converged: BTreeMap<String, bool> = BTreeMap::new();
    let mut seen = Sightings::default();
    let ids = targets.iter().flat_map(|t| std::iter::once(t.app_id.clone()).chain(t.deployment_id.clone())).collect();
    let mut watch = wakeup.map_or_else(Watch::none, |w| w.watch(ids));
    let mut polls = 0u32;
    loop {
        let pause = if polls == 0 { Duration::ZERO } else { watch.delay(opts.poll, polls) };
        polls = polls.saturating_add(1);
        tokio::select! {
            () = &mut cancel => return Err(WaitError::Interrupted),
            () = &mut deadline => {
                let groups = targets.iter().filter(|t| !converged.get(&t.name()).copied().unwrap_or(false))
                    .map(|t| format!("`{}`", t.name())).collect::<Vec<_>>().join(", ");
                return Err(WaitError::TimedOut { groups, timeout: opts.timeout });
            }
            () = watch.sleep(pause) => {
                let snap = Snapshot::read(client, namespace, &services, &Selector::default()).await?;
                let mut all = true;
                for t in targets {
                    let group = snap.group(&t.key);
                    let app = find_app(group, &t.app_id);
                    let deploying = t.deployment_id.as_ref().is_some_and(|id| snap.deployments.iter().any(|d| &d.id == id));
                    let Some(app) = app else {
                        if !deploying && started.elapsed() > opts.poll * 2 {
                            return Err(WaitError::Gone { app: t.app_id.clone() });
                        }
                        all = false;
                        continue;
                    };
                    let c = counts(app);
                    let others = group.map_or(0, |g| g.apps.len().saturating_sub(1));
                    let name = t.name();
                    // Fail fast: Marathon retries forever, we do not. Every poll is observed, so
                    // that tasks which ended since the wait began keep a group from counting as
                    // converged until one stays up for `--fail-after` (recovery).
                    let detector = detectors.entry(name.clone()).or_insert_with(|| Detector::new(opts.fail_after));
                    let none = std::collections::BTreeSet::new();
                    let poll = Poll { app, queued: queued(&snap, &app.id), exclude: &none, since_version: app.version.as_deref() };
                    let stuck = detector.observe(Instant::now(), poll);
                    let proven = seen.proven_up(app, Instant::now(), opts.poll);
                    let done = !deploying && c.healthy >= t.instances && c.running == t.instances && others == 0
                        && proven >= t.instances && !detector.troubled();
                    if done {
                        if !converged.insert(name.clone(), true).unwrap_or(false) {
                            reporter.on(Event::Converged { group: name.clone() });
                        }
                        continue;
                    }
                    converged.insert(name.clone(), false);
                    all = false;
                    reporter.on(Event::Progress { group: name.clone(), healthy: c.healthy, desired: t.instances, state: state_text(t, Some(app), &snap) });
                    if let Some(stuck) = stuck.filter(|s| s.expired) {
                        let group = format!("`{name}`");
                        return Err(match stuck.trouble {
                            Trouble::Unplaceable => WaitError::Unplaceable { group, reason: stuck.reason },
                            Trouble::Failing => WaitError::Failing { group, reason: stuck.reason },
                        });
                    }
                }
                if all {
                    reporter.on(Event::Finished);
                    return Ok(snap);
                }
            }
        }
    }
}

/// Waits until the given deployments are gone from `/v2/deployments` (for removals, where
/// nothing is left to check but the deployment that stops the tasks), woken between polls by
/// the events of `wakeup` naming them (`deployment_success`, `deployment_failed`).
pub async fn gone(
    client: &Client,
    wakeup: Option<&Wakeup>,
    deployment_ids: &[String],
    opts: Timing,
    cancel: impl Future<Output = ()>,
) -> Result<(), WaitError> {
    let deadline = tokio::time::sleep(opts.timeout);
    tokio::pin!(cancel, deadline);
    let mut watch = wakeup.map_or_else(Watch::none, |w| w.watch(deployment_ids.to_vec()));
    let mut polls = 0u32;
    loop {
        let pause = if polls == 0 { Duration::ZERO } else { watch.delay(opts.poll, polls) };
        polls = polls.saturating_add(1);
        tokio::select! {
            () = &mut cancel => return Err(WaitError::Interrupted),
            () = &mut deadline => return Err(WaitError::TimedOut { groups: deployment_ids.join(", "), timeout: opts.timeout }),
            () = watch.sleep(pause) => {
                let running = client.deployments().await?;
                if !running.iter().any(|d| deployment_ids.contains(&d.id)) {
                    return Ok(());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon::types::{HealthCheck, HealthCheckResult, Task};

    fn task(state: &str, alive: Option<bool>) -> Task {
        Task {
            id: "t".into(),
            state: serde_json::from_value(serde_json::Value::from(state)).unwrap(),
            health_check_results: alive.map(|a| vec![HealthCheckResult { alive: a, ..HealthCheckResult::default() }]),
            ..Task::default()
        }
    }

    #[test]
    fn healthy_means_running_and_every_check_alive() {
        let plain = App::default();
        assert!(task_healthy(&plain, &task("TASK_RUNNING", None)));
        assert!(!task_healthy(&plain, &task("TASK_STAGING", None)));
        let checked = App { health_checks: Some(vec![HealthCheck::default()]), ..App::default() };
        assert!(!task_healthy(&checked, &task("TASK_RUNNING", None)), "no result yet is not healthy");
        assert!(!task_healthy(&checked, &task("TASK_RUNNING", Some(false))));
        assert!(task_healthy(&checked, &task("TASK_RUNNING", Some(true))));
    }

    #[test]
    fn an_unchecked_task_counts_once_seen_running_for_a_poll_interval() {
        let poll = Duration::from_millis(200);
        let t0 = Instant::now();
        let mut seen = Sightings::default();
        let plain = App { tasks: Some(vec![task("TASK_RUNNING", None)]), ..App::default() };
        assert_eq!(seen.proven_up(&plain, t0, poll), 0, "at first sight a task may already be gone");
        assert_eq!(seen.proven_up(&plain, t0 + poll / 2, poll), 0);
        assert_eq!(seen.proven_up(&plain, t0 + poll, poll), 1, "seen a poll interval ago");
        let replaced =
            App { tasks: Some(vec![Task { id: "t2".into(), ..task("TASK_RUNNING", None) }]), ..App::default() };
        assert_eq!(seen.proven_up(&replaced, t0 + poll * 2, poll), 0, "a replacement starts over");
        let checked = App {
            health_checks: Some(vec![HealthCheck::default()]),
            tasks: Some(vec![task("TASK_RUNNING", Some(true))]),
            ..App::default()
        };
        let mut fresh = Sightings::default();
        assert_eq!(fresh.proven_up(&checked, t0, poll), 1, "a passed check is the evidence");
    }
}
