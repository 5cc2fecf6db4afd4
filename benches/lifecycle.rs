//! Benchmarks of the lifecycle commands on the local engine: `cargo bench --bench lifecycle`
//! (or `scripts/bench-lifecycle`).
//!
//! 1. `theseus view` over 2,000 groups with 10,000 (simulated Docker) tasks: median wall time,
//!    peak memory of the `theseus` process, and HTTP requests per view.
//! 2. `theseus create` of 100 one-instance command groups (real processes) against posting the
//!    same rendered apps one by one with curl and polling `/v2/deployments` until it is empty.
//!
//! Runs the `theseus` binary `cargo bench` builds with the same (optimized) profile, and needs
//! `etcd`, `curl` and `/usr/bin/time` on the machine. A `harness = false` target: `cargo test
//! --all-targets` runs this `main` too, without `--bench`, and it then returns at once.
#![allow(clippy::print_stdout)] // a benchmark prints its figures

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use theseus::local::{self, Config, DockerMode};

/// The `theseus` binary of this build: cargo builds a package's binaries for its benchmarks.
fn theseus_bin() -> Result<PathBuf> {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_theseus"));
    if !bin.exists() {
        bail!("{} not found: run this benchmark with `cargo bench --bench lifecycle`", bin.display());
    }
    Ok(bin)
}

/// An engine on its own thread and runtime, with its request counter.
struct EngineThread {
    url: String,
    handle: local::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EngineThread {
    fn start(config: Config) -> Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
            let Ok(rt) = rt else { return };
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else { return };
                let Ok(engine) = local::Engine::start(config, listener).await else { return };
                let _ = tx.send((engine.url(), engine.handle()));
                let _ = stop_rx.await;
                engine.shutdown().await;
            });
        });
        let (url, handle) = rx.recv_timeout(Duration::from_secs(20)).context("engine did not start")?;
        Ok(EngineThread { url, handle, stop: Some(stop_tx), thread: Some(thread) })
    }
}

impl Drop for EngineThread {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A throw-away etcd on free loopback ports.
struct Etcd {
    child: std::process::Child,
    endpoint: String,
    _dir: tempfile::TempDir,
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Etcd {
    fn start() -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let (c, p) = (free_port()?, free_port()?);
        let peer = format!("http://127.0.0.1:{p}");
        let client = format!("http://127.0.0.1:{c}");
        let child = Command::new("etcd")
            .args(["--name", "b", "--log-level", "error", "--data-dir"])
            .arg(dir.path().join("data"))
            .args(["--listen-client-urls", &client, "--advertise-client-urls", &client])
            .args(["--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &peer])
            .args(["--initial-cluster", &format!("b={peer}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting etcd (apt-get install etcd-server)")?;
        let etcd = Etcd { child, endpoint: format!("127.0.0.1:{c}"), _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if curl(&["-fsS", &format!("{client}/health")]).is_ok() {
                return Ok(etcd);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("etcd did not become healthy")
    }
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn curl(args: &[&str]) -> Result<String> {
    let out = Command::new("curl").args(args).output()?;
    if !out.status.success() {
        bail!("curl {args:?} failed");
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn spec(dir: &Path, name: &str, body: &str, groups: usize, instances: u32) -> Result<PathBuf> {
    let mut text = format!("namespace = \"{name}\"\n[service.svc]\n{body}\n");
    for i in 0..groups {
        text.push_str(&format!("[[service.svc.group]]\nlabels = [\"g{i}\"]\ninstances = {instances}\n"));
    }
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text)?;
    Ok(path)
}

fn running_tasks(url: &str) -> Result<u64> {
    let apps: serde_json::Value = serde_json::from_str(&curl(&["-fsS", &format!("{url}/v2/apps")])?)?;
    Ok(apps["apps"].as_array().map_or(0, |a| a.iter().map(|x| x["tasksRunning"].as_u64().unwrap_or(0)).sum()))
}

fn bench_view(bin: &Path, dir: &Path) -> Result<()> {
    let config = Config {
        agents: 20,
        agent_cpus: 100_000.0,
        agent_mem: 10_000_000.0,
        agent_disk: 10_000_000.0,
        docker: DockerMode::Simulate,
        work_dir: Some(dir.join("view-sandboxes")),
        ..Config::default()
    };
    let engine = EngineThread::start(config)?;
    let spec = spec(dir, "bench", "image = \"nginx:1.27\"\ncpus = 0.01\nmem = 1", 2000, 5)?;
    let apps = Command::new(bin).arg("render").arg(&spec).output()?;
    let body = dir.join("apps.json");
    std::fs::write(&body, &apps.stdout)?;
    curl(&[
        "-fsS",
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        &format!("@{}", body.display()),
        &format!("{}/v2/apps", engine.url),
    ])?;
    let deadline = Instant::now() + Duration::from_secs(300);
    while running_tasks(&engine.url)? < 10_000 {
        if Instant::now() > deadline {
            bail!("tasks did not start");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let mut times = Vec::new();
    let mut rss = Vec::new();
    let mut requests = Vec::new();
    for _ in 0..10 {
        let before = engine.handle.requests();
        let t = Instant::now();
        let out = Command::new("/usr/bin/time")
            .args(["-f", "%M"])
            .arg(bin)
            .args(["--marathon", &engine.url, "--namespace", "bench", "view", "-o", "json"])
            .stdout(Stdio::null())
            .output()?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        requests.push(engine.handle.requests() - before);
        let err = String::from_utf8_lossy(&out.stderr);
        rss.push(err.lines().last().and_then(|l| l.trim().parse::<f64>().ok()).unwrap_or(0.0) / 1024.0);
        if !out.status.success() {
            bail!("view failed: {err}");
        }
    }
    println!("view: 2,000 groups, 10,000 tasks: median {:.1} ms (target < 300 ms), peak RSS {:.1} MiB (target < 50 MiB), {} HTTP requests per view",
        median(times), rss.iter().copied().fold(0.0, f64::max), requests[0]);
    Ok(())
}

fn bench_create(bin: &Path, dir: &Path) -> Result<()> {
    let body = "cmd = \"sleep 600\"\ncpus = 0.01\nmem = 1";
    // Theseus: create, wait for healthy, register in etcd.
    let (theseus_secs, curl_secs) = {
        let engine = EngineThread::start(Config { work_dir: Some(dir.join("c1")), ..Config::default() })?;
        let etcd = Etcd::start()?;
        let spec = spec(dir, "create", body, 100, 1)?;
        let t = Instant::now();
        let st = Command::new(bin)
            .args(["--marathon", &engine.url, "--etcd", &etcd.endpoint, "-q", "create"])
            .arg(&spec)
            .args(["--poll-interval", "200ms"])
            .stdout(Stdio::null())
            .status()?;
        let theseus_secs = t.elapsed().as_secs_f64();
        if !st.success() {
            bail!("theseus create failed");
        }
        drop(engine);
        // curl: the same rendered apps posted one by one, then poll /v2/deployments until empty.
        let engine = EngineThread::start(Config { work_dir: Some(dir.join("c2")), ..Config::default() })?;
        let apps: serde_json::Value =
            serde_json::from_slice(&Command::new(bin).arg("render").arg(&spec).output()?.stdout)?;
        let app_dir = dir.join("curl-apps");
        std::fs::create_dir_all(&app_dir)?;
        for (i, app) in apps.as_array().context("render")?.iter().enumerate() {
            std::fs::write(app_dir.join(format!("{i:03}.json")), app.to_string())?;
        }
        let script = format!(
            "for f in {d}/*.json; do curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @$f {u}/v2/apps || exit 1; done; \
             while [ \"$(curl -fsS {u}/v2/deployments)\" != \"[]\" ]; do sleep 0.2; done",
            d = app_dir.display(),
            u = engine.url
        );
        let t = Instant::now();
        let st = Command::new("bash").args(["-c", &script]).status()?;
        let curl_secs = t.elapsed().as_secs_f64();
        if !st.success() {
            bail!("curl loop failed");
        }
        (theseus_secs, curl_secs)
    };
    println!(
        "create: 100 groups x 1 instance: theseus create {theseus_secs:.2} s (waits for health and registers in etcd); curl one by one + poll deployments {curl_secs:.2} s"
    );
    Ok(())
}

fn main() -> Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        println!("lifecycle benchmark skipped: run it with `cargo bench --bench lifecycle`");
        return Ok(());
    }
    let bin = theseus_bin()?;
    let dir = tempfile::tempdir()?;
    bench_view(&bin, dir.path())?;
    bench_create(&bin, dir.path())?;
    Ok(())
}
