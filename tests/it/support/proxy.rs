//! A fault-injecting HTTP proxy in front of the local engine: it records every request (method,
//! path, headers) and can answer the next N requests with a chosen status instead of
//! forwarding them, as a Marathon between leaders (503) or a broken proxy (502) would.

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

#[derive(Default)]
struct Shared {
    seen: Vec<Seen>,
    fail_next: u32,
    fail_status: u16,
    /// (method, path prefix, status, body, times left)
    injected: Vec<(String, String, u16, String, u32)>,
}

/// A running proxy; stops on drop.
pub struct Proxy {
    url: String,
    shared: Arc<Mutex<Shared>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    /// A proxy forwarding to `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> Proxy {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let upstream = upstream.trim_end_matches('/').to_owned();
        let state = shared.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                let client = reqwest::Client::new();
                let app =
                    axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                        let (client, upstream, state) = (client.clone(), upstream.clone(), state.clone());
                        async move {
                            let path = uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
                            let fail = {
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
                                    s.injected.iter_mut().find(|r| r.4 > 0 && r.0 == m && path.starts_with(&r.1))
                                {
                                    rule.4 -= 1;
                                    Some((rule.2, rule.3.clone()))
                                } else if s.fail_next > 0 {
                                    s.fail_next -= 1;
                                    Some((s.fail_status, r#"{"message":"injected by the test proxy"}"#.to_owned()))
                                } else {
                                    None
                                }
                            };
                            if let Some((status, body)) = fail {
                                let code = StatusCode::from_u16(status).unwrap();
                                return (code, [("content-type", "application/json")], body).into_response();
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
        Proxy { url, shared, stop: Some(stop_tx), thread: Some(thread) }
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
        self.shared.lock().unwrap().injected.push((method.into(), prefix.into(), status, body.into(), times));
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.shared.lock().unwrap().seen.clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
