//! Benchmark of `theseus view` against its I/O floor: `cargo bench --bench theseus -- view` (or
//! `scripts/bench view`).
//!
//! The local engine deploys 20 groups of 5 simulated Docker tasks; their
//! `GET /v2/apps?embed=apps.tasks` answer is the template, replicated (group names rewritten)
//! into responses of 200, 2,000 and 20,000 apps with 5 tasks each. A plain static HTTP server
//! (`support::measure::StaticServer`) serves each response, and in the same run the benchmark
//! times, as whole processes: `curl` of the apps response (the anchor), `theseus view` as a table and
//! `theseus view -o json`, with their peak RSS and the requests each view sends. Then 10,000
//! containers are registered in etcd and the 2,000-app view is timed again against curl of the
//! same response (the target is 3x curl either way), with the registration counts timed alone
//! and `etcdctl get --prefix --keys-only /services/` printed for scale. `-- view --serve` only starts the servers, for profiling by hand.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::etcd::Etcd;
use crate::support::measure::{measure, row, StaticServer};
use anyhow::{bail, Context, Result};
use serde_json::Value;
use theseus::etcd::ContainerInfo;
use theseus::local::{Config, DockerMode, Engine};
use theseus::names::GroupKey;

const TEMPLATES: usize = 20;
const TASKS_PER_APP: usize = 5;
const APPS_PATH: &str = "/v2/apps?label=theseus.managed%3D%3Dtrue&embed=apps.tasks&embed=apps.lastTaskFailure";

/// The apps of 20 real engine groups (`grp00000`..`grp00019`, 5 running tasks each), as JSON text.
fn templates(bin: &Path, dir: &Path) -> Result<Vec<String>> {
    let mut spec = String::from("namespace = \"bench\"\n[service.svc]\nimage = \"nginx:1.27\"\ncpus = 0.01\nmem = 1\n");
    for g in 0..TEMPLATES {
        spec.push_str(&format!("[[service.svc.group]]\nlabels = [\"grp{g:05}\"]\ninstances = {TASKS_PER_APP}\n"));
    }
    let path = dir.join("templates.toml");
    std::fs::write(&path, spec)?;
    let rendered = Command::new(bin).arg("render").arg(&path).output()?;
    if !rendered.status.success() {
        bail!("render failed: {}", String::from_utf8_lossy(&rendered.stderr));
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let config = Config {
        agents: 20,
        agent_cpus: 100_000.0,
        agent_mem: 1.0e9,
        agent_disk: 1.0e9,
        docker: DockerMode::Simulate,
        work_dir: Some(dir.join("sandboxes")),
        ..Config::default()
    };
    let engine = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        Engine::start(config, listener).await
    })?;
    let url = engine.url();
    let body = dir.join("apps.json");
    std::fs::write(&body, &rendered.stdout)?;
    curl(&[
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        &format!("@{}", body.display()),
        &format!("{url}/v2/apps"),
    ])?;
    let deadline = Instant::now() + Duration::from_secs(120);
    let apps = loop {
        let body: Value = serde_json::from_slice(&curl(&[&format!("{url}{APPS_PATH}")])?)?;
        let apps = body["apps"].as_array().cloned().unwrap_or_default();
        let running = apps.iter().map(|a| a["tasksRunning"].as_u64().unwrap_or(0)).sum::<u64>();
        if apps.len() == TEMPLATES && running == (TEMPLATES * TASKS_PER_APP) as u64 {
            break apps;
        }
        if Instant::now() > deadline {
            bail!("the template tasks did not start");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    rt.block_on(engine.shutdown());
    Ok(apps.iter().map(Value::to_string).collect())
}

fn curl(args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("curl").arg("-fsS").args(args).output()?;
    if !out.status.success() {
        bail!("curl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(out.stdout)
}

/// A `{"apps": [...]}` body of `n` apps: template `i % 20` with its group renamed `grp{i}`.
fn apps_body(templates: &[String], n: usize) -> Vec<u8> {
    let mut body = String::from("{\"apps\":[");
    for i in 0..n {
        if i > 0 {
            body.push(',');
        }
        let k = i % templates.len();
        body.push_str(&templates[k].replace(&format!("grp{k:05}"), &format!("grp{i:05}")));
    }
    body.push_str("]}");
    body.into_bytes()
}

struct Figures {
    bytes: usize,
    curl_ms: f64,
    table_ms: f64,
    table_mib: f64,
    json_ms: f64,
    json_mib: f64,
    requests: u64,
}

/// Registers `apps` groups of 5 containers each in etcd, as `create` would for the benchmark's
/// groups (service `svc`, namespace `bench`), so `view` counts real registrations: each group
/// with the config `create` stores for it (the resolved spec, ~500 bytes here), since the
/// counts read every shown group's config for its namespace. Returns the configs' mean size in
/// bytes.
fn register(etcd: &Etcd, apps: usize) -> Result<usize> {
    let mut text = String::from("namespace = \"bench\"\n[service.svc]\nimage = \"nginx:1.27\"\ncpus = 0.01\nmem = 1\n");
    for i in 0..apps {
        text.push_str(&format!("[[service.svc.group]]\nlabels = [\"grp{i:05}\"]\ninstances = {TASKS_PER_APP}\n"));
    }
    let spec = theseus::spec::parse("bench.toml", &text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let configs: Vec<serde_json::Value> = spec
        .groups
        .iter()
        .map(|g| theseus::rollout::desired(g, &spec.namespace).map(|d| d.config))
        .collect::<Result<_, _>>()?;
    let config_bytes = configs.iter().map(|c| c.to_string().len()).sum::<usize>() / apps.max(1);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        // A shared, loaded machine can stall etcd for seconds: setup waits rather than fails.
        let mut opts = etcd.options();
        opts.request_timeout = Duration::from_secs(60);
        let d = theseus::etcd::Driver::connect(&opts).await?;
        for (i, config) in configs.iter().enumerate() {
            let key = GroupKey::new("svc", format!("grp{i:05}")).map_err(|e| anyhow::anyhow!("{e}"))?;
            d.create_group(&key, config).await?;
            let infos: Vec<ContainerInfo> = (0..TASKS_PER_APP)
                .map(|t| ContainerInfo {
                    instance_name: format!("bench_svc_grp{i:05}.instance-{t}"),
                    instance_host: "127.0.0.2".into(),
                    instance_port: None,
                    port_mappings: Vec::new(),
                    version: "2026-01-01T00:00:00.000Z".into(),
                    healthy: true,
                    started_at: None,
                    canary: false,
                })
                .collect();
            d.register_containers(&key, &infos).await?;
        }
        anyhow::Ok(())
    })?;
    Ok(config_bytes)
}

/// The registration counts of the benchmark's `apps` groups as `view` reads them (the revision,
/// then the count-only transactions), timed alone in this process: the etcd floor of the
/// registered view. Median of `runs` runs after 2 warm-up runs, in ms.
fn time_counts(etcd: &Etcd, apps: usize, runs: usize) -> Result<f64> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let d = theseus::etcd::Driver::connect(&etcd.options()).await?;
        let names: Vec<String> = (0..apps).map(|i| format!("grp{i:05}")).collect();
        let mut times = Vec::with_capacity(runs);
        for run in 0..runs + 2 {
            let started = Instant::now();
            let revision = d.registry_revision().await?.context("nothing registered")?;
            let counts = d.registration_counts(names.iter().map(|n| ("svc", n.as_str())), revision).await?;
            if run >= 2 {
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            let registered: usize = counts.values().map(|c| c.containers).sum();
            if registered != apps * TASKS_PER_APP {
                bail!("counted {registered} containers, expected {}", apps * TASKS_PER_APP);
            }
        }
        Ok(crate::support::measure::median(times))
    })
}

fn bench_size(bin: &Path, etcd: &str, templates: &[String], apps: usize, runs: usize) -> Result<Figures> {
    let body = apps_body(templates, apps);
    let bytes = body.len();
    let bodies = HashMap::from([
        ("/v2/apps".to_owned(), body),
        ("/v2/deployments".to_owned(), b"[]".to_vec()),
        ("/v2/queue".to_owned(), b"{\"queue\":[]}".to_vec()),
    ]);
    let server = StaticServer::start(bodies)?;
    let apps_url = format!("{}{APPS_PATH}", server.url);
    let (curl_ms, _) = measure(Path::new("curl"), &["-fsS", "-o", "/dev/null", &apps_url], runs)?;
    let view = ["--marathon", &server.url, "--etcd", etcd, "--namespace", "bench", "view"];
    let before = server.hits();
    let (table_ms, table_mib) = measure(bin, &view, runs)?;
    let requests = (server.hits() - before) / crate::support::measure::processes(runs);
    let json: Vec<&str> = view.iter().copied().chain(["-o", "json"]).collect();
    let (json_ms, json_mib) = measure(bin, &json, runs)?;
    // The table must list every group: a view that reads nothing would be fast and wrong.
    let out = Command::new(bin).args(json).output()?;
    let groups = serde_json::from_slice::<Value>(&out.stdout)?.as_array().map_or(0, Vec::len);
    if groups != apps {
        bail!("view listed {groups} groups, expected {apps}");
    }
    Ok(Figures { bytes, curl_ms, table_ms, table_mib, json_ms, json_mib, requests })
}

/// `--serve`: the benchmark's servers kept up for profiling `theseus view` by hand (`perf`,
/// `strace`): a static server for each size and an etcd holding the 10,000 registrations, their
/// addresses printed, until stdin closes.
fn serve(templates: &[String]) -> Result<()> {
    let etcd = Etcd::start();
    let empty = Etcd::start();
    register(&etcd, 2_000).context("registering 10,000 containers")?;
    let mut servers = Vec::new();
    for apps in [200, 2_000, 20_000] {
        let bodies = HashMap::from([
            ("/v2/apps".to_owned(), apps_body(templates, apps)),
            ("/v2/deployments".to_owned(), b"[]".to_vec()),
            ("/v2/queue".to_owned(), b"{\"queue\":[]}".to_vec()),
        ]);
        let server = StaticServer::start(bodies)?;
        println!("{apps} apps: --marathon {} (curl {}{APPS_PATH})", server.url, server.url);
        servers.push(server);
    }
    println!("etcd with 10,000 containers registered: --etcd {}; empty: --etcd {}", etcd.endpoint, empty.endpoint);
    println!("serving until stdin closes");
    std::io::copy(&mut std::io::stdin(), &mut std::io::sink())?;
    Ok(())
}

/// Runs the benchmark; `--serve` only starts its servers (see [`serve`]).
pub(crate) fn run(args: &[String]) -> Result<()> {
    let bin = PathBuf::from(crate::support::THESEUS);
    let dir = tempfile::tempdir()?;
    let templates = templates(&bin, dir.path()).context("building the template apps on the local engine")?;
    if args.iter().any(|a| a == "--serve") {
        return serve(&templates);
    }
    // view also counts each shown group's registrations in etcd (count-only reads). The
    // series reads an etcd where nothing is registered (cheap reads); the 2,000-app
    // targets are measured again below with all 10,000 containers registered.
    let etcd = Etcd::start();
    println!("view over a static server; curl of the apps response is the anchor (medians; peak RSS)");
    let mut at_2000 = None;
    for (apps, runs) in [(200, 15), (2_000, 11), (20_000, 3)] {
        let f = bench_size(&bin, &etcd.endpoint, &templates, apps, runs)?;
        let mb = f.bytes as f64 / 1e6;
        println!(
            "  {apps:>6} apps / {:>6} tasks, {mb:>6.1} MB: curl {:>7.1} ms | view {:>7.1} ms ({:>5.1} MiB) | view -o json {:>7.1} ms ({:>5.1} MiB) | {} requests | {:.1} ms/MB (json)",
            apps * TASKS_PER_APP,
            f.curl_ms,
            f.table_ms,
            f.table_mib,
            f.json_ms,
            f.json_mib,
            f.requests,
            f.json_ms / mb
        );
        // The 20,000-app point carries a target of its own: within 5x curl of its response.
        let ratio = f.json_ms / f.curl_ms;
        let (target, holds) = if apps == 20_000 {
            ("3 requests, <= 5x curl", f.requests == 3 && ratio <= 5.0)
        } else {
            ("3 requests at every size", f.requests == 3)
        };
        row(
            &format!("view series: {apps} apps, -o json (requests; ms per MB)"),
            &format!("{:.1} ms, {} requests, {:.1} ms/MB", f.json_ms, f.requests, f.json_ms / mb),
            &format!("curl {:.1} ms ({mb:.1} MB)", f.curl_ms),
            Some(ratio),
            target,
            holds,
        );
        if apps == 2_000 {
            at_2000 = Some(f);
        }
    }
    let empty = at_2000.context("no 2,000-app figures")?;
    let config_bytes = register(&etcd, 2_000).context("registering 10,000 containers")?;
    let f = bench_size(&bin, &etcd.endpoint, &templates, 2_000, 11)?;
    // With containers registered, view also counts them in etcd (count-only transactions for
    // the groups Marathon shows, once it has answered): the target stays 3x curl of the same
    // apps response. Printed beside it: those counts timed alone, and etcdctl's read of the
    // whole registry keys only (etcd reads every key's record for it, as for any range that
    // returns keys).
    let counts_ms = time_counts(&etcd, 2_000, 11)?;
    let keys_only = ["--endpoints", etcd.endpoint.as_str(), "get", "--prefix", "--keys-only", "/services/"];
    let (keys_only_ms, _) = measure(Path::new("etcdctl"), &keys_only, 11)?;
    println!(
        "  2000 apps with 10,000 containers registered in etcd (each group's config {config_bytes} bytes, as create stores it): curl {:.1} ms | view {:.1} ms ({:.1} MiB) | view -o json {:.1} ms ({:.1} MiB)",
        f.curl_ms, f.table_ms, f.table_mib, f.json_ms, f.json_mib
    );
    println!(
        "    etcd: the counts of 2,000 groups alone {counts_ms:.1} ms (in process); etcdctl get --prefix --keys-only /services/ {keys_only_ms:.1} ms"
    );
    let rows = [
        ("table, nothing registered", &empty, empty.table_ms, empty.table_mib),
        ("-o json, nothing registered", &empty, empty.json_ms, empty.json_mib),
        ("table, 10,000 containers registered", &f, f.table_ms, f.table_mib),
        ("-o json, 10,000 containers registered", &f, f.json_ms, f.json_mib),
    ];
    for (what, anchor, ms, mib) in rows {
        let ratio = ms / anchor.curl_ms;
        row(
            &format!("view {what}, 2,000 apps / 10,000 tasks"),
            &format!("{ms:.1} ms, {mib:.1} MiB"),
            &format!("curl {:.1} ms", anchor.curl_ms),
            Some(ratio),
            "<= 3x curl, <= 32 MiB",
            ratio <= 3.0 && mib <= 32.0,
        );
    }
    Ok(())
}
