//! Benchmark of rolling updates and restarts against the engine's own deployments:
//! `cargo bench --bench theseus -- rollout [ROUNDS] [--poll-interval D]`.
//!
//! Three figures, each timed beside its anchor on fresh engines in the same run (medians of
//! `ROUNDS`, default 5):
//!
//! 1. `update` of 20 instances of `sleep 600` (no health check) in batches of 5 (`--wait 0s
//!    --min-healthy 0s`, with a real etcd) against one `PUT /v2/apps/<id>` of the new definition
//!    with the equivalent `upgradeStrategy` (`minimumHealthCapacity: 1`, `maximumOverCapacity:
//!    0.25`, a surge of 5), timed until the deployment is gone and the 20 new tasks run.
//! 2. The same with HTTP health checks (`python3 -m http.server`, checked every second), timed
//!    until the 20 new tasks are healthy.
//! 3. `restart` of 12 HTTP-checked instances in batches of 3 against `POST
//!    /v2/apps/<id>/restart` with the equivalent `upgradeStrategy` (`minimumHealthCapacity:
//!    0.75`, `maximumOverCapacity: 0`: 3 down at a time, as marathon-deploy sends it), timed
//!    until Marathon's deployment is gone and 12 new tasks are healthy.
//!
//! Then a timeline of one run of each checked leg (from `-o jsonl` and the engine's task times)
//! says where the time goes. Prints `ROW` lines for docs/benchmarks.md; the targets are at most
//! 1.2x for the first figure, against the native time plus one poll interval per batch (an
//! unchecked task counts once seen running that long: the evidence Marathon does not wait for),
//! and 1.0x for the checked ones. Runs the `theseus` binary `cargo
//! bench` builds with the same (optimized) profile, and needs `etcd` and `python3`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};
use theseus::local::Config;

use crate::support::engine::Engine;
use crate::support::etcd::Etcd;
use crate::support::measure::{median, row};
use crate::support::THESEUS;

/// How often the native legs poll the engine: often, so the measurement adds little.
const NATIVE_POLL: Duration = Duration::from_millis(10);
/// How long one leg may take before the benchmark gives up.
const LEG: Duration = Duration::from_secs(180);

/// The group one figure rolls.
#[derive(Debug, Clone, Copy)]
struct Shape {
    instances: u32,
    batch: u32,
    /// HTTP servers behind an HTTP health check, or `sleep 600` without one.
    checked: bool,
}

const UPDATE_SLEEP: Shape = Shape { instances: 20, batch: 5, checked: false };
const UPDATE_HTTP: Shape = Shape { instances: 20, batch: 5, checked: true };
const RESTART_HTTP: Shape = Shape { instances: 12, batch: 3, checked: true };

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

/// Whether a task counts: running, and healthy where the app has checks.
fn up(task: &Value, checked: bool) -> bool {
    let healthy =
        || task["healthCheckResults"].as_array().is_some_and(|r| !r.is_empty() && r.iter().all(|h| h["alive"] == true));
    task["state"] == "TASK_RUNNING" && (!checked || healthy())
}

/// Tasks of `app` up (see [`up`]) and launched at or after its last config change (a task
/// carries the app version it was launched at, which a later scale moves on; ISO times compare
/// as strings) and not in `old`, and all its tasks.
fn current_up(engine: &Engine, app: &str, checked: bool, old: &BTreeSet<String>) -> Result<(usize, usize)> {
    let doc = get(engine, &format!("/v2/apps{app}?embed=app.tasks"))?;
    let app = &doc["app"];
    let config = app["versionInfo"]["lastConfigChangeAt"].as_str().context("no lastConfigChangeAt")?;
    let tasks = app["tasks"].as_array().cloned().unwrap_or_default();
    let current = tasks
        .iter()
        .filter(|t| up(t, checked) && t["version"].as_str().is_some_and(|v| v >= config))
        .filter(|t| t["id"].as_str().is_some_and(|id| !old.contains(id)))
        .count();
    Ok((current, tasks.len()))
}

/// Polls until no deployment runs and `app` runs exactly `n` current tasks, all up.
fn wait_rolled(engine: &Engine, app: &str, n: u32, checked: bool, old: &BTreeSet<String>) -> Result<()> {
    let deadline = Instant::now() + LEG;
    loop {
        if idle(engine)? && current_up(engine, app, checked, old)? == (n as usize, n as usize) {
            return Ok(());
        }
        ensure!(Instant::now() < deadline, "`{app}` did not finish rolling within {LEG:?}");
        std::thread::sleep(NATIVE_POLL);
    }
}

/// The group's spec at `version` (only the environment differs between versions).
fn spec(dir: &Path, shape: Shape, version: u32) -> Result<PathBuf> {
    let n = shape.instances;
    let body = if shape.checked {
        "cmd = \"exec python3 -m http.server $PORT0 --bind $HOST\"\ncpus = 0.01\nmem = 16\nports = [{ name = \"http\" }]\n\
         health = { protocol = \"HTTP\", path = \"/\", port = \"http\", grace = \"10s\", interval = \"1s\", timeout = \"1s\", max_failures = 3 }\n"
    } else {
        "cmd = \"sleep 600\"\ncpus = 0.01\nmem = 1\n"
    };
    let text = format!(
        "namespace = \"bench\"\n[service.svc]\n{body}env = {{ VERSION = \"{version}\" }}\n\
         [[service.svc.group]]\nlabels = [\"g\"]\ninstances = {n}\n"
    );
    let path = dir.join(format!("v{version}-{n}-{}.toml", shape.checked));
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
    cmd.env_remove("RUST_LOG").args(["--marathon", &engine.url(), "--etcd", &etcd.endpoint]);
    cmd
}

/// The `--poll-interval` flag, when the run names one (else the command's default).
fn poll_flag(poll: Option<&str>) -> Vec<&str> {
    poll.map_or_else(Vec::new, |p| vec!["--poll-interval", p])
}

/// One timed run of theseus: its wall time and its `-o jsonl` lines.
struct Run {
    secs: f64,
    lines: Vec<Value>,
    /// The engine after the run, for the timeline.
    engine: Engine,
    /// The tasks before the run.
    old: BTreeSet<String>,
    started: chrono::DateTime<chrono::Utc>,
}

/// A fresh engine and etcd with the group created at v1 (waited until up).
fn created(bin: &Path, dir: &Path, shape: Shape) -> Result<(Engine, Etcd)> {
    let engine = Engine::start_with(Config::default());
    let etcd = Etcd::start();
    let st = theseus(bin, &engine, &etcd)
        .arg("create")
        .arg(spec(dir, shape, 1)?)
        .args(["-q", "--poll-interval", "100ms"])
        .stdout(Stdio::null())
        .status()?;
    ensure!(st.success(), "theseus create failed");
    Ok((engine, etcd))
}

fn task_ids(engine: &Engine) -> Result<BTreeSet<String>> {
    let tasks = get(engine, "/v2/tasks")?;
    Ok(tasks["tasks"].as_array().into_iter().flatten().filter_map(|t| t["id"].as_str().map(str::to_owned)).collect())
}

/// Runs `theseus ARGS -o jsonl` on the group (created first); returns its run.
fn run_theseus(bin: &Path, dir: &Path, shape: Shape, args: &[&str]) -> Result<Run> {
    let (engine, etcd) = created(bin, dir, shape)?;
    let old = task_ids(&engine)?;
    let started = chrono::Utc::now();
    let t = Instant::now();
    let out = theseus(bin, &engine, &etcd).args(args).args(["-o", "jsonl"]).output()?;
    let secs = t.elapsed().as_secs_f64();
    ensure!(out.status.success(), "theseus {args:?} failed: {}: {}", out.status, String::from_utf8_lossy(&out.stderr));
    let lines = String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    drop(etcd);
    Ok(Run { secs, lines, engine, old, started })
}

/// `theseus update` of the group from v1 to v2.
fn bench_update(bin: &Path, dir: &Path, shape: Shape, poll: Option<&str>) -> Result<Run> {
    let v2 = spec(dir, shape, 2)?;
    let v2 = v2.to_str().context("path")?;
    let batch = shape.batch.to_string();
    let mut args = vec!["update", v2, "--batch", &batch, "--wait", "0s", "--min-healthy", "0s"];
    args.extend(poll_flag(poll));
    let run = run_theseus(bin, dir, shape, &args)?;
    // One revision app is left, running its tasks of its version, all up.
    let apps = get(&run.engine, "/v2/apps")?;
    let ids: Vec<&str> = apps["apps"].as_array().into_iter().flatten().filter_map(|a| a["id"].as_str()).collect();
    ensure!(ids.len() == 1, "after the update: {ids:?}");
    ensure!(idle(&run.engine)?, "a deployment still runs after the update");
    let n = shape.instances as usize;
    ensure!(current_up(&run.engine, ids[0], shape.checked, &run.old)? == (n, n), "not all new tasks are up");
    Ok(run)
}

/// `theseus restart` of the group.
fn bench_restart(bin: &Path, dir: &Path, shape: Shape, poll: Option<&str>) -> Result<Run> {
    let batch = shape.batch.to_string();
    let mut args = vec!["restart", "svc", "-l", "g", "--batch", &batch, "--wait", "0s", "--min-healthy", "0s"];
    args.extend(poll_flag(poll));
    let run = run_theseus(bin, dir, shape, &args)?;
    let apps = get(&run.engine, "/v2/apps")?;
    let id = apps["apps"][0]["id"].as_str().context("no app")?.to_owned();
    let n = shape.instances as usize;
    ensure!(current_up(&run.engine, &id, true, &run.old)? == (n, n), "not every task was replaced by a healthy one");
    Ok(run)
}

/// The app definition `theseus render` makes of the group at `version`, as `/native/svc`
/// with `strategy`.
fn native_app(bin: &Path, dir: &Path, shape: Shape, version: u32, strategy: Value) -> Result<Value> {
    let out = Command::new(bin).arg("render").arg(spec(dir, shape, version)?).output()?;
    ensure!(out.status.success(), "theseus render failed");
    let apps: Value = serde_json::from_slice(&out.stdout)?;
    let mut app = apps.as_array().and_then(|a| a.first()).cloned().context("render printed no app")?;
    app["id"] = json!("/native/svc");
    app["upgradeStrategy"] = strategy;
    Ok(app)
}

/// A fresh engine running `/native/svc` at v1, up.
fn native_created(bin: &Path, dir: &Path, shape: Shape, strategy: &Value) -> Result<Engine> {
    let engine = Engine::start_with(Config::default());
    let v1 = native_app(bin, dir, shape, 1, strategy.clone())?;
    let r = engine.call("POST", "/v2/apps", Some(&v1));
    ensure!(r.status == 201, "POST /v2/apps: {} {}", r.status, r.text);
    wait_rolled(&engine, "/native/svc", shape.instances, shape.checked, &BTreeSet::new())?;
    Ok(engine)
}

/// The engine's native deployment of the update: one PUT; returns its time in seconds.
fn native_update(bin: &Path, dir: &Path, shape: Shape) -> Result<f64> {
    let strategy =
        json!({"minimumHealthCapacity": 1, "maximumOverCapacity": f64::from(shape.batch) / f64::from(shape.instances)});
    let engine = native_created(bin, dir, shape, &strategy)?;
    let v2 = native_app(bin, dir, shape, 2, strategy)?;
    let old = task_ids(&engine)?;
    let t = Instant::now();
    let r = engine.call("PUT", "/v2/apps/native/svc", Some(&v2));
    ensure!(r.status == 200, "PUT /v2/apps/native/svc: {} {}", r.status, r.text);
    wait_rolled(&engine, "/native/svc", shape.instances, shape.checked, &old)?;
    Ok(t.elapsed().as_secs_f64())
}

/// The engine's native restart: `POST /v2/apps/native/svc/restart` with `batch` down at a time
/// and no surge; returns its time in seconds.
fn native_restart(bin: &Path, dir: &Path, shape: Shape) -> Result<f64> {
    let down = f64::from(shape.instances - shape.batch) / f64::from(shape.instances);
    let strategy = json!({"minimumHealthCapacity": down, "maximumOverCapacity": 0});
    let engine = native_created(bin, dir, shape, &strategy)?;
    let old = task_ids(&engine)?;
    let t = Instant::now();
    let r = engine.call("POST", "/v2/apps/native/svc/restart", None);
    ensure!(r.status == 200, "POST /v2/apps/native/svc/restart: {} {}", r.status, r.text);
    wait_rolled(&engine, "/native/svc", shape.instances, true, &old)?;
    Ok(t.elapsed().as_secs_f64())
}

fn range(v: &[f64]) -> String {
    let (lo, hi) = v.iter().fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    format!("{lo:.2}-{hi:.2} s")
}

/// Seconds from `start` to an RFC 3339 time.
fn since(start: chrono::DateTime<chrono::Utc>, at: &str) -> Option<f64> {
    let at = chrono::DateTime::parse_from_rfc3339(at).ok()?;
    Some((at.with_timezone(&chrono::Utc) - start).num_milliseconds() as f64 / 1000.0)
}

/// The timeline of one run: per batch, when theseus started it (the kill or scale request),
/// when its new tasks started and first passed their checks on the engine, when the gate saw
/// them healthy, and the next batch's start (registration and journal in between).
fn timeline(run: &Run, what: &str) -> Result<()> {
    let at = |v: &Value| v["time"].as_str().and_then(|t| since(run.started, t));
    let started: Vec<f64> = run.lines.iter().filter(|l| l["event"] == "batch").filter_map(at).collect();
    let healthy: Vec<f64> = run.lines.iter().filter(|l| l["event"] == "healthy").filter_map(at).collect();
    let done = run.lines.iter().find(|l| l["event"] == "result").and_then(at).unwrap_or(run.secs);
    let apps = get(&run.engine, "/v2/apps?embed=apps.tasks")?;
    let mut tasks: Vec<(f64, f64)> = apps["apps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|a| a["tasks"].as_array().cloned().unwrap_or_default())
        .filter(|t| t["id"].as_str().is_some_and(|id| !run.old.contains(id)))
        .filter_map(|t| {
            let s = t["startedAt"].as_str().and_then(|s| since(run.started, s))?;
            let h =
                t["healthCheckResults"][0]["firstSuccess"].as_str().and_then(|s| since(run.started, s)).unwrap_or(s);
            Some((s, h))
        })
        .collect();
    tasks.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("  timeline of one `{what}` (seconds from the command's start; total {:.2} s):", run.secs);
    let size = tasks.len().div_ceil(started.len().max(1)).max(1);
    for (i, s) in started.iter().enumerate() {
        let chunk = tasks.get(i * size..((i + 1) * size).min(tasks.len())).unwrap_or_default();
        let first = chunk.iter().map(|t| t.0).fold(f64::MAX, f64::min);
        let last_start = chunk.iter().map(|t| t.0).fold(f64::MIN, f64::max);
        let last_ok = chunk.iter().map(|t| t.1).fold(f64::MIN, f64::max);
        let gate = healthy.get(i).copied().unwrap_or(f64::NAN);
        let next = started.get(i + 1).copied().unwrap_or(done);
        println!(
            "    batch {}: requested {s:6.2}; new tasks started {first:6.2}-{last_start:6.2}, all checks passed {last_ok:6.2}; \
             gate passed {gate:6.2} (+{:.2} after the last check); next step {next:6.2} (+{:.2}: registration, retirement, journal)",
            i + 1,
            gate - last_ok,
            next - gate,
        );
    }
    Ok(())
}

/// One figure: theseus against its anchor, printed side by side with a ROW line.
struct Figure {
    name: &'static str,
    theseus: Vec<f64>,
    native: Vec<f64>,
    target: f64,
    /// Seconds Theseus spends by design and Marathon does not, added to the anchor before the
    /// target applies: for an app without health checks, one poll interval per batch (a task
    /// counts once seen running that long, src/rollout/stuck.rs `proof_time`). The raw ratio
    /// is printed too.
    allowance: f64,
}

impl Figure {
    fn print(&self, rounds: usize, theseus_label: &str, native_label: &str) {
        let (t, n) = (median(self.theseus.clone()), median(self.native.clone()));
        let ratio = t / (n + self.allowance);
        let allowed = if self.allowance > 0.0 {
            format!(
                "raw ratio {:.2}x; against the anchor plus {:.2} s of evidence (a poll interval per batch of an app \
                 without checks): {ratio:.2}x",
                t / n,
                self.allowance
            )
        } else {
            format!("ratio {ratio:.2}x")
        };
        println!(
            "{}: (median of {rounds}, range)\n  {theseus_label}: {t:.2} s ({})\n  {native_label}: {n:.2} s ({})\n  \
             {allowed} (target at most {:.1}x)",
            self.name,
            range(&self.theseus),
            range(&self.native),
            self.target
        );
        let anchor = if self.allowance > 0.0 {
            format!("{n:.2} s + {:.2} s evidence ({native_label})", self.allowance)
        } else {
            format!("{n:.2} s ({native_label})")
        };
        row(
            self.name,
            &format!("{t:.2} s"),
            &anchor,
            Some(ratio),
            &format!("<= {:.1}x", self.target),
            ratio <= self.target,
        );
    }
}

/// Runs the benchmark; `args`: [ROUNDS] [--poll-interval DURATION].
pub(crate) fn run(args: &[String]) -> Result<()> {
    let poll = args.windows(2).find(|w| w[0] == "--poll-interval").map(|w| w[1].as_str());
    let rounds: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(5).max(1);
    let bin = PathBuf::from(THESEUS);
    let poll_text = poll.unwrap_or("1s (the default)");
    let poll_secs = poll.map_or(Ok(1.0), |p| humantime::parse_duration(p).map(|d| d.as_secs_f64()))?;
    let batches = f64::from(UPDATE_SLEEP.instances / UPDATE_SLEEP.batch);
    let mut sleep = Figure {
        name: "update of 20 `sleep` instances, batches of 5",
        theseus: vec![],
        native: vec![],
        target: 1.2,
        allowance: batches * poll_secs,
    };
    let mut http = Figure {
        name: "update of 20 HTTP-checked instances, batches of 5",
        theseus: vec![],
        native: vec![],
        target: 1.0,
        allowance: 0.0,
    };
    let mut restart = Figure {
        name: "restart of 12 HTTP-checked instances, batches of 3",
        theseus: vec![],
        native: vec![],
        target: 1.0,
        allowance: 0.0,
    };
    let (mut last_update, mut last_restart) = (None, None);
    for _ in 0..rounds {
        let dir = tempfile::tempdir()?;
        sleep.theseus.push(bench_update(&bin, dir.path(), UPDATE_SLEEP, poll)?.secs);
        sleep.native.push(native_update(&bin, dir.path(), UPDATE_SLEEP)?);
        let run = bench_update(&bin, dir.path(), UPDATE_HTTP, poll)?;
        http.theseus.push(run.secs);
        last_update = Some(run);
        http.native.push(native_update(&bin, dir.path(), UPDATE_HTTP)?);
        let run = bench_restart(&bin, dir.path(), RESTART_HTTP, poll)?;
        restart.theseus.push(run.secs);
        last_restart = Some(run);
        restart.native.push(native_restart(&bin, dir.path(), RESTART_HTTP)?);
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("rollout benchmark on the local engine, --poll-interval {poll_text}, load average {}", load.trim());
    let update = "theseus update --batch 5 --wait 0s --min-healthy 0s (with etcd)";
    sleep.print(rounds, update, "one PUT, upgradeStrategy {1, 0.25}");
    http.print(rounds, update, "one PUT, upgradeStrategy {1, 0.25}");
    restart.print(
        rounds,
        "theseus restart --batch 3 --wait 0s --min-healthy 0s (with etcd)",
        "POST /v2/apps/ID/restart, upgradeStrategy {0.75, 0}",
    );
    if let Some(run) = &last_update {
        timeline(run, "update of 20 HTTP-checked instances")?;
    }
    if let Some(run) = &last_restart {
        timeline(run, "restart of 12 HTTP-checked instances")?;
    }
    Ok(())
}
