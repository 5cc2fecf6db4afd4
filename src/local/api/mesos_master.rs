//! The Mesos master's `GET /master/slaves` and `GET /master/state`, served on the engine's own
//! port: Marathon's and the master's paths share nothing, and one address makes the engine its
//! own `--master` (`/v2/info` names it). Shapes: `Master::ReadOnlyHandler::slaves` and `state`
//! in src/master/readonly_handler.cpp (routed from src/master/http.cpp) in Mesos's source.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::local::Shared;

use super::mesos_views::{master_framework, master_slave, MESOS_VERSION};
use super::{json_response, ApiResult};

/// `GET /master/slaves`: every agent, as `SlaveWriter` writes it.
pub(crate) async fn slaves(State(shared): State<Arc<Shared>>) -> ApiResult {
    let st = shared.lock();
    let slaves: Vec<Value> = (0..st.agents.len()).map(|i| master_slave(&shared, &st, i)).collect();
    drop(st);
    Ok(json_response(StatusCode::OK, &json!({"slaves": slaves, "recovered_slaves": []})))
}

/// `GET /master/state`: the master, its agents and Marathon's framework with its tasks.
pub(crate) async fn state(State(shared): State<Arc<Shared>>) -> ApiResult {
    let st = shared.lock();
    let slaves: Vec<Value> = (0..st.agents.len()).map(|i| master_slave(&shared, &st, i)).collect();
    let framework = master_framework(&shared, &st);
    drop(st);
    let active = slaves.iter().filter(|s| s["active"] == true).count();
    let (host, port) = shared.leader.rsplit_once(':').unwrap_or((shared.leader.as_str(), "0"));
    let port: u16 = port.parse().unwrap_or(0);
    let pid = format!("master@{}", shared.leader);
    let info = json!({"id": master_id(&shared), "pid": pid, "port": port, "hostname": host});
    let body = json!({
        "version": MESOS_VERSION,
        "start_time": shared.started_at,
        "elected_time": shared.started_at,
        "id": master_id(&shared),
        "pid": pid,
        "hostname": host,
        "activated_slaves": active,
        "deactivated_slaves": slaves.len() - active,
        "unreachable_slaves": 0,
        "leader": pid,
        "leader_info": info,
        "flags": {"port": port.to_string(), "hostname": host},
        "slaves": slaves,
        "frameworks": [framework],
        "completed_frameworks": [],
        "orphan_tasks": [],
        "unregistered_frameworks": [],
    });
    Ok(json_response(StatusCode::OK, &body))
}

/// The master's id: Mesos's framework ids start with the id of the master that registered them
/// (`<master id>-<counter>`).
fn master_id(shared: &Shared) -> String {
    let fw = &shared.config.framework_id;
    fw.rsplit_once('-').map_or(fw.as_str(), |(master, _)| master).to_string()
}
