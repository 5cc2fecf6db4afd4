//! Typed errors of the Marathon client, so callers can match on 404, 409 and 422.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::error::{Classify, ExitStatus};

/// What can go wrong talking to Marathon.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No configured URL answered (connection refused, DNS, TLS, timeout, not HTTP); the
    /// message says which (`Transport`).
    #[error("{}", unreachable_text(urls, method, path, source))]
    Unreachable {
        /// The URLs tried, comma-separated.
        urls: String,
        /// Request method.
        method: Method,
        /// Request path.
        path: String,
        /// The last transport error.
        #[source]
        source: reqwest::Error,
    },
    /// An HTTP server answered, but not as Marathon does (Marathon's errors are JSON
    /// `{"message": ...}`; `/v2/*` paths exist on every Marathon).
    #[error("what answers at {url} is not Marathon: {method} {path} got {status} with a non-JSON body ({snippet})")]
    NotMarathon {
        /// The base URL that answered.
        url: String,
        /// Request method.
        method: Method,
        /// Request path.
        path: String,
        /// HTTP status.
        status: StatusCode,
        /// The start of the body.
        snippet: String,
    },
    /// 404: the app, group or deployment does not exist.
    #[error("{message}")]
    NotFound {
        /// Marathon's message, e.g. "App '/x' does not exist".
        message: String,
    },
    /// 409: another deployment holds the lock on the app or group.
    #[error("Marathon refused {method} {path}: {message}")]
    Locked {
        /// Request method.
        method: Method,
        /// Request path.
        path: String,
        /// Marathon's message.
        message: String,
        /// Ids of the deployments holding the lock.
        deployments: Vec<String>,
    },
    /// 400 or 422: Marathon rejected the request body.
    #[error("Marathon rejected {method} {path}: {message}{}", render_details(.details))]
    Invalid {
        /// Request method.
        method: Method,
        /// Request path.
        path: String,
        /// HTTP status (400 or 422).
        status: StatusCode,
        /// Marathon's message, e.g. "Object is not valid".
        message: String,
        /// Marathon's `details` (`[{path, errors[]}]`).
        details: Option<Value>,
    },
    /// 401 or 403.
    #[error("Marathon denied {method} {path} ({status}): {message}")]
    Denied {
        /// Request method.
        method: Method,
        /// Request path.
        path: String,
        /// HTTP status.
        status: StatusCode,
        /// Marathon's message.
        message: String,
    },
    /// Any other non-success answer (5xx after retries, a leader's own 500, unexpected codes).
    #[error("Marathon answered {status} to {method} {path}: {message}")]
    Api {
        /// Request method.
        method: Method,
        /// Request path.
        path: String,
        /// HTTP status.
        status: StatusCode,
        /// Marathon's message or the body's start.
        message: String,
    },
    /// The answer was not the JSON we expected.
    #[error("cannot decode Marathon's answer to {method} {path}")]
    Decode {
        /// Request method.
        method: Method,
        /// Request path.
        path: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// A change was sent but its outcome is unknown: no answer in time, the connection broke
    /// after sending, 502/503, or 500 without `X-Marathon-Leader` (a forwarding non-leader whose
    /// call to the leader failed after connecting: M:src/main/scala/mesosphere/marathon/api/
    /// forwarder/AsyncUrlConnectionRequestForwarder.scala, `forward`). Marathon may have applied
    /// it, so it is never sent again; the caller re-reads Marathon to learn what happened.
    #[error("{reason}")]
    Uncertain {
        /// Request method.
        method: Method,
        /// Request path.
        path: String,
        /// What happened instead of an answer, as the whole message ("Marathon at URL did not
        /// answer PUT /v2/apps/x in time").
        reason: String,
    },
    /// The client could not be built (bad CA file, bad URL).
    #[error("cannot set up the Marathon client: {0}")]
    Setup(String),
}

/// What kind of transport failure a [`reqwest::Error`] is, for the message and the hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// Nothing listens, or the name does not resolve.
    Refused,
    /// A connection was made but no answer came within the request timeout.
    Timeout,
    /// The TLS handshake failed (a plain-HTTP server behind https://, or an untrusted certificate).
    Tls,
    /// Something answered, but not in HTTP.
    NotHttp,
    /// Anything else.
    Other,
}

/// A reqwest error with its causes (reqwest's own message hides them: `error sending request:
/// connection refused`), each said once: the one wording of every HTTP client of the crate
/// (Marathon's, the Mesos agents', the engine's checks and fetches).
pub fn with_causes(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl Transport {
    /// Classifies a transport error by its kind and its causes' words (reqwest hides the types).
    pub(crate) fn of(err: &reqwest::Error) -> Transport {
        let text = with_causes(err).to_ascii_lowercase();
        if err.is_timeout() {
            Transport::Timeout
        } else if ["tls", "certificate", "handshake", "corrupt message", "invalidcontenttype"]
            .iter()
            .any(|w| text.contains(w))
        {
            Transport::Tls
        } else if ["invalid http", "http/0.9", "parse", "invalid status", "invalid header"]
            .iter()
            .any(|w| text.contains(w))
        {
            Transport::NotHttp
        } else if err.is_connect() {
            Transport::Refused
        } else {
            Transport::Other
        }
    }
}

fn unreachable_text(urls: &str, method: &Method, path: &str, source: &reqwest::Error) -> String {
    match Transport::of(source) {
        Transport::Timeout => format!("Marathon at {urls} did not answer {method} {path} in time"),
        Transport::Tls => format!("TLS with Marathon at {urls} failed"),
        Transport::NotHttp => format!("what answers at {urls} does not speak HTTP"),
        Transport::Refused | Transport::Other => format!("cannot reach Marathon at {urls}"),
    }
}

fn render_details(details: &Option<Value>) -> String {
    let Some(Value::Array(items)) = details else { return String::new() };
    let mut out = String::new();
    for item in items {
        let path = item.get("path").and_then(Value::as_str).unwrap_or("/");
        let errors: Vec<&str> = item
            .get("errors")
            .and_then(Value::as_array)
            .map(|e| e.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        out.push_str(&format!("; {path}: {}", errors.join(", ")));
    }
    out
}

impl Error {
    /// Whether this is a 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// Whether this is a change whose outcome is unknown (see [`Error::Uncertain`]).
    pub fn is_uncertain(&self) -> bool {
        matches!(self, Error::Uncertain { .. })
    }

    /// Whether this is a 409 lock conflict.
    pub fn is_locked(&self) -> bool {
        matches!(self, Error::Locked { .. })
    }
}

impl Classify for Error {
    fn exit_status(&self) -> Option<ExitStatus> {
        Some(match self {
            Error::Locked { .. } => ExitStatus::Locked,
            Error::Invalid { .. } => ExitStatus::Usage,
            _ => ExitStatus::Failure,
        })
    }

    fn hint(&self) -> Option<String> {
        match self {
            Error::Unreachable { method, source, .. } => Some(match Transport::of(source) {
                Transport::Timeout if *method != Method::GET => "Marathon may have applied the change anyway: check with `theseus view` before retrying; --request-timeout sets the limit".into(),
                Transport::Timeout => "Marathon is up but slow to answer: raise --request-timeout, or check Marathon's health".into(),
                Transport::Tls => "a plain-HTTP server behind https:// fails so: check the scheme of --marathon; for a private CA pass --marathon-ca".into(),
                Transport::NotHttp => "check the host and port of --marathon (THESEUS_MARATHON_URL): something else listens there".into(),
                Transport::Refused | Transport::Other => {
                    "is Marathon running? Set --marathon or THESEUS_MARATHON_URL (try `theseus local`)".into()
                }
            }),
            Error::NotMarathon { .. } => {
                Some("check --marathon (THESEUS_MARATHON_URL): it must be Marathon's base URL, e.g. http://marathon:8080".into())
            }
            Error::Locked { deployments, .. } => Some(format!(
                "Marathon deployment {} holds it: wait until `theseus view` no longer shows it deploying, then retry (`theseus scale --force` scales and `theseus remove --force` removes a group whatever deploys it)",
                deployments.join(", ")
            )),
            Error::Denied { .. } => Some("check --marathon-user/--marathon-password or --marathon-token".into()),
            Error::Uncertain { .. } => Some(
                "Marathon may have applied the change anyway (re-reading it did not show so): check with `theseus view` before retrying; `theseus remove --force` cleans up a group either way"
                    .into(),
            ),
            _ => None,
        }
    }
}
