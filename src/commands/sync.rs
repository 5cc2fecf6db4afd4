//! `theseus sync`: reconcile once (`--once`), or run as a replica that keeps etcd equal to
//! Marathon until SIGTERM or Ctrl-C.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;

use crate::cli::SyncArgs;
use crate::context::Context;
use crate::error::{ExitStatus, StatusError, UserError};
use crate::output::{Layout, Tabular};
use crate::sync::reconcile::{reconcile_waiting, Report};
use crate::sync::serve::{self, Limits};
use crate::sync::{leader, Options};

/// The `sync --once` result.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct SyncResult(pub Report);

impl Tabular for SyncResult {
    fn to_table(&self, layout: &Layout) -> String {
        let mut t = layout.table(&["service", "group", "registered", "updated", "deregistered", "note"]);
        for d in &self.0.details {
            let note = match (&d.skipped, d.restored, d.unknown.len()) {
                (Some(why), _, _) => format!("skipped: {why}"),
                (None, true, _) => "group restored in etcd".to_owned(),
                (None, false, _) if d.not_in_marathon => {
                    "no app in Marathon: record kept (theseus create or remove)".to_owned()
                }
                (None, false, 0) => String::new(),
                (None, false, n) => format!("{n} kept: health unknown"),
            };
            t.add_row(vec![
                d.service.clone(),
                d.group.clone(),
                d.registered.len().to_string(),
                d.updated.len().to_string(),
                d.deregistered.len().to_string(),
                note,
            ]);
        }
        t.to_string()
    }

    fn names(&self) -> Vec<String> {
        self.0.details.iter().map(|d| format!("{}/{}", d.service, d.group)).collect()
    }
}

/// This host's name, for the default replica name.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Retries `attempt` until it succeeds or `limit` has passed (an attempt still running then is
/// cut short); the last error, with context naming `what`.
async fn within<T, E, F>(limit: Duration, what: &str, mut attempt: impl FnMut() -> F) -> anyhow::Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
    F: std::future::Future<Output = Result<T, E>>,
{
    let start = Instant::now();
    let mut pause = Duration::from_millis(200);
    let mut last: Option<anyhow::Error> = None;
    loop {
        let left = limit.saturating_sub(start.elapsed());
        if left.is_zero() {
            let err = last.unwrap_or_else(|| anyhow::anyhow!("no answer"));
            return Err(err.context(format!(
                "{what} stayed unreachable for {} (sync --timeout)",
                humantime::format_duration(Duration::from_secs(limit.as_secs()))
            )));
        }
        match tokio::time::timeout(left, attempt()).await {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) => {
                tracing::warn!(target: "theseus::sync", "{what}: {e}; retrying");
                last = Some(anyhow::Error::new(e));
            }
            Err(_) => continue,
        }
        tokio::time::sleep(pause.min(limit.saturating_sub(start.elapsed()))).await;
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}

/// How long `/readyz` waits for etcd to answer a standby's probe.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Sets the stop flag on SIGTERM or Ctrl-C.
fn stop_on_signals() -> tokio::sync::watch::Receiver<bool> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = term => {}
        }
        let _ = tx.send(true);
    });
    rx
}

/// Runs `theseus sync`.
pub async fn run(ctx: &Context, args: SyncArgs) -> anyhow::Result<ExitStatus> {
    let stop = stop_on_signals();
    let marathon = ctx.marathon()?;
    let namespace = ctx.namespace_flag().map(|n| n.trim_matches('/').to_owned());
    // Bound before anything else, so that a taken or foreign address fails at once.
    let listener = match args.listen {
        Some(addr) => Some(tokio::net::TcpListener::bind(addr).await.map_err(|e| UserError {
            message: format!("cannot listen on {addr} (--listen): {e}"),
            hint: Some("choose a free port on an address of this host, e.g. --listen 127.0.0.1:9464".into()),
        })?),
        None => None,
    };
    let reachable = async {
        let etcd = within(args.timeout, "etcd", || ctx.etcd()).await?;
        within(args.timeout, "Marathon", || marathon.info()).await?;
        anyhow::Ok(etcd)
    };
    let etcd = tokio::select! {
        r = reachable => r?,
        () = crate::sync::stopped(&stop) => return Err(StatusError { status: ExitStatus::Interrupted, message: "interrupted before sync started".into(), hint: None }.into()),
    };
    if args.once {
        let report = reconcile_waiting(marathon, etcd, namespace.as_deref(), args.lock_timeout)
            .await
            .context("reconciling etcd with Marathon")?;
        ctx.out.result(&SyncResult(report.clone()))?;
        let skipped = report.details.iter().filter(|d| d.skipped.is_some()).count();
        ctx.out.status(
            "Synced",
            format!(
                "{} group(s), {} running task(s): {} change(s) in {} transaction(s){}",
                report.groups,
                report.tasks,
                report.changes,
                report.transactions,
                if skipped > 0 { format!(", {skipped} group(s) skipped") } else { String::new() }
            ),
        );
        let locked = report.locked();
        if !locked.is_empty() {
            return Err(StatusError {
                status: ExitStatus::Locked,
                message: format!("{} stayed locked by a running command; left as they are", locked.join(", ")),
                hint: Some(
                    "run `theseus sync --once` again once it finished, or raise --lock-timeout (a killed \
                     command's lock lasts until its lease expires)"
                        .into(),
                ),
            }
            .into());
        }
        return Ok(ExitStatus::Success);
    }
    let resync = args.resync.max(Duration::from_secs(1));
    if let Some(listener) = listener {
        if let Ok(addr) = listener.local_addr() {
            ctx.out.status("Serving", format!("/metrics, /healthz and /readyz on http://{addr}"));
        }
        let limits = Limits {
            stuck_after: args.stuck_after,
            fresh_within: resync + args.stuck_after,
            probe_timeout: PROBE_TIMEOUT,
        };
        let (etcd, namespace) = (etcd.clone(), namespace.clone());
        tokio::spawn(async move {
            if let Err(e) = serve::serve(listener, etcd, namespace, limits).await {
                tracing::error!(target: "theseus::sync", "serving --listen stopped: {e}");
            }
        });
    }
    tokio::spawn(serve::notify_systemd(args.stuck_after));
    let opts = Options {
        namespace,
        resync,
        lease_ttl: args.lease_ttl,
        identity: args.name.clone().unwrap_or_else(|| format!("{}:{}", host_name(), std::process::id())),
        idle: args.idle_timeout.max(Duration::from_secs(1)),
        max_backoff: Duration::from_secs(10),
    };
    ctx.out.status(
        "Sync",
        format!("{} waits to lead (lease {})", opts.identity, humantime::format_duration(opts.lease_ttl)),
    );
    let note = |msg: &str| ctx.out.status("Sync", msg);
    leader::run(marathon, etcd, &opts, &stop, &note).await.context("leaving the sync election")?;
    ctx.out.status("Stopped", "sync stopped");
    Ok(ExitStatus::Success)
}
