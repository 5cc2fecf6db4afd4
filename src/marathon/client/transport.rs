//! Sending one request: failover over the base URLs, retries of what cannot change anything
//! twice, the leader named by `X-Marathon-Leader`, and a non-2xx answer turned into a typed
//! [`Error`] (the module docs of [`super`] say which answers are retried or uncertain).

use std::sync::atomic::Ordering;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::body::{self, BodySink, Whole};
use super::Client;
use crate::marathon::error::Error;
use crate::marathon::types::{DeploymentResult, ErrorBody};

/// A change Marathon accepted: the deployment that carries it and the new version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Deployment id (from the `Marathon-Deployment-Id` header or the body).
    pub deployment_id: Option<String>,
    /// The new version, when Marathon reports it.
    pub version: Option<String>,
}

/// The answer to one request, before decoding.
pub(super) struct Answer<T = bytes::Bytes> {
    /// The base URL that answered (credentials left out).
    url: String,
    status: StatusCode,
    headers: HeaderMap,
    /// The body, whole: every body of a plain request, an error's body of a streamed one.
    body: bytes::Bytes,
    /// A 2xx body as the request's [`BodySink`] made it, while it arrived.
    pub(super) value: Option<T>,
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
        seed: &S::Seed,
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
                            body::read_into::<S>(resp, seed).await.map(|v| (bytes::Bytes::new(), Some(v)))
                        } else {
                            body::read_into::<Whole>(resp, &()).await.map(|b| (b, None))
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
        Ok(self.call_into::<Whole>(method, path, body, &()).await?.whole())
    }

    /// Like [`Client::call`], with a 2xx body fed to an `S` (made from `seed`) while it arrives.
    pub(super) async fn call_into<S: BodySink>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        seed: &S::Seed,
    ) -> Result<Answer<S::Output>, Error> {
        let answer = self.send::<S>(method.clone(), path, body, seed).await?;
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

    pub(super) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        let answer = self.call(Method::GET, path, None).await?;
        decode(Method::GET, path, &answer.body)
    }

    pub(super) async fn change(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Change, Error> {
        let answer = self.call(method, path, body).await?;
        Ok(change_of(&answer))
    }
}

/// What happened to a sent request that has no answer, for [`Error::Uncertain`]
/// (`Marathon at URL <this> METHOD PATH`).
fn transport_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "did not answer:".to_owned()
    } else {
        format!("broke the connection ({e}) after being sent")
    }
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

pub(super) fn join(base: &Url, path_and_query: &str) -> String {
    format!("{}{}", base.as_str().trim_end_matches('/'), path_and_query)
}

/// The URL as logged: user and password removed, so `-v` never prints a secret.
pub(super) fn redacted(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => "<unparsable url>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn logged_urls_never_carry_credentials() {
        let logged = redacted("http://alice:s3cret@127.0.0.1:8080/v2/apps?embed=apps.tasks");
        assert_eq!(logged, "http://127.0.0.1:8080/v2/apps?embed=apps.tasks");
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
}
