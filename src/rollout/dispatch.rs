//! `theseus update`'s dispatch: what each selected group gets from its [`GroupPlan`] (create
//! what is missing, scale in place what changed only in `instances`, roll everything else in
//! batches), as one [`RolloutResult`] row per group; and the rows `--dry-run` prints instead.

use std::future::Future;
use std::time::Instant;

use super::event::{Reporter, Silent};
use super::live::Snapshot;
use super::plan::{Action, Desired, GroupPlan, STOP_FIRST};
use super::result::{GroupResult, RolloutOutcome, RolloutResult, Timings};
use super::rolling::batch_sizes;
use super::scope::{Scope, Settings, Timing};
use crate::error::ExitStatus;

/// The row of `p` before anything ran, with `outcome` and `instances`.
fn row(p: &GroupPlan, outcome: RolloutOutcome, instances: u32) -> RolloutResult {
    RolloutResult {
        service: p.service.clone(),
        group: p.group.clone(),
        outcome,
        from: p.live_revisions.first().cloned(),
        to: p.revision.clone(),
        instances,
        batches: Vec::new(),
        reason: None,
        timings: Timings::default(),
        status: ExitStatus::Success,
        wave: None,
        evidence: None,
    }
}

/// What `--dry-run` prints for one group of `instances` rolled with `settings`.
pub fn dry_run_row(p: &GroupPlan, settings: &Settings, instances: u32) -> RolloutResult {
    let (outcome, batches) = match &p.action {
        Action::Create => (RolloutOutcome::WouldCreate, Vec::new()),
        Action::Scale { .. } => (RolloutOutcome::WouldScale, Vec::new()),
        Action::RollingUpdate { .. } => (RolloutOutcome::WouldRoll, batch_sizes(&settings.rollout, instances)),
        Action::Unchanged | Action::RemoveCandidate => (RolloutOutcome::Unchanged, Vec::new()),
    };
    let reason = matches!(p.action, Action::RollingUpdate { stop_first: true, .. }).then(|| STOP_FIRST.to_owned());
    RolloutResult { batches, reason, ..row(p, outcome, instances) }
}

/// A create's or scale's result as an update row.
fn applied(p: &GroupPlan, r: GroupResult, outcome: RolloutOutcome, started: Instant) -> RolloutResult {
    let mut out = row(p, outcome, r.instances);
    out.timings.total = started.elapsed().as_secs_f64();
    out
}

/// Applies `p` to one group (`snap` is what the plan was made from): creates it, scales it in
/// place, or rolls it with `settings` (the scope's timeout is the group's deadline meanwhile),
/// under its lock. An error is the caller's to classify (see [`failed_row`]).
#[allow(clippy::too_many_arguments)]
pub async fn update_group(
    scope: Scope<'_>,
    snap: &Snapshot,
    p: &GroupPlan,
    d: &Desired,
    settings: &Settings,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<RolloutResult> {
    let started = Instant::now();
    let scope = scope.with_timing(Timing { timeout: settings.rollout.deadline, ..scope.timing });
    let instances = d.app.instances.unwrap_or(1);
    match (&p.action, snap.group(&d.key)) {
        (Action::Create, _) => super::create::create(scope, std::slice::from_ref(d), false, &Silent, cancel)
            .await
            .map(|mut r| applied(p, r.remove(0), RolloutOutcome::Created, started)),
        (Action::Scale { to, .. }, Some(live)) => super::apply::scale(scope, live, *to, false, &Silent, cancel)
            .await
            .map(|r| applied(p, r, RolloutOutcome::Scaled, started)),
        (Action::RollingUpdate { .. }, Some(live)) => {
            super::rolling::update(scope, live, d, settings, reporter, cancel).await
        }
        _ => Ok(row(p, RolloutOutcome::Unchanged, instances)),
    }
}

/// The failed row of a group whose [`update_group`] ended in an error that classifies as
/// `status`, `started` at that instant.
pub fn failed_row(
    p: &GroupPlan,
    d: &Desired,
    err: &anyhow::Error,
    status: ExitStatus,
    started: Instant,
) -> RolloutResult {
    RolloutResult {
        reason: Some(format!("{err:#}")),
        status,
        timings: Timings { total: started.elapsed().as_secs_f64(), batches: Vec::new() },
        ..row(p, RolloutOutcome::Failed, d.app.instances.unwrap_or(1))
    }
}
