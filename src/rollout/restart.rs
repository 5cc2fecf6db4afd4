//! Rolling restarts (DESIGN §3): every task of a group's revision app is replaced in batches,
//! with no spec change. Each batch drains its victims (never a task already killing), kills
//! them without scaling so Marathon launches replacements, waits at the health gate until the
//! replacements stay healthy (and ready) for `min_healthy`, registers them and pauses `wait`.
//!
//! Readiness: Marathon runs an app's readiness check only inside a deployment
//! (M:src/main/scala/mesosphere/marathon/core/deployment/impl/ReadinessBehavior.scala,
//! `readinessBehavior`), and a kill without scale opens none, so nothing would check the
//! replacements. Where the app defines a readiness check, the gate probes each replacement's
//! endpoint itself, as Marathon's `ReadinessCheckExecutorImpl` does ([`super::readiness`]), and a
//! replacement is registered only once it is ready (and healthy). Restarting through a
//! deployment instead (`POST /v2/apps/{id}/restart`, or kill-and-scale then scale up) would let
//! Marathon run the checks but not keep this module's order: Marathon would pick and kill the
//! old tasks at its own pace, so they could not be drained from etcd first, a batch would
//! drop serving capacity by scaling down, and every batch would hold the app's deployment lock
//! (409 to any other change meanwhile). The price of probing: the machine running Theseus must
//! reach the tasks' ports, as Marathon's leader and the consumers reading etcd do.
//!
//! Progress is journaled like an update's ([`super::journal`]). `rollout resume` of a restart
//! replaces only the tasks staged before the journaled start: those not replaced yet.

use std::collections::BTreeSet;
use std::future::Future;
use std::time::Instant;

use anyhow::Context as _;

use super::control::Inbox;
use super::end::{End, Run};
use super::event::{Event, Reporter};
use super::gate::{self, Cancel, Gate};
use super::journal::{self, Start};
use super::live::{revision_of, LiveGroup, Snapshot};
use super::readiness::Prober;
use super::register::container_info;
use super::result::{RolloutOutcome, RolloutResult, Timings};
use super::retire::{kill_these, pick, Kill};
use super::rolling::batch_sizes;
use super::scope::{Scope, Settings};
use super::session::{Owners, Session};
use super::wait::WaitError;
use crate::error::{ExitStatus, StatusError};
use crate::etcd::RolloutKind;
use crate::marathon::types::App;
use crate::spec::labels::Selector;

/// Restarts every task of `live`'s revision app in batches, under the group's lock. A failure
/// (nothing to roll back to) is a result with a non-success status: 4, or 5 at the deadline.
pub async fn restart(
    scope: Scope<'_>,
    live: &LiveGroup,
    settings: &Settings,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<RolloutResult> {
    restart_journaled(scope, live, settings, reporter, cancel, false).await
}

/// [`restart`]; with `resume`, continues the journaled restart of the same app: only tasks
/// staged before it started are replaced.
pub(super) async fn restart_journaled(
    scope: Scope<'_>,
    live: &LiveGroup,
    settings: &Settings,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
    resume: bool,
) -> anyhow::Result<RolloutResult> {
    let keys = [live.key.clone()];
    // Decide on what Marathon has now, under the lock (a rollout may have run meanwhile);
    // another namespace's etcd record is never written: exit 2 before any change.
    let session = Session::open(scope, &keys, Owners::Refuse).await?;
    session
        .run(async |s| {
            if !resume {
                s.refuse_paused(&live.key).await?;
            }
            match s.snapshot().group(&live.key) {
                Some(fresh) => match fresh.apps.as_slice() {
                    [app] => {
                        let cancel = std::pin::pin!(s.cancel(cancel));
                        restart_locked(s.scope(), fresh, app, settings, reporter, cancel, resume).await
                    }
                    apps => Err(StatusError {
                        status: ExitStatus::Locked,
                        message: format!(
                            "`{}` is in the middle of a rollout ({} revisions)",
                            fresh.group_id,
                            apps.len()
                        ),
                        hint: Some("let the rollout finish (or roll it back) before restarting".into()),
                    }
                    .into()),
                },
                None => Err(anyhow::anyhow!("`{}` is gone from Marathon", live.group_id)),
            }
        })
        .await
}

/// Tasks of `app` staged before `since` (RFC 3339); a task with no parsable time is included.
fn staged_before(app: &App, since: &str) -> BTreeSet<String> {
    let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
    let since = parse(since);
    app.tasks
        .iter()
        .flatten()
        .filter(|t| match (t.staged_at.as_deref().and_then(parse), since) {
            (Some(staged), Some(since)) => staged < since,
            _ => true,
        })
        .map(|t| t.id.clone())
        .collect()
}

async fn restart_locked(
    scope: Scope<'_>,
    live: &LiveGroup,
    app: &App,
    settings: &Settings,
    reporter: &dyn Reporter,
    cancel: Cancel<'_>,
    resume: bool,
) -> anyhow::Result<RolloutResult> {
    let started = Instant::now();
    // The event stream connects while the journal is read and written: live by the first gate.
    scope.connect_events();
    let prev = match resume {
        true => scope
            .etcd
            .get_rollout(&live.key)
            .await
            .with_context(|| format!("reading the rollout journal of `{}`", live.group_id))?
            .filter(|j| journal::continues(j, RolloutKind::Restart, &app.id)),
        false => None,
    };
    let originals = match &prev {
        Some(j) => staged_before(app, &j.started_at),
        None => app.tasks.iter().flatten().map(|t| t.id.clone()).collect(),
    };
    let start = Start {
        prev: prev.as_ref(),
        kind: RolloutKind::Restart,
        key: &live.key,
        old: app,
        desired: None,
        instances: app.instances.unwrap_or(0),
        rollout: &settings.rollout,
        message: settings.message.as_deref(),
        plan: batch_sizes(&settings.rollout, originals.len() as u32),
        owner: scope.owner,
        canary: None,
    };
    let revision = revision_of(app);
    let result = RolloutResult {
        service: live.key.service().to_owned(),
        group: live.key.group().to_owned(),
        outcome: RolloutOutcome::Restarted,
        from: Some(revision.clone()),
        to: Some(revision),
        instances: app.instances.unwrap_or(0),
        batches: Vec::new(),
        reason: None,
        timings: Timings::default(),
        status: ExitStatus::Success,
        wave: None,
        evidence: None,
    };
    let mut run = Run::new(scope, live, settings, reporter, start.journal(), result, started);
    let inbox = Inbox::open(scope.etcd, live.key.clone()).await;
    run.inbox = Some(&inbox);
    run.journal_start().await.with_context(|| format!("journaling the restart of `{}`", live.group_id))?;
    // Every step also ends when `rollout abort` comes from another shell.
    let replaced = {
        let mut steps = std::pin::pin!(async {
            tokio::select! {
                () = cancel => {}
                _ = inbox.abort() => {}
            }
        });
        run.replace(app, &originals, steps.as_mut()).await
    };
    let end = match replaced {
        Ok(()) => {
            reporter.on(Event::Converged { group: format!("{}/{}", live.key.service(), live.key.group()) });
            End::Done
        }
        Err(WaitError::Interrupted) if inbox.aborted().is_some() => {
            let request = inbox.aborted().unwrap_or_else(|| unreachable!("checked by the guard"));
            if let Err(err) = run.obeyed(&request).await {
                tracing::warn!(target: "theseus::rollout", "{err}");
            }
            reporter.on(Event::Aborted { group: run.name(), by: request.by.clone() });
            End::RestartAbortedBy { by: request.by }
        }
        Err(WaitError::Interrupted) => End::NotReplaced(WaitError::Interrupted),
        Err(err) => {
            run.witness(&app.id).await;
            End::NotReplaced(err)
        }
    };
    run.end(end).await
}

impl Run<'_> {
    /// The forward steps of a restart: batch by batch, tasks of `originals` not replaced yet are
    /// drained and killed without scaling, and their replacements pass the health gate (probed
    /// for readiness where the app defines it) and are registered.
    async fn replace(
        &mut self,
        app: &App,
        originals: &BTreeSet<String>,
        mut cancel: Cancel<'_>,
    ) -> Result<(), WaitError> {
        let (scope, live, settings, reporter) = (self.scope, self.live, self.settings, self.reporter);
        let name = self.name();
        let n = app.instances.unwrap_or(0);
        // Tasks already replaced (by a run this one resumes) count as replaced.
        let total = app.tasks.iter().flatten().count() as u32;
        let plan = batch_sizes(&settings.rollout, originals.len() as u32);
        let services = [live.key.service().to_owned()];
        let mut replaced = total.saturating_sub(originals.len() as u32).min(n);
        // One prober for the whole restart: a task found ready stays ready, as in Marathon.
        let prober =
            Prober::for_app(app).map_err(|reason| WaitError::Failing { group: format!("`{name}`"), reason })?;
        let mut k = 0u32;
        loop {
            let snap = Snapshot::read(scope.marathon, scope.namespace, &services, &Selector::default()).await?;
            let Some(now) = snap.group(&live.key).and_then(|g| g.apps.iter().find(|a| a.id == app.id)).cloned() else {
                return Err(WaitError::Gone { app: app.id.clone() });
            };
            // A safe point: a `rollout pause` holds here, before the batch.
            self.control_point(cancel.as_mut()).await?;
            let left = now.tasks.iter().flatten().filter(|t| originals.contains(&t.id));
            let size = plan.first().copied().unwrap_or(1) as usize;
            let victims = pick(&now, left, size);
            if victims.is_empty() {
                break;
            }
            k += 1;
            let batch_started = Instant::now();
            let b = victims.len() as u32;
            self.result.batches.push(b);
            reporter.on(Event::BatchStarted { group: name.clone(), batch: k, batches: plan.len() as u32, size: b });
            kill_these(scope, &live.key, &now, &victims, Kill::Relaunch, &[])
                .await
                .map_err(|e| WaitError::Failing { group: format!("`{name}`"), reason: format!("{e:#}") })?;
            replaced = (replaced + b).min(n);
            let g = Gate {
                key: &live.key,
                namespace: scope.namespace,
                app_id: &app.id,
                want: replaced,
                exclude: originals,
                relaunches: victims.len(),
                min_healthy: settings.rollout.min_healthy,
                deadline: settings.rollout.deadline,
                poll: scope.timing.poll,
                fail_after: Some(scope.timing.fail_after),
                wakeup: scope.wakeup(),
            };
            let passed = gate::pass_probed(scope.marathon, &g, prober.as_ref(), reporter, cancel.as_mut()).await?;
            self.result.timings.batches.push(batch_started.elapsed().as_secs_f64());
            reporter.on(Event::BatchHealthy { group: name.clone(), batch: k, healthy: replaced, desired: n });
            let infos: Vec<_> = passed.tasks.iter().map(|t| container_info(&passed.app, t)).collect();
            let writer =
                scope.write().map_err(|e| WaitError::Failing { group: format!("`{name}`"), reason: e.to_string() })?;
            // The replacements' registration and the journal's batch count are independent
            // records of a batch that passed its gate: written at the same time (either failing
            // fails the restart, whose end syncs the registration with Marathon again).
            let (registered, journaled) =
                tokio::join!(writer.etcd.register_containers(&live.key, &infos), self.tracker.batch_done());
            registered.map_err(|e| WaitError::Failing {
                group: format!("`{name}`"),
                reason: format!("registering the replacements: {e}"),
            })?;
            journaled.map_err(|e| WaitError::Failing {
                group: format!("`{name}`"),
                reason: format!("journaling the batch: {e}"),
            })?;
            let more = passed.app.tasks.iter().flatten().any(|t| originals.contains(&t.id));
            if !more {
                break;
            }
            gate::pause(&name, settings.rollout.wait, reporter, cancel.as_mut()).await?;
        }
        Ok(())
    }
}
