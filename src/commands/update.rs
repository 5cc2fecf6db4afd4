//! `theseus update FILE`: roll the selected groups forward to the spec, all groups in parallel,
//! each under its own lock: create what is missing, scale in place what changed only in
//! `instances`, roll everything else in batches ([`crate::rollout::rolling`]).

use anyhow::Context as _;
use futures::future::join_all;

use crate::cli::UpdateArgs;
use crate::commands::common::{load_spec, rollout_settings, rollout_status, rollout_timing};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::error_reporting::classify;
use crate::output::Progress;
use crate::rollout::apply::{self, GroupResult, Scope, Timing};
use crate::rollout::live::Snapshot;
use crate::rollout::plan::{plan, Action, Desired, GroupPlan, STOP_FIRST};
use crate::rollout::rolling::{self, batch_sizes, RolloutOutcome, RolloutResult, Settings, Timings};
use crate::rollout::{Event, Reporter, Silent};
use crate::spec::labels::Selector;
use crate::spec::Rollout;

/// A result row before anything ran.
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
    }
}

/// What `--dry-run` prints for one group.
fn dry(p: &GroupPlan, settings: &Settings, instances: u32) -> RolloutResult {
    let (outcome, batches) = match &p.action {
        Action::Create => (RolloutOutcome::WouldCreate, Vec::new()),
        Action::Scale { .. } => (RolloutOutcome::WouldScale, Vec::new()),
        Action::RollingUpdate { .. } => (RolloutOutcome::WouldRoll, batch_sizes(&settings.rollout, instances)),
        Action::Unchanged | Action::RemoveCandidate => (RolloutOutcome::Unchanged, Vec::new()),
    };
    let reason = matches!(p.action, Action::RollingUpdate { stop_first: true, .. }).then(|| STOP_FIRST.to_owned());
    RolloutResult { batches, reason, ..row(p, outcome, instances) }
}

fn from_apply(p: &GroupPlan, r: GroupResult, outcome: RolloutOutcome, started: std::time::Instant) -> RolloutResult {
    let mut out = row(p, outcome, r.instances);
    out.timings.total = started.elapsed().as_secs_f64();
    out
}

/// One group's change; errors become a failed row with the status they classify as.
async fn one(
    ctx: &Context,
    scope: Scope<'_>,
    snap: &Snapshot,
    p: &GroupPlan,
    d: &Desired,
    settings: &Settings,
    progress: &Progress,
) -> RolloutResult {
    let started = std::time::Instant::now();
    let scope = scope.with_timing(Timing { timeout: settings.rollout.deadline, ..scope.timing });
    let instances = d.app.instances.unwrap_or(1);
    let done = match (&p.action, snap.group(&d.key)) {
        (Action::Create, _) => apply::create(scope, std::slice::from_ref(d), false, &Silent, ctx.cancel())
            .await
            .map(|mut r| from_apply(p, r.remove(0), RolloutOutcome::Created, started)),
        (Action::Scale { to, .. }, Some(live)) => apply::scale(scope, live, *to, false, &Silent, ctx.cancel())
            .await
            .map(|r| from_apply(p, r, RolloutOutcome::Scaled, started)),
        (Action::RollingUpdate { .. }, Some(live)) => {
            rolling::update(scope, live, d, settings, progress, ctx.cancel()).await
        }
        _ => Ok(row(p, RolloutOutcome::Unchanged, instances)),
    };
    done.unwrap_or_else(|err| RolloutResult {
        reason: Some(format!("{err:#}")),
        status: classify(&err),
        timings: Timings { total: started.elapsed().as_secs_f64(), batches: Vec::new() },
        ..row(p, RolloutOutcome::Failed, instances)
    })
}

/// Runs `theseus update`.
pub async fn run(ctx: &Context, args: UpdateArgs) -> anyhow::Result<ExitStatus> {
    let spec = load_spec(&args.files, ctx)?;
    let selector = Selector::parse(&args.selection.labels)?;
    let groups = spec.select(&args.selection.services, &selector)?;
    let desired = groups.iter().map(|g| apply::desired(g, &spec.namespace)).collect::<Result<Vec<_>, _>>()?;
    let settings: Vec<Settings> = groups
        .iter()
        .map(|g| rollout_settings(&args.rollout, &g.rollout, args.message.clone()))
        .collect::<Result<_, _>>()?;
    let services: Vec<String> = spec.services().into_iter().map(str::to_owned).collect();
    let snap = Snapshot::read(ctx.marathon()?, &spec.namespace, &services, &Selector::default())
        .await
        .with_context(|| format!("reading groups under `/{}`", spec.namespace))?;
    let plans = plan(&desired, &snap, false);
    if args.rollout.dry_run {
        let results: Vec<RolloutResult> = plans
            .iter()
            .zip(&desired)
            .zip(&settings)
            .map(|((p, d), s)| dry(p, s, d.app.instances.unwrap_or(1)))
            .collect();
        ctx.out.result(&results)?;
        ctx.out.status("Dry run", "nothing was changed");
        return Ok(ExitStatus::Success);
    }
    let etcd = ctx.etcd().await?;
    let changing = plans.iter().filter(|p| p.is_change()).count();
    ctx.out.status("Updating", format!("{changing} of {} group(s) under /{}", plans.len(), spec.namespace));
    let progress = Progress::new(&ctx.out, "Updated");
    let waiting = rollout_timing(&args.rollout, &rollout_settings(&args.rollout, &Rollout::default(), None)?);
    let scope = Scope::new(ctx.marathon()?, etcd, &spec.namespace, waiting, &ctx.owner);
    progress.on(Event::Started { total: changing });
    let work = plans.iter().zip(&desired).zip(&settings).map(|((p, d), s)| one(ctx, scope, &snap, p, d, s, &progress));
    let results = join_all(work).await;
    drop(progress);
    ctx.out.result(&results)?;
    rollout_status(&results)
}
