//! `theseus update FILE`: roll the selected groups forward to the spec, all groups in parallel,
//! each under its own lock ([`crate::rollout::update_group`] decides what each group gets).

use anyhow::Context as _;
use futures::future::join_all;

use crate::cli::UpdateArgs;
use crate::commands::common::{canary_settings, load_spec, rollout_settings, rollout_status, rollout_timing};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::error_reporting::classify;
use crate::output::Progress;
use crate::rollout::{self, plan, Event, Reporter, RolloutResult, Scope, Settings, Snapshot};
use crate::spec::labels::Selector;
use crate::spec::Rollout;

/// Runs `theseus update`.
pub async fn run(ctx: &Context, args: UpdateArgs) -> anyhow::Result<ExitStatus> {
    let spec = load_spec(&args.files, ctx)?;
    let selector = Selector::parse(&args.selection.labels)?;
    let groups = spec.select(&args.selection.services, &selector)?;
    let desired = groups.iter().map(|g| rollout::desired(g, &spec.namespace)).collect::<Result<Vec<_>, _>>()?;
    let settings: Vec<Settings> = groups
        .iter()
        .map(|g| canary_settings(&args.canary, rollout_settings(&args.rollout, &g.rollout, args.message.clone())?))
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
            .map(|((p, d), s)| rollout::dry_run_row(p, s, d.app.instances.unwrap_or(1)))
            .collect();
        ctx.out.result(&results)?;
        ctx.out.status("Dry run", "nothing was changed");
        return Ok(ExitStatus::Success);
    }
    let etcd = ctx.etcd().await?;
    let changing = plans.iter().filter(|p| p.is_change()).count();
    ctx.out.status("Updating", format!("{changing} of {} group(s) under /{}", plans.len(), spec.namespace));
    let progress = Progress::new(&ctx.out, "Updated");
    let timing = rollout_timing(&args.rollout, &rollout_settings(&args.rollout, &Rollout::default(), None)?);
    let scope = Scope::new(ctx.marathon()?, etcd, &spec.namespace, timing, &ctx.owner);
    progress.on(Event::Started { total: changing });
    let work = plans.iter().zip(&desired).zip(&settings).map(|((p, d), s)| {
        let progress = &progress;
        let snap = &snap;
        async move {
            let started = std::time::Instant::now();
            match rollout::update_group(scope, snap, p, d, s, progress, ctx.cancel()).await {
                Ok(row) => row,
                // A group's error is its row, with the status it classifies as.
                Err(err) => rollout::failed_row(p, d, &err, classify(&err), started),
            }
        }
    });
    let results = join_all(work).await;
    drop(progress);
    ctx.out.result(&results)?;
    rollout_status(&results)
}
