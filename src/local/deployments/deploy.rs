//! Running deployments (M:src/main/scala/mesosphere/marathon/core/deployment/impl/DeploymentActor.scala):
//! steps one after another, actions of a step in parallel, the
//! rolling-restart algorithm of `TaskReplaceActor` and scaling by killSelection.

use std::collections::BTreeSet;

use serde_json::json;

use crate::local::events::{plan_json, step_json, Bus};
use crate::local::model::state::State;
use crate::local::tasks::health;
use crate::local::tasks::ops::{self, Effects};

use super::deployment::{wire_actions, Progress, RestartState, RestartStrategy, ScaleStart};
use super::plan::{Action, ActionKind};

/// `computeRestartStrategy` (TaskReplaceActor): `n` instances, upgrade strategy, `healthy` old
/// instances that count as healthy.
pub(crate) fn restart_strategy(
    n: u32,
    min_health: f64,
    max_over: f64,
    healthy: u32,
    resident: bool,
) -> RestartStrategy {
    let min_healthy = (f64::from(n) * min_health - 1e-9).ceil().max(0.0) as u32;
    let mut max_capacity = (f64::from(n) * (1.0 + max_over) + 1e-9).floor() as u32;
    let mut kill_now = healthy.saturating_sub(min_healthy);
    if min_healthy == max_capacity && max_capacity <= healthy {
        if resident {
            kill_now += 1;
        } else {
            max_capacity += 1;
        }
    }
    RestartStrategy { kill_now, max_capacity }
}

/// Moves every deployment forward as far as it can go now.
pub(crate) fn advance_all(st: &mut State, bus: &Bus, fx: &mut Effects) {
    let mut finished = Vec::new();
    for idx in 0..st.deployments.len() {
        loop {
            let d = &st.deployments[idx];
            let step_done = d.current_step > 0 && d.progress.iter().all(|p| p.done);
            if d.current_step == 0 || step_done {
                let plan = plan_json(&d.id, &d.version, &d.wire_steps());
                if step_done {
                    let step = step_json(&wire_actions(&d.steps[d.current_step - 1]));
                    bus.emit("deployment_step_success", json!({"plan": plan, "currentStep": step}));
                }
                if d.current_step == d.steps.len() {
                    bus.emit("deployment_success", json!({"id": d.id, "plan": plan}));
                    finished.push(idx);
                    break;
                }
                let d = &mut st.deployments[idx];
                d.current_step += 1;
                d.progress = vec![Progress::default(); d.steps[d.current_step - 1].len()];
                let step = step_json(&wire_actions(&d.steps[d.current_step - 1]));
                bus.emit("deployment_info", json!({"plan": plan, "currentStep": step}));
                // Each app of the step gets its version's health checks started
                // (`DeploymentActor.performStep`: `healthCheckManager.addAllFor(app)`).
                let apps: Vec<String> = d.steps[d.current_step - 1].iter().map(|a| a.app_id.clone()).collect();
                let now = std::time::Instant::now();
                for app in apps {
                    if let Some(version) = st.apps.get(&app).and_then(|r| r.def.version.clone()) {
                        health::start_clock(st, &app, &version, now);
                    }
                }
            }
            let actions = st.deployments[idx].steps[st.deployments[idx].current_step - 1].clone();
            for (a, action) in actions.iter().enumerate() {
                let mut progress = std::mem::take(&mut st.deployments[idx].progress[a]);
                if !progress.done {
                    run_action(st, bus, fx, action, &mut progress);
                    if progress.done && action.kind == ActionKind::Scale {
                        progress.done = !sentenced_alive(st, idx, &action.app_id);
                    }
                }
                st.deployments[idx].progress[a] = progress;
            }
            if !st.deployments[idx].progress.iter().all(|p| p.done) {
                break;
            }
        }
    }
    for idx in finished.into_iter().rev() {
        st.deployments.remove(idx);
    }
}

/// Whether an instance a kill-and-scale sentenced is still there (not terminal): its
/// `ScaleApplication` waits for it, as Marathon's `DeploymentActor.scaleRunnable` awaits
/// `decommissionInstances` (M:src/main/scala/mesosphere/marathon/core/deployment/impl/
/// DeploymentActor.scala; M:src/main/scala/mesosphere/marathon/core/task/termination/impl/
/// KillStreamWatcher.scala, `watchForKilledTasks`). Terminal instances are expunged here.
fn sentenced_alive(st: &State, idx: usize, app_id: &str) -> bool {
    let Some(ids) = st.deployments[idx].sentenced.get(app_id) else { return false };
    st.instances.get(app_id).is_some_and(|m| ids.iter().any(|i| m.contains_key(i)))
}

fn run_action(st: &mut State, bus: &Bus, fx: &mut Effects, action: &Action, progress: &mut Progress) {
    let id = action.app_id.as_str();
    match action.kind {
        ActionKind::Start => progress.done = true,
        ActionKind::Stop => {
            for inst in ops::kill_order(st, id, |_| true) {
                ops::kill(st, bus, id, &inst, fx, false);
            }
            if st.instances_of(id).next().is_none() {
                if !st.apps.contains_key(id) {
                    bus.emit("app_terminated_event", json!({ "appId": id }));
                }
                progress.done = true;
            }
        }
        ActionKind::Scale => {
            // Marathon's `DeploymentActor.scaleRunnable`: stop the surplus, then a
            // `TaskStartActor` that waits only for the instances it starts itself to be healthy
            // and ready (`ReadinessBehavior.targetCountReached`), not for those already there nor
            // for instances still waiting for an offer from before (they count as launched). A
            // scale-down is therefore done as soon as its victims are terminal (checked by the
            // caller for the sentenced ones of a kill-and-scale).
            let n = st.apps.get(id).and_then(|r| r.def.instances).unwrap_or(0);
            let start = progress.scale.get_or_insert_with(|| {
                let active = st.instances_of(id).filter(|i| i.active()).count() as u32;
                let before = st.instances_of(id).map(|i| i.instance_id.clone()).collect();
                ScaleStart { to_start: n.saturating_sub(active + ops::queued(st, id)), before }
            });
            let (to_start, before) = (start.to_start, start.before.clone());
            scale(st, bus, fx, id, n, false);
            let started_ready = st
                .instances_of(id)
                .filter(|i| !before.contains(&i.instance_id) && i.active() && i.healthy_and_ready())
                .count() as u32;
            progress.done = !st.apps.contains_key(id) || started_ready >= to_start;
        }
        ActionKind::Restart => restart(st, bus, fx, id, progress),
    }
}

/// Scales an app towards `n` instances; returns whether it has exactly `n`, all healthy and ready
/// (when `need_healthy`), and nothing queued.
///
/// Going down, Marathon's `ScalingProposition.propose`
/// (M:src/main/scala/mesosphere/marathon/core/deployment/ScalingProposition.scala, called from
/// M:src/main/scala/mesosphere/marathon/core/deployment/impl/DeploymentActor.scala
/// `scaleRunnable` and M:src/main/scala/mesosphere/marathon/MarathonSchedulerActor.scala
/// `SchedulerActions.scale`) counts every instance whose goal is Running, placed or not, and stops
/// the surplus in [`ops::kill_order`]: running ones (whatever their health) before instances
/// still waiting in the launch queue (condition `Scheduled`, or a terminal one waiting for its
/// relaunch: weight 5, last). So the queue only shrinks once no active instance is left to stop.
pub(crate) fn scale(st: &mut State, bus: &Bus, fx: &mut Effects, id: &str, n: u32, need_healthy: bool) -> bool {
    if !st.apps.contains_key(id) {
        return true;
    }
    let active = st.instances_of(id).filter(|i| i.active()).count() as u32;
    let queued = ops::queued(st, id);
    // An instance being killed keeps its place until it is terminal: Marathon counts a killing
    // instance as active (M:src/main/scala/mesosphere/marathon/core/condition/Condition.scala,
    // `Killing extends Active`), and one killed without scale (a restart's kill, a failed health
    // check) keeps its goal Running and is relaunched once its task is terminal
    // (M:src/main/scala/mesosphere/marathon/core/launchqueue/impl/TaskLauncherActor.scala, as
    // TaskReplaceActor.scala's notes on goals say). So no replacement starts beside a task still
    // running out its kill grace.
    let killing = st.instances_of(id).filter(|i| !i.goal_running).count() as u32;
    if active + queued + killing < n {
        ops::set_queue(st, id, n - active - killing);
    } else if active + queued > n {
        let excess = active + queued - n;
        let kill = excess.min(active);
        for inst in ops::kill_order(st, id, |_| true).into_iter().take(kill as usize) {
            ops::kill(st, bus, id, &inst, fx, false);
        }
        ops::set_queue(st, id, queued - (excess - kill));
    }
    let active: Vec<_> = st.instances_of(id).filter(|i| i.active()).collect();
    ops::queued(st, id) == 0
        && active.len() as u32 == n
        && (!need_healthy || active.iter().all(|i| i.healthy_and_ready()))
}

fn restart(st: &mut State, bus: &Bus, fx: &mut Effects, id: &str, progress: &mut Progress) {
    let Some(def) = st.apps.get(id).map(|r| r.def.clone()) else {
        progress.done = true;
        return;
    };
    let config = def.version_info.as_ref().and_then(|v| v.last_config_change_at.clone()).unwrap_or_default();
    let n = def.instances.unwrap_or(0);
    let is_old = |c: &str| c != config;
    let rs = progress.restart.get_or_insert_with(|| {
        let healthy_old =
            st.instances_of(id).filter(|i| i.active() && is_old(&i.config_version) && i.healthy_and_ready()).count()
                as u32;
        let us = def.upgrade_strategy.unwrap_or_default();
        let resident = def.residency.is_some();
        let strategy = restart_strategy(n, us.minimum_health_capacity, us.maximum_over_capacity, healthy_old, resident);
        RestartState { strategy, healthy_seen: BTreeSet::new(), killed: 0 }
    });
    for inst in st.instances_of(id) {
        if !is_old(&inst.config_version) && inst.active() && inst.healthy_and_ready() {
            rs.healthy_seen.insert(inst.instance_id.clone());
        }
    }
    let allowed = rs.strategy.kill_now + rs.healthy_seen.len() as u32;
    let mut to_kill = Vec::new();
    if rs.killed < allowed {
        // TaskReplaceActor's order: old instances not considered healthy first (`toKillOrdered`).
        let order = ops::replace_order(st, id, |i| is_old(&i.config_version));
        let take = (allowed - rs.killed) as usize;
        for inst in order.into_iter().take(take) {
            rs.killed += 1;
            to_kill.push(inst);
        }
    }
    let max_capacity = rs.strategy.max_capacity;
    for inst in to_kill {
        ops::kill(st, bus, id, &inst, fx, false);
    }
    let old_alive = st.instances_of(id).filter(|i| is_old(&i.config_version)).count() as u32;
    let new_active = st.instances_of(id).filter(|i| !is_old(&i.config_version) && i.active()).count() as u32;
    let queued = ops::queued(st, id);
    let started = new_active + queued;
    let left = max_capacity.saturating_sub(old_alive + started);
    let not_started = n.saturating_sub(started);
    let launch = left.min(not_started);
    if launch > 0 {
        ops::set_queue(st, id, queued + launch);
    }
    if started > n {
        // More new instances than wanted (n went down during a restart): drop the surplus in
        // `ScalingProposition` order, as a scale would: active ones first, then queued ones.
        let surplus = started - n;
        let order = ops::kill_order(st, id, |i| !is_old(&i.config_version));
        let kill = surplus.min(new_active);
        for inst in order.into_iter().take(kill as usize) {
            ops::kill(st, bus, id, &inst, fx, false);
        }
        let queued = ops::queued(st, id);
        ops::set_queue(st, id, queued.saturating_sub(surplus - kill));
    }
    let new_ready =
        st.instances_of(id).filter(|i| !is_old(&i.config_version) && i.active() && i.healthy_and_ready()).count()
            as u32;
    progress.done = old_alive == 0 && ops::queued(st, id) == 0 && new_ready == n && new_active == n;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restart_strategy_worked_cases_n3() {
        // {1,1}: three new at once, nothing killed up front
        assert_eq!(restart_strategy(3, 1.0, 1.0, 3, false), RestartStrategy { kill_now: 0, max_capacity: 6 });
        // {1,0}: capacity bumped to 4, one at a time
        assert_eq!(restart_strategy(3, 1.0, 0.0, 3, false), RestartStrategy { kill_now: 0, max_capacity: 4 });
        // {0.5,0}: kill one, start one
        assert_eq!(restart_strategy(3, 0.5, 0.0, 3, false), RestartStrategy { kill_now: 1, max_capacity: 3 });
        // {0,0}: kill all three first
        assert_eq!(restart_strategy(3, 0.0, 0.0, 3, false), RestartStrategy { kill_now: 3, max_capacity: 3 });
        // resident apps kill one more instead of growing
        assert_eq!(restart_strategy(3, 1.0, 0.0, 3, true), RestartStrategy { kill_now: 1, max_capacity: 3 });
    }
}
