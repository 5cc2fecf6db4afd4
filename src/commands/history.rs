//! `theseus history SERVICE -l LABELS`: the revisions deployed to one group, newest first,
//! marking the one Marathon runs.

use anyhow::Context as _;

use crate::cli::HistoryArgs;
use crate::commands::common::read_group;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::rollout::{history_rows, revision_of};

/// Runs `theseus history`.
pub async fn run(ctx: &Context, args: HistoryArgs) -> anyhow::Result<ExitStatus> {
    let (group, _) = read_group(ctx, &args.group.service, &args.group.labels).await?;
    let entries = ctx
        .etcd()
        .await?
        .get_history(&group.key)
        .await
        .with_context(|| format!("reading the history of `{}` from etcd", group.group_id))?;
    let current = group.current().map(revision_of);
    ctx.out.result(&history_rows(&entries, current.as_deref()))?;
    Ok(ExitStatus::Success)
}
