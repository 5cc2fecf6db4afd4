//! Fidelity of the local engine's `/v2/queue` to Marathon's source (mesosphere/marathon at
//! 90619da, paths under `src/main/scala/mesosphere/marathon/`):
//!
//! - `core/launchqueue/LaunchStats.scala` (`launchingInstancesFold`, `getStatistics`): an app is
//!   queued while an instance is scheduled (including a failed one waiting to be relaunched) or
//!   provisioned (placed, not started: fetch, image pull); `count` counts both.
//! - `core/launchqueue/impl/OfferMatchStatistics.scala`, `impl/TaskLauncherActor.scala`,
//!   `impl/LaunchQueueActor.scala`: offer counters and the reject summary add up over the app's
//!   life (they are dropped only when the launcher actor stops, which the leader never does
//!   since `LaunchQueue.purge` was removed), the last no-match is kept per agent, and a
//!   backed-off app sees no offers.
//! - `raml/QueueInfoConversion.scala`: both reject summaries are ten-step funnels.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::engine::Engine;

const T: Duration = Duration::from_secs(30);

fn entry(e: &Engine, app: &str) -> Option<Value> {
    e.get("/v2/queue")["queue"].as_array().unwrap().iter().find(|q| q["app"]["id"] == app).cloned()
}

fn summary(q: &Value) -> (u64, u64) {
    let s = &q["processedOffersSummary"];
    (s["processedOffersCount"].as_u64().unwrap(), s["unusedOffersCount"].as_u64().unwrap())
}

/// A one-shot HTTP server that answers only when told to: a fetch from it keeps a task staging.
fn held_server() -> (String, mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/payload.txt", listener.local_addr().unwrap());
    let (release, released) = mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; 1024];
        let _ = conn.read(&mut buf);
        let _ = released.recv_timeout(T);
        let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    });
    (url, release, thread)
}

/// LaunchStats.scala: a provisioned instance (offer used, task not started) stays in the queue,
/// so the entry lives until the task runs, not until it is placed.
#[test]
fn the_entry_lives_while_an_instance_is_staging() {
    let e = Engine::start();
    let (url, release, server) = held_server();
    let app = json!({"id": "/pull", "cmd": "sleep 600", "cpus": 0.1, "mem": 8, "fetch": [{"uri": url}]});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    e.wait_for("a staging task", T, |e| e.tasks("/pull").first().is_some_and(|t| t["state"] == "TASK_STAGING"));
    let q = entry(&e, "/pull").expect("queued while staging");
    assert_eq!(q["count"], 1, "{q:#}\n{}", e.get("/v2/apps/spread?embed=app.tasks"));
    assert_eq!(summary(&q), (1, 0), "placed: one offer processed, none declined");
    assert!(q["processedOffersSummary"]["lastUsedOfferAt"].is_string());
    release.send(()).unwrap();
    e.wait_for("the task to run", T, |e| e.tasks("/pull").first().is_some_and(|t| t["state"] == "TASK_RUNNING"));
    e.wait_for("the entry to go", T, |e| entry(e, "/pull").is_none());
    server.join().unwrap();
}

/// LaunchStats.scala: a failed instance with goal Running is scheduled again, so it is queued
/// during its backoff; TaskLauncherActor.scala: a backed-off launcher sees no offers, so the
/// counters stand still.
#[test]
fn a_failed_instance_is_queued_during_its_backoff() {
    let e = Engine::start();
    let app = json!({"id": "/crash", "cmd": "exit 1", "cpus": 0.1, "mem": 8, "backoffSeconds": 60});
    e.call("POST", "/v2/apps", Some(&app));
    e.wait_for("a failure", T, |e| !e.get("/v2/apps/crash")["app"]["lastTaskFailure"].is_null());
    e.wait_for("the relaunch to queue", T, |e| entry(e, "/crash").is_some_and(|q| q["delay"]["overdue"] == false));
    let q = entry(&e, "/crash").unwrap();
    assert_eq!(q["count"], 1, "{q:#}\n{}", e.get("/v2/apps/spread?embed=app.tasks"));
    assert_eq!(q["delay"]["overdue"], false);
    assert!(q["delay"]["timeLeftSeconds"].as_u64().unwrap() > 30, "{q}");
    assert_eq!(summary(&q), (1, 0), "the one launch; no offers while backing off");
    assert_eq!(summary(&entry(&e, "/crash").unwrap()), (1, 0));
}

/// OfferMatchStatistics.scala + LaunchQueueActor.scala: the counters and the launch-attempt
/// summary are never reset while the engine leads: not when the entry goes, not when it comes
/// back, not when the app is deleted and created again. The last offers keep one no-match per
/// agent, shown with `embed=lastUnusedOffers` (QueueResource.scala).
#[test]
fn offer_statistics_add_up_over_the_apps_life() {
    let e = Engine::start();
    let app = json!({"id": "/spread", "cmd": "sleep 600", "cpus": 0.1, "mem": 8, "instances": 4,
        "constraints": [["hostname", "UNIQUE"]]});
    e.call("POST", "/v2/apps", Some(&app));
    // Three agents: the fourth instance is declined by every agent, offer round after round.
    // (Wait for the three that fit to run too: a placed task is counted until its process starts.)
    e.wait_for("declines", T, |e| {
        entry(e, "/spread").is_some_and(|q| summary(&q).1 >= 6)
            && e.tasks("/spread").iter().filter(|t| t["state"] == "TASK_RUNNING").count() == 3
    });
    let q = entry(&e, "/spread").unwrap();
    assert_eq!(q["count"], 1, "{q:#}");
    let last = &q["processedOffersSummary"]["rejectSummaryLastOffers"];
    assert_eq!(last.as_array().unwrap().len(), 10, "the whole funnel: {last}");
    assert_eq!(last[0], json!({"reason": "UnfulfilledRole", "declined": 0, "processed": 3}));
    assert_eq!(last[1], json!({"reason": "UnfulfilledConstraint", "declined": 3, "processed": 3}));
    assert_eq!(last[2]["processed"], 0);
    let attempt = &q["processedOffersSummary"]["rejectSummaryLaunchAttempt"];
    let (processed, unused) = summary(&q);
    assert_eq!(attempt[1]["reason"], "UnfulfilledConstraint");
    assert_eq!(attempt[0]["processed"], processed);
    assert!(attempt[1]["declined"].as_u64().unwrap() >= 6);
    assert!(q.get("lastUnusedOffers").is_none(), "only embedded on request");
    let embedded = e.get("/v2/queue?embed=lastUnusedOffers")["queue"][0]["lastUnusedOffers"].clone();
    let offers = embedded.as_array().unwrap();
    assert_eq!(offers.len(), 3, "one per agent: {embedded}");
    assert!(offers
        .iter()
        .all(|o| o["reason"] == json!(["UnfulfilledConstraint"]) && o["offer"]["hostname"].is_string()));

    // Scale to what fits: the entry goes ...
    e.call("PUT", "/v2/apps/spread?force=true", Some(&json!({"instances": 3})));
    e.wait_for("the entry to go", T, |e| entry(e, "/spread").is_none());
    // ... and comes back with the counters where they were, still growing.
    e.call("PUT", "/v2/apps/spread?force=true", Some(&json!({"instances": 4})));
    e.wait_for("the entry again", T, |e| entry(e, "/spread").is_some_and(|q| summary(&q).1 > unused));
    let again = summary(&entry(&e, "/spread").unwrap());
    assert!(again.0 > processed, "cumulative, not per launch attempt: {again:?} after {processed}");

    // Deleted and created again: Marathon's launcher actor for the id outlives the app.
    e.call("DELETE", "/v2/apps/spread", None);
    e.wait_for("the app to go", T, |e| e.call("GET", "/v2/apps/spread", None).status == 404);
    e.wait_idle(T); // the id stays locked until the stop deployment ends
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    e.wait_for("the entry of the new app", T, |e| entry(e, "/spread").is_some());
    assert!(summary(&entry(&e, "/spread").unwrap()).0 > again.0);
}
