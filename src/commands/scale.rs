//! `theseus scale SERVICE -l LABELS --instances N`: scale one group in place.

use anyhow::Context as _;

use crate::cli::{GlobalArgs, ScaleArgs};
use crate::commands::common::{connect_etcd, waiting};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::output::{Output, Progress};
use crate::rollout::apply::{self, Scope};
use crate::rollout::live::Snapshot;
use crate::spec::labels::Selector;

/// Runs `theseus scale`.
pub async fn run(global: &GlobalArgs, args: ScaleArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let selector = Selector::parse(&args.labels)?;
    let ctx = Context::new(global, out)?;
    let etcd = connect_etcd(global).await?;
    let services = vec![args.service.clone()];
    let snap = Snapshot::read_in(&ctx.marathon, global.namespace.as_deref(), &services, &selector)
        .await
        .context("reading the groups from Marathon")?;
    let namespace = ctx.namespace_of(&args.service, &snap)?;
    let group = apply::the_group(&snap, &args.service, &selector)?;
    out.status("Scaling", format!("{} to {} instance(s)", group.group_id, args.instances));
    let progress = Progress::new(out, "Scaled");
    let result = apply::scale(
        Scope { marathon: &ctx.marathon, etcd: &etcd, namespace: &namespace, waiting: waiting(&args.wait) },
        group,
        args.instances,
        &progress,
        ctx.cancel(),
    )
    .await?;
    drop(progress);
    out.result(&vec![result])?;
    Ok(ExitStatus::Success)
}
