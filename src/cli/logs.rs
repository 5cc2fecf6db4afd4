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

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    #[test]
    fn logs_flags_parse_and_task_excludes_previous() {
        let cli =
            Cli::try_parse_from(["theseus", "logs", "web", "-l", "dev", "--tail", "20", "-f", "--stderr"]).unwrap();
        let Command::Logs(args) = cli.command else { panic!("not logs") };
        assert_eq!((args.target.as_str(), args.labels.as_slice()), ("web", &["dev".to_owned()][..]));
        assert_eq!(args.tail, Some(20));
        assert!(args.follow && args.stderr && !args.stdout && !args.previous);
        assert!(Cli::try_parse_from(["theseus", "logs", "web/dev", "--task", "x", "--previous"]).is_err());
        assert!(Cli::try_parse_from(["theseus", "logs", "web/dev", "--tail", "-1"]).is_err());
        let cli = Cli::try_parse_from(["theseus", "--mesos", "http://m:5050", "logs", "web/dev"]).unwrap();
        assert_eq!(cli.global.mesos.map(|u| u.to_string()).as_deref(), Some("http://m:5050/"));
    }
}
