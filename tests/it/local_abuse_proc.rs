//! `theseus local` under abuse, as a real process: a corrupt state file, kill -9
//! during a burst of writes, a restart that must not duplicate tasks, and the bounded abuse
//! suite (churn, slow event consumers, half-sent connections, kill -9 and restart) with the
//! engine's memory and process count compared before and after.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::local_abuse::alive;

const T: Duration = Duration::from_secs(60);

/// `theseus local --port 0 ARGS` as a child process; SIGTERM (then SIGKILL) on drop.
struct LocalBin {
    child: Child,
    addr: String,
}

impl LocalBin {
    fn start(args: &[&str], stderr: &Path) -> LocalBin {
        let mut child = Command::new(env!("CARGO_BIN_EXE_theseus"))
            .args(["local", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(stderr).unwrap())
            .spawn()
            .expect("theseus local");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.trim().trim_start_matches("http://").to_string();
        assert!(!addr.is_empty(), "theseus local printed no URL: {}", std::fs::read_to_string(stderr).unwrap());
        LocalBin { child, addr }
    }

    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        http(&self.addr, method, path, body)
    }

    fn wait_idle(&self) {
        let deadline = Instant::now() + T;
        while self.call("GET", "/v2/deployments", None).1.as_array().is_none_or(|a| !a.is_empty()) {
            assert!(Instant::now() < deadline, "deployments did not finish");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::mem::forget(self);
    }

    fn stop(mut self) -> std::process::ExitStatus {
        // SAFETY: signalling the child this test spawned.
        unsafe { libc::kill(self.pid(), libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status
    }
}

impl Drop for LocalBin {
    fn drop(&mut self) {
        // SAFETY: signalling the child this test spawned.
        unsafe { libc::kill(self.pid(), libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http(addr: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(T)).unwrap();
    let payload = body.map(Value::to_string).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
        payload.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// Live processes whose `MARATHON_APP_ID` starts with `prefix`: (pid, MESOS_TASK_ID).
fn task_processes_with_ids(prefix: &str) -> Vec<(i32, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else { continue };
        let var = |name: &[u8]| {
            environ
                .split(|b| *b == 0)
                .find_map(|kv| kv.strip_prefix(name))
                .map(|v| String::from_utf8_lossy(v).to_string())
        };
        if var(b"MARATHON_APP_ID=").is_some_and(|v| v.starts_with(prefix)) && alive(pid) {
            out.push((pid, var(b"MESOS_TASK_ID=").unwrap_or_default()));
        }
    }
    out
}

/// Pids of the processes whose `MARATHON_APP_ID` starts with `prefix`.
fn task_processes(prefix: &str) -> Vec<i32> {
    task_processes_with_ids(prefix).into_iter().map(|(pid, _)| pid).collect()
}

/// Distinct task ids among those processes (a task may be a shell and its child).
fn running_tasks(prefix: &str) -> std::collections::BTreeSet<String> {
    task_processes_with_ids(prefix).into_iter().map(|(_, id)| id).collect()
}

/// Resident memory (KiB) and thread count of a process, from /proc/PID/status.
fn rss_and_threads(pid: i32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("Threads:"))
}

/// Child processes of a process (tasks, checks), from /proc/*/stat.
fn children(pid: i32) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| {
            stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)).and_then(|p| p.parse().ok())
                == Some(pid)
        })
        .count()
}

#[test]
fn a_corrupt_state_file_is_refused_with_its_path_and_a_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    std::fs::write(&state, "{\"apps\": [[{\"id\": \"/cut").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_theseus"))
        .args(["local", "--port", "0", "--state"])
        .arg(&state)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&state.display().to_string()), "{stderr}");
    assert!(stderr.contains("mv "), "the hint says how to start over: {stderr}");
}

/// kill -9 during a burst of writes never leaves a cut or empty state file: each restart reads it.
#[test]
fn kill_9_during_a_burst_of_writes_leaves_a_readable_state() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let state_arg = state.display().to_string();
    let log = dir.path().join("engine.log");
    for round in 0..3 {
        let engine = LocalBin::start(&["--state", &state_arg], &log);
        let addr = engine.addr.clone();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = done.clone();
        let writer = std::thread::spawn(move || {
            let mut ok = 0;
            for i in 0..400 {
                let body = json!({"id": format!("/burst/a{}", i % 20), "cmd": "sleep 1", "instances": 0,
                                  "labels": {"round": round.to_string(), "i": i.to_string(), "pad": "p".repeat(2000)}});
                let Ok(mut s) = TcpStream::connect(&addr) else { break };
                let payload = body.to_string();
                let req = format!(
                    "PUT /v2/apps/burst/a{}?force=true HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
                    i % 20,
                    payload.len()
                );
                if s.write_all(req.as_bytes()).is_err() {
                    break;
                }
                let mut reply = String::new();
                if s.read_to_string(&mut reply).is_err() || reply.is_empty() {
                    break;
                }
                ok += 1;
                counter.store(ok, std::sync::atomic::Ordering::SeqCst);
            }
            ok
        });
        // Let the burst run (this round's writes saved), then kill -9 in the middle of it.
        let deadline = Instant::now() + T;
        while done.load(std::sync::atomic::Ordering::SeqCst) < 5
            || std::fs::metadata(&state).map(|m| m.len()).unwrap_or(0) == 0
        {
            assert!(Instant::now() < deadline, "no write of round {round} went through");
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(150 + 100 * round));
        engine.kill9();
        let written = writer.join().unwrap();
        assert!(written > 0, "round {round}: no write went through");
        let doc: Value = serde_json::from_slice(&std::fs::read(&state).unwrap())
            .unwrap_or_else(|e| panic!("round {round}: the state file is cut: {e}"));
        assert!(doc["apps"].as_array().is_some_and(|a| !a.is_empty()), "round {round}: {doc}");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.len() <= 1, "at most the temp file of the save that was cut: {leftovers:?}");
    }
    let engine = LocalBin::start(&["--state", &state_arg], &log);
    assert_eq!(engine.call("GET", "/v2/apps/burst/a0", None).0, 200);
    assert!(engine.stop().success());
}

/// After kill -9 of the engine, a restart with the same `--state` (and so the same work dir)
/// kills the tasks the previous run left before it launches their replacements: the app's
/// instance count holds, never twice as many.
#[test]
fn a_restart_after_kill_9_never_duplicates_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json").display().to_string();
    let log = dir.path().join("engine.log");
    let app_id = format!("/dup{}", std::process::id());
    let engine = LocalBin::start(&["--state", &state], &log);
    let app = json!({"id": app_id, "cmd": "sleep 1000", "instances": 4, "cpus": 0.1, "mem": 8});
    assert_eq!(engine.call("POST", "/v2/apps", Some(&app)).0, 201);
    engine.wait_idle();
    let wait_count = |n: usize| {
        let deadline = Instant::now() + T;
        while running_tasks(&app_id).len() != n {
            assert!(Instant::now() < deadline, "{:?} run, expected {n} tasks", running_tasks(&app_id));
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_count(4);
    let (old_pids, old_tasks) = (task_processes(&app_id), running_tasks(&app_id));
    engine.kill9();
    assert_eq!(running_tasks(&app_id), old_tasks, "kill -9 orphans the tasks");
    let engine = LocalBin::start(&["--state", &state], &log);
    for pid in &old_pids {
        crate::local_abuse::wait_dead(*pid, T);
    }
    engine.wait_idle();
    wait_count(4);
    assert!(running_tasks(&app_id).is_disjoint(&old_tasks), "the old tasks were replaced, not kept beside new ones");
    let (_, tasks) = engine.call("GET", &format!("/v2/apps{app_id}/tasks"), None);
    assert_eq!(tasks["tasks"].as_array().map(Vec::len), Some(4));
    assert!(engine.stop().success());
    wait_count(0);
}

/// The bounded abuse suite: concurrent create/delete churn, event-stream consumers that never
/// read, and half-sent requests, against one engine process; afterwards its task processes are
/// all gone and its memory stays within bounds. Prints the figures.
#[test]
fn abuse_suite_leaves_memory_and_processes_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("engine.log");
    let work = dir.path().join("work").display().to_string();
    let state = dir.path().join("state.json").display().to_string();
    let args = ["--work-dir", &work, "--state", &state, "--agent-cpus", "64", "--agent-mem", "65536"];
    let engine = LocalBin::start(&args, &log);
    let prefix = format!("/abuse{}", std::process::id());
    // warm up: one app through its whole life, so the baseline includes the runtime's pools
    let warm = json!({"id": format!("{prefix}/warm"), "cmd": "sleep 1000", "cpus": 0.01, "mem": 1});
    assert_eq!(engine.call("POST", "/v2/apps", Some(&warm)).0, 201);
    engine.wait_idle();
    assert_eq!(engine.call("DELETE", &format!("/v2/apps{prefix}/warm"), None).0, 200);
    engine.wait_idle();
    let (rss_before, threads_before) = rss_and_threads(engine.pid());
    let children_before = children(engine.pid());

    // slow consumers: event streams that are never read
    let mut streams = Vec::new();
    for _ in 0..20 {
        let mut s = TcpStream::connect(&engine.addr).unwrap();
        s.write_all(b"GET /v2/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n").unwrap();
        streams.push(s);
    }
    // half-sent requests
    let mut half = Vec::new();
    for _ in 0..200 {
        let mut s = TcpStream::connect(&engine.addr).unwrap();
        s.write_all(b"POST /v2/apps HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"id\":").unwrap();
        half.push(s);
    }
    // churn: 4 clients each create and delete 15 apps of 2 instances
    let started = Instant::now();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (addr, prefix) = (engine.addr.clone(), prefix.clone());
            std::thread::spawn(move || {
                for i in 0..15 {
                    let id = format!("{prefix}/w{w}/a{i}");
                    let app = json!({"id": id, "cmd": "sleep 1000", "instances": 2, "cpus": 0.01, "mem": 1,
                                     "labels": {"pad": "x".repeat(10_000)}});
                    assert_eq!(http(&addr, "POST", "/v2/apps?force=true", Some(&app)).0, 201);
                    assert_eq!(http(&addr, "DELETE", &format!("/v2/apps{id}?force=true"), None).0, 200);
                }
            })
        })
        .collect();
    let mut pings = Vec::new();
    while workers.iter().any(|w| !w.is_finished()) {
        let t = Instant::now();
        assert_eq!(engine.call("GET", "/ping", None).0, 200);
        pings.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(50));
    }
    pings.sort();
    let (ping_median, ping_worst) =
        (pings.get(pings.len() / 2).copied().unwrap_or_default(), pings.last().copied().unwrap_or_default());
    for w in workers {
        w.join().unwrap();
    }
    let churn = started.elapsed();
    engine.wait_idle();
    let (rss_peak, _) = rss_and_threads(engine.pid());
    drop(streams);
    drop(half);
    let deadline = Instant::now() + T;
    while !task_processes(&prefix).is_empty() || children(engine.pid()) > children_before {
        assert!(Instant::now() < deadline, "task processes left: {:?}", task_processes(&prefix));
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(engine.call("GET", "/v2/apps", None).1["apps"], json!([]));
    let (rss_after, threads_after) = rss_and_threads(engine.pid());
    let children_after = children(engine.pid());
    println!(
        "abuse suite: churn of 60 apps x 2 tasks in {churn:?}, /ping median {ping_median:?}, worst {ping_worst:?}; engine RSS {rss_before} KiB \
         before, {rss_peak} KiB after the churn, {rss_after} KiB at the end; threads {threads_before} -> {threads_after}; \
         child processes {children_before} -> {children_after}"
    );
    assert_eq!(children_after, children_before, "every task process is gone");
    assert!(rss_after < rss_before + 100 * 1024, "memory grew from {rss_before} KiB to {rss_after} KiB");

    // kill -9 with tasks running, then a restart on the same work dir and state
    let keep = format!("{prefix}/keep");
    let app = json!({"id": keep, "cmd": "sleep 1000", "instances": 3, "cpus": 0.01, "mem": 1});
    assert_eq!(engine.call("POST", "/v2/apps", Some(&app)).0, 201);
    engine.wait_idle();
    let wait_tasks = |n: usize| {
        let deadline = Instant::now() + T;
        while running_tasks(&keep).len() != n {
            assert!(Instant::now() < deadline, "{:?} run, expected {n} tasks", running_tasks(&keep));
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_tasks(3);
    let (old_pids, old_tasks) = (task_processes(&keep), running_tasks(&keep));
    engine.kill9();
    let engine = LocalBin::start(&args, &log);
    for pid in &old_pids {
        crate::local_abuse::wait_dead(*pid, T);
    }
    engine.wait_idle();
    wait_tasks(3);
    assert!(running_tasks(&keep).is_disjoint(&old_tasks));
    let (rss_restarted, _) = rss_and_threads(engine.pid());
    println!(
        "abuse suite, kill -9 and restart: {} task processes ({} tasks) before, {} old ones left, {} tasks after; \
         restarted engine RSS {rss_restarted} KiB",
        old_pids.len(),
        old_tasks.len(),
        old_pids.iter().filter(|p| alive(**p)).count(),
        running_tasks(&keep).len()
    );
    assert!(engine.stop().success());
    wait_tasks(0);
}
