//! `theseus local`: a Marathon-compatible engine on loopback (DESIGN §6, behaviour per
//! Marathon 1.10's source: docs/local-engine.md lists each behaviour with its source and test); the only module that imports axum.
//!
//! - [`Config`] describes the agents and the engine's time knobs; [`Engine::start`] serves the
//!   REST API on a listener and runs the offer/reconcile cycle; [`Engine::shutdown`] stops
//!   every task process group; a [`Handle`] looks inside a running engine.
//! - `model/`: the state under one mutex (`state`), path and task ids (`ids`), version stamps
//!   (`clock`), app definitions as Marathon stores them (`normalize`: defaults and validation)
//!   and `--state` on disk (`persist`).
//! - `deployments/`: accepting a new root group (`changes`: locks, plans, events), its plan
//!   (`plan`), a deployment in progress (`deployment`), running it step by step with the rolling
//!   restart (`deploy`) and readiness checks, which run only inside deployments (`readiness`).
//! - `scheduling/`: the offer/reconcile cycle (`scheduler`), the simulated agents (`agents`),
//!   constraints, resources and ports (`placement`) and offer statistics of `/v2/queue`
//!   (`offers`).
//! - `tasks/`: real task processes: state operations under the lock (`ops`), launching
//!   (`process`, `sandbox`, `fetch`, `task_env`, `logs`), signals and kills (`procgroup`) and
//!   health checks (`health`).
//! - `api/`: routes per resource, wire shapes built from the state (`views`), RAML type checks
//!   of request bodies (`raml`) and connection handling (`conn`); the Mesos master's and agents'
//!   HTTP APIs (`mesos_master`, `mesos_agent`, `files`, shapes in `mesos_views`).
//! - Beside them: `events` (the bus behind `/v2/events`), `http_clients` (outbound HTTP for
//!   checks and fetch), `limits` (every limit enforced), `metrics` (the instruments behind
//!   `/metrics`), `supervise` (a panic in background work stops the engine).

mod api;
mod config;
mod deployments;
mod engine;
mod events;
mod handle;
mod http_clients;
mod limits;
mod metrics;
mod model;
mod scheduling;
mod supervise;
mod tasks;

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

pub use config::{Config, DockerMode};
pub use engine::{serve, Engine};
pub use handle::Handle;
pub use scheduling::agents::{parse_attributes, parse_port_range};

use model::{persist, state};

/// What every part of the engine shares.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<state::State>,
    pub(crate) bus: events::Bus,
    /// The outbound HTTP clients (checks, fetch), built once.
    pub(crate) http: http_clients::HttpClients,
    pub(crate) wake: Notify,
    pub(crate) config: Config,
    pub(crate) requests: AtomicU64,
    /// The engine's metrics (`/metrics`, `/metrics/prometheus`).
    pub(crate) metrics: Arc<metrics::Metrics>,
    pub(crate) panics: AtomicU64,
    /// `host:port` the engine serves on.
    pub(crate) leader: String,
    pub(crate) work_dir: PathBuf,
    remove_work_dir: bool,
    pub(crate) docker_available: bool,
    /// `--state`: where definitions are saved, one save at a time.
    pub(crate) store: Option<persist::Store>,
    pub(crate) supervisor: Arc<supervise::Supervisor>,
    /// The port each agent's Mesos API listens on at its own address (`None`: the address
    /// could not be bound, the agent is listed inactive).
    pub(crate) agent_ports: Vec<Option<u16>>,
    /// When the engine started, Unix seconds (the Mesos master's and agents' `start_time`).
    pub(crate) started_at: f64,
}

impl Shared {
    /// Locks the state (a poisoned lock is recovered: the state stays usable).
    pub(crate) fn lock(&self) -> MutexGuard<'_, state::State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes to `true` when the engine stops.
    pub(crate) fn stop_signal(&self) -> tokio::sync::watch::Receiver<bool> {
        self.supervisor.stop_signal()
    }

    /// Spawns background work; a panic in it stops the engine (see `supervise`).
    pub(crate) fn spawn<F>(&self, what: &'static str, fut: F) -> tokio::task::JoinHandle<()>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        supervise::spawn(&self.supervisor, what, fut)
    }

    fn task_groups(&self) -> Vec<i32> {
        self.lock().instances.values().flat_map(|m| m.values()).filter_map(|i| i.pgid).collect()
    }
}
