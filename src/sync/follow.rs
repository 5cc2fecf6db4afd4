//! Following Marathon's `/v2/events` while this replica leads.
//!
//! Marathon does not order its events and drops a consumer that falls behind, replaying
//! nothing (`core/event/impl/stream/HttpEventStreamHandleActor.scala`), so an event only says
//! *which group to look at again*: the follower collects the groups named by the events
//! available, re-reads each from Marathon (one request) and etcd (one read), and applies the
//! same diff as a full reconcile. The stream is read without pause by a task of its own
//! ([`super::inbox`]), so a slow etcd write never holds up the events of other groups, and a
//! burst costs one refresh per group. A full reconcile runs on every (re)connect, since events
//! before it are lost, and every `resync`. A lost stream is reopened with exponential backoff;
//! a non-leader Marathon's redirect to its leader is followed (`marathon::Client::events`).

use std::collections::BTreeSet;
use std::time::Duration;

use futures::stream::FuturesUnordered;
use futures::StreamExt as _;
use serde_json::Value;
use tokio::time::Instant;

use super::freshness::Freshness;
use super::inbox::{End, Inbox};
use super::reconcile::{self, apply, plan_group, Report};
use super::{health, metrics, stopped, Options, Stop};
use crate::etcd::{Driver, Leadership};
use crate::marathon::{Client, Event};
use crate::names::GroupKey;
use crate::rollout::live::fold;
use crate::spec::labels::Selector;

/// The event types that can change what should be registered (fields from
/// M:src/main/scala/mesosphere/marathon/core/event/Events.scala).
pub const EVENT_TYPES: &[&str] = &[
    "status_update_event",
    "instance_changed_event",
    "health_status_changed_event",
    "instance_health_changed_event",
    "failed_health_check_event",
    "unhealthy_instance_kill_event",
    "unknown_instance_terminated_event",
    "app_terminated_event",
    "deployment_success",
    "deployment_failed",
];

/// How many groups are refreshed at once.
const IN_FLIGHT: usize = 8;

/// How soon a group skipped (locked by a command, or failed) is looked at again.
const RETRY: Duration = Duration::from_millis(500);

/// The Marathon group paths (`/<namespace>/<service>/<group>`) an event names.
pub fn groups_of(event: &Event) -> Vec<String> {
    let mut apps: Vec<&str> = ["appId", "runSpecId"].iter().filter_map(|f| event.data.get(*f)?.as_str()).collect();
    if let Some(steps) = event.data.pointer("/plan/steps").and_then(Value::as_array) {
        for step in steps {
            for action in step.get("actions").and_then(Value::as_array).into_iter().flatten() {
                apps.extend(action.get("app").and_then(Value::as_str));
            }
        }
    }
    let mut groups: Vec<String> = apps
        .into_iter()
        .filter_map(|a| a.rsplit_once('/').map(|(g, _)| g.to_owned()))
        .filter(|g| !g.is_empty())
        .collect();
    groups.sort();
    groups.dedup();
    groups
}

/// Splits a group path into its namespace and key; `None` when it is not a Theseus path.
fn parse_path(path: &str) -> Option<(String, GroupKey)> {
    let trimmed = path.trim_matches('/');
    let (rest, group) = trimmed.rsplit_once('/')?;
    let (namespace, service) = rest.rsplit_once('/')?;
    Some((namespace.to_owned(), GroupKey::new(service, group).ok()?))
}

/// Re-reads one group from Marathon and etcd and applies the diff. The report's
/// [`Report::locked`] names the group when it must be looked at again later (locked by a
/// running command); its `namespaces` the group's, when it is a Theseus group.
pub async fn refresh(
    client: &Client,
    etcd: &Driver,
    namespace: Option<&str>,
    path: &str,
) -> Result<Report, reconcile::Error> {
    let _busy = health::global().busy("refresh");
    let Some((ns, key)) = parse_path(path) else { return Ok(Report::default()) };
    if namespace.is_some_and(|n| n.trim_matches('/') != ns) {
        return Ok(Report::default());
    }
    let registered = etcd.group_registrations(&key).await?;
    if registered.as_ref().and_then(|r| r.namespace()).is_some_and(|owner| owner != ns) {
        return Ok(Report::default()); // the key belongs to another namespace's group
    }
    let apps = client.group(path).await?.map(|g| g.apps).unwrap_or_default();
    let live = fold(apps, Some(&ns), &[], &Selector::default());
    let lives: Vec<_> = live.values().filter(|g| g.key == key).collect();
    let action = plan_group(&lives, registered.as_ref(), Some(&ns));
    let ours = matches!(action, reconcile::Action::Sync { .. });
    let mut report = apply(etcd, vec![(key, action, false)]).await?;
    log_report("event", &report);
    if ours {
        report.namespaces.insert(ns);
    }
    Ok(report)
}

/// [`refresh`], answering with the path it refreshed; a refresh done counts the latency from
/// `received`, when the group's oldest event it covers arrived.
async fn refresh_named(
    client: &Client,
    etcd: &Driver,
    namespace: Option<&str>,
    path: String,
    received: Option<Instant>,
) -> (String, Result<Report, reconcile::Error>) {
    let result = refresh(client, etcd, namespace, &path).await;
    if let (Ok(report), Some(at)) = (&result, received) {
        if report.locked().is_empty() {
            metrics::global().event_applied(at);
        }
    }
    (path, result)
}

/// Logs what a reconcile or refresh changed.
pub fn log_report(why: &str, report: &Report) {
    for d in &report.details {
        if let Some(skipped) = &d.skipped {
            tracing::info!(target: "theseus::sync", "{why}: {}/{} skipped: {skipped}", d.service, d.group);
        } else if d.changed() {
            tracing::info!(
                target: "theseus::sync",
                "{why}: {}/{}{}: +{} ~{} -{}",
                d.service,
                d.group,
                if d.restored { " (group restored)" } else { "" },
                d.registered.len(),
                d.updated.len(),
                d.deregistered.len()
            );
        }
    }
}

/// Follows the event stream until `stop` is set; reconnects and resyncs as described above.
/// Returns only when stopped (errors are logged and retried). Confirms nothing: see
/// [`follow_leading`].
pub async fn follow(client: &Client, etcd: &Driver, opts: &Options, stop: &Stop) {
    follow_leading(client, etcd, opts, stop, None).await;
}

/// [`follow`] as the elected leader: also confirms the namespaces' freshness while caught up
/// (src/sync/freshness.rs), guarded by `leadership`.
pub async fn follow_leading(
    client: &Client,
    etcd: &Driver,
    opts: &Options,
    stop: &Stop,
    leadership: Option<&Leadership>,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let opened = tokio::select! {
            () = stopped(stop) => return,
            s = client.events(EVENT_TYPES, opts.idle) => s,
        };
        let stream = match opened {
            Ok(s) => s,
            Err(e) => {
                metrics::global().marathon_error();
                tracing::warn!(target: "theseus::sync", "{e}; retrying in {}", humantime::format_duration(backoff));
                tokio::select! {
                    () = stopped(stop) => return,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(opts.max_backoff);
                continue;
            }
        };
        tracing::info!(target: "theseus::sync", "following {}", stream.url());
        let inbox = Inbox::read(stream, groups_of);
        metrics::global().stream_opened();
        let mut fresh = Freshness::new(etcd, leadership, opts);
        match connected(client, etcd, opts, stop, &inbox, &mut backoff, &mut fresh).await {
            None => return,
            Some(End::Closed) => {
                tracing::warn!(target: "theseus::sync", "Marathon closed the event stream; reconnecting")
            }
            Some(End::Broken(e)) => {
                metrics::global().marathon_error();
                tracing::warn!(target: "theseus::sync", "{e}; reconnecting");
            }
        }
        // The groups still dirty are covered by the reconcile after reconnecting.
    }
}

/// One connection: a full reconcile first (events before it are lost), then a refresh of each
/// group the events name, several groups at once but never one group twice at once (a group
/// named again while its refresh runs is refreshed once more afterwards, since that refresh
/// may have read Marathon before the change). A full reconcile runs alone, between refreshes.
/// Returns how the stream ended, or `None` when stopped.
async fn connected(
    client: &Client,
    etcd: &Driver,
    opts: &Options,
    stop: &Stop,
    inbox: &Inbox,
    backoff: &mut Duration,
    fresh: &mut Freshness<'_>,
) -> Option<End> {
    let namespace = opts.namespace.as_deref();
    let mut resync_due = Instant::now();
    let mut dirty: BTreeSet<String> = BTreeSet::new();
    let mut retry: BTreeSet<String> = BTreeSet::new();
    let mut retry_at = Instant::now() + RETRY;
    let mut in_flight: BTreeSet<String> = BTreeSet::new();
    let mut running = FuturesUnordered::new();
    loop {
        let now = Instant::now();
        if now >= resync_due && running.is_empty() {
            let result = reconcile::reconcile(client, etcd, namespace).await;
            metrics::global().reconciled(result.as_ref().err().map(reconcile::Error::side));
            match result {
                Ok(report) => {
                    log_report("reconcile", &report);
                    fresh.reconciled(&report);
                    resync_due = Instant::now() + opts.resync;
                    *backoff = Duration::from_millis(100);
                }
                Err(e) => {
                    tracing::warn!(target: "theseus::sync", "reconcile failed: {:#}", anyhow::Error::new(e));
                    fresh.failed();
                    resync_due = Instant::now() + *backoff;
                    *backoff = (*backoff * 2).min(opts.max_backoff);
                }
            }
        }
        let resync_waiting = Instant::now() >= resync_due;
        if Instant::now() >= retry_at {
            dirty.append(&mut retry);
            retry_at = Instant::now() + RETRY;
        }
        // Caught up (nothing dirty, running or unread): confirm the namespaces' freshness.
        if running.is_empty() && dirty.is_empty() && !resync_waiting && fresh.is_due() {
            let (groups, end) = inbox.take();
            if end.is_some() {
                return end;
            }
            dirty.extend(groups);
            if dirty.is_empty() {
                fresh.confirm().await;
            }
        }
        if !resync_waiting {
            let free = IN_FLIGHT.saturating_sub(running.len());
            let ready: Vec<String> = dirty.iter().filter(|p| !in_flight.contains(*p)).take(free).cloned().collect();
            for path in ready {
                dirty.remove(&path);
                in_flight.insert(path.clone());
                let received = inbox.received(&path);
                running.push(refresh_named(client, etcd, namespace, path, received));
            }
        }
        let mut wake = if retry.is_empty() { resync_due } else { resync_due.min(retry_at) };
        if running.is_empty() && dirty.is_empty() {
            wake = wake.min(fresh.wake());
        }
        tokio::select! {
            () = stopped(stop) => return None,
            // While a due reconcile waits for the running refreshes, only they can wake it.
            () = tokio::time::sleep_until(wake), if !resync_waiting => {}
            Some((path, result)) = running.next(), if !running.is_empty() => {
                in_flight.remove(&path);
                match result {
                    Ok(report) if report.locked().is_empty() => fresh.refreshed(&report),
                    Ok(_) => {
                        retry.insert(path);
                    }
                    Err(e) => {
                        fresh.failed();
                        metrics::global().refresh_failed(e.side());
                        tracing::warn!(target: "theseus::sync", "syncing `{path}` failed: {:#}", anyhow::Error::new(e));
                        retry.insert(path);
                        // etcd or Marathon may have lost writes meanwhile: reconcile once back.
                        resync_due = resync_due.min(Instant::now() + *backoff);
                    }
                }
            }
            () = inbox.arrived() => {
                let (groups, end) = inbox.take();
                dirty.extend(groups);
                if end.is_some() {
                    return end;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_name_their_groups() {
        let ev = Event { kind: "status_update_event".into(), data: json!({"appId": "/t/web/dev.frontend/r1"}) };
        assert_eq!(groups_of(&ev), ["/t/web/dev.frontend"]);
        let dep = Event {
            kind: "deployment_success".into(),
            data: json!({"plan": {"steps": [{"actions": [{"action": "ScaleApplication", "app": "/a/b/c/r2"}, {"app": "/a/b/c/r1"}]}]}}),
        };
        assert_eq!(groups_of(&dep), ["/a/b/c"]);
        assert_eq!(
            parse_path("/team/prod/web/dev.frontend").map(|(ns, k)| (ns, k.to_string())),
            Some(("team/prod".into(), "web/dev.frontend".into()))
        );
        assert!(parse_path("/web").is_none());
    }
}
