//! `theseus endpoints --watch` and `--exec` through the real binary, against a real etcd: the
//! list is printed again (or the command run again) when registrations change, a burst of
//! changes gives one update, `--max-drop` holds back a mass drop until it persists (and never
//! applies one that goes away), and bad input is refused before anything runs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use theseus::etcd::GroupChange;

use crate::etcd_driver::info;
use crate::support::etcd::Etcd;
use crate::support::gk;

/// Generous: the machine is shared by several builds.
const DEADLINE: Duration = Duration::from_secs(60);

/// A running `theseus endpoints ...`, killed on drop; its stdout lines arrive on a channel,
/// and its stderr lines on another when started by [`Running::start_with_stderr`].
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    errors: Option<mpsc::Receiver<String>>,
}

/// Sends every line of `from` on a new channel.
fn lines_of(from: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    lines
}

impl Running {
    fn start(etcd: &Etcd, args: &[&str]) -> Running {
        Running::spawn(etcd, args, false)
    }

    fn start_with_stderr(etcd: &Etcd, args: &[&str]) -> Running {
        Running::spawn(etcd, args, true)
    }

    fn spawn(etcd: &Etcd, args: &[&str], stderr: bool) -> Running {
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
            .stderr(if stderr { Stdio::piped() } else { Stdio::null() })
            .spawn()
            .unwrap();
        let lines = lines_of(child.stdout.take().unwrap());
        let errors = child.stderr.take().map(lines_of);
        Running { child, lines, errors }
    }

    /// Waits for a stderr line containing `text`; the line.
    fn stderr_line(&self, text: &str) -> String {
        let errors = self.errors.as_ref().expect("started with stderr");
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = errors.recv_timeout(left).unwrap_or_else(|_| panic!("no stderr line with `{text}`"));
            if line.contains(text) {
                return line;
            }
        }
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
    assert_eq!(all.len() - 1, 1, "a burst of 5 changes runs the command once, got {all:?}");
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
    for bad in ["150%", "half", "-5%"] {
        let out = run(&["web", "--watch", &format!("--max-drop={bad}")]);
        assert_eq!(out.status.code(), Some(2), "--max-drop {bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--max-drop") && err.contains("from 0% to 100%"), "{err}");
    }
    let out = run(&["web", "--max-drop", "50%"]);
    assert_eq!(out.status.code(), Some(2), "--max-drop without --watch or --exec");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--max-drop holds back changes, so it needs --watch or --exec")
    );
    let out = run(&["web", "--watch", "--fresh-within", "30s"]);
    assert_eq!(out.status.code(), Some(2), "--fresh-within checks one read");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fresh-within"));
    let out = run(&["web", "--fresh-within", "soon"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fresh-within"));
}

/// Deregisters `names` of `group` in one transaction.
async fn drop_at_once(d: &theseus::etcd::Driver, group: &theseus::names::GroupKey, names: &[&str]) {
    let change =
        GroupChange { key: group.clone(), put: vec![], delete: names.iter().map(|n| (*n).to_owned()).collect() };
    let applied = d.apply_registrations(&[change]).await.unwrap();
    assert!(applied.skipped.is_empty(), "{applied:?}");
}

#[tokio::test]
async fn max_drop_holds_a_mass_drop_until_it_persists_and_never_applies_one_that_goes_away() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let dev = gk("web", "dev");
    d.create_group(&dev, &json!({})).await.unwrap();
    let four: Vec<_> = (1..=4).map(|i| info(&format!("web_dev.t{i}"), 31000 + i)).collect();
    d.register_containers(&dev, &four).await.unwrap();
    let watch =
        Running::start_with_stderr(&etcd, &["web", "--watch", "-o", "json", "--debounce", "2s", "--max-drop", "50%"]);
    assert_eq!(containers(&watch.next_json()).len(), 4, "the list at start");

    // A scale from 4 to 1: held back with a warning, the old list kept, then applied once it
    // persisted for --debounce twice more.
    drop_at_once(&d, &dev, &["web_dev.t2", "web_dev.t3", "web_dev.t4"]).await;
    let warning = watch.stderr_line("holding back a change");
    assert!(warning.contains("`web/dev` would go from 4 endpoints to 1 (-75%), more than --max-drop 50%"), "{warning}");
    assert!(watch.lines.try_recv().is_err(), "nothing printed while the change is held back");
    assert_eq!(containers(&watch.next_json()), ["web_dev.t1"], "applied once it persisted");
    let applied = watch.stderr_line("applying the change held back");
    assert!(applied.contains("`web/dev` would go from 4 endpoints to 1"), "{applied}");

    // Growth is never held.
    d.register_containers(&dev, &four[1..]).await.unwrap();
    assert_eq!(containers(&watch.next_json()).len(), 4);

    // A drop that goes away within the hold is never applied: the next list printed is the
    // one after it, and no list of one.
    drop_at_once(&d, &dev, &["web_dev.t2", "web_dev.t3", "web_dev.t4"]).await;
    watch.stderr_line("holding back a change");
    d.register_containers(&dev, &four[1..]).await.unwrap();
    d.register_containers(&dev, &[info("web_dev.t5", 31005)]).await.unwrap();
    assert_eq!(containers(&watch.next_json()).len(), 5, "the drop of 3 was never printed");

    // A drop within the limit is applied as any change.
    drop_at_once(&d, &dev, &["web_dev.t5", "web_dev.t4"]).await;
    assert_eq!(containers(&watch.next_json()).len(), 3, "-40% is within --max-drop 50%");
}
