//! Task sandboxes: the work dir, a pid file per sandbox, killing what a previous run of the
//! work dir left behind, and removing the sandboxes of finished tasks after a delay (Mesos'
//! `--gc_delay`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::local::{Config, Shared};

use super::procgroup::{alive, kill_stragglers, processes_in, signal, signal_group};

/// The pid file in each sandbox: the task's process (and process group) id.
pub(crate) const PID_FILE: &str = "theseus.pid";

/// The work dir and whether the engine removes it on shutdown. Without `--work-dir`, an engine
/// with `--state` uses a directory named after the state file, so a restart with the same
/// `--state` after kill -9 finds the tasks the previous run left; otherwise a fresh one.
pub(crate) fn work_dir(config: &Config) -> (PathBuf, bool) {
    if let Some(dir) = &config.work_dir {
        return (absolute(dir), false);
    }
    let name = match &config.state_file {
        Some(state) => {
            let digest = Sha256::digest(absolute(state).to_string_lossy().as_bytes());
            let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
            format!("theseus-local-state-{hex}")
        }
        None => format!("theseus-local-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
    };
    (std::env::temp_dir().join(name), true)
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Records the task's process id in its sandbox.
pub(crate) fn write_pid_file(sandbox: &Path, pid: i32) {
    if let Err(e) = std::fs::write(sandbox.join(PID_FILE), format!("{pid}\n")) {
        tracing::warn!(target: "theseus::local", "cannot write the pid file in {}: {e}", sandbox.display());
    }
}

/// Kills the task processes a previous run of this work dir left (found by the pid files and
/// by their environment), SIGTERM first and SIGKILL after `grace`. Returns how many there were.
pub(crate) async fn reap_leftovers(work_dir: &Path, grace: Duration) -> usize {
    let mut groups = Vec::new();
    for host in std::fs::read_dir(work_dir).into_iter().flatten().flatten() {
        for sandbox in std::fs::read_dir(host.path()).into_iter().flatten().flatten() {
            let pid_file = sandbox.path().join(PID_FILE);
            let pid = std::fs::read_to_string(&pid_file).ok().and_then(|s| s.trim().parse::<i32>().ok());
            // Only a process that still runs in this very sandbox: the pid may be reused.
            if let Some(pid) = pid.filter(|p| processes_in(&sandbox.path(), false).contains(p)) {
                groups.push(pid);
            }
        }
    }
    let pids = processes_in(work_dir, true);
    if pids.is_empty() && groups.is_empty() {
        return 0;
    }
    for g in &groups {
        signal_group(*g, libc::SIGTERM);
    }
    for p in &pids {
        signal(*p, libc::SIGTERM);
    }
    let deadline = crate::local::limits::instant_after(grace);
    while std::time::Instant::now() < deadline && pids.iter().any(|p| alive(*p)) {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    for g in &groups {
        signal_group(*g, libc::SIGKILL);
    }
    kill_stragglers(work_dir);
    let deadline = crate::local::limits::instant_after(Duration::from_secs(5));
    while std::time::Instant::now() < deadline && pids.iter().any(|p| alive(*p)) {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    pids.len()
}

/// Removes a finished task's sandbox once it is older than its allowed age (see
/// [`allowed_age`]), checked again at least every 10 s, unless the engine stops first.
pub(crate) fn remove_later(shared: &Arc<Shared>, sandbox: PathBuf) {
    if !sandbox.starts_with(&shared.work_dir) {
        return;
    }
    let delay = shared.config.sandbox_gc_delay;
    let mut stop = shared.stop_signal();
    shared.spawn("sandbox collector", async move {
        let finished = std::time::Instant::now();
        loop {
            let (allowed, age) = (allowed_age(delay, &sandbox), finished.elapsed());
            if age >= allowed {
                let _ = tokio::fs::remove_dir_all(&sandbox).await;
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep((allowed - age).min(Duration::from_secs(10))) => {}
                _ = async { let _ = stop.wait_for(|s| *s).await; } => return,
            }
        }
    });
}

/// Mesos' agent scales `--gc_delay` by free disk: `gc_delay * max(0, 1 - gc_disk_headroom -
/// disk usage)`, with `--gc_disk_headroom` 0.1, so sandboxes go sooner as the disk fills and at
/// once above 90 %.
fn allowed_age(delay: Duration, dir: &Path) -> Duration {
    let usage = disk_usage(dir).unwrap_or(0.0);
    delay.mul_f64((1.0 - GC_DISK_HEADROOM - usage).clamp(0.0, 1.0))
}

const GC_DISK_HEADROOM: f64 = 0.1;

/// The used fraction of the file system holding `dir`, as Mesos' agent reads it for the GC
/// (`src/slave/slave.cpp` `Slave::checkDiskUsage` calls stout's `fs::usage`,
/// `3rdparty/stout/include/stout/posix/fs.hpp`: `(f_blocks - f_bfree) / f_blocks`). Blocks
/// reserved for root count as free, so a disk whose unprivileged space is low is not "full".
fn disk_usage(dir: &Path) -> Option<f64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs(3) fills the zeroed struct we own from a NUL-terminated path.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(path.as_ptr(), &mut st) } != 0 || st.f_blocks == 0 {
        return None;
    }
    Some(st.f_blocks.saturating_sub(st.f_bfree) as f64 / st.f_blocks as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gc_delay_shrinks_as_the_disk_fills() {
        let dir = std::env::temp_dir();
        let usage = disk_usage(&dir).unwrap();
        assert!((0.0..=1.0).contains(&usage));
        let age = allowed_age(Duration::from_secs(100), &dir);
        assert!(age <= Duration::from_secs(90), "at most 90 % of the delay: {age:?}");
        let expected = 100.0 * (0.9 - usage).max(0.0);
        assert!((age.as_secs_f64() - expected).abs() < 2.0, "{age:?} for a disk {usage:.2} full");
    }
}
