//! Several `theseus sync` replicas: one leads through etcd's election
//! on a lease; kill -9 of the leader hands over once its lease expires and the new leader
//! reconciles first; SIGTERM and Ctrl-C resign, so a standby leads at once; etcd or Marathon
//! unreachable at start is a clear error and exit 1 after `--timeout`, with `--once` or not;
//! logs follow `-v` and `RUST_LOG`.

use std::time::{Duration, Instant};

use crate::support::env::Env;
use crate::support::sync::{signal, tamper, wait_exit, Replica, SPEC, T};

fn created(env: &Env) {
    let spec = env.spec("spec.toml", SPEC);
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
    let ttl = Duration::from_secs(6);
    let flag = ["--lease-ttl", "6s"];
    let mut replicas = vec![Replica::start(&env, "r1", &flag), Replica::start(&env, "r2", &flag)];
    let first = leader(&env, &mut replicas, T);
    let first_name = first.name.clone();
    signal(&first.child, libc::SIGKILL);
    assert_eq!(wait_exit(&mut first.child, T), None);
    let killed = Instant::now();
    let standby_name = replicas.iter().find(|r| r.name != first_name).unwrap().name.clone();
    // The dead leader's lease was renewed at most TTL/3 before the kill, so for the first
    // TTL/3 after it nobody else may lead (checked only while that window is still open).
    let led_early = env.log(&standby_name).contains("is the leader");
    if killed.elapsed() < ttl / 3 {
        assert!(!led_early, "the standby led while the dead leader's lease held:\n{}", env.log(&standby_name));
    }
    // While nobody leads, Marathon changes: only the next leader's first reconcile sees it.
    let app =
        env.engine.get("/v2/apps?label=theseus.group%3D%3Ddev.frontend")["apps"][0]["id"].as_str().unwrap().to_owned();
    let r = env.engine.call("PUT", &format!("/v2/apps{app}"), Some(&serde_json::json!({"instances": 5})));
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_for("5 tasks", T, |_| env.marathon()["hello/dev.frontend"].len() == 5);
    // Normally the scale-up is done before the lease expires; on a machine so loaded that it
    // is not, its events reach the new leader instead, and only the end state is checked.
    let done_before_handover = !env.log(&standby_name).contains("is the leader");
    let standby = replicas.iter().find(|r| r.name == standby_name).unwrap();
    standby.wait_leading(&env, T);
    let handover = killed.elapsed();
    assert!(handover < ttl * 5, "handover took {handover:?} with a lease TTL of {ttl:?}");
    env.wait_in_sync(T);
    if done_before_handover {
        // The reconcile logs its summary once its writes are done: etcd can be in sync a moment
        // before the line is in the log, so the log is read until it shows (or T runs out).
        let deadline = Instant::now() + T;
        let mut log = env.log(&standby.name);
        while !log.contains("reconcile: hello/dev.frontend: +2 ~0 -0") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            log = env.log(&standby.name);
        }
        assert!(
            log.contains("reconcile: hello/dev.frontend: +2 ~0 -0"),
            "the new leader did not reconcile first:\n{log}"
        );
    }
    eprintln!("handover after kill -9: {handover:.2?} (lease TTL {ttl:?}; scaled before it: {done_before_handover})");
}

/// Stops the leader among `replicas` with `sig` and checks that it exits 0 after resigning
/// and that another one leads well before the lease TTL (120 s) could have expired.
fn stop_leader_and_check_handover(env: &Env, replicas: &mut Vec<Replica>, sig: i32) -> Duration {
    let current = leader(env, replicas, T);
    let name = current.name.clone();
    signal(&current.child, sig);
    let stopped = Instant::now();
    assert_eq!(wait_exit(&mut current.child, T), Some(0), "{}", env.log(&name));
    assert!(env.log(&name).contains("resigning"), "{}", env.log(&name));
    replicas.retain(|r| r.name != name);
    let next = leader(env, replicas, Duration::from_secs(60));
    let took = stopped.elapsed();
    assert!(took < Duration::from_secs(100), "took {took:?}: only the lease's expiry let {} in", next.name);
    took
}

#[test]
fn sigterm_and_ctrl_c_resign_so_a_standby_leads_without_waiting_for_the_lease() {
    let env = Env::start();
    created(&env);
    // A lease far longer than the deadlines here: only a resignation lets a standby in.
    let ttl = ["--lease-ttl", "120s"];
    let mut replicas =
        vec![Replica::start(&env, "r1", &ttl), Replica::start(&env, "r2", &ttl), Replica::start(&env, "r3", &ttl)];
    let term = stop_leader_and_check_handover(&env, &mut replicas, libc::SIGTERM);
    let int = stop_leader_and_check_handover(&env, &mut replicas, libc::SIGINT);
    eprintln!("handover after SIGTERM: {term:.2?}, after SIGINT: {int:.2?} (lease TTL 120s)");
    // The last one still keeps etcd equal to Marathon.
    let victim = env.registrations()["hello/dev.frontend"].keys().next().unwrap().clone();
    let r = env.engine.call("POST", "/v2/tasks/delete", Some(&serde_json::json!({"ids": [victim]})));
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_for("the replacement", T, |_| !env.marathon()["hello/dev.frontend"].contains_key(&victim));
    env.wait_in_sync(T);
}

#[test]
fn etcd_or_marathon_unreachable_past_timeout_at_start_is_a_clear_error() {
    let env = Env::start();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead_etcd = format!("127.0.0.1:{closed}");
    let dead_marathon = format!("http://127.0.0.1:{closed}");
    let cases = [
        ("etcd", env.engine.url(), dead_etcd.clone(), dead_etcd.as_str()),
        ("Marathon", dead_marathon.clone(), env.etcd.endpoint.clone(), dead_marathon.as_str()),
    ];
    for (what, marathon, etcd, named) in &cases {
        for once in [false, true] {
            let mut cmd = crate::support::cmd::theseus();
            cmd.args(["--marathon", marathon, "--etcd", etcd, "--request-timeout", "1s", "sync", "--timeout", "2s"]);
            if once {
                cmd.arg("--once");
            }
            let started = Instant::now();
            let out = cmd.timeout(Duration::from_secs(60)).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{what} (once: {once}): {stderr}");
            assert!(
                stderr.contains(&format!("{what} stayed unreachable for 2s (sync --timeout)"))
                    && stderr.contains(named),
                "{what} (once: {once}): {stderr}"
            );
            assert!(started.elapsed() >= Duration::from_secs(2), "gave up before --timeout");
        }
    }
    assert!(env.registrations().is_empty(), "nothing may be written");
}

#[test]
fn logs_follow_v_and_rust_log() {
    // Diagnostics go through `tracing`: silent by default (warnings only), `-v` or RUST_LOG
    // turn on sync's info logs. Each replica runs until it repaired what was changed in etcd.
    let env = Env::start();
    created(&env);
    let run = |name: &str, verbose: bool, rust_log: Option<&str>| -> String {
        let path = env.dir.path().join(format!("{name}.stderr"));
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_theseus"));
        cmd.args(["--marathon", &env.engine.url(), "--etcd", &env.etcd.endpoint]);
        if verbose {
            cmd.arg("-v");
        }
        cmd.args(["sync", "--name", name, "--lease-ttl", "2s"])
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&path).unwrap());
        if let Some(filter) = rust_log {
            cmd.env("RUST_LOG", filter);
        }
        // Something for its first reconcile to repair (and, when enabled, to log).
        tamper(&env, "dev.frontend");
        let mut child = cmd.spawn().unwrap();
        env.wait_in_sync(T);
        signal(&child, libc::SIGTERM);
        assert_eq!(wait_exit(&mut child, T), Some(0));
        env.log(name)
    };
    let repaired = "INFO theseus::sync: reconcile: hello/dev.frontend: +1 ~0 -1";
    let quiet = run("q", false, None);
    assert!(!quiet.contains("theseus::"), "{quiet}");
    let verbose = run("v", true, None);
    assert!(verbose.contains(repaired) && verbose.contains("INFO theseus::marathon"), "{verbose}");
    let filtered = run("f", false, Some("theseus::sync=info"));
    assert!(filtered.contains(repaired), "{filtered}");
    assert!(!filtered.contains("theseus::marathon"), "RUST_LOG chose sync's logs only: {filtered}");
}

#[test]
fn replicas_limited_to_different_namespaces_each_have_their_own_election() {
    // One election per namespace (and one for replicas of every namespace): replicas limited
    // to `other`, or to none, never wait behind the leader of `it`; two replicas of `it` do.
    let env = Env::start();
    created(&env);
    let mut first = Replica::start(&env, "it1", &["--namespace", "it"]);
    first.wait_leading(&env, T);
    let second = Replica::start(&env, "it2", &["--namespace", "it"]);
    let deadline = Instant::now() + T;
    while !env.log("it2").contains("it2 campaigns for leadership") {
        assert!(Instant::now() < deadline, "{}", env.log("it2"));
        std::thread::sleep(Duration::from_millis(20));
    }
    // Started after it2 campaigned, these win their own elections at once, while it2 waits.
    let other = Replica::start(&env, "other1", &["--namespace", "other"]);
    let all = Replica::start(&env, "all1", &[]);
    other.wait_leading(&env, T);
    all.wait_leading(&env, T);
    assert!(!env.log("it2").contains("is the leader"), "it2 led beside it1:\n{}", env.log("it2"));
    signal(&first.child, libc::SIGTERM);
    assert_eq!(wait_exit(&mut first.child, T), Some(0));
    second.wait_leading(&env, T);
    let victim = env.registrations()["hello/dev.frontend"].keys().next().unwrap().clone();
    let r = env.engine.call("POST", "/v2/tasks/delete", Some(&serde_json::json!({"ids": [victim]})));
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_for("the replacement", T, |_| !env.marathon()["hello/dev.frontend"].contains_key(&victim));
    env.wait_in_sync(T);
}
