//! The REST API (routes per resource) and Marathon's response contract: `{message, details}`
//! errors, the `X-Marathon-Leader` header, case-insensitive query booleans, `//` in paths.

mod apps;
pub(super) mod conn;
mod deployments;
mod events;
mod files;
mod groups;
pub(super) mod mesos_agent;
mod mesos_master;
mod mesos_views;
mod metrics;
mod query;
mod raml;
mod selector;
mod system;
mod tasks;
pub(super) mod views;

use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use futures::FutureExt;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::marathon::types::{DeploymentRef, DeploymentResult, ErrorBody};

use crate::local::deployments::changes::{Accepted, Rejected};
use crate::local::model::normalize::Violation;
use crate::local::Shared;

pub(crate) use query::Params;

/// Marathon's 409 message for locked apps (with its literal placeholder).
pub(crate) const LOCKED: &str = "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.";

/// The message of a 405: JAX-RS' reason phrase, as `MarathonExceptionMapper.scala` answers
/// every `WebApplicationException` (`{"message": status.getReasonPhrase}`).
pub(crate) const METHOD_NOT_ALLOWED: &str = "Method Not Allowed";

/// Builds the whole router.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let inner = Router::new()
        .route("/ping", get(system::ping))
        .route("/v2/info", get(system::info))
        .route("/v2/leader", get(system::leader).delete(system::abdicate))
        .route("/v2/queue", get(system::queue))
        .route("/v2/queue/{*rest}", delete(system::reset_delay))
        .route("/v2/apps", get(apps::list).post(apps::create).put(apps::update_many).patch(apps::patch_many))
        .route(
            "/v2/apps/{*rest}",
            get(apps::get_any).put(apps::put_any).patch(apps::patch_any).delete(apps::delete_any).post(apps::post_any),
        )
        .route("/v2/tasks", get(tasks::list))
        .route("/v2/tasks/delete", post(tasks::delete_many))
        .route(
            "/v2/groups",
            get(groups::get_root).post(groups::create_root).put(groups::put_root).delete(groups::delete_root),
        )
        .route(
            "/v2/groups/{*rest}",
            get(groups::get_any).post(groups::create_any).put(groups::put_any).delete(groups::delete_any),
        )
        .route("/v2/deployments", get(deployments::list))
        .route("/v2/deployments/{id}", delete(deployments::delete))
        .route("/v2/events", get(events::stream))
        .route("/metrics", get(metrics::json))
        .route("/metrics/prometheus", get(metrics::prometheus))
        .route("/master/slaves", get(mesos_master::slaves))
        .route("/master/slaves.json", get(mesos_master::slaves))
        .route("/master/state", get(mesos_master::state))
        .route("/master/state.json", get(mesos_master::state))
        .fallback(not_found_route)
        .with_state(shared.clone());
    Router::new()
        .fallback_service(inner)
        .layer(DefaultBodyLimit::max(crate::local::limits::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(shared, around))
}

/// Counts and times the request, collapses `//`, answers 500 instead of dropping a panicking
/// handler, and adds `X-Marathon-Leader`.
async fn around(State(shared): State<Arc<Shared>>, mut req: Request, next: Next) -> Response {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let timing = shared.metrics.request(req.method());
    let path = req.uri().path();
    if path.contains("//") || (path.len() > 1 && path.ends_with('/')) {
        let normalized = crate::local::model::ids::normalize_path(path);
        let pq = match req.uri().query() {
            Some(q) => format!("{normalized}?{q}"),
            None => normalized,
        };
        if let Ok(uri) = pq.parse() {
            *req.uri_mut() = uri;
        }
    }
    let mut resp = match AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(r) => r,
        Err(_) => {
            shared.panics.fetch_add(1, Ordering::Relaxed);
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "An unexpected server error occurred").into_response()
        }
    };
    resp = marathon_shaped(resp);
    if let Ok(v) = HeaderValue::from_str(&format!("http://{}", shared.leader)) {
        resp.headers_mut().insert("X-Marathon-Leader", v);
    }
    timing.answered(resp.status());
    resp
}

/// Errors the router itself produces (a method a route does not serve, a body over
/// [`MAX_BODY_BYTES`](crate::local::limits::MAX_BODY_BYTES)) come as empty or plain-text bodies; Marathon
/// answers them as JSON with the status' reason phrase (`MarathonExceptionMapper.scala`,
/// `WebApplicationException`).
fn marathon_shaped(resp: Response) -> Response {
    let json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let message = match resp.status() {
        StatusCode::METHOD_NOT_ALLOWED => METHOD_NOT_ALLOWED,
        StatusCode::PAYLOAD_TOO_LARGE => "Request Entity Too Large",
        _ => return resp,
    };
    if json {
        return resp;
    }
    let mut shaped = ApiError::new(resp.status(), message).into_response();
    if let Some(allow) = resp.headers().get(axum::http::header::ALLOW) {
        shaped.headers_mut().insert(axum::http::header::ALLOW, allow.clone());
    }
    shaped
}

async fn not_found_route() -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "URI not found")
}

/// An error response: a status and Marathon's `{message, details}` body.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    body: Box<ErrorBody>,
}

impl ApiError {
    /// An error with a message.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError { status, body: Box::new(ErrorBody { message: message.into(), details: None, deployments: None }) }
    }

    /// 404.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 400.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 409 with a message.
    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    /// 422 "Object is not valid" with per-path details.
    pub(crate) fn invalid(violations: Vec<Violation>) -> Self {
        let mut by_path: Vec<(String, Vec<String>)> = Vec::new();
        for v in violations {
            match by_path.iter_mut().find(|(p, _)| *p == v.path) {
                Some((_, errors)) => errors.push(v.error),
                None => by_path.push((v.path, vec![v.error])),
            }
        }
        let details = by_path.into_iter().map(|(path, errors)| json!({"path": path, "errors": errors})).collect();
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: Box::new(ErrorBody {
                message: "Object is not valid".into(),
                details: Some(Value::Array(details)),
                deployments: None,
            }),
        }
    }

    /// 422 "Invalid JSON": the body does not read as Marathon's RAML type. Marathon's mapper
    /// answers a `JsResultException` whose every path has errors with 422 and
    /// `RestResource.entity`'s shape (`MarathonExceptionMapper.scala`, `RestResource.scala`).
    pub(crate) fn unreadable(violations: Vec<Violation>) -> Self {
        let mut err = Self::invalid(violations);
        err.body.message = "Invalid JSON".into();
        err
    }

    /// 409: locked by deployments.
    pub(crate) fn locked(ids: Vec<String>) -> Self {
        ApiError {
            status: StatusCode::CONFLICT,
            body: Box::new(ErrorBody {
                message: LOCKED.into(),
                details: None,
                deployments: Some(ids.into_iter().map(|id| DeploymentRef { id }).collect()),
            }),
        }
    }
}

impl From<Rejected> for ApiError {
    fn from(r: Rejected) -> Self {
        match r {
            Rejected::Locked(ids) => ApiError::locked(ids),
            Rejected::Invalid(v) => ApiError::invalid(v),
            Rejected::PortsExhausted(message) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(*self.body)).into_response()
    }
}

/// Handler result.
pub(crate) type ApiResult = Result<Response, ApiError>;

/// Parses a JSON body: malformed JSON or wrong types → 400 "Invalid JSON".
pub(crate) fn parse_body<T: DeserializeOwned>(body: &Bytes) -> Result<(T, Value), ApiError> {
    let raw: Value = serde_json::from_slice(body).map_err(|e| invalid_json("/", &e.to_string()))?;
    let typed = serde_json::from_value(raw.clone()).map_err(|e| invalid_json("/", &e.to_string()))?;
    Ok((typed, raw))
}

/// 400 with Marathon's "Invalid JSON" shape.
pub(crate) fn invalid_json(path: &str, error: &str) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        body: Box::new(ErrorBody {
            message: "Invalid JSON".into(),
            details: Some(json!([{ "path": path, "errors": [error] }])),
            deployments: None,
        }),
    }
}

/// A JSON response.
pub(crate) fn json_response(status: StatusCode, value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (status, [(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// A DeploymentResult response with the `Marathon-Deployment-Id` header.
pub(crate) fn deployment_response(status: StatusCode, accepted: &Accepted) -> Response {
    let mut resp = json_response(
        status,
        &DeploymentResult { deployment_id: accepted.deployment_id.clone(), version: accepted.version.clone() },
    );
    if let Ok(v) = HeaderValue::from_str(&accepted.deployment_id) {
        resp.headers_mut().insert("Marathon-Deployment-Id", v);
    }
    resp
}
