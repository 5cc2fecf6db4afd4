//! Several `theseus sync` replicas (issue 10 items 4 and 6): one leads through etcd's election
//! on a lease; kill -9 of the leader hands over once its lease expires and the new leader
//! reconciles first; SIGTERM resigns at once; etcd or Marathon unreachable at start is a clear
//! error and exit 1 after `--timeout`.

use std::time::{Duration, Instant};

use crate::sync_env::{signal, wait_exit, Env, Replica, SPEC, T};

fn created(env: &Env) {
    let spec = env.spec(SPEC);
    env.cmd().args(["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]).assert().success();
    env.wait_in_sync(T);
}

/// The replica whose log says it leads, among `replicas`, waiting up to `limit`.
fn leader<'a>(env: &Env, replicas: &'a mut [Replica], limit: Duration) -> &'a mut Replica {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(i) = replicas.iter().position(|r| env.log(&r.name).contains(&format!("{} is the leader", r.name))) {
            return &mut replicas[i];
        }
        assert!(Instant::now() < deadline, "no replica became the leader");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn kill_9_of_the_leader_hands_over_and_the_new_leader_reconciles_first() {
    let env = Env::start();
    created(&env);
    let ttl = ["--lease-ttl", "5s"];
    let mut replicas = vec![Replica::start(&env, "r1", &ttl), Replica::start(&env, "r2", &ttl)];
    let first = leader(&env, &mut replicas, T);
    let first_name = first.name.clone();
    signal(&first.child, libc::SIGKILL);
    assert_eq!(wait_exit(&mut first.child, T), None);
    let killed = Instant::now();
    // While nobody leads, Marathon changes: only the next leader's first reconcile sees it.
    let app =
        env.engine.get("/v2/apps?label=theseus.group%3D%3Ddev.frontend")["apps"][0]["id"].as_str().unwrap().to_owned();
    let r = env.engine.call("PUT", &format!("/v2/apps{app}"), Some(&serde_json::json!({"instances": 5})));
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_for("5 tasks", T, |_| env.marathon()["hello/dev.frontend"].len() == 5);
    let standby = replicas.iter().find(|r| r.name != first_name).unwrap();
    assert!(
        !env.log(&standby.name).contains("is the leader"),
        "the standby led before the dead leader's lease expired:\n{}",
        env.log(&standby.name)
    );
    standby.wait_leading(&env, T);
    let handover = killed.elapsed();
    env.wait_in_sync(T);
    let log = env.log(&standby.name);
    assert!(log.contains("reconcile: hello/dev.frontend"), "the new leader did not reconcile first:\n{log}");
    eprintln!("handover after kill -9: {handover:.2?} (lease TTL 5s)");
}

#[test]
fn sigterm_resigns_so_the_standby_leads_without_waiting_for_the_lease() {
    let env = Env::start();
    created(&env);
    // A lease far longer than the deadline below: only a resignation lets the standby in.
    let ttl = ["--lease-ttl", "120s"];
    let mut replicas = vec![Replica::start(&env, "r1", &ttl), Replica::start(&env, "r2", &ttl)];
    let first = leader(&env, &mut replicas, T);
    let first_name = first.name.clone();
    signal(&first.child, libc::SIGTERM);
    assert_eq!(wait_exit(&mut first.child, T), Some(0), "{}", env.log(&first_name));
    assert!(env.log(&first_name).contains("resigning"), "{}", env.log(&first_name));
    let standby = replicas.iter().find(|r| r.name != first_name).unwrap();
    standby.wait_leading(&env, Duration::from_secs(60));
    // Ctrl-C stops the standby the same way.
    signal(&standby.child, libc::SIGINT);
    let name = standby.name.clone();
    let standby = replicas.iter_mut().find(|r| r.name == name).unwrap();
    assert_eq!(wait_exit(&mut standby.child, T), Some(0), "{}", env.log(&name));
}

#[test]
fn etcd_or_marathon_unreachable_past_timeout_at_start_is_a_clear_error() {
    let env = Env::start();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = crate::support::cmd::theseus()
        .args(["--marathon", &env.engine.url(), "--etcd", &format!("127.0.0.1:{closed}"), "--request-timeout", "1s"])
        .args(["sync", "--timeout", "2s"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("etcd stayed unreachable") && stderr.contains(&format!("127.0.0.1:{closed}")), "{stderr}");
    let out = crate::support::cmd::theseus()
        .args(["--marathon", &format!("http://127.0.0.1:{closed}"), "--etcd", &env.etcd.endpoint])
        .args(["--request-timeout", "1s", "sync", "--once", "--timeout", "2s"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Marathon stayed unreachable"), "{stderr}");
    assert!(env.registered().is_empty(), "nothing may be written");
}
