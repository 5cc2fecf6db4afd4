//! The command line of `theseus sync`: clap types only, beside `cli.rs` (whose module this is).

use std::time::Duration;

use clap::Args;

use super::parse_duration;

/// `theseus sync`.
#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// Reconcile once, print what changed and exit (for cron, CI, or a repair by hand).
    #[arg(long)]
    pub once: bool,
    /// With --once: wait this long for groups locked by a running command (then exit 6).
    #[arg(long, value_parser = parse_duration, default_value = "30s", value_name = "DURATION")]
    pub lock_timeout: Duration,
    /// Besides reconciling on start and on every reconnect, reconcile this often.
    #[arg(long, value_parser = parse_duration, default_value = "5m", value_name = "DURATION")]
    pub resync: Duration,
    /// How long etcd and Marathon may stay unreachable at start before sync gives up (exit 1).
    #[arg(long, value_parser = parse_duration, default_value = "60s", value_name = "DURATION")]
    pub timeout: Duration,
    /// The leader's lease TTL: another replica takes over this soon after the leader dies.
    #[arg(long, value_parser = parse_duration, default_value = "10s", value_name = "DURATION")]
    pub lease_ttl: Duration,
    /// Reconnect an event stream that stays silent this long (Marathon sends a heartbeat every 10 s).
    #[arg(long, value_parser = parse_duration, default_value = "30s", value_name = "DURATION")]
    pub idle_timeout: Duration,
    /// This replica's name in the leader election (default: host name and process id).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Serve /metrics (Prometheus), /healthz and /readyz on this address (e.g. 127.0.0.1:9464,
    /// 0.0.0.0:$PORT0).
    #[arg(long, value_name = "ADDR", conflicts_with = "once")]
    pub listen: Option<std::net::SocketAddr>,
    /// /healthz answers 503 (and the systemd watchdog stops) once a reconcile or a group's
    /// refresh runs this long: each of their requests is bounded by --request-timeout.
    #[arg(long, value_parser = parse_duration, default_value = "2m", value_name = "DURATION")]
    pub stuck_after: Duration,
}
