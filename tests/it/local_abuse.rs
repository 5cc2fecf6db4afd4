//! `theseus local` under abuse, in-process: numbers out of Marathon's RAML ranges,
//! wrong types with their field paths, kill grace periods, the state file, router errors in
//! Marathon's shape, id limits, version caps, sandbox and process hygiene, idle connections.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::engine::{test_config, Engine, STUBBORN};

const T: Duration = Duration::from_secs(30);

/// Whether a process exists and is not a zombie.
pub(crate) fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only probes for existence.
    let exists = unsafe { libc::kill(pid, 0) } == 0;
    let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.trim_start().starts_with('Z')))
        .unwrap_or(false);
    exists && !zombie
}

/// Polls until `pid` is gone; returns how long that took.
pub(crate) fn wait_dead(pid: i32, timeout: Duration) -> Duration {
    let start = Instant::now();
    while alive(pid) {
        assert!(start.elapsed() < timeout, "process {pid} still runs after {timeout:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    start.elapsed()
}

/// Polls until `path` holds a pid.
pub(crate) fn read_pid(path: &Path, timeout: Duration) -> i32 {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(pid) = std::fs::read_to_string(path).ok().and_then(|s| s.trim().parse().ok()) {
            return pid;
        }
        assert!(Instant::now() < deadline, "no pid in {}", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn first_task_pid(e: &Engine, app: &str) -> (i32, std::path::PathBuf) {
    e.wait_for("a running task", T, |e| e.tasks(app).iter().any(|t| t["state"] == "TASK_RUNNING"));
    let id = e.tasks(app)[0]["id"].as_str().unwrap().to_string();
    let sandbox = e.handle().task_sandbox(&id).expect("sandbox");
    (read_pid(&sandbox.join("theseus.pid"), T), sandbox)
}

fn details(r: &crate::support::engine::Reply) -> Vec<(String, String)> {
    r.json["details"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .flat_map(|d| {
            let path = d["path"].as_str().unwrap_or_default().to_string();
            d["errors"].as_array().unwrap().iter().map(move |e| (path.clone(), e.as_str().unwrap().to_string()))
        })
        .collect()
}

fn pair(path: &str, error: &str) -> (String, String) {
    (path.to_string(), error.to_string())
}

/// Numbers outside the RAML ranges (M:docs/docs/rest-api/public/api/v2/types/app.raml: int32
/// `taskKillGracePeriodSeconds`, `backoffSeconds`, `instances` ≥ 0, `cpus` ≥ 0.001, ...) are
/// refused as Marathon's generated readers refuse them, 422 "Invalid JSON" with Play's codes
/// (MarathonExceptionMapper.scala, `JsResultException`), so nothing can reach a panicking
/// conversion; the scheduler keeps deploying afterwards.
#[test]
fn numbers_outside_the_raml_ranges_are_refused_and_the_engine_keeps_working() {
    let e = Engine::start();
    let cases = [
        (json!({"taskKillGracePeriodSeconds": 1e20}), pair("/taskKillGracePeriodSeconds", "error.expected.int")),
        (json!({"backoffSeconds": 1e20}), pair("/backoffSeconds", "error.expected.int")),
        (json!({"taskKillGracePeriodSeconds": -1}), pair("/taskKillGracePeriodSeconds", "error.min")),
        (json!({"backoffSeconds": -1}), pair("/backoffSeconds", "error.min")),
        (json!({"maxLaunchDelaySeconds": 1e12}), pair("/maxLaunchDelaySeconds", "error.expected.int")),
        (json!({"cpus": 0}), pair("/cpus", "error.min")),
        (json!({"cmd": ""}), pair("/cmd", "error.minLength")),
        (json!({"instances": 3_000_000_000u64}), pair("/instances", "error.expected.int")),
        (json!({"portDefinitions": [{"port": 70000}]}), pair("/portDefinitions(0)/port", "error.max")),
        (json!({"env": {"N": 5}}), pair("/env/N", "error.expected.jsstring")),
        (json!({"instances": "x"}), pair("/instances", "error.expected.jsnumber")),
        (json!({"healthChecks": [{"portIndex": -1}]}), pair("/healthChecks(0)/portIndex", "error.min")),
        (
            json!({"upgradeStrategy": {"minimumHealthCapacity": 1.5}}),
            pair("/upgradeStrategy/minimumHealthCapacity", "error.max"),
        ),
    ];
    for (i, (fields, expected)) in cases.iter().enumerate() {
        let mut app = json!({"id": format!("/bad/a{i}"), "cmd": "sleep 1000", "cpus": 0.1, "mem": 8});
        for (k, v) in fields.as_object().unwrap() {
            app[k] = v.clone();
        }
        let r = e.call("POST", "/v2/apps", Some(&app));
        assert_eq!(r.status, 422, "{fields}: {}", r.text);
        assert_eq!(r.json["message"], "Invalid JSON", "{fields}");
        assert_eq!(details(&r), vec![expected.clone()], "{fields}");
    }
    let r = e.call("POST", "/v2/groups", Some(&json!({"id": "/g", "apps": "x"})));
    assert_eq!((r.status, details(&r)), (422, vec![pair("/apps", "error.expected.jsarray")]), "{}", r.text);
    assert!(e.handle().app_ids().is_empty(), "nothing refused was stored");
    // the same app with sane numbers deploys, scales to 0 and is deleted: the scheduler lives
    let ok = json!({"id": "/ok", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "instances": 2,
                    "taskKillGracePeriodSeconds": 1, "backoffSeconds": 1});
    assert_eq!(e.call("POST", "/v2/apps", Some(&ok)).status, 201);
    e.wait_idle(T);
    let r = e.call("PATCH", "/v2/apps/ok", Some(&json!({"taskKillGracePeriodSeconds": 1e20})));
    assert_eq!(r.status, 422, "an update is checked the same way: {}", r.text);
    assert_eq!(e.handle().app("/ok").unwrap().task_kill_grace_period_seconds, Some(1.0), "left unchanged");
    assert_eq!(e.call("PUT", "/v2/apps/ok", Some(&json!({"instances": 0}))).status, 200);
    e.wait_for("the tasks to end", T, |e| e.tasks("/ok").is_empty());
    assert_eq!(e.call("DELETE", "/v2/apps/ok", None).status, 200);
    e.wait_idle(T);
    assert_eq!(e.call("GET", "/ping", None).text, "pong");
}

/// Mesos' KillPolicy comes from the app version a task was launched with
/// (M:src/main/scala/mesosphere/mesos/TaskBuilder.scala, `setKillPolicy`): a task that ignores
/// SIGTERM lives its full `taskKillGracePeriodSeconds` when scaled away and when its app is
/// deleted (the app is gone by the time its tasks are killed).
#[test]
fn a_task_ignoring_sigterm_lives_its_full_grace_on_scale_down_and_delete() {
    let e = Engine::start();
    for id in ["/grace/scaled", "/grace/deleted"] {
        let app = json!({"id": id, "cmd": STUBBORN, "cpus": 0.1, "mem": 8, "taskKillGracePeriodSeconds": 4});
        assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    }
    e.wait_idle(T);
    e.wait_stubborn("/grace/scaled", 1);
    e.wait_stubborn("/grace/deleted", 1);
    let (scaled, _) = first_task_pid(&e, "/grace/scaled");
    let (deleted, _) = first_task_pid(&e, "/grace/deleted");
    let start = Instant::now();
    assert_eq!(e.call("PUT", "/v2/apps/grace/scaled", Some(&json!({"instances": 0}))).status, 200);
    assert_eq!(e.call("DELETE", "/v2/apps/grace/deleted", None).status, 200);
    // SIGTERM follows the request, so neither can die before `start` + the grace period.
    let mut died: [Option<Duration>; 2] = [None, None];
    while died.iter().any(Option::is_none) {
        assert!(start.elapsed() < T, "the tasks outlived their grace period: {died:?}");
        for (slot, pid) in died.iter_mut().zip([scaled, deleted]) {
            if slot.is_none() && !alive(pid) {
                *slot = Some(start.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let grace = Duration::from_secs(4);
    let [a, b] = died.map(Option::unwrap);
    assert!(a >= grace, "the scaled-down task died after {a:?}, before its 4 s grace");
    assert!(b >= grace, "the deleted app's task died after {b:?}, before its 4 s grace");
}

/// An empty `--state` file is an empty state, as Marathon starts from an empty root group when
/// its store holds none (M:src/main/scala/mesosphere/marathon/storage/repository/GroupRepositoryImpl.scala,
/// `RootGroup.empty`); the engine then saves into it.
#[test]
fn an_empty_state_file_starts_as_empty_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "").unwrap();
    let e = Engine::start_with(theseus::local::Config { state_file: Some(path.clone()), ..test_config() });
    assert_eq!(e.get("/v2/apps")["apps"], json!([]));
    let app = json!({"id": "/saved", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "instances": 0});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    e.wait_for("the state file to hold the app", T, |_| {
        std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .is_some_and(|doc| doc["apps"][0][0]["id"] == "/saved")
    });
}

/// Unknown routes: Jersey's NotFoundException, which MarathonExceptionMapper.scala maps to 500
/// `{"message": "URI not found"}`. Methods a route lacks (405) and bodies over the limit (413)
/// answer JSON with the status' reason phrase (the mapper's `WebApplicationException` case).
#[test]
fn router_errors_answer_in_marathons_json_shape() {
    let e = Engine::start();
    for (method, path) in [("GET", "/v2/nope"), ("POST", "/v3/apps"), ("GET", "/v2/apps-x")] {
        let r = e.call(method, path, None);
        assert_eq!((r.status, r.json.clone()), (500, json!({"message": "URI not found"})), "{method} {path}");
    }
    let r = e.call("DELETE", "/ping", None);
    assert_eq!((r.status, r.json.clone()), (405, json!({"message": "Method Not Allowed"})), "{}", r.text);
    let r = e.call("PATCH", "/v2/deployments", None);
    assert_eq!((r.status, r.json["message"].as_str()), (405, Some("Method Not Allowed")), "{}", r.text);
    let big = json!({"id": "/big", "cmd": "sleep 1", "labels": {"blob": "x".repeat(3 * 1024 * 1024)}});
    let r = e.call("POST", "/v2/apps", Some(&big));
    assert_eq!((r.status, r.json.clone()), (413, json!({"message": "Request Entity Too Large"})));
    assert!(e.handle().app_ids().is_empty());
}

/// GroupsResource.scala looks any path up and answers an unknown group with 404
/// (`UnknownGroupException` in MarathonExceptionMapper.scala), also for ids that could never exist.
#[test]
fn unknown_groups_answer_404() {
    let e = Engine::start();
    for path in ["/v2/groups/nope", "/v2/groups/Bad_Id", "/v2/groups/nope/versions"] {
        let r = e.call("GET", path, None);
        assert_eq!(r.status, 404, "GET {path}: {}", r.text);
    }
    let r = e.call("DELETE", "/v2/groups/Bad_Id", None);
    assert_eq!((r.status, r.json["message"].as_str()), (404, Some("Group '/Bad_Id' does not exist")));
}

/// LabelSelector.scala needs a non-empty term on both sides of `==`; AppsResource.scala's
/// parse failure is an IllegalArgumentException, 422 in MarathonExceptionMapper.scala.
#[test]
fn a_label_selector_without_a_value_is_refused() {
    let e = Engine::start();
    let r = e.call("GET", "/v2/apps?label=env==", None);
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.json["message"].as_str().unwrap().starts_with("Can not parse label selector env=="), "{}", r.text);
    assert_eq!(e.call("GET", "/v2/apps?label=env==prod", None).status, 200);
}

/// Ids are bounded (docs/local-engine.md, Limits): a 1,500-segment id is refused at once with
/// the limit, and a tree of deep ids is served whole.
#[test]
fn ids_are_bounded_and_deep_trees_are_served() {
    let e = Engine::start();
    let deep = format!("{}/app", "/a".repeat(1500));
    let r = e.call("POST", "/v2/apps", Some(&json!({"id": deep, "cmd": "sleep 1", "instances": 0})));
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("at most 1024 characters"), "{}", r.text);
    let r = e.call("POST", "/v2/groups", Some(&json!({"id": "/a".repeat(513)})));
    assert_eq!(r.status, 422, "{}", r.text);
    // 50 levels deep (a JSON reader's nesting limit is the bound here, not the engine's)
    let base = "/d".repeat(50);
    for i in 0..3 {
        let app = json!({"id": format!("{base}/x{i}"), "cmd": "sleep 1", "instances": 0, "cpus": 0.1, "mem": 8});
        assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    }
    let mut level = e.get("/v2/groups");
    for _ in 0..50 {
        level = level["groups"][0].clone();
    }
    assert_eq!(level["id"], base);
    assert_eq!(level["apps"].as_array().map(Vec::len), Some(3));
    assert_eq!(e.call("GET", "/ping", None).status, 200);
}

/// Per-app versions are capped at Marathon's `--zk_max_versions` default, 50
/// (M:src/main/scala/mesosphere/marathon/storage/StorageConf.scala); the newest stays.
#[test]
fn app_versions_are_capped_at_fifty() {
    let e = Engine::start();
    let app = json!({"id": "/v", "cmd": "sleep 1", "instances": 0, "cpus": 0.1, "mem": 8});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    for i in 0..60 {
        let r = e.call("PUT", "/v2/apps/v?force=true", Some(&json!({"labels": {"n": i.to_string()}})));
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let versions = e.get("/v2/apps/v/versions")["versions"].as_array().unwrap().clone();
    assert_eq!(versions.len(), 50);
    let current = e.get("/v2/apps/v")["app"]["version"].clone();
    assert_eq!(versions[0], current, "the newest version is kept");
    assert_eq!(e.get(&format!("/v2/apps/v/versions/{}", current.as_str().unwrap()))["labels"]["n"], "59");
}

/// Mesos' fetcher takes `output_file` only as "a relative path" inside the sandbox
/// (M:src/main/protobuf/mesos/mesos.proto, `CommandInfo.URI.output_file`): Marathon accepts the
/// app, the fetch fails the task, and nothing is written outside the sandbox.
#[test]
fn fetch_never_writes_outside_the_sandbox() {
    let e = Engine::start();
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("artifact.txt");
    std::fs::write(&source, "data").unwrap();
    let outside = dir.path().join("escaped.txt");
    let app = json!({"id": "/fetcher", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8,
        "fetch": [{"uri": format!("file://{}", source.display()), "destPath": outside.display().to_string()}]});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    e.wait_for("the fetch failure", T, |e| {
        e.get("/v2/apps/fetcher")["app"]["lastTaskFailure"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("must be a relative path inside the sandbox"))
    });
    assert!(!outside.exists());
}

/// A COMMAND check runs in its own process group: on timeout the whole tree dies.
#[test]
fn a_timed_out_command_check_leaves_no_process_behind() {
    let e = Engine::start();
    let check = json!({"protocol": "COMMAND", "intervalSeconds": 60, "timeoutSeconds": 1, "gracePeriodSeconds": 300,
        "delaySeconds": 0, "command": {"value": "sleep 1000 & echo $! > \"$MESOS_SANDBOX/check.pid\"; wait"}});
    let app = json!({"id": "/checked", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "healthChecks": [check]});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    let (_, sandbox) = first_task_pid(&e, "/checked");
    let child = read_pid(&sandbox.join("check.pid"), T);
    wait_dead(child, T);
}

/// A task that leaves its process group (`setsid`) still dies on DELETE: it is found by its
/// sandbox.
#[test]
fn a_task_that_calls_setsid_dies_on_delete() {
    let e = Engine::start();
    let app = json!({"id": "/escape", "cpus": 0.1, "mem": 8, "taskKillGracePeriodSeconds": 1,
        "cmd": "setsid sleep 1000 & echo $! > \"$MESOS_SANDBOX/escaped.pid\"; wait"});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    let (_, sandbox) = first_task_pid(&e, "/escape");
    let escaped = read_pid(&sandbox.join("escaped.pid"), T);
    assert!(alive(escaped));
    assert_eq!(e.call("DELETE", "/v2/apps/escape", None).status, 200);
    wait_dead(escaped, T);
}

/// stdout is rotated at 10 MiB with one old file kept (Mesos' LogrotateContainerLogger
/// defaults), and the sandbox of a finished task is removed after the gc delay.
#[test]
fn task_output_is_capped_and_finished_sandboxes_are_removed() {
    let e = Engine::start_with(theseus::local::Config { sandbox_gc_delay: Duration::from_secs(1), ..test_config() });
    let app = json!({"id": "/chatty", "cpus": 0.1, "mem": 8, "cmd": "head -c 25000000 /dev/zero; sleep 1000"});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    let (_, sandbox) = first_task_pid(&e, "/chatty");
    let size = |name: &str| std::fs::metadata(sandbox.join(name)).map(|m| m.len()).unwrap_or(0);
    let limit = 10 * 1024 * 1024;
    e.wait_for("25 MB written through the rotation", T, |_| size("stdout") == 25_000_000 - 2 * limit);
    assert_eq!(size("stdout.1"), limit);
    assert!(!sandbox.join("stdout.2").exists());
    assert_eq!(e.call("DELETE", "/v2/apps/chatty", None).status, 200);
    e.wait_for("the finished task's sandbox to be removed", T, |_| !sandbox.exists());
}

/// Half-sent requests and idle keep-alive connections are closed after the idle timeout
/// (Marathon's Jetty connector: 30 s, M:src/main/scala/mesosphere/marathon/api/HttpModule.scala);
/// the engine keeps serving.
#[test]
fn idle_and_half_sent_connections_are_closed() {
    let e =
        Engine::start_with(theseus::local::Config { connection_idle_timeout: Duration::from_secs(2), ..test_config() });
    let addr = e.url().trim_start_matches("http://").to_string();
    let closed = |mut s: TcpStream| {
        s.set_read_timeout(Some(T)).unwrap();
        let start = Instant::now();
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        assert!(start.elapsed() < T, "the engine kept the connection open");
        rest
    };
    let mut half = TcpStream::connect(&addr).unwrap();
    half.write_all(b"GET /v2/apps HTTP/1.1\r\nHost: x\r\n").unwrap();
    assert!(closed(half).is_empty(), "no answer to a request that never ended");
    let mut body = TcpStream::connect(&addr).unwrap();
    body.write_all(
        b"POST /v2/apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\"",
    )
    .unwrap();
    closed(body);
    let mut idle = TcpStream::connect(&addr).unwrap();
    idle.write_all(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let reply = String::from_utf8_lossy(&closed(idle)).to_string();
    assert!(reply.starts_with("HTTP/1.1 200") && reply.ends_with("pong"), "{reply}");
    assert!(e.handle().app_ids().is_empty());
    assert_eq!(e.call("GET", "/ping", None).text, "pong");
}

/// Every top-level field of an app, and of a group body, set to hostile values: each request
/// gets an answer (never a dropped connection or a handler panic, which `Engine`'s drop
/// checks), and the scheduler still deploys afterwards.
#[test]
fn hostile_values_in_every_field_never_panic() {
    let e = Engine::start();
    let hostile = [
        json!(null),
        json!(-1),
        json!(1e308),
        json!(-1e308),
        json!(0.5),
        json!(i64::MAX),
        json!(""),
        json!("x".repeat(5000)),
        json!([[[[]]]]),
        json!({"a": {"b": {}}}),
        json!(true),
        json!([{"port": -5, "name": "", "protocol": "sctp"}]),
    ];
    let fields = [
        "id",
        "cmd",
        "args",
        "instances",
        "cpus",
        "mem",
        "disk",
        "gpus",
        "env",
        "labels",
        "constraints",
        "portDefinitions",
        "ports",
        "container",
        "healthChecks",
        "readinessChecks",
        "fetch",
        "uris",
        "backoffSeconds",
        "backoffFactor",
        "maxLaunchDelaySeconds",
        "taskKillGracePeriodSeconds",
        "upgradeStrategy",
        "dependencies",
        "killSelection",
        "networks",
        "requirePorts",
        "executor",
        "user",
        "version",
    ];
    let base = json!({"id": "/h", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "instances": 0});
    assert_eq!(e.call("POST", "/v2/apps", Some(&base)).status, 201);
    for field in fields {
        for value in &hostile {
            let mut app = base.clone();
            app[field] = value.clone();
            app["id"] = if field == "id" { value.clone() } else { json!("/h2") };
            for (method, path) in
                [("POST", "/v2/apps"), ("PUT", "/v2/apps/h?force=true"), ("PATCH", "/v2/apps/h?force=true")]
            {
                let r = e.call(method, path, Some(&app));
                assert!(r.status >= 200 && r.status < 500, "{method} {path} {field}={value}: {} {}", r.status, r.text);
            }
            let group = json!({"id": "/hg", "apps": [app.clone()], "scaleBy": value, "dependencies": value});
            let r = e.call("PUT", "/v2/groups/hg?force=true", Some(&group));
            assert!(r.status >= 200 && r.status < 500, "group {field}={value}: {} {}", r.status, r.text);
        }
    }
    assert!([200, 404].contains(&e.call("DELETE", "/v2/groups/hg?force=true", None).status));
    let ok = json!({"id": "/after", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8});
    assert_eq!(e.call("PUT", "/v2/apps/h?force=true", Some(&json!({"instances": 0}))).status, 200);
    assert_eq!(e.call("POST", "/v2/apps", Some(&ok)).status, 201);
    e.wait_for("the scheduler to launch a task", T, |e| e.tasks("/after").iter().any(|t| t["state"] == "TASK_RUNNING"));
}

/// The kernel's state of the IPv4 TCP connection from `local` to `remote`, as `/proc/net/tcp`
/// shows it (`01` established, `04` FIN-WAIT-1, ...), or `None` once it is gone.
fn tcp_state(local: std::net::SocketAddr, remote: std::net::SocketAddr) -> Option<String> {
    let hex = |a: std::net::SocketAddr| match a {
        std::net::SocketAddr::V4(v4) => format!("{:08X}:{:04X}", u32::from_le_bytes(v4.ip().octets()), v4.port()),
        std::net::SocketAddr::V6(_) => panic!("the engine listens on IPv4 loopback"),
    };
    let (local, remote) = (hex(local), hex(remote));
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        (f.get(1) == Some(&local.as_str()) && f.get(2) == Some(&remote.as_str())).then(|| f[3].to_owned())
    })
}

/// An event stream whose reader stopped reading: once the socket is full and nothing moves for
/// the idle timeout, the engine drops the stream instead of holding it (and its backlog) forever.
///
/// The reader stays stalled until the engine's end of the connection has left ESTABLISHED (seen
/// in `/proc/net/tcp`, polled with a deadline): reading as soon as the writes were sent raced
/// the idle timeout, and when the writes took less than it the reader drained the whole
/// backlog, after which heartbeats kept the stream alive and `read_to_end` never returned.
#[test]
fn an_event_stream_that_is_never_read_is_dropped() {
    let e =
        Engine::start_with(theseus::local::Config { connection_idle_timeout: Duration::from_secs(3), ..test_config() });
    let addr = e.url().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&addr).unwrap();
    let (client, server) = (stream.local_addr().unwrap(), stream.peer_addr().unwrap());
    stream.write_all(b"GET /v2/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n").unwrap();
    // 40 updates of a 1 MB label: each api_post_event carries the definition, far more than
    // the socket buffers hold.
    let app = json!({"id": "/loud", "cmd": "sleep 1", "instances": 0, "cpus": 0.1, "mem": 8});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    for i in 0..40 {
        let body = json!({"labels": {"blob": format!("{i}{}", "x".repeat(1_000_000))}});
        assert_eq!(e.call("PUT", "/v2/apps/loud?force=true", Some(&body)).status, 200);
    }
    let start = Instant::now();
    loop {
        match tcp_state(server, client) {
            Some(state) if state == "01" => {
                assert!(start.elapsed() < T, "the engine still holds the stalled stream after {T:?}");
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => break,
        }
    }
    stream.set_read_timeout(Some(T)).unwrap();
    let mut sink = Vec::new();
    // What the kernel buffered before the drop is still readable; the end is either the
    // engine's FIN after it or a reset of the abandoned connection.
    let read = stream.read_to_end(&mut sink);
    assert!(
        read.is_ok() || read.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
        "the stream was still open after {:?}: {read:?}",
        start.elapsed()
    );
    assert!(sink.len() < 40_000_000, "the engine stopped sending once the reader stalled ({} bytes)", sink.len());
    assert_eq!(e.call("GET", "/ping", None).text, "pong");
}
