//! Finding a task's sandbox in an agent's `/state`: the executor that runs or ran it, among
//! the running executors and the `completed_executors` of the agent's frameworks and of its
//! `completed_frameworks` (`FrameworkWriter` in Mesos's `src/slave/http.cpp`). An executor
//! that ran again for the same task id (a restarted command task) appears once per run: the
//! running one wins, else the last completed one, Mesos's newest.

use super::wire::{AgentState, Executor};

/// Where a task's files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandbox {
    /// The sandbox directory on the agent.
    pub directory: String,
    /// Whether the executor has ended (its files no longer grow).
    pub completed: bool,
}

/// The sandbox of `task_id` in `state`, if the agent knows the task.
pub fn find(state: &AgentState, task_id: &str) -> Option<Sandbox> {
    let frameworks = || state.frameworks.iter().chain(&state.completed_frameworks);
    let running = frameworks().flat_map(|f| &f.executors).find(|e| runs(e, task_id));
    if let Some(e) = running {
        return Some(Sandbox { directory: e.directory.clone(), completed: false });
    }
    frameworks()
        .flat_map(|f| &f.completed_executors)
        .rfind(|e| runs(e, task_id))
        .map(|e| Sandbox { directory: e.directory.clone(), completed: true })
}

/// Whether `executor` runs or ran `task_id` (Marathon's command tasks run in an executor of
/// the same id; custom executors list the task among theirs).
fn runs(executor: &Executor, task_id: &str) -> bool {
    !executor.directory.is_empty()
        && (executor.id == task_id
            || executor.tasks.iter().chain(&executor.completed_tasks).any(|t| t.id == task_id)
            || executor.queued_tasks.iter().any(|t| t.task_id.value == task_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> AgentState {
        let path = format!("{}/tests/fixtures/mesos/agent-state.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn a_running_task_is_found_in_its_executor() {
        let s = find(&state(), "web_dev.instance-6a2c4b1e-1c1d-11ef-9a3b-0242ac110002._app.1").unwrap();
        assert!(!s.completed);
        assert!(s.directory.ends_with("/runs/4f1e0a5b-1d7e-4e56-9a3d-2c0bde71f3a1"), "{}", s.directory);
    }

    #[test]
    fn an_ended_task_is_found_among_completed_executors_and_frameworks() {
        let s = find(&state(), "web_dev.instance-0d9e8f7a._app.1").unwrap();
        assert!(s.completed && s.directory.ends_with("/runs/9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"));
        let old = find(&state(), "old_app.1b2c3d4e").unwrap();
        assert!(old.completed && old.directory.contains("-0001/executors/old_app.1b2c3d4e/"));
    }

    #[test]
    fn a_queued_task_has_its_executor_sandbox_and_an_unknown_task_none() {
        assert!(find(&state(), "web_dev.instance-queued._app.1").is_some());
        assert_eq!(find(&state(), "web_dev.instance-nope._app.1"), None);
    }
}
