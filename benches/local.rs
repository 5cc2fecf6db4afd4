//! Benchmark of the local engine: `cargo bench --bench theseus -- local` (or
//! `scripts/bench-local`).
//!
//! 1. 2,000 Docker apps with 10,000 simulated tasks: median latency of
//!    `GET /v2/apps?embed=apps.tasks` and the engine's peak RSS (VmHWM; the engine runs in this
//!    process, the client only keeps one response at a time).
//! 2. Creating 1,000 apps one request at a time (`POST /v2/apps`): total time.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use theseus::local::{Config, DockerMode, Engine};

fn request(addr: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
        payload.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let status = String::from_utf8_lossy(&raw[9..12]).parse().unwrap_or(0);
    (status, raw)
}

/// Like [`request`], but the body is read and counted, never held: the engine runs in this
/// process, so what the client holds would be counted as the engine's memory.
fn request_counted(addr: &str, path: &str) -> (u16, usize) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\n\r\n").unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let (mut head, mut total) = (Vec::new(), 0);
    loop {
        let n = s.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        if head.len() < 12 {
            head.extend_from_slice(&buf[..n.min(12)]);
        }
        total += n;
    }
    let status = String::from_utf8_lossy(&head[9..12]).parse().unwrap_or(0);
    (status, total)
}

fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

/// A memory figure of this process from /proc/self/status, in MiB.
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn config() -> Config {
    Config {
        agents: 20,
        agent_cpus: 100_000.0,
        agent_mem: 1.0e9,
        agent_disk: 1.0e9,
        agent_ports: (31000, 32000),
        docker: DockerMode::Simulate,
        ..Config::default()
    }
}

fn app(id: &str, instances: u32) -> Value {
    json!({"id": id, "instances": instances, "cpus": 0.01, "mem": 16, "labels": {"theseus.service": "bench", "env": "prod"},
        "container": {"type": "DOCKER", "docker": {"image": "nginx:1.25"}}, "env": {"A": "1"}})
    // No health checks: a simulated Docker task has no process to answer checks, so with one
    // its deployment would never finish.
}

fn wait_idle(addr: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        let (_, raw) = request(addr, "GET", "/v2/deployments", None);
        if raw.ends_with(b"[]") {
            return;
        }
        assert!(Instant::now() < deadline, "deployments did not finish");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs the benchmark (no arguments).
pub(crate) fn run(_args: &[String]) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    // 1. 2,000 apps, 10,000 tasks
    let engine = rt.block_on(async {
        Engine::start(config(), tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()).await.unwrap()
    });
    let addr = engine.addr().to_string();
    let start = Instant::now();
    for g in 0..20 {
        let apps: Vec<Value> = (0..100).map(|i| app(&format!("/bench/g{g}/app{i}"), 5)).collect();
        let (status, raw) =
            request(&addr, "POST", "/v2/groups", Some(&json!({"id": format!("/bench/g{g}"), "apps": apps})));
        assert_eq!(status, 201, "{}", String::from_utf8_lossy(&raw));
    }
    wait_idle(&addr, Duration::from_secs(600));
    println!("setup: 2000 apps / 10000 simulated tasks deployed in {:.2?}", start.elapsed());
    let mut times = Vec::new();
    let mut size = 0;
    let after_setup = (status_mib("VmRSS:"), peak_rss_mib());
    for _ in 0..21 {
        let t = Instant::now();
        let (status, len) = request_counted(&addr, "/v2/apps?embed=apps.tasks");
        times.push(t.elapsed());
        assert_eq!(status, 200);
        size = len;
    }
    let after_gets = peak_rss_mib();
    let (_, raw) = request(&addr, "GET", "/v2/tasks", None);
    // Counted without building a JSON tree: the engine runs in this process, and a tree of
    // 10,000 tasks would be counted as the engine's memory.
    #[derive(serde::Deserialize)]
    struct Tasks {
        tasks: Vec<serde::de::IgnoredAny>,
    }
    let body = &raw[raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4..];
    let tasks = serde_json::from_slice::<Tasks>(body).map_or(0, |t| t.tasks.len());
    drop(raw);
    times.sort();
    println!(
        "GET /v2/apps?embed=apps.tasks: median {:.1} ms (min {:.1}, max {:.1}) over 21 requests; body {:.1} MiB; {tasks} tasks",
        times[10].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[20].as_secs_f64() * 1e3,
        size as f64 / 1048576.0
    );
    let rss = peak_rss_mib();
    println!(
        "engine peak RSS (VmHWM): {rss:.0} MiB (after the set-up: {:.0} MiB resident, {:.0} MiB peak; after the apps requests: {after_gets:.0} MiB peak)",
        after_setup.0, after_setup.1
    );
    let median = times[10].as_secs_f64() * 1e3;
    crate::support::measure::row(
        "engine: GET /v2/apps?embed=apps.tasks, 2,000 apps / 10,000 tasks",
        &format!("{median:.1} ms, {:.1} MiB body", size as f64 / 1048576.0),
        "-",
        None,
        "<= 30 ms",
        median <= 30.0,
    );
    crate::support::measure::row(
        "engine: memory at 2,000 apps / 10,000 tasks",
        &format!("{rss:.0} MiB peak RSS"),
        "-",
        None,
        "<= 100 MiB",
        rss <= 100.0,
    );
    rt.block_on(engine.shutdown());
    // 2. 1,000 creates, one request at a time
    let engine = rt.block_on(async {
        Engine::start(config(), tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()).await.unwrap()
    });
    let addr = engine.addr().to_string();
    let start = Instant::now();
    for i in 0..1000 {
        let (status, _) = request(&addr, "POST", "/v2/apps", Some(&app(&format!("/create/app{i}"), 1)));
        assert_eq!(status, 201);
    }
    let api = start.elapsed();
    wait_idle(&addr, Duration::from_secs(600));
    println!(
        "1000 x POST /v2/apps one at a time: {:.2?} total ({:.2} ms each); all deployments done after {:.2?}",
        api,
        api.as_secs_f64() * 1e3 / 1000.0,
        start.elapsed()
    );
    rt.block_on(engine.shutdown());
    Ok(())
}
