//! The Marathon REST client: the only module that imports reqwest.
//!
//! - Several base URLs fail over in order; the last one that answered is tried first next time,
//!   and the leader named by `X-Marathon-Leader` is remembered for `-v` output.
//! - Only what cannot change anything twice is retried, with exponential backoff: reads (GET) on
//!   any transport error, 502 or 503 (Marathon answers 503 while it has no leader and 502 when a
//!   proxying non-leader cannot reach it), and any request whose connection failed before a byte
//!   was sent. A write that timed out, lost its connection after sending, or got 502/503 may
//!   have been applied: it is never sent again but ends in [`Error::Uncertain`], so the caller
//!   re-reads Marathon's groups and deployments to learn what happened (`rollout::confirm`).
//!   So does a write answered 500 without `X-Marathon-Leader`: a forwarding non-leader's error
//!   page after its call to the leader failed (see `forwarder_failed`); a 500 of the leader
//!   itself stays [`Error::Api`]. 4xx are never retried.
//! - Changes return the deployment id Marathon assigned, so callers track *that* deployment
//!   instead of guessing from an empty `/v2/deployments`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::error::Error;

pub(crate) mod body;
mod events;
use super::summary::AppsStream;
use super::types::{
    App, AppEnvelope, AppList, Deployment, DeploymentResult, ErrorBody, Group, Queue, QueueItem, Task, TaskList,
};
use crate::secret::Secret;
use body::{BodySink, Whole};
pub use events::{Event, EventStream, StreamError};

/// How to reach Marathon. Credentials are [`Secret`]s, so `Debug` never shows them.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Base URLs, tried in order.
    pub urls: Vec<Url>,
    /// Basic-auth user.
    pub user: Option<String>,
    /// Basic-auth password.
    pub password: Option<Secret>,
    /// DC/OS ACS token (`Authorization: token=...`).
    pub token: Option<Secret>,
    /// Extra CA certificate (PEM).
    pub ca: Option<PathBuf>,
    /// Per-request timeout (also the connect timeout).
    pub timeout: Duration,
    /// Attempts per request on 502/503/connection errors (at least 1).
    pub attempts: u32,
    /// First retry delay; doubles each attempt.
    pub backoff: Duration,
}

/// A change Marathon accepted: the deployment that carries it and the new version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Deployment id (from the `Marathon-Deployment-Id` header or the body).
    pub deployment_id: Option<String>,
    /// The new version, when Marathon reports it.
    pub version: Option<String>,
}

/// A Marathon client over one connection pool.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    /// For `/v2/events`: no overall timeout, redirects followed by hand ([`events`]).
    stream_http: reqwest::Client,
    urls: Vec<Url>,
    preferred: AtomicUsize,
    leader: Mutex<Option<String>>,
    attempts: u32,
    backoff: Duration,
}

/// The answer to one request, before decoding.
struct Answer<T = bytes::Bytes> {
    /// The base URL that answered (credentials left out).
    url: String,
    status: StatusCode,
    headers: HeaderMap,
    /// The body, whole: every body of a plain request, an error's body of a streamed one.
    body: bytes::Bytes,
    /// A 2xx body as the request's [`BodySink`] made it, while it arrived.
    value: Option<T>,
}

impl Answer {
    /// The answer of a request whose body was read whole.
    fn whole(mut self) -> Answer {
        if let Some(body) = self.value.take() {
            self.body = body;
        }
        self
    }
}

impl Client {
    /// Builds a client; fails on a bad CA file or no URL.
    pub fn new(opts: &Options) -> Result<Client, Error> {
        if opts.urls.is_empty() {
            return Err(Error::Setup("no Marathon URL given (--marathon)".into()));
        }
        let mut headers = HeaderMap::new();
        if let Some(token) = &opts.token {
            let mut v = HeaderValue::from_str(&format!("token={}", token.expose()))
                .map_err(|_| Error::Setup("the Marathon token contains characters not allowed in a header".into()))?;
            v.set_sensitive(true);
            headers.insert(AUTHORIZATION, v);
        } else if let Some(user) = &opts.user {
            use base64::Engine as _;
            let raw = format!("{user}:{}", opts.password.as_ref().map_or("", Secret::expose));
            let mut v =
                HeaderValue::from_str(&format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw)))
                    .map_err(|_| {
                        Error::Setup("the Marathon credentials contain characters not allowed in a header".into())
                    })?;
            v.set_sensitive(true);
            headers.insert(AUTHORIZATION, v);
        }
        let timeout = if opts.timeout.is_zero() { Duration::from_secs(10) } else { opts.timeout };
        crate::tls::install_crypto_provider();
        // Plain-HTTP Marathon needs no trust roots, and loading the platform's (a file per CA
        // under /etc/ssl/certs) took 20-25 ms of every command's start, per client built.
        let plain_http = opts.urls.iter().all(|u| u.scheme() != "https");
        let new_builder = || {
            let b = reqwest::Client::builder();
            if plain_http {
                b.tls_certs_only(std::iter::empty())
            } else {
                b
            }
        };
        let mut builder = new_builder()
            .default_headers(headers.clone())
            .connect_timeout(timeout)
            .timeout(timeout)
            .user_agent(concat!("theseus/", env!("CARGO_PKG_VERSION")));
        let mut stream_builder = new_builder()
            .default_headers(headers)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("theseus/", env!("CARGO_PKG_VERSION")));
        if let Some(ca) = &opts.ca {
            let pem =
                std::fs::read(ca).map_err(|e| Error::Setup(format!("cannot read CA file {}: {e}", ca.display())))?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .map_err(|e| Error::Setup(format!("CA file {} is not a PEM certificate: {e}", ca.display())))?;
            builder = builder.add_root_certificate(cert.clone());
            stream_builder = stream_builder.add_root_certificate(cert);
        }
        let http = builder.build().map_err(|e| Error::Setup(e.to_string()))?;
        let stream_http = stream_builder.build().map_err(|e| Error::Setup(e.to_string()))?;
        Ok(Client {
            http,
            stream_http,
            urls: opts.urls.clone(),
            preferred: AtomicUsize::new(0),
            leader: Mutex::new(None),
            attempts: opts.attempts.max(1),
            backoff: opts.backoff,
        })
    }

    /// The leader Marathon last named in `X-Marathon-Leader`, if any.
    pub fn leader(&self) -> Option<String> {
        self.leader.lock().ok().and_then(|l| l.clone())
    }

    /// Sends one request with failover and retries (see the module docs for which); returns the
    /// raw answer of the first URL that answered with something other than 502/503 (or the last
    /// 502/503 of a read). A write whose outcome is unknown is [`Error::Uncertain`] at once.
    /// A 2xx body is fed to an `S` while it arrives; other bodies are kept whole.
    async fn send<S: BodySink>(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> Result<Answer<S::Output>, Error> {
        let n = self.urls.len();
        let idempotent = method == Method::GET || method == Method::HEAD;
        let bare_path = path_and_query.split('?').next().unwrap_or(path_and_query);
        let uncertain = |base: &str, what: String| Error::Uncertain {
            method: method.clone(),
            path: bare_path.to_owned(),
            reason: match what.strip_suffix(':') {
                Some(verb) => {
                    format!("Marathon at {} {verb} {method} {bare_path} in time", redacted(base).trim_end_matches('/'))
                }
                None => format!("Marathon at {} {what} {method} {bare_path}", redacted(base).trim_end_matches('/')),
            },
        };
        let mut delay = self.backoff;
        let mut last_transport: Option<reqwest::Error> = None;
        let mut last_answer: Option<Answer<S::Output>> = None;
        for attempt in 0..self.attempts {
            if attempt > 0 {
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2);
            }
            let start = self.preferred.load(Ordering::Relaxed);
            for k in 0..n {
                let idx = (start + k) % n;
                let url = join(&self.urls[idx], path_and_query);
                let started = std::time::Instant::now();
                let mut req = self.http.request(method.clone(), url.as_str()).header("Accept", "application/json");
                if let Some(b) = body {
                    req = req.json(b);
                }
                match req.send().await {
                    Ok(resp) => {
                        let status = resp.status();
                        tracing::info!(
                            target: "theseus::marathon",
                            "{method} {} -> {} in {:.1?}",
                            redacted(&url),
                            status.as_u16(),
                            started.elapsed()
                        );
                        let headers = resp.headers().clone();
                        if let Some(leader) = headers.get("X-Marathon-Leader").and_then(|v| v.to_str().ok()) {
                            if let Ok(mut l) = self.leader.lock() {
                                *l = Some(leader.to_owned());
                            }
                        }
                        let read = if status.is_success() {
                            body::read_into::<S>(resp).await.map(|v| (bytes::Bytes::new(), Some(v)))
                        } else {
                            body::read_into::<Whole>(resp).await.map(|b| (b, None))
                        };
                        let (body, value) = match read {
                            Ok(read) => read,
                            Err(e) if idempotent => {
                                last_transport = Some(e);
                                continue;
                            }
                            // The request reached Marathon: it may have been applied.
                            Err(e) => {
                                return Err(uncertain(
                                    self.urls[idx].as_str(),
                                    format!("broke off its answer ({status}: {e}) to"),
                                ))
                            }
                        };
                        self.preferred.store(idx, Ordering::Relaxed);
                        let base = redacted(self.urls[idx].as_str());
                        let answer =
                            Answer { url: base.trim_end_matches('/').to_owned(), status, headers, body, value };
                        if status == StatusCode::BAD_GATEWAY || status == StatusCode::SERVICE_UNAVAILABLE {
                            if !idempotent {
                                // 502: a proxying Marathon got no answer from the leader, which may
                                // have applied the change; 503: Marathon timed out. Never resend.
                                return Ok(answer);
                            }
                            last_answer = Some(answer);
                            continue; // try the next URL, then back off
                        }
                        return Ok(answer);
                    }
                    Err(e) => {
                        tracing::info!(
                            target: "theseus::marathon",
                            "{method} {} failed after {:.1?}: {e}",
                            redacted(&url),
                            started.elapsed()
                        );
                        // Only a failed connect is known to have sent nothing.
                        if !idempotent && !e.is_connect() {
                            return Err(uncertain(self.urls[idx].as_str(), transport_reason(&e)));
                        }
                        last_transport = Some(e);
                    }
                }
            }
        }
        if let Some(answer) = last_answer {
            return Ok(answer);
        }
        match last_transport {
            Some(source) => Err(Error::Unreachable {
                urls: self.urls.iter().map(|u| u.as_str().trim_end_matches('/')).collect::<Vec<_>>().join(", "),
                method,
                path: path_and_query.split('?').next().unwrap_or(path_and_query).to_owned(),
                source,
            }),
            None => Err(Error::Setup("no attempt was made".into())),
        }
    }

    /// Sends a request and turns non-2xx answers into typed errors.
    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Answer, Error> {
        Ok(self.call_into::<Whole>(method, path, body).await?.whole())
    }

    /// Like [`Client::call`], with a 2xx body fed to an `S` while it arrives.
    async fn call_into<S: BodySink>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer<S::Output>, Error> {
        let answer = self.send::<S>(method.clone(), path, body).await?;
        if answer.status.is_success() {
            return Ok(answer);
        }
        let parsed: Option<ErrorBody> = serde_json::from_slice(&answer.body).ok();
        let message = parsed.as_ref().map(|b| b.message.clone()).unwrap_or_else(|| {
            let text = String::from_utf8_lossy(&answer.body);
            let text = text.trim();
            if text.is_empty() {
                answer.status.canonical_reason().unwrap_or("no message").to_owned()
            } else {
                text.chars().take(200).collect()
            }
        });
        let path = path.split('?').next().unwrap_or(path).to_owned();
        let idempotent = method == Method::GET || method == Method::HEAD;
        let unsure = answer.status == StatusCode::BAD_GATEWAY || answer.status == StatusCode::SERVICE_UNAVAILABLE;
        if unsure && !idempotent {
            let reason = format!("Marathon at {} answered {} to {method} {path}: {message}", answer.url, answer.status);
            return Err(Error::Uncertain { method, path, reason });
        }
        if forwarder_failed(&answer) && !idempotent {
            let reason = format!(
                "Marathon at {} answered {} to {method} {path} without X-Marathon-Leader: a non-leader forwarding it lost the leader's answer",
                answer.url, answer.status
            );
            return Err(Error::Uncertain { method, path, reason });
        }
        // Marathon answers every error with JSON `{"message": ...}` (MarathonExceptionMapper.scala);
        // a bare 404/405 page comes from some other server at that address.
        let not_json = serde_json::from_slice::<Value>(&answer.body).is_err();
        if not_json && matches!(answer.status, StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED) {
            return Err(Error::NotMarathon {
                url: answer.url.clone(),
                method,
                path,
                status: answer.status,
                snippet: message.chars().take(60).collect(),
            });
        }
        Err(match answer.status {
            StatusCode::NOT_FOUND => Error::NotFound { message },
            StatusCode::CONFLICT => Error::Locked {
                method,
                path,
                message,
                deployments: parsed
                    .and_then(|b| b.deployments)
                    .map(|d| d.into_iter().map(|d| d.id).collect())
                    .unwrap_or_default(),
            },
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
                Error::Invalid { method, path, status: answer.status, message, details: parsed.and_then(|b| b.details) }
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                Error::Denied { method, path, status: answer.status, message }
            }
            status => Error::Api { method, path, status, message },
        })
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        let answer = self.call(Method::GET, path, None).await?;
        decode(Method::GET, path, &answer.body)
    }

    async fn change(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Change, Error> {
        let answer = self.call(method, path, body).await?;
        Ok(change_of(&answer))
    }

    /// `GET /v2/apps?label=...&embed=apps.tasks&embed=apps.deployments...`: one request for
    /// every app matching Marathon's label selector.
    pub async fn apps(&self, label_selector: Option<&str>, embed_tasks: bool) -> Result<Vec<App>, Error> {
        let mut q = Vec::new();
        if let Some(sel) = label_selector {
            q.push(format!("label={}", encode(sel)));
        }
        if embed_tasks {
            q.push("embed=apps.tasks".to_owned());
            q.push("embed=apps.lastTaskFailure".to_owned());
        }
        let path = if q.is_empty() { "/v2/apps".to_owned() } else { format!("/v2/apps?{}", q.join("&")) };
        Ok(self.get::<AppList>(&path).await?.apps)
    }

    /// Like [`Client::apps`] with embedded tasks, read with [`super::summary`]: the apps carry
    /// only the fields `view` shows, which costs a fraction of the full model's time and memory.
    pub async fn app_summaries(&self, label_selector: Option<&str>) -> Result<Vec<App>, Error> {
        let path = match label_selector {
            Some(sel) => format!("/v2/apps?label={}&embed=apps.tasks&embed=apps.lastTaskFailure", encode(sel)),
            None => "/v2/apps?embed=apps.tasks&embed=apps.lastTaskFailure".to_owned(),
        };
        let answer = self.call_into::<AppsStream>(Method::GET, &path, None).await?;
        let parsed = answer.value.unwrap_or_else(|| AppsStream::with_expected_len(0).finish());
        parsed.map_err(|source| Error::Decode { method: Method::GET, path: "/v2/apps".into(), source })
    }

    /// `GET /v2/apps/{id}`: the app with its tasks, or `None` when it does not exist.
    pub async fn app(&self, id: &str) -> Result<Option<App>, Error> {
        match self.get::<AppEnvelope>(&format!("/v2/apps{}", abs(id))).await {
            Ok(env) => Ok(Some(env.app)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /v2/apps`: creates an app; returns the deployment that starts it.
    pub async fn create_app(&self, app: &App) -> Result<Change, Error> {
        let body = to_value(app)?;
        self.change(Method::POST, "/v2/apps", Some(&body)).await
    }

    /// `PUT /v2/apps/{id}`: replaces (or creates) an app definition.
    pub async fn put_app(&self, app: &App, force: bool) -> Result<Change, Error> {
        let body = to_value(app)?;
        self.change(
            Method::PUT,
            &format!("/v2/apps{}?partialUpdate=false{}", abs(&app.id), force_q(force, '&')),
            Some(&body),
        )
        .await
    }

    /// `PUT /v2/apps` with an array: creates or replaces several apps in one deployment.
    /// Marathon validates them all before changing anything.
    pub async fn put_apps(&self, apps: &[App]) -> Result<Change, Error> {
        let body = serde_json::to_value(apps).map_err(|source| Error::Decode {
            method: Method::PUT,
            path: "/v2/apps".into(),
            source,
        })?;
        self.change(Method::PUT, "/v2/apps?partialUpdate=false", Some(&body)).await
    }

    /// Scales an app in place (`PUT {"instances": n}`): no restart.
    pub async fn scale_app(&self, id: &str, instances: u32, force: bool) -> Result<Change, Error> {
        let body = serde_json::json!({ "instances": instances });
        self.change(Method::PUT, &format!("/v2/apps{}{}", abs(id), force_q(force, '?')), Some(&body)).await
    }

    /// `POST /v2/apps/{id}/restart`: replaces every task under the upgrade strategy.
    pub async fn restart_app(&self, id: &str, force: bool) -> Result<Change, Error> {
        self.change(Method::POST, &format!("/v2/apps{}/restart{}", abs(id), force_q(force, '?')), None).await
    }

    /// `DELETE /v2/apps/{id}?force=...`. `force` is always sent: Marathon's code defaults it
    /// to true (M:src/main/scala/mesosphere/marathon/api/v2/AppsResource.scala, `delete`:
    /// `@DefaultValue("true") @QueryParam("force")`) while its RAML says false, so leaving it
    /// out would cancel running deployments of the app whatever the caller meant.
    pub async fn delete_app(&self, id: &str, force: bool) -> Result<Change, Error> {
        self.change(Method::DELETE, &format!("/v2/apps{}?force={force}", abs(id)), None).await
    }

    /// `GET /v2/groups/{id}` with apps and their tasks, or `None` when it does not exist.
    pub async fn group(&self, id: &str) -> Result<Option<Group>, Error> {
        let path = format!("/v2/groups{}?embed=group.groups&embed=group.apps&embed=group.apps.tasks", abs(id));
        match self.get::<Group>(&path).await {
            Ok(g) => Ok(Some(g)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /v2/groups`: creates a group (with its apps) in one deployment.
    pub async fn create_group(&self, group: &Group) -> Result<Change, Error> {
        let body = serde_json::to_value(group).map_err(|source| Error::Decode {
            method: Method::POST,
            path: "/v2/groups".into(),
            source,
        })?;
        self.change(Method::POST, "/v2/groups", Some(&body)).await
    }

    /// `DELETE /v2/groups/{id}`: removes a group and everything in it.
    pub async fn delete_group(&self, id: &str, force: bool) -> Result<Change, Error> {
        self.change(Method::DELETE, &format!("/v2/groups{}{}", abs(id), force_q(force, '?')), None).await
    }

    /// `GET /v2/deployments`.
    pub async fn deployments(&self) -> Result<Vec<Deployment>, Error> {
        self.get("/v2/deployments").await
    }

    /// `DELETE /v2/deployments/{id}`: with `force`, stop it where it is; without, roll it back.
    pub async fn cancel_deployment(&self, id: &str, force: bool) -> Result<Change, Error> {
        self.change(Method::DELETE, &format!("/v2/deployments/{id}{}", force_q(force, '?')), None).await
    }

    /// `GET /v2/queue`: what waits for offers, and why offers were declined.
    pub async fn queue(&self) -> Result<Vec<QueueItem>, Error> {
        Ok(self.get::<Queue>("/v2/queue").await?.queue)
    }

    /// `GET /v2/apps/{id}/tasks`.
    pub async fn app_tasks(&self, id: &str) -> Result<Vec<Task>, Error> {
        Ok(self.get::<TaskList>(&format!("/v2/apps{}/tasks", abs(id))).await?.tasks)
    }

    /// `POST /v2/tasks/delete?scale=...`: kills tasks by id (Marathon replaces them unless
    /// `scale`); `force` cancels a deployment holding their app
    /// (M:src/main/scala/mesosphere/marathon/api/v2/TasksResource.scala, `killTasks`).
    pub async fn kill_tasks(&self, ids: &[String], scale: bool, force: bool) -> Result<Change, Error> {
        let body = serde_json::json!({ "ids": ids });
        self.change(Method::POST, &format!("/v2/tasks/delete?scale={scale}{}", force_q(force, '&')), Some(&body)).await
    }

    /// `GET /v2/info`.
    pub async fn info(&self) -> Result<Value, Error> {
        self.get("/v2/info").await
    }
}

/// What happened to a sent request that has no answer, for [`Error::Uncertain`]
/// ("Marathon at URL <this> METHOD PATH").
fn transport_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "did not answer:".to_owned()
    } else {
        format!("broke the connection ({e}) after being sent")
    }
}

fn to_value(app: &App) -> Result<Value, Error> {
    serde_json::to_value(app).map_err(|source| Error::Decode { method: Method::POST, path: "/v2/apps".into(), source })
}

fn decode<T: DeserializeOwned>(method: Method, path: &str, body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|source| Error::Decode {
        method,
        path: path.split('?').next().unwrap_or(path).to_owned(),
        source,
    })
}

/// Whether a 500 came from a non-leader Marathon whose forwarding failed rather than from the
/// leader. A non-leader forwarding a request answers `sendError(500)` when its call to the
/// leader fails after connecting (its read timeout: the leader may have applied a write) and
/// 502 when the connection fails (M:src/main/scala/mesosphere/marathon/api/forwarder/
/// AsyncUrlConnectionRequestForwarder.scala, `forward`); such an error page carries none of the
/// leader's headers. Every answer of the leader carries `X-Marathon-Leader`
/// (M:src/main/scala/mesosphere/marathon/api/LeaderProxyFilter.scala, `doFilter`), relayed by
/// a forwarder with `X-Marathon-Via` added (`cloneResponseStatusAndHeader`), so its own 500s
/// are told apart by that header, not by `X-Marathon-Via`, which the forwarder's error lacks.
fn forwarder_failed<T>(answer: &Answer<T>) -> bool {
    answer.status == StatusCode::INTERNAL_SERVER_ERROR && !answer.headers.contains_key("X-Marathon-Leader")
}

/// The deployment id and version of a change: the `Marathon-Deployment-Id` header, else the
/// body's `deploymentId` (PUT/DELETE) or `deployments[0].id` (POST /v2/apps).
fn change_of(answer: &Answer) -> Change {
    let header = answer.headers.get("Marathon-Deployment-Id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    if let Ok(result) = serde_json::from_value::<DeploymentResult>(body.clone()) {
        return Change { deployment_id: header.or(Some(result.deployment_id)), version: Some(result.version) };
    }
    let from_list = body
        .get("deployments")
        .and_then(Value::as_array)
        .and_then(|d| d.first())
        .and_then(|d| d.get("id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let version = body.get("version").and_then(Value::as_str).map(str::to_owned);
    Change { deployment_id: header.or(from_list), version }
}

fn abs(id: &str) -> String {
    let trimmed = id.trim_matches('/');
    format!("/{trimmed}")
}

fn force_q(force: bool, sep: char) -> String {
    if force {
        format!("{sep}force=true")
    } else {
        String::new()
    }
}

fn join(base: &Url, path_and_query: &str) -> String {
    format!("{}{}", base.as_str().trim_end_matches('/'), path_and_query)
}

/// The URL as logged: user and password removed, so `-v` never prints a secret.
fn redacted(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => "<unparsable url>".to_owned(),
    }
}

/// Percent-encodes a query value (label selectors contain `=`, `!`, `,`, spaces and parens).
fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_urls_never_carry_credentials() {
        let logged = redacted("http://alice:s3cret@127.0.0.1:8080/v2/apps?embed=apps.tasks");
        assert_eq!(logged, "http://127.0.0.1:8080/v2/apps?embed=apps.tasks");
    }

    #[test]
    fn ids_are_made_absolute_once() {
        assert_eq!(abs("prod/web"), "/prod/web");
        assert_eq!(abs("/prod/web/"), "/prod/web");
    }

    #[test]
    fn debug_never_shows_secrets() {
        let o = Options {
            password: Some(Secret::new("hunter2")),
            token: Some(Secret::new("sekrit")),
            ..Options::default()
        };
        let s = format!("{o:?}");
        assert!(!s.contains("hunter2") && !s.contains("sekrit"), "{s}");
    }

    #[test]
    fn change_prefers_the_header_then_the_body() {
        let mut headers = HeaderMap::new();
        headers.insert("Marathon-Deployment-Id", HeaderValue::from_static("d1"));
        let a = Answer {
            url: String::new(),
            status: StatusCode::CREATED,
            headers,
            body: br#"{"deployments":[{"id":"d2"}]}"#.to_vec().into(),
            value: None,
        };
        assert_eq!(change_of(&a).deployment_id.as_deref(), Some("d1"));
        let b = Answer {
            url: String::new(),
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: br#"{"deploymentId":"d3","version":"v"}"#.to_vec().into(),
            value: None,
        };
        assert_eq!(change_of(&b), Change { deployment_id: Some("d3".into()), version: Some("v".into()) });
    }

    #[test]
    fn label_selectors_are_query_encoded() {
        assert_eq!(encode("theseus.managed==true,theseus.tag.dev"), "theseus.managed%3D%3Dtrue%2Ctheseus.tag.dev");
    }
}
