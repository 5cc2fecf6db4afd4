//! `theseus scale SERVICE -l LABELS --instances N`: scale one group in place.

use crate::cli::ScaleArgs;
use crate::commands::common::{one_group, read_service, waiting};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::output::Progress;
use crate::rollout::{self};

/// Runs `theseus scale`.
pub async fn run(ctx: &Context, args: ScaleArgs) -> anyhow::Result<ExitStatus> {
    let (service, selector) = one_group(&args.service, &args.labels)?;
    let etcd = ctx.etcd().await?;
    let (snap, namespace) = read_service(ctx, &service, &selector).await?;
    let group = rollout::the_group(&snap, &service, &selector)?;
    ctx.out.status("Scaling", format!("{} to {} instance(s)", group.group_id, args.instances));
    let progress = Progress::new(&ctx.out, "Scaled");
    let result = rollout::scale(
        ctx.scope(etcd, &namespace, waiting(&args.wait))?,
        group,
        args.instances,
        args.force,
        &progress,
        ctx.cancel(),
    )
    .await
    .map_err(|e| super::common::undone_rows(ctx, e))?;
    drop(progress);
    ctx.out.result(&vec![result])?;
    Ok(ExitStatus::Success)
}
