//! `-o jsonl` end to end on the local engine and a real etcd: a rollout prints one JSON object
//! per event on stdout as it happens, each valid against tests/fixtures/rollout-events.schema.json
//! (docs/events.md), in order, with non-decreasing UTC times, and its result with the exit
//! code last; a failed rollout ends `failed`, `rolled-back`, then the result with status 3; and
//! a command that is no rollout (`view`) prints one object per result row.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::support::cmd::repo_path;
use super::support::env::Env;
use super::support::specs::HELLO;
use super::support::specs::{web_cmd as spec, SLEEP};

/// The documented schema of one line.
fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo_path("tests/fixtures/rollout-events.schema.json")).unwrap();
    jsonschema::draft202012::new(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// Parses every line of a rollout's stdout and checks what holds for any of them: each line is
/// one object valid against the schema, times never go back, and the one `result` object is
/// the last line. Returns the objects.
fn events(stdout: &str, stderr: &str) -> Vec<Value> {
    let validator = validator();
    let values: Vec<Value> = stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not one JSON object: {line:?}: {e}\n{stderr}"))
        })
        .collect();
    assert!(!values.is_empty(), "no output\n{stderr}");
    for v in &values {
        let errors: Vec<String> = validator.iter_errors(v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{v} does not match the schema: {errors:?}");
    }
    let times: Vec<&str> = values.iter().map(|v| v["time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "times go back: {times:?}");
    let results = values.iter().filter(|v| v["event"] == "result").count();
    assert_eq!(results, 1, "{stdout}");
    assert_eq!(values.last().unwrap()["event"], "result", "{stdout}");
    values
}

/// The names of the events, `progress` left out (it comes whenever counts change).
fn names(values: &[Value]) -> Vec<String> {
    values.iter().map(|v| v["event"].as_str().unwrap().to_owned()).filter(|n| n != "progress").collect()
}

#[test]
fn an_update_streams_its_events_in_order_and_its_result_last() {
    let env = Env::start();
    let v1 = env.write("v1.toml", &spec("1", SLEEP, 3));
    env.ok(&["create", &v1, "--poll-interval", "100ms"]);
    let v2 = env.write("v2.toml", &spec("2", SLEEP, 3));
    let out = env.out(&["update", &v2, "--batch", "1", "--wait", "1s", "--poll-interval", "100ms", "-o", "jsonl"]);
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    let values = events(&out.stdout, &out.stderr);
    assert_eq!(
        names(&values),
        ["started", "batch", "healthy", "waiting", "batch", "healthy", "waiting", "batch", "healthy", "done", "result"],
        "{}",
        out.stdout
    );
    let started = &values[0];
    assert_eq!(started["group"], "web/dev");
    assert_eq!(started["kind"], "update");
    assert_eq!(started["instances"], 3);
    assert_eq!(started["batches"], serde_json::json!([1, 1, 1]));
    assert_ne!(started["from"], started["to"]);
    let batches: Vec<&Value> = values.iter().filter(|v| v["event"] == "batch").collect();
    for (k, b) in batches.iter().enumerate() {
        assert_eq!(
            (b["batch"].as_u64(), b["batches"].as_u64(), b["size"].as_u64()),
            (Some(k as u64 + 1), Some(3), Some(1))
        );
    }
    let healthy: Vec<u64> =
        values.iter().filter(|v| v["event"] == "healthy").map(|v| v["healthy"].as_u64().unwrap()).collect();
    assert_eq!(healthy, [1, 2, 3], "new instances healthy after each batch");
    let waiting = values.iter().find(|v| v["event"] == "waiting").unwrap();
    assert_eq!(waiting["wait_seconds"], 1.0);
    assert!(waiting["until"].as_str().unwrap() > waiting["time"].as_str().unwrap());
    let result = values.last().unwrap();
    assert_eq!(result["status"], 0);
    let rows = result["results"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{result}");
    assert_eq!(
        (&rows[0]["service"], &rows[0]["group"], &rows[0]["outcome"]),
        (&"web".into(), &"dev".into(), &"rolled".into())
    );
    assert_eq!(rows[0]["to"], started["to"]);
    // Status lines stay on stderr.
    assert!(out.stderr.contains("Updated"), "{}", out.stderr);
}

#[test]
fn a_failed_update_ends_failed_rolled_back_and_status_3() {
    let env = Env::start();
    let v1 = env.write("v1.toml", &spec("1", SLEEP, 2));
    env.ok(&["create", &v1, "--poll-interval", "100ms"]);
    let v2 = env.write("v2.toml", &spec("2", "exit 1", 2));
    let args = ["update", &v2, "--fail-after", "2s", "--deadline", "60s", "--poll-interval", "100ms", "-o", "jsonl"];
    let out = env.out(&args);
    assert_eq!(out.code, Some(3), "{}\n{}", out.stdout, out.stderr);
    let values = events(&out.stdout, &out.stderr);
    let names = names(&values);
    assert_eq!(names.first().map(String::as_str), Some("started"), "{}", out.stdout);
    assert_eq!(names[names.len() - 3..], ["failed", "rolled-back", "result"], "{}", out.stdout);
    assert!(!names.contains(&"done".to_owned()), "{}", out.stdout);
    let named = |name: &str| values.iter().rfind(|v| v["event"] == name).unwrap();
    let (failed, rolled_back, result) = (named("failed"), named("rolled-back"), named("result"));
    assert!(!failed["reason"].as_str().unwrap().is_empty(), "{failed}");
    assert_eq!(rolled_back["to"], values[0]["from"], "rolled back to the revision it rolled from");
    assert_eq!(result["status"], 3);
    assert_eq!(result["results"][0]["outcome"], "rolled-back", "{result}");
}

#[test]
fn events_arrive_while_the_rollout_still_runs() {
    let env = Env::start();
    let v1 = env.write("v1.toml", &spec("1", SLEEP, 2));
    env.ok(&["create", &v1, "--poll-interval", "100ms"]);
    let v2 = env.write("v2.toml", &spec("2", SLEEP, 2));
    let mut child = env
        .process()
        .args(["update", &v2, "--batch", "1", "--wait", "3s", "--poll-interval", "100ms", "-o", "jsonl"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // Each of these lines is read while the process still runs: it pauses 3s after the first
    // batch is healthy, so none of them waited for the end.
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    for wanted in ["started", "batch", "healthy", "waiting"] {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).unwrap_or_else(|e| {
                let _ = child.kill();
                panic!("no `{wanted}` line: {e}; got {seen:?}")
            });
            let value: Value = serde_json::from_str(&line).unwrap();
            let running = child.try_wait().unwrap().is_none();
            seen.push(line);
            if value["event"] == wanted {
                assert!(running, "`{wanted}` was read only after the process ended: {seen:?}");
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    reader.join().unwrap();
    seen.extend(rx.try_iter());
    assert_eq!(status.code(), Some(0), "{seen:?}");
    let last: Value = serde_json::from_str(seen.last().unwrap()).unwrap();
    assert_eq!((&last["event"], &last["status"]), (&"result".into(), &0.into()), "{seen:?}");
}

#[test]
fn create_streams_done_per_group_and_view_prints_one_object_per_row() {
    let env = Env::start();
    let file = env.write("hello.toml", HELLO);
    let out = env.out(&["create", &file, "--poll-interval", "100ms", "-o", "jsonl"]);
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    let values = events(&out.stdout, &out.stderr);
    let mut done: Vec<&str> =
        values.iter().filter(|v| v["event"] == "done").map(|v| v["group"].as_str().unwrap()).collect();
    done.sort_unstable();
    assert_eq!(done, ["hello/backend.dev", "hello/dev.frontend"], "{}", out.stdout);
    let result = values.last().unwrap();
    assert_eq!(result["status"], 0);
    assert_eq!(result["results"].as_array().unwrap().len(), 2, "{result}");
    assert!(result["results"].as_array().unwrap().iter().all(|r| r["result"] == "created"), "{result}");

    let json = env.json(&["view"]);
    let out = env.out(&["view", "-o", "jsonl"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let rows: Vec<Value> = out.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2, "{}", out.stdout);
    assert!(rows.iter().all(|r| r.is_object() && r.get("event").is_none()), "{}", out.stdout);
    assert_eq!(Value::Array(rows), json, "-o jsonl prints the rows -o json puts in its array");

    // A selection that matches nothing prints nothing, not an empty array.
    let out = env.out(&["view", "-l", "nosuchlabel", "-o", "jsonl"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

#[test]
fn a_canary_streams_its_gates_promotion_and_a_detached_hold() {
    let env = Env::start();
    let v1 = env.write("v1.toml", &spec("1", SLEEP, 2));
    env.ok(&["create", &v1, "--poll-interval", "200ms"]);
    let v2 = env.write("v2.toml", &spec("2", SLEEP, 2));
    let common = ["--poll-interval", "200ms", "--canary", "1", "-o", "jsonl"];
    let out = env.out(&[&["update", &v2, "--canary-for", "1s", "--gate", "true"][..], &common].concat());
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let values = events(&out.stdout, &out.stderr);
    assert_eq!(
        names(&values),
        ["started", "canary", "gate", "gate", "promoted", "batch", "healthy", "done", "result"],
        "{}",
        out.stdout
    );
    let started = &values[0];
    assert_eq!((started["canary"].as_u64(), started["instances"].as_u64()), (Some(1), Some(2)));
    let gates: Vec<(&str, &str)> = values
        .iter()
        .filter(|v| v["event"] == "gate")
        .map(|v| (v["gate"].as_str().unwrap(), v["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(gates, [("canary-for", "passed"), ("command", "passed")]);
    assert_eq!(values.iter().find(|v| v["event"] == "promoted").unwrap()["by"], "auto");

    let v3 = env.write("v3.toml", &spec("3", SLEEP, 2));
    let out = env.out(&[&["update", &v3, "--promote", "manual", "--detach"][..], &common].concat());
    assert_eq!(out.code, Some(11), "{}", out.stderr);
    let values = events(&out.stdout, &out.stderr);
    assert_eq!(names(&values), ["started", "canary", "paused", "result"], "{}", out.stdout);
    let result = values.last().unwrap();
    assert_eq!(result["status"], 11);
    assert_eq!(result["results"][0]["outcome"], "paused");
    assert_eq!(values.iter().find(|v| v["event"] == "paused").unwrap()["reason"], "awaiting promotion");
}
