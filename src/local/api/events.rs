//! `GET /v2/events`: Server-Sent Events as Jetty's EventSourceServlet sends them
//! (M:src/main/scala/mesosphere/marathon/core/event/impl/stream/HttpEventStreamServlet.scala):
//! `Accept: text/event-stream` or 405, CRLF frames, heartbeats, `event_type` filter.
//!
//! A stream subscribes to the bus, then publishes `event_stream_attached` on it, and
//! `event_stream_detached` when it ends, as Marathon's handle actor does in `preStart` and
//! `postStop` (M:src/main/scala/mesosphere/marathon/core/event/impl/stream/HttpEventStreamHandleActor.scala):
//! so a new stream's first event is its own attach, and every other stream hears of it too.
//! A consumer that falls behind the bus's buffer loses the events it missed and nothing is
//! replayed (Marathon drops its connection instead; either way the events are gone).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, StreamExt};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::local::events::Bus;
use crate::local::Shared;

use super::{ApiError, ApiResult, Params};

fn frame(kind: &str, data: &str) -> Bytes {
    Bytes::from(format!("event: {kind}\r\ndata: {data}\r\n\r\n"))
}

/// Publishes `event_stream_detached` when its stream ends (the client went away, or the
/// engine stops): Marathon's handle actor does so in `postStop`.
struct Detach {
    bus: Bus,
    remote: String,
}

impl Drop for Detach {
    fn drop(&mut self) {
        self.bus.emit("event_stream_detached", json!({ "remoteAddress": self.remote }));
    }
}

/// The event stream.
pub(crate) async fn stream(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult {
    let accepts = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.split(',').any(|p| p.trim().starts_with("text/event-stream")));
    if !accepts {
        return Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, super::METHOD_NOT_ALLOWED));
    }
    let filter: Vec<String> = Params::from_uri(&uri).all("event_type").into_iter().map(str::to_string).collect();
    let wanted = move |kind: &str| filter.is_empty() || filter.iter().any(|f| f == kind);
    let rx = shared.bus.subscribe();
    let remote = peer.ip().to_string();
    shared.bus.emit("event_stream_attached", json!({ "remoteAddress": remote }));
    let detach = Detach { bus: shared.bus.clone(), remote };
    let heartbeat = shared.config.event_heartbeat;
    let stop = shared.stop_signal();
    let state = (rx, stop, tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat), detach);
    let events = stream::unfold(state, move |(mut rx, mut stop, mut tick, detach)| {
        let wanted = wanted.clone();
        async move {
            loop {
                tokio::select! {
                    _ = stop.changed() => return None,
                    _ = tick.tick() => return Some((Bytes::from_static(b"\r\n"), (rx, stop, tick, detach))),
                    msg = rx.recv() => match msg {
                        Ok(ev) if wanted(&ev.kind) => return Some((frame(&ev.kind, &ev.data), (rx, stop, tick, detach))),
                        Ok(_) | Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    },
                }
            }
        }
    });
    let body = events.map(Ok::<_, std::convert::Infallible>);
    let resp: Response = (
        [
            (header::CONTENT_TYPE, "text/event-stream;charset=UTF-8"),
            (header::CONNECTION, "close"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(body),
    )
        .into_response();
    Ok(resp)
}
