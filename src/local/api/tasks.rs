//! `/v2/tasks` (with `status` and the `text/plain` form) and `/v2/tasks/delete`, plus the task
//! kills shared with `/v2/apps/{id}/tasks`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::local::deployments::changes::{self, Proposal};
use crate::local::model::ids::BadTaskId;
use crate::local::model::state::State as EngineState;
use crate::local::tasks::ops::{self, Effects};
use crate::local::tasks::procgroup;
use crate::local::Shared;
use crate::marathon::types::Task;

use super::views;
use super::{deployment_response, json_response, parse_body, ApiError, ApiResult, Params};

/// Whether the client asked for the `text/plain` task list.
pub(crate) fn wants_text(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/plain") && !a.contains("json"))
}

/// The `text/plain` list: per app and service port, `app port host:port...` (tab-separated).
pub(crate) fn text_response<'a>(st: &EngineState, tasks: impl Iterator<Item = &'a Task>) -> Response {
    let mut by_app: BTreeMap<&str, Vec<&Task>> = BTreeMap::new();
    for t in tasks {
        by_app.entry(t.app_id.as_str()).or_default().push(t);
    }
    let mut out = String::new();
    for (app, list) in by_app {
        let service_ports =
            st.apps.get(app).map(|r| crate::local::scheduling::scheduler::service_ports(&r.def)).unwrap_or_default();
        let safe = crate::local::model::ids::task_prefix(app);
        for (i, sp) in service_ports.iter().enumerate() {
            out.push_str(&format!("{safe}\t{sp}\t"));
            for t in &list {
                if let Some(p) = t.ports.as_ref().and_then(|p| p.get(i)) {
                    out.push_str(&format!("{}:{p}\t", t.host));
                }
            }
            out.push('\n');
        }
    }
    ([(header::CONTENT_TYPE, "text/plain")], out).into_response()
}

/// `GET /v2/tasks[?status=running]`.
pub(crate) async fn list(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> ApiResult {
    let params = Params::from_uri(&uri);
    let wanted: Vec<String> = params.all("status").iter().map(|s| format!("TASK_{}", s.to_ascii_uppercase())).collect();
    let st = shared.lock();
    let tasks: Vec<Task> = st
        .instances
        .values()
        .flat_map(|m| m.values())
        .map(|i| views::task(&st, i))
        .filter(|t| wanted.is_empty() || wanted.iter().any(|w| w == t.state.name()))
        .collect();
    if wants_text(&headers) {
        return Ok(text_response(&st, tasks.iter()));
    }
    drop(st);
    // Serialized straight from the tasks: `json!` made a tree of all 10,000 first (37 MiB).
    #[derive(serde::Serialize)]
    struct TaskList<'a> {
        tasks: &'a [Task],
    }
    Ok(json_response(StatusCode::OK, &TaskList { tasks: &tasks }))
}

#[derive(Debug, serde::Deserialize)]
struct Ids {
    ids: Vec<String>,
}

/// `POST /v2/tasks/delete?scale&wipe&force` with `{"ids": [...]}`. As Marathon's `killTasks`
/// (M:src/main/scala/mesosphere/marathon/api/v2/TasksResource.scala): an id no task-id pattern
/// matches is 400, one whose UUID does not parse 422, and a well-formed id of no live task is
/// ignored (the others are still killed).
pub(crate) async fn delete_many(State(shared): State<Arc<Shared>>, uri: Uri, body: Bytes) -> ApiResult {
    let params = Params::from_uri(&uri);
    let (scale, wipe, force) =
        (params.flag("scale", false)?, params.flag("wipe", false)?, params.flag("force", false)?);
    if scale && wipe {
        return Err(ApiError::bad_request("You cannot use scale and wipe at the same time."));
    }
    let (ids, _): (Ids, _) = parse_body(&body)?;
    for id in &ids.ids {
        match crate::local::model::ids::parse_task_id(id) {
            Ok(()) => {}
            Err(BadTaskId::Malformed(m)) => return Err(ApiError::bad_request(m)),
            Err(BadTaskId::BadUuid(m)) => return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m)),
        }
    }
    kill_tasks(&shared, ids.ids, scale, wipe, force, false)
}

/// Kills tasks; with `scale` the apps' instance counts go down by as many, in a deployment.
///
/// That deployment is Marathon's kill-and-scale (M:src/main/scala/mesosphere/marathon/api/
/// TaskKiller.scala, `killAndScale`): the apps' `instances` drop by the named tasks that are
/// active and not already killing, and the named instances are *sentenced*. Its
/// `ScaleApplication` step decommissions them and stays open until every one is terminal
/// (M:src/main/scala/mesosphere/marathon/core/deployment/impl/DeploymentActor.scala,
/// `scaleRunnable` and `decommissionInstances`, which waits on
/// M:src/main/scala/mesosphere/marathon/core/task/termination/impl/KillStreamWatcher.scala,
/// `watchForKilledTasks`), so a task slow to stop (its kill grace) keeps the app locked: any
/// other non-forced deployment touching the app meanwhile is 409
/// (M:src/main/scala/mesosphere/marathon/core/deployment/impl/DeploymentManagerActor.scala,
/// `giveUpConflictingDeployment`). A 409 kills nothing: the kill is part of the deployment.
pub(crate) fn kill_tasks(
    shared: &Shared,
    task_ids: Vec<String>,
    scale: bool,
    wipe: bool,
    force: bool,
    single: bool,
) -> ApiResult {
    if scale && wipe {
        return Err(ApiError::bad_request("You cannot use scale and wipe at the same time."));
    }
    if !scale {
        let killed = kill_now(shared, &task_ids);
        shared.wake.notify_one();
        return Ok(match (single, killed.first()) {
            (true, Some(t)) => json_response(StatusCode::OK, &json!({ "task": t })),
            _ => json_response(StatusCode::OK, &json!({ "tasks": killed })),
        });
    }
    let mut fx = Effects::default();
    let accepted = {
        let mut st = shared.lock();
        let mut per_app: BTreeMap<String, u32> = BTreeMap::new();
        let mut sentenced: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for t in &task_ids {
            if let Some(inst) = st.find_task(t) {
                // "only count active instances that did not already receive a kill request"
                if inst.active() {
                    *per_app.entry(inst.app_id.clone()).or_default() += 1;
                }
                sentenced.entry(inst.app_id.clone()).or_default().insert(inst.instance_id.clone());
            }
        }
        let mut proposal = Proposal::current(&st);
        for (app, n) in &per_app {
            if let Some(def) = proposal.apps.get_mut(app) {
                let d = Arc::make_mut(def);
                d.instances = Some(d.instances.unwrap_or(0).saturating_sub(*n));
            }
        }
        let group = sentenced.keys().next().map(|a| crate::local::model::ids::parent(a)).unwrap_or_else(|| "/".into());
        let accepted = changes::apply(&mut st, &shared.bus, proposal, force, &group)?;
        if let Some(run) = st.deployments.iter_mut().find(|d| d.id == accepted.deployment_id) {
            // The sentenced instances keep their app's ScaleApplication action open. An app whose
            // count did not change (every named task already killing) has no action, as in
            // Marathon's plan (`DeploymentPlan.dependencyOrderedSteps`: `toKill` rides on the
            // scale action only).
            run.sentenced = sentenced
                .iter()
                .filter(|(app, _)| run.affected.contains(*app))
                .map(|(a, i)| (a.clone(), i.clone()))
                .collect();
        }
        for (app, instances) in &sentenced {
            for iid in instances {
                ops::kill(&mut st, &shared.bus, app, iid, &mut fx, false);
            }
        }
        accepted
    };
    for k in fx.kills {
        shared.spawn("task killer", procgroup::kill(k));
    }
    shared.wake.notify_one();
    Ok(deployment_response(StatusCode::OK, &accepted))
}

/// Kills instances now (used by task kills): returns their wire tasks. `wipe` needs nothing more
/// here: the engine's tasks hold no reservations to forget.
pub(crate) fn kill_now(shared: &Shared, task_ids: &[String]) -> Vec<Task> {
    let mut fx = Effects::default();
    let mut out = Vec::new();
    {
        let mut st = shared.lock();
        for tid in task_ids {
            let Some(inst) = st.find_task(tid) else { continue };
            out.push(views::task(&st, inst));
            let (app, iid) = (inst.app_id.clone(), inst.instance_id.clone());
            ops::kill(&mut st, &shared.bus, &app, &iid, &mut fx, false);
        }
    }
    for k in fx.kills {
        shared.spawn("task killer", procgroup::kill(k));
    }
    out
}
