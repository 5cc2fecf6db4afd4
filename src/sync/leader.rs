//! The replica loop: campaign in etcd's election, and while leading, reconcile first and then
//! follow Marathon's events. Losing the lease stops following at once and campaigns again; a
//! stop (SIGTERM, Ctrl-C) resigns, so another replica takes over without waiting for the TTL.

use super::follow::follow_leading;
use super::health::{self, Role};
use super::{metrics, stopped, Options, Stop};
use crate::etcd::{self, Driver};
use crate::marathon::Client;

/// Runs until `stop` is set. Errors campaigning (etcd unreachable) are retried with backoff.
/// `note` hears about leadership changes (the command shows them as status lines).
pub async fn run(
    client: &Client,
    etcd: &Driver,
    opts: &Options,
    stop: &Stop,
    note: &(dyn Fn(&str) + Sync),
) -> Result<(), etcd::Error> {
    let mut backoff = std::time::Duration::from_millis(200);
    let ns = opts.namespace.as_deref();
    loop {
        tracing::info!(target: "theseus::sync", "{} campaigns for leadership", opts.identity);
        metrics::global().standby(ns);
        health::global().role(Role::Campaigning);
        let won = tokio::select! {
            () = stopped(stop) => return Ok(()),
            won = etcd.campaign(&opts.identity, opts.lease_ttl, opts.namespace.as_deref()) => won,
        };
        let leadership = match won {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(target: "theseus::sync", "campaign failed: {e}; retrying");
                metrics::global().etcd_error();
                health::global().role(Role::Retrying(e.to_string()));
                tokio::select! {
                    () = stopped(stop) => return Ok(()),
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(opts.max_backoff);
                continue;
            }
        };
        backoff = std::time::Duration::from_millis(200);
        metrics::global().leading(ns);
        health::global().role(Role::Leading(tokio::time::Instant::now()));
        note(&format!("{} is the leader: reconciling, then following Marathon's events", opts.identity));
        tokio::select! {
            () = follow_leading(client, etcd, opts, stop, Some(&leadership)) => {
                // Only a stop ends the follower.
                note("stopping: resigning the leadership");
                metrics::global().standby(ns);
                health::global().role(Role::Stopping);
                return leadership.resign().await;
            }
            () = leadership.lost() => {
                let reason = leadership.lost_reason().unwrap_or_default();
                metrics::global().standby(ns);
                health::global().role(Role::Lost(reason.clone()));
                note(&format!("lost the leadership ({reason}); campaigning again"));
            }
        }
    }
}
