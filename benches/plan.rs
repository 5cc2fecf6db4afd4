//! How `theseus plan` grows with the spec: `cargo bench --bench theseus -- plan` (or
//! `scripts/bench plan`).
//!
//! For 10, 100 and 1,000 groups, a spec of one service is rendered (`theseus render`) and a
//! plain static HTTP server (`support::measure::StaticServer`) serves those apps as
//! Marathon's `/v2/apps` answer, with their tasks (2 each, healthy), no deployment and an empty queue.
//! `theseus sync --once` registers those tasks in a fresh etcd, so each plan reads Marathon
//! and every group's registrations and must find nothing pending (`--exit-code` exits 0).
//! The series prints, per size, the requests one plan sends to Marathon (counted by the
//! server) and to etcd (counted by etcd's own `grpc_server_started_total`), both constant
//! whatever the size, and its median time next to `curl` of the same apps answer, so that
//! time per group shows how cost grows.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::etcd::Etcd;
use crate::support::measure::{measure, row, StaticServer};
use anyhow::{bail, Result};
use serde_json::{json, Value};

/// Tasks per group in the served answer.
const TASKS: usize = 2;

/// A spec of `groups` groups of one service (2 instances, a port and a health check each).
fn spec(groups: usize) -> String {
    let mut s = String::from(
        "namespace = \"bench\"\n[service.web]\nimage = \"nginx:1.27\"\ncpus = 0.1\nmem = 64\n\
         ports = [{ name = \"http\", container = 80 }]\nhealth = { path = \"/\", port = \"http\" }\n",
    );
    for g in 0..groups {
        let _ = write!(s, "[[service.web.group]]\nlabels = [\"g{g:04}\", \"prod\"]\ninstances = {TASKS}\n");
    }
    s
}

/// Marathon's `/v2/apps?embed=apps.tasks` answer for the rendered apps, as if deployed.
fn apps_body(rendered: &[u8]) -> Result<Vec<u8>> {
    let apps: Vec<Value> = serde_json::from_slice(rendered)?;
    let apps: Vec<Value> = apps
        .into_iter()
        .map(|mut app| {
            let id = app["id"].as_str().unwrap_or_default().to_owned();
            let tasks: Vec<Value> = (0..TASKS)
                .map(|t| {
                    json!({"id": format!("{}.t{t}", id.trim_start_matches('/').replace('/', "_")), "appId": id,
                        "host": "127.0.0.2", "ports": [31000 + t], "state": "TASK_RUNNING",
                        "startedAt": "2026-01-01T00:00:01.000Z", "version": "2026-01-01T00:00:00.000Z",
                        "healthCheckResults": [{"alive": true, "consecutiveFailures": 0,
                            "firstSuccess": "2026-01-01T00:00:02.000Z", "lastSuccess": "2026-01-01T00:00:02.000Z",
                            "lastFailure": null, "lastFailureCause": null, "instanceId": "i"}]})
                })
                .collect();
            app["tasks"] = Value::Array(tasks);
            app["tasksRunning"] = json!(TASKS);
            app["version"] = json!("2026-01-01T00:00:00.000Z");
            app
        })
        .collect();
    Ok(serde_json::to_vec(&json!({ "apps": apps }))?)
}

/// KV requests etcd has started so far (its `grpc_server_started_total` of `etcdserverpb.KV`,
/// from `/metrics` on the client port): what a plan costs etcd, counted by etcd itself.
fn etcd_requests(endpoint: &str) -> Result<u64> {
    let out = Command::new("curl").args(["-fsS", &format!("http://{endpoint}/metrics")]).output()?;
    if !out.status.success() {
        bail!("cannot read etcd's metrics: {}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8(out.stdout)?;
    Ok(text
        .lines()
        .filter(|l| l.starts_with("grpc_server_started_total{") && l.contains("grpc_service=\"etcdserverpb.KV\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64)
}

/// Runs the benchmark (no arguments).
pub(crate) fn run(_args: &[String]) -> Result<()> {
    let bin = PathBuf::from(crate::support::THESEUS);
    let dir = tempfile::tempdir()?;
    let etcd = Etcd::start();
    println!("plan over a static server and an etcd holding those tasks (`sync --once`); curl of the apps answer is the anchor (medians)");
    let mut series = Vec::new();
    for (groups, runs) in [(10, 15), (100, 11), (1_000, 7)] {
        let path = dir.path().join(format!("spec-{groups}.toml"));
        std::fs::write(&path, spec(groups))?;
        let rendered = Command::new(&bin).arg("render").arg(&path).output()?;
        if !rendered.status.success() {
            bail!("render failed: {}", String::from_utf8_lossy(&rendered.stderr));
        }
        let body = apps_body(&rendered.stdout)?;
        let mb = body.len() as f64 / 1e6;
        let server = StaticServer::start(HashMap::from([
            ("/v2/apps".to_owned(), body),
            ("/v2/deployments".to_owned(), b"[]".to_vec()),
            ("/v2/queue".to_owned(), b"{\"queue\":[]}".to_vec()),
            ("/v2/info".to_owned(), br#"{"name":"marathon","version":"1.11.24"}"#.to_vec()),
        ]))?;
        let (curl_ms, _) =
            measure(Path::new("curl"), &["-fsS", "-o", "/dev/null", &format!("{}/v2/apps", server.url)], runs)?;
        let global = ["--quiet", "--marathon", &server.url, "--etcd", &etcd.endpoint];
        let synced = Command::new(&bin).args(global).args(["sync", "--once"]).output()?;
        if !synced.status.success() {
            bail!("sync --once failed: {}", String::from_utf8_lossy(&synced.stderr));
        }
        let spec_path = path.display().to_string();
        let args = [&global[..], &["plan", "--exit-code", &spec_path]].concat();
        let (marathon_before, etcd_before) = (server.hits(), etcd_requests(&etcd.endpoint)?);
        let (plan_ms, plan_mib) = measure(&bin, &args, runs)?;
        let per_run = |n: u64| n / crate::support::measure::processes(runs);
        let requests =
            (per_run(server.hits() - marathon_before), per_run(etcd_requests(&etcd.endpoint)? - etcd_before));
        // The plan must list every group, in sync: a plan that reads nothing would be fast and
        // wrong (`--exit-code` already made `measure` fail on any pending change).
        let out = Command::new(&bin).args(&args).args(["-o", "json"]).output()?;
        let listed = serde_json::from_slice::<Value>(&out.stdout).ok().and_then(|v| v.as_array().map(Vec::len));
        if listed != Some(groups) {
            bail!("plan listed {listed:?} groups, expected {groups}: {}", String::from_utf8_lossy(&out.stderr));
        }
        println!(
            "  {groups:>5} groups, {mb:>5.2} MB: curl {curl_ms:>6.1} ms | plan {plan_ms:>6.1} ms ({plan_mib:.1} MiB) | requests: {} Marathon, {} etcd | {:.3} ms per group",
            requests.0,
            requests.1,
            plan_ms / groups as f64
        );
        series.push((groups, mb, curl_ms, plan_ms, requests));
    }
    // Constant requests, and time no worse than linear: 10x the groups at most 10x the time
    // (process start makes small plans cost more per group, never less).
    let constant = series.windows(2).all(|w| w[0].4 == w[1].4);
    for w in series.windows(2) {
        let (small, large) = (w[0], w[1]);
        let growth = (large.3 / small.3) / (large.0 as f64 / small.0 as f64);
        row(
            &format!("plan series: {} -> {} groups (requests; time growth per group)", small.0, large.0),
            &format!(
                "{:.1} -> {:.1} ms, {} Marathon + {} etcd requests each",
                small.3, large.3, large.4 .0, large.4 .1
            ),
            &format!("curl {:.1} -> {:.1} ms ({:.2} -> {:.2} MB)", small.2, large.2, small.1, large.1),
            Some(growth),
            "same requests at every size, time at most linear (<= 1.00x)",
            constant && growth <= 1.0,
        );
    }
    Ok(())
}
