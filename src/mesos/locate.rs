//! From tasks to sandboxes, with one `/master/slaves` read and one `/state` read per agent
//! (the agents read at the same time), however many tasks there are.

use std::collections::BTreeMap;

use super::agents::{Agent, Agents};
use super::sandbox::{self, Sandbox};
use super::{Client, Error};

/// A task to find: its id, its agent's id (Marathon's `slaveId`) and host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// The task id.
    pub task: String,
    /// The agent id.
    pub agent_id: String,
    /// The agent's host, as Marathon names it (for messages).
    pub host: String,
}

/// Where a task's files are, or why they cannot be read.
#[derive(Debug, Clone)]
pub enum Located {
    /// The agent and the sandbox.
    Found {
        /// The agent running (or that ran) the task.
        agent: Agent,
        /// The task's sandbox.
        sandbox: Sandbox,
    },
    /// The logs cannot be read: the agent is unknown or unreachable, or has no such sandbox.
    Unavailable {
        /// The host, for "logs unavailable on HOST: ...".
        host: String,
        /// Why.
        reason: String,
    },
}

/// The sandbox of each task of `wanted`, in its order. Only the master being out of reach is
/// an error; an agent out of reach makes its tasks [`Located::Unavailable`].
pub async fn locate(client: &Client, wanted: &[Wanted]) -> Result<Vec<Located>, Error> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let agents = Agents::from_slaves(&client.slaves().await?);
    let mut by_agent: BTreeMap<&str, &Agent> = BTreeMap::new();
    for w in wanted {
        if let Some(agent) = agents.get(&w.agent_id) {
            by_agent.insert(agent.id.as_str(), agent);
        }
    }
    let states = futures::future::join_all(by_agent.values().map(|agent| client.agent_state(agent))).await;
    let states: BTreeMap<&str, _> = by_agent.keys().copied().zip(states).collect();
    Ok(wanted
        .iter()
        .map(|w| {
            if w.agent_id.is_empty() {
                return Located::Unavailable {
                    host: w.host.clone(),
                    reason: format!("Marathon names no agent of task {}", w.task),
                };
            }
            let Some(agent) = agents.get(&w.agent_id) else {
                return Located::Unavailable {
                    host: w.host.clone(),
                    reason: format!("agent {} is not registered with the Mesos master", w.agent_id),
                };
            };
            let host = if agent.hostname.is_empty() { w.host.clone() } else { agent.hostname.clone() };
            match &states[agent.id.as_str()] {
                Err(e) => Located::Unavailable { host, reason: e.to_string() },
                Ok(state) => match sandbox::find(state, &w.task) {
                    Some(sandbox) => Located::Found { agent: agent.clone(), sandbox },
                    None => Located::Unavailable {
                        host,
                        reason: format!("the agent has no sandbox of task {} (removed by its GC?)", w.task),
                    },
                },
            }
        })
        .collect())
}
