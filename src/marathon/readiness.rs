//! The HTTP side of a readiness check as Marathon's leader runs it, for the probes a client
//! runs where no deployment does (`rollout`'s restart gate): one `GET`, no redirect followed,
//! certificates not verified, the status once the whole answer arrived, each part within the
//! check's timeout
//! (M:src/main/scala/mesosphere/marathon/core/readiness/impl/ReadinessCheckExecutorImpl.scala,
//! `akkaHttpGet`, `akkaResponseToCheckResponse`). Here because `marathon/` is where the client
//! side speaks HTTP.

use std::time::Duration;

/// The HTTP client of readiness probes.
#[derive(Debug, Clone)]
pub struct ReadinessHttp {
    http: reqwest::Client,
}

impl ReadinessHttp {
    /// A client that follows no redirect, uses no proxy and accepts any certificate, as
    /// Marathon's readiness checks do; an error only when it cannot be built.
    pub fn new() -> Result<Self, String> {
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .user_agent(concat!("theseus/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .danger_accept_invalid_certs(true)
            .build()
            .map_err(|e| format!("cannot build the readiness-check client: {e}"))?;
        Ok(ReadinessHttp { http })
    }

    /// One `GET` of `url`: its status once the whole answer arrived, the answer and then its
    /// body each within `timeout`; otherwise why not.
    pub async fn status(&self, url: &str, timeout: Duration) -> Result<u16, String> {
        let timed_out = || format!("no answer within {}s", timeout.as_secs());
        let response = self.http.get(url).timeout(timeout).send().await.map_err(|e| {
            if e.is_timeout() {
                timed_out()
            } else {
                match std::error::Error::source(&e) {
                    Some(cause) => format!("{e}: {cause}"),
                    None => e.to_string(),
                }
            }
        })?;
        let status = response.status().as_u16();
        match tokio::time::timeout(timeout, response.bytes()).await {
            Ok(Ok(_)) => Ok(status),
            Ok(Err(e)) => Err(format!("reading the answer: {e}")),
            Err(_) => Err(timed_out()),
        }
    }
}
