//! The etcd driver's error type: callers match on it (`is_not_found`, `is_locked`), and
//! [`Classify`] maps it to exit codes and hints. Never carries a password.

use std::time::Duration;

use crate::error::{Classify, ExitStatus};

/// A boxed cause, so that etcd-client's types stay inside this module.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong talking to etcd or with the layout in it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No endpoint answered within the connect timeout.
    #[error("cannot reach etcd at {endpoints}{}", waited.map(|w| format!(" (no answer within {})", humantime::format_duration(w))).unwrap_or_default())]
    Unreachable {
        /// The endpoints tried, comma-separated.
        endpoints: String,
        /// Set when nothing answered within the connect timeout (rather than failing fast).
        waited: Option<Duration>,
        /// The last transport error, if any.
        #[source]
        source: Option<Cause>,
    },
    /// etcd refused the credentials or the TLS setup.
    #[error("etcd at {endpoints} refused the connection: {reason}")]
    Rejected {
        /// The endpoints tried, comma-separated.
        endpoints: String,
        /// Why (authentication failed, permission denied, TLS handshake).
        reason: String,
        /// The error from etcd.
        #[source]
        source: Option<Cause>,
    },
    /// The connection options are unusable (missing or unreadable TLS files, bad endpoint).
    #[error("invalid etcd connection options: {0}")]
    Options(String),
    /// A request failed.
    #[error("etcd request failed: {op} `{key}`")]
    Request {
        /// What we were doing (`get`, `txn`, `lock`...).
        op: &'static str,
        /// The key or prefix involved.
        key: String,
        /// The error from etcd.
        #[source]
        source: Cause,
    },
    /// A request got no answer in time.
    #[error("etcd did not answer {op} `{key}` within {}", humantime::format_duration(*timeout))]
    Timeout {
        /// What we were doing.
        op: &'static str,
        /// The key or prefix involved.
        key: String,
        /// The request timeout.
        timeout: Duration,
    },
    /// A name that cannot be part of the layout.
    #[error("invalid {kind} name `{name}`")]
    InvalidName {
        /// What the name is for (`service`, `group`, `container`).
        kind: &'static str,
        /// The offending name.
        name: String,
    },
    /// The service is not registered.
    #[error("service `{service}` is not registered in etcd")]
    ServiceNotFound {
        /// The service.
        service: String,
    },
    /// The group is not registered.
    #[error("group `{service}/{group}` is not registered in etcd")]
    GroupNotFound {
        /// The service.
        service: String,
        /// Encoded labels.
        group: String,
    },
    /// The container is not registered.
    #[error("container `{container}` is not registered in group `{service}/{group}`")]
    ContainerNotFound {
        /// The service.
        service: String,
        /// Encoded labels.
        group: String,
        /// Marathon task id.
        container: String,
    },
    /// A value in etcd is not the JSON the layout says.
    #[error("malformed value at etcd key `{key}`")]
    Corrupt {
        /// The key.
        key: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// Another holder kept the group's lock for the whole wait.
    #[error("group `{service}/{group}` is locked by {holder} (waited {:.1}s)", waited.as_secs_f64())]
    Locked {
        /// The service.
        service: String,
        /// Encoded labels.
        group: String,
        /// Who holds the lock, as recorded by them.
        holder: String,
        /// How long we waited.
        waited: Duration,
    },
    /// The group's subtree belongs to another namespace sharing this etcd root.
    #[error("`/services/{service}/{group}` in etcd belongs to namespace `{owner}`, not `{namespace}`")]
    Foreign {
        /// The service.
        service: String,
        /// Encoded labels.
        group: String,
        /// The owning namespace, as its config records it.
        owner: String,
        /// The namespace of the refused command.
        namespace: String,
    },
    /// The lease behind a lock could not be kept alive.
    #[error("lost the lock on group `{service}/{group}`: {reason}")]
    LockLost {
        /// The service.
        service: String,
        /// Encoded labels.
        group: String,
        /// Why.
        reason: String,
    },
}

/// The readable part of an etcd-client error: gRPC statuses as `message (Code)` plus their
/// underlying cause, without tonic's metadata dump.
pub(super) fn cause(err: etcd_client::Error) -> Cause {
    let mut parts: Vec<String> = Vec::new();
    let mut source = match &err {
        etcd_client::Error::GRpcStatus(status) => {
            parts.push(format!("{} ({:?})", status.message().trim_start_matches("etcdserver: "), status.code()));
            std::error::Error::source(status)
        }
        other => {
            parts.push(other.to_string());
            std::error::Error::source(other)
        }
    };
    while let Some(s) = source {
        let text = s.to_string();
        // tonic repeats the same words at several levels; say each once.
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ").into()
}

/// What a failed request says about whether etcd took it: the one retry classification of the
/// driver ([`super::Driver::call`], connecting, the lease guard).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    /// It never reached a member (no connection could be made: a dead member that etcd-client's
    /// balanced channel still picks). Sending it again cannot apply it twice.
    NotSent,
    /// The cluster had no usable leader for a moment (an election after the leader died: "leader
    /// changed", "no leader", "not leader", a proposal timed out or dropped) or the member died
    /// with the request in flight. etcd may or may not have applied it: only a request whose
    /// second run is harmless may be sent again.
    Transient,
    /// An answer: report it.
    Final,
}

/// Classifies an etcd-client error (see [`Failure`]).
pub(super) fn failure(err: &etcd_client::Error) -> Failure {
    match err {
        // The status's own words and what lies below them: a connection that closed under a
        // request arrives as gRPC 1 ("operation was canceled") with "transport error:
        // connection closed" as its source.
        etcd_client::Error::GRpcStatus(status) => {
            classify(Some(i32::from(status.code())), &chain(status.message(), std::error::Error::source(status)))
        }
        // The whole chain: tonic puts "tcp connect error" below its own words.
        etcd_client::Error::TransportError(e) => classify(None, &chain(&e.to_string(), std::error::Error::source(e))),
        _ => Failure::Final,
    }
}

/// `first` and the text of every error below it, joined by `: `.
fn chain(first: &str, mut source: Option<&(dyn std::error::Error + 'static)>) -> String {
    let mut text = first.to_owned();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// [`failure`] on a gRPC status code (`None`: a transport error, no status) and its text.
fn classify(code: Option<i32>, text: &str) -> Failure {
    const NOT_SENT: [&str; 4] = ["tcp connect error", "Connection refused", "error trying to connect", "dns error"];
    // etcd's rpctypes errors for a cluster between leaders (all gRPC 14, "unavailable"), and
    // what a connection that broke mid-request reports.
    const TRANSIENT: [&str; 13] = [
        "leader changed",
        "no leader",
        "not leader",
        "request timed out",
        "raft proposal dropped",
        "server stopped",
        "unhealthy cluster",
        "not capable",
        "connection reset",
        "broken pipe",
        "transport error",
        "connection closed",
        "h2 protocol error",
    ];
    if NOT_SENT.iter().any(|w| text.contains(w)) && matches!(code, None | Some(14)) {
        return Failure::NotSent;
    }
    match code {
        // A transport error without a status: the connection broke.
        None => Failure::Transient,
        // gRPC 14, unavailable: etcd between leaders, or a member gone.
        Some(14) => Failure::Transient,
        // gRPC 7 and 16 (permission, authentication) and the rest are answers, unless etcd's
        // words say the cluster was between leaders (some arrive as gRPC 2, unknown).
        Some(7 | 16) => Failure::Final,
        Some(_) if TRANSIENT.iter().any(|w| text.contains(w)) => Failure::Transient,
        Some(_) => Failure::Final,
    }
}

impl Error {
    /// Whether the service, group or container does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::ServiceNotFound { .. } | Error::GroupNotFound { .. } | Error::ContainerNotFound { .. })
    }

    /// Whether another holder has the group's lock.
    pub fn is_locked(&self) -> bool {
        matches!(self, Error::Locked { .. })
    }

    /// Whether etcd could not be reached or did not answer in time.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Error::Unreachable { .. } | Error::Timeout { .. })
    }
}

impl Classify for Error {
    fn exit_status(&self) -> Option<ExitStatus> {
        Some(match self {
            Error::Locked { .. } | Error::LockLost { .. } => ExitStatus::Locked,
            Error::InvalidName { .. } | Error::Options(_) | Error::Foreign { .. } => ExitStatus::Usage,
            _ => ExitStatus::Failure,
        })
    }

    fn hint(&self) -> Option<String> {
        match self {
            Error::Unreachable { .. } => Some(
                "is etcd running? set the endpoints with --etcd or THESEUS_ETCD_ENDPOINTS (HOST:PORT, comma-separated)"
                    .into(),
            ),
            Error::Timeout { op, .. } => Some(if matches!(*op, "txn" | "put" | "delete") {
                "etcd answered nothing in time, so the write may have been applied or not: check with `theseus endpoints` (or etcdctl) before retrying; --request-timeout sets the limit".into()
            } else {
                "etcd is up but slow to answer: check its health (`etcdctl endpoint health`) or raise --request-timeout".into()
            }),
            Error::Rejected { reason, .. } if reason.contains("authentication is not enabled") => Some(
                "this etcd has authentication turned off: leave out --etcd-user/--etcd-password (THESEUS_ETCD_USER/THESEUS_ETCD_PASSWORD)"
                    .into(),
            ),
            Error::Rejected { .. } => Some(
                "check --etcd-user/--etcd-password (THESEUS_ETCD_USER/THESEUS_ETCD_PASSWORD) and --etcd-ca/--etcd-cert/--etcd-key"
                    .into(),
            ),
            Error::LockLost { .. } => Some(
                "the rollout stopped so that two never act on one group: once etcd answers again, check the group with `theseus view` (and `theseus rollout status`) and run the command again; a longer --lock-ttl rides out longer etcd outages".into(),
            ),
            Error::Locked { .. } => {
                Some("wait for the other rollout to finish, or raise --lock-timeout; a dead holder's lock frees itself when its lease expires".into())
            }
            Error::Foreign { namespace, .. } => Some(format!(
                "namespaces that reuse service and label names need their own etcd root: pass --etcd-prefix \
                 (THESEUS_ETCD_PREFIX) per namespace, e.g. --etcd-prefix {namespace}"
            )),
            Error::ServiceNotFound { .. } | Error::GroupNotFound { .. } => {
                Some("groups are registered by `theseus create`; check --etcd-prefix (THESEUS_ETCD_PREFIX)".into())
            }
            _ => None,
        }
    }
}

impl From<crate::names::InvalidName> for Error {
    fn from(e: crate::names::InvalidName) -> Self {
        Error::InvalidName { kind: e.kind, name: e.name }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leader_changes_and_dead_members_are_transient_and_answers_final() {
        // etcd's own messages (server/etcdserver/api/v3rpc/rpctypes/error.go), gRPC 14.
        for msg in [
            "etcdserver: leader changed",
            "etcdserver: no leader",
            "etcdserver: not leader",
            "etcdserver: request timed out",
            "etcdserver: request timed out, possibly due to previous leader failure",
            "etcdserver: server stopped",
        ] {
            assert_eq!(classify(Some(14), msg), Failure::Transient, "{msg}");
        }
        assert_eq!(classify(Some(2), "raft proposal dropped"), Failure::Transient);
        // A member that died: nothing could connect, or the connection broke mid-request.
        assert_eq!(classify(Some(14), "transport error: tcp connect error: Connection refused"), Failure::NotSent);
        assert_eq!(
            classify(None, "transport error: tcp connect error: Connection refused (os error 111)"),
            Failure::NotSent
        );
        assert_eq!(classify(None, "transport error: connection reset by peer"), Failure::Transient);
        // What a `get` to a member SIGKILLed mid-request reported (gRPC 2, unknown).
        assert_eq!(classify(Some(2), "transport error: connection error: connection reset"), Failure::Transient);
        assert_eq!(classify(Some(14), "error reading a body from connection: broken pipe"), Failure::Transient);
        // A connection closed under a `get` while the leader was killed: gRPC 1 (cancelled),
        // the transport's words below the status's own.
        let closed = std::io::Error::other("transport error: connection closed");
        let text = chain("operation was canceled", Some(&closed));
        assert_eq!(text, "operation was canceled: transport error: connection closed");
        assert_eq!(classify(Some(1), &text), Failure::Transient);
        assert_eq!(classify(Some(1), "operation was canceled"), Failure::Final);
        // Answers.
        assert_eq!(classify(Some(16), "etcdserver: invalid auth token"), Failure::Final);
        assert_eq!(classify(Some(7), "etcdserver: permission denied"), Failure::Final);
        assert_eq!(classify(Some(3), "etcdserver: too many operations in txn request"), Failure::Final);
        assert_eq!(classify(Some(5), "etcdserver: requested lease not found"), Failure::Final);
        assert_eq!(classify(Some(11), "etcdserver: mvcc: required revision has been compacted"), Failure::Final);
        assert_eq!(failure(&etcd_client::Error::InvalidArgs("x".into())), Failure::Final);
    }

    #[test]
    fn a_lost_lock_is_exit_6() {
        let lost = Error::LockLost { service: "web".into(), group: "dev".into(), reason: "its lease expired".into() };
        assert_eq!(lost.exit_status(), Some(ExitStatus::Locked));
    }
}
