//! `theseus render FILE [-s SERVICE] [-l LABEL...]`: the Marathon app definitions, offline.

use crate::cli::{GlobalArgs, RenderArgs};
use crate::error::ExitStatus;
use crate::output::Output;
use crate::spec::Selector;

/// Runs the command: a JSON array of app definitions on stdout (whatever `-o` says: the output
/// is the exact body sent to Marathon), or every problem of the spec on stderr and exit 2.
pub fn run(global: &GlobalArgs, args: RenderArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let selector = Selector::parse(&args.selection.labels)?;
    let spec = super::common::load_spec(&args.file, global)?;
    let groups = spec.select(&args.selection.services, &selector)?;
    out.json(&spec.apps(groups))?;
    Ok(ExitStatus::Success)
}
