//! `-o jsonl`: a rollout's [`Event`]s as JSON Lines on stdout, one compact object a line,
//! written and flushed as each happens, and the command's result as the last object once its
//! exit code is known. docs/events.md documents every object and
//! tests/fixtures/rollout-events.schema.json is the JSON Schema of one line.
//!
//! Every object starts with `event` (its name), `time` (RFC 3339, UTC, milliseconds, `Z`) and,
//! for a group's events, `group` (`service/group`).

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::rollout::Event;

/// `t` as every object spells it: RFC 3339 in UTC with milliseconds and `Z`.
fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The object of `event` at `now`, or `None` for the events that have none (`Started`,
/// `Finished`: they frame a wait, they say nothing about a group).
pub(super) fn object(event: &Event, now: DateTime<Utc>) -> Option<Value> {
    let time = timestamp(now);
    let value = match event {
        Event::Started { .. } | Event::Finished => return None,
        Event::RolloutStarted { group, kind, from, to, instances, batches, canary } => json!({
            "event": "started", "time": time, "group": group, "kind": kind, "from": from, "to": to,
            "instances": instances, "batches": batches, "canary": canary,
        }),
        Event::BatchStarted { group, batch, batches, size } => json!({
            "event": "batch", "time": time, "group": group, "batch": batch, "batches": batches, "size": size,
        }),
        Event::BatchHealthy { group, batch, healthy, desired } => json!({
            "event": "healthy", "time": time, "group": group, "batch": batch, "healthy": healthy,
            "desired": desired,
        }),
        Event::Waiting { group, wait } => json!({
            "event": "waiting", "time": time, "group": group, "wait_seconds": wait.as_secs_f64(),
            "until": timestamp(now + *wait),
        }),
        Event::Progress { group, healthy, desired, state } => json!({
            "event": "progress", "time": time, "group": group, "healthy": healthy, "desired": desired,
            "state": state,
        }),
        Event::Canary { group, instances, old } => json!({
            "event": "canary", "time": time, "group": group, "instances": instances, "old": old,
        }),
        Event::Gate { group, gate, verdict, detail } => json!({
            "event": "gate", "time": time, "group": group, "gate": gate, "verdict": verdict, "detail": detail,
        }),
        Event::Paused { group, by, reason } => json!({
            "event": "paused", "time": time, "group": group, "by": by, "reason": reason,
        }),
        Event::Resumed { group, by } => json!({ "event": "resumed", "time": time, "group": group, "by": by }),
        Event::Promoted { group, by } => json!({ "event": "promoted", "time": time, "group": group, "by": by }),
        Event::Aborted { group, by } => json!({ "event": "aborted", "time": time, "group": group, "by": by }),
        Event::RollingBack { group, reason } => json!({
            "event": "failed", "time": time, "group": group, "reason": reason,
        }),
        Event::RolledBack { group, to } => json!({ "event": "rolled-back", "time": time, "group": group, "to": to }),
        Event::Converged { group } => json!({ "event": "done", "time": time, "group": group }),
    };
    Some(value)
}

/// The last object: the command's exit code and its result rows (what `-o json` prints).
pub(super) fn result_object(status: u8, results: Value, now: DateTime<Utc>) -> Value {
    json!({ "event": "result", "time": timestamp(now), "status": status, "results": results })
}

/// Writes `value` as one line and flushes it.
pub(super) fn write_line(out: &mut impl Write, value: &Value) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The events reporter of one command: writes each event's object to stdout as it comes,
/// `progress` only when a group's counts or state changed (as the text lines do).
#[derive(Debug, Default)]
pub(super) struct Events {
    /// The last `(healthy, desired, state)` written per group.
    last: Mutex<BTreeMap<String, (u32, u32, String)>>,
}

impl Events {
    /// Writes the object of `event`, if it has one and says something new. A failed write
    /// (a reader that went away) is dropped: the rollout goes on, and its exit code tells.
    pub(super) fn on(&self, event: &Event) {
        if !self.news(event) {
            return;
        }
        // The time is read under the stdout lock: lines from groups rolling in parallel are
        // written in the order of their times.
        let mut out = std::io::stdout().lock();
        if let Some(value) = object(event, Utc::now()) {
            let _ = write_line(&mut out, &value);
        }
    }

    /// Whether `event` says something new: a `Progress` only when its group's counts or state
    /// changed since the last one written; any other event always.
    fn news(&self, event: &Event) -> bool {
        let Event::Progress { group, healthy, desired, state } = event else { return true };
        let news = (*healthy, *desired, state.clone());
        self.last.lock().map(|mut l| l.insert(group.clone(), news.clone()) != Some(news)).unwrap_or(true)
    }
}

/// What `-o jsonl` keeps between a command's events and its end, shared by every clone of
/// [`super::Output`]: whether the command streams events (it made a progress reporter) and
/// its result rows, held for the last object until the exit code is known.
#[derive(Debug, Default)]
pub(super) struct Stream {
    streaming: AtomicBool,
    results: Mutex<Vec<Value>>,
}

impl Stream {
    /// The command streams events: its result goes out last, with its exit code.
    pub(super) fn start(&self) {
        self.streaming.store(true, Ordering::SeqCst);
    }

    /// Whether the command streams events.
    pub(super) fn streaming(&self) -> bool {
        self.streaming.load(Ordering::SeqCst)
    }

    /// Keeps result rows for the last object (an array's items, or the one value).
    pub(super) fn keep(&self, rows: Value) {
        if let Ok(mut results) = self.results.lock() {
            match rows {
                Value::Array(items) => results.extend(items),
                other => results.push(other),
            }
        }
    }

    /// The `result` object with `status`, if the command streamed events (it is then written
    /// once: a second call returns `None`).
    pub(super) fn end(&self, status: u8) -> Option<Value> {
        if !self.streaming.swap(false, Ordering::SeqCst) {
            return None;
        }
        let results = self.results.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default();
        Some(result_object(status, Value::Array(results), Utc::now()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeZone;

    use super::*;

    fn validator() -> jsonschema::Validator {
        let schema: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/rollout-events.schema.json")).expect("schema JSON");
        jsonschema::draft202012::new(&schema).expect("a valid draft 2020-12 schema")
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 4, 5, 6, 7).single().expect("a time") + chrono::Duration::milliseconds(89)
    }

    fn g() -> String {
        "web/dev.frontend".to_owned()
    }

    /// Every event that has an object, with the name and fields it must carry.
    fn cases() -> Vec<(Event, Value)> {
        let t = "2025-03-04T05:06:07.089Z";
        vec![
            (
                Event::RolloutStarted {
                    group: g(),
                    kind: "update".into(),
                    from: Some("r1".into()),
                    to: "r2".into(),
                    instances: 4,
                    batches: vec![1, 3],
                    canary: Some(1),
                },
                json!({"event": "started", "time": t, "group": g(), "kind": "update", "from": "r1", "to": "r2",
                       "instances": 4, "batches": [1, 3], "canary": 1}),
            ),
            (
                Event::RolloutStarted {
                    group: g(),
                    kind: "restart".into(),
                    from: None,
                    to: "r2".into(),
                    instances: 2,
                    batches: vec![],
                    canary: None,
                },
                json!({"event": "started", "time": t, "group": g(), "kind": "restart", "from": null, "to": "r2",
                       "instances": 2, "batches": [], "canary": null}),
            ),
            (
                Event::BatchStarted { group: g(), batch: 2, batches: 3, size: 1 },
                json!({"event": "batch", "time": t, "group": g(), "batch": 2, "batches": 3, "size": 1}),
            ),
            (
                Event::BatchHealthy { group: g(), batch: 2, healthy: 2, desired: 3 },
                json!({"event": "healthy", "time": t, "group": g(), "batch": 2, "healthy": 2, "desired": 3}),
            ),
            (
                Event::Waiting { group: g(), wait: Duration::from_millis(1500) },
                json!({"event": "waiting", "time": t, "group": g(), "wait_seconds": 1.5,
                       "until": "2025-03-04T05:06:08.589Z"}),
            ),
            (
                Event::Progress { group: g(), healthy: 1, desired: 3, state: "deploying 1/3".into() },
                json!({"event": "progress", "time": t, "group": g(), "healthy": 1, "desired": 3,
                       "state": "deploying 1/3"}),
            ),
            (
                Event::Canary { group: g(), instances: 1, old: 4 },
                json!({"event": "canary", "time": t, "group": g(), "instances": 1, "old": 4}),
            ),
            (
                Event::Gate {
                    group: g(),
                    gate: "command".into(),
                    verdict: "inconclusive".into(),
                    detail: "exit 2".into(),
                },
                json!({"event": "gate", "time": t, "group": g(), "gate": "command", "verdict": "inconclusive",
                       "detail": "exit 2"}),
            ),
            (
                Event::Gate { group: g(), gate: "canary-for".into(), verdict: "passed".into(), detail: String::new() },
                json!({"event": "gate", "time": t, "group": g(), "gate": "canary-for", "verdict": "passed",
                       "detail": ""}),
            ),
            (
                Event::Paused { group: g(), by: "alice@ci-7".into(), reason: "awaiting promotion".into() },
                json!({"event": "paused", "time": t, "group": g(), "by": "alice@ci-7",
                       "reason": "awaiting promotion"}),
            ),
            (
                Event::Resumed { group: g(), by: "bob@laptop".into() },
                json!({"event": "resumed", "time": t, "group": g(), "by": "bob@laptop"}),
            ),
            (
                Event::Promoted { group: g(), by: "auto".into() },
                json!({"event": "promoted", "time": t, "group": g(), "by": "auto"}),
            ),
            (
                Event::Aborted { group: g(), by: "carol@ci-9".into() },
                json!({"event": "aborted", "time": t, "group": g(), "by": "carol@ci-9"}),
            ),
            (
                Event::RollingBack { group: g(), reason: "tasks keep failing".into() },
                json!({"event": "failed", "time": t, "group": g(), "reason": "tasks keep failing"}),
            ),
            (
                Event::RolledBack { group: g(), to: "r1".into() },
                json!({"event": "rolled-back", "time": t, "group": g(), "to": "r1"}),
            ),
            (Event::Converged { group: g() }, json!({"event": "done", "time": t, "group": g()})),
        ]
    }

    #[test]
    fn every_event_maps_to_its_documented_object_and_validates() {
        let validator = validator();
        for (event, want) in cases() {
            let got = object(&event, now()).unwrap_or_else(|| panic!("{event:?} has no object"));
            assert_eq!(got, want, "{event:?}");
            let errors: Vec<String> = validator.iter_errors(&got).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{got} does not validate: {errors:?}");
            // The name and the time lead every line.
            let keys: Vec<&String> = got.as_object().expect("an object").keys().take(3).collect();
            assert_eq!(keys, ["event", "time", "group"], "{got}");
        }
    }

    #[test]
    fn the_cases_cover_every_event_the_schema_names() {
        // A new Event variant fails to compile here until it is mapped above and listed.
        let names: std::collections::BTreeSet<&str> = cases()
            .iter()
            .map(|(e, _)| match e {
                Event::Started { .. } | Event::Finished => "",
                Event::Progress { .. } => "progress",
                Event::Converged { .. } => "done",
                Event::BatchStarted { .. } => "batch",
                Event::Waiting { .. } => "waiting",
                Event::RollingBack { .. } => "failed",
                Event::RolloutStarted { .. } => "started",
                Event::BatchHealthy { .. } => "healthy",
                Event::Canary { .. } => "canary",
                Event::Gate { .. } => "gate",
                Event::Paused { .. } => "paused",
                Event::Resumed { .. } => "resumed",
                Event::Promoted { .. } => "promoted",
                Event::Aborted { .. } => "aborted",
                Event::RolledBack { .. } => "rolled-back",
            })
            .collect();
        // The schema names the same events, and `result`.
        let schema: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/rollout-events.schema.json")).expect("schema JSON");
        let mut documented: std::collections::BTreeSet<&str> = schema["properties"]["event"]["enum"]
            .as_array()
            .expect("the event names")
            .iter()
            .flat_map(Value::as_str)
            .collect();
        assert!(documented.remove("result"));
        assert_eq!(names, documented);
    }

    #[test]
    fn started_and_finished_have_no_object() {
        assert_eq!(object(&Event::Started { total: 3 }, now()), None);
        assert_eq!(object(&Event::Finished, now()), None);
    }

    #[test]
    fn the_schema_rejects_what_no_line_looks_like() {
        let validator = validator();
        let bad = [
            json!({"event": "done", "group": "web/dev"}),
            json!({"event": "done", "time": "2025-03-04T05:06:07Z", "group": "web/dev"}),
            json!({"event": "done", "time": "2025-03-04T05:06:07.089+01:00", "group": "web/dev"}),
            json!({"event": "done", "time": "2025-03-04T05:06:07.089Z", "group": "dev"}),
            json!({"event": "batch", "time": "2025-03-04T05:06:07.089Z", "group": "web/dev", "batch": 1}),
            json!({"event": "done", "time": "2025-03-04T05:06:07.089Z", "group": "web/dev", "extra": 1}),
            json!({"event": "gate", "time": "2025-03-04T05:06:07.089Z", "group": "web/dev", "gate": "command",
                   "verdict": "maybe", "detail": ""}),
            json!({"event": "finished", "time": "2025-03-04T05:06:07.089Z", "group": "web/dev"}),
            json!({"event": "result", "time": "2025-03-04T05:06:07.089Z", "results": []}),
        ];
        for value in bad {
            assert!(!validator.is_valid(&value), "{value} should not validate");
        }
    }

    #[test]
    fn the_result_object_carries_the_exit_code_and_the_rows() {
        let stream = Stream::default();
        assert_eq!(stream.end(0), None, "no result object for a command that streamed nothing");
        stream.start();
        let row = json!({"service": "web", "group": "dev", "outcome": "rolled-back", "from": "r1", "to": "r2",
                         "instances": 2, "batches": [1, 1], "reason": "tasks keep failing",
                         "timings": {"total": 12.5, "batches": [3.0]}});
        stream.keep(json!([row.clone()]));
        let end = stream.end(3).expect("a result object");
        assert_eq!(end["event"], "result");
        assert_eq!(end["status"], 3);
        assert_eq!(end["results"], json!([row]));
        assert!(validator().is_valid(&end), "{end}");
        assert_eq!(stream.end(3), None, "the result object is written once");
    }

    #[test]
    fn progress_is_written_only_when_it_changes() {
        let events = Events::default();
        let p = |healthy, state: &str| Event::Progress { group: g(), healthy, desired: 2, state: state.into() };
        assert!(events.news(&p(0, "deploying")));
        assert!(!events.news(&p(0, "deploying")));
        assert!(events.news(&p(1, "deploying")));
        assert!(events.news(&p(1, "stable")));
        assert!(!events.news(&p(1, "stable")));
        let other = Event::Progress { group: "web/prod".into(), healthy: 1, desired: 2, state: "stable".into() };
        assert!(events.news(&other), "each group has its own last line");
        assert!(events.news(&Event::Converged { group: g() }));
        assert!(events.news(&Event::Converged { group: g() }), "only progress is deduplicated");
    }

    #[test]
    fn a_line_is_one_compact_object_ending_in_a_newline() {
        let mut buf = Vec::new();
        let value = object(&Event::Converged { group: g() }, now()).expect("an object");
        write_line(&mut buf, &value).expect("written");
        let text = String::from_utf8(buf).expect("UTF-8");
        assert_eq!(text, "{\"event\":\"done\",\"time\":\"2025-03-04T05:06:07.089Z\",\"group\":\"web/dev.frontend\"}\n");
    }
}
