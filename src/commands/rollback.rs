//! `theseus rollback SERVICE -l LABELS [--to REV]`: roll one group to an earlier revision from
//! its history, with the same rolling machinery (and flags, and exit codes) as `update`.

use anyhow::Context as _;

use crate::cli::RollbackArgs;
use crate::commands::common::{dry_row, read_group, rollout_settings, rollout_status, rollout_timing};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::output::Progress;
use crate::rollout::{
    self, batch_sizes, desired_of_entry, history_target, revision_of, Event, Reporter, RolloutOutcome,
};
use crate::spec::Rollout;

/// Runs `theseus rollback`.
pub async fn run(ctx: &Context, args: RollbackArgs) -> anyhow::Result<ExitStatus> {
    let (group, namespace) = read_group(ctx, &args.group.service, &args.group.labels).await?;
    let etcd = ctx.etcd().await?;
    let entries = etcd
        .get_history(&group.key)
        .await
        .with_context(|| format!("reading the history of `{}` from etcd", group.group_id))?;
    let current = group.current().map(revision_of);
    let name = format!("{}/{}", group.key.service(), group.key.group());
    let entry = history_target(&entries, &name, current.as_deref(), args.to.as_deref())?;
    let desired = desired_of_entry(entry, &group)?;
    let spec_rollout = desired
        .config
        .get("rollout")
        .and_then(|r| serde_json::from_value::<Rollout>(r.clone()).ok())
        .unwrap_or_default();
    let message = args.message.clone().unwrap_or_else(|| format!("rollback to {}", entry.revision));
    let settings = rollout_settings(&args.rollout, &spec_rollout, Some(message))?;
    let instances = desired.app.instances.unwrap_or(1);
    if args.rollout.dry_run {
        let same = current.as_deref() == Some(entry.revision.as_str());
        let (outcome, batches) = match same {
            true => (RolloutOutcome::Unchanged, Vec::new()),
            false => (RolloutOutcome::WouldRoll, batch_sizes(&settings.rollout, instances)),
        };
        let row = dry_row(&group, outcome, (current, Some(entry.revision.clone())), instances, batches);
        ctx.out.result(&vec![row])?;
        ctx.out.status("Dry run", "nothing was changed");
        return Ok(ExitStatus::Success);
    }
    ctx.out.status("Rolling back", format!("{} to {}", group.group_id, entry.revision));
    let progress = Progress::new(&ctx.out, "Rolled back");
    progress.on(Event::Started { total: 1 });
    let waiting = rollout_timing(&args.rollout, &settings);
    let scope = ctx.scope(etcd, &namespace, waiting)?;
    let result = rollout::update(scope, &group, &desired, &settings, &progress, ctx.cancel()).await?;
    drop(progress);
    let results = vec![result];
    ctx.out.result(&results)?;
    rollout_status(&results)
}
