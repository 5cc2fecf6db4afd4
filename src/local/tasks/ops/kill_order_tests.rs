//! The order in which the engine stops instances, pinned to Marathon 1.10:
//! M:src/main/scala/mesosphere/marathon/core/deployment/ScalingProposition.scala
//! (`propose`, `sortByConditionAndDate`) for scaling and
//! M:src/main/scala/mesosphere/marathon/core/deployment/impl/TaskReplaceActor.scala
//! (`State.toKillOrdered`) for restarts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::local::model::state::{AppRecord, Instance, State, TaskState};
use crate::marathon::types::{App, HealthCheckResult};

use super::{kill_order, replace_order};

fn app(kill_selection: Option<&str>) -> State {
    let def = App { id: "/a".into(), kill_selection: kill_selection.map(str::to_owned), ..App::default() };
    let mut st = State::default();
    st.apps.insert("/a".into(), AppRecord::new(Arc::new(def)));
    st
}

/// An instance staged `staged` seconds after `t0` (and running `started` seconds after it),
/// with one health check result when `healthy` is given.
fn add(
    st: &mut State,
    id: &str,
    state: TaskState,
    t0: Instant,
    staged: u64,
    started: Option<u64>,
    healthy: Option<bool>,
) {
    let inst = Instance {
        instance_id: id.into(),
        task_id: format!("{id}._app.1"),
        app_id: "/a".into(),
        version: String::new(),
        config_version: String::new(),
        agent: 0,
        host_ports: Vec::new(),
        service_ports: Vec::new(),
        resources: (0.1, 8.0, 0.0),
        state,
        goal_running: true,
        queued_since: String::new(),
        staged_at: String::new(),
        staged_instant: t0 + Duration::from_secs(staged),
        started_at: None,
        started_instant: started.map(|s| t0 + Duration::from_secs(s)),
        health: healthy
            .map(|alive| Some(HealthCheckResult { alive, ..HealthCheckResult::default() }))
            .into_iter()
            .collect(),
        ready: true,
        pgid: None,
        simulated: true,
        killing_unreported: false,
        sandbox: std::path::PathBuf::new(),
        kill_grace: Duration::from_secs(1),
    };
    st.instances.entry("/a".into()).or_default().insert(id.into(), inst);
}

/// Staging (weight 2) goes before Running (weight 4), whatever the ages:
/// M:src/main/scala/mesosphere/marathon/core/deployment/ScalingProposition.scala (`weight`).
#[test]
fn staging_goes_before_running() {
    let mut st = app(None);
    let t0 = Instant::now();
    add(&mut st, "a.young-running", TaskState::Running, t0, 10, Some(11), None);
    add(&mut st, "a.old-staging", TaskState::Staging, t0, 1, None, None);
    assert_eq!(kill_order(&st, "/a", |_| true), ["a.old-staging", "a.young-running"]);
}

/// Health plays no part in a scale-down ("TODO: this should evaluate a task's health as well"):
/// a healthy young task goes before an unhealthy old one under YOUNGEST_FIRST.
/// M:src/main/scala/mesosphere/marathon/core/deployment/ScalingProposition.scala
/// (`sortByConditionAndDate`).
#[test]
fn health_is_ignored() {
    let mut st = app(None);
    let t0 = Instant::now();
    add(&mut st, "a.old-sick", TaskState::Running, t0, 0, Some(1), Some(false));
    add(&mut st, "a.young-fine", TaskState::Running, t0, 5, Some(6), Some(true));
    assert_eq!(kill_order(&st, "/a", |_| true), ["a.young-fine", "a.old-sick"]);
}

/// Running tasks are ordered by `activeSince` (when they started running), not by staging time,
/// under the app's killSelection: M:src/main/scala/mesosphere/marathon/core/deployment/
/// ScalingProposition.scala (`sortByConditionAndDate`), M:src/main/scala/mesosphere/marathon/
/// state/KillSelection.scala.
#[test]
fn running_ties_follow_kill_selection_on_active_since() {
    let t0 = Instant::now();
    for (selection, expected) in [
        (None, ["a.started-late", "a.started-early"]),
        (Some("YOUNGEST_FIRST"), ["a.started-late", "a.started-early"]),
        (Some("OLDEST_FIRST"), ["a.started-early", "a.started-late"]),
    ] {
        let mut st = app(selection);
        // Staged first, but started running last.
        add(&mut st, "a.started-late", TaskState::Running, t0, 0, Some(20), None);
        add(&mut st, "a.started-early", TaskState::Running, t0, 5, Some(6), None);
        assert_eq!(kill_order(&st, "/a", |_| true), expected, "{selection:?}");
    }
}

/// Two staging tasks: by `stagedAt` under killSelection.
#[test]
fn staging_ties_follow_kill_selection_on_staged_at() {
    let t0 = Instant::now();
    let mut st = app(Some("OLDEST_FIRST"));
    add(&mut st, "a.s2", TaskState::Staging, t0, 2, None, None);
    add(&mut st, "a.s1", TaskState::Staging, t0, 1, None, None);
    assert_eq!(kill_order(&st, "/a", |_| true), ["a.s1", "a.s2"]);
    let mut st = app(None);
    add(&mut st, "a.s2", TaskState::Staging, t0, 2, None, None);
    add(&mut st, "a.s1", TaskState::Staging, t0, 1, None, None);
    assert_eq!(kill_order(&st, "/a", |_| true), ["a.s2", "a.s1"]);
}

/// A restart kills old instances not considered healthy first (`consideredHealthy`: no health
/// checks, or the instance's health is known good) and looks at nothing else: not the state, not
/// killSelection. Within each class Marathon keeps the instance tracker's map order, which no
/// client can predict; the engine uses its own map order (by instance id).
/// M:src/main/scala/mesosphere/marathon/core/deployment/impl/TaskReplaceActor.scala
/// (`State.toKillOrdered`), M:src/main/scala/mesosphere/marathon/core/instance/Instance.scala
/// (`consideredHealthy`).
#[test]
fn a_restart_kills_instances_not_considered_healthy_first() {
    let t0 = Instant::now();
    let mut st = app(Some("OLDEST_FIRST"));
    add(&mut st, "a.1-young-sick", TaskState::Running, t0, 5, Some(6), Some(false));
    add(&mut st, "a.2-old-sick", TaskState::Running, t0, 0, Some(1), Some(false));
    add(&mut st, "a.3-fine", TaskState::Running, t0, 9, Some(10), Some(true));
    assert_eq!(replace_order(&st, "/a", |_| true), ["a.1-young-sick", "a.2-old-sick", "a.3-fine"]);
}
