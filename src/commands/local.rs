//! `theseus local` (being built).

use crate::cli::{GlobalArgs, LocalArgs};
use crate::error::ExitStatus;
use crate::output::Output;

/// Runs the command.
pub async fn run(_global: &GlobalArgs, _args: LocalArgs, _out: &Output) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("not built yet")
}
