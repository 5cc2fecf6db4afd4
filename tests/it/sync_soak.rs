//! The short form of the sync soak (`cargo bench --bench sync -- soak` runs the long one): the
//! same code (tests/it/support/soak.rs) for 30 s at 200 events/s, a real `theseus sync`
//! process following. It checks what must hold on any machine, however loaded: etcd equals
//! Marathon at the end, the process neither leaks file descriptors nor grows without bound,
//! and every change reached etcd within a ceiling far above any healthy latency. The speed
//! targets are the benchmark's.
//!
//! Sync runs with no periodic resync here (`--resync 1h`): only events, and the reconcile when
//! it starts leading, can bring etcd along, so etcd equal to Marathon at the end shows the
//! event path kept up.

use std::time::Duration;

use crate::support::env::Env;
use crate::support::soak::{self, Settings};

/// Far above a healthy event-to-etcd latency (milliseconds), below the 1 h resync: a change that
/// took longer was not carried by its event.
const CEILING: Duration = Duration::from_secs(15);

/// Descriptors the process may open beyond those it had after the warm-up: a connection more
/// in a pool, a stream reopened.
const FD_SLACK: usize = 8;

/// Resident memory the process may gain over the load: allocator caches and buffers, far below
/// what a leak of every event (about 6,000 here) or of each refresh's Marathon answer would
/// take.
const RSS_SLACK_KIB: u64 = 48 * 1024;

#[test]
fn sync_soak_short_form_keeps_etcd_equal_to_marathon_with_flat_resources() {
    let env = Env::start();
    let settings = Settings { resync: Duration::from_secs(3600), ..Settings::new(200.0, Duration::from_secs(30)) };
    let report = soak::run(&env, &settings);
    let lat = &report.latencies;
    let (start, end) = (report.start(), report.end());
    let summary = format!(
        "{} kills in {:.1} s, {} events; up {} (max {:?}), down {} (max {:?}), {} never registered; \
         samples {:?}; settled in {:?}",
        report.load.kills,
        report.elapsed.as_secs_f64(),
        report.events,
        lat.up.len(),
        lat.up.last(),
        lat.down.len(),
        lat.down.last(),
        lat.never_registered,
        report.samples,
        report.settled
    );

    assert!(report.alive, "the sync process died: {summary}\n{}", report.log);
    if let Err(diff) = &report.in_sync {
        panic!("etcd never matched Marathon after the soak: {summary}\n{diff}\nsync's log:\n{}", report.log);
    }
    assert_eq!(report.tasks, settings.groups * settings.instances, "{summary}");

    // The load happened and the observers saw it: every kill is a replacement that ran, and
    // nearly all of them (a replacement killed again before sync wrote it is the exception)
    // went through etcd both ways.
    assert!(report.events >= report.load.kills * 4, "the stream carried too few events: {summary}");
    assert!(lat.up.len() >= report.load.kills * 9 / 10, "registrations seen: {summary}");
    assert!(lat.down.len() >= report.load.kills * 9 / 10, "deregistrations seen: {summary}");
    for (what, all) in [("registration", &lat.up), ("deregistration", &lat.down)] {
        let slowest = all.last().copied().unwrap_or_default();
        assert!(slowest < CEILING, "a {what} took {slowest:?} (ceiling {CEILING:?}): {summary}");
    }

    assert!(report.samples.len() >= 3, "the process was sampled after the warm-up and on: {summary}");
    assert!(end.fds <= start.fds + FD_SLACK, "open descriptors grew from {} to {}: {summary}", start.fds, end.fds);
    assert!(
        end.rss_kib <= start.rss_kib + RSS_SLACK_KIB,
        "resident memory grew from {} to {} KiB: {summary}",
        start.rss_kib,
        end.rss_kib
    );
}
