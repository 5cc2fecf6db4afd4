//! Task processes: signal a process group, tell whether it still has members, find every
//! process of a task (also those that left its group with `setsid`: each still carries the
//! task's `MESOS_SANDBOX`), and kill a task (SIGTERM, then SIGKILL after the grace period of a
//! [`KillJob`]).

use std::path::Path;
use std::time::Duration;

use super::ops::KillJob;

/// Signals a whole process group; a vanished group is fine.
pub(crate) fn signal_group(pgid: i32, signal: i32) {
    if pgid > 1 {
        // SAFETY: kill(2) with a negative pid signals a process group; it touches no memory.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

/// Whether a process group still has members.
pub(crate) fn group_alive(pgid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    pgid > 1 && unsafe { libc::kill(-pgid, 0) } == 0
}

/// Processes whose `MESOS_SANDBOX` is `sandbox` (or, with `under`, any sandbox below it).
pub(crate) fn processes_in(sandbox: &Path, under: bool) -> Vec<i32> {
    let wanted = sandbox.to_string_lossy().to_string();
    let me = std::process::id() as i32;
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
        if pid == me {
            continue;
        }
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else { continue };
        let hit = environ.split(|b| *b == 0).filter_map(|kv| kv.strip_prefix(b"MESOS_SANDBOX=")).any(|value| {
            let value = String::from_utf8_lossy(value);
            value == wanted || under && value.starts_with(&format!("{}/", wanted.trim_end_matches('/')))
        });
        if hit {
            out.push(pid);
        }
    }
    out
}

pub(crate) fn signal(pid: i32, sig: i32) {
    if pid > 1 {
        // SAFETY: kill(2) only sends a signal; it touches no memory.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

pub(crate) fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    pid > 1 && unsafe { libc::kill(pid, 0) } == 0 && !zombie(pid)
}

fn zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.trim_start().starts_with('Z')))
        .unwrap_or(false)
}

/// SIGKILLs every process of every sandbox under the work dir (shutdown).
pub(crate) fn kill_stragglers(work_dir: &Path) {
    for pid in processes_in(work_dir, true) {
        signal(pid, libc::SIGKILL);
    }
}

/// SIGTERMs a task (its process group and whatever escaped it), waits up to the grace period,
/// then SIGKILLs what is left.
pub(crate) async fn kill(job: KillJob) {
    let (pgid, grace) = (job.pgid, job.grace);
    signal_group(pgid, libc::SIGTERM);
    let escaped = scan(job.sandbox.clone()).await;
    for pid in &escaped {
        signal(*pid, libc::SIGTERM);
    }
    let deadline = crate::local::limits::instant_after(grace);
    while std::time::Instant::now() < deadline && (group_alive(pgid) || escaped.iter().any(|p| alive(*p))) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    signal_group(pgid, libc::SIGKILL);
    kill_sandbox_async(job.sandbox).await;
}

/// [`processes_in`] off the async workers (it reads every process' environment).
async fn scan(sandbox: std::path::PathBuf) -> Vec<i32> {
    tokio::task::spawn_blocking(move || processes_in(&sandbox, false)).await.unwrap_or_default()
}

/// SIGKILLs every process that still runs in one sandbox (scanned off the async workers).
pub(crate) async fn kill_sandbox_async(sandbox: std::path::PathBuf) {
    for pid in scan(sandbox).await {
        signal(pid, libc::SIGKILL);
    }
}
