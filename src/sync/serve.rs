//! `theseus sync --listen ADDR`: `/metrics` (Prometheus text, [`super::metrics`]), `/healthz`
//! and `/readyz` ([`super::health`]); and the systemd side of the same checks: `READY=1` once
//! the listener is up and the replica campaigned, `WATCHDOG=1` only while `/healthz` would
//! answer 200.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use sd_notify::NotifyState;

use super::health::{self, Verdict};
use super::metrics;
use crate::etcd::Driver;

/// What the checks need besides the loops' reports.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// `/healthz` fails once a reconcile or refresh runs longer than this.
    pub stuck_after: Duration,
    /// `/readyz` fails for a leader whose last confirmation is older than this.
    pub fresh_within: Duration,
    /// How long the standby's etcd probe may take.
    pub probe_timeout: Duration,
}

struct Served {
    etcd: Driver,
    namespace: Option<String>,
    limits: Limits,
}

/// The prometheus text format's content type (exposition format 0.0.4).
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Serves the three paths on `listener` until the process ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    etcd: Driver,
    namespace: Option<String>,
    limits: Limits,
) -> std::io::Result<()> {
    let state = Arc::new(Served { etcd, namespace, limits });
    let app = Router::new()
        .route("/metrics", get(|| async { ([(header::CONTENT_TYPE, PROMETHEUS_TEXT)], metrics::global().encode()) }))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state);
    axum::serve(listener, app).await
}

async fn healthz(State(s): State<Arc<Served>>) -> impl IntoResponse {
    answer(health::global().alive(s.limits.stuck_after))
}

async fn readyz(State(s): State<Arc<Served>>) -> impl IntoResponse {
    answer(readiness(&s).await)
}

/// A standby is ready while etcd answers it: it reads who leads, which is also what it says.
async fn readiness(s: &Served) -> Verdict {
    if let Some(leader) = health::global().ready(s.limits.fresh_within)? {
        return Ok(leader);
    }
    match tokio::time::timeout(s.limits.probe_timeout, s.etcd.sync_leader(s.namespace.as_deref())).await {
        Ok(Ok(Some(leader))) => Ok(format!("standby, campaigning; {leader} leads")),
        Ok(Ok(None)) => Ok("standby, campaigning; no leader yet".into()),
        Ok(Err(e)) => Err(format!("standby that cannot reach etcd: {e}")),
        Err(_) => Err(format!(
            "standby that cannot reach etcd: no answer within {}",
            humantime::format_duration(s.limits.probe_timeout)
        )),
    }
}

fn answer(verdict: Verdict) -> (StatusCode, String) {
    match verdict {
        Ok(what) => (StatusCode::OK, format!("{what}\n")),
        Err(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")),
    }
}

/// Tells systemd (when `NOTIFY_SOCKET` is set; nothing otherwise) `READY=1` once the replica
/// campaigned, then, when `WATCHDOG_USEC` asks for it, `WATCHDOG=1` every half of that while
/// the loops are alive (`/healthz`'s rule), so a stuck sync is restarted by its unit.
pub async fn notify_systemd(stuck_after: Duration) {
    if std::env::var_os("NOTIFY_SOCKET").is_none() {
        return;
    }
    health::global().first_campaign().await;
    if let Err(e) = sd_notify::notify(&[NotifyState::Ready]) {
        tracing::warn!(target: "theseus::sync", "telling systemd READY=1 failed: {e}");
    }
    let Some(watchdog) = sd_notify::watchdog_enabled() else { return };
    let mut tick = tokio::time::interval(watchdog / 2);
    loop {
        tick.tick().await;
        match health::global().alive(stuck_after) {
            Ok(_) => {
                if let Err(e) = sd_notify::notify(&[NotifyState::Watchdog]) {
                    tracing::warn!(target: "theseus::sync", "telling systemd WATCHDOG=1 failed: {e}");
                }
            }
            Err(why) => tracing::warn!(target: "theseus::sync", "not alive, no watchdog ping: {why}"),
        }
    }
}
