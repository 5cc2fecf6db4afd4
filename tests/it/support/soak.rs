//! The soak of `theseus sync`: a real `theseus sync` process following a steady load of task
//! events ([`super::sync_load`]) for a while, its memory and open files sampled, and etcd
//! compared with Marathon at the end.
//!
//! One code for the benchmark `cargo bench --bench sync -- soak` (benches/soak.rs, 10 minutes)
//! and its short form in CI (tests/it/sync_soak.rs, about 30 s). It lives in the tests' harness,
//! which the benchmarks include (benches/support), so that it is built on [`Env`], [`Replica`]
//! and [`Env::in_sync`] as the sync tests are.

use std::time::{Duration, Instant};

use super::env::Env;
use super::sync::Replica;
use super::sync_load::{client, deploy, running, Latencies, Load, Observers, Probe};

/// One look at the sync process: its resident memory and open file descriptors.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Since the load began.
    pub at: Duration,
    /// `VmRSS` of `/proc/PID/status`, KiB.
    pub rss_kib: u64,
    /// Entries of `/proc/PID/fd`.
    pub fds: usize,
}

impl Sample {
    /// Reads `/proc/PID`; `None` once the process is gone.
    pub fn take(pid: u32, at: Duration) -> Option<Sample> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let rss_kib = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.trim().trim_end_matches("kB").trim();
        let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count();
        Some(Sample { at, rss_kib: rss_kib.parse().ok()?, fds })
    }
}

/// What a soak does.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Groups (apps) of the soak.
    pub groups: usize,
    /// Tasks per group.
    pub instances: usize,
    /// Events per second to cause.
    pub rate: f64,
    /// How long the load runs.
    pub duration: Duration,
    /// The load before the first sample (the process's start sample).
    pub warm_up: Duration,
    /// A sample this often after the first one.
    pub every: Duration,
    /// `theseus sync --resync`.
    pub resync: Duration,
}

impl Settings {
    /// 10 groups of 20 tasks, `rate` events per second for `duration`; a tenth of it to warm
    /// up (at least 2 s, at most a minute) and a sample every tenth (at most every minute);
    /// sync's default resync (5 minutes).
    pub fn new(rate: f64, duration: Duration) -> Settings {
        let tenth = duration / 10;
        Settings {
            groups: 10,
            instances: 20,
            rate,
            duration,
            warm_up: tenth.clamp(Duration::from_secs(2), Duration::from_secs(60)),
            every: tenth.clamp(Duration::from_secs(1), Duration::from_secs(60)),
            resync: Duration::from_secs(300),
        }
    }
}

/// What a soak found.
#[derive(Debug, Clone)]
pub struct Report {
    /// What it did.
    pub settings: Settings,
    /// The load it ran.
    pub load: Load,
    /// How long the load took.
    pub elapsed: Duration,
    /// Events Marathon's stream carried meanwhile.
    pub events: usize,
    /// Marathon's event to etcd.
    pub latencies: Latencies,
    /// The put times of etcd alone meanwhile, sorted ([`Probe`]).
    pub etcd_alone: Vec<Duration>,
    /// The sync process after the warm-up (the first), every [`Settings::every`], and when the
    /// load ended (the last).
    pub samples: Vec<Sample>,
    /// Tasks running at the end, once Marathon had replaced every killed one.
    pub tasks: usize,
    /// Whether etcd equalled Marathon at the end ([`Env::in_sync`]), or both sides.
    pub in_sync: Result<(), String>,
    /// From the end of the load until etcd equalled Marathon.
    pub settled: Duration,
    /// Whether the sync process still ran at the end.
    pub alive: bool,
    /// The sync process's stderr.
    pub log: String,
}

impl Report {
    /// Events per second on Marathon's stream during the load.
    pub fn rate(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64()
    }

    /// The first sample (after the warm-up).
    pub fn start(&self) -> Sample {
        self.samples[0]
    }

    /// The last sample (when the load ended).
    pub fn end(&self) -> Sample {
        self.samples[self.samples.len() - 1]
    }

    /// The change from the first sample to the last, as a share of the first (-0.02: 2% less),
    /// for the figure `of` picks.
    pub fn change(&self, of: impl Fn(&Sample) -> f64) -> f64 {
        let base = of(&self.start()).max(1.0);
        (of(&self.end()) - base) / base
    }

    /// The largest departure of any sample from the first, as a share of the first (0.05:
    /// 5%), for the figure `of` picks.
    pub fn drift(&self, of: impl Fn(&Sample) -> f64) -> f64 {
        let base = of(&self.start()).max(1.0);
        self.samples.iter().map(|s| (of(s) - base).abs() / base).fold(0.0, f64::max)
    }
}

/// Runs a soak on `env`: deploys the groups, starts `theseus sync` (as an operator would: no
/// `-v`, the default lease) and waits until it has registered every task, then runs the load
/// with the observers, the etcd probe and the sampler, and waits at the end until Marathon has
/// replaced every killed task and etcd equals Marathon (a minute at most).
pub fn run(env: &Env, settings: &Settings) -> Report {
    let total = settings.groups * settings.instances;
    deploy(&env.engine, settings.groups, settings.instances);
    let resync = humantime::format_duration(settings.resync).to_string();
    let name = "soak-sync";
    let args = ["sync", "--name", name, "--resync", resync.as_str(), "--lease-ttl", "10s"];
    let mut sync = Replica { child: env.spawn_logged(name, &args), name: name.to_owned() };
    sync.wait_leading(env, Duration::from_secs(60));
    env.wait_in_sync(Duration::from_secs(60));

    let load = Load::new(settings.rate, settings.duration);
    let pid = sync.child.id();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let client = client(&env.engine);
    let observers = rt.block_on(Observers::start(&client, &env.etcd.endpoint));
    let (elapsed, events, etcd_alone, samples) = rt.block_on(async {
        let probe = Probe::start(&env.etcd.endpoint).await;
        let first_events = observers.events();
        let start = Instant::now();
        let (stop_sampling, stopped) = tokio::sync::oneshot::channel::<()>();
        let sampler = {
            let (warm_up, every) = (settings.warm_up, settings.every);
            tokio::spawn(async move {
                let mut samples = Vec::new();
                let sampling = async {
                    tokio::time::sleep(warm_up).await;
                    let mut tick = tokio::time::interval(every);
                    loop {
                        tick.tick().await;
                        match Sample::take(pid, start.elapsed()) {
                            Some(s) => samples.push(s),
                            None => return,
                        }
                    }
                };
                tokio::select! {
                    () = sampling => {}
                    _ = stopped => {}
                }
                samples
            })
        };
        let elapsed = load.run(&env.engine.url()).await;
        let events = observers.events() - first_events;
        let _ = stop_sampling.send(());
        let mut samples = sampler.await.unwrap();
        samples.extend(Sample::take(pid, start.elapsed()));
        (elapsed, events, probe.stop().await, samples)
    });

    let end = Instant::now();
    env.engine.wait_for("Marathon to replace every killed task", Duration::from_secs(60), |e| running(e) == total);
    let deadline = Instant::now() + Duration::from_secs(60);
    let in_sync = loop {
        match env.in_sync() {
            Ok(()) => break Ok(()),
            Err(diff) if Instant::now() > deadline => break Err(diff),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    let settled = end.elapsed();
    let latencies = observers.latencies();
    drop(observers);
    let alive = sync.child.try_wait().unwrap().is_none();
    assert!(!samples.is_empty(), "the sync process exited during the load:\n{}", env.log(name));
    Report {
        settings: settings.clone(),
        load,
        elapsed,
        events,
        latencies,
        etcd_alone,
        samples,
        tasks: running(&env.engine),
        in_sync,
        settled,
        alive,
        log: env.log(name),
    }
}
