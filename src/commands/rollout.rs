//! `theseus rollout status|resume|abort SERVICE -l LABELS`: show, continue or roll back the
//! rollout journaled for one group ([`crate::rollout::resume`]).

use anyhow::Context as _;

use crate::cli::{GroupArgs, RolloutAction, RolloutCommandArgs, RolloutGroupArgs};
use crate::commands::common::{dry_row, read_group, rollout_settings, rollout_status, rollout_timing};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::etcd::{Journal, RolloutKind};
use crate::output::Progress;
use crate::rollout::{
    self, nothing_journaled, Event, LiveGroup, Reporter, RolloutOutcome, RolloutStatus, Scope, Settings,
};
use crate::spec::Rollout;

/// Runs `theseus rollout`.
pub async fn run(ctx: &Context, args: RolloutCommandArgs) -> anyhow::Result<ExitStatus> {
    match args.action {
        RolloutAction::Status(group) => status(ctx, group).await,
        RolloutAction::Resume(args) => change(ctx, args, true).await,
        RolloutAction::Abort(args) => change(ctx, args, false).await,
    }
}

/// The group and its journal; no journal is a usage error (exit 2).
async fn journaled(ctx: &Context, args: &GroupArgs) -> anyhow::Result<(LiveGroup, String, Journal)> {
    let (group, namespace) = read_group(ctx, &args.service, &args.labels).await?;
    let journal = ctx
        .etcd()
        .await?
        .get_rollout(&group.key)
        .await
        .with_context(|| format!("reading the rollout journal of `{}`", group.group_id))?
        .ok_or_else(|| nothing_journaled(&group))?;
    Ok((group, namespace, journal))
}

async fn status(ctx: &Context, args: GroupArgs) -> anyhow::Result<ExitStatus> {
    let (group, _, journal) = journaled(ctx, &args).await?;
    let lock = ctx
        .etcd()
        .await?
        .group_lock_holder(&group.key)
        .await
        .with_context(|| format!("reading the lock of `{}`", group.group_id))?;
    ctx.out.result(&RolloutStatus::of(&journal, Some(&group), lock))?;
    Ok(ExitStatus::Success)
}

/// The journaled settings under the flags.
fn settings(args: &RolloutGroupArgs, journal: &Journal) -> anyhow::Result<Settings> {
    let journaled: Rollout = serde_json::from_value(journal.rollout.clone()).unwrap_or_default();
    Ok(rollout_settings(&args.rollout, &journaled, journal.message.clone())?)
}

/// `resume` (or `abort` when `forward` is false).
async fn change(ctx: &Context, args: RolloutGroupArgs, forward: bool) -> anyhow::Result<ExitStatus> {
    let (group, namespace, journal) = journaled(ctx, &args.group).await?;
    let settings = settings(&args, &journal)?;
    let (from, to) = (journal.from.as_ref().map(|f| f.revision.clone()), Some(journal.to.revision.clone()));
    if args.rollout.dry_run {
        let left = journal.plan.iter().skip(journal.batches_done as usize).copied().collect();
        let row = match (forward, journal.kind) {
            (true, RolloutKind::Update) => {
                dry_row(&group, RolloutOutcome::WouldRoll, (from, to), journal.to.instances, left)
            }
            (true, RolloutKind::Restart) => {
                dry_row(&group, RolloutOutcome::WouldRestart, (from, to), journal.to.instances, left)
            }
            (false, _) => {
                let instances = journal.from.as_ref().map_or(0, |f| f.instances);
                dry_row(&group, RolloutOutcome::WouldRollBack, (to, from), instances, Vec::new())
            }
        };
        ctx.out.result(&vec![row])?;
        ctx.out.status("Dry run", "nothing was changed");
        return Ok(ExitStatus::Success);
    }
    let etcd = ctx.etcd().await?;
    let done = format!("{} of {} batch(es) done", journal.batches_done, journal.plan.len());
    let (verb, finished) = if forward { ("Resuming", "Resumed") } else { ("Aborting", "Aborted") };
    ctx.out.status(verb, format!("the {} of {} ({done}, {})", journal.kind, group.group_id, journal.state));
    let progress = Progress::new(&ctx.out, finished);
    progress.on(Event::Started { total: 1 });
    let waiting = rollout_timing(&args.rollout, &settings);
    let scope = Scope::new(ctx.marathon()?, etcd, &namespace, waiting, &ctx.owner);
    let result = if forward {
        rollout::resume(scope, &group, &journal, &settings, &progress, ctx.cancel()).await?
    } else {
        rollout::abort(scope, &group, &settings, &progress, ctx.cancel()).await?
    };
    drop(progress);
    let results = vec![result];
    ctx.out.result(&results)?;
    rollout_status(&results)
}
