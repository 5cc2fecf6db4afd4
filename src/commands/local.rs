//! `theseus local`: runs the Marathon-compatible engine on 127.0.0.1 until Ctrl-C or SIGTERM,
//! then stops every task process it started.

use std::collections::BTreeMap;

use anyhow::Context as _;

use crate::cli::LocalArgs;
use crate::context::Context;
use crate::error::{ExitStatus, UserError};
use crate::local::{self, Config};

/// Runs the command.
pub async fn run(ctx: &Context, args: LocalArgs) -> anyhow::Result<ExitStatus> {
    let config = config(&args)?;
    // The handlers exist before the URL is printed: whoever reads it may stop the engine at once.
    let mut signals = Signals::install()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("binding 127.0.0.1:{}", args.port))?;
    let agents = config.agents;
    let engine = local::Engine::start(config, listener).await?;
    ctx.out.status("Serving", format!("Marathon API on {} with {agents} agents (127.0.0.2..)", engine.url()));
    ctx.out.text(&format!("{}\n", engine.url()))?;
    let signal = tokio::select! {
        signal = signals.next() => signal,
        () = engine.stopped() => "failed",
    };
    let failure = engine.failure();
    ctx.out.status("Stopping", format!("{signal}: stopping every task"));
    engine.shutdown().await;
    match failure {
        // A panic in the engine's background work: never keep serving half alive.
        Some(why) => {
            Err(anyhow::anyhow!("the local engine stopped: {why}; this is a bug in theseus, please report it"))
        }
        None => Ok(ExitStatus::Success),
    }
}

fn config(args: &LocalArgs) -> anyhow::Result<Config> {
    let mut attributes: BTreeMap<u32, BTreeMap<String, String>> = BTreeMap::new();
    for spec in &args.agent_attributes {
        let (index, attrs) = local::parse_attributes(spec)
            .map_err(|e| UserError::with_hint(e, "use --agent-attributes 1:rack=r1;zone=z1"))?;
        if index > args.agents {
            return Err(
                UserError::new(format!("--agent-attributes {spec}: there are only {} agents", args.agents)).into()
            );
        }
        attributes.entry(index).or_default().extend(attrs);
    }
    if args.agents == 0 {
        return Err(UserError::new("--agents must be at least 1").into());
    }
    let ports = local::parse_port_range(&args.agent_ports).map_err(UserError::new)?;
    Ok(Config {
        agents: args.agents,
        agent_attributes: attributes,
        agent_cpus: args.agent_cpus,
        agent_mem: args.agent_mem,
        agent_disk: args.agent_disk,
        agent_ports: ports,
        work_dir: args.work_dir.clone(),
        state_file: args.state.clone(),
        metrics_prometheus: !args.disable_metrics_prometheus,
        ..Config::default()
    })
}

/// SIGINT (Ctrl-C) and SIGTERM, caught from the moment they are installed.
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> anyhow::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt()).context("installing the SIGINT handler")?,
            terminate: signal(SignalKind::terminate()).context("installing the SIGTERM handler")?,
        })
    }

    /// The next signal's name.
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "interrupted",
            _ = self.terminate.recv() => "terminated",
        }
    }
}
