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
//! - [`mesos`]: reading task sandboxes from the Mesos agents (`theseus logs`).
//! - [`etcd`]: the service-discovery driver over etcd-client; the only module that talks to etcd.
//! - [`rollout`]: live state, plans, waits and progress events for the lifecycle commands.
//! - [`sync`]: `theseus sync`, keeping etcd equal to Marathon's running, healthy tasks.
//! - [`local`]: `theseus local`, a Marathon-compatible engine on loopback.
//! - [`output`]: the only module that writes to stdout and stderr (tables, JSON, progress).
//! - [`names`]: service and label names, the encoding of a label set, [`names::GroupKey`].
//! - [`tls`]: the process's one TLS crypto provider (*ring*).
//! - [`secret`]: [`secret::Secret`], credentials that never print.
//! - [`error`]: exit codes (DESIGN §5) and the error types every layer may raise (a leaf).
//! - [`error_reporting`]: picks the exit code for an error and prints it with its hints.
//!
//! Dependencies point down: `commands` → (`spec`, `marathon`, `etcd`, `local`) → `output`/`error`.

pub mod cli;
pub mod commands;
pub mod context;
pub mod error;
pub mod error_reporting;
pub mod etcd;
pub mod local;
pub mod logging;
pub mod marathon;
pub mod mesos;
pub mod names;
pub mod output;
pub mod rollout;
pub mod secret;
pub mod spec;
pub mod sync;
pub mod tls;

use cli::{Cli, Command};
use context::Context;
use error::ExitStatus;
use output::Output;

/// Runs one parsed command line to completion.
///
/// `completions` needs nothing but the terminal (ripgrep's "special modes"); every other command
/// gets the one [`Context`] built here, which does no I/O until a command asks for a client.
///
/// Commands that touch no network (`render`, `validate`, `completions`) run without a
/// runtime through [`run_offline`] first; `run` still runs them when called directly.
pub async fn run(cli: Cli, out: &Output) -> anyhow::Result<ExitStatus> {
    let command = match cli.command {
        Command::Completions(args) => return commands::completions::run(args, out),
        command => command,
    };
    let ctx = Context::new(&cli.global, out.clone(), command.name());
    let ctx = &ctx;
    match command {
        Command::Completions(args) => commands::completions::run(args, out),
        Command::Render(args) => commands::render::run(ctx, args),
        Command::Validate(args) => commands::validate::run(ctx, args),
        Command::Plan(args) => commands::plan::run(ctx, args).await,
        Command::Create(args) => commands::create::run(ctx, args).await,
        Command::Update(args) => commands::update::run(ctx, args).await,
        Command::Restart(args) => commands::restart::run(ctx, args).await,
        Command::Rollout(args) => commands::rollout::run(ctx, args).await,
        Command::History(args) => commands::history::run(ctx, args).await,
        Command::Rollback(args) => commands::rollback::run(ctx, args).await,
        Command::Scale(args) => commands::scale::run(ctx, args).await,
        Command::Remove(args) => commands::remove::run(ctx, args).await,
        Command::View(args) => commands::view::run(ctx, args).await,
        Command::Endpoints(args) => commands::endpoints::run(ctx, args).await,
        Command::Logs(args) => commands::logs::run(ctx, args).await,
        Command::Sync(args) => commands::sync::run(ctx, args).await,
        Command::Local(args) => commands::local::run(ctx, args).await,
    }
}

/// Runs a command that touches no network (`render`, `validate`, `completions`) on the
/// calling thread, with no async runtime to build; any other command is handed back for
/// [`run`].
pub fn run_offline(cli: Cli, out: &Output) -> Result<anyhow::Result<ExitStatus>, Box<Cli>> {
    let name = cli.command.name();
    match cli.command {
        Command::Completions(args) => Ok(commands::completions::run(args, out)),
        Command::Render(args) => Ok(commands::render::run(&Context::new(&cli.global, out.clone(), name), args)),
        Command::Validate(args) => Ok(commands::validate::run(&Context::new(&cli.global, out.clone(), name), args)),
        command => Err(Box::new(Cli { global: cli.global, command })),
    }
}
