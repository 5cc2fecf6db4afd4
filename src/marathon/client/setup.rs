//! Building a [`Client`] from [`Options`]: the `Authorization` header (an ACS token or basic
//! auth), TLS trust (no roots for plain HTTP, an extra CA), timeouts, and the two reqwest
//! clients (plain requests, and `/v2/events` with redirects followed by hand).

use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use url::Url;

use super::Client;
use crate::marathon::error::Error;
use crate::secret::Secret;

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

impl Options {
    /// A reqwest client builder with these options' `Authorization` header, trust (the extra
    /// CA; no roots at all unless `https`) and connect timeout; the Marathon client and the
    /// Mesos client (`crate::mesos`) are both built from it, so they share auth and TLS.
    pub(crate) fn http_builder(&self, https: bool) -> Result<reqwest::ClientBuilder, Error> {
        let mut headers = HeaderMap::new();
        if let Some(token) = &self.token {
            let mut v = HeaderValue::from_str(&format!("token={}", token.expose()))
                .map_err(|_| Error::Setup("the Marathon token contains characters not allowed in a header".into()))?;
            v.set_sensitive(true);
            headers.insert(AUTHORIZATION, v);
        } else if let Some(user) = &self.user {
            use base64::Engine as _;
            let raw = format!("{user}:{}", self.password.as_ref().map_or("", Secret::expose));
            let mut v =
                HeaderValue::from_str(&format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw)))
                    .map_err(|_| {
                        Error::Setup("the Marathon credentials contain characters not allowed in a header".into())
                    })?;
            v.set_sensitive(true);
            headers.insert(AUTHORIZATION, v);
        }
        let timeout = if self.timeout.is_zero() { Duration::from_secs(10) } else { self.timeout };
        crate::tls::install_crypto_provider();
        // Plain-HTTP Marathon needs no trust roots, and loading the platform's (a file per CA
        // under /etc/ssl/certs) took 20-25 ms of every command's start, per client built.
        let mut builder = reqwest::Client::builder();
        if !https {
            builder = builder.tls_certs_only(std::iter::empty());
        }
        builder = builder
            .default_headers(headers)
            .connect_timeout(timeout)
            .user_agent(concat!("theseus/", env!("CARGO_PKG_VERSION")));
        if let Some(ca) = &self.ca {
            let pem =
                std::fs::read(ca).map_err(|e| Error::Setup(format!("cannot read CA file {}: {e}", ca.display())))?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .map_err(|e| Error::Setup(format!("CA file {} is not a PEM certificate: {e}", ca.display())))?;
            builder = builder.add_root_certificate(cert);
        }
        Ok(builder)
    }
}

impl Client {
    /// Builds a client; fails on a bad CA file or no URL.
    pub fn new(opts: &Options) -> Result<Client, Error> {
        if opts.urls.is_empty() {
            return Err(Error::Setup("no Marathon URL given (--marathon)".into()));
        }
        let timeout = if opts.timeout.is_zero() { Duration::from_secs(10) } else { opts.timeout };
        let https = opts.urls.iter().any(|u| u.scheme() == "https");
        let http = opts.http_builder(https)?.timeout(timeout).build().map_err(|e| Error::Setup(e.to_string()))?;
        let stream_http = opts
            .http_builder(https)?
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Setup(e.to_string()))?;
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
