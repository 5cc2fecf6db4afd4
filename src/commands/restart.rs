//! `theseus restart SERVICE -l LABELS`: replace every task of one group in batches, with the
//! group's rollout settings (from its config in etcd) under the flags.

use anyhow::Context as _;

use crate::cli::RestartArgs;
use crate::commands::common::{rollout_settings, rollout_status};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::output::Progress;
use crate::rollout::apply::{self, Scope, Waiting};
use crate::rollout::live::Snapshot;
use crate::rollout::restart::restart;
use crate::rollout::rolling::{batch_sizes, RolloutOutcome, RolloutResult, Timings};
use crate::rollout::wait::WaitOptions;
use crate::rollout::{Event, Reporter};
use crate::spec::labels::Selector;
use crate::spec::Rollout;

/// Runs `theseus restart`.
pub async fn run(ctx: &Context, args: RestartArgs) -> anyhow::Result<ExitStatus> {
    let selector = Selector::parse(&args.labels)?;
    let services = vec![args.service.clone()];
    let snap = Snapshot::read_in(ctx.marathon()?, ctx.namespace_flag(), &services, &selector)
        .await
        .context("reading the groups from Marathon")?;
    let namespace = ctx.namespace_of(&args.service, &snap)?;
    let group = apply::the_group(&snap, &args.service, &selector)?;
    let etcd = ctx.etcd().await?;
    // The group's own rollout table, as deployed (a group created outside theseus has none).
    let spec_rollout = etcd
        .get_group_config(&group.key)
        .await
        .ok()
        .and_then(|c| c.get("rollout").cloned())
        .and_then(|r| serde_json::from_value::<Rollout>(r).ok())
        .unwrap_or_default();
    let settings = rollout_settings(&args.rollout, &spec_rollout, None);
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
        };
        ctx.out.result(&vec![result])?;
        ctx.out.status("Dry run", "nothing was changed");
        return Ok(ExitStatus::Success);
    }
    ctx.out.status("Restarting", format!("{} ({instances} instance(s))", group.group_id));
    let progress = Progress::new(&ctx.out, "Restarted");
    progress.on(Event::Started { total: 1 });
    let waiting = Waiting {
        wait: true,
        lock_timeout: settings.lock_timeout,
        options: WaitOptions {
            timeout: settings.rollout.deadline,
            poll: settings.poll,
            unplaceable_after: settings.fail_after,
        },
    };
    let scope = Scope { marathon: ctx.marathon()?, etcd, namespace: &namespace, waiting };
    let result = restart(scope, group, &settings, &progress, ctx.cancel()).await?;
    drop(progress);
    let results = vec![result];
    ctx.out.result(&results)?;
    rollout_status(&results)
}
