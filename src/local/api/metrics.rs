//! `/metrics` and `/metrics/prometheus` (M:src/main/scala/mesosphere/marathon/api/SystemResource.scala):
//! the engine's instruments (`local::metrics`) as Marathon's metrics JSON, and as Prometheus
//! text unless the Prometheus reporter is off (`Config::metrics_prometheus`, Marathon's
//! `--metrics_prometheus`), when Marathon answers 404 `Prometheus reporter is disabled`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;

use crate::local::Shared;

use super::{json_response, ApiError, ApiResult};

/// `GET /metrics`: `Raml.toRaml(metricsModule.snapshot())`.
pub(crate) async fn json(State(shared): State<Arc<Shared>>) -> ApiResult {
    shared.metrics.refresh(&shared.lock());
    Ok(json_response(StatusCode::OK, &shared.metrics.json()))
}

/// `GET /metrics/prometheus`: `PrometheusReporter.report(metricsModule.snapshot())` as
/// `text/plain`, or 404 when the reporter is disabled.
pub(crate) async fn prometheus(State(shared): State<Arc<Shared>>) -> ApiResult {
    if !shared.config.metrics_prometheus {
        return Err(ApiError::not_found("Prometheus reporter is disabled"));
    }
    shared.metrics.refresh(&shared.lock());
    Ok(([(header::CONTENT_TYPE, "text/plain")], shared.metrics.prometheus()).into_response())
}
