//! Unit tests of the [`Detector`]: sequences of snapshots shaped as Marathon's `/v2/queue` and
//! `lastTaskFailure` render them (see the module docs of `stuck.rs` for the Scala sources).

use super::*;
use crate::marathon::types::{
    HealthCheck, HealthCheckResult, ProcessedOffersSummary, QueueDelay, RejectionCount, Task, TaskFailure,
};

const POLL: Duration = Duration::from_millis(200);

fn task(id: &str, state: TaskState) -> Task {
    Task { id: id.into(), state, ..Task::default() }
}

fn app(tasks: Vec<Task>, failure: Option<(&str, &str)>) -> App {
    App {
        id: "/a".into(),
        version: Some("2024-01-01T00:00:01.000Z".into()),
        tasks: Some(tasks),
        last_task_failure: failure.map(|(id, version)| TaskFailure {
            app_id: "/a".into(),
            host: "127.0.0.2".into(),
            message: "Command exited with status 1".into(),
            state: TaskState::Failed,
            task_id: id.into(),
            version: version.into(),
            ..TaskFailure::default()
        }),
        ..App::default()
    }
}

/// A queue entry with lifetime counters and the last offers of three agents declined for `reason`.
fn queued(count: u32, processed: u64, unused: u64, reason: &str, backoff: bool) -> QueueItem {
    let step = |r: &str, d: u64, p: u64| RejectionCount { reason: r.into(), declined: d, processed: p };
    QueueItem {
        count,
        delay: QueueDelay { time_left_seconds: u64::from(backoff), overdue: !backoff },
        processed_offers_summary: Some(ProcessedOffersSummary {
            processed_offers_count: processed,
            unused_offers_count: unused,
            rejection_summary_last_offers: vec![step("UnfulfilledRole", 0, 3), step(reason, 3, 3)],
            rejection_summary_launch_attempt: vec![step(reason, unused, processed)],
            ..ProcessedOffersSummary::default()
        }),
        ..QueueItem::default()
    }
}

/// Feeds `(app, queue)` polls `POLL` apart; returns what each poll said.
fn run(polls: &[(App, Option<QueueItem>)], fail_after: Duration, version: Option<&str>) -> Vec<Option<Stuck>> {
    let mut d = Detector::new(fail_after);
    let start = Instant::now();
    let none = BTreeSet::new();
    polls
        .iter()
        .enumerate()
        .map(|(i, (a, q))| {
            let poll = Poll { app: a, queued: q.as_ref(), exclude: &none, since_version: version };
            d.observe(start + POLL * i as u32, poll)
        })
        .collect()
}

#[test]
fn one_declined_offer_is_not_a_failure() {
    let running = vec![task("t1", TaskState::Running)];
    // Counters from long ago (lifetime), then one more decline, then the instance is placed.
    let polls = vec![
        (app(running.clone(), None), Some(queued(1, 40, 30, "InsufficientCpus", false))),
        (app(running.clone(), None), Some(queued(1, 43, 33, "InsufficientCpus", false))),
        (app(vec![task("t1", TaskState::Running), task("t2", TaskState::Staging)], None), None),
    ];
    assert!(run(&polls, Duration::ZERO, None).iter().all(Option::is_none));
}

#[test]
fn stale_counters_that_do_not_grow_are_not_a_failure() {
    let staging = vec![task("t1", TaskState::Staging)];
    // Pulling an image: queued (provisioned), old declines in the summary, counters still.
    let polls: Vec<_> =
        (0..20).map(|_| (app(staging.clone(), None), Some(queued(1, 9, 6, "UnfulfilledConstraint", false)))).collect();
    assert!(run(&polls, Duration::from_secs(1), None).iter().all(Option::is_none));
}

#[test]
fn declines_that_keep_growing_without_progress_fail_after_the_limit() {
    let one = vec![task("t1", TaskState::Running)];
    let polls: Vec<_> = (0..10u64)
        .map(|i| (app(one.clone(), None), Some(queued(1, 3 * i + 3, 3 * i + 3, "UnfulfilledConstraint", false))))
        .collect();
    let seen = run(&polls, Duration::from_secs(1), None);
    assert!(seen[0].is_none() && seen[1].is_none(), "a baseline, then one growing poll: {seen:?}");
    let first = seen[2].clone().expect("stuck from the second growing poll");
    assert_eq!(first.trouble, Trouble::Unplaceable);
    assert!(!first.expired);
    assert!(first.reason.contains("no offer matches the constraint (UnfulfilledConstraint)"), "{}", first.reason);
    assert!(!first.reason.contains("UnfulfilledRole"), "only reasons that declined offers");
    // growth began at poll 1 (t = 200 ms): expired from t >= 1.2 s, poll 6
    assert!(!seen[5].as_ref().unwrap().expired);
    assert!(seen[6].as_ref().unwrap().expired);
}

#[test]
fn a_placement_in_between_restarts_the_clock() {
    let mut polls = Vec::new();
    for i in 0..12u64 {
        // one more task gets placed at poll 5, the rest still cannot be
        let n = if i < 5 { 1 } else { 2 };
        let tasks = (0..n).map(|k| task(&format!("t{k}"), TaskState::Running)).collect();
        polls.push((app(tasks, None), Some(queued(2, 3 * i + 3, 3 * i + 3, "InsufficientMemory", false))));
    }
    let seen = run(&polls, Duration::from_secs(1), None);
    assert!(seen[4].as_ref().is_some_and(|s| !s.expired));
    assert!(seen[5].is_none(), "progress: the run of declines starts again");
    assert!(seen[6].is_none(), "one growing poll is not enough");
    assert!(seen[10].as_ref().is_some_and(|s| !s.expired), "{:?}", seen[10]);
    assert!(seen[11].as_ref().is_some_and(|s| s.expired && s.reason.contains("InsufficientMemory")));
}

#[test]
fn new_tasks_that_keep_failing_fail_within_the_limit() {
    let v = "2024-01-01T00:00:01.000Z";
    let mut polls = Vec::new();
    for i in 0..10 {
        // a command that exits at once: a new failed task id every other poll, backoff between;
        // the relaunched task is caught running for a poll before it fails
        let failed = format!("t{}", i / 2);
        let relaunched = if i % 2 == 1 { vec![task(&format!("t{}", i / 2 + 1), TaskState::Running)] } else { vec![] };
        polls.push((app(relaunched, Some((&failed, v))), Some(queued(1, 5, 0, "", i % 2 == 0))));
    }
    let seen = run(&polls, Duration::from_secs(1), Some(v));
    let first = seen[0].clone().expect("one failure while backing off");
    assert_eq!(first.trouble, Trouble::Failing);
    assert!(
        first.reason.contains("TASK_FAILED on 127.0.0.2: Command exited with status 1 (1 new task failed)"),
        "{}",
        first.reason
    );
    assert!(!seen[4].as_ref().unwrap().expired);
    let last = seen[5].clone().unwrap();
    assert!(last.expired && last.reason.contains("(3 new tasks failed)"), "{last:?}");
}

#[test]
fn failures_of_older_versions_or_excluded_tasks_do_not_count() {
    let old = "2024-01-01T00:00:00.5Z";
    let polls: Vec<_> =
        (0..10).map(|i| (app(vec![task("t1", TaskState::Running)], Some((&*format!("old{i}"), old))), None)).collect();
    assert!(run(&polls, Duration::ZERO, Some("2024-01-01T00:00:01.000Z")).iter().all(Option::is_none));

    let mut d = Detector::new(Duration::ZERO);
    let excluded: BTreeSet<String> = ["orig".to_string()].into();
    let a = app(vec![], Some(("orig", old)));
    let q = queued(1, 1, 0, "", true);
    let poll = Poll { app: &a, queued: Some(&q), exclude: &excluded, since_version: None };
    assert_eq!(d.observe(Instant::now(), poll), None, "an original of a restart is not a new task");
}

#[test]
fn one_failure_then_a_healthy_relaunch_is_not_a_failure() {
    let v = "2024-01-01T00:00:01.000Z";
    let polls = vec![
        (app(vec![], Some(("t0", v))), Some(queued(1, 1, 0, "", true))),
        (app(vec![task("t1", TaskState::Running)], Some(("t0", v))), None),
        (app(vec![task("t1", TaskState::Running)], Some(("t0", v))), None),
    ];
    let seen = run(&polls, Duration::from_secs(10), Some(v));
    assert!(seen[0].as_ref().is_some_and(|s| !s.expired));
    assert!(seen[1].is_none() && seen[2].is_none(), "{seen:?}");
}

#[test]
fn the_view_reason_needs_the_latest_offer_declined() {
    let mut item = queued(1, 10, 4, "UnfulfilledConstraint", false);
    let s = item.processed_offers_summary.as_mut().unwrap();
    s.last_unused_offer_at = Some("2024-01-01T00:00:00.5Z".into());
    s.last_used_offer_at = Some("2024-01-01T00:00:00.123Z".into());
    assert!(unplaced_reason(&item).unwrap().contains("UnfulfilledConstraint"), "0.5 s is after 0.123 s");
    item.processed_offers_summary.as_mut().unwrap().last_used_offer_at = Some("2024-01-01T00:00:01Z".into());
    assert_eq!(unplaced_reason(&item), None, "an offer was used since the last decline");
}

#[test]
fn two_transient_failures_then_a_task_that_stays_up_are_forgiven() {
    let v = "2024-01-01T00:00:01.000Z";
    let up = || vec![task("t2", TaskState::Running)];
    let mut polls = vec![
        (app(vec![], Some(("t0", v))), Some(queued(1, 1, 0, "", true))),
        (app(vec![], Some(("t1", v))), Some(queued(1, 2, 0, "", true))),
    ];
    // t2 runs: no relaunch is queued, so nothing fails however long it takes to pass a gate
    polls.extend((0..20).map(|_| (app(up(), Some(("t1", v))), None)));
    // after it stayed up for the limit, its own later failure starts from zero
    polls.push((app(vec![], Some(("t2", v))), Some(queued(1, 3, 0, "", false))));
    let seen = run(&polls, Duration::from_secs(1), Some(v));
    assert!(seen[1].as_ref().is_some_and(|s| s.reason.contains("(2 new tasks failed)") && !s.expired));
    assert!(seen[2..22].iter().all(Option::is_none), "{seen:?}");
    assert_eq!(seen[22], None, "one failure without backoff after recovery");
}

/// A queue entry for a relaunch, `since` the given second, backing off or not.
fn relaunch(since: u32, backoff: bool) -> Option<QueueItem> {
    let mut q = queued(1, 0, 0, "", backoff);
    q.since = format!("2024-01-01T00:00:{since:02}.000Z");
    Some(q)
}

/// Tasks that exit 0 (TASK_FINISHED: no `lastTaskFailure`, M:.../state/TaskFailure.scala
/// `isFailureState`) show only as task ids that come and go and a queue entry that comes back
/// with a new `since` (M:.../core/launchqueue/LaunchStats.scala `launchingInstancesFold`).
#[test]
fn tasks_that_keep_ending_without_a_failure_fail_within_the_limit() {
    let mut polls = Vec::new();
    for i in 0..10u32 {
        // relaunched every other poll; most polls miss the short-lived task
        let tasks = if i == 3 { vec![task("t1", TaskState::Running)] } else { vec![] };
        polls.push((app(tasks, None), relaunch(i / 2, true)));
    }
    let seen = run(&polls, Duration::from_secs(1), None);
    assert!(seen[0].is_none() && seen[1].is_none(), "the first sighting is no relaunch: {seen:?}");
    let first = seen[2].clone().expect("one relaunch while backing off");
    assert_eq!(first.trouble, Trouble::Failing);
    assert!(first.reason.contains("keep ending with no failure recorded"), "{}", first.reason);
    let last = seen[9].clone().unwrap();
    assert!(last.expired && last.reason.contains("4 ended and were relaunched"), "{last:?}");
}

/// The `lastTaskFailure` the first poll saw is older than the step: with no version to wait
/// for (a restart's gate), it is not new, however long the relaunch backs off.
#[test]
fn the_failure_the_first_poll_saw_is_not_new() {
    let old = "2020-01-01T00:00:00.000Z";
    let polls: Vec<_> = (0..10).map(|_| (app(vec![], Some(("months-ago", old))), relaunch(1, true))).collect();
    assert!(run(&polls, Duration::ZERO, None).iter().all(Option::is_none));
    // a different one later is new
    let mut polls = polls[..2].to_vec();
    polls.push((app(vec![], Some(("t9", old))), relaunch(1, true)));
    let seen = run(&polls, Duration::ZERO, None);
    assert!(seen[2].as_ref().is_some_and(|s| s.expired && s.reason.contains("(1 new task failed)")), "{seen:?}");
}

/// A restart kills its originals on purpose: the queue entry of their relaunch, even with a
/// new `since`, is no end of a new task.
#[test]
fn relaunches_of_killed_originals_are_not_ends() {
    let mut d = Detector::new(Duration::ZERO).expecting_relaunches(2);
    let originals: BTreeSet<String> = ["o1".to_string(), "o2".to_string()].into();
    let start = Instant::now();
    let steps = [
        (vec![task("o2", TaskState::Killing)], relaunch(1, false)),
        (vec![task("n1", TaskState::Running)], relaunch(2, false)),
        (vec![task("n1", TaskState::Running), task("n2", TaskState::Running)], None),
    ];
    for (i, (tasks, q)) in steps.iter().enumerate() {
        let a = app(tasks.clone(), None);
        let poll = Poll { app: &a, queued: q.as_ref(), exclude: &originals, since_version: None };
        assert_eq!(d.observe(start + POLL * i as u32, poll), None, "poll {i}");
    }
}

/// Tasks killed for failing Marathon-level health checks are recorded as TASK_KILLED and
/// relaunched at once, with no backoff (M:.../steps/NotifyRateLimiterStepImpl.scala
/// `limitWorthy`): the queue entry is rarely seen, but the running task failing its checks says
/// the app has not recovered.
#[test]
fn health_check_kills_that_keep_coming_fail_without_a_queue_entry() {
    let failing = |id: &str| Task {
        health_check_results: Some(vec![HealthCheckResult {
            alive: false,
            last_failure: Some("2024-01-01T00:00:02.000Z".into()),
            ..HealthCheckResult::default()
        }]),
        ..task(id, TaskState::Running)
    };
    let mut polls = Vec::new();
    for i in 0..10 {
        let mut a = app(vec![failing(&format!("t{}", i / 3 + 1))], (i >= 3).then_some(("t0", "")));
        if let Some(f) = a.last_task_failure.as_mut() {
            f.task_id = format!("t{}", i / 3);
            f.state = TaskState::Killed;
        }
        a.health_checks = Some(vec![HealthCheck::default()]);
        polls.push((a, None));
    }
    let seen = run(&polls, Duration::from_secs(1), None);
    assert!(seen[..6].iter().all(|s| s.as_ref().is_none_or(|s| !s.expired)), "{seen:?}");
    assert!(seen[9].as_ref().is_some_and(|s| s.expired && s.reason.contains("TASK_KILLED")), "{seen:?}");
}

/// Seen on the engine, 1 restart in 10 (its gate then waited out `--fail-after` with every
/// replacement healthy): both killed originals had left the app's tasks by one poll, the
/// relaunch of the second entered the queue only by the next, so the entry showed a new `since`
/// with as many queued and no original leaving in between. The batch's kills expect two
/// relaunches; a third is a task of this step that ended.
#[test]
fn a_relaunch_of_a_killed_original_seen_a_poll_after_it_left_is_no_end() {
    let originals: BTreeSet<String> = ["o1".to_string(), "o2".to_string(), "o3".to_string()].into();
    let at = |since: &str| {
        let mut q = queued(1, 0, 0, "", false);
        q.since = format!("2024-01-01T00:00:{since}Z");
        Some(q)
    };
    let steps = [
        (vec![task("o3", TaskState::Running)], at("01.423")),
        (vec![task("o3", TaskState::Running), task("n1", TaskState::Running)], at("01.426")),
        (vec![task("o3", TaskState::Running), task("n1", TaskState::Running), task("n2", TaskState::Running)], None),
    ];
    let observe = |d: &mut Detector, steps: &[(Vec<Task>, Option<QueueItem>)]| {
        let start = Instant::now();
        for (i, (tasks, q)) in steps.iter().enumerate() {
            let a = app(tasks.clone(), None);
            d.observe(
                start + POLL * i as u32,
                Poll { app: &a, queued: q.as_ref(), exclude: &originals, since_version: None },
            );
        }
    };
    let mut d = Detector::new(Duration::from_secs(30)).expecting_relaunches(2);
    observe(&mut d, &steps);
    assert!(!d.troubled(), "{}", d.trouble_summary());
    let mut more = steps.to_vec();
    more.insert(2, (vec![task("o3", TaskState::Running), task("n1", TaskState::Running)], at("02.100")));
    let mut d = Detector::new(Duration::from_secs(30)).expecting_relaunches(2);
    observe(&mut d, &more);
    assert!(d.troubled(), "a relaunch beyond the batch's kills is one");
}
