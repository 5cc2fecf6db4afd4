//! The engine as a Mesos cluster: the master's `/master/slaves` and `/master/state` on the
//! engine's port, each agent's `/state` and `/files/{browse,read,download}` on its own address,
//! over the tasks' real sandboxes, with Mesos's shapes, statuses and texts (Mesos's source:
//! src/master/readonly_handler.cpp, src/slave/http.cpp, src/files/files.cpp); `/v2/info` names
//! the master as Marathon does (M:src/main/scala/mesosphere/marathon/api/v2/InfoResource.scala).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::engine::{test_config, Engine};

const T: Duration = Duration::from_secs(20);

/// A GET to any `host:port`: status, headers (lower-cased names), body bytes.
fn get_at(addr: &str, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("HTTP head");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    assert!(!headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")), "unexpected chunking");
    (status, headers, raw[split + 4..].to_vec())
}

/// GET, expecting 200 and JSON.
fn json_at(addr: &str, path: &str) -> Value {
    let (status, _, body) = get_at(addr, path);
    assert_eq!(status, 200, "GET {addr}{path}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

/// Percent-encodes a query value.
fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The engine's address as `host:port`.
fn addr(e: &Engine) -> String {
    e.url().trim_start_matches("http://").to_string()
}

/// The address of the agent with id `slave_id`, as a client finds it: from `/master/slaves`.
fn agent_addr(master: &str, slave_id: &str) -> String {
    let slaves = json_at(master, "/master/slaves");
    let slave = slaves["slaves"].as_array().unwrap().iter().find(|s| s["id"] == slave_id).cloned();
    let slave = slave.unwrap_or_else(|| panic!("{slave_id} not in /master/slaves: {slaves}"));
    let (host, port) = (slave["hostname"].as_str().unwrap(), slave["port"].as_u64().unwrap());
    assert_eq!(slave["pid"], format!("slave(1)@{host}:{port}"));
    assert_eq!(slave["active"], true);
    format!("{host}:{port}")
}

/// The executor of `task_id` in the agent's `/state` (`executors` or `completed_executors`).
fn executor(agent: &str, task_id: &str, key: &str) -> Option<Value> {
    let state = json_at(agent, "/state");
    let frameworks = state["frameworks"].as_array().unwrap();
    frameworks.iter().flat_map(|f| f[key].as_array().cloned().unwrap_or_default()).find(|x| x["id"] == task_id)
}

fn read(agent: &str, query: &str) -> (u16, String) {
    let (status, _, body) = get_at(agent, &format!("/files/read?{query}"));
    (status, String::from_utf8_lossy(&body).to_string())
}

fn read_json(agent: &str, query: &str) -> Value {
    let (status, body) = read(agent, query);
    assert_eq!(status, 200, "/files/read?{query}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[test]
fn a_tasks_output_is_found_through_the_master_its_agent_and_the_files_api() {
    let e = Engine::start();
    let cmd = "printf 'out-1\\nout-2\\n'; printf 'err-1\\n' >&2; ln -s /etc/hostname escape; mkdir sub; sleep 1000";
    e.call("POST", "/v2/apps", Some(&json!({"id": "/logs/web", "cmd": cmd, "cpus": 0.1, "mem": 8})));
    e.wait_idle(T);
    let task = e.tasks("/logs/web")[0].clone();
    let (task_id, slave_id) = (task["id"].as_str().unwrap(), task["slaveId"].as_str().unwrap());
    let master = addr(&e);

    // The master lists the task on the agent Marathon names, with Mesos's task shape.
    let state = json_at(&master, "/master/state");
    assert_eq!(state["pid"], format!("master@{master}"));
    assert!(state["id"].as_str().is_some_and(|id| !id.is_empty()));
    let framework = &state["frameworks"][0];
    assert_eq!(framework["id"], e.get("/v2/info")["frameworkId"]);
    let listed = framework["tasks"].as_array().unwrap().iter().find(|t| t["id"] == task_id).cloned().unwrap();
    assert_eq!(listed["slave_id"], slave_id);
    assert_eq!(listed["framework_id"], framework["id"]);
    assert_eq!(listed["name"], "web.logs");
    assert_eq!(listed["state"], "TASK_RUNNING");
    assert_eq!(listed["statuses"][0]["state"], "TASK_RUNNING");
    assert!(listed["statuses"][0]["timestamp"].as_f64().is_some());
    assert!(state["slaves"].as_array().unwrap().iter().any(|s| s["id"] == slave_id));

    // The agent, found through /master/slaves, lists the task's executor (named after the task,
    // as Mesos's command executor) and its sandbox.
    let agent = agent_addr(&master, slave_id);
    assert_eq!(agent.split(':').next(), task["host"].as_str());
    let agent_state = json_at(&agent, "/state");
    assert_eq!(agent_state["id"], slave_id);
    assert_eq!(agent_state["hostname"], task["host"]);
    assert_eq!(agent_state["pid"], format!("slave(1)@{agent}"));
    let exec = executor(&agent, task_id, "executors").expect("the task's executor");
    assert_eq!(exec["tasks"][0]["id"], task_id);
    assert_eq!(exec["tasks"][0]["slave_id"], slave_id);
    let dir = exec["directory"].as_str().unwrap().to_string();
    assert_eq!(std::path::Path::new(&dir), e.handle().task_sandbox(task_id).unwrap());
    let out = enc(&format!("{dir}/stdout"));
    e.wait_for("stdout and stderr", T, |_| {
        read_json(&agent, &format!("path={out}&offset=0"))["data"] == "out-1\nout-2\n"
            && read_json(&agent, &format!("path={}&offset=0", enc(&format!("{dir}/stderr"))))["data"] == "err-1\n"
    });

    // /files/read: offsets and lengths as FilesProcess::read.
    assert_eq!(read_json(&agent, &format!("path={out}&offset=-1")), json!({"data": "", "offset": 12}));
    assert_eq!(read_json(&agent, &format!("path={out}")), json!({"data": "", "offset": 12}));
    assert_eq!(read_json(&agent, &format!("path={out}&offset=4&length=3")), json!({"data": "1\no", "offset": 4}));
    assert_eq!(read_json(&agent, &format!("path={out}&offset=6&length=-1")), json!({"data": "out-2\n", "offset": 6}));
    assert_eq!(read_json(&agent, &format!("path={out}&offset=100&length=5")), json!({"data": "", "offset": 100}));
    assert_eq!(read_json(&agent, &format!("path={out}&offset=3&length=0")), json!({"data": "", "offset": 3}));
    assert_eq!(
        read(&agent, &format!("path={out}&offset=0&length=-2")),
        (400, "Negative length provided: -2.\n".into())
    );
    assert_eq!(read(&agent, &format!("path={out}&offset=-5")), (400, "Negative offset provided: -5.\n".into()));
    assert_eq!(
        read(&agent, &format!("path={out}&offset=abc")),
        (400, "Failed to parse offset: Failed to convert 'abc' to number.\n".into())
    );
    assert_eq!(read(&agent, "offset=0"), (400, "Expecting 'path=value' in query.\n".into()));
    assert_eq!(read(&agent, &format!("path={}&offset=0", enc(&dir))), (400, "Cannot read a directory.\n".into()));

    // /files/browse lists the sandbox as Mesos's FileInfo model.
    let listing = json_at(&agent, &format!("/files/browse?path={}", enc(&dir)));
    let files = listing.as_array().unwrap();
    let stdout = files.iter().find(|f| f["path"] == format!("{dir}/stdout")).cloned().expect("stdout listed");
    assert_eq!(stdout["size"], 12);
    assert_eq!(stdout["nlink"], 1);
    assert!(stdout["mode"].as_str().unwrap().starts_with("-rw"), "{stdout}");
    assert!(stdout["mtime"].as_i64().unwrap() > 1_600_000_000);
    assert!(stdout["uid"].is_string() && stdout["gid"].is_string());
    let sub = files.iter().find(|f| f["path"] == format!("{dir}/sub")).cloned().expect("sub listed");
    assert!(sub["mode"].as_str().unwrap().starts_with('d'), "{sub}");
    let paths: Vec<&str> = files.iter().filter_map(|f| f["path"].as_str()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "sorted by path");

    // /files/download: the bytes.
    let (status, headers, body) = get_at(&agent, &format!("/files/download?path={out}"));
    assert_eq!(status, 200);
    assert_eq!(body, b"out-1\nout-2\n");
    let header = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    assert_eq!(header("content-type").as_deref(), Some("application/octet-stream"));
    assert_eq!(header("content-disposition").as_deref(), Some("attachment; filename=stdout"));
    let (status, _, body) = get_at(&agent, &format!("/files/download?path={}", enc(&dir)));
    assert_eq!((status, body.as_slice()), (400, b"Cannot download a directory.\n".as_slice()));

    // Refused as Mesos refuses them: a path no sandbox holds is 404 with no body (not attached),
    // an escape from a sandbox (`..`, a symlink out) is 400 "'PATH' is inaccessible.".
    assert_eq!(read(&agent, "path=/etc/hostname&offset=0"), (404, String::new()));
    assert_eq!(get_at(&agent, "/files/download?path=/etc/hostname").0, 404);
    assert_eq!(get_at(&agent, "/files/browse?path=/etc").0, 404);
    assert_eq!(read(&agent, &format!("path={}&offset=0", enc(&format!("{dir}/missing")))), (404, String::new()));
    for escape in [format!("{dir}/../../../../../../../../etc/hostname"), format!("{dir}/escape"), format!("{dir}/..")]
    {
        let (status, body) = read(&agent, &format!("path={}&offset=0", enc(&escape)));
        assert_eq!(status, 400, "{escape}: {body}");
        assert!(body.starts_with('\'') && body.ends_with("' is inaccessible.\n"), "{escape}: {body}");
        assert_eq!(get_at(&agent, &format!("/files/download?path={}", enc(&escape))).0, 400, "{escape}");
    }
    // Another agent has not attached this sandbox.
    let slaves = json_at(&master, "/master/slaves");
    let other = slaves["slaves"].as_array().unwrap().iter().find(|s| s["id"] != slave_id).cloned().unwrap();
    let other = format!("{}:{}", other["hostname"].as_str().unwrap(), other["port"]);
    assert_eq!(read(&other, &format!("path={out}&offset=0")), (404, String::new()));
    assert!(executor(&other, task_id, "executors").is_none());
}

#[test]
fn a_crashed_tasks_sandbox_stays_readable_through_completed_executors_until_collected() {
    let e = Engine::start_with(local_config(Duration::from_secs(3600)));
    let app =
        json!({"id": "/crash", "cmd": "echo dying-words >&2; exit 3", "cpus": 0.1, "mem": 8, "backoffSeconds": 3600});
    e.call("POST", "/v2/apps", Some(&app));
    e.wait_for("a task failure", T, |e| !e.get("/v2/apps/crash")["app"]["lastTaskFailure"].is_null());
    let failure = e.get("/v2/apps/crash")["app"]["lastTaskFailure"].clone();
    let (task_id, slave_id) = (failure["taskId"].as_str().unwrap(), failure["slaveId"].as_str().unwrap());
    let master = addr(&e);
    let agent = agent_addr(&master, slave_id);
    assert_eq!(agent.split(':').next(), failure["host"].as_str());
    assert!(executor(&agent, task_id, "executors").is_none(), "an ended task has no live executor");
    let exec = executor(&agent, task_id, "completed_executors").expect("the crashed task's completed executor");
    assert_eq!(exec["completed_tasks"][0]["id"], task_id);
    assert_eq!(exec["completed_tasks"][0]["state"], "TASK_FAILED");
    let dir = exec["directory"].as_str().unwrap();
    let err = enc(&format!("{dir}/stderr"));
    assert_eq!(read_json(&agent, &format!("path={err}&offset=0")), json!({"data": "dying-words\n", "offset": 0}));
    let state = json_at(&master, "/master/state");
    let ended = state["frameworks"][0]["completed_tasks"].as_array().unwrap();
    let ended = ended.iter().find(|t| t["id"] == task_id).cloned().expect("in the master's completed_tasks");
    assert_eq!(ended["state"], "TASK_FAILED");
    assert_eq!(ended["slave_id"], slave_id);
    assert_eq!(ended["statuses"].as_array().unwrap().last().unwrap()["state"], "TASK_FAILED");
}

#[test]
fn a_collected_sandbox_leaves_the_agent() {
    let e = Engine::start_with(local_config(Duration::from_millis(50)));
    let app = json!({"id": "/gone", "cmd": "echo bye; exit 1", "cpus": 0.1, "mem": 8, "backoffSeconds": 3600});
    e.call("POST", "/v2/apps", Some(&app));
    e.wait_for("a task failure", T, |e| !e.get("/v2/apps/gone")["app"]["lastTaskFailure"].is_null());
    let failure = e.get("/v2/apps/gone")["app"]["lastTaskFailure"].clone();
    let (task_id, slave_id) = (failure["taskId"].as_str().unwrap(), failure["slaveId"].as_str().unwrap());
    let agent = agent_addr(&addr(&e), slave_id);
    let sandbox = e.handle().work_dir().join(failure["host"].as_str().unwrap()).join(task_id);
    e.wait_for("the sandbox collected", T, |_| !sandbox.exists());
    assert!(executor(&agent, task_id, "completed_executors").is_none());
    let out = enc(&format!("{}/stdout", sandbox.display()));
    assert_eq!(read(&agent, &format!("path={out}&offset=0")), (404, String::new()));
}

#[test]
fn v2_info_names_the_engine_as_its_mesos_master() {
    let e = Engine::start();
    let info = e.get("/v2/info");
    let config = &info["marathon_config"];
    assert_eq!(config["master"], e.url());
    assert_eq!(config["mesos_leader_ui_url"], format!("{}/", e.url()));
    let master = config["master"].as_str().unwrap().trim_start_matches("http://").to_string();
    let slaves = json_at(&master, "/master/slaves");
    let slaves = slaves["slaves"].as_array().unwrap();
    assert_eq!(slaves.len(), 3);
    for (i, slave) in slaves.iter().enumerate() {
        assert_eq!(slave["hostname"], format!("127.0.0.{}", i + 2));
        let agent = format!("{}:{}", slave["hostname"].as_str().unwrap(), slave["port"]);
        assert_eq!(json_at(&agent, "/state")["id"], slave["id"]);
    }
}

fn local_config(gc: Duration) -> theseus::local::Config {
    theseus::local::Config { sandbox_gc_delay: gc, ..test_config() }
}
