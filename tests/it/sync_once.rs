//! `theseus sync --once` after each kind of interruption: the tasks run but etcd is
//! wrong; one `sync --once` makes etcd equal Marathon, and a second one writes nothing (the
//! etcd revision does not move).

use std::time::Duration;

use serde_json::Value;

use crate::support::engine::{test_config, Engine};
use crate::support::env::Env;
use crate::support::sync::{signal, wait_exit, SPEC, T};

/// Marathon's managed apps exist (the command's change was accepted).
fn apps_accepted(engine: &Engine) -> bool {
    engine.get("/v2/apps?label=theseus.managed%3D%3Dtrue")["apps"].as_array().is_some_and(|a| a.len() == 2)
}

/// The repair: etcd differs from Marathon before, equals it after one `sync --once`, and a
/// second `sync --once` changes nothing and writes nothing.
fn repair(env: &Env) -> Value {
    env.wait_running(5);
    assert!(env.in_sync().is_err(), "the interruption should have left etcd behind Marathon");
    settle(env)
}

/// `sync --once` makes etcd equal Marathon; a second one changes and writes nothing.
fn settle(env: &Env) -> Value {
    let report = env.sync_once();
    env.in_sync().unwrap_or_else(|d| panic!("after sync --once: {d}\nreport: {report:#}"));
    let before = env.revision();
    let again = env.sync_once();
    assert_eq!(again["changes"], 0, "{again:#}");
    assert_eq!(again["transactions"], 0, "{again:#}");
    assert_eq!(env.revision(), before, "an unchanged state must write nothing");
    report
}

#[test]
fn kill_9_of_create_then_sync_once() {
    let env = Env::start();
    let spec = env.spec("spec.toml", SPEC);
    let mut create = env.spawn(&["create", spec.to_str().unwrap()]);
    env.engine.wait_for("the create to reach Marathon", T, apps_accepted);
    signal(&create, libc::SIGKILL);
    wait_exit(&mut create, T);
    let report = repair(&env);
    assert!(report["changes"].as_u64().unwrap() >= 5, "{report:#}");
}

#[test]
fn ctrl_c_of_create_then_sync_once() {
    let env = Env::start();
    let spec = env.spec("spec.toml", SPEC);
    let mut create = env.spawn(&["create", spec.to_str().unwrap()]);
    env.engine.wait_for("the create to reach Marathon", T, apps_accepted);
    signal(&create, libc::SIGINT);
    // 130 when the signal caught it waiting; 0 when the fast engine let it finish first.
    let code = wait_exit(&mut create, T);
    assert!(matches!(code, Some(130) | Some(0)), "create after SIGINT exited {code:?}");
    env.wait_running(5);
    // Whatever create registered before it stopped, sync makes etcd whole.
    env.sync_once();
    env.wait_in_sync(Duration::ZERO);
}

#[test]
fn create_no_wait_then_sync_once() {
    let env = Env::start();
    let spec = env.spec("spec.toml", SPEC);
    env.cmd().args(["create", spec.to_str().unwrap(), "--no-wait"]).assert().success();
    // Whether etcd lags depends on how fast the engine started the tasks; either way one
    // sync makes it whole.
    env.wait_running(5);
    settle(&env);
}

#[test]
fn etcd_down_mid_create_then_sync_once() {
    let mut env = Env::start();
    let spec = env.spec("spec.toml", SPEC);
    let mut create = env.spawn(&["create", spec.to_str().unwrap()]);
    env.engine.wait_for("the create to reach Marathon", T, apps_accepted);
    env.etcd.kill();
    assert_ne!(wait_exit(&mut create, Duration::from_secs(120)), Some(0), "create cannot finish without etcd");
    env.etcd.restart();
    repair(&env);
}

#[test]
fn a_marathon_write_that_timed_out_then_sync_once() {
    // The command's PUT reached Marathon but its answer never came back: Marathon runs the
    // apps, etcd has never heard of the groups. Sync restores the groups and registers.
    let env = Env::start();
    let spec = env.spec("spec.toml", SPEC);
    let out = env.cmd().args(["render", spec.to_str().unwrap()]).output().unwrap();
    let apps: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = env.engine.call("PUT", "/v2/apps", Some(&apps));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(env.registrations().is_empty());
    let report = repair(&env);
    let restored = report["details"].as_array().unwrap().iter().filter(|d| d["restored"] == true).count();
    assert_eq!(restored, 2, "{report:#}");
    let config = env.etcd.dump().into_iter().find(|(k, _)| k == "/services/hello/dev.frontend/config").unwrap().1;
    let config: Value = serde_json::from_str(&config).unwrap();
    assert_eq!(config["namespace"], "it");
    assert!(config["app_id"].as_str().unwrap().starts_with("/it/hello/"), "{config}");
}

#[test]
fn local_engine_restarted_then_sync_once_drops_task_ids_that_no_longer_exist() {
    let state = tempfile::tempdir().unwrap();
    let config = || {
        let mut c = test_config();
        c.state_file = Some(state.path().join("engine.json"));
        c
    };
    let etcd = crate::support::etcd::Etcd::start();
    let dir = tempfile::tempdir().unwrap();
    let first = Env::from_parts(Engine::start_with(config()), etcd, dir);
    let spec = first.spec("spec.toml", SPEC);
    first.cmd().args(["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]).assert().success();
    first.wait_in_sync(T);
    let old: Vec<String> = first.registrations().values().flat_map(|c| c.keys().cloned()).collect();
    assert_eq!(old.len(), 5);
    let Env { engine, etcd, dir, .. } = first;
    drop(engine);
    let env = Env::from_parts(Engine::start_with(config()), etcd, dir);
    repair(&env);
    let now: Vec<String> = env.registrations().values().flat_map(|c| c.keys().cloned()).collect();
    assert!(old.iter().all(|t| !now.contains(t)), "stale task ids stay registered: {now:?}");
}

#[test]
fn apps_deleted_through_marathons_api_leave_no_containers_after_sync_once() {
    // Someone removes a managed group's apps with Marathon's own API (DELETE /v2/apps/{id},
    // DELETE /v2/groups/{id}): Marathon runs nothing for it any more, so etcd must list no
    // container for it after `sync --once`. The group records themselves stay.
    let env = Env::start();
    let spec = env.spec("spec.toml", SPEC);
    env.cmd().args(["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]).assert().success();
    env.wait_in_sync(T);
    let app =
        env.engine.get("/v2/apps?label=theseus.group%3D%3Ddev.frontend")["apps"][0]["id"].as_str().unwrap().to_owned();
    let r = env.engine.call("DELETE", &format!("/v2/apps{app}"), None);
    assert!(r.status < 300, "{}", r.text);
    let r = env.engine.call("DELETE", "/v2/groups/it/hello/backend.dev", None);
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_idle(T);
    env.engine.wait_for("the apps to be gone", T, |e| {
        e.get("/v2/apps?label=theseus.managed%3D%3Dtrue")["apps"].as_array().is_some_and(Vec::is_empty)
    });
    env.wait_running(0);
    assert_eq!(env.registrations()["hello/dev.frontend"].len(), 3, "nothing deregistered them yet");
    let report = settle(&env);
    let regs = env.registrations();
    assert!(regs.values().all(|c| c.is_empty()), "containers left for groups Marathon no longer runs: {regs:#?}");
    assert_eq!(report["changes"], 5, "{report:#}");
    // The groups' records (config, ownership) stay, flagged in the report, so that a later
    // `create` (or `remove`) settles them; `create` brings the groups back in one step.
    let rows = report["details"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{report:#}");
    assert!(rows.iter().all(|d| d["not_in_marathon"] == true && d["skipped"].is_null()), "{report:#}");
    let keys: Vec<String> = env.etcd.dump().into_iter().map(|(k, _)| k).collect();
    assert!(keys.contains(&"/services/hello/dev.frontend/config".to_owned()), "{keys:#?}");
    let table = env.cmd().args(["sync", "--once"]).output().unwrap();
    let table = String::from_utf8_lossy(&table.stdout).to_string();
    assert!(table.contains("no app in Marathon: record kept"), "{table}");
    env.cmd().args(["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]).assert().success();
    env.wait_running(5);
    env.wait_in_sync(T);
}
