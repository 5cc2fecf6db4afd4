//! The arguments of `theseus logs`.

use std::time::Duration;

use clap::Args;

use super::parse_duration;

/// `theseus logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The group: `SERVICE/GROUP` as `-o name` prints it, or `SERVICE -l LABELS`.
    pub target: String,
    /// The group's labels (repeatable or comma-separated).
    #[arg(short = 'l', long = "label", value_delimiter = ',', allow_hyphen_values = true)]
    pub labels: Vec<String>,
    /// Only the standard error of the tasks (default: standard output and error).
    #[arg(long)]
    pub stderr: bool,
    /// Only the standard output of the tasks (default: standard output and error).
    #[arg(long)]
    pub stdout: bool,
    /// The last N lines of each file (default: every line, as `kubectl logs`), read backwards
    /// from the end, never the whole file.
    #[arg(long, value_name = "N")]
    pub tail: Option<usize>,
    /// Keep printing new lines as the tasks write them, and the lines of the group's tasks that
    /// start meanwhile, until Ctrl-C, which exits 130.
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Only this task (its id, or the short form the prefix shows).
    #[arg(long, value_name = "ID", conflicts_with = "previous")]
    pub task: Option<String>,
    /// The group's last failed task (Marathon's `lastTaskFailure`), whose sandbox the Mesos
    /// agent keeps until its garbage collection.
    #[arg(long)]
    pub previous: bool,
    /// Print the lines as they are, without the `[TASK] ` prefix.
    #[arg(long)]
    pub no_prefix: bool,
    /// How often --follow reads the files again (and looks for new tasks every few reads).
    #[arg(long, value_parser = parse_duration, default_value = "1s")]
    pub poll_interval: Duration,
}
