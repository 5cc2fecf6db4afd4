//! `theseus endpoints --watch` and `--exec` through the real binary, against a real etcd: the
//! list is printed again (or the command run again) when registrations change, a burst of
//! changes gives one update, and bad input is refused before anything runs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::etcd_driver::info;
use crate::support::etcd::Etcd;
use crate::support::gk;

/// Generous: the machine is shared by several builds.
const DEADLINE: Duration = Duration::from_secs(60);

/// A running `theseus endpoints ...`, killed on drop; its stdout lines arrive on a channel.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn start(etcd: &Etcd, args: &[&str]) -> Running {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_theseus"));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("THESEUS_") {
                cmd.env_remove(key);
            }
        }
        let mut child = cmd
            .env("NO_COLOR", "1")
            .args(["--etcd", etcd.endpoint.as_str(), "endpoints"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Running { child, lines }
    }

    /// The next stdout line, parsed as JSON.
    fn next_json(&self) -> Value {
        let line = self.lines.recv_timeout(DEADLINE).expect("a line from `endpoints --watch` within the deadline");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn containers(list: &Value) -> Vec<String> {
    let mut names: Vec<String> =
        list.as_array().unwrap().iter().map(|e| e["container"].as_str().unwrap().to_owned()).collect();
    names.sort();
    names
}

/// Polls `f` until it returns `Some`, failing after [`DEADLINE`].
fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn watch_prints_the_list_again_each_time_it_changes() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let (dev, prod) = (gk("web", "dev"), gk("web", "prod"));
    d.create_group(&dev, &json!({})).await.unwrap();
    d.create_group(&prod, &json!({})).await.unwrap();
    d.register_containers(&dev, &[info("web_dev.t1", 31000)]).await.unwrap();
    let watch = Running::start(&etcd, &["web", "-l", "dev", "--watch", "--debounce", "50ms", "-o", "json"]);
    assert_eq!(containers(&watch.next_json()), ["web_dev.t1"], "the list at start");

    d.register_containers(&dev, &[info("web_dev.t2", 31001)]).await.unwrap();
    let list = watch.next_json();
    assert_eq!(containers(&list), ["web_dev.t1", "web_dev.t2"]);
    assert_eq!(list[1]["address"], "127.0.0.2:31001");

    // A change to a group the selector leaves out prints nothing; the next real change does.
    d.register_containers(&prod, &[info("web_prod.t1", 31002)]).await.unwrap();
    d.deregister_container(&dev, "web_dev.t1").await.unwrap();
    assert_eq!(containers(&watch.next_json()), ["web_dev.t2"], "only the filtered list, only when it changed");

    d.remove_group(&dev).await.unwrap();
    assert_eq!(watch.next_json(), json!([]), "a removed group has no endpoints left");

    // Ctrl-C ends the watch as it ends `view --watch`: exit 130.
    let mut watch = watch;
    unsafe { libc::kill(watch.child.id() as i32, libc::SIGINT) };
    let code = eventually("endpoints --watch to stop on SIGINT", || watch.child.try_wait().unwrap());
    assert_eq!(code.code(), Some(130), "endpoints --watch ends with 130 on Ctrl-C, as README says");
}

#[tokio::test]
async fn exec_runs_the_command_with_the_list_on_stdin_once_per_burst() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let dev = gk("web", "dev");
    d.create_group(&dev, &json!({})).await.unwrap();
    d.register_containers(&dev, &[info("web_dev.t0", 31000)]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("runs.jsonl");
    let hook = format!("cat >> '{}'", log.display());
    let _running = Running::start(&etcd, &["web", "--exec", &hook, "--debounce", "2s"]);
    let runs = || -> Vec<Value> {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("hook input is not JSON ({e}): {l}")))
            .collect()
    };
    eventually("the first run", || (runs().len() == 1).then_some(()));
    assert_eq!(containers(&runs()[0]), ["web_dev.t0"], "the list at start");

    // Five registrations in five transactions, back to back: one run with all of them.
    for i in 1..=5 {
        d.register_containers(&dev, &[info(&format!("web_dev.t{i}"), 31000 + i)]).await.unwrap();
    }
    let all = eventually("a run with all six containers", || {
        let r = runs();
        r.last().is_some_and(|last| containers(last).len() == 6).then_some(r)
    });
    assert!(all.len() - 1 < 5, "a burst of 5 changes is debounced, got {} runs after the first", all.len() - 1);
    assert_eq!(all.last().unwrap()[5]["container"], "web_dev.t5");
}

#[tokio::test]
async fn a_failing_exec_command_is_reported_and_the_watch_goes_on() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let dev = gk("web", "dev");
    d.create_group(&dev, &json!({})).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("runs");
    // Fails every time, after recording that it ran; --watch prints the list as well.
    let hook = format!("cat >> '{}'; exit 3", log.display());
    let watch = Running::start(&etcd, &["web", "--watch", "-o", "json", "--exec", &hook, "--debounce", "50ms"]);
    assert_eq!(watch.next_json(), json!([]));
    d.register_containers(&dev, &[info("web_dev.t1", 31000)]).await.unwrap();
    assert_eq!(containers(&watch.next_json()), ["web_dev.t1"], "still watching after the hook failed");
    eventually("the second run", || {
        (std::fs::read_to_string(&log).unwrap_or_default().lines().count() == 2).then_some(())
    });
}

#[tokio::test]
async fn watch_refuses_bad_input_before_watching() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    d.create_group(&gk("web", "dev"), &json!({})).await.unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_theseus"))
            .env("NO_COLOR", "1")
            .args(["--etcd", etcd.endpoint.as_str(), "endpoints"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run(&["db", "--watch"]);
    assert_eq!(out.status.code(), Some(2), "an unknown service is a usage error, not an endless wait");
    assert!(String::from_utf8_lossy(&out.stderr).contains("service `db` is not registered"));
    let out = run(&["web", "--exec", " "]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--exec needs a command"));
    let out = run(&["web", "--watch", "--debounce", "soon"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--debounce"));
}
