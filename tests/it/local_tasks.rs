//! Task processes of the local engine: Marathon's environment, sandbox files, fetch, kill grace,
//! health checks with kill and backoff, simulated Docker tasks, agent attributes and constraints,
//! and no orphans when `theseus local` is stopped.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::engine::{test_config, Engine, STUBBORN};

const T: Duration = Duration::from_secs(20);

fn sandbox_file(e: &Engine, task_id: &str, name: &str) -> String {
    let dir = e.handle().task_sandbox(task_id).expect("sandbox");
    std::fs::read_to_string(dir.join(name)).unwrap_or_default()
}

#[test]
fn tasks_get_marathons_environment_and_sandbox_files() {
    let e = Engine::start();
    let app = json!({"id": "/env/app", "cmd": "env > env.txt; echo hello; echo oops >&2; sleep 1000", "cpus": 0.1, "mem": 8,
        "labels": {"team": "core"}, "portDefinitions": [{"port": 0, "name": "http"}, {"port": 0}], "env": {"EXTRA": "1"}});
    e.call("POST", "/v2/apps", Some(&app));
    e.wait_idle(T);
    let task = e.tasks("/env/app")[0].clone();
    let id = task["id"].as_str().unwrap();
    e.wait_for("env.txt", T, |e| sandbox_file(e, id, "env.txt").contains("MESOS_TASK_ID"));
    let env: std::collections::BTreeMap<String, String> = sandbox_file(&e, id, "env.txt")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let ports = task["ports"].as_array().unwrap();
    assert_eq!(env["HOST"], task["host"].as_str().unwrap());
    assert!(env["HOST"].starts_with("127.0.0."));
    assert_eq!(env["PORT0"], ports[0].to_string());
    assert_eq!(env["PORT1"], ports[1].to_string());
    assert_eq!(env["PORT_HTTP"], ports[0].to_string());
    assert_eq!(env["PORTS"], format!("{},{}", ports[0], ports[1]));
    assert_eq!(env["MARATHON_APP_ID"], "/env/app");
    assert_eq!(env["MARATHON_APP_VERSION"], task["version"].as_str().unwrap());
    assert_eq!(env["MARATHON_APP_LABEL_TEAM"], "core");
    assert_eq!(env["MARATHON_APP_RESOURCE_CPUS"], "0.1");
    assert_eq!(env["MESOS_TASK_ID"], id);
    assert_eq!(env["EXTRA"], "1");
    assert!(env["MESOS_SANDBOX"].ends_with(id));
    e.wait_for("stdout/stderr", T, |e| {
        sandbox_file(e, id, "stdout") == "hello\n" && sandbox_file(e, id, "stderr") == "oops\n"
    });
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

#[test]
fn fetch_downloads_file_and_http_uris_into_the_sandbox() {
    let e = Engine::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("run.sh"), "#!/bin/sh\necho ran > ran.txt\nexec sleep 1000\n").unwrap();
    std::fs::write(dir.path().join("data.txt"), "payload").unwrap();
    let port = free_port();
    let mut server = Command::new("python3")
        .args(["-m", "http.server", &port.to_string(), "--bind", "127.0.0.1"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3");
    let deadline = Instant::now() + T;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "python http.server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let app = json!({"id": "/fetch", "cmd": "./run.sh", "cpus": 0.1, "mem": 8, "fetch": [
        {"uri": format!("file://{}", dir.path().join("run.sh").display()), "executable": true},
        {"uri": format!("http://127.0.0.1:{port}/data.txt")}]});
    e.call("POST", "/v2/apps", Some(&app));
    e.wait_idle(T);
    let id = e.tasks("/fetch")[0]["id"].as_str().unwrap().to_string();
    e.wait_for("run.sh to run", T, |e| sandbox_file(e, &id, "ran.txt") == "ran\n");
    assert_eq!(sandbox_file(&e, &id, "data.txt"), "payload");
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
fn kill_sends_sigterm_then_sigkill_after_the_grace_period() {
    let e = Engine::start();
    let app = json!({"id": "/stubborn", "cmd": STUBBORN, "cpus": 0.1, "mem": 8, "taskKillGracePeriodSeconds": 1});
    e.call("POST", "/v2/apps", Some(&app));
    e.wait_idle(T);
    e.wait_stubborn("/stubborn", 1);
    let id = e.tasks("/stubborn")[0]["id"].as_str().unwrap().to_string();
    let start = Instant::now();
    e.call("DELETE", &format!("/v2/apps/stubborn/tasks/{id}"), None);
    e.wait_for("the task to die", T, |e| {
        !e.get("/v2/tasks")["tasks"].as_array().unwrap().iter().any(|t| t["id"] == id.as_str())
    });
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(900), "SIGTERM was ignored, so only SIGKILL after 1 s ends it ({took:?})");
    // a task that honours SIGTERM ends well before its grace period
    let app = json!({"id": "/polite", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "taskKillGracePeriodSeconds": 5});
    e.call("POST", "/v2/apps", Some(&app));
    e.wait_idle(T);
    let id = e.tasks("/polite")[0]["id"].as_str().unwrap().to_string();
    let start = Instant::now();
    e.call("DELETE", &format!("/v2/apps/polite/tasks/{id}"), None);
    e.wait_for("the task to die", T, |e| {
        !e.get("/v2/tasks")["tasks"].as_array().unwrap().iter().any(|t| t["id"] == id.as_str())
    });
    assert!(start.elapsed() < Duration::from_secs(4));
}

#[test]
fn health_checks_pass_over_http_and_tcp_and_failing_tasks_are_killed_and_relaunched() {
    let e = Engine::start();
    let hc = |p: &str| json!({"protocol": p, "portIndex": 0, "intervalSeconds": 1, "gracePeriodSeconds": 30, "timeoutSeconds": 1});
    let app = json!({"id": "/web", "cmd": "exec python3 -m http.server $PORT0 --bind $HOST", "cpus": 0.1, "mem": 32,
        "healthChecks": [hc("HTTP"), hc("TCP"), {"protocol": "COMMAND", "command": {"value": "test -n \"$MESOS_TASK_ID\""}, "intervalSeconds": 1}]});
    e.call("POST", "/v2/apps", Some(&app));
    e.wait_idle(T);
    let app = e.get("/v2/apps/web")["app"].clone();
    assert_eq!(app["tasksHealthy"], 1);
    let results = app["tasks"][0]["healthCheckResults"].as_array().unwrap().clone();
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r["alive"] == true && r["firstSuccess"].is_string()));
    // nothing listens: HTTP check fails, the task is killed and relaunched after backoff
    let bad = json!({"id": "/sick", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "backoffSeconds": 1,
        "healthChecks": [{"protocol": "HTTP", "portIndex": 0, "intervalSeconds": 1, "gracePeriodSeconds": 0, "maxConsecutiveFailures": 1, "timeoutSeconds": 1}]});
    e.call("POST", "/v2/apps", Some(&bad));
    // Read the id inside the wait: with no grace the task may be killed right after it shows.
    let mut first = serde_json::Value::Null;
    e.wait_for("a first task", T, |e| {
        if let Some(t) = e.tasks("/sick").first() {
            first = t["id"].clone();
        }
        !first.is_null()
    });
    e.wait_for("an unhealthy kill and a relaunch", T, |e| {
        let app = e.get("/v2/apps/sick")["app"].clone();
        let failed = app["lastTaskFailure"]["taskId"].is_string();
        let relaunched = app["lastTaskFailure"]["taskId"] != first || e.tasks("/sick").iter().any(|t| t["id"] != first);
        failed && relaunched && !e.tasks("/sick").iter().any(|t| t["id"] == first)
    });
}

#[test]
fn failing_commands_back_off_and_the_delay_can_be_reset() {
    let e = Engine::start();
    let app = json!({"id": "/crash", "cmd": "exit 3", "cpus": 0.1, "mem": 8, "backoffSeconds": 60});
    e.call("POST", "/v2/apps", Some(&app));
    e.wait_for("a failure", T, |e| e.get("/v2/apps/crash")["app"]["lastTaskFailure"]["state"] == "TASK_FAILED");
    let failure = e.get("/v2/apps/crash")["app"]["lastTaskFailure"].clone();
    assert_eq!(failure["message"], "Command exited with status 3");
    e.wait_for("the queue to show the delay", T, |e| {
        e.get("/v2/queue")["queue"][0]["delay"]["timeLeftSeconds"].as_u64().is_some_and(|s| s > 30)
    });
    assert_eq!(e.call("DELETE", "/v2/queue/crash/delay", None).status, 204);
    e.wait_for("a relaunch after the reset", T, |e| {
        e.get("/v2/apps/crash")["app"]["lastTaskFailure"]["taskId"] != failure["taskId"]
    });
}

#[test]
fn docker_apps_without_an_engine_run_as_simulated_tasks_and_constraints_use_attributes() {
    let mut config = test_config();
    config.agent_attributes.insert(3, [("rack".to_string(), "r2".to_string())].into());
    let e = Engine::start_with(config);
    let app = json!({"id": "/nginx", "instances": 2, "cpus": 0.1, "mem": 8, "container": {"type": "DOCKER", "docker": {"image": "nginx"}},
        "constraints": [["rack", "CLUSTER", "r2"]]});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    e.wait_idle(T);
    let tasks = e.tasks("/nginx");
    assert_eq!(tasks.len(), 2);
    assert!(tasks.iter().all(|t| t["state"] == "TASK_RUNNING" && t["host"] == "127.0.0.4"), "{tasks:?}");
    assert!(e.handle().task_process_groups().is_empty(), "simulated tasks have no process");
}

#[test]
fn stopping_theseus_local_kills_every_task_process() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("child.pid");
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut engine = Command::new(env!("CARGO_BIN_EXE_theseus"))
        .args(["local", "--port", "0", "--work-dir"])
        .arg(dir.path().join("work"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("theseus local");
    let stdout = engine.stdout.take().unwrap();
    let mut engine = KillOnDrop(engine);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line.trim().trim_start_matches("http://").to_string();
    let body = json!({"id": "/orphan", "cmd": format!("sleep 1000 & echo $! > {}; wait", pidfile.display()), "cpus": 0.1, "mem": 8}).to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    use std::io::{Read, Write};
    write!(
        s,
        "POST /v2/apps HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.contains(" 201 Created"), "{reply}");
    let deadline = Instant::now() + T;
    let pid: i32 = loop {
        if let Some(p) = std::fs::read_to_string(&pidfile).ok().and_then(|s| s.trim().parse().ok()) {
            break p;
        }
        assert!(Instant::now() < deadline, "task did not start");
        std::thread::sleep(Duration::from_millis(20));
    };
    // SAFETY: signalling the child we spawned, then probing a pid with signal 0.
    unsafe { libc::kill(engine.0.id() as i32, libc::SIGTERM) };
    let status = engine.0.wait().unwrap();
    assert!(status.success(), "{status}");
    let deadline = Instant::now() + T;
    while unsafe { libc::kill(pid, 0) } == 0 {
        assert!(Instant::now() < deadline, "task process {pid} outlived `theseus local`");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Milliseconds since the epoch of one of the engine's ISO timestamps.
fn epoch_ms(at: &serde_json::Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(at.as_str().expect("a timestamp")).expect("ISO 8601").timestamp_millis()
}

/// Marathon runs an app version's HTTP, HTTPS and TCP checks from one `HealthCheckActor` that
/// ticks every `intervalSeconds` and checks every running instance of the version at each tick
/// (M:src/main/scala/mesosphere/marathon/core/health/impl/HealthCheckActor.scala): a task that
/// starts between two ticks is first checked at the next one, in phase with its siblings, not at
/// its start. Killed 300 ms after a tick, the replacement's first success lands on a later tick.
#[test]
fn marathon_level_checks_of_a_new_task_run_on_its_versions_ticks() {
    let e = Engine::start();
    let app = json!({"id": "/tick", "cmd": "exec python3 -m http.server $PORT0 --bind $HOST", "cpus": 0.1, "mem": 32,
        "healthChecks": [{"protocol": "HTTP", "portIndex": 0, "intervalSeconds": 1, "gracePeriodSeconds": 30, "timeoutSeconds": 1}]});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    let first_success = |t: &serde_json::Value| t["healthCheckResults"][0]["firstSuccess"].clone();
    let mut old = serde_json::Value::Null;
    e.wait_for("the first task healthy", T, |e| {
        old = e.tasks("/tick").first().cloned().unwrap_or_default();
        first_success(&old).is_string()
    });
    // The tick's phase, from the task's last success: kill 300 ms past a tick.
    let mut tick = serde_json::Value::Null;
    e.wait_for("a success after the first", T, |e| {
        tick = e.tasks("/tick").first().map(|t| t["healthCheckResults"][0]["lastSuccess"].clone()).unwrap_or_default();
        tick.is_string() && tick != first_success(&old)
    });
    let phase = epoch_ms(&tick).rem_euclid(1000);
    loop {
        let now = chrono::Utc::now().timestamp_millis().rem_euclid(1000);
        if (now - phase).rem_euclid(1000) >= 300 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let id = old["id"].as_str().unwrap().to_owned();
    assert_eq!(e.call("DELETE", &format!("/v2/apps/tick/tasks/{id}"), None).status, 200);
    let mut new = serde_json::Value::Null;
    e.wait_for("the replacement healthy", T, |e| {
        new = e.tasks("/tick").into_iter().find(|t| t["id"] != id.as_str()).unwrap_or_default();
        first_success(&new).is_string()
    });
    let offset = (epoch_ms(&first_success(&new)) - phase).rem_euclid(1000);
    assert!(
        !(150..=850).contains(&offset),
        "the replacement was first checked {offset} ms past its version's tick, not on a tick: {new}"
    );
}
