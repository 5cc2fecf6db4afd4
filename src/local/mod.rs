//! `theseus local`: a Marathon-compatible engine on loopback (DESIGN §6, behaviour per
//! Marathon 1.10's source: docs/local-engine.md lists each behaviour with its source and test); the only module that imports axum.
//!
//! - [`Config`] describes the agents and the engine's time knobs; [`Engine::start`] serves the
//!   REST API on a listener and runs the offer/reconcile cycle; [`Engine::shutdown`] stops
//!   every task process group.
//! - Inside: `state` (the model under one mutex), `normalize` (defaults and validation),
//!   `plan`, `deployment` and `deploy` (deployment steps, a running deployment, the rolling
//!   restart), `scheduler` (the cycle), `placement` (constraints, resources, ports), `process`,
//!   `task_env`, `procgroup` and `fetch` (real task processes), `health` (health checks),
//!   `readiness` (readiness checks, only inside deployments), `http_clients` (outbound HTTP for
//!   checks and fetch), `events` and `api::events` (the SSE stream), `api` (routes per
//!   resource), `changes` (accepting a new root group: locks, plans, events), `views` (wire
//!   shapes), `persist` (`--state`).

mod agents;
mod api;
mod changes;
mod clock;
mod conn;
mod deploy;
mod deployment;
mod events;
mod fetch;
mod health;
mod http_clients;
mod ids;
mod limits;
mod logs;
mod normalize;
mod offers;
mod ops;
mod persist;
mod placement;
mod plan;
mod process;
mod procgroup;
mod raml;
mod readiness;
mod sandbox;
mod scheduler;
mod state;
mod supervise;
mod task_env;
mod views;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Context;
use tokio::sync::Notify;

pub use agents::{parse_attributes, parse_port_range};

use crate::marathon::types::App;

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
        }
    }
}

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
    pub(crate) panics: AtomicU64,
    /// `host:port` the engine serves on.
    pub(crate) leader: String,
    pub(crate) work_dir: PathBuf,
    remove_work_dir: bool,
    pub(crate) docker_available: bool,
    /// `--state`: where definitions are saved, one save at a time.
    pub(crate) store: Option<persist::Store>,
    pub(crate) supervisor: Arc<supervise::Supervisor>,
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

/// A running engine.
#[derive(Debug)]
pub struct Engine {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
    scheduler: tokio::task::JoinHandle<()>,
}

impl Engine {
    /// Starts the engine on `listener` (bind it to 127.0.0.1): loads `--state`, starts the cycle and the API.
    pub async fn start(config: Config, listener: tokio::net::TcpListener) -> anyhow::Result<Engine> {
        let addr = listener.local_addr()?;
        // The state file first: a refused one leaves nothing behind, not even a work dir.
        let saved = config.state_file.as_deref().map(persist::load).transpose()?;
        let (work_dir, remove_work_dir) = sandbox::work_dir(&config);
        std::fs::create_dir_all(&work_dir).with_context(|| format!("creating the work dir {}", work_dir.display()))?;
        let work_dir = std::fs::canonicalize(&work_dir).unwrap_or(work_dir);
        let mut st = state::State { agents: agents::build(&config), ..Default::default() };
        st.root_version = st.clock.next();
        if let Some(saved) = saved {
            changes::restore(&mut st, saved);
        }
        // Tasks a previous run of this work dir left behind (kill -9 of the engine) are killed
        // before anything launches, so a restart never runs two copies of an instance.
        let leftovers = sandbox::reap_leftovers(&work_dir, config.shutdown_grace).await;
        if leftovers > 0 {
            tracing::warn!(target: "theseus::local", "killed {leftovers} task processes left by a previous run in {}", work_dir.display());
        }
        let docker_available = config.docker == DockerMode::Auto && docker_works().await;
        let http = http_clients::HttpClients::new().context("building the engine's HTTP clients")?;
        let store = config.state_file.clone().map(persist::Store::new);
        let shared = Arc::new(Shared {
            state: Mutex::new(st),
            bus: events::Bus::new(4096),
            http,
            wake: Notify::new(),
            requests: AtomicU64::new(0),
            panics: AtomicU64::new(0),
            leader: addr.to_string(),
            work_dir,
            remove_work_dir,
            docker_available,
            store,
            supervisor: supervise::Supervisor::new(),
            config,
        });
        let scheduler = shared.spawn("scheduler", scheduler::run(shared.clone()));
        let server = shared.spawn("API server", conn::serve(shared.clone(), listener, api::router(shared.clone())));
        Ok(Engine { shared, addr, server, scheduler })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address served on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle for inspecting the engine from tests and tools.
    pub fn handle(&self) -> Handle {
        Handle { shared: self.shared.clone() }
    }

    /// Stops serving, then stops every task: SIGTERM to each process group, SIGKILL after the grace period.
    pub async fn shutdown(self) {
        self.shared.supervisor.stop();
        let groups = self.shared.task_groups();
        for g in &groups {
            procgroup::signal_group(*g, libc::SIGTERM);
        }
        let deadline = tokio::time::Instant::now() + self.shared.config.shutdown_grace;
        while tokio::time::Instant::now() < deadline && groups.iter().any(|g| procgroup::group_alive(*g)) {
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        for g in &groups {
            procgroup::signal_group(*g, libc::SIGKILL);
        }
        // Whatever escaped its process group (setsid) still carries its sandbox in its environment.
        procgroup::kill_stragglers(&self.shared.work_dir);
        let _ = tokio::time::timeout(Duration::from_secs(2), self.server).await;
        self.scheduler.abort();
        persist::save_now(&self.shared);
        if self.shared.remove_work_dir {
            let _ = std::fs::remove_dir_all(&self.shared.work_dir);
        }
    }

    /// Resolves when the engine stops on its own (a fatal error) or is shut down.
    pub async fn stopped(&self) {
        self.shared.supervisor.stopped().await;
    }

    /// Why the engine stopped on its own (a panic in its background work), if it did.
    pub fn failure(&self) -> Option<String> {
        self.shared.supervisor.failure()
    }
}

/// Serves until `shutdown` completes, then stops every task (see [`Engine::shutdown`]).
pub async fn serve(
    config: Config,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let engine = Engine::start(config, listener).await?;
    shutdown.await;
    engine.shutdown().await;
    Ok(())
}

async fn docker_works() -> bool {
    let probe = tokio::process::Command::new("docker")
        .arg("info")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .status();
    matches!(tokio::time::timeout(Duration::from_secs(5), probe).await, Ok(Ok(s)) if s.success())
}

/// Inspects a running engine (cheap to clone, usable from any thread).
#[derive(Debug, Clone)]
pub struct Handle {
    shared: Arc<Shared>,
}

impl Handle {
    /// HTTP requests received so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Request handlers that panicked (answered 500); tests assert this stays 0.
    pub fn panics(&self) -> u64 {
        self.shared.panics.load(Ordering::Relaxed)
    }

    /// Why the engine stopped on its own (a panic in its background work), if it did; tests
    /// assert this stays `None`.
    pub fn failure(&self) -> Option<String> {
        self.shared.supervisor.failure()
    }

    /// The current definition of an app.
    pub fn app(&self, id: &str) -> Option<App> {
        self.shared.lock().apps.get(id).map(|r| (*r.def).clone())
    }

    /// Ids of all apps.
    pub fn app_ids(&self) -> Vec<String> {
        self.shared.lock().apps.keys().cloned().collect()
    }

    /// Process-group ids of every running task process.
    pub fn task_process_groups(&self) -> Vec<i32> {
        self.shared.task_groups()
    }

    /// The sandbox directory of a task (by task or instance id), holding its `stdout` and `stderr`.
    pub fn task_sandbox(&self, task_id: &str) -> Option<PathBuf> {
        self.shared.lock().find_task(task_id).map(|i| i.sandbox.clone())
    }

    /// Where task sandboxes are.
    pub fn work_dir(&self) -> PathBuf {
        self.shared.work_dir.clone()
    }

    /// SIGKILLs every task process group at once (for synchronous teardown).
    pub fn kill_all_tasks(&self) {
        for g in self.shared.task_groups() {
            procgroup::signal_group(g, libc::SIGKILL);
        }
    }
}
