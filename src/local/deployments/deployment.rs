//! A deployment in progress as the state keeps it: its steps, its lock (the affected apps), the
//! originals for rollback and the progress of the current step. `deploy` moves it forward.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::marathon::types::{App, DeploymentAction, DeploymentStep};

use super::plan::Action;

/// A deployment in progress.
#[derive(Debug, Clone)]
pub(crate) struct DeploymentRun {
    /// Deployment id (UUID).
    pub(crate) id: String,
    /// Target root version.
    pub(crate) version: String,
    /// Steps.
    pub(crate) steps: Vec<Vec<Action>>,
    /// Apps the deployment touches (its lock).
    pub(crate) affected: BTreeSet<String>,
    /// The affected apps before the change (None = did not exist), for rollback.
    pub(crate) original: BTreeMap<String, Option<Arc<App>>>,
    /// 1-based current step, 0 before the first starts.
    pub(crate) current_step: usize,
    /// Progress of the current step's actions.
    pub(crate) progress: Vec<Progress>,
    /// Instances a kill-and-scale named, by app: the app's `ScaleApplication` action is done
    /// only once every one of them is terminal (`DeploymentActor.decommissionInstances`).
    pub(crate) sentenced: BTreeMap<String, BTreeSet<String>>,
}

/// Progress of one action.
#[derive(Debug, Clone, Default)]
pub(crate) struct Progress {
    /// Finished.
    pub(crate) done: bool,
    /// Rolling-restart bookkeeping.
    pub(crate) restart: Option<RestartState>,
    /// Scale bookkeeping.
    pub(crate) scale: Option<ScaleStart>,
    /// The last readiness result per task id seen in this step ([`super::readiness`]).
    pub(crate) readiness: BTreeMap<String, crate::marathon::types::ReadinessCheckResult>,
    /// Instance ids whose readiness is being checked.
    pub(crate) probing: BTreeSet<String>,
}

/// What a `ScaleApplication` waits for, fixed when it starts, as Marathon's `TaskStartActor`
/// fixes `nrToStart` (M:src/main/scala/mesosphere/marathon/core/deployment/impl/
/// TaskStartActor.scala): the instances to start beyond those active or waiting for an offer,
/// and the instances that were there (which never count towards it).
#[derive(Debug, Clone)]
pub(crate) struct ScaleStart {
    /// Instances this action starts: `max(0, scaleTo - (active + waiting))`.
    pub(crate) to_start: u32,
    /// Instance ids present when it started.
    pub(crate) before: BTreeSet<String>,
}

/// The numbers of `computeRestartStrategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RestartStrategy {
    /// Old instances to kill right away.
    pub(crate) kill_now: u32,
    /// Most instances (old + new) alive at once.
    pub(crate) max_capacity: u32,
}

/// Bookkeeping of a rolling restart.
#[derive(Debug, Clone)]
pub(crate) struct RestartState {
    /// The strategy computed when the action started.
    pub(crate) strategy: RestartStrategy,
    /// New instances that became healthy and ready (each allows one old instance to die).
    pub(crate) healthy_seen: BTreeSet<String>,
    /// Old instances killed so far.
    pub(crate) killed: u32,
}

impl DeploymentRun {
    /// The steps as `[{actions:[{action, app}]}]`.
    pub(crate) fn wire_steps(&self) -> Vec<DeploymentStep> {
        self.steps.iter().map(|s| DeploymentStep { actions: wire_actions(s) }).collect()
    }
}

/// The actions of a step as `[{action, app}]`.
pub(crate) fn wire_actions(actions: &[Action]) -> Vec<DeploymentAction> {
    actions
        .iter()
        .map(|a| DeploymentAction { action: a.kind.name().into(), app: Some(a.app_id.clone()), ..Default::default() })
        .collect()
}
