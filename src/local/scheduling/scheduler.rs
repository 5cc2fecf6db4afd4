//! The offer/reconcile cycle: advance deployments, keep apps outside deployments at their
//! instance count, and place queued instances on agents (backoff, constraints, resources).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use crate::local::deployments::deploy;
use crate::local::deployments::readiness;
use crate::local::events;
use crate::local::model::clock::now_iso;
use crate::local::model::ids;
use crate::local::model::persist;
use crate::local::model::state::{Instance, State, TaskState};
use crate::local::tasks::ops::{Effects, LaunchJob};
use crate::local::tasks::process;
use crate::local::tasks::procgroup;
use crate::local::Shared;

use super::agents::Agent;
use super::placement::{self, Usage};

/// Runs cycles until the engine stops: every `offer_interval`, or sooner when woken.
pub(crate) async fn run(shared: Arc<Shared>) {
    let mut stop = shared.stop_signal();
    loop {
        tick(&shared);
        tokio::select! {
            _ = tokio::time::sleep(shared.config.offer_interval) => {}
            _ = shared.wake.notified() => {}
            _ = stop.changed() => return,
        }
    }
}

/// One cycle.
pub(crate) fn tick(shared: &Arc<Shared>) {
    let mut fx = Effects::default();
    let probes = {
        let mut st = shared.lock();
        crate::local::tasks::ops::report_kills(&mut st, &shared.bus);
        deploy::advance_all(&mut st, &shared.bus, &mut fx);
        keep(&mut st, shared, &mut fx);
        launch_queued(&mut st, shared, &mut fx);
        readiness::arm(&mut st)
    };
    for probe in probes {
        shared.spawn("readiness check", readiness::run(shared.clone(), probe));
    }
    persist::save_if_dirty(shared);
    for k in fx.kills {
        shared.spawn("task killer", procgroup::kill(k));
    }
    for job in fx.launches {
        shared.spawn("task launcher", process::launch(shared.clone(), job));
    }
}

/// Apps in no deployment are kept at their instance count (failed tasks are replaced).
fn keep(st: &mut State, shared: &Shared, fx: &mut Effects) {
    let locked: std::collections::BTreeSet<String> =
        st.deployments.iter().flat_map(|d| d.affected.iter().cloned()).collect();
    let ids: Vec<(String, u32)> = st
        .apps
        .iter()
        .filter(|(id, _)| !locked.contains(*id))
        .map(|(id, r)| (id.clone(), r.def.instances.unwrap_or(0)))
        .collect();
    for (id, n) in ids {
        deploy::scale(st, &shared.bus, fx, &id, n, false);
    }
}

fn usage(st: &State) -> Vec<Usage> {
    let mut usage = vec![Usage::default(); st.agents.len()];
    for inst in st.instances.values().flat_map(|m| m.values()) {
        if let Some(u) = usage.get_mut(inst.agent) {
            u.cpus += inst.resources.0;
            u.mem += inst.resources.1;
            u.disk += inst.resources.2;
            u.ports.extend(inst.host_ports.iter().copied());
        }
    }
    usage
}

/// One offer round: every agent offers once to each app with instances to place and no
/// backoff (a backed-off `TaskLauncherActor` unregisters as offer matcher and sees no offers,
/// M:.../launchqueue/impl/TaskLauncherActor.scala `manageOfferMatcherStatus`). Each declined
/// offer and each used one is counted in the app's [`OfferStats`](super::offers::OfferStats); an agent that declined is
/// not asked again in the same round, while one that was used offers its remainder again.
fn launch_queued(st: &mut State, shared: &Shared, fx: &mut Effects) {
    let now = Instant::now();
    let waiting: Vec<String> = st
        .apps
        .iter()
        .filter(|(_, r)| r.launch.count > 0 && r.launch.delay_until.is_none_or(|t| t <= now))
        .map(|(id, _)| id.clone())
        .collect();
    if waiting.is_empty() {
        return;
    }
    let mut usage = usage(st);
    for id in waiting {
        let Some(def) = st.apps.get(&id).map(|r| r.def.clone()) else { continue };
        let mut placed = constraint_peers(st, &def);
        let simulated = !shared.docker_available && process::is_docker(&def);
        let mut declined_agents: BTreeSet<usize> = BTreeSet::new();
        while st.apps.get(&id).is_some_and(|r| r.launch.count > 0) {
            let offered = placement::place(&def, &mut st.agents, &mut usage, &placed, &declined_agents);
            let at = now_iso();
            let stats = st.offer_stats.entry(id.clone()).or_default();
            for (agent, reasons) in &offered.declined {
                let a = &st.agents[*agent];
                stats.declined(&a.id, reasons.clone(), offer_json(a, &usage[*agent]), &at);
                declined_agents.insert(*agent);
            }
            let Some(p) = offered.placement else { break };
            stats.matched(&at);
            let Some(rec) = st.apps.get_mut(&id) else { break };
            let queued_since = rec.launch.since.clone().unwrap_or_else(|| at.clone());
            rec.launch.count -= 1;
            if rec.launch.count == 0 {
                rec.launch.since = None;
            }
            placed.push(p.agent);
            if let Some(job) = new_instance(st, shared, &def, p, simulated, queued_since) {
                fx.launches.push(job);
            }
        }
    }
}

/// The agents of the instances an app's constraints count: those of its current configuration
/// only. Marathon's `ResourceMatcher` ignores instances of older configurations "so we can
/// place a new instance on an agent that already hosts an old instance that will be killed
/// once a new one is running" (M:src/main/scala/mesosphere/mesos/ResourceMatcher.scala,
/// `inst.runSpecVersion >= runSpec.versionInfo.lastConfigChangeVersion`).
fn constraint_peers(st: &State, def: &crate::marathon::types::App) -> Vec<usize> {
    let config = def.version_info.as_ref().and_then(|v| v.last_config_change_at.as_deref()).unwrap_or_default();
    st.instances_of(&def.id).filter(|i| i.active() && i.version.as_str() >= config).map(|i| i.agent).collect()
}

/// The offer an agent makes: what is left of its resources (RAML `offer.Offer`).
fn offer_json(agent: &Agent, used: &Usage) -> serde_json::Value {
    let (lo, hi) = agent.ports;
    serde_json::json!({
        "id": format!("{}-O{}", agent.id, uuid::Uuid::new_v4()),
        "hostname": agent.hostname,
        "agentId": agent.id,
        "resources": [
            {"name": "cpus", "role": "*", "scalar": (agent.cpus - used.cpus).max(0.0)},
            {"name": "mem", "role": "*", "scalar": (agent.mem - used.mem).max(0.0)},
            {"name": "disk", "role": "*", "scalar": (agent.disk - used.disk).max(0.0)},
            {"name": "ports", "role": "*", "ranges": [{"begin": lo, "end": hi}]},
        ],
        "attributes": agent.attributes.iter().map(|(k, v)| serde_json::json!({"name": k, "text": v})).collect::<Vec<_>>(),
    })
}

/// Creates a staging instance and returns its launch job (a simulated task only gets its checks).
fn new_instance(
    st: &mut State,
    shared: &Shared,
    def: &Arc<crate::marathon::types::App>,
    p: placement::Placement,
    simulated: bool,
    queued_since: String,
) -> Option<LaunchJob> {
    let instance_id = format!("{}.instance-{}", ids::task_prefix(&def.id), uuid::Uuid::new_v4());
    let task_id = format!("{instance_id}._app.1");
    let agent = &st.agents[p.agent];
    let (host, agent_id) = (agent.hostname.clone(), agent.id.clone());
    let sandbox = shared.work_dir.join(&host).join(&task_id);
    let checks = def.health_checks.as_deref().unwrap_or_default();
    let now = now_iso();
    let service_ports = service_ports(def);
    let mut inst = Instance {
        instance_id: instance_id.clone(),
        task_id: task_id.clone(),
        app_id: def.id.clone(),
        version: def.version.clone().unwrap_or_default(),
        config_version: def.version_info.as_ref().and_then(|v| v.last_config_change_at.clone()).unwrap_or_default(),
        agent: p.agent,
        host_ports: p.host_ports.clone(),
        service_ports: service_ports.clone(),
        resources: (def.cpus.unwrap_or(1.0), def.mem.unwrap_or(128.0), def.disk.unwrap_or(0.0)),
        state: TaskState::Staging,
        goal_running: true,
        queued_since,
        staged_at: now.clone(),
        staged_instant: Instant::now(),
        started_at: None,
        started_instant: None,
        health: vec![None; checks.len()],
        // No shortcut for simulated tasks: their checks run and cannot pass (`health`).
        ready: def.readiness_checks.as_ref().is_none_or(|r| r.is_empty()),
        pgid: None,
        simulated,
        killing_unreported: false,
        sandbox: sandbox.clone(),
        kill_grace: def
            .task_kill_grace_period_seconds
            .map_or(crate::local::limits::DEFAULT_KILL_GRACE, crate::local::limits::seconds),
    };
    events::task_changed(&shared.bus, &inst, TaskState::Staging, &host, &agent_id, "");
    if simulated {
        inst.state = TaskState::Running;
        inst.started_at = Some(now);
        inst.started_instant = Some(Instant::now());
        events::task_changed(&shared.bus, &inst, TaskState::Running, &host, &agent_id, "");
        // Running now: the deployment reacts at once, as to a process that started (`process`).
        shared.wake.notify_one();
    }
    st.instances.entry(def.id.clone()).or_default().insert(instance_id.clone(), inst);
    if simulated {
        tracing::warn!(app = %def.id, task = %task_id, host = %host,
            "simulated Docker task: no Docker engine, so no process runs and its health and readiness checks cannot pass");
    }
    Some(LaunchJob {
        app: def.clone(),
        instance_id,
        task_id,
        host,
        agent_id,
        host_ports: p.host_ports,
        service_ports,
        sandbox,
    })
}

/// The service ports of an app: its port mappings' when it has any, else its port definitions'
/// (`M:src/main/scala/mesosphere/marathon/state/AppDefinition.scala` `servicePorts`).
pub(crate) fn service_ports(def: &crate::marathon::types::App) -> Vec<u32> {
    match def.container.as_ref().and_then(|c| c.port_mappings.as_ref()).filter(|m| !m.is_empty()) {
        Some(mappings) => mappings.iter().map(|m| m.service_port.unwrap_or(0)).collect(),
        None => def.port_definitions.iter().flatten().map(|d| d.port).collect(),
    }
}

/// Writes service ports back where [`service_ports`] read them, position by position.
pub(crate) fn set_service_ports(def: &mut crate::marathon::types::App, ports: &[u32]) {
    match def.container.as_mut().and_then(|c| c.port_mappings.as_mut()).filter(|m| !m.is_empty()) {
        Some(mappings) => mappings.iter_mut().zip(ports).for_each(|(m, p)| m.service_port = Some(*p)),
        None => def.port_definitions.iter_mut().flatten().zip(ports).for_each(|(d, p)| d.port = *p),
    }
}
