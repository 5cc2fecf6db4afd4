//! Theseus: labeled container groups on Mesos + Marathon, with service discovery in etcd.
//!
//! # Layout
//! - [`cli`]: the command line as clap types; no I/O.
//! - [`commands`]: one module per subcommand; glue only (read args, call the library, print).
//! - [`context`]: settings resolved from flags and environment, and the clients built from them.
//! - [`spec`]: the TOML spec file: parse, inherit, validate (every error at once, with
//!   positions) and render each labeled group into a Marathon app definition. Pure, no I/O
//!   beyond reading the file.
//! - [`marathon`]: Marathon's wire model ([`marathon::types`]), shared by the client and the
//!   local engine.
//! - [`etcd`]: the service-discovery driver over etcd-client; the only module that talks to etcd.
//! - [`rollout`]: live state, plans, waits and progress events for the lifecycle commands.
//! - [`local`]: `theseus local`, a Marathon-compatible engine on loopback.
//! - [`output`]: the only module that writes to stdout and stderr (tables, JSON, progress).
//! - [`error`]: exit codes (DESIGN §5), error classification and reporting.
//!
//! Dependencies point down: `commands` → (`spec`, `marathon`, `etcd`, `local`) → `output`/`error`.

pub mod cli;
pub mod commands;
pub mod context;
pub mod error;
pub mod etcd;
pub mod local;
pub mod marathon;
pub mod output;
pub mod rollout;
pub mod spec;

use cli::{Cli, Command};
use error::{Classify, ExitStatus};
use output::Output;

/// Runs one parsed command line to completion.
pub async fn run(cli: Cli, out: &Output) -> anyhow::Result<ExitStatus> {
    let global = cli.global;
    match cli.command {
        Command::Completions(args) => commands::completions::run(args, out),
        Command::Render(args) => commands::render::run(&global, args, out),
        Command::Validate(args) => commands::validate::run(&global, args, out),
        Command::Plan(args) => commands::plan::run(&global, args, out).await,
        Command::Create(args) => commands::create::run(&global, args, out).await,
        Command::Scale(args) => commands::scale::run(&global, args, out).await,
        Command::Remove(args) => commands::remove::run(&global, args, out).await,
        Command::View(args) => commands::view::run(&global, args, out).await,
        Command::Endpoints(args) => commands::endpoints::run(&global, args, out).await,
        Command::Local(args) => commands::local::run(&global, args, out).await,
    }
}

/// Lets the modules' own error types decide exit codes and hints (see [`error::classify`]).
pub(crate) fn classify_module_error<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a dyn Classify> {
    // Each module with a typed error adds one line here.
    if let Some(e) = cause.downcast_ref::<marathon::Error>() {
        return Some(e);
    }
    if let Some(e) = cause.downcast_ref::<rollout::wait::WaitError>() {
        return Some(e);
    }
    if let Some(e) = cause.downcast_ref::<spec::Error>() {
        return Some(e);
    }
    if let Some(e) = cause.downcast_ref::<etcd::Error>() {
        return Some(e);
    }
    None
}
