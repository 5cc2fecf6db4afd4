//! `theseus restart SERVICE -l LABELS`: replace every task of one group in batches, with the
//! group's rollout settings (from its config in etcd) under the flags.

use anyhow::Context as _;

use crate::cli::RestartArgs;
use crate::commands::common::{one_group, read_service, rollout_settings, rollout_status, rollout_timing};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::output::Progress;
use crate::rollout::{self, batch_sizes, restart, Event, Reporter, RolloutOutcome, RolloutResult, Timings};
use crate::spec::Rollout;

/// Runs `theseus restart`.
pub async fn run(ctx: &Context, args: RestartArgs) -> anyhow::Result<ExitStatus> {
    let (service, selector) = one_group(&args.service, &args.labels)?;
    let (snap, namespace) = read_service(ctx, &service, &selector).await?;
    let group = rollout::the_group(&snap, &service, &selector)?;
    let etcd = ctx.etcd().await?;
    // The group's own rollout table, as deployed (a group created outside theseus has none).
    let spec_rollout = match etcd.get_group_config(&group.key).await {
        Ok(config) => match config.get("rollout") {
            Some(r) => serde_json::from_value::<Rollout>(r.clone())
                .with_context(|| format!("reading the rollout settings stored for `{}` in etcd", group.key))?,
            None => Rollout::default(),
        },
        Err(e) if e.is_not_found() => Rollout::default(),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("reading the config of `{}` from etcd", group.key))),
    };
    let settings = rollout_settings(&args.rollout, &spec_rollout, None)?;
    let instances = group.current().and_then(|a| a.instances).unwrap_or(0);
    if args.rollout.dry_run {
        let result = RolloutResult {
            service: group.key.service().to_owned(),
            group: group.key.group().to_owned(),
            outcome: RolloutOutcome::WouldRestart,
            from: group.revisions().into_iter().next(),
            to: group.revisions().into_iter().next(),
            instances,
            batches: batch_sizes(&settings.rollout, instances),
            reason: None,
            timings: Timings::default(),
            status: ExitStatus::Success,
            wave: None,
            evidence: None,
        };
        ctx.out.result(&vec![result])?;
        ctx.out.status("Dry run", "nothing was changed");
        return Ok(ExitStatus::Success);
    }
    ctx.out.status("Restarting", format!("{}/{} ({instances} instance(s))", group.key.service(), group.key.group()));
    let progress = Progress::new(&ctx.out, "Restarted");
    progress.on(Event::Started { total: 1 });
    let waiting = rollout_timing(&args.rollout, &settings);
    let scope = ctx.scope(etcd, &namespace, waiting)?;
    let result = restart(scope, group, &settings, &progress, ctx.cancel()).await?;
    drop(progress);
    let results = vec![result];
    ctx.out.result(&results)?;
    rollout_status(&results)
}
