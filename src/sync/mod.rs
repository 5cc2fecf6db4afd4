//! `theseus sync`: keeps etcd's `/services/.../containers` equal to the running, healthy tasks
//! of every Theseus-managed group, between and after commands.
//!
//! - [`reconcile`]: a full diff applied in batched transactions; `sync --once`. The diff and
//!   its health rule are the commands' own ([`crate::rollout::register::diff`]).
//! - [`follow`]: the follower of Marathon's `/v2/events`, events treated as cache invalidation,
//!   reconnect with backoff, reconcile on every (re)connect and every `resync`.
//! - [`freshness`]: when the leader confirms that a namespace's registrations are current.
//! - [`inbox`]: the event stream read without pause into the set of groups to refresh.
//! - [`leader`]: the election among replicas; only the leader follows and writes.
//! - [`drift`]: registration drift of chosen groups, for `plan` and `view`.
//! - [`metrics`], [`health`], [`serve`]: `--listen`'s `/metrics`, `/healthz` and `/readyz`,
//!   and systemd's readiness and watchdog notifications.

pub mod drift;
pub mod follow;
pub mod freshness;
pub mod health;
pub mod inbox;
pub mod leader;
pub mod metrics;
pub mod reconcile;
pub mod serve;

use std::time::Duration;

/// How a long-running sync behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only groups of this namespace (`None`: every namespace).
    pub namespace: Option<String>,
    /// A full reconcile this often, besides those on (re)connect.
    pub resync: Duration,
    /// The leader's lease TTL: how soon another replica takes over after a crash.
    pub lease_ttl: Duration,
    /// Who this replica is (stored as its election value).
    pub identity: String,
    /// A stream silent this long is reconnected (Marathon sends a heartbeat every 10 s).
    pub idle: Duration,
    /// The longest pause between reconnect attempts.
    pub max_backoff: Duration,
}

/// Becomes `true` when the sync should stop (SIGTERM, Ctrl-C).
pub type Stop = tokio::sync::watch::Receiver<bool>;

/// Completes once `stop` is set (never, if its sender is gone without setting it).
pub async fn stopped(stop: &Stop) {
    let mut rx = stop.clone();
    if rx.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The leader has confirmed etcd equal to Marathon ([`freshness::Freshness::confirm`] wrote
/// the namespaces' confirmation key, or there was no namespace to confirm). The one place that
/// records it for this process: the `last_confirmed` gauge and `/readyz`'s freshness.
pub fn confirmed() {
    metrics::global().confirmed();
    health::global().confirmed();
}
