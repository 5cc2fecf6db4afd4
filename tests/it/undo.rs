//! End to end: a `create` or scale-up that cannot be placed or whose new tasks keep failing is
//! undone and exits 3, or left as it is with exit 4 when undoing it would stop
//! a task that serves (more in `scale_down.rs`), failing within about
//! `--fail-after` on the signals Marathon's queue gives (see `src/rollout/stuck.rs` for the Scala sources), and etcd ends
//! listing exactly the tasks Marathon runs healthy.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::support::env::Env;

const FAST: [&str; 6] = ["--poll-interval", "200ms", "--fail-after", "2s", "--timeout", "90s"];

#[test]
fn a_create_whose_tasks_exit_at_once_is_undone_within_fail_after() {
    let env = Env::start();
    let body = "cmd = \"echo no config found >&2; exit 1\"\n[[service.app.group]]\nlabels = [\"dev\"]\ninstances = 2";
    let spec = env.app_spec(body);
    let started = Instant::now();
    let (code, doc, err) = env.run(&[&["create", spec.as_str()][..], &FAST].concat());
    assert_eq!(code, Some(3), "{err}");
    // The row says it was undone, with Marathon's and the program's own words.
    assert_eq!(doc[0]["result"], "undone", "{doc}");
    assert_eq!(doc[0]["evidence"]["last_task_failure"]["state"], "TASK_FAILED", "{doc}");
    assert!(doc[0]["evidence"]["logs"].to_string().contains("no config found"), "{doc}");
    assert!(err.contains("keep failing") && err.contains("Command exited with status 1"), "{err}");
    assert!(err.contains("was undone"), "{err}");
    // The evidence, read before the undo deleted the app, under the group's name.
    assert!(err.contains("app/dev: last task failure: TASK_FAILED on"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30), "within seconds, not at the timeout");
    assert!(env.engine.get("/v2/apps")["apps"].as_array().unwrap().is_empty(), "gone from Marathon");
    assert_ne!(env.run_plain(&["endpoints", "app"]).0, Some(0), "gone from etcd");
}

/// A scale-up from 2 to 5 with one task per host on three agents: one new task runs, two
/// instances can never be placed. Going back to 2 would make Marathon stop placed tasks before
/// the waiting instances (M:src/main/scala/mesosphere/marathon/core/deployment/
/// ScalingProposition.scala `propose`), and every placed task serves, so the undo is refused
/// before any change (exit 4): the app stays at 5 and etcd lists exactly the
/// tasks Marathon runs healthy.
#[test]
fn an_unplaceable_scale_up_only_serving_tasks_could_undo_is_left_as_it_is() {
    let env = Env::start();
    let body = "cmd = \"sleep 600\"\nconstraints = [[\"hostname\", \"UNIQUE\"]]\n\
                [[service.app.group]]\nlabels = [\"dev\"]\ninstances = 2";
    let spec = env.app_spec(body);
    let (code, err) = env.run_plain(&[&["create", spec.as_str()][..], &FAST].concat());
    assert_eq!(code, Some(0), "{err}");
    let before = env.container_ids("app", "dev");
    assert_eq!(before.len(), 2);
    let started = Instant::now();
    let (code, err) = env.run_plain(&[&["scale", "app", "-l", "dev", "--instances", "5"][..], &FAST].concat());
    assert_eq!(code, Some(4), "{err}");
    assert!(err.contains("UnfulfilledConstraint") && err.contains("without stopping a task that serves"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30), "within seconds, not at the timeout");
    let app = env.only_app();
    assert_eq!(app["instances"], 5, "left at the new count");
    let running: BTreeSet<String> = app["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["state"] == "TASK_RUNNING")
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(running.len(), 3);
    assert!(before.is_subset(&running), "no task that served was stopped");
    assert_eq!(env.container_ids("app", "dev"), running, "etcd lists exactly what Marathon runs");
}
