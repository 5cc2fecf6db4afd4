//! `/v2/deployments`: list, and `DELETE` = rollback (200 + new deployment) or, with
//! `force=true`, cancel (202, no body).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;

use crate::local::deployments::changes;
use crate::local::Shared;
use crate::marathon::types::Deployment;

use super::views;
use super::{deployment_response, json_response, ApiError, ApiResult, Params};

/// `GET /v2/deployments`.
pub(crate) async fn list(State(shared): State<Arc<Shared>>) -> ApiResult {
    let st = shared.lock();
    let list: Vec<Deployment> = st.deployments.iter().map(views::deployment).collect();
    drop(st);
    Ok(json_response(StatusCode::OK, &list))
}

/// `DELETE /v2/deployments/{id}[?force=true]`.
pub(crate) async fn delete(State(shared): State<Arc<Shared>>, Path(id): Path<String>, uri: Uri) -> ApiResult {
    let force = Params::from_uri(&uri).flag("force", false)?;
    let mut st = shared.lock();
    let Some(run) = st.deployments.iter().find(|d| d.id == id).cloned() else {
        return Err(ApiError::not_found(format!("DeploymentPlan {id} does not exist")));
    };
    if force {
        changes::cancel(&mut st, &shared.bus, &id, "The deployment has been canceled");
        drop(st);
        shared.wake.notify_one();
        return Ok(StatusCode::ACCEPTED.into_response());
    }
    let proposal = changes::rollback_proposal(&st, &run);
    changes::cancel(&mut st, &shared.bus, &id, "The deployment has been rolled back");
    let accepted = changes::apply(&mut st, &shared.bus, proposal, true, "/")?;
    drop(st);
    shared.wake.notify_one();
    Ok(deployment_response(StatusCode::OK, &accepted))
}
