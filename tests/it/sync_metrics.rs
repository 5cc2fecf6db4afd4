//! `theseus sync --listen`: `/metrics` moves with events, reconciles and repaired drift;
//! `/healthz` answers while the loops live; `/readyz` follows the leadership (a leader synced,
//! a standby reaching etcd) and fails while etcd is down; systemd hears `READY=1` and
//! `WATCHDOG=1`; the example unit passes `systemd-analyze verify`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::env::Env;
use crate::support::sync::{signal, tamper, Replica, SPEC, T};

/// A replica serving `--listen 127.0.0.1:0`, with the address it reported.
struct Served {
    replica: Replica,
    addr: String,
}

impl Served {
    fn start(env: &Env, name: &str, extra: &[&str]) -> Served {
        let mut args = vec!["--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let replica = Replica::start(env, name, &args);
        let deadline = Instant::now() + T;
        let addr = loop {
            let log = env.log(name);
            if let Some(rest) = log.split("/readyz on http://").nth(1) {
                break rest.lines().next().unwrap().trim().to_owned();
            }
            assert!(Instant::now() < deadline, "{name} never said where it listens:\n{log}");
            std::thread::sleep(Duration::from_millis(20));
        };
        Served { replica, addr }
    }

    /// GET `path`: the status and the body.
    fn get(&self, path: &str) -> (u16, String) {
        http_get(&self.addr, path)
    }

    /// The value of the sample `name` (labels included, as exposed) in `/metrics`; 0 when absent.
    fn metric(&self, name: &str) -> f64 {
        let (status, text) = self.get("/metrics");
        assert_eq!(status, 200, "{text}");
        sample(&text, name).unwrap_or(0.0)
    }

    /// Polls `path` until its status is `status`; the body then.
    fn wait_status(&self, path: &str, status: u16, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let (got, body) = self.get(path);
            if got == status {
                return body;
            }
            assert!(Instant::now() < deadline, "{} {path}: {got} {body} (waited for {status})", self.replica.name);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Polls until the sample `name` satisfies `ok`; its value then.
    fn wait_metric(&self, name: &str, limit: Duration, ok: impl Fn(f64) -> bool) -> f64 {
        let deadline = Instant::now() + limit;
        loop {
            let v = self.metric(name);
            if ok(v) {
                return v;
            }
            assert!(Instant::now() < deadline, "{name} stayed {v}:\n{}", self.get("/metrics").1);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// One HTTP/1.1 GET with `Connection: close`: the status and the body.
fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let status = raw.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

/// The value of the sample `name` in a Prometheus text exposition.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

fn created(env: &Env) {
    let spec = env.spec("spec.toml", SPEC);
    env.cmd().args(["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]).assert().success();
    env.wait_in_sync(T);
}

fn scale(env: &Env, group: &str, n: u64) {
    let app = env.engine.get(&format!("/v2/apps?label=theseus.group%3D%3D{group}"))["apps"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = env.engine.call("PUT", &format!("/v2/apps{app}"), Some(&serde_json::json!({"instances": n})));
    assert!(r.status < 300, "{}", r.text);
}

#[test]
fn metrics_move_with_events_reconciles_and_repaired_drift() {
    let env = Env::start();
    created(&env);
    let sync = Served::start(&env, "m1", &["--resync", "3s"]);
    sync.replica.wait_leading(&env, T);
    let ready = sync.wait_status("/readyz", 200, T);
    assert!(ready.starts_with("leader"), "{ready}");
    assert_eq!(sync.get("/healthz"), (200, "alive\n".into()));
    assert_eq!(sync.metric("theseus_sync_leader{namespace=\"\"}"), 1.0);
    assert!(sync.metric("theseus_sync_reconciliations_total{trigger=\"start\"}") >= 1.0);
    let confirmed = sync.metric("theseus_sync_last_confirmed_timestamp_seconds");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    assert!((now - confirmed).abs() < 60.0, "last confirmed {confirmed}, now {now}");

    // Marathon's events of a scale-up are counted by type and each refresh times its latency.
    let events = "theseus_sync_events_received_total{type=\"status_update_event\"}";
    let (before, latencies) = (sync.metric(events), sync.metric("theseus_sync_event_to_etcd_seconds_count"));
    scale(&env, "dev.frontend", 5);
    env.wait_in_sync(T);
    sync.wait_metric(events, T, |v| v >= before + 2.0);
    sync.wait_metric("theseus_sync_event_to_etcd_seconds_count", T, |v| v > latencies);
    let registered = "theseus_sync_drift_repaired_total{kind=\"registered\"}";
    sync.wait_metric(registered, T, |v| v >= 2.0);

    // Drift behind sync's back: only a resync finds it, and it is counted as repaired.
    let (registered_before, deregistered) =
        (sync.metric(registered), "theseus_sync_drift_repaired_total{kind=\"deregistered\"}");
    let deregistered_before = sync.metric(deregistered);
    let (real, fake) = tamper(&env, "dev.frontend");
    env.wait_in_sync(T);
    assert!(!env.registrations()["hello/dev.frontend"].contains_key(&fake));
    assert!(env.registrations()["hello/dev.frontend"].contains_key(&real));
    sync.wait_metric(registered, T, |v| v > registered_before);
    sync.wait_metric(deregistered, T, |v| v > deregistered_before);
    assert!(sync.metric("theseus_sync_drift_found_total{kind=\"deregistered\"}") >= 1.0);
    sync.wait_metric("theseus_sync_reconciliations_total{trigger=\"resync\"}", T, |v| v >= 1.0);
    assert_eq!(sync.metric("theseus_sync_etcd_errors_total"), 0.0);
    let text = sync.get("/metrics").1;
    for family in ["# TYPE theseus_sync_event_to_etcd_seconds histogram", "# TYPE theseus_sync_leader gauge"] {
        assert!(text.contains(family), "{family} missing:\n{text}");
    }
}

#[test]
fn readyz_follows_the_leadership_and_fails_while_etcd_is_down() {
    let mut env = Env::start();
    created(&env);
    let flag = ["--lease-ttl", "2s"];
    let replicas = [Served::start(&env, "a", &flag), Served::start(&env, "b", &flag)];
    let deadline = Instant::now() + T;
    let leads = |s: &Served| env.log(&s.replica.name).contains(&format!("{} is the leader", s.replica.name));
    let (leader, standby) = loop {
        match (leads(&replicas[0]), leads(&replicas[1])) {
            (true, _) => break (&replicas[0], &replicas[1]),
            (_, true) => break (&replicas[1], &replicas[0]),
            _ => assert!(Instant::now() < deadline, "nobody led"),
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(leader.wait_status("/readyz", 200, T).starts_with("leader"));
    let body = standby.wait_status("/readyz", 200, T);
    assert!(body.contains(&format!("standby, campaigning; {} leads", leader.replica.name)), "{body}");
    assert_eq!(standby.metric("theseus_sync_leader{namespace=\"\"}"), 0.0);

    // The leader stops (SIGSTOP) past its lease: the standby leads; resumed, the old leader
    // finds its lease gone and says so at /readyz and /metrics.
    signal(&leader.replica.child, libc::SIGSTOP);
    standby.replica.wait_leading(&env, T);
    assert!(standby.wait_status("/readyz", 200, T).starts_with("leader"));
    standby.wait_metric("theseus_sync_leader{namespace=\"\"}", T, |v| v == 1.0);
    signal(&leader.replica.child, libc::SIGCONT);
    leader.wait_metric("theseus_sync_leader{namespace=\"\"}", T, |v| v == 0.0);
    let deadline = Instant::now() + T;
    loop {
        let (status, body) = leader.get("/readyz");
        if status == 200 && body.contains(&format!("{} leads", standby.replica.name)) {
            break;
        }
        assert!(Instant::now() < deadline, "the old leader's /readyz: {status} {body}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(env.log(&leader.replica.name).contains("lost the leadership"));

    // etcd down: neither is ready (the leader's lease lapses, the standby cannot reach etcd),
    // both stay alive; etcd back: both ready again.
    env.etcd.kill();
    for s in &replicas {
        let why = s.wait_status("/readyz", 503, T);
        assert!(
            why.contains("etcd") || why.contains("campaign failed") || why.contains("lost the leadership"),
            "{why}"
        );
        assert_eq!(s.get("/healthz").0, 200);
    }
    env.etcd.restart();
    for s in &replicas {
        s.wait_status("/readyz", 200, T);
    }
    assert!(replicas.iter().any(|s| s.metric("theseus_sync_etcd_errors_total") >= 1.0));
}

#[test]
fn systemd_hears_ready_and_watchdog_pings() {
    use std::os::unix::net::UnixDatagram;
    let env = Env::start();
    let socket = env.dir.path().join("notify.sock");
    let listener = UnixDatagram::bind(&socket).unwrap();
    listener.set_read_timeout(Some(T)).unwrap();
    let log = std::fs::File::create(env.dir.path().join("notify.stderr")).unwrap();
    let mut child = env
        .process()
        .args(["sync", "--name", "sd", "--resync", "1h", "--lease-ttl", "2s", "--listen", "127.0.0.1:0"])
        .env("NOTIFY_SOCKET", &socket)
        .env("WATCHDOG_USEC", "400000")
        .env_remove("WATCHDOG_PID")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut buf = [0u8; 256];
    let mut heard = Vec::new();
    while heard.iter().filter(|m: &&String| m.contains("WATCHDOG=1")).count() < 2 {
        let n = listener.recv(&mut buf).unwrap_or_else(|e| panic!("{e}; heard {heard:?}:\n{}", env.log("notify")));
        heard.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(heard[0], "READY=1\n", "{heard:?}");
    assert!(heard[1..].iter().all(|m| m == "WATCHDOG=1\n"), "{heard:?}");
}

#[test]
fn the_example_unit_passes_systemd_analyze_verify() {
    let dir = tempfile::tempdir().unwrap();
    let unit = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/theseus-sync.service")).unwrap();
    for line in ["Type=notify", "WatchdogSec=", "Restart=on-failure", "--listen "] {
        assert!(unit.contains(line), "the unit lacks {line}");
    }
    // The unit names /usr/local/bin/theseus; verify checks that ExecStart is executable, so
    // the copy verified points at the binary under test.
    let copy = dir.path().join("theseus-sync.service");
    std::fs::write(&copy, unit.replace("/usr/local/bin/theseus", env!("CARGO_BIN_EXE_theseus"))).unwrap();
    let out = std::process::Command::new("systemd-analyze").arg("verify").arg(&copy).output();
    let out = match out {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("systemd-analyze is not installed: run scripts/setup (or apt-get install systemd)")
        }
        Err(e) => panic!("systemd-analyze: {e}"),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.trim().is_empty(), "systemd-analyze verify:\n{stderr}");
}

/// The example app definition, its binary and URLs pointed at this test's build and servers.
fn example_app(env: &Env) -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/theseus-sync.marathon.json"))
        .unwrap()
        .replace("/usr/local/bin/theseus", env!("CARGO_BIN_EXE_theseus"));
    let mut app: serde_json::Value = serde_json::from_str(&text).unwrap();
    app["env"]["THESEUS_MARATHON_URL"] = env.marathon_url().into();
    app["env"]["THESEUS_ETCD_ENDPOINTS"] = env.etcd_endpoints.clone().into();
    app
}

#[test]
fn the_example_app_definition_runs_two_replicas_with_green_checks_on_the_engine() {
    let env = Env::start();
    let app = example_app(&env);
    assert_eq!(app["instances"], 2);
    assert_eq!(app["healthChecks"][0]["path"], "/healthz");
    assert_eq!(app["readinessChecks"][0]["path"], "/readyz");
    // Marathon's own schema (tests/fixtures/marathon-api, from AppDefinition in v1.10.26).
    let schema = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/marathon-api/schema/AppDefinition.json"
    ))
    .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&serde_json::from_str(&schema).unwrap())
        .unwrap();
    let errors: Vec<String> = validator.iter_errors(&app).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let r = env.engine.call("POST", "/v2/apps", Some(&app));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = app["id"].as_str().unwrap();
    // Both running and healthy, and the deployment done: it waits for the readiness checks.
    env.engine.wait_for("two healthy replicas, deployed", T, |e| {
        let a = &e.get(&format!("/v2/apps{id}?embed=app.deployments"))["app"];
        a["tasksHealthy"] == 2 && a["deployments"].as_array().is_some_and(Vec::is_empty)
    });
    let tasks = env.engine.get(&format!("/v2/apps{id}/tasks"))["tasks"].as_array().unwrap().clone();
    assert_eq!(tasks.len(), 2);
    let mut leaders = Vec::new();
    for t in &tasks {
        assert!(t["healthCheckResults"].as_array().unwrap().iter().all(|h| h["alive"] == true), "{t}");
        let addr = format!("{}:{}", t["host"].as_str().unwrap(), t["ports"][0]);
        let deadline = Instant::now() + T;
        // A fresh leader is ready once its first reconcile is done.
        while http_get(&addr, "/readyz").0 != 200 {
            assert!(Instant::now() < deadline, "{addr} never ready: {:?}", http_get(&addr, "/readyz"));
            std::thread::sleep(Duration::from_millis(50));
        }
        let (_, metrics) = http_get(&addr, "/metrics");
        leaders.push(sample(&metrics, "theseus_sync_leader{namespace=\"\"}").unwrap());
    }
    leaders.sort_by(f64::total_cmp);
    assert_eq!(leaders, [0.0, 1.0], "one leader and one standby");
}
