//! The command line, as clap types only: no I/O, no network, no business rules.
//!
//! Doc comments are the help text: the first line is the short help, the text after a blank
//! line the long help. Every global flag has a `THESEUS_*` environment mirror.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

mod engine;
mod global;
mod inspect;
mod lifecycle;
mod logs;
mod specs;
pub use engine::LocalArgs;
pub use global::{ColorChoice, Format, GlobalArgs, LogFormat};
pub use inspect::{EndpointsArgs, ViewArgs};
pub use lifecycle::{CanaryArgs, CreateArgs, RemoveArgs, RestartArgs, RolloutArgs, ScaleArgs, UpdateArgs, WaitArgs};
pub use logs::LogsArgs;
pub use specs::{PlanArgs, RenderArgs, Selection, SpecFiles, ValidateArgs};
mod rollouts;
mod sync;
pub use rollouts::{
    ControlArgs, ControlWaitArgs, GroupArgs, HistoryArgs, PromoteArgs, RollbackArgs, RolloutAction, RolloutCommandArgs,
    RolloutGroupArgs,
};
pub use sync::SyncArgs;

/// The exit-code table shown at the end of `theseus --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success (for `plan`: no changes pending)
  1    error talking to Marathon or etcd, or an unexpected error
  2    usage error or invalid spec file (nothing was sent anywhere)
  3    rollout failed and was rolled back (also a create or scale-up that
       cannot be placed or keeps failing, undone)
  4    rollout failed and the rollback failed or was turned off (also such a
       create or scale-up that could not be undone)
  5    deadline passed
  6    locked by another rollout or a Marathon deployment, or the group's
       rollout is paused (`rollout promote|resume|abort` goes on)
  8    `endpoints --fresh-within`: no sync leader confirmed the registrations
       shown within that time (nothing printed)
  10   `plan --exit-code`: changes are pending
  11   `update --detach`: the canary holds, awaiting `rollout promote`
  130  interrupted (Ctrl-C; also how `view --watch` and `endpoints --watch` end)";

/// Labeled container groups on Mesos + Marathon, with service discovery in etcd.
///
/// Describe groups of containers (a service plus a set of labels such as `dev, frontend`) in a
/// TOML spec file; theseus turns them into Marathon apps, creates, scales and removes them,
/// registers every running container in etcd under /services, and shows what runs where.
#[derive(Debug, Parser)]
#[command(name = "theseus", version, propagate_version = true, after_long_help = EXIT_CODES_HELP, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// Options shared by every subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the Marathon app definitions of the selected groups, offline.
    ///
    /// The output is always JSON, whatever `-o` says: an array with one app definition per
    /// selected group, exactly the body Theseus sends to Marathon. An invalid spec prints every
    /// problem on stderr and exits 2.
    Render(RenderArgs),
    /// Check a spec file completely, offline; every error is reported at once.
    Validate(ValidateArgs),
    /// Show what create/update/remove would do, against the live state.
    Plan(PlanArgs),
    /// Create the selected groups that do not exist yet, wait until healthy, register them.
    Create(CreateArgs),
    /// Roll groups forward to the spec: create, scale in place, or roll in batches.
    ///
    /// Missing groups are created, groups whose only change is `instances` are scaled in
    /// place, every other changed group is rolled: the new revision is brought up `--batch`
    /// instances at a time, each batch must be healthy for `--min-healthy` before as many old
    /// tasks are drained from etcd and stopped, with `--wait` between batches. A failed
    /// rollout is rolled back (exit 3; exit 5 when only the deadline passed) unless
    /// `--no-rollback` (exit 4).
    Update(UpdateArgs),
    /// Replace every task of one group in batches, with no spec change.
    Restart(RestartArgs),
    /// Show, resume or abort a group's interrupted rollout (journaled in etcd).
    Rollout(RolloutCommandArgs),
    /// List the revisions deployed to a group, newest first, marking the current one.
    History(HistoryArgs),
    /// Roll a group back to its previous revision (or `--to REV`), in batches like `update`.
    Rollback(RollbackArgs),
    /// Scale one group in place (no restart), wait, register.
    Scale(ScaleArgs),
    /// Remove groups: deregister containers, delete the Marathon apps, clear etcd.
    Remove(RemoveArgs),
    /// Show what is deployed where: one row per labeled group, filtered by label.
    View(ViewArgs),
    /// List the registered containers of a service's groups, read from etcd.
    Endpoints(EndpointsArgs),
    /// Print the output (stdout and stderr) of a group's tasks, read from the Mesos agents.
    ///
    /// Each line is prefixed with its task (`[1a2b3c4d] `; with both streams, `[1a2b3c4d
    /// stderr] `). The Mesos master is `--mesos`, else the one Marathon's /v2/info names. A
    /// task whose agent cannot be reached is one `logs unavailable on HOST: ...` line on
    /// stderr; exit 1 when no file could be read. With `-o json`, an array of `{task, stream,
    /// line}` (with -f, `-o jsonl`: one object a line).
    Logs(LogsArgs),
    /// Keep etcd equal to Marathon's running, healthy tasks; `--once` repairs and exits.
    ///
    /// Follows Marathon's event stream and keeps every managed group's containers in etcd equal
    /// to its running (and, where checked, healthy) tasks, reconciling in full on start, on
    /// every reconnect and every `--resync`. Several replicas may run: one leads through an
    /// etcd election, the others wait. `--once` reconciles, prints what it changed and exits:
    /// the repair after any interrupted command.
    Sync(SyncArgs),
    /// Run a local Marathon-compatible engine on loopback.
    Local(LocalArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

impl Cli {
    /// Parses the process's arguments (exit 2 with usage on error), noting where the
    /// namespace came from: a spec's `namespace` may be overridden by the flag, not by the
    /// environment.
    pub fn parse_args() -> Cli {
        use clap::{CommandFactory, FromArgMatches};
        let matches = Cli::command().get_matches();
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        cli.global.namespace_from_env = Self::namespace_source(&matches);
        cli
    }

    /// Whether `--namespace` was taken from the environment: as the innermost subcommand saw it
    /// (a global flag may follow the subcommand's name).
    fn namespace_source(matches: &clap::ArgMatches) -> bool {
        match matches.subcommand() {
            Some((_, sub)) => Self::namespace_source(sub),
            None => matches.value_source("namespace") == Some(clap::parser::ValueSource::EnvVariable),
        }
    }
}

impl Command {
    /// The subcommand's name as typed (`update`), e.g. for naming a lock's holder.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Render(_) => "render",
            Command::Validate(_) => "validate",
            Command::Plan(_) => "plan",
            Command::Create(_) => "create",
            Command::Update(_) => "update",
            Command::Restart(_) => "restart",
            Command::Rollout(_) => "rollout",
            Command::History(_) => "history",
            Command::Rollback(_) => "rollback",
            Command::Scale(_) => "scale",
            Command::Remove(_) => "remove",
            Command::View(_) => "view",
            Command::Endpoints(_) => "endpoints",
            Command::Logs(_) => "logs",
            Command::Sync(_) => "sync",
            Command::Local(_) => "local",
            Command::Completions(_) => "completions",
        }
    }
}

/// `theseus completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Parses a Marathon base URL: `http://` or `https://` with a host (a usage error otherwise,
/// before anything is contacted).
pub fn parse_marathon_url(s: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(s.trim()).map_err(|e| format!("`{s}` is not a URL ({e}); e.g. http://marathon:8080"))?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(url),
        "http" | "https" => Err(format!("`{s}` has no host; e.g. http://marathon:8080")),
        other => Err(format!("`{s}`: Marathon speaks http:// or https://, not {other}://")),
    }
}

/// Parses a human duration (`30s`, `5m`, `1h30m`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e} (expected a duration such as `30s`, `5m`, `1h30m`)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    use crate::spec::Amount;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn command_names_are_the_subcommands_clap_knows() {
        let cli = Cli::try_parse_from(["theseus", "--marathon", "http://m:1", "update", "f.toml"]).unwrap();
        assert_eq!(cli.command.name(), "update");
        let names: Vec<String> = Cli::command().get_subcommands().map(|c| c.get_name().to_owned()).collect();
        assert!(names.contains(&"update".to_owned()) && names.contains(&"restart".to_owned()));
    }

    #[test]
    fn labels_split_on_commas_and_repeat() {
        let cli = Cli::try_parse_from(["theseus", "render", "f.toml", "-l", "dev,frontend", "-l", "!canary"]).unwrap();
        let Command::Render(args) = cli.command else { panic!("not render") };
        assert_eq!(args.selection.labels, ["dev", "frontend", "!canary"]);
    }

    #[test]
    fn rollout_flags_parse_counts_and_percentages() {
        let cli = Cli::try_parse_from([
            "theseus",
            "update",
            "f.toml",
            "--batch",
            "25%",
            "--max-unavailable",
            "1",
            "--wait",
            "5s",
        ])
        .unwrap();
        let Command::Update(args) = cli.command else { panic!("not update") };
        assert_eq!(args.rollout.batch, Some(Amount::Percent(25)));
        assert_eq!(args.rollout.max_unavailable, Some(Amount::Count(1)));
        assert_eq!(args.rollout.wait, Some(Duration::from_secs(5)));
        assert!(Cli::try_parse_from(["theseus", "update", "f.toml", "--batch", "120%"]).is_err());
    }

    #[test]
    fn marathon_urls_are_http_or_https_with_a_host() {
        assert!(parse_marathon_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_marathon_url("https://m.example/prefix").is_ok());
        for bad in ["ftp://x", "x", "http://", "file:///tmp/m", "127.0.0.1:8080"] {
            assert!(parse_marathon_url(bad).is_err(), "{bad}");
        }
        let err = Cli::try_parse_from(["theseus", "--marathon", "ftp://x", "view"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn bad_duration_is_a_usage_error() {
        let err = Cli::try_parse_from(["theseus", "--request-timeout", "soon", "validate", "f"]).unwrap_err();
        assert!(err.to_string().contains("expected a duration"));
    }
}
