//! End to end: the real binary creates, plans, scales, views and removes labeled groups on the
//! local engine, with registration in a real etcd.

use crate::support::gk;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::support::cmd::theseus;
use super::support::env::Env;
use super::support::proxy::Proxy;
use super::support::specs::HELLO as SPEC;

impl Env {
    fn spec_file(&self, text: &str) -> String {
        self.write("spec.toml", text)
    }
}

fn fast() -> [&'static str; 4] {
    ["--poll-interval", "200ms", "--fail-after", "3s"]
}

#[test]
fn create_registers_view_scales_and_removes() {
    let env = Env::start();
    let spec = env.spec_file(SPEC);
    let spec = spec.as_str();

    // plan before: two creates, exit 10 with --exit-code
    let plan = env.cmd().args(["plan", spec, "--exit-code", "-o", "json"]).output().unwrap();
    assert_eq!(plan.status.code(), Some(10), "{}", String::from_utf8_lossy(&plan.stderr));
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(plan.as_array().unwrap().iter().filter(|p| p["action"] == "create").count(), 2);

    let created = env.json(&["create", spec, "--timeout", "60s", "--poll-interval", "200ms", "--fail-after", "10s"]);
    assert_eq!(created.as_array().unwrap().len(), 2);
    assert!(created.as_array().unwrap().iter().all(|g| g["result"] == "created" && g["converged"] == true));

    // etcd matches Marathon: 3 containers across 2 groups, with config
    let endpoints = env.json(&["endpoints", "hello"]);
    assert_eq!(endpoints.as_array().unwrap().len(), 3, "{endpoints}");
    let frontend = env.json(&["endpoints", "hello", "-l", "frontend"]);
    assert_eq!(frontend.as_array().unwrap().len(), 2);

    // view: one row per group, stable
    let view = env.json(&["view", "hello", "-l", "dev"]);
    let rows = view.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_eq!(row["state"], "stable", "{row}");
        assert_eq!(row["instances"]["healthy"], row["instances"]["desired"]);
    }

    // plan after: nothing pending
    let plan = env.cmd().args(["plan", spec, "--exit-code"]).output().unwrap();
    assert_eq!(plan.status.code(), Some(0), "{}", String::from_utf8_lossy(&plan.stdout));

    // creating again is refused (exit 2), unless --skip-existing
    let again = env.cmd().args(["create", spec]).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exist"));
    let skipped = env.json(&["create", spec, "--skip-existing"]);
    assert!(skipped.as_array().unwrap().iter().all(|g| g["result"] == "skipped"));

    // scale down drains then kills; registration follows
    let mut args = vec!["scale", "hello", "-l", "dev,frontend", "--instances", "1"];
    args.extend(fast());
    let scaled = env.json(&args);
    assert_eq!(scaled[0]["instances"], 1);
    assert_eq!(env.json(&["endpoints", "hello", "-l", "frontend"]).as_array().unwrap().len(), 1);
    let plan = env.json(&["plan", spec]);
    assert!(plan.as_array().unwrap().iter().any(|p| p["action"] == "scale"), "{plan}");

    // remove refuses a whole service without --all, and a dry run changes nothing
    let refused = env.cmd().args(["remove", "hello"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let dry = env.json(&["remove", "hello", "--all", "--dry-run"]);
    assert_eq!(dry.as_array().unwrap().len(), 2);
    assert_eq!(env.json(&["endpoints", "hello"]).as_array().unwrap().len(), 2);

    let removed = env.json(&["remove", "hello", "-l", "backend"]);
    assert_eq!(removed[0]["result"], "removed");
    assert_eq!(env.json(&["view", "hello"]).as_array().unwrap().len(), 1);
    env.json(&["remove", spec, "--all"]);
    assert_eq!(env.json(&["view"]).as_array().unwrap().len(), 0);
    let gone = env.cmd().args(["endpoints", "hello"]).output().unwrap();
    assert_ne!(gone.status.code(), Some(0), "the service left etcd with its last group");
}

#[test]
fn unplaceable_groups_fail_fast_with_marathons_reason() {
    let env = Env::start();
    let spec = env.spec_file(
        r#"
namespace = "it"
[service.picky]
cmd = "sleep 600"
cpus = 0.1
mem = 32
constraints = [["rack", "CLUSTER", "no-such-rack"]]
[[service.picky.group]]
labels = ["dev"]
instances = 1
"#,
    );
    // The contract (it was exit 1 before): a create that cannot be placed
    // is undone (the group leaves Marathon and etcd) and exits 3.
    let started = Instant::now();
    let out = env
        .cmd()
        .args(["create", spec.as_str(), "--poll-interval", "200ms", "--fail-after", "1s", "--timeout", "60s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("UnfulfilledConstraint") && stderr.contains("undone"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("picky") && stdout.contains("undone"), "the group's row says undone: {stdout}");
    assert!(started.elapsed() < Duration::from_secs(30), "failed fast, not at the timeout");
    assert_eq!(env.json(&["view", "picky"]).as_array().unwrap().len(), 0, "undone in Marathon");
    assert_ne!(env.cmd().args(["endpoints", "picky"]).output().unwrap().status.code(), Some(0), "and in etcd");
    // With --no-wait nothing is undone: view says why it waits ...
    let out = env.cmd().args(["create", spec.as_str(), "--no-wait"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let view = env.json(&["view", "picky"]);
        if view[0]["state"].as_str().is_some_and(|s| s.contains("no offer matches the constraint")) {
            break;
        }
        assert!(Instant::now() < deadline, "view never gave the reason: {view}");
    }
    // ... and its deployment never ends (Marathon retries forever), so a change is refused with 409: exit 6
    let out = env.cmd().args(["scale", "picky", "-l", "dev", "--instances", "2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("locked"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Integrity: a scale-down that Marathon refuses (409: the app is locked by a deployment that
/// never ends) must leave etcd as it was. The victims are deregistered just before the kill
/// request and registered again when it is refused (DESIGN §4: "on any refusal, etcd stays as
/// it was"; Marathon's lock: `core/deployment/impl/DeploymentManagerActor.scala`, `api/v2/AppsResource.scala`).
#[test]
fn a_refused_scale_down_leaves_the_registrations_as_they_were() {
    let env = Env::start();
    let spec = env.spec_file(
        r#"
namespace = "it"
[service.spread]
cmd = "sleep 600"
cpus = 0.1
mem = 32
constraints = [["hostname", "UNIQUE"]]
[[service.spread.group]]
labels = ["dev"]
instances = 2
"#,
    );
    let created = env.cmd().args(["create", spec.as_str()]).args(fast()).output().unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    // Five on three agents with UNIQUE hostname: the deployment can never finish.
    let out = env.cmd().args(["scale", "spread", "-l", "dev", "--instances", "5", "--no-wait"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let registered = |env: &Env| env.json(&["endpoints", "spread", "-l", "dev"]).as_array().unwrap().len();
    let before = registered(&env);
    assert!(before >= 2, "the running containers are registered");
    let out = env.cmd().args(["scale", "spread", "-l", "dev", "--instances", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(registered(&env), before, "a refused kill puts its victims back");
}

#[test]
fn view_costs_a_constant_number_of_requests() {
    let env = Env::start();
    let mut text = String::from("namespace = \"it\"\n[service.many]\ncmd = \"sleep 600\"\ncpus = 0.01\nmem = 1\n");
    for i in 0..5 {
        text.push_str(&format!("[[service.many.group]]\nlabels = [\"g{i}\"]\ninstances = 0\n"));
    }
    let spec = env.spec_file(&text);
    env.json(&["create", spec.as_str(), "--poll-interval", "200ms"]);
    let before = env.engine.requests();
    env.json(&["view"]);
    let small = env.engine.requests() - before;

    let mut more = text.clone();
    for i in 5..40 {
        more.push_str(&format!("[[service.many.group]]\nlabels = [\"g{i}\"]\ninstances = 0\n"));
    }
    let spec = env.spec_file(&more);
    env.json(&["create", spec.as_str(), "--skip-existing", "--poll-interval", "200ms"]);
    let before = env.engine.requests();
    let view = env.json(&["view"]);
    assert_eq!(view.as_array().unwrap().len(), 40);
    let large = env.engine.requests() - before;
    assert_eq!(small, large, "view must not issue a request per group");
    assert_eq!(large, 3, "apps with tasks, deployments, queue");
}

#[test]
fn bad_input_and_unreachable_servers_change_nothing() {
    let env = Env::start();
    let spec = env.spec_file(SPEC);
    let spec = spec.as_str();
    // Marathon down: exit 1, clear message
    let out = theseus()
        .args(["--marathon", "http://127.0.0.1:9", "--etcd", &env.etcd.endpoint, "create", spec])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach Marathon"));
    // etcd down: exit 1 before anything reaches Marathon
    let out = theseus()
        .args(["--marathon", &env.engine.url(), "--etcd", "127.0.0.1:9", "--request-timeout", "2s", "create", spec])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(env.json(&["view"]).as_array().unwrap().len(), 0, "nothing was created");
    // unknown group
    let out = env.cmd().args(["scale", "hello", "-l", "nope", "--instances", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no group of service `hello`"));
    // invalid spec: exit 2, nothing sent
    let bad = env.spec_file("[service.Bad]\ncmd = \"xx\"\n");
    let before = env.engine.requests();
    let out = env.cmd().args(["create", bad.as_str()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(env.engine.requests(), before, "an invalid spec sends nothing");
}

#[test]
fn marathon_rejecting_the_apps_changes_nothing_anywhere() {
    let env = Env::start();
    let proxy = Proxy::start(&env.engine.url());
    proxy.inject(
        "PUT",
        "/v2/apps",
        422,
        r#"{"message":"Object is not valid","details":[{"path":"/0/mem","errors":["error.min"]}]}"#,
        1,
    );
    let spec = env.spec_file(SPEC);
    let out = theseus()
        .args(["--marathon", &proxy.url(), "--etcd", &env.etcd.endpoint, "create", spec.as_str()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "422 is invalid input");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Object is not valid") && stderr.contains("/0/mem: error.min"), "{stderr}");
    assert_eq!(env.json(&["view"]).as_array().unwrap().len(), 0, "nothing in Marathon");
    assert!(env.etcd.dump().is_empty(), "nothing in etcd: {:?}", env.etcd.dump());
}

#[test]
fn the_config_key_holds_what_was_deployed() {
    let env = Env::start();
    let spec = env.spec_file(SPEC);
    env.json(&["create", spec.as_str(), "--poll-interval", "200ms"]);
    let dump = env.etcd.dump();
    let config = dump
        .iter()
        .find(|(k, _)| k == "/services/hello/dev.frontend/config")
        .unwrap_or_else(|| panic!("no config key in {dump:?}"));
    let config: Value = serde_json::from_str(&config.1).unwrap();
    assert_eq!(config["instances"], 2);
    assert_eq!(config["namespace"], "it");
    let rendered = env.json(&["render", spec.as_str(), "-l", "frontend"]);
    assert_eq!(config["app_id"], rendered[0]["id"]);
    let mut args = vec!["scale", "hello", "-l", "dev,frontend", "--instances", "3"];
    args.extend(fast());
    env.json(&args);
    let dump = env.etcd.dump();
    let config = dump.iter().find(|(k, _)| k == "/services/hello/dev.frontend/config").unwrap();
    assert_eq!(serde_json::from_str::<Value>(&config.1).unwrap()["instances"], 3);
    let containers = dump
        .iter()
        .filter(|(k, _)| k.starts_with("/services/hello/dev.frontend/containers/") && k.ends_with("/info"))
        .count();
    assert_eq!(containers, 3, "registration follows the scale-up");
}

#[test]
fn a_group_locked_by_another_theseus_is_not_touched_and_exits_6() {
    let env = Env::start();
    let spec = env.spec_file(SPEC);
    env.json(&["create", spec.as_str(), "--poll-interval", "200ms"]);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let lock = rt.block_on(async {
        let driver = env.etcd.driver().await;
        driver.lock_group(&gk("hello", "dev.frontend"), "ci-job-42", Duration::from_secs(5)).await.unwrap()
    });
    let before = env.engine.requests();
    let out = env
        .cmd()
        .args(["scale", "hello", "-l", "dev,frontend", "--instances", "1", "--lock-timeout", "500ms"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ci-job-42"), "the holder is named");
    assert_eq!(env.engine.requests() - before, 3, "only the snapshot read reached Marathon");
    let view = env.json(&["view", "hello", "-l", "frontend"]);
    assert_eq!(view[0]["instances"]["desired"], 2, "nothing changed");
    rt.block_on(lock.release()).unwrap();
    let mut args = vec!["scale", "hello", "-l", "dev,frontend", "--instances", "1"];
    args.extend(fast());
    env.json(&args);
}

#[test]
fn view_watch_streams_one_json_document_per_refresh() {
    use std::io::{BufRead, BufReader};
    let env = Env::start();
    let spec = env.spec_file(SPEC);
    env.json(&["create", spec.as_str(), "--poll-interval", "200ms"]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_theseus"))
        .args(["--marathon", &env.engine.url(), "view", "--watch", "--interval", "200ms", "-o", "json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for _ in 0..2 {
        let line = lines.next().unwrap().unwrap();
        let doc: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(doc.as_array().unwrap().len(), 2, "{line}");
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn quiet_silences_status_lines_but_not_results() {
    let env = Env::start();
    let spec = env.spec_file(SPEC);
    let out = env.cmd().args(["-q", "create", spec.as_str(), "--poll-interval", "200ms"]).output().unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created"));
    let out = env.cmd().args(["remove", "hello", "--all", "--dry-run"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("would-remove"));
    let out = env.cmd().args(["remove", "hello", "--all"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("Removing"), "status lines without -q");
}

/// `remove --dry-run` of a service etcd records with more groups than one count transaction
/// carries, and none in Marathon (a service whose apps are gone): each of this namespace's
/// groups is listed with its registered containers, another namespace's group is not, and
/// etcd is read in batches: the requests do not grow with the groups (no group's config or
/// containers are read on their own).
#[test]
fn remove_reads_the_recorded_groups_of_a_service_in_batches() {
    let env = Env::start();
    let groups = theseus::etcd::GROUPS_PER_TXN + 6;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let d = env.etcd.driver().await;
        for i in 0..groups {
            let key = gk("old", &format!("g{i:03}"));
            d.create_group(&key, &serde_json::json!({ "namespace": "theseus" })).await.unwrap();
            let infos: Vec<_> = (0..i % 3).map(|t| super::etcd_driver::info(&format!("g{i:03}.t{t}"), 31000)).collect();
            if !infos.is_empty() {
                d.register_containers(&key, &infos).await.unwrap();
            }
        }
        d.create_group(&gk("old", "theirs"), &serde_json::json!({ "namespace": "other" })).await.unwrap();
    });
    let unnamed = env.out(&["remove", "old", "--all", "--dry-run"]);
    assert_eq!(unnamed.code, Some(2), "{}", unnamed.stderr);
    assert!(unnamed.stderr.contains("recorded in etcd by several namespaces: other, theseus"), "{}", unnamed.stderr);
    let out = env.ok(&["-v", "remove", "old", "--all", "--dry-run", "-o", "json", "--namespace", "theseus"]);
    let rows = out.json();
    let got: Vec<(String, u64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["group"].as_str().unwrap().to_owned(), r["registered"].as_u64().unwrap()))
        .collect();
    let want: Vec<(String, u64)> = (0..groups).map(|i| (format!("g{i:03}"), (i % 3) as u64)).collect();
    assert_eq!(got, want, "this namespace's groups with their containers; `theirs` is not one");
    let etcd_requests: Vec<&str> =
        out.stderr.lines().filter(|l| l.contains("theseus::etcd:") && l.contains(" -> ")).collect();
    assert!(etcd_requests.len() < 8, "{} groups in {} etcd requests: {etcd_requests:#?}", groups, etcd_requests.len());
    assert!(!etcd_requests.iter().any(|l| l.contains("/config ") || l.contains("/g001 ")), "{etcd_requests:#?}");
}
