//! Counts the engine's work from its event bus, as Marathon counts it where the work happens:
//! a `status_update_event` is one task status update
//! (M:src/main/scala/mesosphere/marathon/core/task/update/impl/TaskStatusUpdateProcessorImpl.scala)
//! and, as `TASK_STAGING`, a task launched
//! (M:src/main/scala/mesosphere/marathon/core/launcher/impl/TaskLauncherImpl.scala); the first
//! `deployment_info` of a deployment is its start and `deployment_success` or
//! `deployment_failed` its end
//! (M:src/main/scala/mesosphere/marathon/core/deployment/impl/DeploymentManagerActor.scala).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::{broadcast, watch};

use crate::marathon::types::TaskState;

use super::Metrics;
use crate::local::events::Event;

/// The fields of an event this counts by.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fields {
    task_status: Option<TaskState>,
    /// `deployment_success` and `deployment_failed`.
    id: Option<String>,
    /// `deployment_info` (and the others): the plan, whose `id` is the deployment's.
    plan: Option<Plan>,
}

#[derive(Debug, Default, Deserialize)]
struct Plan {
    id: Option<String>,
}

/// How often the events received are counted when nobody reads the metrics: a batch at a time
/// rather than a wake-up per event, so the engine's own work is not slowed; at the bus's 4,096
/// events this keeps up with 40,000 a second.
const CATCH_UP: Duration = Duration::from_millis(100);

/// A subscription to the engine's events and what counting them needs to remember.
#[derive(Debug)]
pub(crate) struct Follower {
    events: broadcast::Receiver<Arc<Event>>,
    deployments: Deployments,
}

impl Follower {
    /// Follows `events` from now on.
    pub(crate) fn new(events: broadcast::Receiver<Arc<Event>>) -> Follower {
        Follower { events, deployments: Deployments::default() }
    }

    /// Counts every event received so far into `metrics`. Events a lagging subscription
    /// missed (more than the bus keeps between two catch-ups) are not counted.
    pub(crate) fn catch_up(&mut self, metrics: &Metrics) {
        loop {
            match self.events.try_recv() {
                Ok(event) => self.deployments.count(metrics, &event),
                Err(broadcast::error::TryRecvError::Lagged(missed)) => {
                    tracing::debug!(target: "theseus::local", "metrics missed {missed} events");
                }
                Err(_) => return,
            }
        }
    }
}

/// Catches up with the events every [`CATCH_UP`] until the engine stops (a read of the metrics
/// catches up first as well: [`Metrics::refresh`]).
pub(crate) async fn run(metrics: Arc<Metrics>, mut stop: watch::Receiver<bool>) {
    loop {
        metrics.catch_up();
        tokio::select! {
            _ = tokio::time::sleep(CATCH_UP) => {}
            _ = stop.changed() => return,
        }
    }
}

/// The deployments seen started and not yet ended: `deployment_info` comes at every step, only
/// the first one starts it.
#[derive(Debug, Default)]
struct Deployments {
    running: HashSet<String>,
}

impl Deployments {
    fn count(&mut self, metrics: &Metrics, event: &Event) {
        let kind = event.kind.as_str();
        if !matches!(kind, "status_update_event" | "deployment_info" | "deployment_success" | "deployment_failed") {
            return;
        }
        let fields: Fields = serde_json::from_str(&event.data).unwrap_or_default();
        match kind {
            "status_update_event" => {
                if let Some(state) = fields.task_status {
                    metrics.task_update(state);
                    if state == TaskState::Staging {
                        metrics.task_launched();
                    }
                }
            }
            "deployment_info" => {
                if let Some(id) = fields.plan.and_then(|p| p.id) {
                    if self.running.insert(id) {
                        metrics.deployment_started();
                    }
                }
            }
            _ => {
                // A deployment with no steps ends without a `deployment_info`: it started too.
                let id = fields.id.or(fields.plan.and_then(|p| p.id)).unwrap_or_default();
                if !self.running.remove(&id) {
                    metrics.deployment_started();
                }
                metrics.deployment_ended(kind == "deployment_success");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, fields: serde_json::Value) -> Event {
        Event { kind: kind.into(), data: crate::local::events::render(kind, fields) }
    }

    #[test]
    fn events_count_launches_updates_and_deployments_once_each() {
        let m = Metrics::new();
        let mut d = Deployments::default();
        for state in ["TASK_STAGING", "TASK_RUNNING", "TASK_KILLED"] {
            d.count(&m, &event("status_update_event", json!({"taskStatus": state, "taskId": "a.1"})));
        }
        let plan = json!({"id": "d1", "steps": [], "version": "v"});
        d.count(&m, &event("deployment_info", json!({"plan": plan, "currentStep": {}})));
        d.count(&m, &event("deployment_info", json!({"plan": plan, "currentStep": {}})));
        d.count(&m, &event("deployment_success", json!({"id": "d1", "plan": plan})));
        d.count(&m, &event("deployment_failed", json!({"id": "d2", "plan": {"id": "d2"}, "reason": "canceled"})));
        d.count(&m, &event("instance_changed_event", json!({"condition": "Running"})));
        let counters = &m.json()["counters"];
        assert_eq!(counters["marathon.tasks.launched.counter"]["count"], 1);
        assert_eq!(counters["marathon.mesos.task-updates.task-killed.counter"]["count"], 1);
        assert_eq!(counters["marathon.deployments.counter"]["count"], 2);
        assert_eq!(counters["theseus.local.deployments.succeeded.counter"]["count"], 1);
        assert_eq!(counters["theseus.local.deployments.failed.counter"]["count"], 1);
        assert!(d.running.is_empty());
    }
}
