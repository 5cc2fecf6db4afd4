//! Benchmark of rolling updates: `cargo bench --bench theseus -- rollout` (or
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

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};
use theseus::local::Config;

use crate::support::engine::Engine;
use crate::support::etcd::Etcd;
use crate::support::measure::median;
use crate::support::THESEUS;

const INSTANCES: u32 = 20;
const BATCH: u32 = 5;
/// How often the native leg polls the engine: often, so the measurement adds little.
const NATIVE_POLL: Duration = Duration::from_millis(10);

/// GET `path` from the engine, expecting 200; returns the JSON body.
fn get(engine: &Engine, path: &str) -> Result<Value> {
    let r = engine.call("GET", path, None);
    ensure!(r.status == 200, "GET {path}: {} {}", r.status, r.text);
    Ok(r.json)
}

/// No deployment runs on the engine.
fn idle(engine: &Engine) -> Result<bool> {
    Ok(get(engine, "/v2/deployments")?.as_array().is_some_and(Vec::is_empty))
}

/// Tasks of `app` running its current configuration, and all its tasks. A task carries the
/// app version it was launched at, which a later scale moves on, so it is current when
/// launched at or after `versionInfo.lastConfigChangeAt` (ISO times compare as strings).
fn current_running(engine: &Engine, app: &str) -> Result<(usize, usize)> {
    let doc = get(engine, &format!("/v2/apps{app}"))?;
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
fn wait_rolled(engine: &Engine, app: &str, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if idle(engine)? && current_running(engine, app)? == (INSTANCES as usize, INSTANCES as usize) {
            return Ok(());
        }
        ensure!(Instant::now() < deadline, "`{app}` did not finish rolling within {timeout:?}");
        std::thread::sleep(NATIVE_POLL);
    }
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

fn theseus(bin: &Path, engine: &Engine, etcd: &Etcd) -> Command {
    let mut cmd = Command::new(bin);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("THESEUS_") {
            cmd.env_remove(key);
        }
    }
    cmd.args(["--marathon", &engine.url(), "--etcd", &etcd.endpoint, "-q"]).stdout(Stdio::null());
    cmd
}

/// `theseus update` of the group from v1 to v2; returns its wall time in seconds.
fn bench_theseus(bin: &Path, dir: &Path, poll: &str) -> Result<f64> {
    let engine = Engine::start_with(Config::default());
    let etcd = Etcd::start();
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
    let apps = get(&engine, "/v2/apps")?;
    let ids: Vec<&str> = apps["apps"].as_array().into_iter().flatten().filter_map(|a| a["id"].as_str()).collect();
    ensure!(ids.len() == 1, "after the update: {ids:?}");
    ensure!(idle(&engine)?, "a deployment still runs after the update");
    ensure!(current_running(&engine, ids[0])? == (INSTANCES as usize, INSTANCES as usize), "not all new tasks run");
    Ok(secs)
}

/// The engine's native deployment of the same change: one PUT; returns its time in seconds.
fn bench_native(bin: &Path, dir: &Path) -> Result<f64> {
    let engine = Engine::start_with(Config::default());
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
    let r = engine.call("POST", "/v2/apps", Some(&v1));
    ensure!(r.status == 201, "POST /v2/apps: {} {}", r.status, r.text);
    wait_rolled(&engine, "/native/svc", Duration::from_secs(120))?;
    let t = Instant::now();
    let r = engine.call("PUT", "/v2/apps/native/svc", Some(&v2));
    ensure!(r.status == 200, "PUT /v2/apps/native/svc: {} {}", r.status, r.text);
    wait_rolled(&engine, "/native/svc", Duration::from_secs(120))?;
    Ok(t.elapsed().as_secs_f64())
}

fn range(v: &[f64]) -> String {
    let (lo, hi) = v.iter().fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    format!("{lo:.2}-{hi:.2} s")
}

/// Runs the benchmark; `args`: [ROUNDS] [--poll-interval DURATION].
pub(crate) fn run(args: &[String]) -> Result<()> {
    let poll = args.windows(2).find(|w| w[0] == "--poll-interval").map_or("200ms", |w| w[1].as_str());
    let rounds: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(5).max(1);
    let bin = PathBuf::from(THESEUS);
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
