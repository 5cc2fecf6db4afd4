//! A fault-injecting HTTP proxy in front of the local engine: it records every request (method,
//! path, headers) and can answer the next N requests with a chosen status instead of
//! forwarding them, as a Marathon between leaders (503) or a broken proxy (502) would. Rules of
//! [`Fault`] act *after* forwarding too: the engine applies the request, then the
//! client gets a late answer, a 502/503, garbage, or a connection that breaks mid-answer;
//! [`Fault::ForwarderFailed`] and [`Fault::Leader`] tell a forwarding non-leader's error page
//! from the leader's own answer by their headers, as Marathon's do.
//!
//! `/v2/events` streams through frame by frame (nothing is buffered), and [`EventFault`] acts on
//! it: drop every event frame (as Marathon drops a slow consumer's events: heartbeats and
//! `event_stream_attached` still pass, so the stream looks alive), answer 503, or accept the
//! request and never answer; [`Proxy::cut_streams`] closes the open streams mid-way.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;

/// One request the proxy saw.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Headers.
    pub headers: Vec<(String, String)>,
}

/// What the proxy does to a request a rule matches.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer this status and body without forwarding.
    Answer(u16, String),
    /// Hold the request this long, then forward it (a slow network before Marathon).
    Hold(Duration),
    /// Forward, then hold the answer this long (a Marathon that applies a change but answers late).
    Delay(Duration),
    /// Forward, then answer this status and body instead (a proxying Marathon whose leader took
    /// the request but did not answer sends 502).
    After(u16, String),
    /// Forward, then answer as a non-leader Marathon whose call to the leader failed after the
    /// leader took the request (its read timeout): `response.sendError(status)`, Jetty's HTML
    /// error page, with neither `X-Marathon-Leader` nor `X-Marathon-Via`
    /// (M:src/main/scala/mesosphere/marathon/api/forwarder/AsyncUrlConnectionRequestForwarder.scala,
    /// `forward`).
    ForwarderFailed(u16),
    /// Answer this status and JSON body without forwarding, as the leader itself does: with
    /// `X-Marathon-Leader` naming it (M:src/main/scala/mesosphere/marathon/api/LeaderProxyFilter.scala,
    /// `doFilter`).
    Leader(u16, String),
    /// Forward, then answer 200 with a body that is not JSON.
    Garbage,
    /// Forward, then break the connection after the status line.
    Drop,
}

/// What the proxy does to `/v2/events`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EventFault {
    /// Stream every frame through.
    #[default]
    Pass,
    /// Stream heartbeats and `event_stream_attached` only: every other event is dropped.
    DropEvents,
    /// Answer 503 (no leader) without forwarding.
    Refuse,
    /// Accept the request and never answer (no status line).
    Hang,
}

#[derive(Default)]
struct Shared {
    seen: Vec<Seen>,
    events: EventFault,
    /// Event frames streamed through, and dropped.
    passed: u64,
    dropped: u64,
    fail_next: u32,
    fail_status: u16,
    /// (method, path prefix, fault, times left)
    rules: Vec<(String, String, Fault, u32)>,
}

/// A running proxy; stops on drop.
pub struct Proxy {
    url: String,
    shared: Arc<Mutex<Shared>>,
    cut: tokio::sync::watch::Sender<u64>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    /// A proxy forwarding to `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> Proxy {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (cut_tx, cut_rx) = tokio::sync::watch::channel(0u64);
        let upstream = upstream.trim_end_matches('/').to_owned();
        let state = shared.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                let client = reqwest::Client::new();
                let cuts = cut_rx;
                let app =
                    axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                        let (client, upstream, state) = (client.clone(), upstream.clone(), state.clone());
                        let cuts = cuts.clone();
                        async move {
                            let path = uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
                            if uri.path() == "/v2/events" {
                                return event_stream(&client, &upstream, &path, &headers, state, cuts).await;
                            }
                            let fault = {
                                let mut s = state.lock().unwrap();
                                s.seen.push(Seen {
                                    method: method.to_string(),
                                    path: path.clone(),
                                    headers: headers
                                        .iter()
                                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                                        .collect(),
                                });
                                let m = method.to_string();
                                if let Some(rule) =
                                    s.rules.iter_mut().find(|r| r.3 > 0 && r.0 == m && path.starts_with(&r.1))
                                {
                                    rule.3 -= 1;
                                    Some(rule.2.clone())
                                } else if s.fail_next > 0 {
                                    s.fail_next -= 1;
                                    let body = r#"{"message":"injected by the test proxy"}"#.to_owned();
                                    Some(Fault::Answer(s.fail_status, body))
                                } else {
                                    None
                                }
                            };
                            if let Some(Fault::Answer(status, body)) = &fault {
                                return json_answer(*status, body.clone());
                            }
                            if let Some(Fault::Leader(status, body)) = &fault {
                                let mut answer = json_answer(*status, body.clone());
                                let leader = axum::http::HeaderValue::from_str(&upstream).unwrap();
                                answer.headers_mut().insert("x-marathon-leader", leader);
                                return answer;
                            }
                            if let Some(Fault::Hold(d)) = &fault {
                                tokio::time::sleep(*d).await;
                            }
                            let mut req = client.request(method, format!("{upstream}{path}")).body(body.to_vec());
                            for (k, v) in &headers {
                                if k != "host" {
                                    req = req.header(k, v);
                                }
                            }
                            let resp = req.send().await.unwrap();
                            let status = resp.status();
                            let mut out_headers = HeaderMap::new();
                            for (k, v) in resp.headers() {
                                if k != "content-length" && k != "transfer-encoding" {
                                    out_headers.insert(k.clone(), v.clone());
                                }
                            }
                            let body = resp.bytes().await.unwrap();
                            match fault {
                                Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
                                Some(Fault::After(status, body)) => return json_answer(status, body),
                                Some(Fault::ForwarderFailed(status)) => return jetty_error(status, &path),
                                Some(Fault::Garbage) => {
                                    return (StatusCode::OK, "<html>garbage</html>").into_response()
                                }
                                Some(Fault::Drop) => {
                                    let broken = futures::stream::once(async {
                                        Err::<Bytes, std::io::Error>(std::io::Error::other("dropped by the test proxy"))
                                    });
                                    return (StatusCode::OK, axum::body::Body::from_stream(broken)).into_response();
                                }
                                _ => {}
                            }
                            (status, out_headers, body).into_response()
                        }
                    });
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
                ready_tx.send(format!("http://{}", listener.local_addr().unwrap())).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stop_rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let url = ready_rx.recv_timeout(Duration::from_secs(10)).expect("proxy started");
        Proxy { url, shared, cut: cut_tx, stop: Some(stop_tx), thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Answer the next `n` requests with `status` instead of forwarding them.
    pub fn fail_next(&self, n: u32, status: u16) {
        let mut s = self.shared.lock().unwrap();
        s.fail_next = n;
        s.fail_status = status;
    }

    /// Answer the next `times` requests of `method` whose path starts with `prefix` with
    /// `status` and `body`.
    pub fn inject(&self, method: &str, prefix: &str, status: u16, body: &str, times: u32) {
        self.fault(method, prefix, Fault::Answer(status, body.into()), times);
    }

    /// Apply `fault` to the next `times` requests of `method` whose path starts with `prefix`.
    pub fn fault(&self, method: &str, prefix: &str, fault: Fault, times: u32) {
        self.shared.lock().unwrap().rules.push((method.into(), prefix.into(), fault, times));
    }

    /// Drop every rule not used up yet.
    pub fn clear(&self) {
        let mut s = self.shared.lock().unwrap();
        s.rules.clear();
        s.fail_next = 0;
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.shared.lock().unwrap().seen.clone()
    }

    /// How many requests of `method` whose path (with its query) starts with `prefix` came.
    pub fn count(&self, method: &str, prefix: &str) -> usize {
        self.shared.lock().unwrap().seen.iter().filter(|s| s.method == method && s.path.starts_with(prefix)).count()
    }

    /// What the proxy does to `/v2/events` from now on (streams already open keep streaming,
    /// but drop their events when told to).
    pub fn events(&self, fault: EventFault) {
        self.shared.lock().unwrap().events = fault;
    }

    /// Closes every open `/v2/events` stream now, as a Marathon that drops its consumer does.
    pub fn cut_streams(&self) {
        self.cut.send_modify(|n| *n += 1);
    }

    /// Event frames streamed through, and dropped, so far (heartbeats not counted).
    pub fn event_frames(&self) -> (u64, u64) {
        let s = self.shared.lock().unwrap();
        (s.passed, s.dropped)
    }
}

/// `/v2/events` through the proxy: forwarded and streamed frame by frame, under the current
/// [`EventFault`]; the stream ends when [`Proxy::cut_streams`] is called.
async fn event_stream(
    client: &reqwest::Client,
    upstream: &str,
    path: &str,
    headers: &HeaderMap,
    state: Arc<Mutex<Shared>>,
    mut cuts: tokio::sync::watch::Receiver<u64>,
) -> axum::response::Response {
    let fault = {
        let mut s = state.lock().unwrap();
        let headers = headers.iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned())).collect();
        s.seen.push(Seen { method: "GET".into(), path: path.to_owned(), headers });
        s.events
    };
    match fault {
        EventFault::Refuse => return json_answer(503, r#"{"message":"no leader (test proxy)"}"#.into()),
        // Until the proxy stops (or the test cuts the streams).
        EventFault::Hang => {
            let _ = cuts.changed().await;
            return json_answer(503, r#"{"message":"stopped hanging (test proxy)"}"#.into());
        }
        EventFault::Pass | EventFault::DropEvents => {}
    }
    let mut req = client.get(format!("{upstream}{path}"));
    for (k, v) in headers {
        if k != "host" {
            req = req.header(k, v);
        }
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return json_answer(502, format!(r#"{{"message":"{e}"}}"#)),
    };
    let status = resp.status();
    let content_type = resp.headers().get("content-type").cloned();
    cuts.borrow_and_update();
    let upstream_body = Box::pin(resp.bytes_stream());
    let frames = futures::stream::unfold(
        (upstream_body, Vec::<u8>::new(), cuts, state),
        |(mut body, mut buf, mut cuts, state)| async move {
            use futures::StreamExt as _;
            loop {
                // A bare CRLF heartbeat at the start of the buffer passes as it is.
                if buf.starts_with(b"\r\n") {
                    buf.drain(..2);
                    return Some((Ok(Bytes::from_static(b"\r\n")), (body, buf, cuts, state)));
                }
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let frame: Vec<u8> = buf.drain(..end + 4).collect();
                    let text = String::from_utf8_lossy(&frame);
                    let kind = text.lines().find_map(|l| l.strip_prefix("event: ")).unwrap_or("").to_owned();
                    let keep = {
                        let mut s = state.lock().unwrap();
                        let keep = kind == "event_stream_attached" || s.events != EventFault::DropEvents;
                        if keep {
                            s.passed += 1;
                        } else {
                            s.dropped += 1;
                        }
                        keep
                    };
                    if keep {
                        return Some((Ok::<Bytes, std::io::Error>(Bytes::from(frame)), (body, buf, cuts, state)));
                    }
                    continue;
                }
                tokio::select! {
                    _ = cuts.changed() => return None,
                    chunk = body.next() => match chunk {
                        Some(Ok(bytes)) => buf.extend_from_slice(&bytes),
                        _ => return None,
                    },
                }
            }
        },
    );
    let mut out = (status, axum::body::Body::from_stream(frames)).into_response();
    if let Some(ct) = content_type {
        out.headers_mut().insert("content-type", ct);
    }
    out
}

fn json_answer(status: u16, body: String) -> axum::response::Response {
    let code = StatusCode::from_u16(status).unwrap();
    (code, [("content-type", "application/json")], body).into_response()
}

/// Jetty's default error page for `sendError(status)` (Marathon installs no error handler of
/// its own), as a forwarding Marathon answers when its call to the leader failed.
fn jetty_error(status: u16, path: &str) -> axum::response::Response {
    let code = StatusCode::from_u16(status).unwrap();
    let reason = code.canonical_reason().unwrap_or("Server Error");
    let page = format!(
        "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n<title>Error {status} {reason}</title>\n</head>\n<body><h2>HTTP ERROR {status}</h2>\n<p>Problem accessing {path}. Reason:\n<pre>    {reason}</pre></p>\n</body>\n</html>\n"
    );
    (code, [("content-type", "text/html;charset=iso-8859-1")], page).into_response()
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // Open event streams (and hanging ones) end first: the graceful shutdown waits for them.
        self.cut_streams();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
