//! Mesos's JSON shapes for the engine's agents, tasks and executors, as the Mesos master and
//! agent write them: `json(Task)`, `json(TaskStatus)`, `json(SlaveInfo)` and `model(Resources)`
//! in src/common/http.cpp, `ExecutorWriter`/`FrameworkWriter` in src/slave/http.cpp, and
//! `SlaveWriter`/`FullFrameworkWriter` in src/master/readonly_handler.cpp (Mesos's source).
//! Marathon's task id is the Mesos task id, and, for a command task, its executor's id (Mesos's
//! agent names the command executor after the task).

use serde_json::{json, Value};

use crate::local::model::state::{CompletedTask, Instance, State, TaskState};
use crate::local::scheduling::agents::Agent;
use crate::local::Shared;

/// The Mesos version the engine answers as.
pub(crate) const MESOS_VERSION: &str = "1.11.0";

/// The Mesos role Marathon registers with by default (`--mesos_role`).
const ROLE: &str = "*";

/// A task as `json(Task)` writes it. A command task has no executor of its own in its
/// `TaskInfo`, so its `executor_id` is empty, as Mesos lists it.
fn task(shared: &Shared, st: &State, t: TaskView<'_>) -> Value {
    let agent_id = st.agents.get(t.agent).map(|a| a.id.as_str()).unwrap_or_default();
    let statuses: Vec<Value> = t
        .statuses
        .iter()
        .map(|(state, ts)| json!({"state": state, "timestamp": ts, "container_status": {"container_id": {"value": container_id(t.task_id)}}}))
        .collect();
    json!({
        "id": t.task_id,
        "name": task_name(t.app_id),
        "framework_id": shared.config.framework_id,
        "executor_id": "",
        "slave_id": agent_id,
        "state": t.state,
        "resources": resources(t.resources, t.ports),
        "role": ROLE,
        "statuses": statuses,
    })
}

/// What [`task`] needs of a live or an ended task.
struct TaskView<'a> {
    task_id: &'a str,
    app_id: &'a str,
    agent: usize,
    state: TaskState,
    resources: (f64, f64, f64),
    ports: &'a [u32],
    statuses: Vec<(TaskState, f64)>,
}

fn live(i: &Instance) -> TaskView<'_> {
    TaskView {
        task_id: &i.task_id,
        app_id: &i.app_id,
        agent: i.agent,
        state: i.state,
        resources: i.resources,
        ports: &i.host_ports,
        statuses: i.statuses(),
    }
}

fn ended(c: &CompletedTask) -> TaskView<'_> {
    TaskView {
        task_id: &c.task_id,
        app_id: &c.app_id,
        agent: c.agent,
        state: c.statuses.last().map_or(TaskState::Unknown, |s| s.0),
        resources: c.resources,
        ports: &[],
        statuses: c.statuses.clone(),
    }
}

/// Marathon names a task after its app's id read as a host name: the path reversed and joined
/// by dots, `/prod/web` → `web.prod` (`TaskBuilder.scala` `setName(runSpec.id.toHostname)`,
/// M:src/main/scala/mesosphere/mesos/TaskBuilder.scala; `PathId.toHostname`).
pub(crate) fn task_name(app_id: &str) -> String {
    app_id.split('/').filter(|p| !p.is_empty()).rev().collect::<Vec<_>>().join(".")
}

/// A stable container id for a task (Mesos's agent makes one UUID per executor run).
fn container_id(task_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(task_id.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Uuid::from_bytes(bytes).to_string()
}

/// `model(Resources)`: scalars by name, ports as `[LOW-HIGH, ...]`.
fn resources((cpus, mem, disk): (f64, f64, f64), ports: &[u32]) -> Value {
    let mut v = json!({"cpus": cpus, "mem": mem, "disk": disk, "gpus": 0.0});
    if !ports.is_empty() {
        let ranges: Vec<String> = ports.iter().map(|p| format!("{p}-{p}")).collect();
        v["ports"] = Value::String(format!("[{}]", ranges.join(", ")));
    }
    v
}

/// The agent's `pid`: its libprocess id, `slave(1)@HOST:PORT`.
pub(crate) fn agent_pid(agent: &Agent, port: u16) -> String {
    format!("slave(1)@{}:{port}", agent.hostname)
}

fn attributes(agent: &Agent) -> Value {
    Value::Object(agent.attributes.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
}

/// One agent as the master lists it (`SlaveWriter`). An agent the engine could not serve (its
/// address could not be bound) is listed inactive, port 0.
pub(crate) fn master_slave(shared: &Shared, st: &State, index: usize) -> Value {
    let agent = &st.agents[index];
    let port = shared.agent_ports.get(index).copied().flatten();
    let used = st
        .instances
        .values()
        .flat_map(|m| m.values())
        .filter(|i| i.agent == index && i.state < TaskState::Killed)
        .fold((0.0, 0.0, 0.0), |acc, i| (acc.0 + i.resources.0, acc.1 + i.resources.1, acc.2 + i.resources.2));
    let total = agent_resources(agent);
    json!({
        "id": agent.id,
        "hostname": agent.hostname,
        "port": port.unwrap_or(0),
        "attributes": attributes(agent),
        "pid": agent_pid(agent, port.unwrap_or(0)),
        "registered_time": shared.started_at,
        "resources": total,
        "used_resources": resources(used, &[]),
        "offered_resources": {"cpus": 0.0, "mem": 0.0, "disk": 0.0, "gpus": 0.0},
        "reserved_resources": {},
        "unreserved_resources": total,
        "active": port.is_some(),
        "deactivated": port.is_none(),
        "version": MESOS_VERSION,
        "capabilities": ["MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT", "TASK_KILLING_STATE"],
    })
}

fn agent_resources(agent: &Agent) -> Value {
    json!({
        "cpus": agent.cpus,
        "mem": agent.mem,
        "disk": agent.disk,
        "gpus": 0.0,
        "ports": format!("[{}-{}]", agent.ports.0, agent.ports.1),
    })
}

/// Marathon's framework as the master lists it (`FullFrameworkWriter`): its live tasks and
/// those that ended.
pub(crate) fn master_framework(shared: &Shared, st: &State) -> Value {
    let tasks: Vec<Value> = st.instances.values().flat_map(|m| m.values()).map(|i| task(shared, st, live(i))).collect();
    let completed: Vec<Value> = st.completed.iter().map(|c| task(shared, st, ended(c))).collect();
    json!({
        "id": shared.config.framework_id,
        "name": "marathon",
        "pid": format!("scheduler-{}@{}", container_id(&shared.config.framework_id), shared.leader),
        "user": user(),
        "hostname": "127.0.0.1",
        "webui_url": format!("http://{}", shared.leader),
        "role": ROLE,
        "failover_timeout": 604800.0,
        "checkpoint": true,
        "registered_time": shared.started_at,
        "unregistered_time": 0,
        "active": true,
        "connected": true,
        "recovered": false,
        "capabilities": ["TASK_KILLING_STATE", "PARTITION_AWARE", "REGION_AWARE"],
        "tasks": tasks,
        "unreachable_tasks": [],
        "completed_tasks": completed,
        "offers": [],
        "executors": [],
    })
}

/// Marathon's framework on one agent (`FrameworkWriter`): an executor per live task, and a
/// completed executor per ended task whose sandbox the agent still has (its garbage collector
/// detaches a sandbox when it removes it).
pub(crate) fn agent_framework(shared: &Shared, st: &State, index: usize) -> Value {
    let executors: Vec<Value> = st
        .instances
        .values()
        .flat_map(|m| m.values())
        .filter(|i| i.agent == index)
        .map(|i| {
            // A task still being fetched waits for its executor, as Mesos queues it.
            let queued = i.provisioned();
            let t = task(shared, st, live(i));
            let (tasks, queued_tasks) = if queued { (vec![], vec![t]) } else { (vec![t], vec![]) };
            executor(shared, i.task_id.as_str(), &i.sandbox, i.resources, tasks, queued_tasks, vec![])
        })
        .collect();
    let completed: Vec<Value> = st
        .completed
        .iter()
        .filter(|c| c.agent == index && c.sandbox.is_dir())
        .map(|c| {
            executor(shared, &c.task_id, &c.sandbox, c.resources, vec![], vec![], vec![task(shared, st, ended(c))])
        })
        .collect();
    json!({
        "id": shared.config.framework_id,
        "name": "marathon",
        "user": user(),
        "failover_timeout": 604800.0,
        "checkpoint": true,
        "hostname": "127.0.0.1",
        "role": ROLE,
        "executors": executors,
        "completed_executors": completed,
    })
}

/// An executor as `ExecutorWriter` writes it: the command executor Mesos's agent starts for a
/// command task, named after it, its sandbox as `directory`.
fn executor(
    shared: &Shared,
    task_id: &str,
    sandbox: &std::path::Path,
    res: (f64, f64, f64),
    tasks: Vec<Value>,
    queued_tasks: Vec<Value>,
    completed_tasks: Vec<Value>,
) -> Value {
    json!({
        "id": task_id,
        "name": format!("Command Executor (Task: {task_id})"),
        "source": task_id,
        "framework_id": shared.config.framework_id,
        "container": container_id(task_id),
        "directory": sandbox.to_string_lossy(),
        "resources": resources(res, &[]),
        "role": ROLE,
        "type": "COMMAND",
        "tasks": tasks,
        "queued_tasks": queued_tasks,
        "completed_tasks": completed_tasks,
    })
}

/// The user the engine's tasks run as (Marathon's `--mesos_user` defaults to the user running it).
fn user() -> String {
    std::env::var("USER").unwrap_or_else(|_| "root".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_names_read_the_app_id_as_a_host_name() {
        assert_eq!(task_name("/prod/web"), "web.prod");
        assert_eq!(task_name("/web"), "web");
    }

    #[test]
    fn ports_read_as_mesos_ranges() {
        let r = resources((0.5, 64.0, 0.0), &[31000, 31005]);
        assert_eq!(r["ports"], "[31000-31000, 31005-31005]");
        assert_eq!(r["cpus"], 0.5);
    }
}
