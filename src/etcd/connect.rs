//! Connecting to etcd: the connection [`Options`] (endpoints, credentials, TLS files,
//! timeouts), their checks, and [`Driver::connect`], which probes etcd once before handing out a
//! [`Driver`].

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use etcd_client::{Certificate, Client, ConnectOptions, GetOptions, Identity};

use super::error::{self, Error};
use super::keys::Keys;
use super::lock::DEFAULT_LOCK_TTL;
use crate::secret::Secret;

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

/// A connection to etcd, bound to one root prefix. Cheap to clone; clones share the
/// connection and the request counter.
#[derive(Clone)]
pub struct Driver {
    pub(super) client: Client,
    pub(super) keys: Keys,
    pub(super) endpoints: String,
    pub(super) request_timeout: Duration,
    pub(super) lock_ttl: Duration,
    pub(super) requests: Arc<AtomicU64>,
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver").field("endpoints", &self.endpoints).field("root", &self.keys.root()).finish()
    }
}

/// Whether an etcd error means the credentials or permissions were refused.
pub(super) fn is_rejection(err: &etcd_client::Error) -> Option<String> {
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
                    Err(err) if urls.len() > 1 && error::failure(&err) != error::Failure::Final => {
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
}
