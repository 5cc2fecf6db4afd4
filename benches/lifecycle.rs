//! Benchmarks of the lifecycle commands on the local engine: `cargo bench --bench theseus --
//! lifecycle` (or `scripts/bench-lifecycle`).
//!
//! 1. `theseus view` over 2,000 groups with 10,000 (simulated Docker) tasks: median wall time,
//!    peak memory of the `theseus` process, and HTTP requests per view.
//! 2. `theseus create` of 100 one-instance command groups (real processes) against posting the
//!    same rendered apps one by one with curl and polling `/v2/deployments` until it is empty.
//!
//! Runs the `theseus` binary `cargo bench` builds with the same (optimized) profile, and needs
//! `etcd`, `curl` and `/usr/bin/time` on the machine.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use theseus::local::{Config, DockerMode};

use crate::support::engine::Engine;
use crate::support::etcd::Etcd;
use crate::support::measure::median;
use crate::support::{self as support, THESEUS};

/// `curl ARGS`'s stdout as text.
fn curl(args: &[&str]) -> Result<String> {
    Ok(String::from_utf8_lossy(&support::curl(args)?).into_owned())
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
        ..Config::default()
    };
    let engine = Engine::start_with(config);
    let url = engine.url();
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
        &format!("{url}/v2/apps"),
    ])?;
    let deadline = Instant::now() + Duration::from_secs(300);
    while running_tasks(&url)? < 10_000 {
        if Instant::now() > deadline {
            bail!("tasks did not start");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let mut times = Vec::new();
    let mut rss = Vec::new();
    let mut requests = Vec::new();
    for _ in 0..10 {
        let before = engine.requests();
        let t = Instant::now();
        let out = Command::new("/usr/bin/time")
            .args(["-f", "%M"])
            .arg(bin)
            .args(["--marathon", &url, "--namespace", "bench", "view", "-o", "json"])
            .stdout(Stdio::null())
            .output()?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        requests.push(engine.requests() - before);
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
        let engine = Engine::start_with(Config::default());
        let etcd = Etcd::start();
        let spec = spec(dir, "create", body, 100, 1)?;
        let t = Instant::now();
        let st = Command::new(bin)
            .args(["--marathon", &engine.url(), "--etcd", &etcd.endpoint, "-q", "create"])
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
        let engine = Engine::start_with(Config::default());
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
            u = engine.url()
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

/// Runs the benchmark (no arguments).
pub(crate) fn run(_args: &[String]) -> Result<()> {
    let bin = PathBuf::from(THESEUS);
    let dir = tempfile::tempdir()?;
    bench_view(&bin, dir.path())?;
    bench_create(&bin, dir.path())?;
    Ok(())
}
