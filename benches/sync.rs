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
//!    waits on one etcd commit (fsync). The load, the observers and the probe are
//!    tests/it/support/sync_load.rs, which the sync soak runs too (`cargo bench --bench sync --
//!    soak`: 10 minutes against a `theseus sync` process).
//!
//! Each figure is printed with the load average (the machine may be shared) and as a `ROW`
//! line for `scripts/bench` (docs/benchmarks.md).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::etcd::Etcd;
use crate::support::measure::loadavg;
use crate::support::sync_load::{client, deploy, engine_for, percentile, Load, Observers, Probe};
use theseus::sync::{follow, reconcile};

async fn revision(etcd: &Etcd) -> i64 {
    let mut c = etcd_client::Client::connect([etcd.endpoint.as_str()], None).await.unwrap();
    c.get("/", None).await.unwrap().header().unwrap().revision()
}

async fn reconcile_bench(tasks: usize, groups: usize) {
    let per = tasks / groups;
    let engine = engine_for(tasks);
    let start = Instant::now();
    deploy(&engine, groups, per);
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
        loadavg()
    );
    crate::support::measure::row(
        &format!("sync: full reconcile of {} tasks into an empty etcd", per * groups),
        &format!("{:.0} ms, {} txns (load {})", full.as_secs_f64() * 1000.0, report.transactions, loadavg()),
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
        loadavg()
    );
    crate::support::measure::row(
        &format!("sync: reconcile of the unchanged state, {} tasks", per * groups),
        &format!("{:.0} ms median, {} etcd writes (load {})", median.as_secs_f64() * 1000.0, after - before, loadavg()),
        &format!("Marathon's one read: {:.0} ms", read.as_secs_f64() * 1000.0),
        Some(median.as_secs_f64() / read.as_secs_f64()),
        "< 300 ms, 0 writes",
        median < Duration::from_millis(300) && after == before,
    );
}

async fn latency_bench(rate: f64, secs: u64) {
    let engine = engine_for(1_000);
    let groups = 10;
    deploy(&engine, groups, 20);
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

    // The observers (Marathon's stream, an etcd watch) and the probe of etcd alone, then the
    // load: a task killed every 40 ms (Marathon replaces each: about 8 events per kill).
    let observers = Observers::start(&client, &etcd.endpoint).await;
    let probe = Probe::start(&etcd.endpoint).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let load = Load::new(rate, Duration::from_secs(secs));
    let first_events = observers.events();
    let elapsed = load.run(&engine.url()).await;
    let seen = observers.events() - first_events;
    let probe = probe.stop().await;
    tokio::time::sleep(Duration::from_secs(2)).await; // let the last writes land
    let _ = stop_tx.send(true);
    let _ = follower.await;
    let lat = observers.latencies().up;
    drop(observers);

    assert!(!lat.is_empty(), "no replacement task was seen in both");
    let (median, p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));
    let rate = seen as f64 / elapsed.as_secs_f64();
    println!(
        "  event to etcd under {rate:.0} events/s ({} tasks killed and replaced in {:.1} s): median {:>6.1} ms, p99 {:>6.1} ms over {} tasks  target p99 < 100 ms  [load {}]",
        load.kills,
        elapsed.as_secs_f64(),
        median.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0,
        lat.len(),
        loadavg()
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
            loadavg()
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
    println!("theseus sync benchmark ({tasks} tasks in {groups} groups; local engine, real etcd) [load {}]", loadavg());
    reconcile_bench(tasks, groups).await;
    latency_bench(200.0, 20).await;
}
