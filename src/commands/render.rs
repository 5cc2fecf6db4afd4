//! `theseus render` (being built: issue 2).

use crate::cli::{GlobalArgs, RenderArgs};
use crate::error::ExitStatus;
use crate::output::Output;

/// Runs the command.
pub fn run(_global: &GlobalArgs, _args: RenderArgs, _out: &Output) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("not built yet")
}
