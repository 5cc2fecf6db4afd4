//! The engine's configuration: the simulated agents, Docker handling and the time knobs.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::limits;

/// How the engine runs Docker apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DockerMode {
    /// Use the `docker` CLI when `docker info` succeeds, else simulate.
    #[default]
    Auto,
    /// Always simulate Docker tasks (they count as running without a process).
    Simulate,
}

/// The engine's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Number of simulated agents (each gets 127.0.0.{i+1}).
    pub agents: u32,
    /// Attributes per agent, by agent number (from 1).
    pub agent_attributes: BTreeMap<u32, BTreeMap<String, String>>,
    /// CPUs per agent.
    pub agent_cpus: f64,
    /// Memory per agent, MiB.
    pub agent_mem: f64,
    /// Disk per agent, MiB.
    pub agent_disk: f64,
    /// Host-port range per agent (inclusive).
    pub agent_ports: (u32, u32),
    /// Where task sandboxes go (default: a fresh directory under the system temp dir, removed on shutdown).
    pub work_dir: Option<PathBuf>,
    /// File keeping app definitions across restarts.
    pub state_file: Option<PathBuf>,
    /// Period of the offer/reconcile cycle.
    pub offer_interval: Duration,
    /// Period of `/v2/events` heartbeats (Marathon: 10 s).
    pub event_heartbeat: Duration,
    /// Docker handling.
    pub docker: DockerMode,
    /// Mesos framework id shown in `/v2/info` and agent ids.
    pub framework_id: String,
    /// How long shutdown waits after SIGTERM before SIGKILL.
    pub shutdown_grace: Duration,
    /// How long the sandbox of a finished task is kept (Mesos' `--gc_delay`, scaled down).
    pub sandbox_gc_delay: Duration,
    /// A connection with no bytes read or written for this long is closed (also half-sent requests).
    pub connection_idle_timeout: Duration,
    /// Whether `/metrics/prometheus` answers (Marathon's `--metrics_prometheus`, on by default;
    /// off, it answers 404 as Marathon does: M:src/main/scala/mesosphere/marathon/metrics/MetricsConf.scala,
    /// M:src/main/scala/mesosphere/marathon/api/SystemResource.scala).
    pub metrics_prometheus: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            agents: 3,
            agent_attributes: BTreeMap::new(),
            agent_cpus: 4.0,
            agent_mem: 4096.0,
            agent_disk: 16384.0,
            agent_ports: (31000, 32000),
            work_dir: None,
            state_file: None,
            offer_interval: Duration::from_millis(100),
            event_heartbeat: Duration::from_secs(10),
            docker: DockerMode::Auto,
            framework_id: "20240101-000000-16777343-5050-0000".into(),
            shutdown_grace: Duration::from_secs(3),
            sandbox_gc_delay: limits::SANDBOX_GC_DELAY,
            connection_idle_timeout: limits::CONNECTION_IDLE_TIMEOUT,
            metrics_prometheus: true,
        }
    }
}
