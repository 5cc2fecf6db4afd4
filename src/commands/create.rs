//! `theseus create FILE`: create the selected groups, wait until healthy, register them.

use crate::cli::{CreateArgs, GlobalArgs};
use crate::commands::common::{connect_etcd, load_spec, waiting};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::output::{Output, Progress};
use crate::rollout::apply::{self, Scope};
use crate::spec::labels::Selector;

/// Runs `theseus create`.
pub async fn run(global: &GlobalArgs, args: CreateArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let spec = load_spec(&args.file, global)?;
    let selector = Selector::parse(&args.selection.labels)?;
    let groups = spec.select(&args.selection.services, &selector)?;
    let desired: Vec<_> = groups.iter().map(|g| apply::desired(g, &spec.namespace)).collect();
    let ctx = Context::new(global, out)?;
    let etcd = connect_etcd(global).await?;
    out.status("Creating", format!("{} group(s) under /{}", desired.len(), spec.namespace));
    let progress = Progress::new(out, "Deployed");
    let results = apply::create(
        Scope { marathon: &ctx.marathon, etcd: &etcd, namespace: &spec.namespace, waiting: waiting(&args.wait) },
        &desired,
        args.skip_existing,
        &progress,
        ctx.cancel(),
    )
    .await?;
    drop(progress);
    out.result(&results)?;
    Ok(ExitStatus::Success)
}
