//! Task process groups: signal a group, tell whether it still has members, and kill a task
//! (SIGTERM, then SIGKILL after the grace period of a [`KillJob`]; see `sandbox::stop_task`).

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

/// SIGTERM now, SIGKILL after the grace period if anything of the task is left.
pub(crate) async fn kill(job: KillJob) {
    super::sandbox::stop_task(job.pgid, &job.sandbox, job.grace).await;
}
