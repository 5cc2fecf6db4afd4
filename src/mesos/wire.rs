//! The JSON Mesos writes, as far as Theseus reads it. Every struct is lenient: fields it does
//! not use are ignored and missing ones default, so a newer or older Mesos still parses.

use serde::Deserialize;

/// The master's `GET /master/slaves`: `{"slaves": [...], "recovered_slaves": [...]}`
/// (`SlavesWriter` in Mesos's `src/master/readonly_handler.cpp`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Slaves {
    /// The registered agents.
    #[serde(default)]
    pub slaves: Vec<Slave>,
}

/// One agent of `/master/slaves`: `SlaveWriter` writes the `SlaveInfo` (`id`, `hostname`,
/// `port`: `json(JSON::ObjectWriter*, const SlaveInfo&)` in `src/common/http.cpp`) and then
/// `pid`, the libprocess address `slave(1)@10.0.0.7:5051`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Slave {
    /// The agent id (Marathon's `slaveId`).
    #[serde(default)]
    pub id: String,
    /// `slave(1)@IP:PORT`.
    #[serde(default)]
    pub pid: String,
    /// The agent's hostname.
    #[serde(default)]
    pub hostname: String,
    /// The agent's HTTP port.
    #[serde(default)]
    pub port: Option<u16>,
}

/// The agent's `GET /state` (`Http::state` in Mesos's `src/slave/http.cpp`): the frameworks
/// it runs executors for, and those it ran for that ended.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgentState {
    /// Frameworks with executors on this agent now.
    #[serde(default)]
    pub frameworks: Vec<Framework>,
    /// Frameworks that ended (their sandboxes stay until the agent's GC).
    #[serde(default)]
    pub completed_frameworks: Vec<Framework>,
}

/// One framework of an agent's state (`FrameworkWriter` in `src/slave/http.cpp`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Framework {
    /// The framework id.
    #[serde(default)]
    pub id: String,
    /// Its running executors.
    #[serde(default)]
    pub executors: Vec<Executor>,
    /// Its executors that ended (kept until the agent's GC).
    #[serde(default)]
    pub completed_executors: Vec<Executor>,
}

/// One executor (`ExecutorWriter` in `src/slave/http.cpp`): its id, its sandbox `directory`
/// and its tasks (`tasks`: launched; `queued_tasks`: not yet; `completed_tasks`: ended,
/// terminated ones included).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Executor {
    /// The executor id (for Marathon's command tasks, the task id itself).
    #[serde(default)]
    pub id: String,
    /// The sandbox directory on the agent, the path `/files/read` takes.
    #[serde(default)]
    pub directory: String,
    /// Launched tasks (`model(const Task&)`: `id` is a string).
    #[serde(default)]
    pub tasks: Vec<TaskRef>,
    /// Ended tasks.
    #[serde(default)]
    pub completed_tasks: Vec<TaskRef>,
    /// Tasks not launched yet: `TaskInfo` protobufs, whose id is `{"value": ...}`.
    #[serde(default)]
    pub queued_tasks: Vec<QueuedTask>,
}

/// A task of an executor, written by `json(JSON::ObjectWriter*, const Task&)` in
/// `src/common/http.cpp`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TaskRef {
    /// The task id.
    #[serde(default)]
    pub id: String,
}

/// A queued `TaskInfo`, written as a protobuf (`task_id: {value}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct QueuedTask {
    /// The task id message.
    #[serde(default)]
    pub task_id: IdValue,
}

/// A protobuf id message: `{"value": "..."}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IdValue {
    /// The id.
    #[serde(default)]
    pub value: String,
}

/// `GET /files/read?path&offset&length` (`FilesProcess::read` in Mesos's
/// `src/files/files.cpp`): `{"offset": N, "data": "..."}`. With `offset=-1` the data is empty
/// and `offset` is the file's size; past the end the data is empty too. At most 16 pages are
/// read per request, whatever `length` asks.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct FileRead {
    /// The offset read from (the size, for `offset=-1`).
    pub offset: u64,
    /// The bytes read (Mesos writes them as a JSON string).
    #[serde(default)]
    pub data: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/mesos/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn master_slaves_parse_with_pid_hostname_and_port() {
        let slaves: Slaves = serde_json::from_str(&fixture("master-slaves.json")).unwrap();
        assert_eq!(slaves.slaves.len(), 2);
        let a = &slaves.slaves[0];
        assert_eq!(a.id, "b2d5c3e4-6a51-4f4f-9a44-0c2f1e3d9f1a-S0");
        assert_eq!(a.pid, "slave(1)@10.0.0.7:5051");
        assert_eq!((a.hostname.as_str(), a.port), ("agent-1.example.com", Some(5051)));
    }

    #[test]
    fn agent_state_parses_running_completed_and_queued_tasks() {
        let state: AgentState = serde_json::from_str(&fixture("agent-state.json")).unwrap();
        let f = &state.frameworks[0];
        assert_eq!(f.executors[0].tasks[0].id, "web_dev.instance-6a2c4b1e-1c1d-11ef-9a3b-0242ac110002._app.1");
        assert!(f.executors[0].directory.ends_with("/runs/4f1e0a5b-1d7e-4e56-9a3d-2c0bde71f3a1"));
        assert_eq!(f.executors[1].queued_tasks[0].task_id.value, "web_dev.instance-queued._app.1");
        assert_eq!(f.completed_executors[0].completed_tasks[0].id, "web_dev.instance-0d9e8f7a._app.1");
        assert_eq!(state.completed_frameworks[0].completed_executors[0].id, "old_app.1b2c3d4e");
    }

    #[test]
    fn files_read_parses_data_and_the_size_answer() {
        let read: FileRead = serde_json::from_str(&fixture("files-read.json")).unwrap();
        assert_eq!(read, FileRead { offset: 0, data: "starting\r\nlistening on :8080\n".into() });
        let size: FileRead = serde_json::from_str(&fixture("files-read-size.json")).unwrap();
        assert_eq!(size, FileRead { offset: 29, data: String::new() });
    }
}
