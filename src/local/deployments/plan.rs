//! Deployment plans (M:src/main/scala/mesosphere/marathon/core/deployment/DeploymentPlan.scala): which actions, in which steps, turn the old root group into the new one. Pure.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::marathon::types::App;

use crate::local::model::ids;

/// What a deployment does to one app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActionKind {
    /// Create the app (no instances yet).
    Start,
    /// Kill every instance and forget the app.
    Stop,
    /// Reach the target instance count without replacing instances.
    Scale,
    /// Replace every instance under the upgrade strategy.
    Restart,
}

impl ActionKind {
    /// Marathon's action name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ActionKind::Start => "StartApplication",
            ActionKind::Stop => "StopApplication",
            ActionKind::Scale => "ScaleApplication",
            ActionKind::Restart => "RestartApplication",
        }
    }
}

/// One action of a step.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Action {
    /// What to do.
    pub(crate) kind: ActionKind,
    /// The app.
    pub(crate) app_id: String,
}

/// Marathon's message for dependency cycles.
pub(crate) const CYCLE: &str = "Dependency graph has cyclic dependencies.";

/// Builds the steps from `old` to `new`. An app whose `lastConfigChangeAt` changed restarts; one
/// whose instance count or `lastScalingAt` changed scales. `group_deps` are explicit groups' dependencies.
pub(crate) fn steps(
    old: &BTreeMap<String, Arc<App>>,
    new: &BTreeMap<String, Arc<App>>,
    group_deps: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Vec<Action>>, String> {
    let depth = depths(new, group_deps)?;
    let stops: Vec<Action> = old
        .keys()
        .filter(|id| !new.contains_key(*id))
        .map(|id| Action { kind: ActionKind::Stop, app_id: id.clone() })
        .collect();
    let starts: Vec<Action> = new
        .keys()
        .filter(|id| !old.contains_key(*id))
        .map(|id| Action { kind: ActionKind::Start, app_id: id.clone() })
        .collect();
    let mut layers: BTreeMap<usize, Vec<Action>> = BTreeMap::new();
    for (id, app) in new {
        let kind = match old.get(id) {
            None => Some(ActionKind::Scale),
            Some(prev) if config_version(prev) != config_version(app) => Some(ActionKind::Restart),
            Some(prev) if prev.instances != app.instances || scaling_version(prev) != scaling_version(app) => {
                Some(ActionKind::Scale)
            }
            Some(_) => None,
        };
        if let Some(kind) = kind {
            layers.entry(depth.get(id).copied().unwrap_or(0)).or_default().push(Action { kind, app_id: id.clone() });
        }
    }
    let mut steps = vec![stops, starts];
    steps.extend(layers.into_values());
    steps.retain(|s| !s.is_empty());
    Ok(steps)
}

fn config_version(app: &App) -> Option<&str> {
    app.version_info.as_ref().and_then(|v| v.last_config_change_at.as_deref())
}

fn scaling_version(app: &App) -> Option<&str> {
    app.version_info.as_ref().and_then(|v| v.last_scaling_at.as_deref())
}

/// The apps an app depends on: its own dependencies and those of its enclosing groups; a group
/// id stands for every app under it.
fn dependencies_of(
    id: &str,
    app: &App,
    apps: &BTreeMap<String, Arc<App>>,
    group_deps: &BTreeMap<String, Vec<String>>,
) -> BTreeSet<String> {
    let mut targets: Vec<&String> = app.dependencies.iter().flatten().collect();
    for g in ids::ancestors(id) {
        targets.extend(group_deps.get(&g).into_iter().flatten());
    }
    let mut out = BTreeSet::new();
    for t in targets {
        for other in apps.keys() {
            if other != id && ids::is_under(other, t) && !(t != "/" && ids::is_under(id, t)) {
                out.insert(other.clone());
            }
        }
    }
    out
}

/// Longest dependency path from each app; an error on cycles.
pub(crate) fn depths(
    apps: &BTreeMap<String, Arc<App>>,
    group_deps: &BTreeMap<String, Vec<String>>,
) -> Result<BTreeMap<String, usize>, String> {
    let has_deps = apps.values().any(|a| a.dependencies.as_ref().is_some_and(|d| !d.is_empty()))
        || group_deps.values().any(|d| !d.is_empty());
    if !has_deps {
        return Ok(apps.keys().map(|k| (k.clone(), 0)).collect());
    }
    let edges: BTreeMap<&String, BTreeSet<String>> =
        apps.iter().map(|(id, app)| (id, dependencies_of(id, app, apps, group_deps))).collect();
    let mut depth: BTreeMap<String, usize> = BTreeMap::new();
    fn visit(
        id: &str,
        edges: &BTreeMap<&String, BTreeSet<String>>,
        depth: &mut BTreeMap<String, usize>,
        stack: &mut BTreeSet<String>,
    ) -> Result<usize, String> {
        if let Some(d) = depth.get(id) {
            return Ok(*d);
        }
        if !stack.insert(id.to_string()) {
            return Err(CYCLE.into());
        }
        let mut d = 0;
        for dep in edges.iter().find(|(k, _)| k.as_str() == id).map(|(_, v)| v).into_iter().flatten() {
            d = d.max(1 + visit(dep, edges, depth, stack)?);
        }
        stack.remove(id);
        depth.insert(id.to_string(), d);
        Ok(d)
    }
    let mut stack = BTreeSet::new();
    for id in apps.keys() {
        visit(id, &edges, &mut depth, &mut stack)?;
    }
    Ok(depth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon::types::VersionInfo;

    fn app(id: &str, n: u32, cfg: &str, deps: &[&str]) -> (String, Arc<App>) {
        let a = App {
            id: id.into(),
            instances: Some(n),
            dependencies: Some(deps.iter().map(|d| d.to_string()).collect()),
            version_info: Some(VersionInfo {
                last_config_change_at: Some(cfg.into()),
                last_scaling_at: Some(cfg.into()),
            }),
            ..App::default()
        };
        (id.to_string(), Arc::new(a))
    }

    fn names(steps: &[Vec<Action>]) -> Vec<Vec<String>> {
        steps.iter().map(|s| s.iter().map(|a| format!("{} {}", a.kind.name(), a.app_id)).collect()).collect()
    }

    #[test]
    fn a_new_app_has_two_steps() {
        let new: BTreeMap<_, _> = [app("/a", 2, "v1", &[])].into();
        let s = steps(&BTreeMap::new(), &new, &BTreeMap::new()).unwrap();
        assert_eq!(names(&s), [vec!["StartApplication /a"], vec!["ScaleApplication /a"]]);
    }

    #[test]
    fn stop_then_start_then_dependency_layers() {
        let old: BTreeMap<_, _> = [app("/gone", 1, "v1", &[]), app("/db", 1, "v1", &[])].into();
        let new: BTreeMap<_, _> = [app("/db", 1, "v2", &[]), app("/web", 1, "v2", &["/db"])].into();
        let s = steps(&old, &new, &BTreeMap::new()).unwrap();
        assert_eq!(
            names(&s),
            [
                vec!["StopApplication /gone"],
                vec!["StartApplication /web"],
                vec!["RestartApplication /db"],
                vec!["ScaleApplication /web"]
            ]
        );
    }

    #[test]
    fn identical_roots_have_no_steps_and_cycles_are_refused() {
        let old: BTreeMap<_, _> = [app("/a", 1, "v1", &[])].into();
        assert!(steps(&old, &old, &BTreeMap::new()).unwrap().is_empty());
        let cyc: BTreeMap<_, _> = [app("/a", 1, "v1", &["/b"]), app("/b", 1, "v1", &["/a"])].into();
        assert_eq!(steps(&BTreeMap::new(), &cyc, &BTreeMap::new()).unwrap_err(), CYCLE);
    }

    #[test]
    fn scale_only_changes_scale() {
        let old: BTreeMap<_, _> = [app("/a", 1, "v1", &[])].into();
        let new: BTreeMap<_, _> = [app("/a", 3, "v1", &[])].into();
        assert_eq!(names(&steps(&old, &new, &BTreeMap::new()).unwrap()), [vec!["ScaleApplication /a"]]);
    }
}
