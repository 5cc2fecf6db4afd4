//! The command line, as clap types only: no I/O, no network, no business rules.
//!
//! Doc comments are the help text: the first line is the short help, the text after a blank
//! line the long help. Every global flag has a `THESEUS_*` environment mirror.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::secret::Secret;
use crate::spec::Amount;

mod rollouts;
mod sync;
pub use rollouts::{GroupArgs, HistoryArgs, RollbackArgs, RolloutAction, RolloutCommandArgs, RolloutGroupArgs};
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
  6    locked by another rollout or a Marathon deployment
  10   `plan --exit-code`: changes are pending
  130  interrupted (Ctrl-C; also how `view --watch` ends)";

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

/// Options shared by every subcommand (listed under their own heading in every `--help`).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Marathon base URL; several (comma-separated) fail over in order.
    #[arg(
        long = "marathon",
        global = true,
        env = "THESEUS_MARATHON_URL",
        value_delimiter = ',',
        value_parser = parse_marathon_url,
        default_value = "http://127.0.0.1:8080"
    )]
    pub marathon: Vec<url::Url>,
    /// Marathon HTTP basic-auth user.
    #[arg(long, global = true, env = "THESEUS_MARATHON_USER")]
    pub marathon_user: Option<String>,
    /// Marathon HTTP basic-auth password.
    #[arg(long, global = true, env = "THESEUS_MARATHON_PASSWORD", hide_env_values = true)]
    pub marathon_password: Option<Secret>,
    /// Marathon bearer token (DC/OS ACS token).
    #[arg(long, global = true, env = "THESEUS_MARATHON_TOKEN", hide_env_values = true)]
    pub marathon_token: Option<Secret>,
    /// PEM file with a CA certificate to trust for Marathon.
    #[arg(long, global = true, env = "THESEUS_MARATHON_CA")]
    pub marathon_ca: Option<PathBuf>,

    /// etcd endpoints, HOST:PORT or URLs, comma-separated.
    #[arg(
        long = "etcd",
        global = true,
        env = "THESEUS_ETCD_ENDPOINTS",
        value_delimiter = ',',
        default_value = "127.0.0.1:2379"
    )]
    pub etcd: Vec<String>,
    /// etcd user (with --etcd-password).
    #[arg(long, global = true, env = "THESEUS_ETCD_USER")]
    pub etcd_user: Option<String>,
    /// etcd password.
    #[arg(long, global = true, env = "THESEUS_ETCD_PASSWORD", hide_env_values = true)]
    pub etcd_password: Option<Secret>,
    /// PEM file with the CA certificate of etcd's TLS endpoints.
    #[arg(long, global = true, env = "THESEUS_ETCD_CA")]
    pub etcd_ca: Option<PathBuf>,
    /// PEM client certificate for etcd (with --etcd-key).
    #[arg(long, global = true, env = "THESEUS_ETCD_CERT")]
    pub etcd_cert: Option<PathBuf>,
    /// PEM client key for etcd (with --etcd-cert).
    #[arg(long, global = true, env = "THESEUS_ETCD_KEY")]
    pub etcd_key: Option<PathBuf>,
    /// Root prefix under which /services lives, so namespaces can share one etcd.
    #[arg(long, global = true, env = "THESEUS_ETCD_PREFIX", default_value = "")]
    pub etcd_prefix: String,

    /// Marathon path prefix of the groups. The flag overrides a spec's `namespace`; the
    /// environment variable must agree with it (exit 2 otherwise).
    #[arg(long, global = true, env = "THESEUS_NAMESPACE")]
    pub namespace: Option<String>,
    /// Whether `namespace` came from `THESEUS_NAMESPACE` rather than the flag (set by [`Cli::parse_args`]).
    #[arg(skip)]
    pub namespace_from_env: bool,
    /// Timeout for connecting to and each request to Marathon and etcd.
    #[arg(long, global = true, env = "THESEUS_REQUEST_TIMEOUT", value_parser = parse_duration, default_value = "10s")]
    pub request_timeout: Duration,

    /// How long the group locks of a theseus that died (kill -9, lost host) outlive it: the
    /// lease TTL of each lock, kept alive while the holder runs (at least 2s).
    #[arg(long, global = true, env = "THESEUS_LOCK_TTL", value_parser = parse_duration, default_value = "10s")]
    pub lock_ttl: Duration,

    /// Format of the result on stdout; progress and messages always go to stderr.
    #[arg(long, short = 'o', global = true, env = "THESEUS_OUTPUT", value_enum, default_value_t = Format::Table)]
    pub output: Format,
    /// Leave out the header row of tables (for scripts reading `table` or `wide` output).
    #[arg(long, global = true, env = "THESEUS_NO_HEADERS")]
    pub no_headers: bool,
    /// When to use colors.
    #[arg(long, global = true, env = "THESEUS_COLOR", value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only results and errors: no status lines, no progress.
    #[arg(long, short = 'q', global = true, env = "THESEUS_QUIET")]
    pub quiet: bool,
    /// More detail on stderr (-v requests, -vv debug logs and backtraces).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Result formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for humans (long cells cut to fit a terminal, never in a pipe).
    Table,
    /// The table with every column (hosts, ports, ids), nothing cut.
    Wide,
    /// One JSON document for scripts.
    Json,
    /// One name per line (`service/group`), for scripts and other theseus commands.
    Name,
}

/// Color modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
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
            Command::Sync(_) => "sync",
            Command::Local(_) => "local",
            Command::Completions(_) => "completions",
        }
    }
}

/// Which groups of a spec a command acts on.
#[derive(Debug, Clone, Default, Args)]
pub struct Selection {
    /// Only this service (repeatable or comma-separated).
    #[arg(short = 's', long = "service", value_delimiter = ',')]
    pub services: Vec<String>,
    /// Only groups having every label given (repeatable or comma-separated; `!label` excludes).
    #[arg(short = 'l', long = "label", value_delimiter = ',', allow_hyphen_values = true)]
    pub labels: Vec<String>,
}

/// The spec files a command reads: `FILE`, or `-f FILE` repeated; `-` is standard input.
#[derive(Debug, Clone, Default, Args)]
#[group(id = "spec_files", required = true, multiple = true)]
pub struct SpecFiles {
    /// The spec file (TOML); `-` reads it from standard input.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// A spec file, repeatable (their groups are acted on together); `-` is standard input.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

impl SpecFiles {
    /// Every file given, the positional one first.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.file.iter().chain(&self.files).cloned().collect()
    }
}

/// `theseus render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The spec file(s).
    #[command(flatten)]
    pub files: SpecFiles,
    /// Which groups.
    #[command(flatten)]
    pub selection: Selection,
}

/// `theseus validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The spec file(s).
    #[command(flatten)]
    pub files: SpecFiles,
}

/// How commands that change groups wait.
#[derive(Debug, Clone, Args)]
pub struct WaitArgs {
    /// Return as soon as Marathon accepted the change.
    #[arg(long)]
    pub no_wait: bool,
    /// Give up waiting after this long (exit 5).
    #[arg(long, value_parser = parse_duration, default_value = "10m")]
    pub timeout: Duration,
    /// How often to poll Marathon while waiting.
    #[arg(long, value_parser = parse_duration, default_value = "1s")]
    pub poll_interval: Duration,
    /// Fail when Marathon cannot place the tasks (or new ones keep failing) for this long; a
    /// create or scale-up that fails so is undone (exit 3, or 4 if the undo fails).
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    pub fail_after: Duration,
    /// Wait this long for another theseus changing the same group to finish (then exit 6).
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    pub lock_timeout: Duration,
}

/// How rollouts step: each flag overrides the spec's `rollout` table.
#[derive(Debug, Clone, Args)]
pub struct RolloutArgs {
    /// Instances per batch: a count or a percentage of the instances (`2`, `25%`).
    #[arg(long, value_name = "N|N%")]
    pub batch: Option<Amount>,
    /// Pause between batches.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub wait: Option<Duration>,
    /// How far below `instances` the healthy count may drop (`0`, `1`, `10%`).
    #[arg(long, value_name = "N|N%")]
    pub max_unavailable: Option<Amount>,
    /// How long a new task must stay healthy before it counts.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub min_healthy: Option<Duration>,
    /// How long one batch may take to become healthy (then the rollout fails).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub deadline: Option<Duration>,
    /// Leave a failed rollout as it is instead of rolling back (exit 4).
    #[arg(long)]
    pub no_rollback: bool,
    /// Print the batches and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Wait this long for another theseus changing the same group to finish (then exit 6).
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    pub lock_timeout: Duration,
    /// How often to poll Marathon.
    #[arg(long, value_parser = parse_duration, default_value = "1s")]
    pub poll_interval: Duration,
    /// Fail when new tasks cannot be placed (or keep failing) for this long.
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    pub fail_after: Duration,
}

/// `theseus update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The spec file(s).
    #[command(flatten)]
    pub files: SpecFiles,
    /// Which groups.
    #[command(flatten)]
    pub selection: Selection,
    /// Batches, waits and health gate.
    #[command(flatten)]
    pub rollout: RolloutArgs,
    /// A message recorded with the new revision.
    #[arg(long, short = 'm')]
    pub message: Option<String>,
}

/// `theseus restart`.
#[derive(Debug, Args)]
pub struct RestartArgs {
    /// The service, or `SERVICE/GROUP` as `-o name` prints it (e.g. `web/dev.frontend`).
    pub service: String,
    /// The group's labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it).
    #[arg(short = 'l', long = "label", value_delimiter = ',')]
    pub labels: Vec<String>,
    /// Batches, waits and health gate.
    #[command(flatten)]
    pub rollout: RolloutArgs,
}

/// `theseus plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The spec file(s).
    #[command(flatten)]
    pub files: SpecFiles,
    /// Which groups.
    #[command(flatten)]
    pub selection: Selection,
    /// Exit 10 when changes are pending, 0 when there are none (for CI).
    #[arg(long)]
    pub exit_code: bool,
}

/// `theseus create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The spec file(s).
    #[command(flatten)]
    pub files: SpecFiles,
    /// Which groups.
    #[command(flatten)]
    pub selection: Selection,
    /// Create only the groups that are missing instead of failing on existing ones.
    #[arg(long)]
    pub skip_existing: bool,
    /// Show what would be created (and skipped) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Waiting.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `theseus scale`.
#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// The service, or `SERVICE/GROUP` as `-o name` prints it (e.g. `web/dev.frontend`).
    pub service: String,
    /// The group's labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it).
    #[arg(short = 'l', long = "label", value_delimiter = ',')]
    pub labels: Vec<String>,
    /// The new number of instances.
    #[arg(long, short = 'n')]
    pub instances: u32,
    /// Waiting.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `theseus remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// A service name (or `SERVICE/GROUP` as `-o name` prints it), or a spec file (TOML) whose
    /// groups to remove.
    #[arg(required_unless_present = "files", value_name = "SERVICE|FILE")]
    pub target: Option<String>,
    /// A spec file whose groups to remove, repeatable; `-` is standard input.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Only groups having every label given (repeatable or comma-separated; `!label` excludes).
    #[arg(short = 'l', long = "label", value_delimiter = ',', allow_hyphen_values = true)]
    pub labels: Vec<String>,
    /// With a spec file: only these services.
    #[arg(short = 's', long = "service", value_delimiter = ',')]
    pub services: Vec<String>,
    /// Allow removing a whole service, or every group of a spec file, without a label selection.
    #[arg(long)]
    pub all: bool,
    /// Show what would be removed and change nothing (needs no --all).
    #[arg(long)]
    pub dry_run: bool,
    /// Always remove a group that exists in Marathon or in etcd: cancel deployments holding
    /// it, count apps already gone as removed, and leave another namespace's etcd record alone.
    #[arg(long)]
    pub force: bool,
    /// Succeed (exit 0) when nothing matches: removing what is already gone.
    #[arg(long)]
    pub ignore_not_found: bool,
    /// Waiting.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `theseus view`.
#[derive(Debug, Args)]
pub struct ViewArgs {
    /// Only this service (or one group: `SERVICE/GROUP` as `-o name` prints it).
    pub service: Option<String>,
    /// Only groups having every label given (repeatable or comma-separated; `!label` excludes).
    #[arg(short = 'l', long = "label", value_delimiter = ',', allow_hyphen_values = true)]
    pub labels: Vec<String>,
    /// Add hosts and ports to the table (the same as `-o wide`).
    #[arg(long)]
    pub wide: bool,
    /// List each container (task) with host:port instead of one row per group.
    #[arg(long)]
    pub containers: bool,
    /// Refresh until Ctrl-C, which exits 130 (with `-o json`: one compact JSON document per
    /// line per refresh).
    #[arg(long)]
    pub watch: bool,
    /// How often --watch polls Marathon (`--interval` is an old name for it).
    #[arg(long, alias = "interval", value_parser = parse_duration, default_value = "2s")]
    pub poll_interval: Duration,
}

/// `theseus endpoints`.
#[derive(Debug, Args)]
pub struct EndpointsArgs {
    /// The service (or one group: `SERVICE/GROUP` as `-o name` prints it).
    pub service: String,
    /// Only groups having every label given (repeatable or comma-separated; `!label` excludes).
    #[arg(short = 'l', long = "label", value_delimiter = ',', allow_hyphen_values = true)]
    pub labels: Vec<String>,
}

/// `theseus local`.
#[derive(Debug, Args)]
pub struct LocalArgs {
    /// Number of simulated agents.
    #[arg(long, default_value_t = 3)]
    pub agents: u32,
    /// Port to serve on (127.0.0.1); 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Agent attributes, `AGENT:key=value;key=value` (agent index from 1), repeatable.
    #[arg(long = "agent-attributes", value_name = "SPEC")]
    pub agent_attributes: Vec<String>,
    /// CPUs per agent.
    #[arg(long, default_value_t = 4.0)]
    pub agent_cpus: f64,
    /// Memory per agent, MiB.
    #[arg(long, default_value_t = 4096.0)]
    pub agent_mem: f64,
    /// Disk per agent, MiB.
    #[arg(long, default_value_t = 16384.0)]
    pub agent_disk: f64,
    /// Host port range offered by each agent, `LOW-HIGH`.
    #[arg(long, default_value = "31000-32000")]
    pub agent_ports: String,
    /// File where the engine keeps its app definitions across restarts.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Directory for task sandboxes (default: a temporary directory).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
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
