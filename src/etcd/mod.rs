//! The etcd driver: the `/services` layout of DESIGN §4 on etcd v3; the only module that
//! imports `etcd_client`.
//!
//! - [`keys`] alone builds keys; `docs/etcd-layout.md` documents every key with an example.
//! - "A service exists" means its marker key `/services/<service>` exists (a small JSON value);
//!   likewise for a group, its container list and each container. Creating a group writes its
//!   markers and config in one transaction; removing a service or group deletes its marker and
//!   its whole subtree (`<key>/` prefix) in one transaction.
//! - Every multi-key change is one transaction; writes under a group are guarded by a compare
//!   on the group marker, so a container is never registered under a group that does not exist
//!   and concurrent register/deregister/remove never leave an orphan key.
//! - Listings are single requests: one range read (inside a transaction that also reads the
//!   parent marker, so "missing" and "empty" are told apart at the same revision).
//! - [`GroupLock`]: a per-group lock bound to a lease, for rollouts.
//! - [`ServiceWatch`]: changes under one service, for `endpoints --watch` and `--exec`.
//! - [`Owner`]: the namespace that owns a group subtree (its config's `namespace`); writes
//!   from another namespace are refused ([`Error::Foreign`]).
//! - [`Journal`]: a rollout's progress (`put_rollout`, `get_rollout`, `delete_rollout`), and
//!   [`HistoryEntry`]: the revisions deployed, written with the group's config in one
//!   transaction. Both live outside `/services`.

mod election;
mod error;
mod history;
mod journal;
pub mod keys;
mod lock;
mod owner;
mod registry;
mod watch;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use etcd_client::{
    Certificate, Client, Compare, CompareOp, ConnectOptions, DeleteOptions, GetOptions, Identity, KeyValue, Txn, TxnOp,
    TxnOpResponse, TxnResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use election::Leadership;
pub use error::{Cause, Error};
pub use history::{HistoryEntry, HISTORY_LEN};
pub use journal::{Journal, JournalSide, JournalState, RolloutKind};
pub use keys::Keys;
pub use lock::{GroupLock, DEFAULT_LOCK_TTL};
pub use owner::Owner;
pub use registry::{Applied, GroupChange, GroupCount, GroupRegistrations, Registrations, Skipped};
pub use watch::ServiceWatch;

use crate::names::{check_service, GroupKey};
use crate::secret::Secret;
use keys::{check_container, prefix_end, Entry};

/// etcd's default `--max-txn-ops`: the most operations one transaction may carry.
pub const MAX_TXN_OPS: usize = 128;

/// The largest response theseus accepts from etcd (a range read of a whole service).
const MAX_RESPONSE_BYTES: usize = 256 * 1024 * 1024;

/// How to reach etcd. The password is a [`Secret`], so `Debug` never shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Endpoints, `HOST:PORT` or `http(s)://HOST:PORT`.
    pub endpoints: Vec<String>,
    /// User name for etcd authentication.
    pub user: Option<String>,
    /// Password for etcd authentication.
    pub password: Option<Secret>,
    /// PEM CA certificate of etcd's TLS endpoints; any TLS option switches to `https://`.
    pub ca: Option<PathBuf>,
    /// PEM client certificate (with `key`).
    pub cert: Option<PathBuf>,
    /// PEM client key (with `cert`).
    pub key: Option<PathBuf>,
    /// Root prefix under which `/services` lives (`""` for none).
    pub prefix: String,
    /// How long connecting (and the first request) may take.
    pub connect_timeout: Duration,
    /// How long each request may take.
    pub request_timeout: Duration,
    /// The lease TTL of the group locks taken ([`Driver::lock_group`]): how long the locks of a
    /// client that died last (whole seconds, at least 2).
    pub lock_ttl: Duration,
}

impl Options {
    /// Options for these endpoints with no credentials, no prefix and 10 s timeouts.
    pub fn new<S: Into<String>>(endpoints: impl IntoIterator<Item = S>) -> Self {
        Options {
            endpoints: endpoints.into_iter().map(Into::into).collect(),
            user: None,
            password: None,
            ca: None,
            cert: None,
            key: None,
            prefix: String::new(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(10),
            lock_ttl: DEFAULT_LOCK_TTL,
        }
    }

    fn uses_tls(&self) -> bool {
        self.ca.is_some() || self.cert.is_some() || self.key.is_some()
    }

    fn connect_options(&self) -> Result<ConnectOptions, Error> {
        let mut co = ConnectOptions::new()
            .with_connect_timeout(self.connect_timeout)
            .with_timeout(self.request_timeout)
            .with_keep_alive(Duration::from_secs(10), self.request_timeout);
        match (&self.user, &self.password) {
            (Some(user), password) => {
                co = co.with_user(user.clone(), password.as_ref().map_or_else(String::new, |p| p.expose().to_owned()))
            }
            (None, Some(_)) => return Err(Error::Options("--etcd-password needs --etcd-user".into())),
            (None, None) => {}
        }
        if self.uses_tls() {
            let mut tls = etcd_client::TlsOptions::new();
            if let Some(ca) = &self.ca {
                tls = tls.ca_certificate(Certificate::from_pem(read_pem(ca, "--etcd-ca")?));
            }
            match (&self.cert, &self.key) {
                (Some(cert), Some(key)) => {
                    tls =
                        tls.identity(Identity::from_pem(read_pem(cert, "--etcd-cert")?, read_pem(key, "--etcd-key")?));
                }
                (None, None) => {}
                _ => return Err(Error::Options("--etcd-cert and --etcd-key go together".into())),
            }
            co = co.with_tls(tls);
        }
        Ok(co)
    }

    /// The endpoints as etcd-client wants them: a scheme matching the TLS setting.
    fn urls(&self) -> Result<Vec<String>, Error> {
        if self.endpoints.is_empty() {
            return Err(Error::Options("no etcd endpoint given (--etcd HOST:PORT)".into()));
        }
        let tls = self.uses_tls();
        self.endpoints
            .iter()
            .map(|e| {
                let e = e.trim().trim_end_matches('/');
                let authority = e.strip_prefix("http://").or_else(|| e.strip_prefix("https://")).unwrap_or(e);
                let other_scheme = e.contains("://") && authority == e;
                if !other_scheme && !is_host_port(authority) {
                    return Err(Error::Options(format!("endpoint `{e}` is not HOST:PORT or http(s)://HOST:PORT")));
                }
                match (e.strip_prefix("http://"), e.strip_prefix("https://")) {
                    (Some(_), _) if tls => Err(Error::Options(format!(
                        "endpoint `{e}` is http:// but TLS files were given; use https:// or HOST:PORT"
                    ))),
                    (Some(_), _) => Ok(e.to_owned()),
                    (_, Some(_)) => Ok(e.to_owned()),
                    _ if e.contains("://") => Err(Error::Options(format!("endpoint `{e}`: only http:// and https://"))),
                    _ if tls => Ok(format!("https://{e}")),
                    _ => Ok(format!("http://{e}")),
                }
            })
            .collect()
    }
}

/// `host:port` with a non-empty host (a name, IPv4, or `[IPv6]`) and a port number.
fn is_host_port(authority: &str) -> bool {
    let Some((host, port)) = authority.rsplit_once(':') else { return false };
    let host_ok = !host.is_empty()
        && (host.starts_with('[') && host.ends_with(']')
            || host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')));
    host_ok && port.parse::<u16>().is_ok_and(|p| p > 0)
}

fn read_pem(path: &PathBuf, flag: &str) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::Options(format!("cannot read {flag} file `{}`: {e}", path.display())))
}

/// One container's registration: the value at `.../containers/<container>/info`.
///
/// ```json
/// {"instance_name": "theseus_web_dev.frontend_r1.6f1c2a3e-...", "instance_host": "10.0.3.12",
///  "instance_port": 31002, "port_mappings": [{"container_port": 80, "host_port": 31002,
///  "name": "http", "protocol": "tcp"}], "version": "2024-05-01T10:00:00.000Z",
///  "healthy": true, "started_at": "2024-05-01T10:00:05.123Z"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerInfo {
    /// The Marathon task id; also the `<container>` key segment.
    pub instance_name: String,
    /// The agent host the task runs on (a name or an address).
    pub instance_host: String,
    /// The first host port, if the task has ports.
    #[serde(default)]
    pub instance_port: Option<u32>,
    /// Every port of the task.
    #[serde(default)]
    pub port_mappings: Vec<PortMappingInfo>,
    /// The Marathon app version (or revision) the task runs.
    #[serde(default)]
    pub version: String,
    /// Whether the task passed its health checks (true when the app has none and it runs).
    #[serde(default)]
    pub healthy: bool,
    /// When the task started (RFC 3339), as Marathon reports it.
    #[serde(default)]
    pub started_at: Option<String>,
}

impl ContainerInfo {
    /// `host:port` of the first host port, if any.
    pub fn address(&self) -> Option<String> {
        self.instance_port.map(|p| format!("{}:{p}", self.instance_host))
    }
}

/// One port of a container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortMappingInfo {
    /// The port inside the container (bridge networking); none with host networking.
    #[serde(default)]
    pub container_port: Option<u32>,
    /// The port on the agent.
    pub host_port: u32,
    /// The port's name from the spec.
    #[serde(default)]
    pub name: Option<String>,
    /// `tcp`, `udp` or `udp,tcp`.
    #[serde(default = "default_protocol")]
    pub protocol: String,
}

fn default_protocol() -> String {
    "tcp".into()
}

/// What a command's registration pass changed in one group (container names, sorted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Containers newly registered.
    pub registered: Vec<String>,
    /// Registered containers whose info changed.
    pub updated: Vec<String>,
    /// Containers removed because they were not desired.
    pub deregistered: Vec<String>,
}

impl SyncReport {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.registered.is_empty() && self.updated.is_empty() && self.deregistered.is_empty()
    }
}

/// The marker value of `/services` (the layout's version).
#[derive(Serialize)]
struct RootMarker {
    layout: u32,
}

#[derive(Serialize)]
struct ServiceMarker<'a> {
    service: &'a str,
}

#[derive(Serialize)]
struct GroupMarker<'a> {
    service: &'a str,
    group: &'a str,
    labels: Vec<&'a str>,
}

/// Part of a range read: its keys, whether more follow, and the revision it was read at.
pub(crate) struct Page {
    pub(crate) kvs: Vec<KeyValue>,
    pub(crate) more: bool,
    pub(crate) revision: i64,
}

#[derive(Serialize)]
struct ContainersMarker<'a> {
    service: &'a str,
    group: &'a str,
}

#[derive(Serialize)]
struct ContainerMarker<'a> {
    instance_name: &'a str,
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing these plain structs and `Value`s cannot fail (string keys only).
    serde_json::to_vec(value).unwrap_or_default()
}

/// A connection to etcd, bound to one root prefix. Cheap to clone; clones share the
/// connection and the request counter.
#[derive(Clone)]
pub struct Driver {
    client: Client,
    keys: Keys,
    endpoints: String,
    request_timeout: Duration,
    lock_ttl: Duration,
    requests: Arc<AtomicU64>,
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver").field("endpoints", &self.endpoints).field("root", &self.keys.root()).finish()
    }
}

/// Whether an etcd error means the credentials or permissions were refused.
fn is_rejection(err: &etcd_client::Error) -> Option<String> {
    if let etcd_client::Error::GRpcStatus(status) = err {
        let msg = status.message();
        // "authentication is not enabled": credentials sent to an etcd without auth (gRPC 9).
        let auth_words = [
            "authentication failed",
            "permission denied",
            "user name is empty",
            "invalid auth token",
            "authentication is not enabled",
        ];
        // gRPC codes 16 (unauthenticated) and 7 (permission denied).
        if matches!(i32::from(status.code()), 16 | 7) || auth_words.iter().any(|w| msg.contains(w)) {
            return Some(msg.trim_start_matches("etcdserver: ").to_owned());
        }
    }
    None
}

/// An endpoint as logs show it: any `user:password@` of a URL left out.
fn without_userinfo(endpoint: &str) -> String {
    match (endpoint.split_once("://"), endpoint.rsplit_once('@')) {
        (Some((scheme, _)), Some((_, host))) => format!("{scheme}://{host}"),
        (None, Some((_, host))) => host.to_owned(),
        _ => endpoint.to_owned(),
    }
}

impl Driver {
    /// Connects and checks that etcd answers (one read of the `/services` marker), all within
    /// `connect_timeout`. Unreachable endpoints give one [`Error::Unreachable`] naming them.
    pub async fn connect(opts: &Options) -> Result<Driver, Error> {
        let keys = Keys::new(&opts.prefix)?;
        let urls = opts.urls()?;
        let co = opts.connect_options()?;
        let endpoints = opts.endpoints.join(", ");
        let probe_key = keys.services();
        let attempt = async {
            let mut client = Client::connect(&urls, Some(co)).await?;
            // The balanced channel may pick a dead member of a cluster: ask again (a read).
            let mut delay = Duration::from_millis(20);
            loop {
                match client.get(probe_key.as_bytes(), Some(GetOptions::new().with_count_only())).await {
                    Err(err) if urls.len() > 1 && error::not_taken(&err, true) => {
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(Duration::from_millis(400));
                    }
                    Err(err) => return Err(err),
                    Ok(_) => return Ok::<_, etcd_client::Error>(client),
                }
            }
        };
        let started = std::time::Instant::now();
        let connected = tokio::time::timeout(opts.connect_timeout, attempt).await;
        let outcome = match &connected {
            Ok(Ok(_)) => "ok",
            Ok(Err(_)) => "failed",
            Err(_) => "timed out",
        };
        let shown: Vec<String> = opts.endpoints.iter().map(|e| without_userinfo(e)).collect();
        tracing::info!(target: "theseus::etcd", "connect {} -> {outcome} in {:.1?}", shown.join(","), started.elapsed());
        let client = match connected {
            Ok(Ok(client)) => client,
            Ok(Err(err)) => {
                return Err(match is_rejection(&err) {
                    Some(reason) => Error::Rejected { endpoints, reason, source: Some(error::cause(err)) },
                    None => Error::Unreachable { endpoints, waited: None, source: Some(error::cause(err)) },
                })
            }
            Err(_) => return Err(Error::Unreachable { endpoints, waited: Some(opts.connect_timeout), source: None }),
        };
        Ok(Driver {
            client,
            keys,
            endpoints,
            request_timeout: opts.request_timeout,
            lock_ttl: opts.lock_ttl,
            requests: Arc::new(AtomicU64::new(0)),
        })
    }

    /// The key builder (for the root prefix in use).
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The endpoints, comma-separated, as given.
    pub fn endpoints(&self) -> &str {
        &self.endpoints
    }

    /// How many requests (round trips) this driver and its clones have sent to etcd since
    /// connecting. Tests and benchmarks use it to check that listings are single reads.
    pub fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// A KV client that accepts large range reads (gRPC's default limit is 4 MiB, about 6,000
    /// containers in one `get_service_containers`).
    fn kv(&self) -> etcd_client::KvClient {
        self.client.kv_client().max_decoding_message_size(MAX_RESPONSE_BYTES)
    }

    /// Runs one request under the request timeout and maps its error. `send` makes the request
    /// and is called again (with a short backoff, within the timeout) when etcd did not take it:
    /// its connection failed before anything was sent (a dead member of a cluster, which
    /// etcd-client's balanced channel may still pick), or, for reads, the cluster had no
    /// leader for a moment (an election after the leader died). Writes that may have been
    /// applied are never sent again.
    async fn call<T, F, Fut>(&self, op: &'static str, key: &str, mut send: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, etcd_client::Error>>,
    {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let started = std::time::Instant::now();
        let read = matches!(op, "get" | "watch");
        let attempts = async {
            let mut delay = Duration::from_millis(20);
            loop {
                match send().await {
                    Err(err) if error::not_taken(&err, read) => {
                        tracing::debug!(target: "theseus::etcd", "{op} `{key}` not taken ({err}); sending it again");
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(Duration::from_millis(400));
                    }
                    other => return other,
                }
            }
        };
        let result = tokio::time::timeout(self.request_timeout, attempts).await;
        // `-v`: each request with its key or prefix and time; never a value (configs may hold
        // secrets in their env) and never the credentials (they live in the connection).
        let outcome = match &result {
            Ok(Ok(_)) => "ok",
            Ok(Err(_)) => "failed",
            Err(_) => "timed out",
        };
        tracing::info!(target: "theseus::etcd", "{op} {key} -> {outcome} in {:.1?}", started.elapsed());
        match result {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(err)) => Err(match is_rejection(&err) {
                Some(reason) => {
                    Error::Rejected { endpoints: self.endpoints.clone(), reason, source: Some(error::cause(err)) }
                }
                None => Error::Request { op, key: key.to_owned(), source: error::cause(err) },
            }),
            Err(_) => Err(Error::Timeout { op, key: key.to_owned(), timeout: self.request_timeout }),
        }
    }

    async fn txn(&self, key: &str, txn: Txn) -> Result<TxnResponse, Error> {
        self.call("txn", key, || {
            let (mut kv, txn) = (self.kv(), txn.clone());
            async move { kv.txn(txn).await }
        })
        .await
    }

    async fn count(&self, key: &str) -> Result<bool, Error> {
        let resp = self
            .call("get", key, || {
                let mut kv = self.kv();
                async move { kv.get(key, Some(GetOptions::new().with_count_only())).await }
            })
            .await?;
        Ok(resp.count() > 0)
    }

    async fn get_value(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let mut resp = self
            .call("get", key, || {
                let mut kv = self.kv();
                async move { kv.get(key, None).await }
            })
            .await?;
        Ok(resp.take_kvs().into_iter().next().map(|kv| kv.into_key_value().1))
    }

    /// One request: whether `marker` exists, and every key (with values unless `keys_only`)
    /// under `prefix`, at the same revision.
    async fn marker_and_range(
        &self,
        marker: &str,
        prefix: &str,
        keys_only: bool,
    ) -> Result<Option<Vec<KeyValue>>, Error> {
        let mut range = GetOptions::new().with_range(prefix_end(prefix));
        if keys_only {
            range = range.with_keys_only();
        }
        Ok(self.marker_and_page(marker, prefix, range).await?.map(|page| page.kvs))
    }

    /// One request: whether `marker` exists, and what `range` (a range from `prefix`, with a
    /// limit for a first page) reads, at the same revision; [`Driver::range_page`] reads on
    /// from there.
    pub(crate) async fn marker_and_page(
        &self,
        marker: &str,
        prefix: &str,
        range: GetOptions,
    ) -> Result<Option<Page>, Error> {
        let txn = Txn::new()
            .and_then([TxnOp::get(marker, Some(GetOptions::new().with_count_only())), TxnOp::get(prefix, Some(range))]);
        let resp = self.txn(prefix, txn).await?;
        let revision = resp.header().map_or(0, |h| h.revision());
        let mut responses = resp.op_responses().into_iter();
        if !matches!(responses.next(), Some(TxnOpResponse::Get(g)) if g.count() > 0) {
            return Ok(None);
        }
        Ok(Some(match responses.next() {
            Some(TxnOpResponse::Get(mut g)) => Page { more: g.more(), kvs: g.take_kvs(), revision },
            _ => Page { kvs: Vec::new(), more: false, revision },
        }))
    }

    /// The next `limit` keys with their values from `from` to the end of `prefix`, at
    /// `revision` (a page of a read [`Driver::marker_and_page`] began).
    pub(crate) async fn range_page(
        &self,
        prefix: &str,
        from: Vec<u8>,
        revision: i64,
        limit: i64,
    ) -> Result<Page, Error> {
        let end = prefix_end(prefix);
        let mut resp = self
            .call("get", prefix, || {
                let (mut kv, from, end) = (self.kv(), from.clone(), end.clone());
                async move {
                    kv.get(from, Some(GetOptions::new().with_range(end).with_revision(revision).with_limit(limit)))
                        .await
                }
            })
            .await?;
        Ok(Page { more: resp.more(), kvs: resp.take_kvs(), revision })
    }

    /// Ops that create the `/services` and service markers if they are missing (nested
    /// transactions, so existing markers are not rewritten and watchers see no change).
    fn ensure_service_ops(&self, service: &str) -> Vec<TxnOp> {
        let root = self.keys.services();
        let svc = self.keys.service(service);
        vec![
            TxnOp::txn(Txn::new().when([Compare::version(root.as_str(), CompareOp::Equal, 0)]).and_then([TxnOp::put(
                root.as_str(),
                json(&RootMarker { layout: 1 }),
                None,
            )])),
            TxnOp::txn(Txn::new().when([Compare::version(svc.as_str(), CompareOp::Equal, 0)]).and_then([TxnOp::put(
                svc.as_str(),
                json(&ServiceMarker { service }),
                None,
            )])),
        ]
    }

    fn group_exists_cmp(&self, service: &str, group: &str) -> Compare {
        Compare::version(self.keys.group(service, group), CompareOp::Greater, 0)
    }

    fn register_ops(&self, service: &str, group: &str, info: &ContainerInfo) -> [TxnOp; 2] {
        let name = info.instance_name.as_str();
        [
            TxnOp::put(self.keys.container(service, group, name), json(&ContainerMarker { instance_name: name }), None),
            TxnOp::put(self.keys.container_info(service, group, name), json(info), None),
        ]
    }

    fn deregister_ops(&self, service: &str, group: &str, container: &str) -> [TxnOp; 2] {
        let prefix = self.keys.container_prefix(service, group, container);
        [
            TxnOp::delete(self.keys.container(service, group, container), None),
            TxnOp::delete(prefix.as_str(), Some(DeleteOptions::new().with_range(prefix_end(&prefix)))),
        ]
    }

    fn subtree_delete_ops(key: &str, prefix: &str) -> [TxnOp; 2] {
        [TxnOp::delete(key, None), TxnOp::delete(prefix, Some(DeleteOptions::new().with_range(prefix_end(prefix))))]
    }

    fn deleted_any(resp: &TxnResponse) -> bool {
        resp.op_responses().iter().any(|r| matches!(r, TxnOpResponse::Delete(d) if d.deleted() > 0))
    }

    fn decode<T: serde::de::DeserializeOwned>(key: &str, value: &[u8]) -> Result<T, Error> {
        serde_json::from_slice(value).map_err(|source| Error::Corrupt { key: key.to_owned(), source })
    }

    fn group_not_found(service: &str, group: &str) -> Error {
        Error::GroupNotFound { service: service.to_owned(), group: group.to_owned() }
    }

    // ---- services ----------------------------------------------------------------------

    /// Registers a service (its marker, and the `/services` marker). Returns `false` if it
    /// already existed (then nothing is written).
    pub async fn create_service(&self, service: &str) -> Result<bool, Error> {
        check_service(service)?;
        let txn = Txn::new().and_then(self.ensure_service_ops(service));
        let resp = self.txn(&self.keys.service(service), txn).await?;
        // The second nested txn is the service marker; it succeeded iff the marker was absent.
        Ok(matches!(resp.op_responses().get(1), Some(TxnOpResponse::Txn(t)) if t.succeeded()))
    }

    /// Removes a service and everything under it in one transaction. Returns whether it existed.
    pub async fn remove_service(&self, service: &str) -> Result<bool, Error> {
        check_service(service)?;
        let (key, prefix) = (self.keys.service(service), self.keys.service_prefix(service));
        let resp = self.txn(&key, Txn::new().and_then(Self::subtree_delete_ops(&key, &prefix))).await?;
        Ok(Self::deleted_any(&resp))
    }

    /// Whether the service is registered.
    pub async fn service_exists(&self, service: &str) -> Result<bool, Error> {
        check_service(service)?;
        self.count(&self.keys.service(service)).await
    }

    /// Every registered service, sorted (one keys-only range read).
    pub async fn get_service_names(&self) -> Result<Vec<String>, Error> {
        let prefix = self.keys.services_prefix();
        let opts = GetOptions::new().with_range(prefix_end(&prefix)).with_keys_only();
        let mut resp = self
            .call("get", &prefix, || {
                let (mut kv, opts, prefix) = (self.kv(), opts.clone(), prefix.clone());
                async move { kv.get(prefix, Some(opts)).await }
            })
            .await?;
        Ok(resp
            .take_kvs()
            .into_iter()
            .filter_map(|kv| {
                let key = String::from_utf8(kv.into_key_value().0).ok()?;
                let name = key.strip_prefix(&prefix)?;
                (!name.contains('/')).then(|| name.to_owned())
            })
            .collect())
    }

    /// The groups (encoded labels, sorted) of a service (one keys-only range read).
    pub async fn get_service_groups(&self, service: &str) -> Result<Vec<String>, Error> {
        check_service(service)?;
        let kvs = self
            .marker_and_range(&self.keys.service(service), &self.keys.service_prefix(service), true)
            .await?
            .ok_or_else(|| Error::ServiceNotFound { service: service.to_owned() })?;
        Ok(kvs
            .iter()
            .filter_map(|kv| match self.keys.parse_in_service(service, kv.key_str().ok()?) {
                Some(Entry::Group { group }) => Some(group.to_owned()),
                _ => None,
            })
            .collect())
    }

    /// Every registered container of every group of a service, by group (one range read).
    /// Groups without containers are present with an empty list.
    pub async fn get_service_containers(&self, service: &str) -> Result<BTreeMap<String, Vec<ContainerInfo>>, Error> {
        check_service(service)?;
        let kvs = self
            .marker_and_range(&self.keys.service(service), &self.keys.service_prefix(service), false)
            .await?
            .ok_or_else(|| Error::ServiceNotFound { service: service.to_owned() })?;
        let mut groups: BTreeMap<String, Vec<ContainerInfo>> = BTreeMap::new();
        for kv in &kvs {
            let Ok(key) = kv.key_str() else { continue };
            match self.keys.parse_in_service(service, key) {
                Some(Entry::Group { group }) => {
                    groups.entry(group.to_owned()).or_default();
                }
                Some(Entry::ContainerInfo { group, .. }) => {
                    let info: ContainerInfo = Self::decode(key, kv.value())?;
                    groups.entry(group.to_owned()).or_default().push(info);
                }
                _ => {}
            }
        }
        Ok(groups)
    }

    // ---- groups ------------------------------------------------------------------------

    /// Registers a group with its resolved spec, creating the service if needed, in one
    /// transaction. Returns `false` if the group already existed (then nothing is written;
    /// use [`Driver::set_group_config`] to change its config).
    pub async fn create_group(&self, id: &GroupKey, config: &Value) -> Result<bool, Error> {
        let gkey = self.keys.group(id.service(), id.group());
        let txn = Txn::new()
            .when([Compare::version(gkey.as_str(), CompareOp::Equal, 0)])
            .and_then(self.create_group_ops(id, config));
        Ok(self.txn(&gkey, txn).await?.succeeded())
    }

    /// The ops of [`Driver::create_group`] (marker, config, container list, service markers).
    fn create_group_ops(&self, id: &GroupKey, config: &Value) -> Vec<TxnOp> {
        let (service, group) = (id.service(), id.group());
        let marker = GroupMarker { service, group, labels: group.split('.').collect() };
        let mut ops = vec![
            TxnOp::put(self.keys.group(service, group), json(&marker), None),
            TxnOp::put(self.keys.config(service, group), json(config), None),
            TxnOp::put(self.keys.containers(service, group), json(&ContainersMarker { service, group }), None),
        ];
        ops.extend(self.ensure_service_ops(service));
        ops
    }

    /// Removes a group and everything under it in one transaction. Returns whether it existed.
    pub async fn remove_group(&self, id: &GroupKey) -> Result<bool, Error> {
        let (service, group) = (id.service(), id.group());
        let (key, prefix) = (self.keys.group(service, group), self.keys.group_prefix(service, group));
        let resp = self.txn(&key, Txn::new().and_then(Self::subtree_delete_ops(&key, &prefix))).await?;
        Ok(Self::deleted_any(&resp))
    }

    /// Whether the group is registered.
    pub async fn group_exists(&self, id: &GroupKey) -> Result<bool, Error> {
        let (service, group) = (id.service(), id.group());
        self.count(&self.keys.group(service, group)).await
    }

    /// The resolved spec stored for the group.
    pub async fn get_group_config(&self, id: &GroupKey) -> Result<Value, Error> {
        let (service, group) = (id.service(), id.group());
        let key = self.keys.config(service, group);
        match self.get_value(&key).await? {
            Some(value) => Self::decode(&key, &value),
            None => Err(Self::group_not_found(service, group)),
        }
    }

    /// Replaces the group's stored spec; the group must exist.
    pub async fn set_group_config(&self, id: &GroupKey, config: &Value) -> Result<(), Error> {
        let (service, group) = (id.service(), id.group());
        let key = self.keys.config(service, group);
        let txn = Txn::new().when([self.group_exists_cmp(service, group)]).and_then([TxnOp::put(
            key.as_str(),
            json(config),
            None,
        )]);
        if self.txn(&key, txn).await?.succeeded() {
            Ok(())
        } else {
            Err(Self::group_not_found(service, group))
        }
    }

    /// The names (Marathon task ids, sorted) of the group's registered containers (one
    /// keys-only range read).
    pub async fn get_group_container_names(&self, id: &GroupKey) -> Result<Vec<String>, Error> {
        let (service, group) = (id.service(), id.group());
        let kvs = self
            .marker_and_range(&self.keys.group(service, group), &self.keys.containers_prefix(service, group), true)
            .await?
            .ok_or_else(|| Self::group_not_found(service, group))?;
        Ok(kvs
            .iter()
            .filter_map(|kv| match self.keys.parse_in_service(service, kv.key_str().ok()?) {
                Some(Entry::Container { container, .. }) => Some(container.to_owned()),
                _ => None,
            })
            .collect())
    }

    // ---- containers --------------------------------------------------------------------

    /// Whether the container is registered in the group.
    pub async fn container_exists(&self, id: &GroupKey, container: &str) -> Result<bool, Error> {
        let (service, group) = (id.service(), id.group());
        check_container(container)?;
        self.count(&self.keys.container(service, group, container)).await
    }

    /// The container's registration.
    pub async fn get_container_info(&self, id: &GroupKey, container: &str) -> Result<ContainerInfo, Error> {
        let (service, group) = (id.service(), id.group());
        check_container(container)?;
        let key = self.keys.container_info(service, group, container);
        match self.get_value(&key).await? {
            Some(value) => Self::decode(&key, &value),
            None => Err(Error::ContainerNotFound {
                service: service.to_owned(),
                group: group.to_owned(),
                container: container.to_owned(),
            }),
        }
    }

    /// Replaces the info of a registered container (named by `info.instance_name`); the
    /// container must be registered.
    pub async fn set_container_info(&self, id: &GroupKey, info: &ContainerInfo) -> Result<(), Error> {
        let (service, group) = (id.service(), id.group());
        check_container(&info.instance_name)?;
        let name = info.instance_name.as_str();
        let key = self.keys.container_info(service, group, name);
        let txn = Txn::new()
            .when([Compare::version(self.keys.container(service, group, name), CompareOp::Greater, 0)])
            .and_then([TxnOp::put(key.as_str(), json(info), None)]);
        if self.txn(&key, txn).await?.succeeded() {
            Ok(())
        } else {
            Err(Error::ContainerNotFound {
                service: service.to_owned(),
                group: group.to_owned(),
                container: name.to_owned(),
            })
        }
    }

    /// Registers a container (named by `info.instance_name`) in an existing group, in one
    /// transaction guarded by the group marker: a missing group is [`Error::GroupNotFound`],
    /// never a silent create. Registering again overwrites the info (idempotent).
    pub async fn register_container(&self, id: &GroupKey, info: &ContainerInfo) -> Result<(), Error> {
        self.register_containers(id, std::slice::from_ref(info)).await
    }

    /// Deregisters a container (its marker and subtree, one transaction). Idempotent: returns
    /// whether it was registered; a missing group is not an error.
    pub async fn deregister_container(&self, id: &GroupKey, container: &str) -> Result<bool, Error> {
        let (service, group) = (id.service(), id.group());
        check_container(container)?;
        let key = self.keys.container(service, group, container);
        let resp = self.txn(&key, Txn::new().and_then(self.deregister_ops(service, group, container))).await?;
        Ok(Self::deleted_any(&resp))
    }

    /// Deregisters many containers: one keys-only read of the group's registrations, then the
    /// registered ones deleted in transactions of at most [`MAX_TXN_OPS`] operations (not one
    /// round trip per container). Idempotent; a missing group is not an error. Returns the names
    /// that were registered (sorted), so a caller can put exactly those back.
    pub async fn deregister_containers(&self, id: &GroupKey, containers: &[String]) -> Result<Vec<String>, Error> {
        let (service, group) = (id.service(), id.group());
        for c in containers {
            check_container(c)?;
        }
        if containers.is_empty() {
            return Ok(Vec::new());
        }
        let registered: BTreeSet<String> = match self.get_group_container_names(id).await {
            Ok(names) => names.into_iter().collect(),
            Err(Error::GroupNotFound { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let doomed: BTreeSet<&String> = containers.iter().filter(|c| registered.contains(*c)).collect();
        for ops in chunk_ops(doomed.iter().map(|c| self.deregister_ops(service, group, c).to_vec())) {
            self.txn(&self.keys.group(service, group), Txn::new().and_then(ops)).await?;
        }
        Ok(doomed.into_iter().cloned().collect())
    }

    /// Registers many containers in an existing group, [`MAX_TXN_OPS`] operations per
    /// transaction, each guarded by the group marker.
    pub async fn register_containers(&self, id: &GroupKey, infos: &[ContainerInfo]) -> Result<(), Error> {
        let (service, group) = (id.service(), id.group());
        for info in infos {
            check_container(&info.instance_name)?;
        }
        let batches: Vec<Vec<TxnOp>> = chunk_ops(infos.iter().map(|i| self.register_ops(service, group, i).to_vec()));
        for ops in batches {
            let txn = Txn::new().when([self.group_exists_cmp(service, group)]).and_then(ops);
            if !self.txn(&self.keys.group(service, group), txn).await?.succeeded() {
                return Err(Self::group_not_found(service, group));
            }
        }
        Ok(())
    }

    /// Writes one group's registration changes for the command that holds the group's lock
    /// (sync's [`Driver::apply_registrations`] leaves a locked group alone): `put` registers or
    /// rewrites, `delete` deregisters, in as few transactions as [`MAX_TXN_OPS`] allows, each
    /// guarded by the group marker (a group removed meanwhile is [`Error::GroupNotFound`]).
    /// Which containers change is the caller's rule (`rollout::register::diff`).
    pub async fn write_group_change(&self, change: &GroupChange) -> Result<(), Error> {
        let (service, group) = (change.key.service(), change.key.group());
        let names = change.put.iter().map(|i| i.instance_name.as_str()).chain(change.delete.iter().map(String::as_str));
        for name in names {
            check_container(name)?;
        }
        let per_container = change
            .put
            .iter()
            .map(|info| self.register_ops(service, group, info).to_vec())
            .chain(change.delete.iter().map(|name| self.deregister_ops(service, group, name).to_vec()));
        for ops in chunk_ops(per_container) {
            let txn = Txn::new().when([self.group_exists_cmp(service, group)]).and_then(ops);
            if !self.txn(&self.keys.group(service, group), txn).await?.succeeded() {
                return Err(Self::group_not_found(service, group));
            }
        }
        Ok(())
    }

    // ---- locks -------------------------------------------------------------------------

    /// Takes the group's lock for `owner` (recorded, shown to whoever waits), waiting up to
    /// `timeout`. The lock lives on a lease of [`Options::lock_ttl`] kept alive in the
    /// background; it is released by [`GroupLock::release`], on drop, or when the holder
    /// dies and the lease expires. Waiting past `timeout` is [`Error::Locked`] (exit 6).
    pub async fn lock_group(&self, id: &GroupKey, owner: &str, timeout: Duration) -> Result<GroupLock, Error> {
        self.lock_group_with_ttl(id, owner, timeout, self.lock_ttl).await
    }

    /// [`Driver::lock_group`] with a chosen lease TTL (whole seconds, at least 2).
    pub async fn lock_group_with_ttl(
        &self,
        id: &GroupKey,
        owner: &str,
        timeout: Duration,
        ttl: Duration,
    ) -> Result<GroupLock, Error> {
        let (service, group) = (id.service(), id.group());
        lock::acquire(self, service, group, owner, timeout, ttl).await
    }

    /// Who holds the group's lock, if anyone.
    pub async fn group_lock_holder(&self, id: &GroupKey) -> Result<Option<String>, Error> {
        let (service, group) = (id.service(), id.group());
        let key = self.keys.group_lock(service, group);
        Ok(self.get_value(&key).await?.map(|v| lock::holder_of(&v)))
    }
}

/// Packs per-container op lists into transactions of at most [`MAX_TXN_OPS`] ops, never
/// splitting one container's ops.
fn chunk_ops(per_container: impl IntoIterator<Item = Vec<TxnOp>>) -> Vec<Vec<TxnOp>> {
    let mut batches: Vec<Vec<TxnOp>> = Vec::new();
    let mut current: Vec<TxnOp> = Vec::new();
    for ops in per_container {
        if !current.is_empty() && current.len() + ops.len() > MAX_TXN_OPS {
            batches.push(std::mem::take(&mut current));
        }
        current.extend(ops);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let mut o = Options::new(["127.0.0.1:2379"]);
        o.user = Some("root".into());
        o.password = Some(Secret::new("hunter2-secret"));
        let shown = format!("{o:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("***"));
    }

    #[test]
    fn endpoints_get_the_scheme_of_the_tls_setting() {
        let mut o = Options::new(["127.0.0.1:2379", "http://h:1"]);
        assert_eq!(o.urls().unwrap(), ["http://127.0.0.1:2379", "http://h:1"]);
        o.ca = Some("/ca.pem".into());
        assert!(o.urls().is_err(), "http:// with TLS files is refused");
        o.endpoints = vec!["127.0.0.1:2379".into(), "https://h:1/".into()];
        assert_eq!(o.urls().unwrap(), ["https://127.0.0.1:2379", "https://h:1"]);
        assert!(Options::new(Vec::<String>::new()).urls().is_err());
        for bad in ["a b c", "host", "host:port", ":2379", "http://", "http://h", "h:0", "h:70000"] {
            assert!(Options::new([bad]).urls().is_err(), "{bad}");
        }
        for good in ["127.0.0.1:2379", "etcd-1.example:2379", "[::1]:2379", "https://h:1"] {
            assert!(Options::new([good]).urls().is_ok(), "{good}");
        }
    }

    #[test]
    fn logged_endpoints_never_carry_credentials() {
        assert_eq!(without_userinfo("http://root:hunter2@h:2379"), "http://h:2379");
        assert_eq!(without_userinfo("root:hunter2@h:2379"), "h:2379");
        assert_eq!(without_userinfo("127.0.0.1:2379"), "127.0.0.1:2379");
    }

    #[test]
    fn ops_are_chunked_without_splitting_a_container() {
        let per: Vec<Vec<TxnOp>> = (0..100).map(|i| vec![TxnOp::delete(format!("a{i}"), None); 2]).collect();
        let batches = chunk_ops(per);
        assert_eq!(batches.iter().map(Vec::len).collect::<Vec<_>>(), [128, 72]);
        assert!(chunk_ops(Vec::new()).is_empty());
    }

    #[test]
    fn container_info_json_is_snake_case_and_lenient() {
        let info: ContainerInfo =
            serde_json::from_str(r#"{"instance_name":"t1","instance_host":"h","instance_port":31000,"extra":1}"#)
                .unwrap();
        assert_eq!(info.address().as_deref(), Some("h:31000"));
        let back = serde_json::to_value(&info).unwrap();
        assert_eq!(back["port_mappings"], serde_json::json!([]));
        assert_eq!(back["healthy"], false);
    }
}
