//! `/v2/groups`: nested ids, create, get (with embeds), update (incl. `scaleBy`, `{"version"}`
//! rollback and `dryRun`), delete.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, Uri};
use serde_json::{json, Value};

use crate::local::deployments::changes::{self, Accepted, Proposal};
use crate::local::model::ids;
use crate::local::model::normalize::{self, definition_only, Violation};
use crate::local::model::state::State as EngineState;
use crate::local::Shared;
use crate::marathon::types::{DeploymentAction, DeploymentStep};

use super::raml;
use super::views::{self, Embed};
use super::{deployment_response, json_response, parse_body, ApiError, ApiResult, Params};

fn group_id(rest: &str) -> Result<(String, bool), ApiError> {
    let mut parts = ids::split(rest);
    let versions = parts.last() == Some(&"versions");
    if versions {
        parts.pop();
    }
    let id = ids::resolve(&format!("/{}", parts.join("/")), "/")
        .map_err(|e| ApiError::invalid(vec![Violation { path: "/id".into(), error: e }]))?;
    Ok((id, versions))
}

/// Marathon reads a group body as RAML `GroupUpdate` first (`GroupsResource.scala`:
/// `Json.parse(body).as[raml.GroupUpdate]`): wrong types and ranges anywhere in it are refused
/// before anything else.
fn check_body(raw: &Value) -> Result<(), ApiError> {
    let violations = raml::check_group(raw, "");
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ApiError::unreadable(violations))
    }
}

/// The id a GET or DELETE names, unvalidated: Marathon looks any path up
/// (`GroupsResource.scala`, `id.toAbsolutePath`) and answers 404 for an unknown group
/// (`UnknownGroupException` in `MarathonExceptionMapper.scala`), also when the id could never exist.
fn lookup_id(rest: &str) -> (String, bool) {
    let mut parts = ids::split(rest);
    let versions = parts.last() == Some(&"versions");
    if versions {
        parts.pop();
    }
    (format!("/{}", parts.join("/")), versions)
}

fn unknown_group(id: &str) -> ApiError {
    ApiError::not_found(format!("Group '{id}' does not exist"))
}

/// `GET /v2/groups`.
pub(crate) async fn get_root(state: State<Arc<Shared>>, uri: Uri) -> ApiResult {
    get(state, "/", uri)
}

/// `GET /v2/groups/{id}` and `/v2/groups/{id}/versions`.
pub(crate) async fn get_any(state: State<Arc<Shared>>, Path(rest): Path<String>, uri: Uri) -> ApiResult {
    get(state, &rest, uri)
}

fn get(State(shared): State<Arc<Shared>>, rest: &str, uri: Uri) -> ApiResult {
    let (id, versions) = lookup_id(rest);
    let st = shared.lock();
    if !views::group_exists(&st, &id) {
        return Err(unknown_group(&id));
    }
    if versions {
        let list: Vec<String> = st
            .history
            .iter()
            .rev()
            .filter(|s| id == "/" || s.groups.contains_key(&id) || s.apps.keys().any(|a| ids::is_under(a, &id)))
            .map(|s| s.version.clone())
            .collect();
        return Ok(json_response(StatusCode::OK, &list));
    }
    let embed = Embed::parse(Params::from_uri(&uri).all("embed"), Embed::default());
    let group = views::group(&st, &id, embed);
    drop(st);
    Ok(json_response(StatusCode::OK, &group))
}

/// Applies a group body at `gid` to the proposal. `replace`: listed apps/groups replace the
/// current ones (PUT); otherwise they are added (POST).
fn apply_body(
    st: &EngineState,
    proposal: &mut Proposal,
    body: &Value,
    gid: &str,
    replace: bool,
) -> Result<(), ApiError> {
    let obj = body.as_object().ok_or_else(|| super::invalid_json("/", "error.expected.jsobject"))?;
    let record = proposal.groups.entry(gid.to_string()).or_default();
    if let Some(deps) = obj.get("dependencies").and_then(Value::as_array) {
        let mut out = Vec::new();
        for d in deps.iter().filter_map(Value::as_str) {
            out.push(
                ids::resolve(d, gid)
                    .map_err(|e| ApiError::invalid(vec![Violation { path: "/dependencies".into(), error: e }]))?,
            );
        }
        record.dependencies = out;
    }
    if let Some(apps) = obj.get("apps").and_then(Value::as_array) {
        let mut listed = Vec::new();
        for (i, raw) in apps.iter().enumerate() {
            let app: crate::marathon::types::App = serde_json::from_value(raw.clone())
                .map_err(|e| super::invalid_json(&format!("/apps({i})"), &e.to_string()))?;
            let app = normalize::normalize(app, gid).map_err(|errs| {
                ApiError::invalid(
                    errs.into_iter()
                        .map(|e| Violation {
                            path: format!("/apps({i}){}", e.path.trim_end_matches('/')),
                            error: e.error,
                        })
                        .collect(),
                )
            })?;
            if ids::parent(&app.id) != gid {
                return Err(ApiError::invalid(vec![Violation {
                    path: format!("/apps({i})/id"),
                    error: format!("Identifier is not child of '{gid}'"),
                }]));
            }
            listed.push(app.id.clone());
            proposal.apps.insert(app.id.clone(), Arc::new(app));
        }
        if replace {
            proposal.apps.retain(|id, _| ids::parent(id) != gid || listed.contains(id));
        }
    }
    if let Some(groups) = obj.get("groups").and_then(Value::as_array) {
        let mut listed = Vec::new();
        for (i, sub) in groups.iter().enumerate() {
            let sid = sub
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| super::invalid_json(&format!("/groups({i})/id"), "error.path.missing"))?;
            let sid = ids::resolve(sid, gid)
                .map_err(|e| ApiError::invalid(vec![Violation { path: format!("/groups({i})/id"), error: e }]))?;
            if ids::parent(&sid) != gid {
                return Err(ApiError::invalid(vec![Violation {
                    path: format!("/groups({i})/id"),
                    error: format!("Identifier is not child of '{gid}'"),
                }]));
            }
            apply_body(st, proposal, sub, &sid, replace)?;
            listed.push(sid);
        }
        if replace {
            let gone: Vec<String> = st
                .all_group_ids()
                .into_iter()
                .chain(proposal.groups.keys().cloned())
                .filter(|g| ids::parent(g) == gid && g != gid && !listed.contains(g))
                .collect();
            for g in gone {
                remove_under(proposal, &g);
            }
        }
    }
    Ok(())
}

fn remove_under(proposal: &mut Proposal, gid: &str) {
    proposal.apps.retain(|id, _| !ids::is_under(id, gid));
    proposal.groups.retain(|id, _| !ids::is_under(id, gid) || (gid == "/" && id == "/"));
}

fn stamp_groups(shared: &Shared, accepted: &Accepted, touched: &[String]) {
    let mut st = shared.lock();
    for g in touched {
        if let Some(rec) = st.groups.get_mut(g) {
            rec.version = accepted.version.clone();
        }
    }
    drop(st);
    shared.wake.notify_one();
}

fn touched_groups(proposal: &Proposal, gid: &str) -> Vec<String> {
    proposal.groups.keys().filter(|g| ids::is_under(g, gid)).cloned().collect()
}

/// `POST /v2/groups`.
pub(crate) async fn create_root(state: State<Arc<Shared>>, uri: Uri, body: Bytes) -> ApiResult {
    create(state, "/", uri, body)
}

/// `POST /v2/groups/{id}`.
pub(crate) async fn create_any(
    state: State<Arc<Shared>>,
    Path(rest): Path<String>,
    uri: Uri,
    body: Bytes,
) -> ApiResult {
    create(state, &rest, uri, body)
}

fn create(State(shared): State<Arc<Shared>>, base: &str, uri: Uri, body: Bytes) -> ApiResult {
    let force = Params::from_uri(&uri).flag("force", false)?;
    let (raw, _): (Value, Value) = parse_body(&body)?;
    check_body(&raw)?;
    let (base, _) = group_id(base)?;
    let id = match raw.get("id").and_then(Value::as_str) {
        Some(id) => {
            ids::resolve(id, &base).map_err(|e| ApiError::invalid(vec![Violation { path: "/id".into(), error: e }]))?
        }
        None => base.clone(),
    };
    if id == "/" && raw.get("id").is_none() {
        return Err(super::invalid_json("/id", "error.path.missing"));
    }
    let mut st = shared.lock();
    if views::group_exists(&st, &id) && id != "/" || st.apps.contains_key(&id) {
        return Err(ApiError::conflict(format!("Group {id} is already created. Use PUT to change this group.")));
    }
    let mut proposal = Proposal::current(&st);
    apply_body(&st, &mut proposal, &raw, &id, false)?;
    let touched = touched_groups(&proposal, &id);
    let accepted = changes::apply(&mut st, &shared.bus, proposal, force, &id)?;
    drop(st);
    stamp_groups(&shared, &accepted, &touched);
    let mut resp = deployment_response(StatusCode::CREATED, &accepted);
    if let Ok(v) = HeaderValue::from_str(&format!("/v2/groups{id}")) {
        resp.headers_mut().insert("Location", v);
    }
    Ok(resp)
}

/// `PUT /v2/groups`.
pub(crate) async fn put_root(state: State<Arc<Shared>>, uri: Uri, body: Bytes) -> ApiResult {
    put(state, "/", uri, body)
}

/// `PUT /v2/groups/{id}`.
pub(crate) async fn put_any(state: State<Arc<Shared>>, Path(rest): Path<String>, uri: Uri, body: Bytes) -> ApiResult {
    put(state, &rest, uri, body)
}

fn put(State(shared): State<Arc<Shared>>, rest: &str, uri: Uri, body: Bytes) -> ApiResult {
    let params = Params::from_uri(&uri);
    let (force, dry_run) = (params.flag("force", false)?, params.flag("dryRun", false)?);
    let (raw, _): (Value, Value) = parse_body(&body)?;
    check_body(&raw)?;
    let (id, _) = group_id(rest)?;
    let mut st = shared.lock();
    let mut proposal = Proposal::current(&st);
    if let Some(factor) = raw.get("scaleBy").and_then(Value::as_f64) {
        if !views::group_exists(&st, &id) {
            return Err(unknown_group(&id));
        }
        for (app_id, def) in proposal.apps.iter_mut() {
            if ids::is_under(app_id, &id) {
                let d = Arc::make_mut(def);
                // `scaleBy` is a double ≥ 0 (group.raml); the result stays an int32 like `instances`.
                let scaled = (f64::from(d.instances.unwrap_or(0)) * factor).ceil();
                d.instances = Some(scaled.clamp(0.0, f64::from(i32::MAX)) as u32);
            }
        }
    } else if let Some(version) =
        raw.get("version").and_then(Value::as_str).filter(|_| raw.get("apps").is_none() && raw.get("groups").is_none())
    {
        let snap = st
            .history
            .iter()
            .find(|s| s.version == version)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("Group '{id}' does not exist in version {version}")))?;
        remove_under(&mut proposal, &id);
        for (app_id, def) in snap.apps.iter().filter(|(a, _)| ids::is_under(a, &id)) {
            proposal.apps.insert(app_id.clone(), Arc::new(definition_only(def)));
        }
        for (g, rec) in snap.groups.iter().filter(|(g, _)| ids::is_under(g, &id)) {
            proposal.groups.insert(g.clone(), rec.clone());
        }
    } else {
        if raw.get("id").and_then(Value::as_str).is_some_and(|b| {
            ids::resolve(b, &ids::parent(&id)).ok().as_deref() != Some(&id)
                && ids::resolve(b, "/").ok().as_deref() != Some(&id)
        }) {
            return Err(ApiError::invalid(vec![Violation {
                path: "/id".into(),
                error: "the id in the body must match the id in the path".into(),
            }]));
        }
        apply_body(&st, &mut proposal, &raw, &id, true)?;
    }
    if dry_run {
        let steps = changes::preview(&st, proposal)?;
        let steps: Vec<DeploymentStep> = steps
            .iter()
            .map(|s| DeploymentStep {
                actions: s
                    .iter()
                    .map(|a| DeploymentAction {
                        action: a.kind.name().into(),
                        app: Some(a.app_id.clone()),
                        ..Default::default()
                    })
                    .collect(),
            })
            .collect();
        return Ok(json_response(StatusCode::OK, &json!({ "steps": steps })));
    }
    let touched = touched_groups(&proposal, &id);
    let accepted = changes::apply(&mut st, &shared.bus, proposal, force, &id)?;
    drop(st);
    stamp_groups(&shared, &accepted, &touched);
    Ok(deployment_response(StatusCode::OK, &accepted))
}

/// `DELETE /v2/groups`: removes everything.
pub(crate) async fn delete_root(state: State<Arc<Shared>>, uri: Uri) -> ApiResult {
    delete(state, "/", uri)
}

/// `DELETE /v2/groups/{id}`.
pub(crate) async fn delete_any(state: State<Arc<Shared>>, Path(rest): Path<String>, uri: Uri) -> ApiResult {
    delete(state, &rest, uri)
}

fn delete(State(shared): State<Arc<Shared>>, rest: &str, uri: Uri) -> ApiResult {
    let force = Params::from_uri(&uri).flag("force", false)?;
    let (id, _) = lookup_id(rest);
    let mut st = shared.lock();
    if !views::group_exists(&st, &id) {
        return Err(unknown_group(&id));
    }
    let mut proposal = Proposal::current(&st);
    remove_under(&mut proposal, &id);
    let accepted = changes::apply(&mut st, &shared.bus, proposal, force, &id)?;
    drop(st);
    shared.wake.notify_one();
    Ok(deployment_response(StatusCode::OK, &accepted))
}
