//! `/ping`, `/v2/info`, `/v2/leader` and `/v2/queue`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use serde_json::json;

use crate::local::model::ids;
use crate::local::tasks::ops;
use crate::local::Shared;
use crate::marathon::types::{Leader, Queue};

use super::views;
use super::{json_response, ApiError, ApiResult, Params};
use crate::local::tasks::health;

/// `GET /ping`: `pong`, or `"pong"` for JSON clients.
pub(crate) async fn ping(headers: HeaderMap) -> ApiResult {
    let json =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"));
    Ok(if json {
        json_response(StatusCode::OK, &"pong")
    } else {
        ([(header::CONTENT_TYPE, "text/plain")], "pong").into_response()
    })
}

/// `GET /v2/info`.
pub(crate) async fn info(State(shared): State<Arc<Shared>>) -> ApiResult {
    let c = &shared.config;
    let marathon_config = json!({
        "access_control_allow_origin": null,
        "checkpoint": true,
        "decline_offer_duration": 120000,
        "default_network_name": null,
        "env_vars_prefix": null,
        "executor": "//cmd",
        "failover_timeout": 604800,
        "features": [],
        "framework_name": "marathon",
        "ha": false,
        "hostname": "127.0.0.1",
        "launch_token": 100,
        "launch_token_refresh_interval": 30000,
        "leader_proxy_connection_timeout_ms": 5000,
        "leader_proxy_read_timeout_ms": 10000,
        "local_port_max": 20000,
        "local_port_min": 10000,
        // Marathon's `--master` flag (`config.mesosMaster()`, InfoResource.scala): the engine
        // serves the Mesos master's API itself, on its own address.
        "master": format!("http://{}", shared.leader),
        "max_instances_per_offer": 5,
        "mesos_bridge_name": "mesos-bridge",
        "mesos_heartbeat_failure_threshold": 5,
        "mesos_heartbeat_interval": 15000,
        "mesos_role": "*",
        "mesos_user": null,
        "min_revive_offers_interval": 5000,
        "offer_matching_timeout": 3000,
        "on_elected_prepare_timeout": 180000,
        "reconciliation_initial_delay": 15000,
        "reconciliation_interval": 600000,
        "scale_apps_initial_delay": 15000,
        "scale_apps_interval": 300000,
        "store_cache": true,
        "task_launch_confirm_timeout": 300000,
        "task_launch_timeout": 300000,
        "task_lost_expunge_initial_delay": 300000,
        "task_lost_expunge_interval": 30000,
        "task_reservation_timeout": 20000,
        "webui_url": null
    });
    // `mesos_leader_ui_url` is the leading master's `http://HOST:PORT/`, added to the flags
    // (M:src/main/scala/mesosphere/marathon/api/v2/InfoResource.scala,
    // M:src/main/scala/mesosphere/util/state/MesosLeaderInfo.scala `MutableMesosLeaderInfo`); the
    // engine is its own master, so both name its address.
    let mut marathon_config = marathon_config;
    marathon_config["mesos_leader_ui_url"] = json!(format!("http://{}/", shared.leader));
    let body = json!({
        "name": "marathon",
        "version": "1.10.26",
        "buildref": concat!("theseus-local-", env!("CARGO_PKG_VERSION")),
        "elected": true,
        "leader": shared.leader,
        "frameworkId": c.framework_id,
        "marathon_config": marathon_config,
        "zookeeper_config": {
            "zk": "zk://localhost:2181/marathon",
            "zk_compression": true,
            "zk_compression_threshold": 65536,
            "zk_connection_timeout": 10000,
            "zk_max_node_size": 1024000,
            "zk_max_versions": 50,
            "zk_session_timeout": 10000,
            "zk_timeout": 10000
        },
        "http_config": { "http_port": shared.leader.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()), "https_port": 8443 }
    });
    Ok(json_response(StatusCode::OK, &body))
}

/// `GET /v2/leader`.
pub(crate) async fn leader(State(shared): State<Arc<Shared>>) -> ApiResult {
    Ok(json_response(StatusCode::OK, &Leader { leader: shared.leader.clone() }))
}

/// `DELETE /v2/leader`: the only instance abdicates and is re-elected at once. Like a new
/// leader, it starts without health results ([`health::forget_results`]).
pub(crate) async fn abdicate(State(shared): State<Arc<Shared>>) -> ApiResult {
    health::forget_results(&mut shared.lock());
    Ok(json_response(StatusCode::OK, &json!({"message": "Leadership abdicated"})))
}

/// `GET /v2/queue`.
pub(crate) async fn queue(State(shared): State<Arc<Shared>>, uri: Uri) -> ApiResult {
    let embed_last_unused = Params::from_uri(&uri).all("embed").contains(&"lastUnusedOffers");
    let st = shared.lock();
    let body = Queue { queue: views::queue(&st, embed_last_unused) };
    drop(st);
    Ok(json_response(StatusCode::OK, &body))
}

/// `DELETE /v2/queue/{id}/delay`: resets the app's backoff (204).
pub(crate) async fn reset_delay(State(shared): State<Arc<Shared>>, Path(rest): Path<String>) -> ApiResult {
    let parts = ids::split(&rest);
    if parts.len() < 2 || parts[parts.len() - 1] != "delay" {
        return Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "URI not found"));
    }
    let id = format!("/{}", parts[..parts.len() - 1].join("/"));
    let mut st = shared.lock();
    if st.apps.get(&id).is_none_or(|r| r.launch.count == 0) {
        return Err(ApiError::not_found(format!("Application {id} not found in tasks queue.")));
    }
    ops::reset_delay(&mut st, &id);
    drop(st);
    shared.wake.notify_one();
    Ok(StatusCode::NO_CONTENT.into_response())
}
