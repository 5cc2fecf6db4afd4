//! `theseus endpoints` (being built).

use crate::cli::{EndpointsArgs, GlobalArgs};
use crate::error::ExitStatus;
use crate::output::Output;

/// Runs the command.
pub async fn run(_global: &GlobalArgs, _args: EndpointsArgs, _out: &Output) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("not built yet")
}
