//! Task process groups: signal a group, tell whether it still has members, and kill it
//! (SIGTERM, then SIGKILL after the grace period of a [`KillJob`]).

use std::time::{Duration, Instant};

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

/// SIGTERM now, SIGKILL after the grace period if anything is left.
pub(crate) async fn kill(job: KillJob) {
    signal_group(job.pgid, libc::SIGTERM);
    let deadline = Instant::now() + job.grace;
    while Instant::now() < deadline && group_alive(job.pgid) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    signal_group(job.pgid, libc::SIGKILL);
}
