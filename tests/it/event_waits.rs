//! End to end: waits wake on Marathon's event stream (`rollout::wakeup`), with the test proxy
//! in front of the engine's `/v2/events`. Events only wake a wait; every step is decided on a
//! poll, so a restart completes whatever happens to the stream: all its events dropped (as
//! Marathon drops a slow consumer's: M:src/main/scala/mesosphere/marathon/core/event/impl/
//! stream/HttpEventStreamHandleActor.scala), the stream cut mid-batch (the wait reconnects), or
//! a stream that never connects (503, or no answer at all): then the waits poll alone, and
//! nothing is printed as an error. And the wake-up works: with `--poll-interval 30s` and a
//! deadline of 20 s per batch, a restart whose batches no event woke could not pass a single
//! gate (its first poll comes right after the kill, the next one 30 s later).

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::support::env::{Env, Out};
use super::support::proxy::EventFault;
use super::support::specs::web_http;

/// How long any run here may take on a loaded machine before the test gives up.
const LONG: Duration = Duration::from_secs(150);

/// Creates `web/dev` (`instances` HTTP-checked servers) through the proxy; returns its app id.
fn create(env: &Env, instances: u32) -> String {
    let file = env.write("v1.toml", &web_http("1", instances));
    let (code, _, err) = env.run(&["create", &file, "--poll-interval", "200ms", "--timeout", "60s"]);
    assert_eq!(code, Some(0), "{err}");
    let apps = env.app_ids();
    assert_eq!(apps.len(), 1);
    apps[0].clone()
}

/// `theseus restart web -l dev --batch 2 -o json` with `flags`, started, not waited for.
fn start_restart(env: &Env, flags: &[&str]) -> Child {
    env.process()
        .args(["restart", "web", "-l", "dev", "--batch", "2", "--fail-after", "10s", "-o", "json"])
        .args(flags)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child` to end (killing it after [`LONG`]).
fn finish(mut child: Child) -> Out {
    let deadline = Instant::now() + LONG;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the restart did not end within {LONG:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Asserts a restart of `app` ended well: exit 0, outcome `restarted` in three batches of 2,
/// every original task replaced, nothing on stderr that reads as an error.
fn assert_restarted(env: &Env, app: &str, before: &[String], out: &Out) {
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    let doc: Value = out.json();
    assert_eq!(doc[0]["outcome"], "restarted", "{doc}");
    assert_eq!(doc[0]["batches"], serde_json::json!([2, 2, 2]));
    let after: Vec<String> = env.engine.tasks(app).iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(after.len(), 6);
    assert!(after.iter().all(|t| !before.contains(t)), "every task was replaced: {before:?} -> {after:?}");
    let lower = out.stderr.to_lowercase();
    assert!(!lower.contains("error") && !lower.contains("warn"), "{}", out.stderr);
}

fn task_ids(env: &Env, app: &str) -> Vec<String> {
    env.engine.tasks(app).iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

/// Polls of the group's apps (`GET /v2/apps?...embed=apps.tasks`) the proxy saw.
fn polls(env: &Env) -> usize {
    env.proxy().seen().iter().filter(|s| s.method == "GET" && s.path.starts_with("/v2/apps?")).count()
}

#[test]
fn events_wake_the_gates_long_before_a_30s_poll_interval() {
    let env = Env::proxied();
    let app = create(&env, 6);
    let before = task_ids(&env, &app);
    let polls_before = polls(&env);
    let streams_before = env.proxy().count("GET", "/v2/events");
    // Each batch must pass its gate within 20 s, and the next poll is due 30 s after the one
    // that follows the kill: only wake-ups can pass the gates.
    let child = start_restart(&env, &["--poll-interval", "30s", "--deadline", "20s"]);
    let out = finish(child);
    assert_restarted(&env, &app, &before, &out);
    let (passed, dropped) = env.proxy().event_frames();
    assert!(passed > 0 && dropped == 0, "{passed} event frames passed, {dropped} dropped");
    // Every poll but the first of each wait was asked for by an event: far fewer than the
    // event frames the stream carried (a burst of events costs one poll).
    let restart_polls = polls(&env) - polls_before;
    assert!(restart_polls as u64 <= passed, "{restart_polls} polls for {passed} events");
    let streams = env.proxy().count("GET", "/v2/events") - streams_before;
    assert_eq!(streams, 1, "one subscription for the whole command");
}

#[test]
fn with_every_event_dropped_a_restart_completes_by_polling() {
    let env = Env::proxied();
    let app = create(&env, 6);
    let before = task_ids(&env, &app);
    // The stream stays connected (heartbeats and its attach event pass), but no event does:
    // the waits, which count on wake-ups, fall back to their poll interval.
    env.proxy().events(EventFault::DropEvents);
    let out = finish(start_restart(&env, &["--poll-interval", "1s", "--deadline", "60s"]));
    assert_restarted(&env, &app, &before, &out);
    let (passed, dropped) = env.proxy().event_frames();
    assert!(dropped > 0, "the events of the batches were dropped ({passed} passed)");
}

#[test]
fn a_stream_cut_mid_batch_is_reconnected_and_the_restart_completes() {
    let env = Env::proxied();
    let app = create(&env, 6);
    let before = task_ids(&env, &app);
    let kills = env.proxy().count("POST", "/v2/tasks/delete");
    let streams_before = env.proxy().count("GET", "/v2/events");
    let child = start_restart(&env, &["--poll-interval", "30s", "--deadline", "30s"]);
    // Cut the stream once the first batch's tasks are killed, while its gate waits.
    let deadline = Instant::now() + LONG;
    while env.proxy().count("POST", "/v2/tasks/delete") == kills {
        assert!(Instant::now() < deadline, "the first batch never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    env.proxy().cut_streams();
    let out = finish(child);
    assert_restarted(&env, &app, &before, &out);
    let streams = env.proxy().count("GET", "/v2/events") - streams_before;
    assert!(streams >= 2, "the wait reconnected ({streams} connections)");
}

#[test]
fn a_stream_that_never_connects_leaves_the_waits_polling() {
    for fault in [EventFault::Refuse, EventFault::Hang] {
        let env = Env::proxied();
        let app = create(&env, 6);
        let before = task_ids(&env, &app);
        env.proxy().events(fault);
        let out = finish(start_restart(&env, &["--poll-interval", "1s", "--deadline", "60s"]));
        assert_restarted(&env, &app, &before, &out);
        assert!(env.proxy().count("GET", "/v2/events") >= 1, "{fault:?}: the stream was tried");
        assert!(out.stderr.trim().is_empty() || !out.stderr.contains("event stream"), "{fault:?}: {}", out.stderr);
    }
}
