//! `theseus render FILE [-s SERVICE] [-l LABEL...]`: the Marathon app definitions, offline.

use crate::cli::RenderArgs;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::spec::Selector;

/// Runs the command: a JSON array of app definitions on stdout (whatever `-o` says: the output
/// is the exact body sent to Marathon), or every problem of the spec on stderr and exit 2.
pub fn run(ctx: &Context, args: RenderArgs) -> anyhow::Result<ExitStatus> {
    let selector = Selector::parse(&args.selection.labels)?;
    let spec = super::common::load_spec(&args.files, ctx)?;
    let groups = spec.select(&args.selection.services, &selector)?;
    ctx.out.json(&spec.apps(groups))?;
    Ok(ExitStatus::Success)
}
