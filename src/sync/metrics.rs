//! What `theseus sync --listen` reports at `/metrics`: one process-wide set of Prometheus
//! instruments (prometheus-client), all named `theseus_sync_*`, which the loops update with
//! one call each. [`global`] is the one instance: a process runs one sync, and the calls stay
//! one line at each place they count (a `--once` run counts too and never serves them).

use std::sync::atomic::AtomicU64;
use std::sync::{LazyLock, Mutex, PoisonError};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use tokio::time::Instant;

/// Label of `theseus_sync_events_received_total`: the Marathon event type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct EventType {
    r#type: String,
}

/// Label of `theseus_sync_reconciliations_total`: why a full reconcile ran.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct TriggerLabel {
    trigger: &'static str,
}

/// Label of the drift counters: what kind of change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct Kind {
    kind: &'static str,
}

/// Label of `theseus_sync_leader`: the namespace synced (`""`: every namespace).
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct Namespace {
    namespace: String,
}

/// Which side a failed reconcile or refresh could not read or write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// Marathon.
    Marathon,
    /// etcd.
    Etcd,
}

/// Why a full reconcile runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The first connection of a leadership term.
    Start,
    /// The event stream was opened again after it ended.
    Reconnect,
    /// The `--resync` interval passed.
    Resync,
    /// The last reconcile or a group's refresh failed.
    ErrorRetry,
}

impl Trigger {
    fn label(self) -> &'static str {
        match self {
            Trigger::Start => "start",
            Trigger::Reconnect => "reconnect",
            Trigger::Resync => "resync",
            Trigger::ErrorRetry => "error-retry",
        }
    }
}

/// The state behind the reconcile trigger: what the next reconcile is for.
#[derive(Debug)]
struct Term {
    next: Trigger,
    streams: u64,
}

/// Every instrument of a sync process and the registry that encodes them.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    events: Family<EventType, Counter>,
    latency: Histogram,
    reconciles: Family<TriggerLabel, Counter>,
    drift_found: Family<Kind, Counter>,
    drift_repaired: Family<Kind, Counter>,
    etcd_errors: Counter,
    marathon_errors: Counter,
    reconnects: Counter,
    leader: Family<Namespace, Gauge>,
    last_confirmed: Gauge<f64, AtomicU64>,
    term: Mutex<Term>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// The one instance of this process.
pub fn global() -> &'static Metrics {
    static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);
    &METRICS
}

impl Metrics {
    /// A registry with every instrument at zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("theseus_sync");
        let events = Family::<EventType, Counter>::default();
        registry.register("events_received", "Marathon events received, by event type", events.clone());
        // 5 ms to 41 s: a refresh is one Marathon and two etcd requests, and a burst queues
        // groups behind the 8 refreshed at once.
        let latency = Histogram::new(exponential_buckets(0.005, 2.0, 14));
        registry.register(
            "event_to_etcd_seconds",
            "From an event naming a group to that group's refresh having written etcd or found nothing to write",
            latency.clone(),
        );
        let reconciles = Family::<TriggerLabel, Counter>::default();
        registry.register(
            "reconciliations",
            "Full reconciles run, by trigger (start, reconnect, resync, error-retry)",
            reconciles.clone(),
        );
        let drift_found = Family::<Kind, Counter>::default();
        registry.register(
            "drift_found",
            "Containers (or groups, kind=restored) whose etcd registration differed from Marathon, by kind",
            drift_found.clone(),
        );
        let drift_repaired = Family::<Kind, Counter>::default();
        registry.register(
            "drift_repaired",
            "Drift written to etcd (registered, updated, deregistered containers; restored groups)",
            drift_repaired.clone(),
        );
        let etcd_errors = Counter::default();
        registry.register("etcd_errors", "Failed etcd operations (campaigns, reads, writes)", etcd_errors.clone());
        let marathon_errors = Counter::default();
        registry.register(
            "marathon_errors",
            "Failed Marathon requests and broken event streams",
            marathon_errors.clone(),
        );
        let reconnects = Counter::default();
        registry.register("event_stream_reconnects", "Event streams opened again after one ended", reconnects.clone());
        let leader = Family::<Namespace, Gauge>::default();
        registry.register(
            "leader",
            "1 while this replica leads the sync of the namespace (\"\": every namespace), else 0",
            leader.clone(),
        );
        let last_confirmed = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "last_confirmed_timestamp_seconds",
            "Unix time of the last reconcile that succeeded or of the follower catching up with the events",
            last_confirmed.clone(),
        );
        Metrics {
            registry,
            events,
            latency,
            reconciles,
            drift_found,
            drift_repaired,
            etcd_errors,
            marathon_errors,
            reconnects,
            leader,
            last_confirmed,
            term: Mutex::new(Term { next: Trigger::Start, streams: 0 }),
        }
    }

    /// The Prometheus text exposition of every instrument.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    /// An event of type `kind` arrived.
    pub fn event(&self, kind: &str) {
        self.events.get_or_create(&EventType { r#type: kind.to_owned() }).inc();
    }

    /// A group named by an event received at `received` is now in etcd as Marathon has it.
    pub fn event_applied(&self, received: Instant) {
        self.latency.observe(received.elapsed().as_secs_f64());
    }

    /// This replica leads the sync of `namespace`: the leader gauge is 1 and the next reconcile
    /// is the term's start.
    pub fn leading(&self, namespace: Option<&str>) {
        self.leader.get_or_create(&namespace_label(namespace)).set(1);
        let mut term = self.term.lock().unwrap_or_else(PoisonError::into_inner);
        *term = Term { next: Trigger::Start, streams: 0 };
    }

    /// This replica does not lead (campaigning, deposed or stopping).
    pub fn standby(&self, namespace: Option<&str>) {
        self.leader.get_or_create(&namespace_label(namespace)).set(0);
    }

    /// The event stream was opened; any but the term's first is a reconnect, whose reconcile
    /// says so.
    pub fn stream_opened(&self) {
        let mut term = self.term.lock().unwrap_or_else(PoisonError::into_inner);
        term.streams += 1;
        if term.streams > 1 {
            self.reconnects.inc();
            if term.next != Trigger::ErrorRetry {
                term.next = Trigger::Reconnect;
            }
        }
    }

    /// A full reconcile ended (`failed`: where it failed): counted under its trigger; the next
    /// one is a resync, or an error retry when this one failed.
    pub fn reconciled(&self, failed: Option<Failed>) {
        let mut term = self.term.lock().unwrap_or_else(PoisonError::into_inner);
        self.reconciles.get_or_create(&TriggerLabel { trigger: term.next.label() }).inc();
        term.next = match failed {
            None => Trigger::Resync,
            Some(side) => {
                self.failed(side);
                Trigger::ErrorRetry
            }
        };
    }

    /// A group's refresh failed: counted by where, and the reconcile it schedules is a retry.
    pub fn refresh_failed(&self, side: Failed) {
        self.failed(side);
        self.term.lock().unwrap_or_else(PoisonError::into_inner).next = Trigger::ErrorRetry;
    }

    fn failed(&self, side: Failed) {
        match side {
            Failed::Marathon => self.marathon_error(),
            Failed::Etcd => self.etcd_error(),
        }
    }

    /// An etcd operation failed (a campaign, a read, a write).
    pub fn etcd_error(&self) {
        self.etcd_errors.inc();
    }

    /// A Marathon request failed or its event stream broke.
    pub fn marathon_error(&self) {
        self.marathon_errors.inc();
    }

    /// Drift a plan found, before it is written: `registered`, `updated`, `deregistered`
    /// containers and `restored` groups.
    pub fn drift_found(&self, registered: usize, updated: usize, deregistered: usize, restored: usize) {
        count(&self.drift_found, registered, updated, deregistered, restored);
    }

    /// Drift written to etcd, kinds as in [`Metrics::drift_found`].
    pub fn drift_repaired(&self, registered: usize, updated: usize, deregistered: usize, restored: usize) {
        count(&self.drift_repaired, registered, updated, deregistered, restored);
    }

    /// The time of the last confirmation, set to now.
    pub fn confirmed(&self) {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        self.last_confirmed.set(now.as_secs_f64());
    }
}

fn count(family: &Family<Kind, Counter>, registered: usize, updated: usize, deregistered: usize, restored: usize) {
    for (kind, n) in
        [("registered", registered), ("updated", updated), ("deregistered", deregistered), ("restored", restored)]
    {
        if n > 0 {
            family.get_or_create(&Kind { kind }).inc_by(n as u64);
        }
    }
}

fn namespace_label(namespace: Option<&str>) -> Namespace {
    Namespace { namespace: namespace.map(|n| n.trim_matches('/')).unwrap_or_default().to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the sample `name` (with its labels, as encoded) in `text`.
    fn sample(text: &str, name: &str) -> Option<f64> {
        text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
    }

    #[test]
    fn instruments_encode_under_their_names_and_move() {
        let m = Metrics::new();
        m.event("status_update_event");
        m.event("status_update_event");
        m.event_applied(Instant::now());
        m.leading(Some("/team/prod/"));
        m.stream_opened();
        m.reconciled(None);
        m.stream_opened();
        m.reconciled(None);
        m.reconciled(Some(Failed::Etcd));
        m.reconciled(None);
        m.drift_found(2, 0, 1, 1);
        m.confirmed();
        let text = m.encode();
        assert_eq!(sample(&text, "theseus_sync_events_received_total{type=\"status_update_event\"}"), Some(2.0));
        assert_eq!(sample(&text, "theseus_sync_event_to_etcd_seconds_count"), Some(1.0));
        assert_eq!(sample(&text, "theseus_sync_leader{namespace=\"team/prod\"}"), Some(1.0));
        for (trigger, n) in [("start", 1.0), ("reconnect", 1.0), ("error-retry", 1.0)] {
            let name = format!("theseus_sync_reconciliations_total{{trigger=\"{trigger}\"}}");
            assert_eq!(sample(&text, &name), Some(n), "{name} in\n{text}");
        }
        assert_eq!(sample(&text, "theseus_sync_etcd_errors_total"), Some(1.0));
        assert_eq!(sample(&text, "theseus_sync_event_stream_reconnects_total"), Some(1.0));
        assert_eq!(sample(&text, "theseus_sync_drift_found_total{kind=\"registered\"}"), Some(2.0));
        assert_eq!(sample(&text, "theseus_sync_drift_found_total{kind=\"updated\"}"), None);
        let at = sample(&text, "theseus_sync_last_confirmed_timestamp_seconds").unwrap();
        assert!(at > 1.7e9, "{at}");
        m.standby(Some("team/prod"));
        assert_eq!(sample(&m.encode(), "theseus_sync_leader{namespace=\"team/prod\"}"), Some(0.0));
    }
}
