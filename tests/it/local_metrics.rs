//! The engine's `/metrics` and `/metrics/prometheus`, as Marathon 1.10 serves them
//! (M:src/main/scala/mesosphere/marathon/api/SystemResource.scala): the JSON has the shape of
//! M:src/main/scala/mesosphere/marathon/raml/MetricsConversion.scala (`NewMetrics`) and moves
//! with the engine's work (tasks launched, task updates, deployments started and ended, health
//! checks by result, request timers); the Prometheus text is well-formed and carries the same
//! values; with the reporter off (Marathon's `--disable_metrics_prometheus`,
//! M:src/main/scala/mesosphere/marathon/metrics/MetricsConf.scala) it answers 404.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::engine::{test_config, Engine};

const T: Duration = Duration::from_secs(30);

/// `GET /metrics`.
fn metrics(e: &Engine) -> Value {
    e.get("/metrics")
}

fn counter(doc: &Value, name: &str) -> u64 {
    doc["counters"][name]["count"].as_u64().unwrap_or(0)
}

fn gauge(doc: &Value, name: &str) -> f64 {
    doc["gauges"][name]["value"].as_f64().unwrap_or(-1.0)
}

/// Polls `/metrics` until `ok` holds; the document then.
fn wait_metrics(e: &Engine, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    e.wait_for(what, T, |e| {
        last = metrics(e);
        ok(&last)
    });
    last
}

/// The samples of a Prometheus text exposition (format 0.0.4), `name{labels}` to value, after
/// checking every line: `# HELP` and `# TYPE` before their samples, names and labels as the
/// format allows, values that parse, samples only of the family last typed (a counter's as
/// typed, a histogram's `_bucket`, `_sum` and `_count`), buckets cumulative up to `+Inf`, which
/// equals `_count`.
fn parse_exposition(text: &str) -> BTreeMap<String, f64> {
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit()))
    };
    let mut samples = BTreeMap::new();
    let mut family: Option<(String, String)> = None;
    let mut helped = String::new();
    let mut last_bucket: BTreeMap<String, f64> = BTreeMap::new();
    let mut infinity: BTreeMap<String, f64> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let at = format!("line {}: {line:?}", n + 1);
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or_else(|| panic!("{at}"));
            assert!(name_ok(name) && !help.is_empty(), "{at}");
            helped = name.to_owned();
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("{at}"));
            assert!(name_ok(name), "{at}");
            assert_eq!(name, helped, "{at}: TYPE without its HELP");
            assert!(["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind), "{at}");
            family = Some((name.to_owned(), kind.to_owned()));
            continue;
        }
        assert!(!line.starts_with('#') && !line.is_empty(), "{at}");
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{at}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("{at}: value")),
        };
        let (name, labels) = match series.split_once('{') {
            Some((name, labels)) => (name, Some(labels.strip_suffix('}').unwrap_or_else(|| panic!("{at}: labels")))),
            None => (series, None),
        };
        assert!(name_ok(name), "{at}: name");
        let mut le = None;
        let mut others = Vec::new();
        for pair in labels.map(|l| l.split("\",").collect::<Vec<_>>()).unwrap_or_default() {
            let (key, quoted) = pair.split_once("=\"").unwrap_or_else(|| panic!("{at}: label {pair}"));
            assert!(name_ok(key), "{at}: label name {key}");
            let value = quoted.strip_suffix('"').unwrap_or(quoted);
            assert!(!value.contains('"') && !value.contains('\n'), "{at}: label value");
            if key == "le" {
                le = Some(value.to_owned());
            } else {
                others.push(format!("{key}={value}"));
            }
        }
        let (fam, kind) = family.clone().unwrap_or_else(|| panic!("{at}: a sample before any TYPE"));
        let suffixes: &[&str] = match kind.as_str() {
            "histogram" => &["_bucket", "_sum", "_count"],
            _ => &[""],
        };
        let suffix = suffixes
            .iter()
            .find(|s| name.strip_prefix(fam.as_str()) == Some(**s))
            .unwrap_or_else(|| panic!("{at}: not of the family {fam} ({kind})"));
        let series_key = format!("{fam}{{{}}}", others.join(","));
        match *suffix {
            "_bucket" => {
                let le = le.unwrap_or_else(|| panic!("{at}: a bucket without le"));
                assert!(!infinity.contains_key(&series_key), "{at}: a bucket after +Inf");
                if let Some(below) = last_bucket.insert(series_key.clone(), value) {
                    assert!(value >= below, "{at}: buckets are cumulative");
                }
                if le == "+Inf" {
                    infinity.insert(series_key, value);
                }
            }
            "_count" => {
                let inf = infinity.get(&series_key).unwrap_or_else(|| panic!("{at}: a count without a +Inf bucket"));
                assert_eq!(*inf, value, "{at}: the +Inf bucket is the count");
            }
            _ => assert!(le.is_none(), "{at}: le outside a bucket"),
        }
        assert!(samples.insert(series.to_owned(), value).is_none(), "{at}: a series twice");
    }
    samples
}

/// An app answering HTTP on its first port, checked by HTTP every second.
fn web_app() -> Value {
    json!({"id": "/web", "cmd": "exec python3 -m http.server $PORT0 --bind $HOST", "cpus": 0.1, "mem": 32,
        "healthChecks": [{"protocol": "HTTP", "portIndex": 0, "intervalSeconds": 1, "gracePeriodSeconds": 30, "timeoutSeconds": 1}]})
}

#[test]
fn metrics_json_has_marathons_shape_and_moves_with_work() {
    let e = Engine::start();
    let doc = metrics(&e);
    let mut keys: Vec<&str> = doc.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["counters", "gauges", "histograms", "meters", "timers", "version"], "{doc:#}");
    assert_eq!(doc["version"], "4.0.0");
    assert_eq!(counter(&doc, "marathon.tasks.launched.counter"), 0);
    assert!(doc["counters"]["marathon.tasks.launched.counter"]["count"].is_u64(), "{doc:#}");
    assert_eq!(gauge(&doc, "marathon.groups.active.gauge"), 1.0, "the root group counts");

    // A deployment of an app whose HTTP check passes: a task launched and running, a deployment
    // started and succeeded, passed checks, the app counted.
    let r = e.call("POST", "/v2/apps", Some(&web_app()));
    assert_eq!(r.status, 201, "{}", r.text);
    let doc = wait_metrics(&e, "the app deployed and checked", |d| {
        counter(d, "theseus.local.deployments.succeeded.counter") >= 1
            && counter(d, "theseus.local.health-checks.http.passed.counter") >= 1
            && gauge(d, "marathon.instances.running.gauge") == 1.0
    });
    // A task that lost its port to another test's server is launched again: at least one.
    let launched = counter(&doc, "marathon.tasks.launched.counter");
    assert!(launched >= 1, "{doc:#}");
    assert_eq!(counter(&doc, "marathon.mesos.task-updates.task-staging.counter"), launched);
    assert!(counter(&doc, "marathon.mesos.task-updates.task-running.counter") >= 1);
    assert_eq!(counter(&doc, "marathon.deployments.counter"), 1);
    assert_eq!(gauge(&doc, "marathon.apps.active.gauge"), 1.0);
    assert_eq!(gauge(&doc, "marathon.deployments.active.gauge"), 0.0);
    assert!(gauge(&doc, "marathon.uptime.gauge.seconds") > 0.0);
    let posted = &doc["timers"]["marathon.http.requests.post.2xx.duration.timer.seconds"];
    assert_eq!(posted["count"], 1, "{doc:#}");
    for field in ["min", "mean", "max", "p50", "p75", "p95", "p98", "p99", "p999", "stddev", "m1_rate", "mean_rate"] {
        assert!(posted[field].as_f64().is_some_and(|v| v >= 0.0), "{field} in {posted}");
    }
    assert!(posted["min"].as_f64() <= posted["p50"].as_f64() && posted["p50"].as_f64() <= posted["max"].as_f64());
    assert_eq!(
        (posted["duration_units"].as_str(), posted["rate_units"].as_str()),
        (Some("seconds"), Some("calls/second"))
    );

    // Request latency grows with the requests: each read is timed once it has been answered.
    let gets = "marathon.http.requests.get.2xx.duration.timer.seconds";
    let before = metrics(&e)["timers"][gets]["count"].as_u64().unwrap();
    e.get("/v2/apps");
    assert!(e.call("GET", "/v2/apps/nothing-here", None).status == 404);
    let doc = metrics(&e);
    assert_eq!(doc["timers"][gets]["count"].as_u64().unwrap(), before + 2, "{doc:#}");
    assert_eq!(doc["timers"]["marathon.http.requests.get.4xx.duration.timer.seconds"]["count"], 1);

    // An app whose check never passes (nothing listens, no kills): failed checks, a deployment
    // that stays active until it is canceled, which ends it as failed.
    let sick = json!({"id": "/sick", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8,
        "healthChecks": [{"protocol": "HTTP", "portIndex": 0, "intervalSeconds": 1, "gracePeriodSeconds": 0, "timeoutSeconds": 1, "maxConsecutiveFailures": 0}]});
    let r = e.call("POST", "/v2/apps", Some(&sick));
    assert_eq!(r.status, 201, "{}", r.text);
    let deployment = r.header("Marathon-Deployment-Id").unwrap().to_owned();
    wait_metrics(&e, "failed checks while the deployment waits", |d| {
        counter(d, "theseus.local.health-checks.http.failed.counter") >= 1
            && gauge(d, "marathon.deployments.active.gauge") == 1.0
    });
    let r = e.call("DELETE", &format!("/v2/deployments/{deployment}?force=true"), None);
    assert_eq!(r.status, 202, "{}", r.text);
    let doc = wait_metrics(&e, "the canceled deployment counted and both tasks running", |d| {
        counter(d, "theseus.local.deployments.failed.counter") == 1
            && counter(d, "marathon.mesos.task-updates.task-running.counter") >= 2
    });
    assert_eq!(counter(&doc, "marathon.deployments.counter"), 2, "{doc:#}");
    assert_eq!(gauge(&doc, "marathon.deployments.active.gauge"), 0.0);
    assert!(counter(&doc, "marathon.tasks.launched.counter") >= 2);
    assert!(doc["timers"]["marathon.http.requests.delete.2xx.duration.timer.seconds"]["count"] == 1, "{doc:#}");

    // The Prometheus text carries the same instruments: read between two JSON reads, every
    // count lies between them (equal where nothing moved), and the gauges of a state at rest
    // are equal.
    let r = e.call("GET", "/metrics/prometheus", None);
    let after = metrics(&e);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("text/plain"));
    let samples = parse_exposition(&r.text);
    let prom = |name: &str| samples.get(name).copied().unwrap_or_else(|| panic!("no {name} in\n{}", r.text));
    let same = [
        ("marathon.tasks.launched.counter", "marathon_tasks_launched_counter_total"),
        ("marathon.deployments.counter", "marathon_deployments_counter_total"),
        (
            "marathon.mesos.task-updates.task-running.counter",
            "marathon_mesos_task_updates_counter_total{state=\"task-running\"}",
        ),
        (
            "theseus.local.deployments.succeeded.counter",
            "theseus_local_deployments_counter_total{result=\"succeeded\"}",
        ),
        ("theseus.local.deployments.failed.counter", "theseus_local_deployments_counter_total{result=\"failed\"}"),
        (
            "theseus.local.health-checks.http.failed.counter",
            "theseus_local_health_checks_counter_total{protocol=\"http\",result=\"failed\"}",
        ),
        (
            "theseus.local.health-checks.http.passed.counter",
            "theseus_local_health_checks_counter_total{protocol=\"http\",result=\"passed\"}",
        ),
    ];
    for (json_name, prom_name) in same {
        let (low, high) = (counter(&doc, json_name) as f64, counter(&after, json_name) as f64);
        let value = prom(prom_name);
        assert!(low <= value && value <= high, "{prom_name} {value}, {json_name} {low} then {high}");
    }
    let timer = |d: &Value, name: &str| d["timers"][name]["count"].as_f64().unwrap_or(0.0);
    for (method, json_name) in [
        ("post", "marathon.http.requests.post.2xx.duration.timer.seconds"),
        ("get", "marathon.http.requests.get.2xx.duration.timer.seconds"),
    ] {
        let value =
            prom(&format!("marathon_http_requests_duration_timer_seconds_count{{method=\"{method}\",status=\"2xx\"}}"));
        assert!(timer(&doc, json_name) <= value && value <= timer(&after, json_name), "{json_name}: {value}");
    }
    assert_eq!(prom("marathon_http_requests_duration_timer_seconds_count{method=\"post\",status=\"2xx\"}"), 2.0);
    assert_eq!(prom("marathon_apps_active_gauge"), 2.0);
    assert_eq!(prom("marathon_deployments_active_gauge"), 0.0);
    let sum = prom("marathon_http_requests_duration_timer_seconds_sum{method=\"post\",status=\"2xx\"}");
    let mean = after["timers"]["marathon.http.requests.post.2xx.duration.timer.seconds"]["mean"].as_f64().unwrap();
    assert!((sum - 2.0 * mean).abs() < 1e-9, "sum {sum}, mean {mean}");
}

#[test]
fn prometheus_text_is_well_formed_and_off_when_the_reporter_is_disabled() {
    let e = Engine::start();
    e.get("/v2/apps");
    let r = e.call("GET", "/metrics/prometheus", None);
    assert_eq!(r.status, 200, "{}", r.text);
    let samples = parse_exposition(&r.text);
    assert_eq!(samples["marathon_tasks_launched_counter_total"], 0.0);
    assert_eq!(samples["marathon_groups_active_gauge"], 1.0);
    assert_eq!(samples["marathon_http_requests_duration_timer_seconds_count{method=\"get\",status=\"2xx\"}"], 1.0);
    assert!(r.text.contains("# TYPE marathon_http_requests_duration_timer_seconds histogram\n"), "{}", r.text);

    // Marathon's `--disable_metrics_prometheus`: 404 with its message; `/metrics` still answers.
    let off = Engine::start_with(theseus::local::Config { metrics_prometheus: false, ..test_config() });
    let r = off.call("GET", "/metrics/prometheus", None);
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.json, json!({"message": "Prometheus reporter is disabled"}));
    assert_eq!(off.get("/metrics")["version"], "4.0.0");
}

#[test]
fn the_exposition_check_rejects_what_the_format_forbids() {
    let good = "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n";
    assert_eq!(parse_exposition(good)["a_total"], 1.0);
    for bad in [
        "a_total 1\n",
        "# HELP a_total A.\n# TYPE a_total counter\nb_total 1\n",
        "# HELP a_total A.\n# TYPE a_total counter\na_total one\n",
        "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
        "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n",
    ] {
        assert!(std::panic::catch_unwind(|| parse_exposition(bad)).is_err(), "accepted {bad:?}");
    }
}

/// `theseus local --disable-metrics-prometheus`: the binary passes Marathon's switch on.
#[test]
fn the_binary_switches_the_reporter_off() {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_theseus"))
        .args(["local", "--port", "0", "--agents", "1", "--disable-metrics-prometheus"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("theseus local");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().trim_start_matches("http://").to_owned();
    // Failures come back as text, so the engine is stopped before any assertion.
    let get = |path: &str| -> String {
        let mut stream = match std::net::TcpStream::connect(&addr) {
            Ok(s) => s,
            Err(e) => return format!("cannot connect to {addr:?}: {e}"),
        };
        let mut raw = String::new();
        let sent = stream
            .set_read_timeout(Some(T))
            .and_then(|()| write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"));
        match sent.and_then(|()| stream.read_to_string(&mut raw)) {
            Ok(_) => raw,
            Err(e) => format!("GET {path}: {e}"),
        }
    };
    let (off, json) = (get("/metrics/prometheus"), get("/metrics"));
    // SAFETY: signalling the child this test spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let _ = child.wait();
    assert!(off.starts_with("HTTP/1.1 404"), "{off}");
    assert!(off.contains("Prometheus reporter is disabled"), "{off}");
    assert!(json.starts_with("HTTP/1.1 200") && json.contains("\"version\":\"4.0.0\""), "{json}");
}
