//! Failing fast on the signals real Marathon gives, shared by the convergence wait of
//! `create`/`scale` ([`super::wait`]) and the rollout health gate ([`super::gate`]).
//!
//! Marathon never fails a deployment; it retries forever. What it shows is read from its source
//! (mesosphere/marathon, `src/main/scala/mesosphere/marathon/`):
//! - `core/launchqueue/LaunchStats.scala`: an app has a `/v2/queue` entry while an instance is
//!   scheduled (waiting for an offer, or failed and waiting for its relaunch) or provisioned
//!   (placed, still staging or pulling its image). An entry alone is no failure.
//! - `core/launchqueue/impl/OfferMatchStatistics.scala`: `processedOffersCount`,
//!   `unusedOffersCount` and `rejectSummaryLaunchAttempt` add up over the app's whole life;
//!   `rejectSummaryLastOffers` holds the last declined offer of each agent. One declined offer,
//!   or declines from long ago, say nothing about now: only counters that keep growing do.
//! - `core/launchqueue/impl/TaskLauncherActor.scala`: a backed-off app processes no offers.
//! - `lastTaskFailure` is the app's latest failed task (with its version); the queue's `delay`
//!   is the launch backoff that each failure grows (`impl/RateLimiter.scala`).
//!
//! - `state/TaskFailure.scala` (`isFailureState`): only TASK_FAILED, ERROR, LOST, DROPPED, GONE,
//!   GONE_BY_OPERATOR and UNKNOWN are recorded; a task that exits 0 (TASK_FINISHED) or that a
//!   Mesos-level health check kills (TASK_KILLED) is not, though Marathon relaunches it (and
//!   TASK_FINISHED grows the launch delay,
//!   `core/task/update/impl/steps/NotifyRateLimiterStepImpl.scala` `limitWorthy`). A kill for
//!   failed Marathon-level health checks is recorded as TASK_KILLED
//!   (`FromUnhealthyInstanceKillEvent`) but does not grow the delay, so its relaunch shows no
//!   backoff and its queue entry is brief. The record lives for the app's whole life
//!   (`core/history/impl/HistoryActor.scala`).
//! - `core/launchqueue/LaunchStats.scala` (`launchingInstancesFold`): an instance that ends and
//!   is relaunched re-enters the queue with a new `since`.
//!
//! So a [`Detector`] compares polls: an app is **unplaceable** when it has queued instances,
//! its active task count does not grow, and its unused-offer counter grows on at least two
//! polls (offers keep being declined), for `fail_after`; it **keeps failing** when it has not
//! recovered (an instance is queued, or a new task fails its health checks) and at least two new
//! tasks have ended since the first end `fail_after` ago (or one ended and its relaunch has been
//! backing off that long), with no new task healthy for `fail_after` in between. A task has
//! ended when it is a new `lastTaskFailure`, when its id is gone from the app or shows a
//! terminal state, or when the queue shows its instance relaunched: the last two catch the
//! loops Marathon records no failure for. A failure is new when it is of the awaited version,
//! or (with no version to wait for) when it is not the one the first poll saw: Marathon's
//! timestamps come from its own clock, so the step's start is that first poll, not ours.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use crate::marathon::types::{App, QueueItem, Task, TaskState};

/// What kind of trouble an app is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Trouble {
    /// Offers keep being declined and nothing gets placed.
    Unplaceable,
    /// New tasks keep failing.
    Failing,
}

/// An app that looks stuck: why, and whether it has been so for `fail_after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stuck {
    /// The kind of trouble.
    pub trouble: Trouble,
    /// Marathon's reason in words.
    pub reason: String,
    /// True once it has lasted `fail_after`: time to give up.
    pub expired: bool,
}

/// A run of polls in which offers were declined and nothing was placed.
#[derive(Debug, Clone, Copy)]
struct Declining {
    since: Instant,
    active: u32,
    polls: u32,
}

/// The last poll that showed the app queued.
#[derive(Debug, Clone)]
struct Queued {
    since: String,
    count: u32,
    /// Whether a later poll showed no entry.
    left: bool,
}

/// Follows one app across polls; see the module docs.
#[derive(Debug, Clone)]
pub(super) struct Detector {
    fail_after: Duration,
    offers: Option<(u64, u64)>,
    declining: Option<Declining>,
    /// The `lastTaskFailure` (task id, timestamp) of the first poll: not new.
    baseline: Option<Option<(String, String)>>,
    failed: BTreeSet<String>,
    forgiven: BTreeSet<String>,
    /// New tasks seen, not ended yet.
    seen: BTreeSet<String>,
    /// New tasks that ended (failed, gone or terminal) since the last recovery.
    ended: BTreeSet<String>,
    /// Relaunches the queue showed since the last recovery.
    relaunches: usize,
    /// Relaunches still expected from the step's own kills (a restart's batch): each of its
    /// killed originals comes back through the queue once, which is no end of a new task.
    expected: usize,
    queued: Option<Queued>,
    last_failure: Option<String>,
    first_failure_at: Option<Instant>,
    failing_since: Option<Instant>,
    running_since: BTreeMap<String, Instant>,
}

/// One poll of the app the detector follows.
#[derive(Debug, Clone, Copy)]
pub(super) struct Poll<'a> {
    /// The app as Marathon reports it (with its tasks).
    pub app: &'a App,
    /// Its `/v2/queue` entry, if any.
    pub queued: Option<&'a QueueItem>,
    /// Task ids that are not new (the originals of a restart).
    pub exclude: &'a BTreeSet<String>,
    /// Only failures of tasks of this app version or later count (`None`: any).
    pub since_version: Option<&'a str>,
}

impl Detector {
    /// A detector that gives up after `fail_after`.
    pub(super) fn new(fail_after: Duration) -> Self {
        Detector {
            fail_after,
            offers: None,
            declining: None,
            baseline: None,
            failed: BTreeSet::new(),
            forgiven: BTreeSet::new(),
            seen: BTreeSet::new(),
            ended: BTreeSet::new(),
            relaunches: 0,
            expected: 0,
            queued: None,
            last_failure: None,
            first_failure_at: None,
            failing_since: None,
            running_since: BTreeMap::new(),
        }
    }

    /// Whether new tasks ended (failed, finished, gone, relaunched) since the last recovery (a
    /// new task healthy for `fail_after`): a wait that sees its tasks up must not call that
    /// success yet, since a task that ends at once can still be seen running by one poll.
    pub(super) fn troubled(&self) -> bool {
        !self.ended.is_empty() || self.relaunches > 0 || !self.failed.is_empty()
    }

    /// The detector of a step that killed `n` tasks to have them relaunched (a restart's batch):
    /// the first `n` relaunches the queue shows are theirs. Counted, not matched: the queue names
    /// no task, and the relaunch of a killed original may show in a poll after the one where it
    /// left the app's tasks (Marathon reschedules an instance once its kill is terminal).
    pub(super) fn expecting_relaunches(mut self, n: usize) -> Self {
        self.expected = n;
        self
    }

    /// What keeps [`Self::troubled`] true, in words (for `-vv`).
    pub(super) fn trouble_summary(&self) -> String {
        format!(
            "ended {:?}, {} relaunched, failed {:?} (since the last recovery)",
            self.ended, self.relaunches, self.failed
        )
    }

    /// Takes one poll; returns the trouble the app is in, if any.
    pub(super) fn observe(&mut self, now: Instant, poll: Poll<'_>) -> Option<Stuck> {
        let tasks: Vec<_> = poll.app.tasks.iter().flatten().filter(|t| !poll.exclude.contains(&t.id)).collect();
        let active = tasks.iter().filter(|t| t.state < TaskState::Killing).count() as u32;
        let up: Vec<&str> = tasks.iter().filter(|t| task_healthy(poll.app, t)).map(|t| t.id.as_str()).collect();
        let unplaceable = self.unplaceable(now, poll.queued, active);
        self.track_ends(poll, &tasks);
        let failing = self.failing(now, poll, &tasks, &up);
        failing.or(unplaceable)
    }

    /// Counts new tasks that ended without a failure Marathon records: gone from the app or
    /// terminal, and relaunches the queue shows (a new `since`, see the module docs).
    fn track_ends(&mut self, poll: Poll<'_>, tasks: &[&Task]) {
        let current =
            |t: &&&Task| poll.since_version.is_none_or(|v| t.version.as_deref().is_none_or(|tv| not_before(tv, v)));
        let present: BTreeSet<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
        let gone: Vec<String> = self.seen.iter().filter(|id| !present.contains(id.as_str())).cloned().collect();
        for id in gone {
            self.seen.remove(&id);
            self.ended.insert(id);
        }
        for t in tasks.iter().filter(current) {
            let terminal = t.state > TaskState::Killing && t.state != TaskState::Unreachable;
            if terminal {
                self.seen.remove(&t.id);
                self.ended.insert(t.id.clone());
            } else if !self.ended.contains(&t.id) {
                self.seen.insert(t.id.clone());
            }
        }
        match poll.queued.filter(|q| q.count > 0) {
            Some(q) => {
                if let Some(last) = &self.queued {
                    // A new `since` with no fewer queued (or after the entry was gone) is an
                    // instance back in the queue; the first ones the step's kills expect are theirs.
                    if q.since != last.since && (last.left || q.count >= last.count) {
                        if self.expected > 0 {
                            self.expected -= 1;
                        } else {
                            self.relaunches += 1;
                            tracing::debug!(app = %poll.app.id, since = %q.since, count = q.count,
                                last_since = %last.since, last_count = last.count, left = last.left,
                                "the queue shows an instance relaunched");
                        }
                    }
                }
                if self.queued.is_none() {
                    // The first entry seen is the relaunch of one of the kills, when any.
                    self.expected = self.expected.saturating_sub(1);
                }
                self.queued = Some(Queued { since: q.since.clone(), count: q.count, left: false });
            }
            None => {
                if let Some(last) = &mut self.queued {
                    last.left = true;
                }
            }
        }
    }

    fn unplaceable(&mut self, now: Instant, queued: Option<&QueueItem>, active: u32) -> Option<Stuck> {
        let item = queued.filter(|q| q.count > 0);
        let counters = item
            .and_then(|q| q.processed_offers_summary.as_ref())
            .map(|s| (s.processed_offers_count, s.unused_offers_count));
        let declined_more = matches!((self.offers, counters), (Some((p0, u0)), Some((p, u))) if p > p0 && u > u0);
        self.offers = counters;
        let progress = self.declining.is_some_and(|d| active > d.active);
        if counters.is_none() || progress {
            self.declining = None;
        }
        // A poll that placed something starts no run: its declines may predate the placement.
        if declined_more && !progress {
            self.declining.get_or_insert(Declining { since: now, active, polls: 0 }).polls += 1;
        }
        let run = self.declining.filter(|d| d.polls >= 2)?;
        let reason = item.and_then(declined_reasons).unwrap_or_else(|| "offers keep being declined".into());
        Some(Stuck { trouble: Trouble::Unplaceable, reason, expired: now.duration_since(run.since) >= self.fail_after })
    }

    fn failing(&mut self, now: Instant, poll: Poll<'_>, tasks: &[&Task], up: &[&str]) -> Option<Stuck> {
        // A new task that stayed healthy for `fail_after` is recovery: ends before it are
        // forgiven. (A task that crashes at once may still be seen running for a poll.)
        self.running_since.retain(|id, _| up.contains(&id.as_str()));
        for id in up {
            self.running_since.entry((*id).to_owned()).or_insert(now);
        }
        if self.running_since.values().any(|since| now.duration_since(*since) >= self.fail_after) {
            self.forgiven.append(&mut self.failed);
            self.ended.clear();
            self.relaunches = 0;
            self.first_failure_at = None;
            self.failing_since = None;
        }
        let key = |f: &crate::marathon::types::TaskFailure| (f.task_id.clone(), f.timestamp.clone());
        let baseline = self.baseline.get_or_insert_with(|| poll.app.last_task_failure.as_ref().map(key)).clone();
        let failure = poll.app.last_task_failure.as_ref().filter(|f| {
            !poll.exclude.contains(&f.task_id)
                && match poll.since_version {
                    Some(v) => not_before(&f.version, v),
                    None => baseline.as_ref() != Some(&key(f)),
                }
        });
        if let Some(f) = failure {
            if !self.forgiven.contains(&f.task_id) && self.failed.insert(f.task_id.clone()) {
                self.seen.remove(&f.task_id);
                self.ended.insert(f.task_id.clone());
                self.last_failure = Some(format!("{} on {}: {}", f.state, f.host, f.message));
            }
        }
        let n = self.ended.len().max(self.relaunches);
        if n > 0 {
            self.first_failure_at.get_or_insert(now);
        }
        // Ended instances wait in Marathon's queue for their relaunch (scheduled again), so an
        // entry means the app has not recovered; its delay is the relaunch backoff. A kill for
        // failed health checks is relaunched at once, so a task failing its checks says it too.
        let failing_checks =
            tasks.iter().any(|t| t.health_check_results.iter().flatten().any(|h| !h.alive && h.last_failure.is_some()));
        let relaunching = poll.queued.is_some_and(|q| q.count > 0) || failing_checks;
        let backing_off = poll.queued.is_some_and(|q| !q.delay.overdue || q.delay.time_left_seconds > 0);
        let failing = relaunching && (n >= 2 || (n == 1 && backing_off));
        if !failing {
            self.failing_since = None;
            return None;
        }
        // Two new ends: count from the first one; one: from when its backoff was first seen.
        let since = match self.first_failure_at {
            Some(first) if n >= 2 => first,
            _ => *self.failing_since.get_or_insert(now),
        };
        let failed = self.failed.len();
        let reason = match &self.last_failure {
            Some(last) if failed > 0 => {
                format!("{last} ({failed} new task{} failed)", if failed == 1 { "" } else { "s" })
            }
            _ => format!(
                "they keep ending with no failure recorded: {n} ended and {} relaunched within {:.1}s \
                 (Marathon records none for a task that exits 0, TASK_FINISHED, or that a Mesos health check kills)",
                if n == 1 { "was" } else { "were" },
                self.first_failure_at.map_or(0.0, |f| now.duration_since(f).as_secs_f64()),
            ),
        };
        Some(Stuck { trouble: Trouble::Failing, reason, expired: now.duration_since(since) >= self.fail_after })
    }
}

/// How long a task must have been seen healthy before it counts as up, beyond any
/// `--min-healthy`: nothing for an app with health checks (a passed check is the evidence), a poll
/// interval for an app without.
///
/// Marathon's deployment counts a task of an app without checks started at `TASK_RUNNING`
/// (M:src/main/scala/mesosphere/marathon/core/deployment/impl/ReadinessBehavior.scala,
/// `markAsHealthyAndReady`), so a program that exits at once ends its deployment as a success.
/// Without a check, the only evidence that a task lives is time: the waits and the health gate
/// count such a task once a poll saw it running a poll interval after it was first seen. Waking
/// on events makes checked apps pass sooner; it never lets an unchecked one pass on the sight of
/// a task that may already be gone.
pub(super) fn proof_time(app: &App, poll: Duration) -> Duration {
    if app.health_checks.as_ref().is_some_and(|c| !c.is_empty()) {
        Duration::ZERO
    } else {
        poll
    }
}

/// Whether a task counts as healthy: running, and every health check alive (or none defined).
pub fn task_healthy(app: &App, task: &Task) -> bool {
    let checks = app.health_checks.as_ref().map_or(0, Vec::len);
    task.state == TaskState::Running
        && (checks == 0
            || task.health_check_results.as_ref().is_some_and(|r| r.len() >= checks && r.iter().all(|h| h.alive)))
}

/// The reasons Marathon declines an app's offers, in words: from the last offer of each agent
/// (`rejectSummaryLastOffers`), else from the app's lifetime summary.
fn declined_reasons(item: &QueueItem) -> Option<String> {
    let summary = item.processed_offers_summary.as_ref()?;
    let pick = |steps: &[crate::marathon::types::RejectionCount]| {
        let mut reasons: Vec<String> = Vec::new();
        for r in steps.iter().filter(|r| r.declined > 0) {
            let text = describe_reason(&r.reason);
            if !reasons.contains(&text) {
                reasons.push(text);
            }
        }
        (!reasons.is_empty()).then(|| reasons.join("; "))
    };
    pick(&summary.rejection_summary_last_offers).or_else(|| pick(&summary.rejection_summary_launch_attempt))
}

/// Why a queued app is not placed, from one snapshot (for `view`): the reasons, when the
/// latest offer Marathon processed for it was declined. Counters add up over the app's life,
/// so a non-zero count alone says nothing; the failing decision needs a `Detector`.
pub fn unplaced_reason(item: &QueueItem) -> Option<String> {
    let summary = item.processed_offers_summary.as_ref()?;
    let declined_at = summary.last_unused_offer_at.as_deref()?;
    if item.count == 0 || summary.last_used_offer_at.as_deref().is_some_and(|used| not_before(used, declined_at)) {
        return None;
    }
    declined_reasons(item)
}

/// Whether timestamp `a` is at or after `b` (ISO-8601 with any number of fraction digits, as
/// Marathon writes them); unparsable ones compare as strings.
fn not_before(a: &str, b: &str) -> bool {
    match (chrono::DateTime::parse_from_rfc3339(a), chrono::DateTime::parse_from_rfc3339(b)) {
        (Ok(a), Ok(b)) => a >= b,
        _ => a >= b,
    }
}

/// Marathon's rejection reason (`NoOfferMatchReason`) in words, with its name.
pub fn describe_reason(reason: &str) -> String {
    match reason {
        "UnfulfilledConstraint" => "no offer matches the constraint (UnfulfilledConstraint)".into(),
        "UnfulfilledRole" => "no offer has the accepted role (UnfulfilledRole)".into(),
        "NoCorrespondingReservationFound" => {
            "no offer holds the app's reservation (NoCorrespondingReservationFound)".into()
        }
        "AgentMaintenance" => "the agents are in maintenance (AgentMaintenance)".into(),
        "InsufficientCpus" => "not enough cpus on any agent (InsufficientCpus)".into(),
        "InsufficientMemory" => "not enough memory on any agent (InsufficientMemory)".into(),
        "InsufficientDisk" => "not enough disk on any agent (InsufficientDisk)".into(),
        "InsufficientGpus" => "not enough GPUs on any agent (InsufficientGpus)".into(),
        "InsufficientPorts" => "no agent has the ports (InsufficientPorts)".into(),
        "DeclinedScarceResources" => "offers with GPUs are kept for GPU apps (DeclinedScarceResources)".into(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
#[path = "stuck_tests.rs"]
mod tests;
