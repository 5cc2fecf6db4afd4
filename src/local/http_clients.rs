//! The engine's outbound HTTP over reqwest, built once per engine: one client for health and
//! readiness checks, and the clients of `fetch` URIs (the Mesos fetcher's `http://`/`https://`).

use std::time::Duration;

use reqwest::redirect::Policy;

use crate::marathon::with_causes;

/// How `https://` fetches follow redirects: at most `curl -L`'s default of 50.
const MAX_REDIRECTS: usize = 50;

/// What the engine sends as `User-Agent`.
const USER_AGENT: &str = "theseus-local";

/// The reqwest clients of one engine (cheap to clone: each client is a handle to a shared pool).
#[derive(Debug, Clone)]
pub(crate) struct HttpClients {
    /// HTTP, HTTPS and readiness checks, as Marathon's checks run (pass = 200–399, M:src/main/scala/mesosphere/marathon/core/health/impl/HealthCheckWorker.scala):
    /// a 3xx is an answer (no redirect is followed), the connection goes straight to the task (no
    /// proxy) and is never reused, and certificates are not verified (Marathon's HTTPS checks
    /// trust every certificate; the engine used `curl -k` before). The per-check timeout is set on
    /// each request.
    checks: reqwest::Client,
    /// `http://` fetches: straight to the server, no redirect followed, 60 s for the whole download.
    fetch_http: reqwest::Client,
    /// `https://` fetches, as `curl -fsSL` did: certificates verified, proxies from the
    /// environment, up to [`MAX_REDIRECTS`] redirects.
    fetch_https: reqwest::Client,
}

impl HttpClients {
    /// Builds the clients (fails only when the TLS backend cannot be set up).
    pub(crate) fn new() -> Result<Self, reqwest::Error> {
        crate::tls::install_crypto_provider();
        let checks = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(Policy::none())
            .no_proxy()
            .pool_max_idle_per_host(0)
            .danger_accept_invalid_certs(true)
            .build()?;
        let fetch_http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()?;
        let fetch_https = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(Policy::limited(MAX_REDIRECTS))
            .connect_timeout(Duration::from_secs(300))
            .build()?;
        Ok(HttpClients { checks, fetch_http, fetch_https })
    }

    /// `GET url` for a check within `timeout`: the status code of the answer. Only the status
    /// line and headers are awaited; the body is not read.
    pub(crate) async fn check_status(&self, url: &str, timeout: Duration) -> Result<u16, String> {
        let response = self.checks.get(url).timeout(timeout).send().await.map_err(|e| {
            if e.is_timeout() {
                format!("timed out after {}s", timeout.as_secs_f64())
            } else {
                with_causes(&e)
            }
        })?;
        Ok(response.status().as_u16())
    }

    /// `GET url` for a readiness check: status, content type and body (as UTF-8), the answer and
    /// the body each within `timeout` (`ReadinessCheckExecutorImpl.akkaHttpGet` and
    /// `akkaResponseToCheckResponse`, M:src/main/scala/mesosphere/marathon/core/readiness/impl/
    /// ReadinessCheckExecutorImpl.scala).
    pub(crate) async fn check_response(&self, url: &str, timeout: Duration) -> Result<(u16, String, String), String> {
        let timed_out = || format!("timed out after {}s", timeout.as_secs_f64());
        let response = self.checks.get(url).timeout(timeout).send().await.map_err(|e| {
            if e.is_timeout() {
                timed_out()
            } else {
                with_causes(&e)
            }
        })?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_owned())
            .unwrap_or_default();
        let bytes = tokio::time::timeout(timeout, response.bytes())
            .await
            .map_err(|_| timed_out())?
            .map_err(|e| with_causes(&e))?;
        Ok((status, content_type, String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// The client for a fetch URI (`http://` or `https://`), or `None` for another scheme.
    pub(crate) fn fetch_client(&self, uri: &str) -> Option<&reqwest::Client> {
        if uri.starts_with("http://") {
            Some(&self.fetch_http)
        } else if uri.starts_with("https://") {
            Some(&self.fetch_https)
        } else {
            None
        }
    }
}

/// Tiny HTTP servers on 127.0.0.1 for the tests of checks and fetches.
#[cfg(test)]
pub(crate) mod testing {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// Serves `response` (raw bytes: status line, headers, body) to every connection, after
    /// reading the request head; returns the port. Stops with the test's runtime.
    pub(crate) async fn serve(response: String) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let response = response.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match conn.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let _ = conn.write_all(response.as_bytes()).await;
                    let _ = conn.shutdown().await;
                });
            }
        });
        port
    }

    /// A response with `status` (e.g. `200 OK`), extra header lines and `body`.
    pub(crate) fn response(status: &str, headers: &str, body: &str) -> String {
        format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n{body}", body.len())
    }

    /// Accepts connections and never answers; returns the port.
    pub(crate) async fn silent() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((conn, _)) = listener.accept().await {
                open.push(conn);
            }
        });
        port
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{response, serve, silent};
    use super::*;

    const T: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn checks_return_the_status_and_do_not_follow_redirects() {
        let http = HttpClients::new().unwrap();
        let ok = serve(response("200 OK", "", "fine")).await;
        let broken = serve(response("500 Internal Server Error", "", "")).await;
        let moved = serve(response("302 Found", &format!("Location: http://127.0.0.1:{broken}/\r\n"), "")).await;
        assert_eq!(http.check_status(&format!("http://127.0.0.1:{ok}/health"), T).await, Ok(200));
        assert_eq!(http.check_status(&format!("http://127.0.0.1:{broken}/"), T).await, Ok(500));
        assert_eq!(http.check_status(&format!("http://127.0.0.1:{moved}/"), T).await, Ok(302));
    }

    #[tokio::test]
    async fn checks_time_out_and_report_refused_connections() {
        let http = HttpClients::new().unwrap();
        let port = silent().await;
        let err = http.check_status(&format!("http://127.0.0.1:{port}/"), Duration::from_millis(200)).await;
        assert_eq!(err, Err("timed out after 0.2s".to_string()));
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let err = http.check_status(&format!("http://127.0.0.1:{closed}/"), T).await.unwrap_err();
        assert!(err.to_lowercase().contains("refused"), "{err}");
    }

    /// `openssl s_server -www` with a fresh self-signed certificate; killed on drop.
    struct TlsServer {
        child: std::process::Child,
        port: u16,
        _dir: tempfile::TempDir,
    }

    impl Drop for TlsServer {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    async fn tls_server() -> TlsServer {
        use std::process::{Command, Stdio};
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
            .args(["-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=localhost"])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl");
        assert!(status.success(), "openssl req failed");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("openssl")
            .args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-cert", "cert.pem", "-key", "key.pem"])
            .args(["-www", "-quiet"])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server");
        let server = TlsServer { child, port, _dir: dir };
        let deadline = std::time::Instant::now() + T;
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(std::time::Instant::now() < deadline, "openssl s_server did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server
    }

    #[tokio::test]
    async fn https_checks_accept_a_self_signed_certificate_but_https_fetches_do_not() {
        let http = HttpClients::new().unwrap();
        let server = tls_server().await;
        let url = format!("https://127.0.0.1:{}/", server.port);
        assert_eq!(http.check_status(&url, T).await, Ok(200));
        let err = http.fetch_client(&url).unwrap().get(&url).send().await.unwrap_err();
        assert!(with_causes(&err).to_lowercase().contains("certificate"), "{}", with_causes(&err));
    }

    #[test]
    fn fetch_clients_by_scheme() {
        let http = HttpClients::new().unwrap();
        assert!(http.fetch_client("http://h/x").is_some());
        assert!(http.fetch_client("https://h/x").is_some());
        assert!(http.fetch_client("ftp://h/x").is_none());
    }
}
