//! `GET /v2/events`: Marathon's Server-Sent Events stream, as a stream of [`Event`]s.
//!
//! What Marathon does, read in its source:
//! - `core/event/impl/stream/HttpEventStreamServlet.scala`: frames `event: <type>` then
//!   `data: <json>`, a blank line between events, `?event_type=a&event_type=b` filters.
//! - `api/LeaderProxyFilter.scala`: a non-leader proxies every request except `/v2/events`,
//!   which it *redirects* to the leader (`sendRedirect`, a 302). The redirect is followed here
//!   by hand (at most [`MAX_REDIRECTS`]) so that credentials go with it.
//! - `core/event/impl/stream/HttpEventStreamHandleActor.scala`: a consumer that falls behind by
//!   more than `maxOutStanding` events is disconnected, and nothing is replayed; events carry
//!   no order. Callers treat events as cache invalidation and re-read state on reconnect.
//! - Jetty's `EventSourceServlet` sends a bare CRLF heartbeat every 10 s, so a stream silent for
//!   longer than the caller's `idle` limit is dead.

use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use reqwest::StatusCode;
use serde_json::Value;

use super::transport::{join, redacted};
use super::Client;

/// How many redirects (leader changes) one connect follows.
const MAX_REDIRECTS: usize = 5;

/// One event: its `event:` type and its `data:` document.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `eventType`, e.g. `status_update_event`.
    pub kind: String,
    /// The JSON document.
    pub data: Value,
}

/// Why the stream could not be opened or stopped.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// No URL answered.
    #[error("cannot reach Marathon's event stream at {urls}: {reason}")]
    Unreachable {
        /// The URLs tried.
        urls: String,
        /// The last error.
        reason: String,
    },
    /// Marathon answered with something other than an event stream.
    #[error("GET {url} answered {status}: {message}")]
    Refused {
        /// The URL (credentials removed).
        url: String,
        /// The HTTP status.
        status: StatusCode,
        /// The start of the body.
        message: String,
    },
    /// The connection broke or went silent.
    #[error("the event stream broke: {0}")]
    Broken(String),
}

type Body = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// An open event stream. [`EventStream::next`] yields events until the connection ends.
pub struct EventStream {
    body: Body,
    buf: Vec<u8>,
    idle: Duration,
    url: String,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream").field("url", &self.url).finish()
    }
}

impl EventStream {
    /// The URL the stream came from (the leader's, after a redirect; no credentials).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The next event; `Ok(None)` when Marathon closed the stream. Nothing received for
    /// longer than the idle limit (heartbeats included) is [`StreamError::Broken`].
    pub async fn next(&mut self) -> Result<Option<Event>, StreamError> {
        loop {
            if let Some(frame) = take_frame(&mut self.buf) {
                match parse_frame(&frame) {
                    Some(event) => return Ok(Some(event)),
                    None => continue, // a heartbeat, a comment, or a frame we cannot read
                }
            }
            match tokio::time::timeout(self.idle, self.body.next()).await {
                Err(_) => {
                    return Err(StreamError::Broken(format!(
                        "nothing received for {}",
                        humantime::format_duration(self.idle)
                    )))
                }
                Ok(None) => return Ok(None),
                Ok(Some(Err(e))) => return Err(StreamError::Broken(e.to_string())),
                Ok(Some(Ok(bytes))) => self.buf.extend(bytes.iter().filter(|b| **b != b'\r')),
            }
        }
    }
}

/// Removes one complete frame (up to a blank line) from the buffer (CRs already dropped).
fn take_frame(buf: &mut Vec<u8>) -> Option<String> {
    let end = buf.windows(2).position(|w| w == b"\n\n")?;
    let frame: Vec<u8> = buf.drain(..end + 2).collect();
    Some(String::from_utf8_lossy(&frame[..end]).into_owned())
}

/// An SSE frame's `event:` and `data:` lines (several data lines join with `\n`).
fn parse_frame(frame: &str) -> Option<Event> {
    let mut kind = None;
    let mut data: Vec<&str> = Vec::new();
    for line in frame.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            kind = Some(v.trim().to_owned());
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    if data.is_empty() {
        return None;
    }
    let data: Value = serde_json::from_str(&data.join("\n")).ok()?;
    let kind = kind.or_else(|| data.get("eventType").and_then(Value::as_str).map(str::to_owned))?;
    Some(Event { kind, data })
}

impl Client {
    /// Opens `/v2/events` with an `event_type` filter (none: every event), trying each URL in
    /// turn and following leader redirects. `idle` bounds the silence between two reads.
    pub async fn events(&self, types: &[&str], idle: Duration) -> Result<EventStream, StreamError> {
        let query: Vec<String> = types
            .iter()
            .map(|t| format!("event_type={}", url::form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>()))
            .collect();
        let path = if query.is_empty() { "/v2/events".to_owned() } else { format!("/v2/events?{}", query.join("&")) };
        let n = self.urls.len();
        let start = self.preferred.load(Ordering::Relaxed);
        let mut last = String::from("no URL given");
        for k in 0..n {
            let idx = (start + k) % n;
            let mut url = join(&self.urls[idx], &path);
            for _ in 0..=MAX_REDIRECTS {
                let resp = match self.stream_http.get(url.as_str()).header("Accept", "text/event-stream").send().await {
                    Ok(r) => r,
                    Err(e) => {
                        tracing::info!(target: "theseus::marathon", "GET {} failed: {e}", redacted(&url));
                        last = e.to_string();
                        break;
                    }
                };
                let status = resp.status();
                tracing::info!(target: "theseus::marathon", "GET {} -> {} (event stream)", redacted(&url), status.as_u16());
                if status.is_redirection() {
                    let next = resp
                        .headers()
                        .get(reqwest::header::LOCATION)
                        .and_then(|l| l.to_str().ok())
                        .and_then(|l| url::Url::parse(&url).ok()?.join(l).ok());
                    match next {
                        Some(next) => {
                            url = next.to_string();
                            continue;
                        }
                        None => {
                            last = format!("{status} without a usable Location header");
                            break;
                        }
                    }
                }
                if status.is_success() {
                    self.preferred.store(idx, Ordering::Relaxed);
                    return Ok(EventStream {
                        body: Box::pin(resp.bytes_stream()),
                        buf: Vec::new(),
                        idle,
                        url: redacted(&url),
                    });
                }
                let body = resp.text().await.unwrap_or_default();
                let refused =
                    StreamError::Refused { url: redacted(&url), status, message: body.chars().take(200).collect() };
                // 502/503: no leader right now; try the next URL. Anything else is final.
                if status == StatusCode::BAD_GATEWAY || status == StatusCode::SERVICE_UNAVAILABLE {
                    last = refused.to_string();
                    break;
                }
                return Err(refused);
            }
        }
        Err(StreamError::Unreachable {
            urls: self.urls.iter().map(|u| redacted(u.as_str())).collect::<Vec<_>>().join(", "),
            reason: last,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_on_blank_lines_and_heartbeats_are_skipped() {
        let mut buf: Vec<u8> =
            b"\n\nevent: status_update_event\ndata: {\"taskId\":\"t1\"}\n\nevent: x\ndata: {".to_vec();
        let first = take_frame(&mut buf).unwrap();
        assert_eq!(parse_frame(&first), None, "a heartbeat");
        let second = take_frame(&mut buf).unwrap();
        let ev = parse_frame(&second).unwrap();
        assert_eq!(ev.kind, "status_update_event");
        assert_eq!(ev.data["taskId"], "t1");
        assert!(take_frame(&mut buf).is_none(), "an incomplete frame waits for more bytes");
        assert_eq!(parse_frame("event: x\ndata: not json"), None);
        let typed = parse_frame("data: {\"eventType\":\"app_terminated_event\"}").unwrap();
        assert_eq!(typed.kind, "app_terminated_event");
    }
}
