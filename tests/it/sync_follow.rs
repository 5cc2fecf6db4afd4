//! The long-running `theseus sync` follows Marathon's `/v2/events` (issue 10 items 1, 2, 6, 7):
//! tasks killed or scaled behind Theseus's back reach etcd through events alone (periodic
//! resync off), and a sync killed with kill -9 or an etcd restarted during churn end with etcd
//! equal to Marathon. Marathon's stream: `core/event/impl/stream/HttpEventStreamServlet.scala`,
//! `api/LeaderProxyFilter.scala` (the redirect), `HttpEventStreamHandleActor.scala` (no replay).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::sync_env::{churn, signal, wait_exit, Env, Replica, SPEC, T};

fn created(env: &Env) {
    let spec = env.spec(SPEC);
    env.cmd().args(["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]).assert().success();
    env.wait_in_sync(T);
}

#[test]
fn a_task_killed_behind_theseus_back_is_replaced_and_etcd_follows() {
    let env = Env::start();
    created(&env);
    let sync = Replica::start(&env, "s1", &[]);
    sync.wait_leading(&env, T);
    let before = env.registered();
    let victim = before["hello/dev.frontend"].keys().next().unwrap().clone();
    let r = env.engine.call("POST", "/v2/tasks/delete", Some(&serde_json::json!({"ids": [victim]})));
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_for("the replacement task", T, |_| {
        let m = env.marathon();
        m["hello/dev.frontend"].len() == 3 && !m["hello/dev.frontend"].contains_key(&victim)
    });
    env.wait_in_sync(T);
    assert!(!env.registered()["hello/dev.frontend"].contains_key(&victim));
}

#[test]
fn scaling_through_marathons_api_reaches_etcd() {
    let env = Env::start();
    created(&env);
    let sync = Replica::start(&env, "s1", &[]);
    sync.wait_leading(&env, T);
    let app =
        env.engine.get("/v2/apps?label=theseus.group%3D%3Ddev.frontend")["apps"][0]["id"].as_str().unwrap().to_owned();
    let r = env.engine.call("PUT", &format!("/v2/apps{app}"), Some(&serde_json::json!({"instances": 6})));
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_for("6 tasks", T, |_| env.marathon()["hello/dev.frontend"].len() == 6);
    env.wait_in_sync(T);
    let r = env.engine.call("PUT", &format!("/v2/apps{app}"), Some(&serde_json::json!({"instances": 1})));
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_for("1 task", T, |_| env.marathon()["hello/dev.frontend"].len() == 1);
    env.wait_in_sync(T);
    assert_eq!(env.registered()["hello/dev.frontend"].len(), 1);
}

#[test]
fn sync_killed_with_kill_9_during_churn_and_restarted_ends_equal() {
    let env = Env::start();
    created(&env);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let churner = s.spawn(|| churn(&env.engine, &stop, Duration::from_millis(100)));
        let mut first = Replica::start(&env, "s1", &[]);
        first.wait_leading(&env, T);
        std::thread::sleep(Duration::from_millis(800)); // let it follow some churn
        signal(&first.child, libc::SIGKILL);
        assert_eq!(wait_exit(&mut first.child, T), None, "killed by the signal");
        std::thread::sleep(Duration::from_millis(500)); // churn while no sync runs
        let second = Replica::start(&env, "s2", &[]);
        second.wait_leading(&env, T);
        std::thread::sleep(Duration::from_millis(800));
        stop.store(true, Ordering::Relaxed);
        assert!(churner.join().unwrap() > 0);
        env.engine.wait_idle(T);
        env.wait_in_sync(T);
    });
}

#[test]
fn etcd_restarted_during_churn_ends_equal() {
    let mut env = Env::start();
    created(&env);
    let sync = Replica::start(&env, "s1", &[]);
    sync.wait_leading(&env, T);
    let stop = AtomicBool::new(false);
    let engine = &env.engine;
    std::thread::scope(|s| {
        let churner = s.spawn(|| churn(engine, &stop, Duration::from_millis(100)));
        std::thread::sleep(Duration::from_millis(500));
        env.etcd.kill();
        std::thread::sleep(Duration::from_millis(1500)); // churn while etcd is down
        env.etcd.restart();
        std::thread::sleep(Duration::from_millis(500));
        stop.store(true, Ordering::Relaxed);
        assert!(churner.join().unwrap() > 0);
    });
    env.engine.wait_idle(T);
    env.wait_in_sync(T);
    drop(sync);
}
