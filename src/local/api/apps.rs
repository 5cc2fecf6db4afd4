//! `/v2/apps`: list, get, create, update (PUT/PATCH, partial, version rollback), delete,
//! restart, versions, and the app's tasks (list, kill with `scale`/`wipe`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use serde_json::{json, Value};

use crate::local::deployments::changes::{self, Proposal};
use crate::local::model::ids;
use crate::local::model::normalize::{self, definition_only};
use crate::local::model::state::{AppRecord, State as EngineState};
use crate::local::Shared;
use crate::marathon::types::{App, AppEnvelope, VersionList};

use super::raml;
use super::views::{self, Embed};
use super::{deployment_response, json_response, parse_body, selector, tasks, ApiError, ApiResult, Params};

type Peer = ConnectInfo<std::net::SocketAddr>;

/// `GET /v2/apps`: counts and deployments always; `embed`, `id`, `cmd`, `label` filters.
pub(crate) async fn list(State(shared): State<Arc<Shared>>, uri: Uri) -> ApiResult {
    let params = Params::from_uri(&uri);
    let embed = Embed::parse(params.all("embed"), Embed { counts: true, deployments: true, ..Embed::default() });
    let terms = match params.get("label") {
        Some(s) => {
            // AppsResource.scala: `LabelSelectorParsers.parsed` throws IllegalArgumentException → 422.
            Some(selector::parse(s).ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("Can not parse label selector {s}. Reason: every label and value must be a non-empty term of [-A-Za-z0-9_.] (escape other characters with \\)"),
                )
            })?)
        }
        None => None,
    };
    let id_filter = params.get("id").map(str::to_string);
    let cmd_filter = params.get("cmd").map(str::to_string);
    let st = shared.lock();
    let apps: Vec<&AppRecord> = st
        .apps
        .values()
        .filter(|r| id_filter.as_deref().is_none_or(|f| r.def.id.contains(f)))
        .filter(|r| cmd_filter.as_deref().is_none_or(|f| r.def.cmd.as_deref().is_some_and(|c| c.contains(f))))
        .filter(|r| {
            terms.as_deref().is_none_or(|t| selector::matches(t, r.def.labels.as_ref().unwrap_or(&Default::default())))
        })
        .collect();
    Ok(json_response(StatusCode::OK, &AppListView { st: &st, apps, embed }))
}

/// `{"apps": [...]}` with each app's view built as it is written: 2,000 apps with 10,000
/// tasks were all copied into `App`s before a byte was written, and the copies and the body
/// were held together.
struct AppListView<'a> {
    st: &'a EngineState,
    apps: Vec<&'a AppRecord>,
    embed: Embed,
}

impl serde::Serialize for AppListView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        struct Apps<'b>(&'b AppListView<'b>);
        impl serde::Serialize for Apps<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut seq = serializer.serialize_seq(Some(self.0.apps.len()))?;
                for rec in &self.0.apps {
                    seq.serialize_element(&views::app_info(self.0.st, rec, self.0.embed))?;
                }
                seq.end()
            }
        }
        let mut list = serializer.serialize_struct("AppList", 1)?;
        list.serialize_field("apps", &Apps(self))?;
        list.end()
    }
}

/// What follows `/v2/apps/`: an app id and an optional sub-resource.
enum Target {
    App(String),
    Tasks(String, Option<String>),
    Restart(String),
    Versions(String, Option<String>),
}

fn target(rest: &str) -> Result<Target, ApiError> {
    let parts = ids::split(rest);
    let n = parts.len();
    let id = |k: usize| format!("/{}", parts[..k].join("/"));
    if n >= 2 && parts[n - 1] == "tasks" {
        return Ok(Target::Tasks(id(n - 1), None));
    }
    if n >= 3 && parts[n - 2] == "tasks" {
        return Ok(Target::Tasks(id(n - 2), Some(parts[n - 1].to_string())));
    }
    if n >= 2 && parts[n - 1] == "restart" {
        return Ok(Target::Restart(id(n - 1)));
    }
    if n >= 2 && parts[n - 1] == "versions" {
        return Ok(Target::Versions(id(n - 1), None));
    }
    if n >= 3 && parts[n - 2] == "versions" {
        return Ok(Target::Versions(id(n - 2), Some(parts[n - 1].to_string())));
    }
    if n == 0 {
        return Err(ApiError::not_found("App '/' does not exist"));
    }
    Ok(Target::App(id(n)))
}

fn unknown_app(id: &str) -> ApiError {
    ApiError::not_found(format!("App '{id}' does not exist"))
}

/// `GET /v2/apps/{id}`, `/tasks`, `/versions`, `/versions/{v}`.
pub(crate) async fn get_any(
    State(shared): State<Arc<Shared>>,
    Path(rest): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult {
    let params = Params::from_uri(&uri);
    let st = shared.lock();
    match target(&rest)? {
        Target::App(id) => {
            let rec = st.apps.get(&id).ok_or_else(|| unknown_app(&id))?;
            let embed =
                Embed { counts: true, deployments: true, tasks: true, last_task_failure: true, readiness: false };
            let embed = Embed::parse(params.all("embed"), embed);
            Ok(json_response(StatusCode::OK, &AppEnvelope { app: views::app_info(&st, rec, embed) }))
        }
        Target::Tasks(id, None) => {
            if !st.apps.contains_key(&id) {
                return Err(unknown_app(&id));
            }
            let list: Vec<_> = st.instances_of(&id).map(|i| views::task(&st, i)).collect();
            if tasks::wants_text(&headers) {
                return Ok(tasks::text_response(&st, list.iter()));
            }
            Ok(json_response(StatusCode::OK, &json!({ "tasks": list })))
        }
        Target::Versions(id, None) => {
            let rec = st.apps.get(&id).ok_or_else(|| unknown_app(&id))?;
            Ok(json_response(StatusCode::OK, &VersionList { versions: rec.versions.keys().rev().cloned().collect() }))
        }
        Target::Versions(id, Some(v)) => {
            let rec = st.apps.get(&id).ok_or_else(|| unknown_app(&id))?;
            let def = rec
                .versions
                .get(&v)
                .ok_or_else(|| ApiError::not_found(format!("App '{id}' does not exist in version {v}")))?;
            Ok(json_response(StatusCode::OK, &**def))
        }
        Target::Tasks(_, Some(_)) | Target::Restart(_) => {
            Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, super::METHOD_NOT_ALLOWED))
        }
    }
}

/// Normalises one app body; `forced_id` (from the path) wins over the body's id.
fn normalized(raw: &Value, forced_id: Option<&str>) -> Result<App, ApiError> {
    let violations = raml::check_app(raw, "");
    if !violations.is_empty() {
        return Err(ApiError::unreadable(violations));
    }
    let mut app: App = serde_json::from_value(raw.clone()).map_err(|e| super::invalid_json("/", &e.to_string()))?;
    if let Some(id) = forced_id {
        app.id = id.to_string();
    }
    normalize::normalize(app, "/").map_err(ApiError::invalid)
}

/// Merges a partial body over an existing definition (top-level keys replace).
fn merged(existing: &App, body: &Value) -> Value {
    let mut base = serde_json::to_value(definition_only(existing)).unwrap_or_else(|_| json!({}));
    if let (Some(obj), Some(patch)) = (base.as_object_mut(), body.as_object()) {
        for (k, v) in patch {
            obj.insert(k.clone(), v.clone());
        }
    }
    base
}

fn is_rollback(body: &Value) -> Option<String> {
    let obj = body.as_object()?;
    let version = obj.get("version")?.as_str()?;
    obj.keys().all(|k| k == "version" || k == "id").then(|| version.to_string())
}

/// `POST /v2/apps`: 201 with Location and `Marathon-Deployment-Id`.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): Peer,
    uri: Uri,
    body: Bytes,
) -> ApiResult {
    let params = Params::from_uri(&uri);
    let force = params.flag("force", false)?;
    let (_, raw): (Value, Value) = parse_body(&body)?;
    if raw.get("id").and_then(Value::as_str).is_none_or(|s| s.trim_matches('/').is_empty()) {
        return Err(super::invalid_json("/id", "error.path.missing"));
    }
    let app = normalized(&raw, None)?;
    let id = app.id.clone();
    let mut st = shared.lock();
    if st.apps.contains_key(&id) {
        return Err(ApiError::conflict(format!("An app with id [{id}] already exists.")));
    }
    // An id that is a group's is Group.scala's 422 ("Groups and Applications may not have the
    // same identifier."), from `changes::apply`: AppsResource.scala's `createOrThrow` only
    // conflicts with an app.
    let mut proposal = Proposal::current(&st);
    proposal.apps.insert(id.clone(), Arc::new(app));
    let accepted = changes::apply(&mut st, &shared.bus, proposal, force, &ids::parent(&id))?;
    shared
        .bus
        .emit("api_post_event", json!({"clientIp": peer.ip().to_string(), "uri": uri.path(), "appDefinition": raw}));
    let rec = st.apps.get(&id).ok_or_else(|| unknown_app(&id))?;
    let info = views::app_info(&st, rec, Embed { counts: true, deployments: true, ..Embed::default() });
    drop(st);
    shared.wake.notify_one();
    let mut resp = json_response(StatusCode::CREATED, &info);
    for (name, value) in [("Location", format!("/v2/apps{id}")), ("Marathon-Deployment-Id", accepted.deployment_id)] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            resp.headers_mut().insert(name, v);
        }
    }
    Ok(resp)
}

/// Applies app bodies (create or update); returns whether any was created.
fn upsert(
    shared: &Shared,
    bodies: Vec<(Option<String>, Value)>,
    partial: bool,
    must_exist: bool,
    force: bool,
    peer: &str,
    uri: &Uri,
) -> Result<(changes::Accepted, bool), ApiError> {
    let mut st = shared.lock();
    let mut proposal = Proposal::current(&st);
    let mut created = false;
    let mut group = String::from("/");
    for (path_id, raw) in bodies {
        let id = match path_id.clone().or_else(|| raw.get("id").and_then(Value::as_str).map(str::to_string)) {
            Some(id) => ids::resolve_app(&id, "/").map_err(|e| ApiError::invalid(vec![normalize_violation(e)]))?,
            None => return Err(super::invalid_json("/id", "error.path.missing")),
        };
        group = ids::parent(&id);
        let existing = st.apps.get(&id).map(|r| r.def.clone());
        if must_exist && existing.is_none() {
            return Err(unknown_app(&id));
        }
        let app = if let Some(version) = is_rollback(&raw) {
            let rec = st.apps.get(&id).ok_or_else(|| unknown_app(&id))?;
            let def = rec
                .versions
                .get(&version)
                .ok_or_else(|| ApiError::not_found(format!("Version {version} of app '{id}' does not exist")))?;
            definition_only(def)
        } else {
            let body = match (&existing, partial) {
                (Some(e), true) => merged(e, &raw),
                _ => raw.clone(),
            };
            normalized(&body, Some(&id))?
        };
        created |= existing.is_none();
        shared.bus.emit("api_post_event", json!({"clientIp": peer, "uri": uri.path(), "appDefinition": raw}));
        proposal.apps.insert(id, Arc::new(app));
    }
    let accepted = changes::apply(&mut st, &shared.bus, proposal, force, &group)?;
    drop(st);
    shared.wake.notify_one();
    Ok((accepted, created))
}

fn normalize_violation(error: String) -> normalize::Violation {
    normalize::Violation { path: "/id".into(), error }
}

/// The app a PUT or PATCH names; sub-resources (tasks, versions, restart) answer 405 as Marathon does.
fn app_target(rest: &str) -> Result<String, ApiError> {
    match target(rest)? {
        Target::App(id) => Ok(id),
        _ => Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, super::METHOD_NOT_ALLOWED)),
    }
}

/// `PUT /v2/apps/{id}`: 200, or 201 when created; `partialUpdate` defaults to true.
pub(crate) async fn put_any(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): Peer,
    Path(rest): Path<String>,
    uri: Uri,
    body: Bytes,
) -> ApiResult {
    let id = app_target(&rest)?;
    let params = Params::from_uri(&uri);
    let (force, partial) = (params.flag("force", false)?, params.flag("partialUpdate", true)?);
    let (_, raw): (Value, Value) = parse_body(&body)?;
    let (accepted, created) =
        upsert(&shared, vec![(Some(id), raw)], partial, false, force, &peer.ip().to_string(), &uri)?;
    Ok(deployment_response(if created { StatusCode::CREATED } else { StatusCode::OK }, &accepted))
}

/// `PATCH /v2/apps/{id}`: a partial update of an existing app.
pub(crate) async fn patch_any(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): Peer,
    Path(rest): Path<String>,
    uri: Uri,
    body: Bytes,
) -> ApiResult {
    let id = app_target(&rest)?;
    let force = Params::from_uri(&uri).flag("force", false)?;
    let (_, raw): (Value, Value) = parse_body(&body)?;
    let (accepted, _) = upsert(&shared, vec![(Some(id), raw)], true, true, force, &peer.ip().to_string(), &uri)?;
    Ok(deployment_response(StatusCode::OK, &accepted))
}

fn array_bodies(body: &Bytes) -> Result<Vec<(Option<String>, Value)>, ApiError> {
    let (list, _): (Vec<Value>, Value) = parse_body(body)?;
    Ok(list.into_iter().map(|v| (None, v)).collect())
}

/// `PUT /v2/apps`: create or update several apps in one deployment.
pub(crate) async fn update_many(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): Peer,
    uri: Uri,
    body: Bytes,
) -> ApiResult {
    let params = Params::from_uri(&uri);
    let (force, partial) = (params.flag("force", false)?, params.flag("partialUpdate", true)?);
    let (accepted, _) = upsert(&shared, array_bodies(&body)?, partial, false, force, &peer.ip().to_string(), &uri)?;
    Ok(deployment_response(StatusCode::OK, &accepted))
}

/// `PATCH /v2/apps`: partial updates of several existing apps.
pub(crate) async fn patch_many(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): Peer,
    uri: Uri,
    body: Bytes,
) -> ApiResult {
    let force = Params::from_uri(&uri).flag("force", false)?;
    let (accepted, _) = upsert(&shared, array_bodies(&body)?, true, true, force, &peer.ip().to_string(), &uri)?;
    Ok(deployment_response(StatusCode::OK, &accepted))
}

/// `DELETE /v2/apps/{id}` (force defaults to true, as in Marathon's code) and the task kills.
pub(crate) async fn delete_any(State(shared): State<Arc<Shared>>, Path(rest): Path<String>, uri: Uri) -> ApiResult {
    let params = Params::from_uri(&uri);
    match target(&rest)? {
        Target::App(id) => {
            let force = params.flag("force", true)?;
            let mut st = shared.lock();
            if !st.apps.contains_key(&id) {
                return Err(unknown_app(&id));
            }
            let mut proposal = Proposal::current(&st);
            proposal.apps.remove(&id);
            let accepted = changes::apply(&mut st, &shared.bus, proposal, force, &ids::parent(&id))?;
            drop(st);
            shared.wake.notify_one();
            Ok(deployment_response(StatusCode::OK, &accepted))
        }
        Target::Tasks(id, task) => {
            let (scale, wipe, force) =
                (params.flag("scale", false)?, params.flag("wipe", false)?, params.flag("force", false)?);
            let host = params.get("host").map(str::to_string);
            let selected: Vec<String> = {
                let st = shared.lock();
                if !st.apps.contains_key(&id) {
                    return Err(unknown_app(&id));
                }
                let list: Vec<String> = st
                    .instances_of(&id)
                    .filter(|i| task.as_deref().is_none_or(|t| i.task_id == t || i.instance_id == t))
                    .filter(|i| host.as_deref().is_none_or(|h| st.agents[i.agent].hostname == h || h == "*"))
                    .map(|i| i.task_id.clone())
                    .collect();
                if let (Some(t), true) = (&task, list.is_empty()) {
                    return Err(ApiError::not_found(format!("Task '{t}' does not exist")));
                }
                list
            };
            let single = task.is_some();
            tasks::kill_tasks(&shared, selected, scale, wipe, force, single)
        }
        Target::Restart(_) | Target::Versions(..) => {
            Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, super::METHOD_NOT_ALLOWED))
        }
    }
}

/// `POST /v2/apps/{id}/restart`: replace every instance under the upgrade strategy.
pub(crate) async fn post_any(State(shared): State<Arc<Shared>>, Path(rest): Path<String>, uri: Uri) -> ApiResult {
    let Target::Restart(id) = target(&rest)? else {
        return Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, super::METHOD_NOT_ALLOWED));
    };
    let force = Params::from_uri(&uri).flag("force", false)?;
    let mut st = shared.lock();
    if !st.apps.contains_key(&id) {
        return Err(unknown_app(&id));
    }
    let mut proposal = Proposal::current(&st);
    proposal.restart.insert(id.clone());
    let accepted = changes::apply(&mut st, &shared.bus, proposal, force, &ids::parent(&id))?;
    drop(st);
    shared.wake.notify_one();
    Ok(deployment_response(StatusCode::OK, &accepted))
}
