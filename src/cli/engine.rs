//! The arguments of `theseus local`, the Marathon-compatible engine.

use std::path::PathBuf;

use clap::Args;

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
    /// Answer `/metrics/prometheus` with 404, as Marathon's `--disable_metrics_prometheus`
    /// (`/metrics` JSON stays).
    #[arg(long)]
    pub disable_metrics_prometheus: bool,
}
