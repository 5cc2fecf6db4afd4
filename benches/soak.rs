//! The soak of `theseus sync`: `cargo bench --bench sync -- soak [--duration 10m] [--rate 200]`.
//!
//! A real `theseus sync` process (the optimized build, run as an operator would: default
//! resync and lease, no `-v`) follows the local engine in-process while tasks of 10 groups of
//! 20 simulated Docker tasks are killed at about RATE events per second on Marathon's stream
//! (Marathon replaces each) for DURATION, against a real etcd. It reports:
//!
//! - event to etcd, p50 and p99 (target p99 < 100 ms): a replacement task's
//!   `status_update_event` `TASK_RUNNING` to the PUT of its `info` key, and a killed task's
//!   first status update out of `TASK_RUNNING` to the DELETE of its key (both seen in this
//!   process: a stream subscriber and an etcd watch), beside a plain etcd put timed every 20 ms
//!   meanwhile (the floor under sync's tail);
//! - the sync process's resident memory (`VmRSS` of `/proc/PID/status`) and open descriptors
//!   (`/proc/PID/fd`) after a warm-up (a tenth of the run, at most a minute), every minute (a
//!   tenth of a shorter run) and at the end: flat when the end is within 10% of the start (the
//!   largest departure of any sample printed beside it);
//! - etcd equal to Marathon at the end (every running task of the soak's groups registered,
//!   nothing else: `Env::in_sync`, the sync tests' comparison).
//!
//! The soak itself is tests/it/support/soak.rs (the process, its samples, the end check) on
//! sync_load.rs (the load, the observers), which its short form in CI (tests/it/sync_soak.rs)
//! runs too.

use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::support::env::Env;
use crate::support::measure::{loadavg, row};
use crate::support::soak::{self, Report, Sample, Settings};
use crate::support::sync_load::{engine_for, percentile};

/// How far the last sample may depart from the first (after the warm-up) for the process to
/// count as flat.
const FLAT: f64 = 0.10;

/// Runs the soak; `args`: `[--duration DURATION] [--rate EVENTS_PER_SECOND]`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let (duration, rate) = parse(args)?;
    let settings = Settings::new(rate, duration);
    let span = humantime::format_duration(duration).to_string();
    println!(
        "theseus sync soak: {span} at {rate:.0} events/s ({} groups of {} simulated tasks on the local engine, \
         a `theseus sync` process, real etcd) [load {}]",
        settings.groups,
        settings.instances,
        loadavg()
    );
    let env = Env::with_engine(engine_for(settings.groups * settings.instances));
    let report = soak::run(&env, &settings);
    print(&report, &span);
    Ok(())
}

fn parse(args: &[String]) -> Result<(Duration, f64)> {
    let (mut duration, mut rate) = (Duration::from_secs(600), 200.0);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} takes a value (e.g. `--duration 2m`, `--rate 200`)"))?;
        match flag.as_str() {
            "--duration" => {
                duration = humantime::parse_duration(value)
                    .with_context(|| format!("--duration {value:?}: a duration such as 30s or 10m"))?;
            }
            "--rate" => {
                rate = value
                    .parse::<f64>()
                    .ok()
                    .filter(|r| *r >= 1.0)
                    .with_context(|| format!("--rate {value:?}: events per second, a number of 1 or more"))?;
            }
            other => bail!("unknown argument {other:?}: soak takes --duration DURATION and --rate EVENTS_PER_SECOND"),
        }
    }
    if duration < Duration::from_secs(10) {
        bail!("--duration {}: a soak runs for 10 s at least", humantime::format_duration(duration));
    }
    Ok((duration, rate))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(s: &Sample) -> f64 {
    s.rss_kib as f64 / 1024.0
}

/// `median X ms, p99 Y ms, max Z ms over N`, of a sorted, non-empty slice.
fn spread(sorted: &[Duration]) -> String {
    format!(
        "median {:.1} ms, p99 {:.1} ms, max {:.1} ms over {}",
        ms(percentile(sorted, 0.5)),
        ms(percentile(sorted, 0.99)),
        ms(sorted[sorted.len() - 1]),
        sorted.len()
    )
}

fn print(report: &Report, span: &str) {
    let lat = &report.latencies;
    println!(
        "  load: {} tasks killed and replaced in {:.1} s, {} events on Marathon's stream ({:.0} events/s)",
        report.load.kills,
        report.elapsed.as_secs_f64(),
        report.events,
        report.rate()
    );
    assert!(!lat.up.is_empty() && !lat.down.is_empty(), "no change was seen on both sides");
    println!("  event to etcd, task running -> registered:   {} tasks  target p99 < 100 ms", spread(&lat.up));
    println!("  event to etcd, task stopped -> deregistered: {} tasks  target p99 < 100 ms", spread(&lat.down));
    println!(
        "  (tasks that ran and were never registered: {}, each killed again before sync wrote it)",
        lat.never_registered
    );
    println!(
        "  etcd alone meanwhile (a put every 20 ms):    {} puts (the floor under sync's tail)",
        spread(&report.etcd_alone)
    );
    println!("  sync process, after a warm-up of {}:", humantime::format_duration(report.settings.warm_up));
    println!("      at        RSS   fds");
    for s in &report.samples {
        println!("    {:>6.0} s {:>6.1} MiB {:>4}", s.at.as_secs_f64(), mib(s), s.fds);
    }
    let (start, end) = (report.start(), report.end());
    // Flat: the end within 10% of the start (a leak grows from one to the other); the largest
    // departure of any sample is printed beside it, since a burst of refreshes holds a few
    // more pooled connections for a moment.
    let (rss_change, fd_change) = (report.change(|s| s.rss_kib as f64), report.change(|s| s.fds as f64));
    let (rss_drift, fd_drift) = (report.drift(|s| s.rss_kib as f64), report.drift(|s| s.fds as f64));
    let verdict = |change: f64| if change.abs() <= FLAT { "yes" } else { "NO" };
    println!(
        "  RSS {:.1} -> {:.1} MiB ({:+.1}%): flat within 10%: {} (largest departure of a sample from the start: {:.1}%)",
        mib(&start),
        mib(&end),
        rss_change * 100.0,
        verdict(rss_change),
        rss_drift * 100.0
    );
    println!(
        "  open fds {} -> {} ({:+.1}%): flat within 10%: {} (largest departure of a sample from the start: {:.1}%)",
        start.fds,
        end.fds,
        fd_change * 100.0,
        verdict(fd_change),
        fd_drift * 100.0
    );
    let equal = report.in_sync.is_ok() && report.alive;
    match &report.in_sync {
        Ok(()) => println!(
            "  etcd equal to Marathon at the end: yes ({} tasks running; equal {:.2} s after the load)  [load {}]",
            report.tasks,
            report.settled.as_secs_f64(),
            loadavg()
        ),
        Err(diff) => {
            let head: Vec<&str> = diff.lines().take(40).collect();
            println!("  etcd equal to Marathon at the end: NO, a minute after the load:\n{}", head.join("\n"));
            println!("  sync's log:\n{}", report.log);
        }
    }
    if !report.alive {
        println!("  the sync process had exited by the end:\n{}", report.log);
    }

    let (up99, down99, floor) =
        (percentile(&lat.up, 0.99), percentile(&lat.down, 0.99), percentile(&report.etcd_alone, 0.99));
    let target = Duration::from_millis(100);
    row(
        &format!("sync soak, {span} at {:.0} events/s: event to etcd (registered; deregistered)", report.rate()),
        &format!(
            "median {:.1} ms, p99 {:.1} ms over {} tasks; median {:.1} ms, p99 {:.1} ms over {} (load {})",
            ms(percentile(&lat.up, 0.5)),
            ms(up99),
            lat.up.len(),
            ms(percentile(&lat.down, 0.5)),
            ms(down99),
            lat.down.len(),
            loadavg()
        ),
        &format!("etcd put alone: p99 {:.1} ms", ms(floor)),
        Some(up99.max(down99).as_secs_f64() / floor.as_secs_f64().max(1e-6)),
        "p99 < 100 ms",
        up99 < target && down99 < target,
    );
    row(
        &format!("sync soak, {span}: the sync process's RSS and open fds, after warm-up -> end"),
        &format!(
            "RSS {:.1} -> {:.1} MiB ({:+.1}%, any sample within {:.1}%), fds {} -> {} ({:+.1}%, any sample within {:.1}%), {} samples",
            mib(&start),
            mib(&end),
            rss_change * 100.0,
            rss_drift * 100.0,
            start.fds,
            end.fds,
            fd_change * 100.0,
            fd_drift * 100.0,
            report.samples.len()
        ),
        "-",
        None,
        "flat within 10% (end vs start)",
        rss_change.abs() <= FLAT && fd_change.abs() <= FLAT,
    );
    row(
        &format!("sync soak, {span}: etcd equal to Marathon at the end"),
        &if equal {
            format!("equal, {} tasks, {:.2} s after the load", report.tasks, report.settled.as_secs_f64())
        } else {
            "NOT equal (see the output)".to_owned()
        },
        "-",
        None,
        "equal",
        equal,
    );
}
