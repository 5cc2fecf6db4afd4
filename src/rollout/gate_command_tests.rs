//! Tests of the gate command runner: real `/bin/sh`, tiny scripts.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::time::{Duration, Instant};

use super::*;
use crate::etcd::PortMappingInfo;

/// Long enough for any command here to finish on a loaded machine; the tests that time out
/// pass shorter ones.
const LONG: Duration = Duration::from_secs(60);

fn container(name: &str, host: &str, port: Option<u32>) -> ContainerInfo {
    ContainerInfo {
        instance_name: name.into(),
        instance_host: host.into(),
        instance_port: port,
        port_mappings: port
            .map(|p| vec![PortMappingInfo { container_port: None, host_port: p, name: None, protocol: "tcp".into() }])
            .unwrap_or_default(),
        version: "2024-05-01T10:00:00.000Z".into(),
        healthy: true,
        started_at: None,
        canary: true,
    }
}

fn input() -> GateInput {
    GateInput {
        service: "web".into(),
        group: "env=prod".into(),
        namespace: "theseus".into(),
        from_revision: Some("r1".into()),
        to_revision: "r2".into(),
        canary_instances: 2,
        instances: 8,
        endpoints: vec![
            container("web.a", "10.0.0.1", Some(31000)),
            container("web.b", "10.0.0.2", Some(31001)),
            container("web.c", "10.0.0.3", None),
        ],
    }
}

fn never() -> impl Future<Output = ()> {
    std::future::pending()
}

async fn run(cmd: &str, timeout: Duration) -> Verdict {
    judge(cmd, &input(), timeout, pin!(never())).await.expect("no Ctrl-C here")
}

/// A shell script's path quoted for `sh -c`.
fn q(path: &Path) -> String {
    format!("'{}'", path.display())
}

/// Whether a process still runs (a zombie waiting for its reaper does not).
fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    let exists = unsafe { libc::kill(pid, 0) } == 0;
    let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.trim_start().starts_with('Z')))
        .unwrap_or(false);
    exists && !zombie
}

/// The pid a script wrote to `file`.
fn pid_in(file: &Path) -> i32 {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    text.trim().parse().unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

/// Waits (up to 10 s) until none of `pids` runs; panics naming the survivors.
fn assert_all_gone(pids: &[i32]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left: Vec<i32> = pids.iter().copied().filter(|p| alive(*p)).collect();
        if left.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "processes still running: {left:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Polls (up to 10 s) until `file` has a line: the script got that far.
async fn written(file: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_to_string(file).map_or(true, |s| !s.ends_with('\n')) {
        assert!(Instant::now() < deadline, "{} never written", file.display());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn exit_0_passes_with_what_it_printed() {
    let v = run("echo checking; echo 'error rate 0.1%'", LONG).await;
    assert_eq!(v, Verdict::Passed { detail: "exit 0: checking; error rate 0.1%".into() });
    assert_eq!((v.word(), v.detail()), ("passed", "exit 0: checking; error rate 0.1%"));
}

#[tokio::test]
async fn exit_1_fails_and_its_stderr_wins_over_its_stdout() {
    let v = run("echo on stdout; echo 'error rate 7%' >&2; exit 1", LONG).await;
    assert_eq!(v, Verdict::Failed { detail: "exit 1: error rate 7%".into() });
    assert_eq!(v.word(), "failed");
}

#[tokio::test]
async fn exit_2_is_inconclusive() {
    let v = run("echo 'not enough traffic yet'; exit 2", LONG).await;
    assert_eq!(v, Verdict::Inconclusive { detail: "exit 2: not enough traffic yet".into() });
    assert_eq!(v.word(), "inconclusive");
}

#[tokio::test]
async fn a_silent_command_says_only_its_exit() {
    assert_eq!(run("true", LONG).await, Verdict::Passed { detail: "exit 0".into() });
    assert_eq!(run("exit 3", LONG).await, Verdict::Failed { detail: "exit 3".into() });
}

#[tokio::test]
async fn a_missing_program_fails_with_the_shells_words() {
    let v = run("theseus-no-such-gate-program --check", LONG).await;
    let Verdict::Failed { detail } = &v else { panic!("{v:?}") };
    assert!(detail.starts_with("exit 127: "), "{detail}");
    assert!(detail.contains("theseus-no-such-gate-program") && detail.contains("not found"), "{detail}");
}

#[tokio::test]
async fn death_by_a_signal_fails_naming_it() {
    let v = run("echo dying >&2; kill -TERM $$", LONG).await;
    assert_eq!(v, Verdict::Failed { detail: "killed by signal 15 (SIGTERM): dying".into() });
}

#[tokio::test]
async fn a_shell_that_cannot_start_fails_naming_it() {
    let shell = Path::new("/nonexistent/theseus/sh");
    let v = judge_with(shell, "exit 0", &input(), LONG, pin!(never())).await.expect("no Ctrl-C");
    let Verdict::Failed { detail } = &v else { panic!("{v:?}") };
    assert!(detail.starts_with("cannot run `/nonexistent/theseus/sh -c`: "), "{detail}");
    assert!(detail.contains("No such file or directory"), "{detail}");
}

#[tokio::test]
async fn the_environment_names_the_group_revisions_counts_and_canary_endpoints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("env");
    let v = run(&format!("env | grep '^THESEUS_' | sort > {}", q(&out)), LONG).await;
    assert_eq!(v, Verdict::Passed { detail: "exit 0".into() });
    let env = std::fs::read_to_string(&out).expect("env written");
    let want = "THESEUS_CANARY_ENDPOINTS=10.0.0.1:31000 10.0.0.2:31001\n\
                THESEUS_CANARY_INSTANCES=2\n\
                THESEUS_FROM_REVISION=r1\n\
                THESEUS_GROUP=env=prod\n\
                THESEUS_INSTANCES=8\n\
                THESEUS_NAMESPACE=theseus\n\
                THESEUS_SERVICE=web\n\
                THESEUS_TO_REVISION=r2\n";
    // Variables of the environment the tests run in are not ours to check.
    let ours: String = env
        .lines()
        .filter(|l| want.lines().any(|w| w.split('=').next() == l.split('=').next()))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(ours, want);
}

#[tokio::test]
async fn no_from_revision_is_an_empty_variable() {
    let mut input = input();
    input.from_revision = None;
    let v = judge("test -z \"${THESEUS_FROM_REVISION-unset}\"", &input, LONG, pin!(never())).await.expect("no Ctrl-C");
    assert_eq!(v, Verdict::Passed { detail: "exit 0".into() });
}

#[tokio::test]
async fn stdin_carries_the_input_as_json_and_is_closed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("stdin.json");
    // `cat` ends only when stdin is closed.
    let v = run(&format!("cat > {}", q(&out)), LONG).await;
    assert_eq!(v, Verdict::Passed { detail: "exit 0".into() });
    let got: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).expect("stdin written")).expect("JSON");
    assert_eq!(got["service"], "web");
    assert_eq!(got["group"], "env=prod");
    assert_eq!(got["namespace"], "theseus");
    assert_eq!(got["from_revision"], "r1");
    assert_eq!(got["to_revision"], "r2");
    assert_eq!(got["canary_instances"], 2);
    assert_eq!(got["instances"], 8);
    assert_eq!(got["endpoints"][0]["instance_host"], "10.0.0.1");
    assert_eq!(got["endpoints"][1]["instance_port"], 31001);
    assert_eq!(got["endpoints"][0]["canary"], true);
    assert_eq!(got, serde_json::to_value(input()).expect("JSON"));
}

#[tokio::test]
async fn a_command_that_never_reads_a_large_input_is_judged_by_its_exit() {
    // Far more than a pipe holds (64 KiB): the writer meets a closed pipe, which must not matter.
    let mut big = input();
    big.endpoints[0].port_mappings = (0..20_000)
        .map(|p| PortMappingInfo {
            container_port: Some(p),
            host_port: p,
            name: Some(format!("p{p}")),
            protocol: "tcp".into(),
        })
        .collect();
    assert!(serde_json::to_vec(&big).expect("JSON").len() > 1_000_000);
    for (cmd, want) in [("exit 0", "passed"), ("exit 1", "failed"), ("sleep 0.2; exit 2", "inconclusive")] {
        let v = judge(cmd, &big, LONG, pin!(never())).await.expect("no Ctrl-C");
        assert_eq!(v.word(), want, "{cmd}: {v:?}");
        assert_eq!(v.detail(), format!("exit {}", cmd.chars().last().unwrap_or('?')), "{cmd}");
    }
}

/// A gate that starts `sleep 600` and waits: its pids, written by the script to `dir`.
fn hanging_script(dir: &Path) -> (String, PathBuf, PathBuf) {
    let (sh, child) = (dir.join("sh.pid"), dir.join("sleep.pid"));
    let script = format!(
        "echo $$ > {sh}; sleep 600 & echo $! > {child}; echo 'still checking' >&2; wait",
        sh = q(&sh),
        child = q(&child)
    );
    (script, sh, child)
}

#[tokio::test]
async fn a_command_running_at_its_timeout_is_killed_with_its_process_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (script, sh, child) = hanging_script(dir.path());
    let started = Instant::now();
    let v = run(&script, Duration::from_secs(2)).await;
    assert!(started.elapsed() < Duration::from_secs(30), "judged after {:?}", started.elapsed());
    assert_eq!(v, Verdict::Failed { detail: "killed after 2s (--gate-timeout): still checking".into() });
    // The shell and the `sleep 600` it started are both gone.
    assert_all_gone(&[pid_in(&sh), pid_in(&child)]);
}

#[tokio::test]
async fn ctrl_c_kills_the_command_and_interrupts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (script, sh, child) = hanging_script(dir.path());
    let ctrl_c = written(&child);
    let got = judge(&script, &input(), LONG, pin!(ctrl_c)).await;
    assert!(matches!(got, Err(WaitError::Interrupted)), "{got:?}");
    assert_all_gone(&[pid_in(&sh), pid_in(&child)]);
}

#[tokio::test]
async fn dropping_the_judging_kills_the_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (script, sh, child) = hanging_script(dir.path());
    let input = input();
    let ctrl_c = pin!(never());
    let judging = judge(&script, &input, LONG, ctrl_c);
    // The caller gives up on the judging (another branch of its `select!` won).
    tokio::select! {
        v = judging => panic!("a hanging gate judged: {v:?}"),
        () = written(&child) => {}
    }
    assert_all_gone(&[pid_in(&sh), pid_in(&child)]);
}

#[tokio::test]
async fn what_a_command_leaves_behind_is_killed_and_does_not_hold_the_verdict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let child = dir.path().join("sleep.pid");
    // The background `sleep` keeps the output pipes open: the verdict must not wait for it.
    let script = format!("sleep 600 & echo $! > {}; echo done", q(&child));
    let started = Instant::now();
    let v = run(&script, LONG).await;
    assert!(started.elapsed() < Duration::from_secs(30), "judged after {:?}", started.elapsed());
    assert_eq!(v, Verdict::Passed { detail: "exit 0: done".into() });
    assert_all_gone(&[pid_in(&child)]);
}

#[test]
fn the_output_tail_keeps_the_last_five_lines_trimmed() {
    let out = b"one\ntwo\n\n  three  \nfour\nfive\nsix\nseven\n";
    assert_eq!(output_tail(b"", out), "three; four; five; six; seven");
    assert_eq!(output_tail(b" \n\t\n", b"only stdout\n"), "only stdout", "a blank stderr says nothing");
    assert_eq!(output_tail(b"err\n", b"out\n"), "err");
    assert_eq!(output_tail(b"", b""), "");
    assert_eq!(output_tail(b"bad \xff byte", b""), "bad \u{fffd} byte");
}

#[test]
fn the_output_tail_is_at_most_500_bytes_and_keeps_the_end() {
    let long = format!("{}the end", "é".repeat(400));
    let tail = output_tail(long.as_bytes(), b"");
    assert!(tail.starts_with('…') && tail.ends_with("the end"), "{tail}");
    assert!(tail.len() <= DETAIL_BYTES + '…'.len_utf8(), "{}", tail.len());
    assert!(tail.len() >= DETAIL_BYTES - 1, "{}", tail.len());
}

#[test]
fn a_tail_keeps_only_the_last_64_kib() {
    let tail = Tail::default();
    tail.push(&[b'a'; KEPT_OUTPUT]);
    tail.push(b"bcd");
    let kept = tail.bytes();
    assert_eq!(kept.len(), KEPT_OUTPUT);
    assert!(kept.ends_with(b"abcd"));
}

#[test]
fn exit_statuses_are_named() {
    use std::os::unix::process::ExitStatusExt as _;
    assert_eq!(describe(ExitStatus::from_raw(0)), "exit 0");
    assert_eq!(describe(ExitStatus::from_raw(127 << 8)), "exit 127");
    assert_eq!(describe(ExitStatus::from_raw(libc::SIGKILL)), "killed by signal 9 (SIGKILL)");
    assert_eq!(describe(ExitStatus::from_raw(libc::SIGUSR1)), format!("killed by signal {}", libc::SIGUSR1));
}
