//! The local engine in-process on 127.0.0.1:0, on its own thread and runtime, so synchronous
//! tests (and the real binary) can talk to it. `Drop` stops it, kills every task process group
//! and fails the test if a request handler or the engine's background work panicked.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use theseus::local::{self, Config, DockerMode};

/// A running engine.
pub struct Engine {
    url: String,
    handle: local::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

/// A window of 1,000 host ports of its own for each engine this test process starts (20
/// windows from 10000 to 29999, below the engine's default 31000-32000 that `theseus local`
/// children use, and below Linux's ephemeral ports). Engines of tests running at once place
/// their tasks on the same loopback addresses and each hands out ports from the start of its
/// range, so with one range two tests' HTTP servers took the same port and one task failed
/// (`Command exited with status 1`), which a test of `lastTaskFailure` then saw.
fn port_window() -> (u32, u32) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let low = 10_000 + (NEXT.fetch_add(1, Ordering::Relaxed) % 20) * 1_000;
    (low, low + 999)
}

/// The configuration tests use: fast offer cycle, short grace, simulated Docker, temp
/// sandboxes, host ports of its own.
pub fn test_config() -> Config {
    Config {
        agent_ports: port_window(),
        offer_interval: Duration::from_millis(20),
        event_heartbeat: Duration::from_millis(500),
        shutdown_grace: Duration::from_millis(500),
        docker: DockerMode::Simulate,
        ..Config::default()
    }
}

/// A task command that ignores SIGTERM (so only the SIGKILL at the end of its kill grace ends
/// it), and says so in its sandbox once it does ([`Engine::wait_stubborn`]).
pub const STUBBORN: &str = "trap '' TERM; touch sigterm-ignored; exec sleep 1000";

/// The file [`STUBBORN`] creates in its sandbox once SIGTERM is ignored.
const SIGTERM_IGNORED: &str = "sigterm-ignored";

impl Engine {
    /// Three agents, test timings.
    pub fn start() -> Engine {
        Engine::start_with(test_config())
    }

    /// A given configuration (its work dir is replaced by a temp dir).
    pub fn start_with(mut config: Config) -> Engine {
        let dir = tempfile::tempdir().expect("temp dir");
        config.work_dir = Some(dir.path().join("sandboxes"));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
                let engine = local::Engine::start(config, listener).await.expect("engine starts");
                ready_tx.send((engine.url(), engine.handle())).expect("report");
                let _ = stop_rx.await;
                engine.shutdown().await;
            });
        });
        let (url, handle) = ready_rx.recv_timeout(Duration::from_secs(20)).expect("engine started");
        Engine { url, handle, stop: Some(stop_tx), thread: Some(thread), _dir: dir }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// HTTP requests the engine has received.
    pub fn requests(&self) -> u64 {
        self.handle.requests()
    }

    /// The engine's inspection handle.
    pub fn handle(&self) -> &local::Handle {
        &self.handle
    }

    /// One request; the body is parsed as JSON when it is JSON (else a string).
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.call_with(method, path, body, &[])
    }

    /// One request with extra headers.
    pub fn call_with(&self, method: &str, path: &str, body: Option<&Value>, headers: &[(&str, &str)]) -> Reply {
        let addr = self.url.trim_start_matches("http://").to_string();
        let mut stream = TcpStream::connect(&addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        let payload = body.map(|b| b.to_string()).unwrap_or_default();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
            payload.len()
        );
        if body.is_some() {
            req.push_str("Content-Type: application/json\r\n");
        }
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(&payload);
        stream.write_all(req.as_bytes()).expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read");
        Reply::parse(&raw)
    }

    /// GET and expect 200; returns the JSON body.
    pub fn get(&self, path: &str) -> Value {
        let r = self.call("GET", path, None);
        assert_eq!(r.status, 200, "GET {path}: {}", r.text);
        r.json
    }

    /// Opens `/v2/events` (with `query`) and returns a reader of its raw bytes.
    pub fn events(&self, query: &str) -> EventReader {
        let addr = self.url.trim_start_matches("http://").to_string();
        let mut stream = TcpStream::connect(&addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
        let req = format!("GET /v2/events{query} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
        stream.write_all(req.as_bytes()).expect("send");
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("head");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        EventReader { reader, head, chunk_left: 0 }
    }

    /// Polls until `f` holds, or panics with `what` after `timeout`.
    pub fn wait_for(&self, what: &str, timeout: Duration, mut f: impl FnMut(&Engine) -> bool) {
        let deadline = Instant::now() + timeout;
        while !f(self) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until no deployment is running.
    pub fn wait_idle(&self, timeout: Duration) {
        self.wait_for("deployments to finish", timeout, |e| {
            e.get("/v2/deployments").as_array().is_some_and(|a| a.is_empty())
        });
    }

    /// Waits until `app` runs `n` tasks of [`STUBBORN`], each past its `trap`: a SIGTERM that
    /// came before the shell ran it would end the task at once (a loaded machine can take a
    /// while to get there), so a test of the kill grace kills only after this.
    pub fn wait_stubborn(&self, app: &str, n: usize) {
        self.wait_for(&format!("{n} tasks of {app} ignoring SIGTERM"), Duration::from_secs(30), |e| {
            let tasks = e.tasks(app);
            tasks.len() == n
                && tasks.iter().all(|t| {
                    let sandbox = t["id"].as_str().and_then(|id| e.handle().task_sandbox(id));
                    t["state"] == "TASK_RUNNING" && sandbox.is_some_and(|s| s.join(SIGTERM_IGNORED).exists())
                })
        });
    }

    /// Tasks of an app.
    pub fn tasks(&self, app: &str) -> Vec<Value> {
        self.get(&format!("/v2/apps{app}/tasks"))["tasks"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.handle.kill_all_tasks();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if !std::thread::panicking() {
            assert_eq!(self.handle.panics(), 0, "a request handler of the local engine panicked");
            assert_eq!(self.handle.failure(), None, "the local engine's background work panicked");
        }
    }
}

/// An HTTP reply.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub text: String,
    /// Body as JSON (`Value::Null` if not JSON).
    pub json: Value,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("HTTP head");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut lines = head.lines();
        let status =
            lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).expect("status");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")) {
            body = dechunk(&body);
        }
        let text = String::from_utf8_lossy(&body).to_string();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, text, json }
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == &name.to_ascii_lowercase()).map(|(_, v)| v.as_str())
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(pos) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&body[..pos]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[pos + 2..pos + 2 + size]);
        body = &body[pos + 2 + size + 2..];
    }
    out
}

/// Reads the raw (de-chunked) bytes of an event stream.
pub struct EventReader {
    reader: BufReader<TcpStream>,
    /// The response head.
    pub head: String,
    chunk_left: usize,
}

impl EventReader {
    /// Reads raw bytes until `stop` says the text so far is enough, or `timeout`.
    pub fn read_until(&mut self, timeout: Duration, stop: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        let mut text = String::new();
        while !stop(&text) {
            assert!(Instant::now() < deadline, "event stream: timed out; got so far:\n{text}");
            if self.chunk_left == 0 {
                let mut size = String::new();
                self.reader.read_line(&mut size).expect("chunk size");
                if size.trim().is_empty() {
                    continue;
                }
                self.chunk_left = usize::from_str_radix(size.trim(), 16).expect("chunk size hex");
                if self.chunk_left == 0 {
                    break;
                }
            }
            let mut buf = vec![0u8; self.chunk_left];
            self.reader.read_exact(&mut buf).expect("chunk");
            self.chunk_left = 0;
            let mut crlf = [0u8; 2];
            self.reader.read_exact(&mut crlf).expect("chunk end");
            text.push_str(&String::from_utf8_lossy(&buf));
        }
        text
    }
}

/// Parses `event: x\r\ndata: {...}\r\n\r\n` frames into (type, JSON) pairs.
pub fn frames(text: &str) -> Vec<(String, Value)> {
    text.split("\r\n\r\n")
        .filter_map(|f| {
            let kind = f.lines().find_map(|l| l.strip_prefix("event: "))?;
            let data = f.lines().find_map(|l| l.strip_prefix("data: "))?;
            Some((kind.to_string(), serde_json::from_str(data).ok()?))
        })
        .collect()
}
