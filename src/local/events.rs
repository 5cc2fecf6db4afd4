//! The event bus behind `/v2/events` (M:src/main/scala/mesosphere/marathon/core/event/Events.scala): every event is a JSON object with `eventType`
//! and `timestamp`, fanned out to every attached stream.

use std::sync::Arc;

use serde_json::{json, Map, Value};
use tokio::sync::broadcast;

use crate::marathon::types::{DeploymentAction, DeploymentStep};

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

    #[test]
    fn events_carry_type_and_timestamp() {
        let doc: Value = serde_json::from_str(&render("app_terminated_event", json!({"appId": "/a"}))).unwrap();
        assert_eq!(doc["eventType"], "app_terminated_event");
        assert_eq!(doc["appId"], "/a");
        assert!(doc["timestamp"].as_str().unwrap().ends_with('Z'));
    }
}
