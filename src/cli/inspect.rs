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
    /// With --watch or --exec: hold back a change that would take more than N% of a group's
    /// endpoints away at once (a warning on stderr) until it persists for --debounce twice
    /// more, then apply it; a drop that goes away meanwhile is never applied.
    #[arg(long, value_parser = parse_percent, value_name = "N%")]
    pub max_drop: Option<u8>,
    /// Exit 8, printing nothing, unless a `theseus sync` leader confirmed the registrations
    /// of the namespaces shown within DURATION (such as `30s`); not with --watch or --exec.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION", conflicts_with_all = ["watch", "exec"])]
    pub fresh_within: Option<Duration>,
}

/// A share from `0%` to `100%` (the `%` may be left out).
pub(super) fn parse_percent(s: &str) -> Result<u8, String> {
    let digits = s.trim().strip_suffix('%').unwrap_or(s.trim());
    match digits.parse::<u8>() {
        Ok(n) if n <= 100 => Ok(n),
        _ => Err(format!("`{s}` is not a percentage (expected a whole number from 0% to 100%, such as `50%`)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_whole_numbers_up_to_100() {
        assert_eq!(parse_percent("50%"), Ok(50));
        assert_eq!(parse_percent("0"), Ok(0));
        assert_eq!(parse_percent("100%"), Ok(100));
        for bad in ["101%", "-1%", "half", "12.5%", "%", ""] {
            assert!(parse_percent(bad).is_err(), "{bad:?}");
        }
    }
}
