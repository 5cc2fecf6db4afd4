//! [`Handle`]: a look inside a running engine, for tests and tools.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::marathon::types::App;

use super::tasks::procgroup;
use super::Shared;

/// Inspects a running engine (cheap to clone, usable from any thread).
#[derive(Debug, Clone)]
pub struct Handle {
    pub(super) shared: Arc<Shared>,
}

impl Handle {
    /// HTTP requests received so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Request handlers that panicked (answered 500); tests assert this stays 0.
    pub fn panics(&self) -> u64 {
        self.shared.panics.load(Ordering::Relaxed)
    }

    /// Why the engine stopped on its own (a panic in its background work), if it did; tests
    /// assert this stays `None`.
    pub fn failure(&self) -> Option<String> {
        self.shared.supervisor.failure()
    }

    /// The current definition of an app.
    pub fn app(&self, id: &str) -> Option<App> {
        self.shared.lock().apps.get(id).map(|r| (*r.def).clone())
    }

    /// Ids of all apps.
    pub fn app_ids(&self) -> Vec<String> {
        self.shared.lock().apps.keys().cloned().collect()
    }

    /// Process-group ids of every running task process.
    pub fn task_process_groups(&self) -> Vec<i32> {
        self.shared.task_groups()
    }

    /// The sandbox directory of a task (by task or instance id), holding its `stdout` and `stderr`.
    pub fn task_sandbox(&self, task_id: &str) -> Option<PathBuf> {
        self.shared.lock().find_task(task_id).map(|i| i.sandbox.clone())
    }

    /// Where task sandboxes are.
    pub fn work_dir(&self) -> PathBuf {
        self.shared.work_dir.clone()
    }

    /// SIGKILLs every task process group at once (for synchronous teardown).
    pub fn kill_all_tasks(&self) {
        for g in self.shared.task_groups() {
            procgroup::signal_group(g, libc::SIGKILL);
        }
    }
}
