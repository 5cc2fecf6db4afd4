//! `theseus validate` (being built: issue 2).

use crate::cli::{GlobalArgs, ValidateArgs};
use crate::error::ExitStatus;
use crate::output::Output;

/// Runs the command.
pub fn run(_global: &GlobalArgs, _args: ValidateArgs, _out: &Output) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("not built yet")
}
