//! Deployments: `/v2/deployments` with their steps and actions, a reference to one, and what a
//! change returns (R:v2/types/deploymentPlan.raml, deploymentSteps.raml, deploymentAction.raml,
//! deploymentResult.raml).

use serde::{Deserialize, Serialize};

use super::checks::ReadinessCheckResult;

/// `{"id": "..."}`: a reference to a deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentRef {
    /// Deployment id (a UUID).
    pub id: String,
}

/// `{"deploymentId", "version"}`: what a change returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentResult {
    /// The deployment that carries the change.
    pub deployment_id: String,
    /// The new version.
    pub version: String,
}

/// One action of a deployment step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentAction {
    /// `StartApplication`, `StopApplication`, `ScaleApplication`, `RestartApplication`.
    pub action: String,
    /// App id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// Pod id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    /// Readiness results (in `currentActions` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_check_results: Option<Vec<ReadinessCheckResult>>,
}

/// One step: actions that run in parallel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeploymentStep {
    /// The actions.
    pub actions: Vec<DeploymentAction>,
}

/// A running deployment, as listed by `GET /v2/deployments`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// Deployment id.
    pub id: String,
    /// Target version.
    pub version: String,
    /// Apps the deployment changes.
    #[serde(default)]
    pub affected_apps: Vec<String>,
    /// Pods the deployment changes.
    #[serde(default)]
    pub affected_pods: Vec<String>,
    /// All steps.
    #[serde(default)]
    pub steps: Vec<DeploymentStep>,
    /// Actions of the current step.
    #[serde(default)]
    pub current_actions: Vec<DeploymentAction>,
    /// 1-based current step (0 before the first starts).
    #[serde(default)]
    pub current_step: u32,
    /// Number of steps.
    #[serde(default)]
    pub total_steps: u32,
}
