//! A minimal HTTP/1.0 GET over tokio, for health checks, readiness checks and `fetch` URIs on
//! loopback (the engine must not depend on the Marathon client's reqwest).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response: status code and body.
#[derive(Debug)]
pub(crate) struct Response {
    /// Status code.
    pub(crate) status: u16,
    /// Body bytes.
    pub(crate) body: Vec<u8>,
}

/// `GET http://host:port/path` with a deadline for the whole exchange.
pub(crate) async fn get(host: &str, port: u16, path: &str, timeout: Duration) -> Result<Response, String> {
    tokio::time::timeout(timeout, exchange(host, port, path))
        .await
        .map_err(|_| format!("timed out after {}s", timeout.as_secs_f64()))?
}

async fn exchange(host: &str, port: u16, path: &str) -> Result<Response, String> {
    let mut stream = TcpStream::connect((host, port)).await.map_err(|e| format!("connect {host}:{port}: {e}"))?;
    let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    let request =
        format!("GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\nUser-Agent: theseus-local\r\nAccept: */*\r\n\r\n");
    stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.map_err(|e| e.to_string())?;
    parse(&raw)
}

fn parse(raw: &[u8]) -> Result<Response, String> {
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("malformed HTTP response")?;
    let head = String::from_utf8_lossy(&raw[..head_end]);
    let status_line = head.lines().next().unwrap_or_default();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("malformed status line `{status_line}`"))?;
    Ok(Response { status, body: raw[head_end + 4..].to_vec() })
}

/// Splits `http://host[:port]/path` into its parts.
pub(crate) fn split_url(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (authority, 80),
    };
    Some((host.to_string(), port, path.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_and_body() {
        let r = parse(b"HTTP/1.0 204 No Content\r\nX: y\r\n\r\nbody").unwrap();
        assert_eq!(r.status, 204);
        assert_eq!(r.body, b"body");
        assert!(parse(b"garbage").is_err());
    }

    #[test]
    fn splits_urls() {
        assert_eq!(split_url("http://127.0.0.2:8000/a/b").unwrap(), ("127.0.0.2".into(), 8000, "/a/b".into()));
        assert_eq!(split_url("http://h").unwrap(), ("h".into(), 80, "/".into()));
        assert!(split_url("ftp://h").is_none());
    }
}
