//! Benchmark of rolling updates (issue 9): `cargo bench --bench rollout` (or
//! `scripts/bench-rollout`).
//!
//! A group of 20 instances of a cheap command app (`sleep 600`, no health check) is rolled to a
//! new revision on the local engine, two ways, each on a fresh engine in the same run:
//!
//! 1. `theseus update --batch 5 --wait 0s --min-healthy 0s` with a real etcd: the wall time of
//!    the whole process (lock, new revision app, four batches of surge, gate, registration in
//!    etcd and retirement, old app deleted, config stored).
//! 2. The engine's own deployment of the same change: one `PUT /v2/apps/<id>` of the new
//!    definition with the equivalent `upgradeStrategy` (`minimumHealthCapacity: 1`, i.e. no
//!    unavailability, `maximumOverCapacity: 0.25`, i.e. a surge of 5), timed until the
//!    deployment is gone from `/v2/deployments` and all 20 tasks of the new version run.
//!
//! Each of `ROUNDS` (default 5) rounds runs both on fresh engines; prints the medians (and
//! ranges), Theseus' orchestration overhead in %, and the target (< 20%). Runs the
//! `theseus` binary `cargo bench` builds with the same (optimized) profile, and needs `etcd`.
//! A `harness = false` target: `cargo test --all-targets` runs this `main` too, without
//! `--bench`, and it then returns at once.
#![allow(clippy::print_stdout)] // a benchmark prints its figures

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};
use theseus::local::{self, Config};

const INSTANCES: u32 = 20;
const BATCH: u32 = 5;
/// How often the native leg polls the engine: often, so the measurement adds little.
const NATIVE_POLL: Duration = Duration::from_millis(10);

/// The `theseus` binary of this build: cargo builds a package's binaries for its benchmarks.
fn theseus_bin() -> Result<PathBuf> {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_theseus"));
    if !bin.exists() {
        bail!("{} not found: run this benchmark with `cargo bench --bench rollout`", bin.display());
    }
    Ok(bin)
}

/// The local engine on its own thread and runtime (real processes, default timings).
struct EngineThread {
    url: String,
    addr: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EngineThread {
    fn start(work_dir: PathBuf) -> Result<Self> {
        let config = Config { work_dir: Some(work_dir), ..Config::default() };
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
            let Ok(rt) = rt else { return };
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else { return };
                let Ok(engine) = local::Engine::start(config, listener).await else { return };
                let _ = tx.send(engine.url());
                let _ = stop_rx.await;
                engine.shutdown().await;
            });
        });
        let url = rx.recv_timeout(Duration::from_secs(20)).context("engine did not start")?;
        let addr = url.trim_start_matches("http://").to_owned();
        Ok(EngineThread { url, addr, stop: Some(stop_tx), thread: Some(thread) })
    }

    /// One HTTP/1.0 request; returns the status and the body as JSON (`Null` if not JSON).
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<(u16, Value)> {
        let mut s = TcpStream::connect(&self.addr)?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        let payload = body.map(Value::to_string).unwrap_or_default();
        write!(
            s,
            "{method} {path} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
            payload.len()
        )?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").context("no HTTP head")?;
        let status = String::from_utf8_lossy(raw.get(9..12).context("short reply")?).parse()?;
        Ok((status, serde_json::from_slice(&raw[split + 4..]).unwrap_or(Value::Null)))
    }

    fn get(&self, path: &str) -> Result<Value> {
        let (status, body) = self.call("GET", path, None)?;
        ensure!(status == 200, "GET {path}: {status} {body}");
        Ok(body)
    }

    fn idle(&self) -> Result<bool> {
        Ok(self.get("/v2/deployments")?.as_array().is_some_and(Vec::is_empty))
    }

    /// Tasks of `app` running its current configuration, and all its tasks. A task carries the
    /// app version it was launched at, which a later scale moves on, so it is current when
    /// launched at or after `versionInfo.lastConfigChangeAt` (ISO times compare as strings).
    fn current_running(&self, app: &str) -> Result<(usize, usize)> {
        let doc = self.get(&format!("/v2/apps{app}"))?;
        let app = &doc["app"];
        let config = app["versionInfo"]["lastConfigChangeAt"].as_str().context("no lastConfigChangeAt")?;
        let tasks = app["tasks"].as_array().cloned().unwrap_or_default();
        let current = tasks
            .iter()
            .filter(|t| t["state"] == "TASK_RUNNING" && t["version"].as_str().is_some_and(|v| v >= config))
            .count();
        Ok((current, tasks.len()))
    }

    /// Polls until no deployment runs and `app` runs exactly `INSTANCES` tasks of its version.
    fn wait_rolled(&self, app: &str, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.idle()? && self.current_running(app)? == (INSTANCES as usize, INSTANCES as usize) {
                return Ok(());
            }
            ensure!(Instant::now() < deadline, "`{app}` did not finish rolling within {timeout:?}");
            std::thread::sleep(NATIVE_POLL);
        }
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
        let (c, p, m) = (free_port()?, free_port()?, free_port()?);
        let peer = format!("http://127.0.0.1:{p}");
        let client = format!("http://127.0.0.1:{c}");
        let child = Command::new("etcd")
            .args(["--name", "b", "--log-level", "error", "--data-dir"])
            .arg(dir.path().join("data"))
            .args(["--listen-client-urls", &client, "--advertise-client-urls", &client])
            .args(["--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &peer])
            .args(["--initial-cluster", &format!("b={peer}")])
            .args(["--listen-metrics-urls", &format!("http://127.0.0.1:{m}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting etcd (apt-get install etcd-server)")?;
        let etcd = Etcd { child, endpoint: format!("127.0.0.1:{c}"), _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if health_ok(m) {
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

/// `GET /health` on etcd's metrics port.
fn health_ok(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
    if s.write_all(b"GET /health HTTP/1.0\r\n\r\n").is_err() {
        return false;
    }
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    body.contains("\"health\":\"true\"")
}

/// The group's spec at `version` (only the environment differs between versions).
fn spec(dir: &Path, version: u32) -> Result<PathBuf> {
    let text = format!(
        "namespace = \"bench\"\n[service.svc]\ncmd = \"sleep 600\"\ncpus = 0.01\nmem = 1\nenv = {{ VERSION = \"{version}\" }}\n\
         [[service.svc.group]]\nlabels = [\"g\"]\ninstances = {INSTANCES}\n"
    );
    let path = dir.join(format!("v{version}.toml"));
    std::fs::write(&path, text)?;
    Ok(path)
}

fn theseus(bin: &Path, engine: &EngineThread, etcd: &Etcd) -> Command {
    let mut cmd = Command::new(bin);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("THESEUS_") {
            cmd.env_remove(key);
        }
    }
    cmd.args(["--marathon", &engine.url, "--etcd", &etcd.endpoint, "-q"]).stdout(Stdio::null());
    cmd
}

/// `theseus update` of the group from v1 to v2; returns its wall time in seconds.
fn bench_theseus(bin: &Path, dir: &Path, poll: &str) -> Result<f64> {
    let engine = EngineThread::start(dir.join("theseus-sandboxes"))?;
    let etcd = Etcd::start()?;
    let st = theseus(bin, &engine, &etcd).arg("create").arg(spec(dir, 1)?).args(["--poll-interval", poll]).status()?;
    ensure!(st.success(), "theseus create failed");
    let v2 = spec(dir, 2)?;
    let t = Instant::now();
    let st = theseus(bin, &engine, &etcd)
        .arg("update")
        .arg(&v2)
        .args(["--batch", &BATCH.to_string(), "--wait", "0s", "--min-healthy", "0s", "--poll-interval", poll])
        .status()?;
    let secs = t.elapsed().as_secs_f64();
    ensure!(st.success(), "theseus update failed: {st}");
    // One revision app is left, running 20 tasks of its version.
    let apps = engine.get("/v2/apps")?;
    let ids: Vec<&str> = apps["apps"].as_array().into_iter().flatten().filter_map(|a| a["id"].as_str()).collect();
    ensure!(ids.len() == 1, "after the update: {ids:?}");
    ensure!(engine.idle()?, "a deployment still runs after the update");
    ensure!(engine.current_running(ids[0])? == (INSTANCES as usize, INSTANCES as usize), "not all new tasks run");
    Ok(secs)
}

/// The engine's native deployment of the same change: one PUT; returns its time in seconds.
fn bench_native(bin: &Path, dir: &Path) -> Result<f64> {
    let engine = EngineThread::start(dir.join("native-sandboxes"))?;
    let render = |version: u32| -> Result<Value> {
        let out = Command::new(bin).arg("render").arg(spec(dir, version)?).output()?;
        ensure!(out.status.success(), "theseus render failed");
        let apps: Value = serde_json::from_slice(&out.stdout)?;
        let mut app = apps.as_array().and_then(|a| a.first()).cloned().context("render printed no app")?;
        app["id"] = json!("/native/svc");
        app["upgradeStrategy"] = json!({"minimumHealthCapacity": 1, "maximumOverCapacity": 0.25});
        Ok(app)
    };
    let (v1, v2) = (render(1)?, render(2)?);
    ensure!(v1["env"] != v2["env"], "the two revisions differ");
    let (status, body) = engine.call("POST", "/v2/apps", Some(&v1))?;
    ensure!(status == 201, "POST /v2/apps: {status} {body}");
    engine.wait_rolled("/native/svc", Duration::from_secs(120))?;
    let t = Instant::now();
    let (status, body) = engine.call("PUT", "/v2/apps/native/svc", Some(&v2))?;
    ensure!(status == 200, "PUT /v2/apps/native/svc: {status} {body}");
    engine.wait_rolled("/native/svc", Duration::from_secs(120))?;
    Ok(t.elapsed().as_secs_f64())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn range(v: &[f64]) -> String {
    let (lo, hi) = v.iter().fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    format!("{lo:.2}-{hi:.2} s")
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("rollout benchmark skipped: run it with `cargo bench --bench rollout`");
        return Ok(());
    }
    // `cargo bench --bench rollout -- [ROUNDS] [--poll-interval DURATION]`
    let poll = args.windows(2).find(|w| w[0] == "--poll-interval").map_or("200ms", |w| w[1].as_str());
    let rounds: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(5).max(1);
    let bin = theseus_bin()?;
    let (mut theseus_secs, mut native_secs) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let dir = tempfile::tempdir()?;
        theseus_secs.push(bench_theseus(&bin, dir.path(), poll)?);
        native_secs.push(bench_native(&bin, dir.path())?);
    }
    let (t, n) = (median(theseus_secs.clone()), median(native_secs.clone()));
    println!(
        "rollout: {INSTANCES} instances of `sleep 600` to a new revision, batches of {BATCH}, no wait, on the local engine \
         (median of {rounds}, range):\n  \
         theseus update --batch {BATCH} --wait 0s --min-healthy 0s --poll-interval {poll} (with etcd): {t:.2} s ({})\n  \
         native deployment, one PUT with upgradeStrategy {{1, 0.25}}:                         {n:.2} s ({})\n  \
         orchestration overhead {:+.0}% (target < 20%)",
        range(&theseus_secs),
        range(&native_secs),
        (t / n - 1.0) * 100.0
    );
    Ok(())
}
