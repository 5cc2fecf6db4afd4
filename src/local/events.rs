//! The event bus behind `/v2/events` (M:src/main/scala/mesosphere/marathon/core/event/Events.scala): every event is a JSON object with `eventType`
//! and `timestamp`, fanned out to every attached stream.

use std::sync::Arc;

use serde_json::{json, Map, Value};
use tokio::sync::broadcast;

use crate::marathon::types::{DeploymentAction, DeploymentStep, HealthCheck, HealthCheckResult};

use crate::local::model::clock::now_iso;
use crate::local::model::state::{Instance, TaskState};

/// One published event.
#[derive(Debug)]
pub(crate) struct Event {
    /// `eventType`.
    pub(crate) kind: String,
    /// The JSON document, one line.
    pub(crate) data: String,
}

/// Publishes events to every subscriber; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Bus {
    tx: broadcast::Sender<Arc<Event>>,
}

impl Bus {
    /// A bus that buffers up to `capacity` events per slow subscriber.
    pub(crate) fn new(capacity: usize) -> Self {
        Bus { tx: broadcast::channel(capacity).0 }
    }

    /// A new subscription.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }

    /// Publishes an event of `kind` with `fields` (an object); adds `eventType` and `timestamp`.
    pub(crate) fn emit(&self, kind: &str, fields: Value) {
        if self.tx.receiver_count() == 0 {
            return;
        }
        let data = render(kind, fields);
        let _ = self.tx.send(Arc::new(Event { kind: kind.to_string(), data }));
    }
}

/// Renders an event document.
pub(crate) fn render(kind: &str, fields: Value) -> String {
    let mut map = match fields {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    map.insert("eventType".into(), Value::String(kind.into()));
    map.insert("timestamp".into(), Value::String(now_iso()));
    Value::Object(map).to_string()
}

/// `status_update_event` and `instance_changed_event` for an instance entering `state`.
pub(crate) fn task_changed(bus: &Bus, inst: &Instance, state: TaskState, host: &str, agent_id: &str, message: &str) {
    bus.emit(
        "status_update_event",
        json!({
            "slaveId": agent_id, "taskId": inst.task_id, "taskStatus": state.name(), "message": message,
            "appId": inst.app_id, "host": host, "ipAddresses": [{"ipAddress": host, "protocol": "IPv4"}],
            "ports": inst.host_ports, "version": inst.version,
        }),
    );
    bus.emit(
        "instance_changed_event",
        json!({
            "instanceId": inst.instance_id, "condition": state.condition(), "runSpecId": inst.app_id,
            "agentId": agent_id, "host": host, "runSpecVersion": inst.version,
        }),
    );
}

/// `failed_health_check_event` of a check result that counts as a failure: `appId`,
/// `healthCheck` and the instance id as `taskId` (M:src/main/scala/mesosphere/marathon/api/v2/
/// json/Formats.scala, `FailedHealthCheckWrites`; published by
/// M:src/main/scala/mesosphere/marathon/core/health/impl/HealthCheckActor.scala, `handleHealthResult`).
pub(crate) fn failed_health_check(bus: &Bus, app_id: &str, instance_id: &str, check: &HealthCheck) {
    bus.emit("failed_health_check_event", json!({"appId": app_id, "taskId": instance_id, "healthCheck": check}));
}

/// An instance's health over all its checks, as Marathon's `AppHealthCheckActor`
/// (`computeGlobalHealth`) derives it: healthy when every check is alive, unknown (`None`) while
/// a check has no result, else unhealthy.
pub(crate) fn instance_health(checks: &[Option<HealthCheckResult>]) -> Option<bool> {
    if checks.iter().all(|c| c.as_ref().is_some_and(|c| c.alive)) {
        Some(true)
    } else if checks.iter().any(Option::is_none) {
        None
    } else {
        Some(false)
    }
}

/// One health check result of one instance, stored: what the health events say.
#[derive(Debug)]
pub(crate) struct HealthChange<'a> {
    /// The app.
    pub(crate) app_id: &'a str,
    /// The instance.
    pub(crate) instance_id: &'a str,
    /// The app version the instance runs.
    pub(crate) version: &'a str,
    /// The check's `alive` before and after the result.
    pub(crate) was_alive: bool,
    pub(crate) alive: bool,
    /// The instance's health over all checks ([`instance_health`]) before and after.
    pub(crate) before: Option<bool>,
    pub(crate) after: Option<bool>,
}

/// The events of a stored health result, published after the state a poll reads changed:
/// `health_status_changed_event` (`appId`, `instanceId`, `version`, `alive`) when the check's
/// `alive` flips (M:src/main/scala/mesosphere/marathon/core/health/impl/HealthCheckActor.scala,
/// `updateInstanceHealth`), and `instance_health_changed_event` (`instanceId`, `runSpecId`,
/// `healthy`: true, false or null, `runSpecVersion`) when the instance's health over all its
/// checks changes (M:src/main/scala/mesosphere/marathon/core/health/impl/AppHealthCheckActor.scala,
/// `updateHealthCheckStatus`: "only notifies on transitions between statuses"). Fields as
/// M:src/main/scala/mesosphere/marathon/api/v2/json/Formats.scala writes them.
pub(crate) fn health_changed(bus: &Bus, c: &HealthChange<'_>) {
    if c.alive != c.was_alive {
        bus.emit(
            "health_status_changed_event",
            json!({"appId": c.app_id, "instanceId": c.instance_id, "version": c.version, "alive": c.alive}),
        );
    }
    if c.after != c.before {
        bus.emit(
            "instance_health_changed_event",
            json!({"instanceId": c.instance_id, "runSpecId": c.app_id, "healthy": c.after, "runSpecVersion": c.version}),
        );
    }
}

/// The plan of a deployment as events carry it: `{id, steps[{actions[{action, app}]}], version}`.
pub(crate) fn plan_json(id: &str, version: &str, steps: &[DeploymentStep]) -> Value {
    json!({"id": id, "steps": steps, "version": version})
}

/// A step as events carry it: `{actions[{action, app}]}`.
pub(crate) fn step_json(actions: &[DeploymentAction]) -> Value {
    json!({ "actions": actions })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(alive: bool) -> Option<HealthCheckResult> {
        Some(HealthCheckResult { alive, ..HealthCheckResult::default() })
    }

    #[test]
    fn an_instance_is_healthy_when_every_check_is_alive_and_unknown_while_one_has_no_result() {
        assert_eq!(instance_health(&[result(true), result(true)]), Some(true));
        assert_eq!(instance_health(&[result(true), None]), None);
        assert_eq!(instance_health(&[result(false), None]), None);
        assert_eq!(instance_health(&[result(false), result(true)]), Some(false));
    }

    #[test]
    fn health_events_are_published_on_transitions_only() {
        let bus = Bus::new(16);
        let mut rx = bus.subscribe();
        let change = |was_alive, alive, before, after| HealthChange {
            app_id: "/a",
            instance_id: "a.instance-1",
            version: "v1",
            was_alive,
            alive,
            before,
            after,
        };
        // The first result of the only check, a failure in the grace period: unknown -> unhealthy.
        health_changed(&bus, &change(false, false, None, Some(false)));
        let ev = rx.try_recv().unwrap();
        assert_eq!(ev.kind, "instance_health_changed_event");
        let doc: Value = serde_json::from_str(&ev.data).unwrap();
        assert_eq!(doc["healthy"], false);
        assert_eq!(doc["runSpecId"], "/a");
        assert!(rx.try_recv().is_err(), "the check's alive did not flip");
        // It passes: both events, the check's first.
        health_changed(&bus, &change(false, true, Some(false), Some(true)));
        let ev = rx.try_recv().unwrap();
        assert_eq!(ev.kind, "health_status_changed_event");
        let doc: Value = serde_json::from_str(&ev.data).unwrap();
        assert_eq!((doc["appId"].as_str(), doc["alive"].as_bool()), (Some("/a"), Some(true)));
        assert!(doc.get("taskId").is_none(), "Marathon's HealthStatusChanged has no taskId");
        assert_eq!(rx.try_recv().unwrap().kind, "instance_health_changed_event");
        // Another success: nothing.
        health_changed(&bus, &change(true, true, Some(true), Some(true)));
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn events_carry_type_and_timestamp() {
        let doc: Value = serde_json::from_str(&render("app_terminated_event", json!({"appId": "/a"}))).unwrap();
        assert_eq!(doc["eventType"], "app_terminated_event");
        assert_eq!(doc["appId"], "/a");
        assert!(doc["timestamp"].as_str().unwrap().ends_with('Z'));
    }
}
