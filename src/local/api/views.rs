//! Wire shapes built from the state: AppInfo (with embeds), Task, Group trees and the queue.

use crate::marathon::types::{
    App, Deployment, DeploymentAction, DeploymentRef, Group, IpAddress, QueueDelay, QueueItem, Task,
};

use crate::local::deployments::deployment::DeploymentRun;
use crate::local::model::ids;
use crate::local::model::state::{AppRecord, Instance, State, TaskState};

/// What an app response embeds (`embed=apps.tasks`, `app.counts`, ...).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Embed {
    /// `tasks`.
    pub(crate) tasks: bool,
    /// `tasksStaged/Running/Healthy/Unhealthy`.
    pub(crate) counts: bool,
    /// `deployments`.
    pub(crate) deployments: bool,
    /// `lastTaskFailure`.
    pub(crate) last_task_failure: bool,
    /// `readinessCheckResults`.
    pub(crate) readiness: bool,
}

impl Embed {
    /// Parses `embed` values, accepting the `app.`, `apps.`, `group.apps.` prefixes or none.
    pub(crate) fn parse<'a>(values: impl IntoIterator<Item = &'a str>, base: Embed) -> Embed {
        let mut e = base;
        for v in values {
            let key = v.trim_start_matches("group.apps.").trim_start_matches("apps.").trim_start_matches("app.");
            match key {
                "tasks" => e.tasks = true,
                "counts" => e.counts = true,
                "deployments" => e.deployments = true,
                "lastTaskFailure" => e.last_task_failure = true,
                "readiness" => e.readiness = true,
                "failures" => {
                    e.tasks = true;
                    e.last_task_failure = true;
                }
                _ => {}
            }
        }
        e
    }
}

/// The AppInfo of an app.
pub(crate) fn app_info(st: &State, rec: &AppRecord, embed: Embed) -> App {
    let mut app = (*rec.def).clone();
    if embed.counts {
        let (mut staged, mut running, mut healthy, mut unhealthy) = (0, 0, 0, 0);
        for i in st.instances_of(&app.id) {
            match i.state {
                TaskState::Staging => staged += 1,
                TaskState::Running => running += 1,
                _ => {}
            }
            if !i.health.is_empty() && i.state == TaskState::Running {
                if i.health.iter().all(|h| h.as_ref().is_some_and(|h| h.alive)) {
                    healthy += 1;
                } else if i.health.iter().flatten().any(|h| !h.alive && h.last_failure.is_some()) {
                    unhealthy += 1;
                }
            }
        }
        app.tasks_staged = Some(staged);
        app.tasks_running = Some(running);
        app.tasks_healthy = Some(healthy);
        app.tasks_unhealthy = Some(unhealthy);
    }
    if embed.deployments {
        app.deployments = Some(st.deployments_of(&app.id).into_iter().map(|id| DeploymentRef { id }).collect());
    }
    if embed.tasks {
        app.tasks = Some(st.instances_of(&app.id).map(|i| task(st, i)).collect());
    }
    if embed.last_task_failure {
        app.last_task_failure = rec.last_failure.clone();
    }
    if embed.readiness {
        // What the running deployments saw (M:src/main/scala/mesosphere/marathon/core/appinfo/
        // impl/AppInfoBaseData.scala, `readinessChecksByAppFuture`): empty without one.
        app.readiness_check_results = Some(crate::local::deployments::readiness::results_of(st, &app.id));
    }
    app
}

/// The wire Task of an instance.
pub(crate) fn task(st: &State, i: &Instance) -> Task {
    let agent = &st.agents[i.agent];
    let launched = i.state != TaskState::Staging || i.pgid.is_some() || i.simulated;
    Task {
        id: i.task_id.clone(),
        app_id: i.app_id.clone(),
        host: agent.hostname.clone(),
        ports: Some(i.host_ports.clone()),
        service_ports: i.service_ports.clone(),
        slave_id: agent.id.clone(),
        state: i.state,
        staged_at: Some(i.staged_at.clone()),
        started_at: if launched { i.started_at.clone() } else { None },
        version: Some(i.version.clone()),
        ip_addresses: vec![IpAddress { ip_address: agent.hostname.clone(), protocol: "IPv4".into() }],
        // Only the checks that reported: before its first result a check has no entry
        // (`HealthCheckActor.healthByInstanceId`, read by `AppInfoBaseData.enrichedTasksFuture`).
        health_check_results: (!i.health.is_empty()).then(|| i.health.iter().flatten().cloned().collect()),
        local_volumes: Some(Vec::new()),
        region: agent.attributes.get("region").cloned(),
        zone: agent.attributes.get("zone").cloned(),
        role: Some("*".into()),
    }
}

/// Whether a group exists (explicit, implied by an app or a subgroup, or the root).
pub(crate) fn group_exists(st: &State, id: &str) -> bool {
    id == "/" || st.groups.contains_key(id) || st.all_group_ids().contains(id)
}

/// The group `id` with its apps and subgroups (recursively). Children are indexed once, so the
/// tree is built in time linear in the number of apps and groups, whatever its depth.
pub(crate) fn group(st: &State, id: &str, embed: Embed) -> Group {
    let all = st.all_group_ids();
    let mut tree = Tree::default();
    for g in &all {
        tree.groups.entry(ids::parent(g)).or_default().push(g.as_str());
    }
    for (app_id, rec) in &st.apps {
        tree.apps.entry(ids::parent(app_id)).or_default().push(rec);
    }
    group_with(st, id, embed, &tree)
}

/// Apps and subgroups by their parent group's id.
#[derive(Default)]
struct Tree<'a> {
    groups: std::collections::BTreeMap<String, Vec<&'a str>>,
    apps: std::collections::BTreeMap<String, Vec<&'a AppRecord>>,
}

fn group_with(st: &State, id: &str, embed: Embed, tree: &Tree<'_>) -> Group {
    let apps = tree.apps.get(id).into_iter().flatten().map(|r| app_info(st, r, embed)).collect();
    let groups = tree
        .groups
        .get(id)
        .into_iter()
        .flatten()
        .filter(|g| **g != id)
        .map(|g| group_with(st, g, embed, tree))
        .collect();
    let rec = st.groups.get(id);
    Group {
        id: id.to_string(),
        apps,
        groups,
        pods: Vec::new(),
        dependencies: rec.map(|r| r.dependencies.clone()).unwrap_or_default(),
        version: Some(
            rec.map(|r| r.version.clone()).filter(|v| !v.is_empty()).unwrap_or_else(|| st.root_version.clone()),
        ),
        enforce_role: Some(false),
    }
}

/// `/v2/queue` entries, as Marathon's `LaunchStats.getStatistics` builds them
/// (M:src/main/scala/mesosphere/marathon/core/launchqueue/LaunchStats.scala): an app is listed
/// while any of its instances is launching, that is scheduled (waiting for an offer, or failed
/// and waiting to be relaunched) or provisioned (placed, not started yet: sandbox, fetch, image
/// pull). `count` is all of them, `since` the earliest time one of them was queued, the offer
/// statistics are the app's lifetime ones (`offers`), and `lastUnusedOffers` appears only with
/// `embed=lastUnusedOffers` (M:.../api/v2/QueueResource.scala).
pub(crate) fn queue(st: &State, embed_last_unused: bool) -> Vec<QueueItem> {
    let now = std::time::Instant::now();
    let no_stats = crate::local::scheduling::offers::OfferStats::default();
    st.apps
        .iter()
        .filter_map(|(id, r)| {
            let provisioned: Vec<&Instance> = st.instances_of(id).filter(|i| i.provisioned()).collect();
            let count = r.launch.count + provisioned.len() as u32;
            if count == 0 {
                return None;
            }
            let since = provisioned
                .iter()
                .map(|i| i.queued_since.clone())
                .chain(r.launch.since.clone().filter(|_| r.launch.count > 0))
                .min()
                .unwrap_or_else(|| st.root_version.clone());
            let stats = st.offer_stats.get(id).unwrap_or(&no_stats);
            Some(QueueItem {
                count,
                delay: queue_delay(r.launch.delay_until, now),
                since,
                processed_offers_summary: Some(stats.summary()),
                last_unused_offers: embed_last_unused.then(|| stats.last_unused_offers()),
                app: Some(app_info(st, r, Embed::default())),
                pod: None,
                role: Some("*".into()),
            })
        })
        .collect()
}

/// `QueuedInstanceInfoWithStatistics.queueDelay` (LaunchStats.scala): the whole seconds left
/// until `backOffUntil` (never negative), and `overdue` when there is no backoff or it passed
/// by at least a second (`timeLeft.toSeconds < 0` truncates toward zero).
fn queue_delay(until: Option<std::time::Instant>, now: std::time::Instant) -> QueueDelay {
    match until {
        None => QueueDelay { time_left_seconds: 0, overdue: true },
        Some(t) if t >= now => QueueDelay { time_left_seconds: (t - now).as_secs(), overdue: false },
        Some(t) => QueueDelay { time_left_seconds: 0, overdue: (now - t).as_secs() >= 1 },
    }
}

/// A running deployment as `GET /v2/deployments` shows it.
pub(crate) fn deployment(run: &DeploymentRun) -> Deployment {
    let current_actions = if run.current_step == 0 {
        Vec::new()
    } else {
        run.steps[run.current_step - 1]
            .iter()
            .zip(&run.progress)
            .map(|(a, p)| DeploymentAction {
                action: a.kind.name().into(),
                app: Some(a.app_id.clone()),
                pod: None,
                // `DeploymentPlanConversion`: `info.readinessChecksByApp(action.runSpec.id)`.
                readiness_check_results: Some(p.readiness.values().cloned().collect()),
            })
            .collect()
    };
    Deployment {
        id: run.id.clone(),
        version: run.version.clone(),
        affected_apps: run.affected.iter().cloned().collect(),
        affected_pods: Vec::new(),
        steps: run.wire_steps(),
        current_actions,
        current_step: run.current_step as u32,
        total_steps: run.steps.len() as u32,
    }
}
