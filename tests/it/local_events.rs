//! `/v2/events` of the local engine (M:src/main/scala/mesosphere/marathon/core/event/impl/stream/HttpEventStreamServlet.scala): the Accept rule, framing, first event,
//! heartbeats, the `event_type` filter, and the events of a typical create.

use std::time::Duration;

use serde_json::json;

use crate::support::engine::{frames, Engine};

const T: Duration = Duration::from_secs(20);

#[test]
fn events_need_the_event_stream_accept_header() {
    let e = Engine::start();
    assert_eq!(e.call("GET", "/v2/events", None).status, 405);
    assert_eq!(e.call_with("GET", "/v2/events", None, &[("Accept", "application/json")]).status, 405);
}

#[test]
fn a_create_streams_marathons_events_in_crlf_frames_with_heartbeats() {
    let e = Engine::start();
    let mut all = e.events("");
    assert!(all.head.to_ascii_lowercase().contains("content-type: text/event-stream;charset=utf-8"), "{}", all.head);
    let first = all.read_until(T, |t| t.contains("\r\n\r\n"));
    assert!(first.starts_with("event: event_stream_attached\r\ndata: {"), "{first:?}");
    let mut filtered = e.events("?event_type=deployment_success&event_type=app_terminated_event");
    let r = e.call(
        "POST",
        "/v2/apps",
        Some(&json!({"id": "/ev", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "instances": 2})),
    );
    let dep = r.header("marathon-deployment-id").unwrap().to_string();
    let text = all.read_until(T, |t| t.contains("deployment_success"));
    let events = frames(&text);
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    for kind in [
        "api_post_event",
        "group_change_success",
        "deployment_info",
        "status_update_event",
        "instance_changed_event",
        "deployment_step_success",
        "deployment_success",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing in {kinds:?}");
    }
    let pos = |k: &str| kinds.iter().position(|x| *x == k).unwrap();
    assert!(pos("group_change_success") < pos("deployment_info"));
    assert!(pos("deployment_info") < pos("deployment_success"));
    let running =
        events.iter().filter(|(k, v)| k == "status_update_event" && v["taskStatus"] == "TASK_RUNNING").count();
    assert_eq!(running, 2);
    let (_, done) = events.iter().find(|(k, _)| k == "deployment_success").unwrap();
    assert_eq!(done["id"], dep.as_str());
    assert!(done["plan"]["steps"][0]["actions"][0]["action"] == "StartApplication");
    for (_, v) in &events {
        assert!(v["eventType"].is_string() && v["timestamp"].is_string(), "{v}");
    }
    let (_, info) = events.iter().find(|(k, _)| k == "deployment_info").unwrap();
    assert!(info["currentStep"]["actions"].is_array() && info["plan"]["id"] == dep.as_str());
    let filtered_text = filtered.read_until(T, |t| t.contains("deployment_success"));
    assert!(frames(&filtered_text).iter().all(|(k, _)| k == "deployment_success"), "{filtered_text}");
    // heartbeats: a bare CRLF arrives while nothing happens
    let quiet = all.read_until(T, |t| t.contains("\r\n") && !t.contains("event:"));
    assert!(quiet.starts_with("\r\n"), "{quiet:?}");
    e.call("DELETE", "/v2/apps/ev", None);
    let text = filtered.read_until(T, |t| t.contains("app_terminated_event"));
    assert!(text.contains("\"appId\":\"/ev\""), "{text}");
}
