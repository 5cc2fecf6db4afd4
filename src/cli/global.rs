//! The options every subcommand shares (`Global options` in `--help`) and their value types.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::{parse_duration, parse_marathon_url};

/// Parses a Mesos master base URL: `http://` or `https://` with a host (a `zk://` URL names
/// ZooKeeper, not the master's HTTP API).
fn parse_mesos_url(s: &str) -> Result<url::Url, String> {
    parse_marathon_url(s)
        .map_err(|e| e.replace("Marathon", "the Mesos master").replace("marathon:8080", "mesos-master:5050"))
}
use crate::secret::Secret;

/// Options shared by every subcommand (listed under their own heading in every `--help`).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Marathon base URL; several (comma-separated) fail over in order.
    #[arg(
        value_name = "URL",
        long = "marathon",
        global = true,
        env = "THESEUS_MARATHON_URL",
        value_delimiter = ',',
        value_parser = parse_marathon_url,
        default_value = "http://127.0.0.1:8080"
    )]
    pub marathon: Vec<url::Url>,
    /// Marathon HTTP basic-auth user.
    #[arg(value_name = "USER", long, global = true, env = "THESEUS_MARATHON_USER")]
    pub marathon_user: Option<String>,
    /// Marathon HTTP basic-auth password.
    #[arg(value_name = "PASSWORD", long, global = true, env = "THESEUS_MARATHON_PASSWORD", hide_env_values = true)]
    pub marathon_password: Option<Secret>,
    /// Marathon bearer token (DC/OS ACS token).
    #[arg(value_name = "TOKEN", long, global = true, env = "THESEUS_MARATHON_TOKEN", hide_env_values = true)]
    pub marathon_token: Option<Secret>,
    /// PEM file with a CA certificate to trust for Marathon.
    #[arg(value_name = "FILE", long, global = true, env = "THESEUS_MARATHON_CA")]
    pub marathon_ca: Option<PathBuf>,
    /// Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master
    /// Marathon's /v2/info names. Marathon's credentials and CA are used for it too.
    #[arg(value_name = "URL", long = "mesos", global = true, env = "THESEUS_MESOS_URL", value_parser = parse_mesos_url)]
    pub mesos: Option<url::Url>,
    /// When a rollout, create or scale fails, show this many last lines of the failed tasks'
    /// stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none).
    #[arg(long, global = true, env = "THESEUS_LOG_LINES", default_value_t = 20, value_name = "N")]
    pub log_lines: usize,

    /// etcd endpoints, HOST:PORT or URLs, comma-separated.
    #[arg(
        value_name = "HOST:PORT",
        long = "etcd",
        global = true,
        env = "THESEUS_ETCD_ENDPOINTS",
        value_delimiter = ',',
        default_value = "127.0.0.1:2379"
    )]
    pub etcd: Vec<String>,
    /// etcd user (with --etcd-password).
    #[arg(value_name = "USER", long, global = true, env = "THESEUS_ETCD_USER")]
    pub etcd_user: Option<String>,
    /// etcd password.
    #[arg(value_name = "PASSWORD", long, global = true, env = "THESEUS_ETCD_PASSWORD", hide_env_values = true)]
    pub etcd_password: Option<Secret>,
    /// PEM file with the CA certificate of etcd's TLS endpoints.
    #[arg(value_name = "FILE", long, global = true, env = "THESEUS_ETCD_CA")]
    pub etcd_ca: Option<PathBuf>,
    /// PEM client certificate for etcd (with --etcd-key).
    #[arg(value_name = "FILE", long, global = true, env = "THESEUS_ETCD_CERT")]
    pub etcd_cert: Option<PathBuf>,
    /// PEM client key for etcd (with --etcd-cert).
    #[arg(value_name = "FILE", long, global = true, env = "THESEUS_ETCD_KEY")]
    pub etcd_key: Option<PathBuf>,
    /// Root prefix under which /services lives, so namespaces can share one etcd.
    #[arg(value_name = "PREFIX", long, global = true, env = "THESEUS_ETCD_PREFIX", default_value = "")]
    pub etcd_prefix: String,

    /// Marathon path prefix of the groups. The flag overrides a spec's `namespace`; the
    /// environment variable must agree with it (exit 2 otherwise).
    #[arg(value_name = "NAMESPACE", long, global = true, env = "THESEUS_NAMESPACE")]
    pub namespace: Option<String>,
    /// Whether `namespace` came from `THESEUS_NAMESPACE` rather than the flag (set by `Cli::parse_args`).
    #[arg(skip)]
    pub namespace_from_env: bool,
    /// Timeout for connecting to and each request to Marathon and etcd.
    #[arg(value_name = "DURATION", long, global = true, env = "THESEUS_REQUEST_TIMEOUT", value_parser = parse_duration, default_value = "10s")]
    pub request_timeout: Duration,

    /// How long the group locks of a theseus that died (kill -9, lost host) outlive it: the
    /// lease TTL of each lock, kept alive while the holder runs (at least 2s).
    #[arg(value_name = "DURATION", long, global = true, env = "THESEUS_LOCK_TTL", value_parser = parse_duration, default_value = "10s")]
    pub lock_ttl: Duration,

    /// Format of the result on stdout (`jsonl` adds a rollout's events there as they happen);
    /// progress and messages always go to stderr.
    #[arg(value_name = "FORMAT", long, short = 'o', global = true, env = "THESEUS_OUTPUT", value_enum, default_value_t = Format::Table)]
    pub output: Format,
    /// Leave out the header row of tables (for scripts reading `table` or `wide` output).
    #[arg(long, global = true, env = "THESEUS_NO_HEADERS")]
    pub no_headers: bool,
    /// When to use colors.
    #[arg(value_name = "WHEN", long, global = true, env = "THESEUS_COLOR", value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only results and errors: no status lines, no progress.
    #[arg(long, short = 'q', global = true, env = "THESEUS_QUIET")]
    pub quiet: bool,
    /// More detail on stderr (-v requests, -vv debug logs and backtraces).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// How stderr is written: `json` makes every line one JSON object (logs, status lines,
    /// warnings and the final error), for log shippers.
    #[arg(value_name = "FORMAT", long, global = true, env = "THESEUS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// Formats of stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Lines for humans.
    Text,
    /// One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields.
    Json,
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
    /// JSON Lines: a rollout's events as they happen, then its result; else one row a line.
    Jsonl,
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
