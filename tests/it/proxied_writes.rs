//! Writes answered 500. A non-leader Marathon forwards writes to the leader;
//! when that call fails after connecting (its read timeout) it answers `sendError(500)`, Jetty's
//! error page with none of the leader's headers, though the leader may have applied the write
//! (M:src/main/scala/mesosphere/marathon/api/forwarder/AsyncUrlConnectionRequestForwarder.scala,
//! `forward`). Every answer of the leader, proxied ones included, carries `X-Marathon-Leader`
//! (M:src/main/scala/mesosphere/marathon/api/LeaderProxyFilter.scala, `doFilter`;
//! `AsyncUrlConnectionRequestForwarder.cloneResponseStatusAndHeader`). So a write answered 500
//! without `X-Marathon-Leader` is "maybe applied" (re-read, never resent), and a leader's own 500
//! stays a failure (exit 1, README "Exit codes").

use std::time::Duration;

use super::support::consistency::{spec_text, FAST};
use super::support::env::Env;
use super::support::proxy::Fault;

/// How many requests of `method` under `prefix` the proxy has seen.
fn seen(env: &Env, method: &str, prefix: &str) -> usize {
    env.proxy().seen().iter().filter(|s| s.method == method && s.path.starts_with(prefix)).count()
}

/// A scale-up the leader applied but whose answer a forwarding non-leader lost (500, no
/// leader header) ends in success after re-reading the app: sent once, exit 0, the new tasks
/// registered. Pins `AsyncUrlConnectionRequestForwarder.forward` (500 on a failure other than
/// a refused connection) and `LeaderProxyFilter.doFilter` (the leader's header).
#[test]
fn a_forwarded_500_on_an_applied_scale_is_confirmed_by_rereading() {
    let env = Env::proxied();
    let path = env.spec("fw.toml", &spec_text("pw", "fw", &[("dev", 1)]));
    env.ok(&[&["create", path.to_str().unwrap()][..], &FAST].concat());
    let before = seen(&env, "PUT", "/v2/apps/");
    env.proxy().fault("PUT", "/v2/apps/", Fault::ForwarderFailed(500), 1);
    let out = env.out(&[&["scale", "fw", "-l", "dev", "-n", "3"][..], &FAST].concat());
    env.proxy().clear();
    assert_eq!(out.code, Some(0), "a forwarded 500 is maybe-applied, and it was: {}", out.stderr);
    assert_eq!(seen(&env, "PUT", "/v2/apps/") - before, 1, "the write was sent once");
    env.engine.wait_idle(Duration::from_secs(60));
    env.assert_consistent("", "pw");
    let groups = env.marathon_groups("pw");
    let tasks: usize = groups.values().map(|g| g.2.len()).sum();
    assert_eq!(tasks, 3, "Marathon runs the 3 instances: {groups:?}");
}

/// The leader's own 500 (with `X-Marathon-Leader`) stays a failure: exit 1 with Marathon's
/// message, no "may have applied" (it was not re-read as an uncertain write), the write sent
/// once and nothing changed. Pins `LeaderProxyFilter.doFilter` (the header on the leader's
/// answers).
#[test]
fn a_leaders_500_stays_a_failure() {
    let env = Env::proxied();
    let path = env.spec("ld.toml", &spec_text("pl", "ld", &[("dev", 1)]));
    env.ok(&[&["create", path.to_str().unwrap()][..], &FAST].concat());
    let before = seen(&env, "PUT", "/v2/apps/");
    let body = r#"{"message":"An unexpected server error occurred"}"#;
    env.proxy().fault("PUT", "/v2/apps/", Fault::Leader(500, body.into()), 1);
    let out = env.out(&[&["scale", "ld", "-l", "dev", "-n", "3"][..], &FAST].concat());
    env.proxy().clear();
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("answered 500 Internal Server Error to PUT /v2/apps/"), "{}", out.stderr);
    assert!(out.stderr.contains("An unexpected server error occurred"), "{}", out.stderr);
    assert!(!out.stderr.contains("may have applied"), "a leader's 500 is not uncertain: {}", out.stderr);
    assert_eq!(seen(&env, "PUT", "/v2/apps/") - before, 1, "the write was sent once");
    env.engine.wait_idle(Duration::from_secs(60));
    env.assert_consistent("", "pl");
    let groups = env.marathon_groups("pl");
    let tasks: usize = groups.values().map(|g| g.2.len()).sum();
    assert_eq!(tasks, 1, "nothing changed: {groups:?}");
}
