//! The engine's own metrics: one set of instruments that answers both of Marathon's metrics
//! endpoints (M:src/main/scala/mesosphere/marathon/api/SystemResource.scala): `/metrics` as the
//! JSON of M:src/main/scala/mesosphere/marathon/raml/MetricsConversion.scala (`NewMetrics`:
//! version, counters, gauges, histograms, meters, timers) and `/metrics/prometheus` as
//! Prometheus text, encoded by prometheus-client.
//!
//! Names are Marathon's where the engine does the same work, built as Marathon's
//! `DropwizardMetrics.constructName` builds them (`marathon.<name>.<type>[.<unit>]`,
//! M:src/main/scala/mesosphere/marathon/metrics/current/DropwizardMetrics.scala). Where Marathon
//! puts a value inside the name (`marathon.mesos.task-updates.task-running.counter`), the JSON
//! does too and Prometheus carries it as a label on the name without it, its dots and dashes
//! made underscores as Marathon's `PrometheusReporter.sanitizeName` does
//! (`marathon_mesos_task_updates_counter_total{state="task-running"}`: prometheus-client ends
//! every counter in `_total`). What Marathon does not count is named `theseus.local.*`.
//!
//! [`follow`] counts the engine's events, a batch at a time; the request middleware and the health checks call
//! [`Metrics::request`] and [`Metrics::health_check`]; gauges of the state are set when read
//! ([`Metrics::refresh`]).

pub(crate) mod follow;
mod timer;

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::http::{Method, StatusCode};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use serde_json::{json, Map, Value};

use crate::marathon::rules::HealthProtocol;
use crate::marathon::types::TaskState;

use super::model::state::State;
use timer::Timer;

/// The `version` of Marathon's metrics JSON (`MetricsConversion.scala`).
const JSON_VERSION: &str = "4.0.0";

/// A gauge of a fractional value.
type FloatGauge = Gauge<f64, AtomicU64>;

/// How one metric is named: its JSON name (`{label}` stands for that label's value), its
/// Prometheus name and help, and its label names.
#[derive(Debug)]
struct Def {
    json: &'static str,
    prom: &'static str,
    help: &'static str,
    labels: &'static [&'static str],
}

/// One metric: every instrument it has, by its label values (in the order of `def.labels`).
#[derive(Debug)]
struct Family<M> {
    def: Def,
    members: Mutex<BTreeMap<Vec<String>, M>>,
}

impl<M: Clone + Default> Family<M> {
    /// A metric without labels has its one instrument from the start (a counter reads 0 before
    /// it first counts); a labelled one gains a member per label set seen.
    fn new(def: Def) -> Family<M> {
        let mut members = BTreeMap::new();
        if def.labels.is_empty() {
            members.insert(Vec::new(), M::default());
        }
        Family { def, members: Mutex::new(members) }
    }

    /// The instrument of these label values (a clone sharing its value).
    fn get(&self, values: &[&str]) -> M {
        let key: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
        let mut members = self.members.lock().unwrap_or_else(PoisonError::into_inner);
        members.entry(key).or_default().clone()
    }

    fn members(&self) -> Vec<(Vec<String>, M)> {
        self.members
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(k, m)| (k.clone(), m.clone()))
            .collect()
    }

    /// The JSON name of one member: `def.json` with each `{label}` replaced by its value.
    fn json_name(&self, values: &[String]) -> String {
        self.def
            .labels
            .iter()
            .zip(values)
            .fold(self.def.json.to_owned(), |name, (label, value)| name.replace(&format!("{{{label}}}"), value))
    }

    /// Writes the metric's descriptor and every member to a Prometheus encoder.
    fn encode(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error>
    where
        M: EncodeMetric,
    {
        let members = self.members();
        let Some(metric_type) = members.first().map(|(_, m)| m.metric_type()) else { return Ok(()) };
        let mut metric = encoder.encode_descriptor(self.def.prom, self.def.help, None, metric_type)?;
        for (values, member) in &members {
            let labels: Vec<(&str, &str)> =
                self.def.labels.iter().copied().zip(values.iter().map(String::as_str)).collect();
            member.encode(metric.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

/// Every instrument of one engine.
#[derive(Debug)]
struct Instruments {
    started: Instant,
    tasks_launched: Family<Counter>,
    task_updates: Family<Counter>,
    deployments: Family<Counter>,
    deployments_ended: Family<Counter>,
    health_checks: Family<Counter>,
    requests: Family<Timer>,
    gauges: Vec<Family<FloatGauge>>,
}

/// The gauges, set from the state when read: (JSON name, Prometheus name, help).
const GAUGES: [(&str, &str, &str); 7] = [
    (
        "marathon.apps.active.gauge",
        "marathon_apps_active_gauge",
        "Apps in the root group (GroupManagerImpl.scala apps.active)",
    ),
    (
        "marathon.groups.active.gauge",
        "marathon_groups_active_gauge",
        "Groups, the root included (GroupManagerImpl.scala groups.active)",
    ),
    (
        "marathon.deployments.active.gauge",
        "marathon_deployments_active_gauge",
        "Deployments in progress (DeploymentManagerActor.scala deployments.active)",
    ),
    (
        "marathon.instances.running.gauge",
        "marathon_instances_running_gauge",
        "Instances whose task is TASK_RUNNING (InstanceTrackerActor.scala instances.running)",
    ),
    (
        "marathon.instances.staged.gauge",
        "marathon_instances_staged_gauge",
        "Instances whose task is TASK_STAGING (InstanceTrackerActor.scala instances.staged)",
    ),
    (
        "marathon.uptime.gauge.seconds",
        "marathon_uptime_gauge_seconds",
        "Seconds since the engine started (GroupManagerModule.scala uptime)",
    ),
    (
        "marathon.http.requests.active.gauge",
        "marathon_http_requests_active_gauge",
        "Requests being answered (InstrumentedHandler.java http.requests.active)",
    ),
];

/// Index of `marathon.http.requests.active.gauge` in [`GAUGES`]: the middleware moves it.
const ACTIVE_REQUESTS: usize = 6;

impl Instruments {
    fn new() -> Instruments {
        let counter = |json, prom, help, labels| Family::new(Def { json, prom, help, labels });
        Instruments {
            started: Instant::now(),
            tasks_launched: counter(
                "marathon.tasks.launched.counter",
                "marathon_tasks_launched_counter",
                "Tasks launched (TaskLauncherImpl.scala tasks.launched)",
                &[],
            ),
            task_updates: counter(
                "marathon.mesos.task-updates.{state}.counter",
                "marathon_mesos_task_updates_counter",
                "Task status updates, by state such as task-running or task-failed (TaskStatusUpdateProcessorImpl.scala mesos.task-updates)",
                &["state"],
            ),
            deployments: counter(
                "marathon.deployments.counter",
                "marathon_deployments_counter",
                "Deployments started (DeploymentManagerActor.scala deployments)",
                &[],
            ),
            deployments_ended: counter(
                "theseus.local.deployments.{result}.counter",
                "theseus_local_deployments_counter",
                "Deployments ended, by result: succeeded (deployment_success) or failed (deployment_failed: failed or canceled)",
                &["result"],
            ),
            health_checks: counter(
                "theseus.local.health-checks.{protocol}.{result}.counter",
                "theseus_local_health_checks_counter",
                "Health checks run, by protocol and result (passed, failed, ignored: a 1xx answer while ignoreHttp1xx)",
                &["protocol", "result"],
            ),
            requests: Family::new(Def {
                json: "marathon.http.requests.{method}.{status}.duration.timer.seconds",
                prom: "marathon_http_requests_duration_timer_seconds",
                help: "Time to answer a request, by method (InstrumentedHandler.java's: get, post, put, delete, head, options, trace, connect, move, other) and status class",
                labels: &["method", "status"],
            }),
            gauges: GAUGES
                .iter()
                .map(|&(json, prom, help)| Family::new(Def { json, prom, help, labels: &[] }))
                .collect(),
        }
    }

    fn counters(&self) -> [&Family<Counter>; 5] {
        [&self.tasks_launched, &self.task_updates, &self.deployments, &self.deployments_ended, &self.health_checks]
    }

    fn gauge(&self, index: usize) -> FloatGauge {
        self.gauges[index].get(&[])
    }
}

/// Encodes the instruments when the registry is encoded.
#[derive(Debug)]
struct Exposition(Arc<Instruments>);

impl Collector for Exposition {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for family in &self.0.gauges {
            family.encode(&mut encoder)?;
        }
        for family in self.0.counters() {
            family.encode(&mut encoder)?;
        }
        self.0.requests.encode(&mut encoder)
    }
}

/// The engine's metrics: the instruments, the registry that encodes them and the subscription
/// to the events they count.
#[derive(Debug)]
pub(crate) struct Metrics {
    instruments: Arc<Instruments>,
    registry: Registry,
    follower: Mutex<Option<follow::Follower>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Every instrument at zero, uptime counted from now.
    pub(crate) fn new() -> Metrics {
        let instruments = Arc::new(Instruments::new());
        let mut registry = Registry::default();
        registry.register_collector(Box::new(Exposition(instruments.clone())));
        Metrics { instruments, registry, follower: Mutex::new(None) }
    }

    /// Counts the engine's events from now on (see [`follow`]).
    pub(crate) fn follow(&self, events: tokio::sync::broadcast::Receiver<Arc<super::events::Event>>) {
        *self.follower.lock().unwrap_or_else(PoisonError::into_inner) = Some(follow::Follower::new(events));
    }

    /// Counts the events received since the last catch-up.
    pub(crate) fn catch_up(&self) {
        if let Some(follower) = self.follower.lock().unwrap_or_else(PoisonError::into_inner).as_mut() {
            follower.catch_up(self);
        }
    }

    /// Counts the events received so far and sets the gauges of the state (Marathon's closure
    /// gauges read it when reported): what a read of the metrics does first.
    pub(crate) fn refresh(&self, st: &State) {
        self.catch_up();
        let i = &self.instruments;
        let (mut running, mut staged) = (0, 0);
        for inst in st.instances.values().flat_map(|m| m.values()) {
            match inst.state {
                TaskState::Running => running += 1,
                TaskState::Staging => staged += 1,
                _ => {}
            }
        }
        // Marathon's `groups.active` is `transitiveGroupsById.size`: the root counts.
        let values = [
            st.apps.len() as f64,
            (st.all_group_ids().len() + 1) as f64,
            st.deployments.len() as f64,
            f64::from(running),
            f64::from(staged),
            i.started.elapsed().as_secs_f64(),
        ];
        for (index, value) in values.into_iter().enumerate() {
            i.gauge(index).set(value);
        }
    }

    /// The Prometheus text exposition (format 0.0.4) of every instrument.
    pub(crate) fn prometheus(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry);
        text
    }

    /// Marathon's `/metrics` JSON (`NewMetrics`) of the same instruments. Marathon's histograms
    /// and meters have no counterpart here: their objects are empty.
    pub(crate) fn json(&self) -> Value {
        let i = &self.instruments;
        let mut counters = Map::new();
        for family in i.counters() {
            for (values, c) in family.members() {
                counters.insert(family.json_name(&values), json!({ "count": c.get() }));
            }
        }
        let mut gauges = Map::new();
        for family in &i.gauges {
            for (values, g) in family.members() {
                gauges.insert(family.json_name(&values), json!({ "value": g.get() }));
            }
        }
        let mut timers = Map::new();
        for (values, t) in i.requests.members() {
            timers.insert(i.requests.json_name(&values), json!(t.snapshot()));
        }
        json!({
            "version": JSON_VERSION,
            "counters": counters,
            "gauges": gauges,
            "histograms": {},
            "meters": {},
            "timers": timers,
        })
    }

    /// A task was launched (its `TASK_STAGING`).
    pub(crate) fn task_launched(&self) {
        self.instruments.tasks_launched.get(&[]).inc();
    }

    /// A task status update: Marathon's counter name is the state lower-cased with `-` for `_`
    /// (`TaskStatusUpdateProcessorImpl.getTaskStateCounterMetric`).
    pub(crate) fn task_update(&self, state: TaskState) {
        let name = state.name().to_ascii_lowercase().replace('_', "-");
        self.instruments.task_updates.get(&[&name]).inc();
    }

    /// A deployment started.
    pub(crate) fn deployment_started(&self) {
        self.instruments.deployments.get(&[]).inc();
    }

    /// A deployment ended: `succeeded` or not.
    pub(crate) fn deployment_ended(&self, succeeded: bool) {
        let result = if succeeded { "succeeded" } else { "failed" };
        self.instruments.deployments_ended.get(&[result]).inc();
    }

    /// A health check ran: `Ok(true)` passed, `Ok(false)` gave no result, `Err` failed.
    pub(crate) fn health_check(&self, protocol: HealthProtocol, outcome: Result<bool, ()>) {
        let result = match outcome {
            Ok(true) => "passed",
            Ok(false) => "ignored",
            Err(()) => "failed",
        };
        let protocol = protocol.as_str().to_ascii_lowercase().replace('_', "-");
        self.instruments.health_checks.get(&[&protocol, result]).inc();
    }

    /// A request arrived: it counts as active until the returned timing ends or is dropped.
    pub(crate) fn request(&self, method: &Method) -> RequestTiming {
        let active = self.instruments.gauge(ACTIVE_REQUESTS);
        active.inc_by(1.0);
        RequestTiming {
            instruments: self.instruments.clone(),
            method: method_label(method),
            started: Instant::now(),
            active,
        }
    }
}

/// One request being answered (see [`Metrics::request`]).
#[derive(Debug)]
pub(crate) struct RequestTiming {
    instruments: Arc<Instruments>,
    method: &'static str,
    started: Instant,
    active: FloatGauge,
}

impl RequestTiming {
    /// The request was answered with `status`: its duration goes to the timer of its method
    /// and status class.
    pub(crate) fn answered(self, status: StatusCode) {
        let class = match status.as_u16() / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        };
        self.instruments.requests.get(&[self.method, class]).observe(self.started.elapsed());
    }
}

impl Drop for RequestTiming {
    fn drop(&mut self) {
        self.active.dec_by(1.0);
    }
}

/// The method part of Marathon's request timer names: the methods `InstrumentedHandler.java`
/// times one by one, every other (PATCH included) as `other`
/// (M:src/main/java/mesosphere/marathon/metrics/current/InstrumentedHandler.java).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "get",
        Method::POST => "post",
        Method::PUT => "put",
        Method::DELETE => "delete",
        Method::HEAD => "head",
        Method::OPTIONS => "options",
        Method::TRACE => "trace",
        Method::CONNECT => "connect",
        _ if method.as_str() == "MOVE" => "move",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the sample `name` (labels included, as encoded) in `text`.
    fn sample(text: &str, name: &str) -> Option<f64> {
        text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
    }

    #[test]
    fn one_set_of_instruments_answers_json_and_prometheus() {
        let m = Metrics::new();
        m.task_launched();
        m.task_update(TaskState::Running);
        m.task_update(TaskState::Running);
        m.task_update(TaskState::GoneByOperator);
        m.deployment_started();
        m.deployment_ended(true);
        m.health_check(HealthProtocol::MesosHttp, Ok(true));
        m.health_check(HealthProtocol::Http, Err(()));
        m.request(&Method::PATCH).answered(StatusCode::NOT_FOUND);
        drop(m.request(&Method::GET));
        m.refresh(&State::default());

        let doc = m.json();
        assert_eq!(doc["version"], "4.0.0");
        assert_eq!(doc["counters"]["marathon.tasks.launched.counter"]["count"], 1);
        assert_eq!(doc["counters"]["marathon.mesos.task-updates.task-running.counter"]["count"], 2);
        assert_eq!(doc["counters"]["marathon.mesos.task-updates.task-gone-by-operator.counter"]["count"], 1);
        assert_eq!(doc["counters"]["theseus.local.deployments.succeeded.counter"]["count"], 1);
        assert_eq!(doc["counters"]["theseus.local.health-checks.mesos-http.passed.counter"]["count"], 1);
        assert_eq!(doc["counters"]["theseus.local.health-checks.http.failed.counter"]["count"], 1);
        assert_eq!(doc["gauges"]["marathon.groups.active.gauge"]["value"], 1.0);
        assert_eq!(doc["gauges"]["marathon.http.requests.active.gauge"]["value"], 0.0);
        let timer = &doc["timers"]["marathon.http.requests.other.4xx.duration.timer.seconds"];
        assert_eq!(timer["count"], 1, "{doc:#}");
        assert_eq!(doc["histograms"], json!({}));
        assert_eq!(doc["meters"], json!({}));

        let text = m.prometheus();
        assert_eq!(sample(&text, "marathon_tasks_launched_counter_total"), Some(1.0), "{text}");
        assert_eq!(sample(&text, "marathon_mesos_task_updates_counter_total{state=\"task-running\"}"), Some(2.0));
        let checks = "theseus_local_health_checks_counter_total{protocol=\"mesos-http\",result=\"passed\"}";
        assert_eq!(sample(&text, checks), Some(1.0));
        assert_eq!(sample(&text, "marathon_groups_active_gauge"), Some(1.0));
        let count = "marathon_http_requests_duration_timer_seconds_count{method=\"other\",status=\"4xx\"}";
        assert_eq!(sample(&text, count), Some(1.0));
        assert!(text.contains("# TYPE marathon_http_requests_duration_timer_seconds histogram\n"), "{text}");
        assert!(!text.contains("# EOF"), "{text}");
    }

    #[test]
    fn methods_are_named_as_marathon_times_them() {
        assert_eq!(method_label(&Method::GET), "get");
        assert_eq!(method_label(&Method::PATCH), "other");
        assert_eq!(method_label(&Method::from_bytes(b"MOVE").unwrap()), "move");
    }
}
