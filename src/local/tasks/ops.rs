//! Operations on the state under its lock: queue launches, kill instances, record terminal task
//! states. Process work (spawn, signals) is returned as [`Effects`] and done after unlocking.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::marathon::types::{App, TaskFailure};

use crate::local::events::{self, Bus};
use crate::local::limits;
use crate::local::model::clock::now_iso;
use crate::local::model::state::{unix_now, CompletedTask, Instance, State, TaskState};

/// Work to do once the state lock is released.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    /// Process groups to stop.
    pub(crate) kills: Vec<KillJob>,
    /// Tasks to start.
    pub(crate) launches: Vec<LaunchJob>,
}

/// Stop a process group: SIGTERM, then SIGKILL after the grace period.
#[derive(Debug, Clone)]
pub(crate) struct KillJob {
    /// Process group id.
    pub(crate) pgid: i32,
    /// Time between SIGTERM and SIGKILL.
    pub(crate) grace: Duration,
    /// The task's sandbox: processes that left the group (`setsid`) are found by it.
    pub(crate) sandbox: PathBuf,
}

/// Start one task.
#[derive(Debug, Clone)]
pub(crate) struct LaunchJob {
    /// The app definition at launch.
    pub(crate) app: Arc<App>,
    /// Instance id.
    pub(crate) instance_id: String,
    /// Task id.
    pub(crate) task_id: String,
    /// Agent address.
    pub(crate) host: String,
    /// Agent id.
    pub(crate) agent_id: String,
    /// Host ports.
    pub(crate) host_ports: Vec<u32>,
    /// Service ports.
    pub(crate) service_ports: Vec<u32>,
    /// Sandbox directory.
    pub(crate) sandbox: PathBuf,
}

/// Sets the number of instances waiting to launch for an app.
pub(crate) fn set_queue(st: &mut State, app_id: &str, count: u32) {
    if let Some(rec) = st.apps.get_mut(app_id) {
        if count > 0 && rec.launch.count == 0 {
            rec.launch.since = Some(now_iso());
        }
        if count == 0 {
            rec.launch.since = None;
        }
        rec.launch.count = count;
    }
}

/// The current launch-queue count of an app.
pub(crate) fn queued(st: &State, app_id: &str) -> u32 {
    st.apps.get(app_id).map_or(0, |r| r.launch.count)
}

/// Active instance ids of an app in the order a scale-down stops them, as Marathon's
/// `ScalingProposition.sortByConditionAndDate` ranks them
/// (M:src/main/scala/mesosphere/marathon/core/deployment/ScalingProposition.scala): by condition
/// weight (Unreachable 1, Staging 2, Starting 3, Running 4), health playing no part, then by the
/// app's killSelection (YOUNGEST_FIRST by default, M:src/main/scala/mesosphere/marathon/state/
/// KillSelection.scala) on the staging time for Staging, the time it became Starting for Starting
/// (the engine has no separate record of it: its staging time) and `activeSince` (first started)
/// otherwise, an instance without one first. Instances still waiting in the launch queue weigh 5
/// and come after every one listed here: `deploy::scale` drops them last.
pub(crate) fn kill_order(st: &State, app_id: &str, filter: impl Fn(&Instance) -> bool) -> Vec<String> {
    let oldest_first = st.apps.get(app_id).and_then(|r| r.def.kill_selection.as_deref()) == Some("OLDEST_FIRST");
    let weight = |i: &Instance| match i.state {
        TaskState::Unreachable => 1,
        TaskState::Staging => 2,
        TaskState::Starting => 3,
        TaskState::Running => 4,
        _ => 5,
    };
    let since = |i: &Instance| match i.state {
        TaskState::Staging | TaskState::Starting => Some(i.staged_instant),
        _ => i.started_instant,
    };
    let mut list: Vec<&Instance> = st.instances_of(app_id).filter(|i| i.active() && filter(i)).collect();
    list.sort_by(|a, b| {
        weight(a).cmp(&weight(b)).then_with(|| match (since(a), since(b)) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, Some(_)) => std::cmp::Ordering::Less,
            (Some(_), None) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) if oldest_first => x.cmp(&y),
            (Some(x), Some(y)) => y.cmp(&x),
        })
    });
    list.into_iter().map(|i| i.instance_id.clone()).collect()
}

/// Active instance ids of an app in the order a restart replaces them, as Marathon's
/// `TaskReplaceActor.State.toKillOrdered` ranks them
/// (M:src/main/scala/mesosphere/marathon/core/deployment/impl/TaskReplaceActor.scala): those not
/// `consideredHealthy` first (an app with health checks and an instance whose checks do not all
/// pass yet, M:src/main/scala/mesosphere/marathon/core/instance/Instance.scala), and nothing else:
/// not the state, not killSelection, not readiness. Within each class Marathon keeps its
/// instance tracker's map order, which no client can predict; the engine keeps its own (by
/// instance id).
pub(crate) fn replace_order(st: &State, app_id: &str, filter: impl Fn(&Instance) -> bool) -> Vec<String> {
    let mut list: Vec<&Instance> = st.instances_of(app_id).filter(|i| i.active() && filter(i)).collect();
    list.sort_by_key(|i| i.health.iter().all(|h| h.as_ref().is_some_and(|h| h.alive)));
    list.into_iter().map(|i| i.instance_id.clone()).collect()
}

/// Starts killing an instance: the process group is signalled after unlock, and `TASK_KILLING`
/// shows from the next scheduler cycle ([`report_killing`]), as Mesos's status update arrives
/// after Marathon answered the kill. Simulated and not-yet-started tasks end at once. `unhealthy`: Marathon kills it for failing
/// its (Marathon-level) health checks, which it records as the app's `lastTaskFailure` at once
/// ([`record_unhealthy_kill`]).
pub(crate) fn kill(st: &mut State, bus: &Bus, app_id: &str, instance_id: &str, fx: &mut Effects, unhealthy: bool) {
    let Some(inst) = st.instances.get_mut(app_id).and_then(|m| m.get_mut(instance_id)) else { return };
    if !inst.goal_running {
        return;
    }
    inst.goal_running = false;
    inst.killing_unreported = inst.pgid.is_some();
    let agent = &st.agents[inst.agent];
    let (host, agent_id) = (agent.hostname.clone(), agent.id.clone());
    let inst_copy = inst.clone();
    if unhealthy {
        record_unhealthy_kill(st, &inst_copy, &host, &agent_id);
    }
    if !inst_copy.killing_unreported {
        report_killing(st, bus, app_id, instance_id);
    }
    match inst_copy.pgid {
        // The grace period is the one the task was launched with (Mesos' KillPolicy, set from
        // the app's taskKillGracePeriodSeconds, M:src/main/scala/mesosphere/mesos/TaskBuilder.scala),
        // so it holds even when the app itself is already deleted.
        Some(pgid) => fx.kills.push(KillJob { pgid, grace: inst_copy.kill_grace, sandbox: inst_copy.sandbox.clone() }),
        None if inst_copy.simulated => terminal(st, bus, app_id, instance_id, TaskState::Killed, "killed"),
        None => {} // still staging: the launcher sees the goal and does not start it
    }
}

/// Reports `TASK_KILLING` for an instance whose kill was asked for (once). The command executor
/// sends it as soon as it gets the kill, before the signal, since Marathon registers with the
/// `TASK_KILLING_STATE` capability; Marathon learns it from that status update, so a read right
/// after the kill may still show the task running.
pub(crate) fn report_killing(st: &mut State, bus: &Bus, app_id: &str, instance_id: &str) {
    let Some(inst) = st.instances.get_mut(app_id).and_then(|m| m.get_mut(instance_id)) else { return };
    if inst.goal_running || inst.state >= TaskState::Killing {
        return;
    }
    inst.killing_unreported = false;
    inst.state = TaskState::Killing;
    let agent = &st.agents[inst.agent];
    let (host, agent_id) = (agent.hostname.clone(), agent.id.clone());
    events::task_changed(bus, inst, TaskState::Killing, &host, &agent_id, "");
}

/// Reports `TASK_KILLING` for every kill asked for since the last cycle ([`report_killing`]).
pub(crate) fn report_kills(st: &mut State, bus: &Bus) {
    let pending: Vec<(String, String)> = st
        .instances
        .values()
        .flat_map(|m| m.values())
        .filter(|i| i.killing_unreported)
        .map(|i| (i.app_id.clone(), i.instance_id.clone()))
        .collect();
    for (app, iid) in pending {
        report_killing(st, bus, &app, &iid);
    }
}

/// The app's `lastTaskFailure` for a task Marathon kills because its health checks failed:
/// `HealthCheckActor.checkConsecutiveFailures` publishes an `UnhealthyInstanceKillEvent` with
/// the check's last failure cause and time, which the `HistoryActor` stores as TASK_KILLED
/// (M:src/main/scala/mesosphere/marathon/core/health/impl/HealthCheckActor.scala
/// `checkConsecutiveFailures`, M:src/main/scala/mesosphere/marathon/state/TaskFailure.scala
/// `FromUnhealthyInstanceKillEvent`). The TASK_KILLED that follows is no failure ([`terminal`]).
fn record_unhealthy_kill(st: &mut State, inst: &Instance, host: &str, agent_id: &str) {
    let failed = inst.health.iter().flatten().filter(|h| !h.alive).filter_map(|h| Some((h.last_failure.as_ref()?, h)));
    let last = failed.max_by(|a, b| a.0.cmp(b.0)).map(|(_, h)| h);
    let reason = last.and_then(|h| h.last_failure_cause.clone()).unwrap_or_else(|| "unknown".into());
    let timestamp = last.and_then(|h| h.last_failure.clone()).unwrap_or_else(now_iso);
    if let Some(rec) = st.apps.get_mut(&inst.app_id) {
        rec.last_failure = Some(TaskFailure {
            app_id: inst.app_id.clone(),
            host: host.to_string(),
            message: format!("Task was killed since health check failed. Reason: {reason}"),
            state: TaskState::Killed,
            task_id: inst.task_id.clone(),
            timestamp,
            version: inst.version.clone(),
            slave_id: Some(agent_id.to_string()),
        });
    }
}

/// Whether Marathon records a task that ended in `state` as the app's `lastTaskFailure`
/// (M:src/main/scala/mesosphere/marathon/state/TaskFailure.scala `isFailureState`): TASK_FINISHED
/// (exit 0) and TASK_KILLED are not failures.
fn is_failure_state(state: TaskState) -> bool {
    use TaskState::*;
    matches!(state, Failed | Error | Lost | Dropped | Gone | GoneByOperator | Unknown)
}

/// Whether a task that ended in `state` grows the app's launch delay: the conditions
/// `NotifyRateLimiterStep.limitWorthy` lists, Dropped, Error, Failed, Gone and Finished
/// (M:src/main/scala/mesosphere/marathon/core/task/update/impl/steps/NotifyRateLimiterStepImpl.scala).
/// TASK_KILLED is not among them, whatever the kill's reason (failed health checks included);
/// TASK_LOST maps to `Condition.Gone` for all but the unreachable and unknown reasons
/// (M:src/main/scala/mesosphere/marathon/core/task/state/TaskConditionMapping.scala), and the
/// engine loses no task to an unreachable agent.
fn is_limit_worthy(state: TaskState) -> bool {
    use TaskState::*;
    matches!(state, Dropped | Error | Failed | Gone | Lost | Finished)
}

/// Records a terminal state: the instance is expunged; a failure state becomes the app's
/// `lastTaskFailure` ([`is_failure_state`]) and the limit-worthy ones grow the launch delay
/// ([`is_limit_worthy`]).
pub(crate) fn terminal(st: &mut State, bus: &Bus, app_id: &str, instance_id: &str, state: TaskState, message: &str) {
    report_killing(st, bus, app_id, instance_id);
    let Some(inst) = st.instances.get_mut(app_id).and_then(|m| m.remove(instance_id)) else { return };
    if st.instances.get(app_id).is_some_and(|m| m.is_empty()) {
        st.instances.remove(app_id);
    }
    let agent = &st.agents[inst.agent];
    let (host, agent_id) = (agent.hostname.clone(), agent.id.clone());
    // Once a kill is asked for, the task ends TASK_KILLED however its process exits (as Mesos'
    // command executor reports it, e.g. for a process the SIGTERM ends): no failure, no backoff.
    let final_state = if inst.goal_running { state } else { TaskState::Killed };
    events::task_changed(bus, &inst, final_state, &host, &agent_id, message);
    let mut statuses = inst.statuses();
    statuses.push((final_state, unix_now()));
    st.record_completed(CompletedTask {
        task_id: inst.task_id.clone(),
        app_id: app_id.to_string(),
        agent: inst.agent,
        sandbox: inst.sandbox.clone(),
        resources: inst.resources,
        statuses,
    });
    let Some(rec) = st.apps.get_mut(app_id) else { return };
    if is_limit_worthy(final_state) {
        let def = &rec.def;
        let (base, factor, max) = (
            def.backoff_seconds.unwrap_or(1.0),
            def.backoff_factor.unwrap_or(1.15),
            def.max_launch_delay_seconds.unwrap_or(300.0),
        );
        let delay = if rec.launch.delay_seconds <= 0.0 { base } else { (rec.launch.delay_seconds * factor).min(max) };
        rec.launch.delay_seconds = delay;
        rec.launch.delay_until = Some(limits::instant_after(limits::seconds(delay)));
    }
    if is_failure_state(final_state) {
        rec.last_failure = Some(TaskFailure {
            app_id: app_id.to_string(),
            host,
            message: message.to_string(),
            state: final_state,
            task_id: inst.task_id.clone(),
            timestamp: now_iso(),
            version: inst.version.clone(),
            slave_id: Some(agent_id),
        });
    }
}

/// Resets an app's launch delay (new version, or `DELETE /v2/queue/{id}/delay`).
pub(crate) fn reset_delay(st: &mut State, app_id: &str) {
    if let Some(rec) = st.apps.get_mut(app_id) {
        rec.launch.delay_seconds = 0.0;
        rec.launch.delay_until = None;
    }
}

#[cfg(test)]
mod kill_order_tests;
