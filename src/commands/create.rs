//! `theseus create FILE`: create the selected groups, wait until healthy, register them.

use crate::cli::CreateArgs;
use crate::commands::common::{load_spec, waiting};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::output::Progress;
use crate::rollout::apply::{self, Scope};
use crate::spec::labels::Selector;

/// Runs `theseus create`.
pub async fn run(ctx: &Context, args: CreateArgs) -> anyhow::Result<ExitStatus> {
    let spec = load_spec(&args.file, ctx)?;
    let selector = Selector::parse(&args.selection.labels)?;
    let groups = spec.select(&args.selection.services, &selector)?;
    let desired = groups.iter().map(|g| apply::desired(g, &spec.namespace)).collect::<Result<Vec<_>, _>>()?;
    let etcd = ctx.etcd().await?;
    ctx.out.status("Creating", format!("{} group(s) under /{}", desired.len(), spec.namespace));
    let progress = Progress::new(&ctx.out, "Deployed");
    let results = apply::create(
        Scope {
            marathon: ctx.marathon()?,
            etcd,
            namespace: &spec.namespace,
            waiting: waiting(&args.wait),
            owner: &ctx.owner,
        },
        &desired,
        args.skip_existing,
        &progress,
        ctx.cancel(),
    )
    .await?;
    drop(progress);
    ctx.out.result(&results)?;
    Ok(ExitStatus::Success)
}
