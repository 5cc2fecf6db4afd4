//! Readiness checks, run only inside deployments as Marathon runs them (M: = mesosphere/marathon
//! v1.10.26):
//! - A deployment's action on an app (start, scale, restart; never stop) checks that app's tasks
//!   of its current version once they are running and not ready yet
//!   (M:src/main/scala/mesosphere/marathon/core/deployment/impl/ReadinessBehavior.scala,
//!   `readinessBehavior`: `TaskStartActor` and `TaskReplaceActor` start the checks on
//!   `InstanceChanged(Running)`, `reconcileHealthAndReadinessCheck` for tasks already running).
//!   A task launched while no deployment holds its app (a kill without scale, a crash) is
//!   never checked.
//! - One check per task at a time: the first at once, the next an interval after the previous
//!   answered, until one is ready; ready means the status is in `httpStatusCodesForReady`; no
//!   answer within the timeout, or no connection, is not ready
//!   (M:src/main/scala/mesosphere/marathon/core/readiness/impl/ReadinessCheckExecutorImpl.scala,
//!   `execute`, `executeSingleCheck`, `exceptionToErrorResponse`).
//! - The results live with the deployment's current step, the last one per task, and go with
//!   it (M:src/main/scala/mesosphere/marathon/core/deployment/impl/DeploymentManagerActor.scala,
//!   `ReadinessCheckUpdate`; M:src/main/scala/mesosphere/marathon/core/deployment/DeploymentPlan.scala,
//!   `DeploymentStepInfo`); the checks stop when the step's action ends (the actor stops).
//!   `readinessCheckResults` shows them ([`crate::local::api::views`]).

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::local::model::state::{State, TaskState};
use crate::local::Shared;
use crate::marathon::types::ReadinessCheckResult;

use super::plan::ActionKind;

/// One task's readiness check inside one deployment step.
#[derive(Debug, Clone)]
pub(crate) struct Probe {
    /// The deployment.
    deployment: String,
    /// Its 1-based step the check belongs to.
    step: usize,
    /// The app.
    app_id: String,
    /// The instance.
    instance_id: String,
    /// The task.
    task_id: String,
    /// The check's name.
    name: String,
    /// `http(s)://host:port/path`.
    url: String,
    /// Between a check's answer and the next check.
    interval: Duration,
    /// Per check.
    timeout: Duration,
    /// `httpStatusCodesForReady`.
    codes: Vec<u16>,
    /// `preserveLastResponse`.
    preserve: bool,
}

/// The probes the running deployments need now: tasks of their apps that run, are not ready and
/// are not being checked. Marks them as being checked; spawn each with [`run`].
pub(crate) fn arm(st: &mut State) -> Vec<Probe> {
    let mut probes = Vec::new();
    for d in 0..st.deployments.len() {
        let run = &st.deployments[d];
        if run.current_step == 0 {
            continue;
        }
        for (a, action) in run.steps[run.current_step - 1].iter().enumerate() {
            let progress = &run.progress[a];
            if action.kind == ActionKind::Stop || progress.done {
                continue;
            }
            let Some(rec) = st.apps.get(&action.app_id) else { continue };
            let Some(check) = rec.def.readiness_checks.as_ref().and_then(|r| r.first()) else { continue };
            let config = rec.def.version_info.as_ref().and_then(|v| v.last_config_change_at.as_deref()).unwrap_or("");
            let names = crate::local::model::normalize::port_names(&rec.def);
            let index = names.iter().position(|n| n.as_deref() == check.port_name.as_deref());
            let scheme = if check.protocol.as_deref() == Some("HTTPS") { "https" } else { "http" };
            for inst in st.instances_of(&action.app_id) {
                let current = config.is_empty() || inst.config_version == config;
                let due = inst.active() && inst.state == TaskState::Running && !inst.ready && current;
                if !due || progress.probing.contains(&inst.instance_id) {
                    continue;
                }
                let Some(port) = index.and_then(|i| inst.host_ports.get(i)) else { continue };
                let host = &st.agents[inst.agent].hostname;
                let path = check.path.as_deref().unwrap_or("/");
                let slash = if path.starts_with('/') { "" } else { "/" };
                probes.push(Probe {
                    deployment: run.id.clone(),
                    step: run.current_step,
                    app_id: action.app_id.clone(),
                    instance_id: inst.instance_id.clone(),
                    task_id: inst.task_id.clone(),
                    name: check.name.clone().unwrap_or_else(|| "readinessCheck".into()),
                    url: format!("{scheme}://{host}:{port}{slash}{path}"),
                    interval: Duration::from_secs(check.interval_seconds.unwrap_or(30)).max(Duration::from_millis(100)),
                    timeout: Duration::from_secs(check.timeout_seconds.unwrap_or(10)).max(Duration::from_millis(100)),
                    codes: check.http_status_codes_for_ready.clone().unwrap_or_else(|| vec![200]),
                    preserve: check.preserve_last_response.unwrap_or(false),
                });
            }
        }
    }
    for p in &probes {
        if let Some(progress) = progress_of(st, p) {
            progress.probing.insert(p.instance_id.clone());
        }
    }
    probes
}

/// The progress of the action the probe belongs to, while that step of that deployment runs
/// and the action is not done.
fn progress_of<'a>(st: &'a mut State, p: &Probe) -> Option<&'a mut super::deployment::Progress> {
    let run = st.deployments.iter_mut().find(|d| d.id == p.deployment && d.current_step == p.step)?;
    let a = run.steps[p.step - 1].iter().position(|a| a.app_id == p.app_id && a.kind != ActionKind::Stop)?;
    run.progress.get_mut(a).filter(|progress| !progress.done)
}

/// Whether the probe's task still runs.
fn running(st: &State, p: &Probe) -> bool {
    st.instances
        .get(&p.app_id)
        .and_then(|m| m.get(&p.instance_id))
        .is_some_and(|i| i.active() && i.state == TaskState::Running)
}

/// Checks until the task is ready, its step or action ends, or it stops running (module docs).
pub(crate) async fn run(shared: Arc<Shared>, p: Probe) {
    let mut stop = shared.stop_signal();
    loop {
        let answer = shared.http.check_response(&p.url, p.timeout).await;
        let (ready, response) = match answer {
            Ok((status, content_type, body)) => {
                (p.codes.contains(&status), json!({"status": status, "contentType": content_type, "body": body}))
            }
            // Marathon's stand-in for a check that got no answer.
            Err(e) => (
                false,
                json!({"status": 504, "contentType": "text/plain", "body": format!("Marathon could not query {}: {e}", p.url)}),
            ),
        };
        {
            let mut st = shared.lock();
            let alive = running(&st, &p);
            let Some(progress) = progress_of(&mut st, &p) else { return };
            if !alive {
                progress.probing.remove(&p.instance_id);
                return;
            }
            let result = ReadinessCheckResult {
                name: p.name.clone(),
                task_id: p.task_id.clone(),
                ready,
                last_response: p.preserve.then_some(response),
            };
            progress.readiness.insert(p.task_id.clone(), result);
            if ready {
                progress.probing.remove(&p.instance_id);
                if let Some(inst) = st.instances.get_mut(&p.app_id).and_then(|m| m.get_mut(&p.instance_id)) {
                    inst.ready = true;
                }
                drop(st);
                shared.wake.notify_one();
                return;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(p.interval) => {}
            _ = stop.changed() => return,
        }
    }
}

/// The readiness results the running deployments hold for `app_id`, as
/// `readinessCheckResults` shows them (`AppInfoBaseData.readinessChecksByAppFuture`).
pub(crate) fn results_of(st: &State, app_id: &str) -> Vec<ReadinessCheckResult> {
    st.deployments
        .iter()
        .filter(|d| d.current_step > 0)
        .flat_map(|d| d.steps[d.current_step - 1].iter().zip(&d.progress))
        .filter(|(a, _)| a.app_id == app_id)
        .flat_map(|(_, p)| p.readiness.values().cloned())
        .collect()
}
