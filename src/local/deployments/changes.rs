//! Accepting a change of the root group: version stamps (`versionInfo`, M:src/main/scala/mesosphere/marathon/state/VersionInfo.scala), service ports,
//! 409 locks and `force`, the deployment plan, and the events of an accepted change.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::json;

use crate::local::events::{plan_json, Bus};
use crate::local::model::normalize::{definition_only, restart_key, Violation};
use crate::local::model::persist::Saved;
use crate::local::model::state::{AppRecord, GroupRecord, State};
use crate::marathon::rules;
use crate::marathon::types::{App, VersionInfo};

use super::deployment::DeploymentRun;
use super::plan;

/// Service ports are assigned from this range: Marathon's `--local_port_min` and
/// `--local_port_max` defaults (`M:src/main/scala/mesosphere/marathon/MarathonConf.scala`).
const SERVICE_PORTS: std::ops::RangeInclusive<u32> = 10000..=20000;

/// A proposed root group: every app (unchanged ones share their `Arc`) and every explicit group.
#[derive(Debug, Clone)]
pub(crate) struct Proposal {
    /// Apps by id.
    pub(crate) apps: BTreeMap<String, Arc<App>>,
    /// Explicit groups.
    pub(crate) groups: BTreeMap<String, GroupRecord>,
    /// Apps to restart even if unchanged.
    pub(crate) restart: BTreeSet<String>,
}

impl Proposal {
    /// The current root group.
    pub(crate) fn current(st: &State) -> Self {
        Proposal {
            apps: st.apps.iter().map(|(k, v)| (k.clone(), v.def.clone())).collect(),
            groups: st.groups.clone(),
            restart: BTreeSet::new(),
        }
    }
}

/// Why a change was refused.
#[derive(Debug)]
pub(crate) enum Rejected {
    /// Apps are in running deployments (409).
    Locked(Vec<String>),
    /// Validation failed (422).
    Invalid(Vec<Violation>),
    /// No service port is left to assign: Marathon's `PortRangeExhaustedException`, which its
    /// exception mapper answers with 500 and this message (`MarathonExceptionMapper.scala`).
    PortsExhausted(String),
}

/// An accepted change.
#[derive(Debug, Clone)]
pub(crate) struct Accepted {
    /// The deployment carrying it.
    pub(crate) deployment_id: String,
    /// The new root version.
    pub(crate) version: String,
}

/// Validates, locks and plans a proposal; on success the state holds the new root group and a
/// deployment that will carry it out.
pub(crate) fn apply(
    st: &mut State,
    bus: &Bus,
    mut proposal: Proposal,
    force: bool,
    group_id: &str,
) -> Result<Accepted, Rejected> {
    let version = st.clock.next();
    let old: BTreeMap<String, Arc<App>> = st.apps.iter().map(|(k, v)| (k.clone(), v.def.clone())).collect();
    // Marathon assigns service ports before it stamps versions (`GroupManagerImpl.scala`
    // `updateRootEither`), so an app re-sent with a port of 0 that gets its own port back is
    // not a config change.
    assign_service_ports(&mut proposal.apps, &old, &SERVICE_PORTS)?;
    stamp(&old, &mut proposal, &version);
    check_tree(&proposal)?;
    let group_deps: BTreeMap<String, Vec<String>> =
        proposal.groups.iter().map(|(k, v)| (k.clone(), v.dependencies.clone())).collect();
    let steps = plan::steps(&old, &proposal.apps, &group_deps)
        .map_err(|e| Rejected::Invalid(vec![Violation { path: "/".into(), error: e }]))?;
    let affected: BTreeSet<String> = steps.iter().flatten().map(|a| a.app_id.clone()).collect();
    let conflicts: Vec<String> =
        st.deployments.iter().filter(|d| !d.affected.is_disjoint(&affected)).map(|d| d.id.clone()).collect();
    if !conflicts.is_empty() {
        if !force {
            bus.emit(
                "group_change_failed",
                json!({"groupId": group_id, "version": version, "reason": "App is locked by one or more deployments."}),
            );
            return Err(Rejected::Locked(conflicts));
        }
        for id in conflicts {
            cancel(st, bus, &id, "The deployment has been canceled by a forced deployment");
        }
    }
    // commit
    let original = affected.iter().map(|id| (id.clone(), old.get(id).cloned())).collect();
    for id in old.keys() {
        if !proposal.apps.contains_key(id) {
            st.apps.remove(id);
        }
    }
    for (id, def) in &proposal.apps {
        match st.apps.get_mut(id) {
            Some(rec) if !Arc::ptr_eq(&rec.def, def) => {
                let config_changed = rec.def.version_info.as_ref().map(|v| &v.last_config_change_at)
                    != def.version_info.as_ref().map(|v| &v.last_config_change_at);
                rec.def = def.clone();
                rec.versions.insert(def.version.clone().unwrap_or_default(), def.clone());
                rec.trim_versions();
                if config_changed {
                    rec.launch.delay_seconds = 0.0;
                    rec.launch.delay_until = None;
                }
            }
            Some(_) => {}
            None => {
                st.apps.insert(id.clone(), AppRecord::new(def.clone()));
            }
        }
    }
    st.groups = proposal.groups;
    st.root_version = version.clone();
    st.service_ports =
        st.apps.values().flat_map(|r| crate::local::scheduling::scheduler::service_ports(&r.def)).collect();
    st.dirty = true;
    st.snapshot();
    let run = DeploymentRun {
        id: uuid::Uuid::new_v4().to_string(),
        version: version.clone(),
        steps,
        affected,
        original,
        current_step: 0,
        progress: Vec::new(),
        sentenced: BTreeMap::new(),
    };
    let deployment_id = run.id.clone();
    st.deployments.push(run);
    bus.emit("group_change_success", json!({"groupId": group_id, "version": version}));
    Ok(Accepted { deployment_id, version })
}

/// Stamps versions on changed apps (new app or config change: all three; restart: version and
/// lastConfigChangeAt; scale only: version and lastScalingAt); unchanged apps keep their `Arc`.
/// Returns the ids of added, changed and removed apps.
fn stamp(old: &BTreeMap<String, Arc<App>>, proposal: &mut Proposal, version: &str) -> BTreeSet<String> {
    let version = version.to_string();
    let mut changed: BTreeSet<String> = old.keys().filter(|k| !proposal.apps.contains_key(*k)).cloned().collect();
    for (id, app) in proposal.apps.iter_mut() {
        let prev = old.get(id);
        if prev.is_some_and(|p| Arc::ptr_eq(p, app)) && !proposal.restart.contains(id) {
            continue;
        }
        let mut next = definition_only(app);
        next.id = id.clone();
        let stamps = match prev {
            None => Some(VersionInfo {
                last_scaling_at: Some(version.clone()),
                last_config_change_at: Some(version.clone()),
            }),
            Some(p) => {
                let pv = p.version_info.clone().unwrap_or_default();
                if restart_key(&definition_only(p)) != restart_key(&next) {
                    Some(VersionInfo {
                        last_scaling_at: Some(version.clone()),
                        last_config_change_at: Some(version.clone()),
                    })
                } else if proposal.restart.contains(id) {
                    Some(VersionInfo {
                        last_scaling_at: pv.last_scaling_at,
                        last_config_change_at: Some(version.clone()),
                    })
                } else if p.instances != next.instances {
                    Some(VersionInfo {
                        last_scaling_at: Some(version.clone()),
                        last_config_change_at: pv.last_config_change_at,
                    })
                } else {
                    None
                }
            }
        };
        match stamps {
            Some(vi) => {
                next.version = Some(version.clone());
                next.version_info = Some(vi);
                *app = Arc::new(next);
                changed.insert(id.clone());
            }
            None => *app = prev.cloned().unwrap_or_else(|| app.clone()),
        }
    }
    changed
}

/// The steps a proposal would produce (`dryRun`), without changing anything.
pub(crate) fn preview(st: &State, mut proposal: Proposal) -> Result<Vec<Vec<plan::Action>>, Rejected> {
    let old: BTreeMap<String, Arc<App>> = st.apps.iter().map(|(k, v)| (k.clone(), v.def.clone())).collect();
    let _ = stamp(&old, &mut proposal, &crate::local::model::clock::now_iso());
    check_tree(&proposal)?;
    let group_deps: BTreeMap<String, Vec<String>> =
        proposal.groups.iter().map(|(k, v)| (k.clone(), v.dependencies.clone())).collect();
    plan::steps(&old, &proposal.apps, &group_deps)
        .map_err(|e| Rejected::Invalid(vec![Violation { path: "/".into(), error: e }]))
}

/// Marathon's rules over the whole tree: no app shares its id with a group (`Group.scala`,
/// [`rules::app_group_collisions`]); 422 otherwise.
fn check_tree(proposal: &Proposal) -> Result<(), Rejected> {
    let apps = proposal.apps.keys().map(String::as_str);
    let clashes = rules::app_group_collisions(apps, proposal.groups.keys().map(String::as_str));
    if clashes.is_empty() {
        return Ok(());
    }
    tracing::debug!(ids = ?clashes, "apps and groups share ids");
    Err(Rejected::Invalid(vec![Violation { path: "/".into(), error: rules::APP_GROUP_COLLISION.into() }]))
}

/// Cancels a deployment: it stops where it is and emits `deployment_failed`. Instances it queued
/// stay queued: a canceled `DeploymentActor` only stops its child actors, and nothing in 1.10
/// removes scheduled instances from the launch queue
/// (M:src/main/scala/mesosphere/marathon/core/deployment/impl/StopActor.scala,
/// M:src/main/scala/mesosphere/marathon/core/deployment/impl/TaskStartActor.scala `postStop`).
pub(crate) fn cancel(st: &mut State, bus: &Bus, id: &str, reason: &str) -> Option<DeploymentRun> {
    let idx = st.deployments.iter().position(|d| d.id == id)?;
    let run = st.deployments.remove(idx);
    bus.emit(
        "deployment_failed",
        json!({"id": run.id, "plan": plan_json(&run.id, &run.version, &run.wire_steps()), "reason": reason}),
    );
    Some(run)
}

/// The proposal that undoes a deployment: its apps as they were before it.
pub(crate) fn rollback_proposal(st: &State, run: &DeploymentRun) -> Proposal {
    let mut proposal = Proposal::current(st);
    for (id, before) in &run.original {
        match before {
            Some(def) => {
                proposal.apps.insert(id.clone(), Arc::new(definition_only(def)));
            }
            None => {
                proposal.apps.remove(id);
            }
        }
    }
    proposal
}

/// Replaces the service ports of 0 of every new or changed app, as Marathon's
/// `M:src/main/scala/mesosphere/marathon/core/group/impl/AssignDynamicServiceLogic.scala`
/// (`assignDynamicServicePorts`, `assignPorts`) does: an app first takes back, in their order,
/// its own ports in `range` that its new definition no longer names (whoever else asks for
/// them), then the lowest ports of `range` that no app held before the change or holds after
/// it. An explicit port is kept as it is, even one another app holds: Marathon validates
/// service ports within one app only. Running out of ports is `PortRangeExhaustedException`.
fn assign_service_ports(
    apps: &mut BTreeMap<String, Arc<App>>,
    old: &BTreeMap<String, Arc<App>>,
    range: &std::ops::RangeInclusive<u32>,
) -> Result<(), Rejected> {
    use crate::local::scheduling::scheduler::service_ports;
    let used: BTreeSet<u32> = old.values().chain(apps.values()).flat_map(|a| service_ports(a)).collect();
    let mut free = range.clone().filter(|p| !used.contains(p));
    // `changedOrNew`: a new app or an upgrade (`AppDefinition.isUpgrade`).
    let changed: Vec<String> = apps
        .iter()
        .filter(|(id, app)| old.get(*id).is_none_or(|o| restart_key(o) != restart_key(app)))
        .map(|(id, _)| id.clone())
        .collect();
    for id in changed {
        let Some(app) = apps.get_mut(&id) else { continue };
        let wanted = service_ports(app);
        if !wanted.contains(&0) {
            continue;
        }
        let given_up: Vec<u32> = old.get(&id).map(|o| service_ports(o)).unwrap_or_default();
        let mut given_up = given_up.into_iter().filter(|p| range.contains(p) && !wanted.contains(p));
        let mut assigned = Vec::with_capacity(wanted.len());
        for &p in &wanted {
            let port = match p {
                0 => given_up.next().or_else(|| free.next()).ok_or_else(|| {
                    Rejected::PortsExhausted(format!(
                        "All ports in the range [{}-{}) are already in use",
                        range.start(),
                        range.end()
                    ))
                })?,
                p => p,
            };
            assigned.push(port);
        }
        crate::local::scheduling::scheduler::set_service_ports(Arc::make_mut(app), &assigned);
    }
    Ok(())
}

/// Loads saved definitions (`--state`): apps come back with their versions; the scheduler
/// launches their instances.
pub(crate) fn restore(st: &mut State, saved: Saved) {
    for versions in saved.apps {
        let Some(current) = versions.last().cloned() else { continue };
        let mut rec = AppRecord::new(Arc::new(current.clone()));
        for v in versions {
            if let Some(ts) = v.version.clone() {
                st.clock.observe(&ts);
                rec.versions.insert(ts, Arc::new(v));
            }
        }
        rec.trim_versions();
        st.service_ports.extend(crate::local::scheduling::scheduler::service_ports(&current));
        st.apps.insert(current.id.clone(), rec);
    }
    st.groups = saved.groups;
    st.root_version = st.clock.next();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon::types::PortDefinition;

    fn app(id: &str, ports: &[u32]) -> (String, Arc<App>) {
        let port_definitions = Some(ports.iter().map(|&port| PortDefinition { port, ..Default::default() }).collect());
        (id.to_owned(), Arc::new(App { id: id.to_owned(), port_definitions, ..App::default() }))
    }

    fn ports(apps: &BTreeMap<String, Arc<App>>, id: &str) -> Vec<u32> {
        apps.get(id).map(|a| crate::local::scheduling::scheduler::service_ports(a)).unwrap_or_default()
    }

    /// `AssignDynamicServiceLogic.scala` throws `PortRangeExhaustedException` ("All ports in the
    /// range [min-max) are already in use", a 500) when the range has no free port left; ports
    /// held before the change stay reserved though their app is gone in it.
    #[test]
    fn an_exhausted_range_is_refused_with_marathons_message() {
        let old: BTreeMap<String, Arc<App>> = [app("/gone", &[10])].into();
        let mut apps: BTreeMap<String, Arc<App>> = [app("/a", &[0, 0])].into();
        assign_service_ports(&mut apps, &old, &(10..=12)).unwrap();
        assert_eq!(ports(&apps, "/a"), [11, 12]);
        let mut apps: BTreeMap<String, Arc<App>> = [app("/a", &[0, 0, 0])].into();
        match assign_service_ports(&mut apps, &old, &(10..=12)) {
            Err(Rejected::PortsExhausted(m)) => assert_eq!(m, "All ports in the range [10-12) are already in use"),
            other => panic!("{other:?}"),
        }
    }

    /// An unchanged app keeps its ports; only new and changed apps are assigned
    /// (`AssignDynamicServiceLogic.scala` `changedOrNew`).
    #[test]
    fn unchanged_apps_are_left_alone() {
        let old: BTreeMap<String, Arc<App>> = [app("/a", &[0])].into();
        let mut apps = old.clone();
        assign_service_ports(&mut apps, &old, &(10..=12)).unwrap();
        assert_eq!(ports(&apps, "/a"), [0]);
    }
}
