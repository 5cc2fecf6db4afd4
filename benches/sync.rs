//! Benchmark of `theseus sync`: `cargo bench --bench theseus -- sync [TASKS GROUPS]` (or
//! `scripts/bench-sync`), against the local engine in-process (simulated Docker tasks, so
//! thousands cost no processes) and real etcd processes it starts itself.
//!
//! 1. Full reconcile of TASKS tasks (default 10,000 in GROUPS = 100 groups) into an empty etcd:
//!    `sync::reconcile::reconcile` end to end (etcd read, one Marathon request for every managed
//!    app with its tasks, the diff, batched transactions). Target < 1 s.
//! 2. Reconcile of the unchanged state, 11 times: median time (target < 300 ms) and the etcd
//!    revision before and after (zero writes).
//! 3. Event to etcd: the follower runs in-process while tasks are killed behind its back
//!    (Marathon replaces them) at a pace of about 200 events/s on the stream for 20 s; for each
//!    replacement task, the time from its `status_update_event` TASK_RUNNING (seen by a
//!    separate stream subscriber in this process) to the PUT of its `info` key (seen by an etcd
//!    watch in this process). Median and p99 (target p99 < 100 ms), beside the latency of a plain
//!    etcd put timed every 20 ms meanwhile: the floor under the tail, since every refresh
//!    waits on one etcd commit (fsync).
//!
//! Each figure is printed with the load average (the machine may be shared) and as a `ROW`
//! line for `scripts/bench` (docs/benchmarks.md).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::engine::{test_config, Engine};
use crate::support::etcd::Etcd;
use serde_json::{json, Value};
use theseus::marathon::{Client, Options};
use theseus::sync::{follow, reconcile};

fn app(group: usize, instances: usize) -> Value {
    json!({
        "id": format!("/bench/svc/g{group:03}/r1"),
        "container": {"type": "DOCKER", "docker": {"image": "nginx:1.27"},
                      "portMappings": [{"containerPort": 80, "hostPort": 0, "name": "http"}]},
        "networks": [{"mode": "container/bridge"}],
        "cpus": 0.001, "mem": 1, "instances": instances,
        "labels": {"theseus.managed": "true", "theseus.service": "svc", "theseus.group": format!("g{group:03}"),
                   "theseus.revision": "r1", format!("theseus.tag.g{group:03}"): ""},
    })
}

fn running(engine: &Engine) -> usize {
    let apps = engine.get("/v2/apps?embed=apps.tasks");
    apps["apps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["tasks"].as_array().cloned().unwrap_or_default())
        .filter(|t| t["state"] == "TASK_RUNNING")
        .count()
}

fn client(engine: &Engine) -> Client {
    Client::new(&Options {
        urls: vec![engine.url().parse().unwrap()],
        timeout: Duration::from_secs(60),
        attempts: 1,
        ..Options::default()
    })
    .unwrap()
}

async fn revision(etcd: &Etcd) -> i64 {
    let mut c = etcd_client::Client::connect([etcd.endpoint.as_str()], None).await.unwrap();
    c.get("/", None).await.unwrap().header().unwrap().revision()
}

/// The machine's load average (`/proc/loadavg`), printed next to each figure: the machine may
/// be shared, and a figure taken at load 10 means little.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn engine_for(tasks: usize) -> Engine {
    let agents = 20;
    let mut config = test_config();
    config.agents = agents;
    config.agent_cpus = 10_000.0;
    config.agent_mem = 10_000_000.0;
    config.agent_ports = (20_000, 20_000 + (tasks as u32 / agents) + 1_000);
    Engine::start_with(config)
}

async fn reconcile_bench(tasks: usize, groups: usize) {
    let per = tasks / groups;
    let engine = engine_for(tasks);
    let apps: Vec<Value> = (0..groups).map(|g| app(g, per)).collect();
    let start = Instant::now();
    assert_eq!(engine.call("PUT", "/v2/apps", Some(&Value::Array(apps))).status, 200);
    engine.wait_for("every task running", Duration::from_secs(600), |e| running(e) == per * groups);
    println!("  (setup: {} tasks running on the engine after {:.1} s)", per * groups, start.elapsed().as_secs_f64());
    let etcd = Etcd::start();
    let driver = etcd.driver().await;
    let client = client(&engine);
    let start = Instant::now();
    let live = reconcile::read_live(&client, None).await.unwrap();
    let read = start.elapsed();
    assert_eq!(live.len(), groups);

    let start = Instant::now();
    let report = reconcile::reconcile(&client, &driver, None).await.unwrap();
    let full = start.elapsed();
    assert_eq!(report.tasks, per * groups);
    assert_eq!(report.changes, per * groups, "every task registered");
    println!(
        "  full reconcile of {} tasks into an empty etcd: {:>7.3} s  ({} transactions; Marathon's one read alone: {:.3} s)  target < 1 s  [load {}]",
        per * groups,
        full.as_secs_f64(),
        report.transactions,
        read.as_secs_f64(),
        load()
    );
    crate::support::measure::row(
        &format!("sync: full reconcile of {} tasks into an empty etcd", per * groups),
        &format!("{:.0} ms, {} txns (load {})", full.as_secs_f64() * 1000.0, report.transactions, load()),
        &format!("Marathon's one read: {:.0} ms", read.as_secs_f64() * 1000.0),
        Some(full.as_secs_f64() / read.as_secs_f64()),
        "< 1 s",
        full < Duration::from_secs(1),
    );

    let before = revision(&etcd).await;
    let mut samples = Vec::new();
    for _ in 0..11 {
        let start = Instant::now();
        let report = reconcile::reconcile(&client, &driver, None).await.unwrap();
        samples.push(start.elapsed());
        assert_eq!((report.changes, report.transactions), (0, 0));
    }
    let after = revision(&etcd).await;
    samples.sort();
    let median = percentile(&samples, 0.5);
    println!(
        "  reconcile of the unchanged state:           {:>7.3} s median ({:.3}-{:.3}), {} etcd writes  target < 300 ms, 0 writes  [load {}]",
        median.as_secs_f64(),
        samples[0].as_secs_f64(),
        samples[samples.len() - 1].as_secs_f64(),
        after - before,
        load()
    );
    crate::support::measure::row(
        &format!("sync: reconcile of the unchanged state, {} tasks", per * groups),
        &format!("{:.0} ms median, {} etcd writes (load {})", median.as_secs_f64() * 1000.0, after - before, load()),
        &format!("Marathon's one read: {:.0} ms", read.as_secs_f64() * 1000.0),
        Some(median.as_secs_f64() / read.as_secs_f64()),
        "< 300 ms, 0 writes",
        median < Duration::from_millis(300) && after == before,
    );
}

async fn latency_bench(rate: f64, secs: u64) {
    let engine = engine_for(1_000);
    let groups = 10;
    let apps: Vec<Value> = (0..groups).map(|g| app(g, 20)).collect();
    assert_eq!(engine.call("PUT", "/v2/apps", Some(&Value::Array(apps))).status, 200);
    engine.wait_for("every task running", Duration::from_secs(120), |e| running(e) == groups * 20);
    let etcd = Etcd::start();
    let driver = etcd.driver().await;
    let client = Arc::new(client(&engine));
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let opts = theseus::sync::Options {
        namespace: None,
        resync: Duration::from_secs(3600),
        lease_ttl: Duration::from_secs(10),
        identity: "bench".into(),
        idle: Duration::from_secs(30),
        max_backoff: Duration::from_secs(1),
    };
    let follower = {
        let (client, driver) = (client.clone(), driver.clone());
        tokio::spawn(async move { follow::follow(&client, &driver, &opts, &stop).await })
    };
    // The follower reconciles on connect: wait until etcd has every task.
    let deadline = Instant::now() + Duration::from_secs(60);
    while driver.registrations().await.unwrap().groups.values().map(|g| g.containers.len()).sum::<usize>() < groups * 20
    {
        assert!(Instant::now() < deadline, "the follower never reconciled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Two observers in this process: Marathon's stream (every event, and when each task ran)
    // and an etcd watch (when each info key was written).
    let running_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let events = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let observer = {
        let (running_at, events) = (running_at.clone(), events.clone());
        let mut stream = client.events(&[], Duration::from_secs(30)).await.unwrap();
        tokio::spawn(async move {
            while let Ok(Some(ev)) = stream.next().await {
                events.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if ev.kind == "status_update_event" && ev.data["taskStatus"] == "TASK_RUNNING" {
                    if let Some(id) = ev.data["taskId"].as_str() {
                        running_at.lock().unwrap().insert(id.to_owned(), Instant::now());
                    }
                }
            }
        })
    };
    let written_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let watcher = {
        let written_at = written_at.clone();
        let mut c = etcd_client::Client::connect([etcd.endpoint.as_str()], None).await.unwrap();
        let mut stream = c.watch("/services/", Some(etcd_client::WatchOptions::new().with_prefix())).await.unwrap();
        tokio::spawn(async move {
            let _keep = c;
            while let Ok(Some(resp)) = stream.message().await {
                let now = Instant::now();
                for e in resp.events() {
                    if e.event_type() != etcd_client::EventType::Put {
                        continue;
                    }
                    let Some(key) = e.kv().and_then(|kv| kv.key_str().ok()) else { continue };
                    if let Some(rest) = key.strip_suffix("/info") {
                        let name = rest.rsplit('/').next().unwrap_or_default().to_owned();
                        written_at.lock().unwrap().entry(name).or_insert(now);
                    }
                }
            }
        })
    };
    // A probe of etcd itself: one small put every 20 ms to a key of its own, timed. Its tail is
    // the floor under sync's (every refresh waits on one etcd commit), so the two side by side
    // tell a slow sync from a slow disk (etcd fsyncs each commit).
    let probing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let probe = {
        let mut c = etcd_client::Client::connect([etcd.endpoint.as_str()], None).await.unwrap();
        let probing = probing.clone();
        tokio::spawn(async move {
            let mut times = Vec::new();
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            while probing.load(std::sync::atomic::Ordering::Relaxed) {
                tick.tick().await;
                let start = Instant::now();
                c.put("/bench-probe", "x", None).await.unwrap();
                times.push(start.elapsed());
            }
            times
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The load: one task killed every `pace` (Marathon replaces each: about 8 events per kill).
    let pace = Duration::from_secs_f64(8.0 / rate);
    let start = Instant::now();
    let first_events = events.load(std::sync::atomic::Ordering::Relaxed);
    let mut tick = tokio::time::interval(pace);
    let mut kills = 0;
    let url = engine.url();
    let http = reqwest::Client::new();
    while start.elapsed() < Duration::from_secs(secs) {
        tick.tick().await;
        let apps: Value =
            http.get(format!("{url}/v2/apps?embed=apps.tasks")).send().await.unwrap().json().await.unwrap();
        let app = &apps["apps"][kills % groups];
        let Some(task) = app["tasks"].as_array().and_then(|t| t.iter().find(|t| t["state"] == "TASK_RUNNING")) else {
            continue;
        };
        let _ = http.post(format!("{url}/v2/tasks/delete")).json(&json!({"ids": [task["id"]]})).send().await.unwrap();
        kills += 1;
    }
    let elapsed = start.elapsed();
    let seen = events.load(std::sync::atomic::Ordering::Relaxed) - first_events;
    probing.store(false, std::sync::atomic::Ordering::Relaxed);
    let mut probe = probe.await.unwrap();
    probe.sort();
    tokio::time::sleep(Duration::from_secs(2)).await; // let the last writes land
    let _ = stop_tx.send(true);
    let _ = follower.await;
    observer.abort();
    watcher.abort();

    let running_at = running_at.lock().unwrap();
    let written_at = written_at.lock().unwrap();
    let mut lat: Vec<Duration> = running_at
        .iter()
        .filter_map(|(id, ran)| written_at.get(id).map(|w| w.saturating_duration_since(*ran)))
        .collect();
    lat.sort();
    assert!(!lat.is_empty(), "no replacement task was seen in both");
    let (median, p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));
    let rate = seen as f64 / elapsed.as_secs_f64();
    println!(
        "  event to etcd under {rate:.0} events/s ({kills} tasks killed and replaced in {:.1} s): median {:>6.1} ms, p99 {:>6.1} ms over {} tasks  target p99 < 100 ms  [load {}]",
        elapsed.as_secs_f64(),
        median.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0,
        lat.len(),
        load()
    );
    println!(
        "  etcd alone meanwhile (a put every 20 ms):    median {:>6.1} ms, p99 {:>6.1} ms, max {:>6.1} ms over {} puts (the floor under sync's tail)",
        percentile(&probe, 0.5).as_secs_f64() * 1000.0,
        percentile(&probe, 0.99).as_secs_f64() * 1000.0,
        probe[probe.len() - 1].as_secs_f64() * 1000.0,
        probe.len()
    );
    crate::support::measure::row(
        &format!("sync: event to etcd under {rate:.0} events/s"),
        &format!(
            "median {:.1} ms, p99 {:.1} ms over {} tasks (load {})",
            median.as_secs_f64() * 1000.0,
            p99.as_secs_f64() * 1000.0,
            lat.len(),
            load()
        ),
        &format!("etcd put alone: p99 {:.1} ms", percentile(&probe, 0.99).as_secs_f64() * 1000.0),
        Some(p99.as_secs_f64() / percentile(&probe, 0.99).as_secs_f64().max(1e-6)),
        "p99 < 100 ms",
        p99 < Duration::from_millis(100),
    );
}

/// Runs the benchmark; `args`: [TASKS [GROUPS]].
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?.block_on(bench(args));
    Ok(())
}

async fn bench(args: &[String]) {
    let args: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let tasks = args.first().copied().unwrap_or(10_000);
    let groups = args.get(1).copied().unwrap_or(100);
    println!("theseus sync benchmark ({tasks} tasks in {groups} groups; local engine, real etcd) [load {}]", load());
    reconcile_bench(tasks, groups).await;
    latency_bench(200.0, 20).await;
}
