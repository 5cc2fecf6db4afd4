//! Rolling updates (DESIGN §3): the new revision app is added to the group's Marathon group at
//! 0 instances, then each batch surges the new app up by `batch`, waits at the health gate
//! ([`super::gate`]), registers the new healthy tasks in etcd, and retires as many old tasks
//! (deregister, then kill with `scale=true`); finally the old app is deleted and the new config
//! stored with its history entry. A failure rolls back: the old app is scaled back to full
//! healthy capacity first, only then is the new one drained and deleted.
//!
//! Progress is journaled in etcd ([`super::journal`]); a run that finds the journal of the
//! same rollout (its client died) continues it: the new app is taken over where it stands,
//! and a rollback restores the old revision's capacity from before the rollout.

use std::future::Future;
use std::time::Instant;

use anyhow::Context as _;

use super::canary::CanaryEnd;
use super::control::Inbox;
use super::end::{End, Run};
use super::event::{Event, Reporter};
use super::finish::{finish_journaled, store};
use super::gate::{self, Cancel};
use super::inflight::InFlight;
use super::journal::{self, Start};
use super::live::{revision_of, LiveGroup, Snapshot};
use super::plan::{stops_first, Desired, STOP_FIRST};
use super::register::container_info;
use super::result::{RolloutOutcome, RolloutResult};
use super::retire::{kill_drained, Kill};
use super::scope::{Scope, Settings};
use super::session::{Owners, Session};
use super::wait::WaitError;
use crate::error::{ExitStatus, StatusError, UserError};
use crate::etcd::{ContainerInfo, RolloutKind};
use crate::marathon::types::App;
use crate::spec::labels::Selector;
use crate::spec::Rollout;

/// Batch sizes to take `instances` from 0 in steps of `batch`.
pub fn batch_sizes(rollout: &Rollout, instances: u32) -> Vec<u32> {
    let batch = rollout.batch_size(instances);
    let mut left = instances;
    let mut out = Vec::new();
    while left > 0 {
        let b = batch.min(left);
        out.push(b);
        left -= b;
    }
    out
}

/// Rolls `live` to `desired` in batches under the group's lock; failures roll back (see the
/// module docs). A failed or rolled-back rollout is a result with a non-success `status`.
pub async fn update(
    scope: Scope<'_>,
    live: &LiveGroup,
    desired: &Desired,
    settings: &Settings,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<RolloutResult> {
    let keys = [live.key.clone()];
    // Decide on what Marathon has now, under the lock (another update may have finished while
    // this one waited for it); another namespace's etcd record is never written: exit 2.
    let session = Session::open(scope, &keys, Owners::Refuse).await?;
    session
        .run(async |s| {
            let mut cancel = std::pin::pin!(s.cancel(cancel));
            // Poll Ctrl-C once before the first change: that installs its handler, so a Ctrl-C
            // from here on interrupts the rollout (exit 130, etcd synced, lock released).
            if futures::FutureExt::now_or_never(cancel.as_mut()).is_some() {
                return Err(WaitError::Interrupted.into());
            }
            if !settings.resuming {
                s.refuse_paused(&live.key).await?;
            }
            match s.snapshot().group(&live.key) {
                Some(fresh) => update_locked(s.scope(), fresh, desired, settings, reporter, cancel).await,
                None => Err(anyhow::anyhow!("`{}` is gone from Marathon; run `theseus update` again", live.group_id)),
            }
        })
        .await
}

async fn update_locked(
    scope: Scope<'_>,
    live: &LiveGroup,
    desired: &Desired,
    settings: &Settings,
    reporter: &dyn Reporter,
    mut cancel: Cancel<'_>,
) -> anyhow::Result<RolloutResult> {
    let started = Instant::now();
    // The event stream connects while the journal is read and written: live by the first gate.
    scope.connect_events();
    let prev = scope
        .etcd
        .get_rollout(&live.key)
        .await
        .with_context(|| format!("reading the rollout journal of `{}`", live.group_id))?
        .filter(|j| journal::continues(j, RolloutKind::Update, &desired.app.id));
    let olds: Vec<&App> = live.apps.iter().filter(|a| a.id != desired.app.id).collect();
    if olds.is_empty() {
        // A journaled rollout whose client died after its last batch: store and clear.
        return match prev {
            Some(j) => finish_journaled(scope, live, desired, settings, reporter, j, started).await,
            None => Ok(RolloutResult { outcome: RolloutOutcome::Unchanged, ..RolloutResult::of(live, desired) }),
        };
    }
    let [old] = olds.as_slice() else {
        return Err(StatusError {
            status: ExitStatus::Locked,
            message: format!("`{}` has {} old revisions running: a rollout was interrupted", live.group_id, olds.len()),
            hint: Some(
                "`theseus rollout status` shows it; `theseus rollout resume` or `abort` finishes it, or finish it \
                 by hand (`theseus scale`, or remove the extra revision apps)"
                    .into(),
            ),
        }
        .into());
    };
    // The new revision app asks for the group's service ports: marathon-lb's frontends stay.
    let desired = &desired.keeping_ports(old);
    let result = RolloutResult { from: Some(revision_of(old)), ..RolloutResult::of(live, desired) };
    let n = result.instances;
    // A new app left by an interrupted rollout is taken over where it stands.
    let resumed = live.apps.iter().find(|a| a.id == desired.app.id).and_then(|a| a.instances).unwrap_or(0);
    let canary = settings.rollout.canary_of(n);
    if canary.is_some() && stops_first(live.apps.iter().chain([&desired.app])) {
        return Err(UserError::with_hint(
            format!("`{}` cannot have a canary: {STOP_FIRST}", live.group_id),
            "roll it without --canary (or remove `canary` from its `rollout` table)",
        )
        .into());
    }
    // A canary journaled as promoted is not tried again; one not promoted yet is resumed.
    let promoted = prev.as_ref().and_then(|j| j.canary.as_ref()).is_some_and(|c| c.promoted.is_some());
    let canary = canary.filter(|_| !promoted);
    let start = Start {
        prev: prev.as_ref(),
        kind: RolloutKind::Update,
        key: &live.key,
        old,
        desired: Some(desired),
        instances: n,
        rollout: &settings.rollout,
        message: settings.message.as_deref(),
        plan: batch_sizes(&settings.rollout, n.saturating_sub(resumed.max(canary.unwrap_or(0)))),
        owner: scope.owner,
        canary,
    };
    let mut run = Run::new(scope, live, settings, reporter, start.journal(), result, started);
    let inbox = Inbox::open(scope.etcd, live.key.clone()).await;
    run.inbox = Some(&inbox);
    // The old revision's capacity before the rollout began: what a rollback restores.
    let full = run.tracker.journal().from.as_ref().map_or(0, |f| f.instances);
    run.journal_start().await.with_context(|| format!("journaling the rollout of `{}`", live.group_id))?;
    if prev.is_some() {
        // Resuming a dead client's rollout: its last kill-and-scale of the old app may still run.
        run.inflight.adopt(&old.id).await.with_context(|| format!("reading the deployments of `{}`", old.id))?;
    }
    if resumed == 0 {
        let mut app = desired.app.clone();
        app.instances = Some(0);
        match super::confirm::put_app(scope.write()?.marathon, &app, false).await {
            Ok(change) => run.inflight.started(&app.id, &change),
            Err(err) => {
                // Nothing changed: no rollout to journal.
                let _ = run.tracker.clear().await;
                return Err(anyhow::Error::new(err).context(format!("adding the new revision app `{}`", app.id)));
            }
        }
    }
    // Every forward step also ends when `rollout abort` comes from another shell.
    let stepped = {
        let mut steps = std::pin::pin!(async {
            tokio::select! {
                () = cancel.as_mut() => {}
                _ = inbox.abort() => {}
            }
        });
        run.step(old, desired, resumed, canary, steps.as_mut()).await
    };
    let lost = match &stepped {
        Ok(_) => None,
        Err(_) => run.lost().await,
    };
    let aborted = inbox.aborted();
    let end = match (stepped, lost) {
        // Nothing is written without the lock: no store, no rollback, the journal kept.
        (Err(_), Some(lost)) => End::LeaseLost(lost),
        (Ok(Some(reason)), _) => End::Held { reason },
        (Ok(None), _) => {
            store(scope, live, desired, settings).await?;
            reporter.on(Event::Converged { group: run.name() });
            End::Done
        }
        (Err(WaitError::Interrupted), None) if aborted.is_some() => {
            let request = aborted.unwrap_or_else(|| unreachable!("checked by the guard"));
            let by = request.by.clone();
            if let Err(err) = run.obeyed(&request).await {
                tracing::warn!(target: "theseus::rollout", "{err}");
            }
            reporter.on(Event::Aborted { group: run.name(), by: by.clone() });
            run.rolling_back(format!("aborted by {by}")).await;
            match run.rollback(&old.id, full, &desired.app.id, cancel.as_mut()).await {
                Ok(()) => End::AbortedBy { by, to: revision_of(old) },
                Err(again) => End::AbortedByFailed { by, again },
            }
        }
        (Err(WaitError::Interrupted), None) => End::Interrupted,
        (Err(err), None) if settings.no_rollback => {
            run.witness(&desired.app.id).await;
            End::LeftAsIs(err)
        }
        (Err(err), None) => {
            run.witness(&desired.app.id).await;
            reporter.on(Event::RollingBack { group: run.name(), reason: err.to_string() });
            run.rolling_back(err.to_string()).await;
            match run.rollback(&old.id, full, &desired.app.id, cancel.as_mut()).await {
                Ok(()) => End::RolledBack { err, to: revision_of(old) },
                Err(again) => End::RollbackFailed { err, again },
            }
        }
    };
    run.end(end).await
}

/// Adds the error of a Marathon or etcd call to a rollout failure.
fn failed(what: &str, err: impl std::fmt::Display) -> WaitError {
    WaitError::Failing { group: what.to_owned(), reason: err.to_string() }
}

impl Run<'_> {
    /// The steps of an update: the canary step (if `canary` instances are to be tried), then
    /// the batches. `Some(reason)` when it held and detached.
    async fn step(
        &mut self,
        old: &App,
        desired: &Desired,
        resumed: u32,
        canary: Option<u32>,
        mut cancel: Cancel<'_>,
    ) -> Result<Option<String>, WaitError> {
        let mut resumed = resumed;
        if let Some(count) = canary {
            // A failure names the canary: its group reads "`web/dev` canary".
            let named = |err| match err {
                WaitError::Failing { group, reason } if !group.ends_with("canary") => {
                    WaitError::Failing { group: format!("{group} canary"), reason }
                }
                WaitError::Unplaceable { group, reason } => {
                    WaitError::Unplaceable { group: format!("{group} canary"), reason }
                }
                other => other,
            };
            match self.canary(old, desired, count, cancel.as_mut()).await.map_err(named)? {
                CanaryEnd::Detached { reason } => return Ok(Some(reason)),
                CanaryEnd::Promoted => resumed = resumed.max(count),
            }
        }
        self.forward(old, desired, resumed, cancel).await.map(|()| None)
    }

    /// The forward steps of an update from `old` to `desired` (`resumed` instances of which an
    /// interrupted run left): batch by batch, the new app scaled up through the health gate, its
    /// tasks registered, old ones retired; then the old app deleted.
    async fn forward(
        &mut self,
        old: &App,
        desired: &Desired,
        resumed: u32,
        mut cancel: Cancel<'_>,
    ) -> Result<(), WaitError> {
        let (scope, live, settings, reporter) = (self.scope, self.live, self.settings, self.reporter);
        let name = self.name();
        let r = &settings.rollout;
        let n = self.result.instances;
        let floor = n.saturating_sub(r.max_unavailable_of(n));
        let plan = batch_sizes(r, n.saturating_sub(resumed));
        let mut new_count = resumed;
        let mut old_left = old.instances.unwrap_or(0);
        let mut healthy_now = crate::rollout::wait::counts(old).healthy + resumed;
        // A single-instance group never runs two tasks at once: the old task is retired, and its
        // kill-and-scale deployment ends (the task is terminal), before the new one is started.
        let stop_first = stops_first(live.apps.iter().chain([&desired.app]));
        for (i, b) in plan.iter().copied().enumerate() {
            // A safe point: a `rollout pause` holds here, before the batch.
            self.control_point(cancel.as_mut()).await?;
            let batch_started = Instant::now();
            self.result.batches.push(b);
            reporter.on(Event::BatchStarted {
                group: name.clone(),
                batch: i as u32 + 1,
                batches: plan.len() as u32,
                size: b,
            });
            // max_unavailable lets old tasks go before the new batch is healthy, never below the floor.
            let early =
                if stop_first { b.min(old_left) } else { b.min(old_left).min(healthy_now.saturating_sub(floor)) };
            if early > 0 {
                old_left = self.retire(old, early, old_left, cancel.as_mut()).await?;
            }
            if stop_first {
                self.inflight.settle(&old.id, cancel.as_mut()).await?;
            }
            new_count += b;
            // The previous batch's scale-up of the new app (its readiness checks may keep it open a
            // little past the health gate) must be over, or this scale would conflict with it. Forced
            // only for a deployment this process did not start: a resumed rollout's dead client may
            // have left one holding the new app; ours are settled first, so force never cancels them.
            self.inflight.settle(&desired.app.id, cancel.as_mut()).await?;
            let change = scope
                .write()
                .map_err(|e| failed("scaling the new revision app", e))?
                .marathon
                .scale_app(&desired.app.id, new_count, true)
                .await
                .map_err(|e| failed(&format!("scaling `{}` to {new_count}", desired.app.id), e))?;
            self.inflight.started(&desired.app.id, &change);
            let passed = self.pass_gate(&desired.app.id, new_count, cancel.as_mut()).await?;
            // The gate's last read lists the deployments still running: those of ours it does
            // not list are over, and the next writes need not read `/v2/deployments` again.
            self.inflight.observe(&passed.snapshot.deployments);
            self.result.timings.batches.push(batch_started.elapsed().as_secs_f64());
            reporter.on(Event::BatchHealthy {
                group: name.clone(),
                batch: i as u32 + 1,
                healthy: passed.tasks.len() as u32,
                desired: n,
            });
            let infos: Vec<_> = passed.tasks.iter().map(|t| container_info(&passed.app, t)).collect();
            let last = i + 1 == plan.len();
            let rest = if last { old_left } else { (b - early).min(old_left) };
            // Between the gate and the next scale-up only what must come first is waited for:
            // the registration of the healthy batch before the kill of the old tasks it replaces
            // (one etcd transaction that registers them and drains the victims, so etcd never
            // lists fewer than the floor), the kill itself. The victims come from the gate's own
            // read when the old app's last kill had ended by then; the journal's batch count
            // (it only says how far the rollout got: a resumed one reads Marathon's instance
            // counts) and the next safe point's read of the control key go at the same time.
            let prefetch = !last && (self.full || r.wait.is_zero());
            let (journaled, retired, ()) = tokio::join!(
                self.tracker.batch_done(),
                retire_registering(
                    scope,
                    live,
                    &mut self.inflight,
                    old,
                    Retiring { count: rest, left: old_left, seen: &passed.snapshot, registering: &infos },
                    cancel.as_mut()
                ),
                async {
                    if let Some(inbox) = self.inbox.filter(|_| prefetch) {
                        inbox.prefetch().await;
                    }
                }
            );
            old_left = retired?;
            journaled.map_err(|e| failed("journaling the batch", e))?;
            healthy_now = new_count + old_left;
            if !last && !self.full {
                gate::pause(&name, r.wait, reporter, cancel.as_mut()).await?;
            }
        }
        if plan.is_empty() && old_left > 0 {
            self.retire(old, old_left, old_left, cancel.as_mut()).await?;
        }
        // With a bake, the new revision runs alone for a while first, the old app kept at 0
        // instances: a failure meanwhile rolls back to it.
        self.bake(&desired.app.id, cancel.as_mut()).await?;
        // The old revision app is empty once its last kill-and-scale deployment ends (its tasks are
        // terminal); only then is it deleted, without force, so no deployment of ours is canceled.
        self.inflight.settle(&old.id, cancel.as_mut()).await?;
        let writer = scope.write().map_err(|e| failed(&format!("deleting `{}`", old.id), e))?;
        super::confirm::delete_app(writer.marathon, &old.id, false)
            .await
            .map_err(|e| failed(&format!("deleting `{}`", old.id), e))?;
        Ok(())
    }

    /// Retires `count` old tasks (drain, then one kill with `scale=true`) once the old app's
    /// previous kill-and-scale deployment is over; returns the old instances left.
    async fn retire(&mut self, old: &App, count: u32, left: u32, cancel: Cancel<'_>) -> Result<u32, WaitError> {
        let app = read_retiring(self.scope, self.live, &mut self.inflight, old, cancel).await?;
        kill_retired(self.scope, self.live, &mut self.inflight, &app, count, left, &[]).await
    }
}

/// A retirement after a batch passed its gate: `count` of the `left` old tasks, seen in the
/// gate's last read, making way for the batch's healthy tasks to register.
struct Retiring<'s> {
    count: u32,
    left: u32,
    seen: &'s Snapshot,
    registering: &'s [ContainerInfo],
}

/// Registers a batch that passed its gate and retires the old tasks it replaces ([`Retiring`]);
/// returns the old instances left. When the gate's read already shows the old app's previous
/// kill over, the registration rides in the drain's transaction; else it is written at once,
/// while that kill ends (a long kill grace must not hold back healthy tasks' registration).
async fn retire_registering(
    scope: Scope<'_>,
    live: &LiveGroup,
    inflight: &mut InFlight<'_>,
    old: &App,
    r: Retiring<'_>,
    cancel: Cancel<'_>,
) -> Result<u32, WaitError> {
    let register = || async {
        let writer = scope.write().map_err(|e| failed("registering the new containers", e))?;
        writer
            .etcd
            .register_containers(&live.key, r.registering)
            .await
            .map_err(|e| failed("registering the new containers", e))
    };
    if r.count == 0 {
        register().await?;
        return Ok(r.left);
    }
    if let Some(app) = seen_retiring(live, inflight, old, r.seen) {
        return kill_retired(scope, live, inflight, &app, r.count, r.left, r.registering).await;
    }
    let (registered, app) = tokio::join!(register(), read_retiring(scope, live, inflight, old, cancel));
    registered?;
    kill_retired(scope, live, inflight, &app?, r.count, r.left, &[]).await
}

/// The kill of a retirement, on the old app as [`read_retiring`] read it, registering
/// `registering` in the drain's transaction; returns the old instances left.
async fn kill_retired(
    scope: Scope<'_>,
    live: &LiveGroup,
    inflight: &mut InFlight<'_>,
    app: &App,
    count: u32,
    left: u32,
    registering: &[ContainerInfo],
) -> Result<u32, WaitError> {
    let retired = kill_drained(scope, &live.key, app, count, Kill::AndScale, registering)
        .await
        .map_err(|e| failed(&format!("stopping old tasks of `{}`", app.id), format!("{e:#}")))?;
    if let Some(change) = &retired.change {
        inflight.started(&app.id, change);
    }
    Ok(left.saturating_sub(count))
}

/// The old app as `seen` (the health gate's last read) shows it, when its previous
/// kill-and-scale deployment was already over by then: what a retirement picks its tasks from,
/// with no read of its own (the gate's read is the check of truth right before the kill; its
/// tasks still killing are never picked, [`super::retire::pick`]).
fn seen_retiring(live: &LiveGroup, inflight: &InFlight<'_>, old: &App, seen: &Snapshot) -> Option<App> {
    if inflight.pending(&old.id) {
        return None;
    }
    seen.group(&live.key).and_then(|g| g.apps.iter().find(|a| a.id == old.id)).cloned()
}

/// The old app as Marathon shows it once its previous kill-and-scale deployment is over: what
/// a retirement picks its tasks from.
async fn read_retiring(
    scope: Scope<'_>,
    live: &LiveGroup,
    inflight: &mut InFlight<'_>,
    old: &App,
    cancel: Cancel<'_>,
) -> Result<App, WaitError> {
    inflight.settle(&old.id, cancel).await?;
    let services = [live.key.service().to_owned()];
    let snap = Snapshot::read(scope.marathon, scope.namespace, &services, &Selector::default()).await?;
    let app = snap.group(&live.key).and_then(|g| g.apps.iter().find(|a| a.id == old.id)).cloned();
    app.ok_or_else(|| WaitError::Gone { app: old.id.clone() })
}
