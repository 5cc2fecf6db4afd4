//! The canary's gate command (`--gate CMD`, the spec's `rollout.gate`): a program of the user's
//! that judges the canary. It runs under `/bin/sh -c CMD` in a process group of its own, with
//! the group, the revisions and the canary's endpoints in its environment (`THESEUS_*`) and the
//! same as one JSON document ([`GateInput`]) on its stdin; its exit code is the [`Verdict`]:
//! 0 passed, 1 failed, 2 inconclusive (hold for a person). Any other exit code, a death by a
//! signal or a command that cannot be started fails the canary; so does one still running at
//! `--gate-timeout`, which is killed with its whole process group (a `sleep` it started too),
//! as is one still running on Ctrl-C or when the judging is dropped. Processes it leaves
//! behind when it exits are killed as well: nothing it started outlives the verdict.
//!
//! Its stdout and stderr are captured, never mixed into theseus's output; the verdict's detail
//! ends with the last lines of its stderr (else of its stdout), so the reason a gate gave shows
//! in the rollout's events and result. A command that never reads its stdin is fine: the input
//! is written beside the wait, and a closed pipe (EPIPE) only ends the writing.

use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};
use tokio::task::JoinHandle;

use super::gate::Cancel;
use super::wait::WaitError;
use crate::etcd::ContainerInfo;

/// The shell that runs the command.
const SHELL: &str = "/bin/sh";
/// The output kept of each stream: its last 64 KiB (a chatty gate never fills memory).
const KEPT_OUTPUT: usize = 64 * 1024;
/// Lines of output a verdict's detail ends with.
const DETAIL_LINES: usize = 5;
/// Bytes of output a verdict's detail ends with, at most.
const DETAIL_BYTES: usize = 500;
/// How long the output is still read once the command and its process group are gone (a
/// process that left the group with `setsid` may hold the pipes open).
const DRAIN: Duration = Duration::from_millis(500);

/// What the gate command is told about the canary: as JSON on its stdin, and in its
/// environment (see [`GateInput::env`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct GateInput {
    /// The service.
    pub service: String,
    /// The group, as its key names it.
    pub group: String,
    /// The namespace.
    pub namespace: String,
    /// The revision rolled from (none for a group without one).
    pub from_revision: Option<String>,
    /// The revision rolled to: the canary's.
    pub to_revision: String,
    /// Canary instances.
    pub canary_instances: u32,
    /// The group's target instances.
    pub instances: u32,
    /// The canary containers, as registered in etcd.
    pub endpoints: Vec<ContainerInfo>,
}

impl GateInput {
    /// The command's `THESEUS_*` variables: the group, the revisions (`THESEUS_FROM_REVISION`
    /// empty when there is none), the counts, and `THESEUS_CANARY_ENDPOINTS`, the canary
    /// containers' first ports as space-separated `host:port` (those without a port left out).
    fn env(&self) -> Vec<(&'static str, String)> {
        let endpoints: Vec<String> = self.endpoints.iter().filter_map(ContainerInfo::address).collect();
        vec![
            ("THESEUS_SERVICE", self.service.clone()),
            ("THESEUS_GROUP", self.group.clone()),
            ("THESEUS_NAMESPACE", self.namespace.clone()),
            ("THESEUS_FROM_REVISION", self.from_revision.clone().unwrap_or_default()),
            ("THESEUS_TO_REVISION", self.to_revision.clone()),
            ("THESEUS_CANARY_INSTANCES", self.canary_instances.to_string()),
            ("THESEUS_INSTANCES", self.instances.to_string()),
            ("THESEUS_CANARY_ENDPOINTS", endpoints.join(" ")),
        ]
    }
}

/// What the gate command said of the canary, with what it printed last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Exit 0: the canary may go on.
    Passed {
        /// `exit 0`, and the command's last output lines.
        detail: String,
    },
    /// Exit 1, any other failure of the command, or killed at its timeout: roll back.
    Failed {
        /// What happened (`exit 1`, `exit 127`, `killed after 5m (--gate-timeout)`, `cannot
        /// run ...`), and the command's last output lines.
        detail: String,
    },
    /// Exit 2: the command cannot tell; the rollout holds for a person.
    Inconclusive {
        /// `exit 2`, and the command's last output lines.
        detail: String,
    },
}

impl Verdict {
    /// The verdict as the `Gate` event names it: `passed`, `failed` or `inconclusive`.
    pub(super) fn word(&self) -> &'static str {
        match self {
            Verdict::Passed { .. } => "passed",
            Verdict::Failed { .. } => "failed",
            Verdict::Inconclusive { .. } => "inconclusive",
        }
    }

    /// What it saw.
    pub(super) fn detail(&self) -> &str {
        match self {
            Verdict::Passed { detail } | Verdict::Failed { detail } | Verdict::Inconclusive { detail } => detail,
        }
    }
}

/// Runs `cmd` under `/bin/sh -c` on `input` and returns its verdict (see the module docs); the
/// command is killed at `timeout` (failed) or on `cancel` ([`WaitError::Interrupted`]).
pub(super) async fn judge(
    cmd: &str,
    input: &GateInput,
    timeout: Duration,
    cancel: Cancel<'_>,
) -> Result<Verdict, WaitError> {
    judge_with(Path::new(SHELL), cmd, input, timeout, cancel).await
}

/// [`judge`] with another shell (a test starts a missing one).
async fn judge_with(
    shell: &Path,
    cmd: &str,
    input: &GateInput,
    timeout: Duration,
    mut cancel: Cancel<'_>,
) -> Result<Verdict, WaitError> {
    // The JSON of plain strings, numbers and the etcd values never fails to serialise.
    let json = serde_json::to_vec(input).unwrap_or_default();
    let mut command = tokio::process::Command::new(shell);
    command
        .arg("-c")
        .arg(cmd)
        .envs(input.env())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(err) => return Ok(Verdict::Failed { detail: format!("cannot run `{} -c`: {err}", shell.display()) }),
    };
    // Killed with everything it started however this ends, also when this future is dropped.
    let mut group = Group(child.id().and_then(|pid| i32::try_from(pid).ok()));
    let writer = child.stdin.take().map(|mut stdin| {
        tokio::spawn(async move {
            // A command that never reads its stdin closes the pipe: EPIPE ends the writing, no more.
            let _ = stdin.write_all(&json).await;
            let _ = stdin.shutdown().await;
        })
    });
    let (stdout, stderr) = (Tail::default(), Tail::default());
    let readers = [collect(child.stdout.take(), &stdout), collect(child.stderr.take(), &stderr)];
    let ended = tokio::select! {
        status = child.wait() => Ended::Exited(status),
        () = tokio::time::sleep(timeout) => Ended::TimedOut,
        () = cancel.as_mut() => Ended::Interrupted,
    };
    group.kill();
    if !matches!(ended, Ended::Exited(_)) {
        // Reap it: the SIGKILL of its group ends it at once.
        let _ = child.wait().await;
    }
    drain(readers, writer).await;
    let said = output_tail(&stderr.bytes(), &stdout.bytes());
    let with_output = |what: String| if said.is_empty() { what } else { format!("{what}: {said}") };
    let verdict = match ended {
        Ended::Interrupted => return Err(WaitError::Interrupted),
        Ended::TimedOut => Verdict::Failed {
            detail: with_output(format!("killed after {} (--gate-timeout)", humantime::format_duration(timeout))),
        },
        Ended::Exited(Err(err)) => Verdict::Failed { detail: with_output(format!("waiting for the command: {err}")) },
        Ended::Exited(Ok(status)) => verdict(status, with_output(describe(status))),
    };
    Ok(verdict)
}

/// How the wait for the command ended.
#[derive(Debug)]
enum Ended {
    /// It exited (or waiting for it failed).
    Exited(std::io::Result<ExitStatus>),
    /// Its timeout passed.
    TimedOut,
    /// Ctrl-C.
    Interrupted,
}

/// The verdict of an exit status: 0 passed, 1 failed, 2 inconclusive, anything else failed.
fn verdict(status: ExitStatus, detail: String) -> Verdict {
    match status.code() {
        Some(0) => Verdict::Passed { detail },
        Some(2) => Verdict::Inconclusive { detail },
        _ => Verdict::Failed { detail },
    }
}

/// An exit status in words: `exit 1`, `killed by signal 9 (SIGKILL)`.
fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(signal)) => match signal_name(signal) {
            Some(name) => format!("killed by signal {signal} ({name})"),
            None => format!("killed by signal {signal}"),
        },
        (None, None) => format!("ended with status {status}"),
    }
}

/// The name of a signal a command commonly dies of.
fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGABRT => "SIGABRT",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGTERM => "SIGTERM",
        _ => return None,
    })
}

/// The command's process group (its id is the shell's pid: `process_group(0)`), SIGKILLed once.
#[derive(Debug)]
struct Group(Option<i32>);

impl Group {
    /// SIGKILLs every process of the group (a group already gone is fine).
    fn kill(&mut self) {
        if let Some(pgid) = self.0.take().filter(|p| *p > 1) {
            // SAFETY: kill(2) with a negative pid signals a process group; it touches no memory.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The last [`KEPT_OUTPUT`] bytes of one output stream, shared with the task that reads it.
#[derive(Debug, Clone, Default)]
struct Tail(Arc<Mutex<Vec<u8>>>);

impl Tail {
    fn push(&self, chunk: &[u8]) {
        let mut kept = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.extend_from_slice(chunk);
        let over = kept.len().saturating_sub(KEPT_OUTPUT);
        kept.drain(..over);
    }

    fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// Reads `stream` to its end into `tail`, in a task of its own.
fn collect(stream: Option<impl AsyncRead + Unpin + Send + 'static>, tail: &Tail) -> Option<JoinHandle<()>> {
    let mut stream = stream?;
    let tail = tail.clone();
    Some(tokio::spawn(async move {
        let mut buf = vec![0u8; 8192];
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                break;
            }
            tail.push(&buf[..n]);
        }
    }))
}

/// Lets the readers reach the end of the output for up to [`DRAIN`], then stops them and the
/// stdin writer (what was read stays in the tails).
async fn drain(readers: [Option<JoinHandle<()>>; 2], writer: Option<JoinHandle<()>>) {
    let handles: Vec<JoinHandle<()>> = readers.into_iter().flatten().collect();
    let aborts: Vec<_> = handles.iter().map(JoinHandle::abort_handle).chain(writer.map(|w| w.abort_handle())).collect();
    let _ = tokio::time::timeout(DRAIN, futures::future::join_all(handles)).await;
    for a in aborts {
        a.abort();
    }
}

/// The end of what the command printed, for a verdict's detail: the last [`DETAIL_LINES`]
/// non-blank lines of `stderr` (of `stdout` when stderr has none), each trimmed, joined by
/// `; `, and at most [`DETAIL_BYTES`] (its end kept, after `…`).
fn output_tail(stderr: &[u8], stdout: &[u8]) -> String {
    let lines = |bytes: &[u8]| -> Vec<String> {
        let text = String::from_utf8_lossy(bytes);
        let all: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        all[all.len().saturating_sub(DETAIL_LINES)..].iter().map(|l| (*l).to_owned()).collect()
    };
    let mut picked = lines(stderr);
    if picked.is_empty() {
        picked = lines(stdout);
    }
    let joined = picked.join("; ");
    if joined.len() <= DETAIL_BYTES {
        return joined;
    }
    let mut start = joined.len() - DETAIL_BYTES;
    while !joined.is_char_boundary(start) {
        start += 1;
    }
    format!("…{}", &joined[start..])
}

#[cfg(test)]
#[path = "gate_command_tests.rs"]
mod tests;
