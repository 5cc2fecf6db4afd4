//! A steady load of task events for `theseus sync` and the observers that time each change
//! from Marathon's event to etcd: the in-process "event to etcd" figure of `cargo bench --bench
//! theseus -- sync` (benches/sync.rs) and the sync soak ([`super::soak`]) run on it.
//!
//! The load: groups of simulated Docker tasks on the local engine, one task killed at a steady
//! pace (`POST /v2/tasks/delete` without `scale`: Marathon replaces it, about
//! [`EVENTS_PER_KILL`] events on `/v2/events` per kill). A replacement task going
//! `TASK_RUNNING` must appear in etcd, a killed one must leave it: the two latencies measured.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use theseus::marathon::{Client, Options};

use super::engine::{test_config, Engine};

/// About how many events one kill puts on `/v2/events`: the kill's status updates and instance
/// change, then the replacement's staging, starting and running, with their instance changes.
pub const EVENTS_PER_KILL: f64 = 8.0;

/// A managed app of `instances` simulated Docker tasks: group `gNNN` of service `svc` in
/// namespace `bench`, one host port each.
pub fn app(group: usize, instances: usize) -> Value {
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

/// Tasks the engine reports `TASK_RUNNING`, over every app.
pub fn running(engine: &Engine) -> usize {
    let apps = engine.get("/v2/apps?embed=apps.tasks");
    apps["apps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["tasks"].as_array().cloned().unwrap_or_default())
        .filter(|t| t["state"] == "TASK_RUNNING")
        .count()
}

/// An engine for `tasks` simulated tasks: 20 agents with room (cpus, memory, host ports) for
/// all of them and their replacements.
pub fn engine_for(tasks: usize) -> Engine {
    let agents = 20;
    let mut config = test_config();
    config.agents = agents;
    config.agent_cpus = 10_000.0;
    config.agent_mem = 10_000_000.0;
    config.agent_ports = (20_000, 20_000 + (tasks as u32 / agents) + 1_000);
    Engine::start_with(config)
}

/// Theseus's Marathon client for the engine: one attempt, a minute's timeout.
pub fn client(engine: &Engine) -> Client {
    Client::new(&Options {
        urls: vec![engine.url().parse().unwrap()],
        timeout: Duration::from_secs(60),
        attempts: 1,
        ..Options::default()
    })
    .unwrap()
}

/// Creates `groups` apps of `instances` tasks each ([`app`]) and waits until they all run
/// (10 minutes at most: the reconcile benchmark deploys 10,000).
pub fn deploy(engine: &Engine, groups: usize, instances: usize) {
    let apps: Vec<Value> = (0..groups).map(|g| app(g, instances)).collect();
    let reply = engine.call("PUT", "/v2/apps", Some(&Value::Array(apps)));
    assert_eq!(reply.status, 200, "creating the apps: {}", reply.text);
    engine.wait_for("every task running", Duration::from_secs(600), |e| running(e) == groups * instances);
}

/// The element at `p` (0 to 1) of a sorted, non-empty slice.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// When each side saw each task's change: Marathon's stream (a task ran, a task stopped
/// running) and etcd (its `info` key written, deleted).
#[derive(Default)]
struct Seen {
    ran: HashMap<String, Instant>,
    stopped: HashMap<String, Instant>,
    registered: HashMap<String, Instant>,
    deregistered: HashMap<String, Instant>,
}

/// The latencies from Marathon's event to etcd, sorted, and the changes with no match.
#[derive(Debug, Clone, Default)]
pub struct Latencies {
    /// A task's `status_update_event` `TASK_RUNNING` to the first PUT of its `info` key.
    pub up: Vec<Duration>,
    /// A task's first status update out of `TASK_RUNNING` (`TASK_KILLING`, or an end) to the
    /// DELETE of its `info` key.
    pub down: Vec<Duration>,
    /// Tasks that ran but were never registered (killed before sync wrote them, or missed).
    pub never_registered: usize,
}

/// The two observers in this process: Marathon's event stream (every event counted, and when
/// each task ran or stopped) and an etcd watch on `/services/` (when each `info` key was written
/// or deleted). They run on the current tokio runtime until dropped.
pub struct Observers {
    seen: Arc<Mutex<Seen>>,
    events: Arc<AtomicUsize>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Observers {
    /// Subscribes to Marathon's events and watches etcd at `etcd_endpoint` (`HOST:PORT`).
    pub async fn start(client: &Client, etcd_endpoint: &str) -> Observers {
        let seen: Arc<Mutex<Seen>> = Arc::default();
        let events = Arc::new(AtomicUsize::new(0));
        let stream = {
            let (seen, events) = (seen.clone(), events.clone());
            let mut stream = client.events(&[], Duration::from_secs(30)).await.unwrap();
            tokio::spawn(async move {
                while let Ok(Some(ev)) = stream.next().await {
                    let now = Instant::now();
                    events.fetch_add(1, Ordering::Relaxed);
                    if ev.kind != "status_update_event" {
                        continue;
                    }
                    let Some(id) = ev.data["taskId"].as_str() else { continue };
                    let mut seen = seen.lock().unwrap();
                    match ev.data["taskStatus"].as_str().unwrap_or_default() {
                        "TASK_RUNNING" => seen.ran.entry(id.to_owned()).or_insert(now),
                        "TASK_STAGING" | "TASK_STARTING" => continue,
                        _ => seen.stopped.entry(id.to_owned()).or_insert(now),
                    };
                }
            })
        };
        let watch = {
            let seen = seen.clone();
            let mut c = etcd_client::Client::connect([etcd_endpoint], None).await.unwrap();
            let options = etcd_client::WatchOptions::new().with_prefix();
            let mut stream = c.watch("/services/", Some(options)).await.unwrap();
            tokio::spawn(async move {
                let _keep = c;
                while let Ok(Some(resp)) = stream.message().await {
                    let now = Instant::now();
                    let mut seen = seen.lock().unwrap();
                    for e in resp.events() {
                        let Some(key) = e.kv().and_then(|kv| kv.key_str().ok()) else { continue };
                        // `.../containers/<task id>/info`
                        let Some(rest) = key.strip_suffix("/info") else { continue };
                        let name = rest.rsplit('/').next().unwrap_or_default().to_owned();
                        let side = match e.event_type() {
                            etcd_client::EventType::Put => &mut seen.registered,
                            etcd_client::EventType::Delete => &mut seen.deregistered,
                        };
                        side.entry(name).or_insert(now);
                    }
                }
            })
        };
        Observers { seen, events, tasks: vec![stream, watch] }
    }

    /// Events read from Marathon's stream so far.
    pub fn events(&self) -> usize {
        self.events.load(Ordering::Relaxed)
    }

    /// The latencies seen so far.
    pub fn latencies(&self) -> Latencies {
        let seen = self.seen.lock().unwrap();
        let pair = |from: &HashMap<String, Instant>, to: &HashMap<String, Instant>| -> Vec<Duration> {
            let mut v: Vec<Duration> =
                from.iter().filter_map(|(id, at)| to.get(id).map(|w| w.saturating_duration_since(*at))).collect();
            v.sort();
            v
        };
        Latencies {
            up: pair(&seen.ran, &seen.registered),
            down: pair(&seen.stopped, &seen.deregistered),
            never_registered: seen.ran.keys().filter(|id| !seen.registered.contains_key(*id)).count(),
        }
    }
}

impl Drop for Observers {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// A probe of etcd itself, on the current tokio runtime: one small put every 20 ms to a key of
/// its own (outside `/services/`), timed. Its tail is the floor under sync's: every refresh
/// waits on one etcd commit, and etcd fsyncs each, so the two side by side tell a slow sync
/// from a slow disk.
pub struct Probe {
    running: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Vec<Duration>>,
}

impl Probe {
    /// Starts putting to the etcd at `etcd_endpoint`.
    pub async fn start(etcd_endpoint: &str) -> Probe {
        let mut c = etcd_client::Client::connect([etcd_endpoint], None).await.unwrap();
        let running = Arc::new(AtomicBool::new(true));
        let on = running.clone();
        let task = tokio::spawn(async move {
            let mut times = Vec::new();
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            while on.load(Ordering::Relaxed) {
                tick.tick().await;
                let start = Instant::now();
                c.put("/bench-probe", "x", None).await.unwrap();
                times.push(start.elapsed());
            }
            times
        });
        Probe { running, task }
    }

    /// Stops; the put times, sorted.
    pub async fn stop(self) -> Vec<Duration> {
        self.running.store(false, Ordering::Relaxed);
        let mut times = self.task.await.unwrap();
        times.sort();
        times
    }
}

/// The load: `kills` tasks killed one every `pace`, round robin over the apps, each time the
/// first `TASK_RUNNING` task Marathon lists for the app (Marathon replaces each).
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// How many tasks to kill.
    pub kills: usize,
    /// The pause between two kills.
    pub pace: Duration,
}

impl Load {
    /// About `rate` events per second for `duration`.
    pub fn new(rate: f64, duration: Duration) -> Load {
        let pace = Duration::from_secs_f64(EVENTS_PER_KILL / rate);
        Load { kills: (duration.as_secs_f64() / pace.as_secs_f64()).round() as usize, pace }
    }

    /// Kills against the engine at `url` (on the current tokio runtime); how long it took. A
    /// machine too slow for the pace stretches the time, never the count: the kills a late tick
    /// owes are made at once.
    pub async fn run(&self, url: &str) -> Duration {
        let http = reqwest::Client::new();
        let start = Instant::now();
        let mut tick = tokio::time::interval(self.pace);
        let mut kills = 0;
        let mut turn = 0;
        while kills < self.kills {
            tick.tick().await;
            let apps: Value =
                http.get(format!("{url}/v2/apps?embed=apps.tasks")).send().await.unwrap().json().await.unwrap();
            let apps = apps["apps"].as_array().cloned().unwrap_or_default();
            turn += 1;
            let Some(task) = apps
                .get(turn % apps.len().max(1))
                .and_then(|a| a["tasks"].as_array()?.iter().find(|t| t["state"] == "TASK_RUNNING").cloned())
            else {
                continue;
            };
            let reply = http.post(format!("{url}/v2/tasks/delete")).json(&json!({"ids": [task["id"]]})).send().await;
            if reply.is_ok_and(|r| r.status().is_success()) {
                kills += 1;
            }
        }
        start.elapsed()
    }
}
