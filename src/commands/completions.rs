//! `theseus completions SHELL`: a completion script generated from the CLI definition.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::ExitStatus;
use crate::output::Output;

/// The completion script for `shell`, as text.
pub fn script(shell: clap_complete::Shell) -> String {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "theseus", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// Prints the completion script on stdout.
pub fn run(args: CompletionsArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    out.text(&script(args.shell))?;
    Ok(ExitStatus::Success)
}
