//! The Mesos agent's HTTP API, one server per simulated agent on its own address (a real agent
//! listens on its host): `GET /state` (`Http::state` in src/slave/http.cpp of Mesos's source)
//! and `GET /files/browse|read|download` over the sandboxes the agent has attached (`files`).

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;

use crate::local::Shared;

use super::files::{self, FilesError};
use super::json_response;
use super::mesos_views::{agent_framework, agent_pid, MESOS_VERSION};

/// What an agent's handlers share: the engine and which agent this is.
#[derive(Clone)]
pub(crate) struct AgentCtx {
    shared: Arc<Shared>,
    index: usize,
}

type Params = Query<Vec<(String, String)>>;

/// The router of agent `index` (from 0).
pub(crate) fn router(shared: Arc<Shared>, index: usize) -> Router {
    Router::new()
        .route("/state", get(state))
        .route("/state.json", get(state))
        .route("/files/browse", get(browse))
        .route("/files/browse.json", get(browse))
        .route("/files/read", get(read))
        .route("/files/read.json", get(read))
        .route("/files/download", get(download))
        .route("/files/download.json", get(download))
        .with_state(AgentCtx { shared, index })
}

async fn state(State(ctx): State<AgentCtx>) -> Response {
    let shared = &ctx.shared;
    let st = shared.lock();
    let Some(agent) = st.agents.get(ctx.index) else { return StatusCode::NOT_FOUND.into_response() };
    let port = shared.agent_ports.get(ctx.index).copied().flatten().unwrap_or(0);
    let body = json!({
        "version": MESOS_VERSION,
        "start_time": shared.started_at,
        "id": agent.id,
        "pid": agent_pid(agent, port),
        "hostname": agent.hostname,
        "master_hostname": "127.0.0.1",
        "attributes": agent.attributes,
        "flags": {"port": port.to_string(), "hostname": agent.hostname, "work_dir": shared.work_dir.join(&agent.hostname).to_string_lossy()},
        "frameworks": [agent_framework(shared, &st, ctx.index)],
        "completed_frameworks": [],
    });
    drop(st);
    json_response(StatusCode::OK, &body)
}

/// The directories the agent has attached: the sandbox of every task it runs and of every
/// ended one its garbage collector has not removed yet.
fn attached(ctx: &AgentCtx) -> Vec<PathBuf> {
    let st = ctx.shared.lock();
    let live = st.instances.values().flat_map(|m| m.values()).filter(|i| i.agent == ctx.index).map(|i| &i.sandbox);
    let ended = st.completed.iter().filter(|c| c.agent == ctx.index).map(|c| &c.sandbox);
    live.chain(ended).filter(|p| p.is_dir()).cloned().collect()
}

async fn browse(State(ctx): State<AgentCtx>, Query(q): Params) -> Response {
    let dirs = attached(&ctx);
    answer(
        tokio::task::spawn_blocking(move || files::browse(&dirs, &q).map(|v| json_response(StatusCode::OK, &v))).await,
    )
}

async fn read(State(ctx): State<AgentCtx>, Query(q): Params) -> Response {
    let dirs = attached(&ctx);
    answer(tokio::task::spawn_blocking(move || files::read(&dirs, &q).map(|v| json_response(StatusCode::OK, &v))).await)
}

async fn download(State(ctx): State<AgentCtx>, Query(q): Params) -> Response {
    let dirs = attached(&ctx);
    answer(tokio::task::spawn_blocking(move || files::download(&dirs, &q)).await)
}

fn answer(joined: Result<Result<Response, FilesError>, tokio::task::JoinError>) -> Response {
    match joined {
        Ok(Ok(resp)) => resp,
        Ok(Err(e)) => e.into_response(),
        Err(e) => FilesError::Unknown(format!("{e}.\n")).into_response(),
    }
}
