//! Starting and stopping the engine: [`Engine::start`] loads `--state`, reaps what a previous run
//! left, and spawns the offer/reconcile cycle and the API server; [`Engine::shutdown`] stops
//! every task process group.

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use tokio::sync::Notify;

use super::api::{self, conn};
use super::deployments::changes;
use super::handle::Handle;
use super::model::{persist, state};
use super::scheduling::{agents, scheduler};
use super::tasks::{procgroup, sandbox};
use super::{events, http_clients, metrics, supervise, Config, DockerMode, Shared};

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
        let agent_listeners = bind_agents(&st.agents, addr.port()).await;
        let agent_ports =
            agent_listeners.iter().map(|l| l.as_ref().and_then(|l| l.local_addr().ok()).map(|a| a.port())).collect();
        let shared = Arc::new(Shared {
            state: Mutex::new(st),
            bus: events::Bus::new(4096),
            http,
            wake: Notify::new(),
            requests: AtomicU64::new(0),
            metrics: Arc::new(metrics::Metrics::new()),
            panics: AtomicU64::new(0),
            leader: addr.to_string(),
            work_dir,
            remove_work_dir,
            docker_available,
            store,
            supervisor: supervise::Supervisor::new(),
            agent_ports,
            started_at: state::unix_now(),
            config,
        });
        shared.metrics.follow(shared.bus.subscribe());
        shared.spawn("metrics", metrics::follow::run(shared.metrics.clone(), shared.stop_signal()));
        let scheduler = shared.spawn("scheduler", scheduler::run(shared.clone()));
        let server = shared.spawn("API server", conn::serve(shared.clone(), listener, api::router(shared.clone())));
        for (index, agent) in agent_listeners.into_iter().enumerate() {
            if let Some(agent) = agent {
                let router = api::mesos_agent::router(shared.clone(), index);
                shared.spawn("agent API server", conn::serve(shared.clone(), agent, router));
            }
        }
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

/// Binds each agent's Mesos API on the agent's own address (a real agent listens on its host):
/// on the engine's port when it is free there, so every agent answers on one port, else on any.
/// An address that cannot be bound at all (a system without the 127.0.0.0/8 loopback range)
/// leaves that agent without an API, with a warning; the engine still runs.
async fn bind_agents(agents: &[agents::Agent], port: u16) -> Vec<Option<tokio::net::TcpListener>> {
    let mut out = Vec::with_capacity(agents.len());
    for agent in agents {
        let ip: std::net::IpAddr = match agent.hostname.parse() {
            Ok(ip) => ip,
            Err(_) => {
                out.push(None);
                continue;
            }
        };
        let listener = match tokio::net::TcpListener::bind((ip, port)).await {
            Ok(l) => Ok(l),
            Err(_) => tokio::net::TcpListener::bind((ip, 0)).await,
        };
        match listener {
            Ok(l) => out.push(Some(l)),
            Err(e) => {
                tracing::warn!(target: "theseus::local", "agent {} gets no Mesos API: cannot listen on {ip}: {e}", agent.id);
                out.push(None);
            }
        }
    }
    out
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
