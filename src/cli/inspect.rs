//! The arguments of the commands that only look: `view` and `endpoints`.

use std::time::Duration;

use clap::Args;

use super::parse_duration;

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
    /// Keep running and print the list again each time it changes (an etcd watch, no polling)
    /// until Ctrl-C, which exits 130; with `-o json`, one compact JSON array per line.
    #[arg(long)]
    pub watch: bool,
    /// Run CMD with `sh -c` at start and after each change, with the list as one JSON array on
    /// its stdin (its output goes to stderr); keeps running like --watch. A failing CMD is
    /// reported and run again at the next change.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// With --watch or --exec: how long the list must stay unchanged before it is printed or
    /// CMD runs, so a burst of changes (a rollout's batch) gives one update.
    #[arg(long, value_parser = parse_duration, default_value = "500ms")]
    pub debounce: Duration,
}
