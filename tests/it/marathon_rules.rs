//! Marathon's own validation and engine rules: behaviours where the spec validator and the local engine used to
//! agree with each other but not with Marathon. Each test cites the Marathon source it follows
//! (`M:` = mesosphere/marathon at tag v1.10.26, the engine's reference release); the rules
//! themselves live in `theseus::marathon::rules`, shared by `validate` and the engine.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::engine::{frames, Engine};

const T: Duration = Duration::from_secs(60);

/// The frames of `text` for `app`, up to and including the first time one of its tasks is
/// being killed (`TASK_KILLING`/`TASK_KILLED`), or `None` if that has not happened yet.
fn until_killed(text: &str, app: &str) -> Option<Vec<(String, Value)>> {
    let mut out = Vec::new();
    for (kind, data) in frames(text) {
        if data["appId"] != app {
            continue;
        }
        let killed = kind == "status_update_event"
            && matches!(data["taskStatus"].as_str(), Some("TASK_KILLING" | "TASK_KILLED"));
        out.push((kind, data));
        if killed {
            return Some(out);
        }
    }
    None
}

fn count(frames: &[(String, Value)], kind: &str) -> usize {
    frames.iter().filter(|(k, _)| k == kind).count()
}

/// The frames after the last passed check (`alive` turned true): the consecutive failures. (On
/// a shared machine another program may briefly answer on the task's port.)
fn since_last_success(frames: &[(String, Value)]) -> &[(String, Value)] {
    let last = frames.iter().rposition(|(k, v)| k == "health_status_changed_event" && v["alive"] == true);
    &frames[last.map_or(0, |i| i + 1)..]
}

/// Item 1. `maxConsecutiveFailures` means different things per level
/// (M:docs/docs/health-checks.md): Mesos gets it as `consecutive_failures` for COMMAND and
/// MESOS_* checks (M:src/main/scala/mesosphere/marathon/core/health/HealthCheck.scala `toMesos`)
/// and kills at that many failures, so 0 kills at the first; Marathon kills its own checks when
/// the count *before* a failure reaches it (M:.../core/health/impl/HealthCheckActor.scala
/// `checkConsecutiveFailures`), so 1 kills at the second failure, 0 never, and only Marathon
/// announces its kill with `unhealthy_instance_kill_event`.
#[test]
fn max_consecutive_failures_follows_the_level_of_the_check() {
    let e = Engine::start();
    let mut events = e.events(
        "?event_type=failed_health_check_event&event_type=status_update_event&event_type=unhealthy_instance_kill_event&event_type=health_status_changed_event",
    );
    let check = |protocol: &str, max: u32| {
        let mut c = json!({"protocol": protocol, "intervalSeconds": 1, "gracePeriodSeconds": 0, "timeoutSeconds": 1,
            "maxConsecutiveFailures": max});
        if protocol == "COMMAND" {
            c["command"] = json!({"value": "false"});
        } else {
            c["portIndex"] = json!(0); // nothing listens on the task's port
        }
        c
    };
    let app = |id: &str, hc: Value| json!({"id": id, "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "backoffSeconds": 600, "healthChecks": [hc]});
    for (id, hc) in [("/mesos", check("COMMAND", 0)), ("/marathon", check("TCP", 1)), ("/never", check("TCP", 0))] {
        assert_eq!(e.call("POST", "/v2/apps", Some(&app(id, hc))).status, 201);
    }
    let text = events.read_until(T, |t| until_killed(t, "/mesos").is_some() && until_killed(t, "/marathon").is_some());

    let mesos = until_killed(&text, "/mesos").unwrap();
    let mesos = since_last_success(&mesos);
    assert_eq!(count(mesos, "failed_health_check_event"), 1, "Mesos kills at the first failure: {mesos:?}");
    assert_eq!(count(mesos, "unhealthy_instance_kill_event"), 0, "Mesos kills without Marathon's event");

    let marathon = until_killed(&text, "/marathon").unwrap();
    let marathon = since_last_success(&marathon);
    assert_eq!(count(marathon, "failed_health_check_event"), 2, "Marathon kills after more than 1: {marathon:?}");
    assert_eq!(count(marathon, "unhealthy_instance_kill_event"), 1);

    // maxConsecutiveFailures 0 on a Marathon-level check: failing, counted, never killed.
    e.wait_for("a task of /never", T, |e| !e.tasks("/never").is_empty());
    let first = e.tasks("/never")[0]["id"].clone();
    e.wait_for("/never to fail three checks", T, |e| {
        e.tasks("/never").first().is_some_and(|t| t["healthCheckResults"][0]["consecutiveFailures"].as_u64() >= Some(3))
    });
    let tasks = e.tasks("/never");
    assert_eq!((tasks.len(), &tasks[0]["id"], &tasks[0]["state"]), (1, &first, &json!("TASK_RUNNING")));
    assert!(until_killed(&text, "/never").is_none());
}

/// Item 2. Mesos runs one health check per task: M:src/main/scala/mesosphere/mesos/TaskBuilder.scala
/// hands it the first Mesos-level check ("Mesos supports at most one health check") and
/// M:.../core/health/impl/MarathonHealthCheckManager.scala feeds the task's one Mesos health
/// status to every Mesos-level check. The engine accepts such an app, as Marathon does
/// (M:.../api/v2/validation/AppValidation.scala `haveAtMostOneMesosHealthCheck` leaves COMMAND
/// checks out of its count), runs the first and copies its result; `validate` refuses it
/// (tests/fixtures/invalid/health-two-mesos-level.toml).
#[test]
fn one_mesos_level_check_runs_and_every_mesos_level_check_shows_its_result() {
    let e = Engine::start();
    let command = |file: &str| {
        json!({"protocol": "COMMAND", "command": {"value": format!("echo ran >> {file}")}, "intervalSeconds": 1,
            "gracePeriodSeconds": 0, "maxConsecutiveFailures": 3})
    };
    // The MESOS_TCP check would fail (nothing listens), and the second command would write a file.
    let app = json!({"id": "/one", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "healthChecks": [
        command("first"), command("second"),
        {"protocol": "MESOS_TCP", "portIndex": 0, "intervalSeconds": 1, "gracePeriodSeconds": 0, "timeoutSeconds": 1}]});
    let r = e.call("POST", "/v2/apps", Some(&app));
    assert_eq!(r.status, 201, "Marathon accepts one MESOS_* check beside COMMAND checks: {}", r.text);
    e.wait_idle(T);
    let task = e.tasks("/one")[0].clone();
    let sandbox = e.handle().task_sandbox(task["id"].as_str().unwrap()).unwrap();
    let runs = || std::fs::read_to_string(sandbox.join("first")).unwrap_or_default().lines().count();
    e.wait_for("the first check to run three times", T, |_| runs() >= 3);
    assert!(!sandbox.join("second").exists(), "the second Mesos-level check never runs");
    let results = e.tasks("/one")[0]["healthCheckResults"].as_array().unwrap().clone();
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r["alive"] == true), "the MESOS_TCP check shows the COMMAND's result: {results:?}");
    assert!(results.windows(2).all(|w| w[0]["firstSuccess"] == w[1]["firstSuccess"]), "{results:?}");
    assert_eq!(e.get("/v2/apps/one")["app"]["tasksHealthy"], 1);

    // Two MESOS_* checks are refused (AppValidation.scala), mixing levels is not.
    let two = json!({"id": "/two", "cmd": "sleep 1000", "healthChecks": [{"protocol": "MESOS_TCP"}, {"protocol": "MESOS_HTTP"}]});
    let r = e.call("POST", "/v2/apps", Some(&two));
    assert_eq!(r.status, 422);
    assert_eq!(r.json["details"][0]["errors"][0], "AppDefinition can contain at most one Mesos health check");
    let mixed = json!({"id": "/mixed", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8,
        "healthChecks": [{"protocol": "HTTP"}, {"protocol": "MESOS_TCP"}]});
    assert_eq!(e.call("POST", "/v2/apps", Some(&mixed)).status, 201);
}

/// Item 3. M:src/main/scala/mesosphere/marathon/state/Group.scala `noAppsAndGroupsWithSameName`
/// ("Groups and Applications may not have the same identifier.", pinned by
/// M:src/test/scala/mesosphere/marathon/state/RootGroupTest.scala): an app may not take a
/// group's id, through any endpoint, and nothing changes.
#[test]
fn an_app_and_a_group_never_share_an_id() {
    let e = Engine::start();
    let app = |id: &str| json!({"id": id, "cmd": "sleep 1000", "cpus": 0.1, "mem": 8});
    assert_eq!(e.call("POST", "/v2/apps", Some(&app("/some/nested/path2/app"))).status, 201);
    e.wait_idle(T);
    let before = e.get("/v2/groups");
    let refused = |r: crate::support::engine::Reply| {
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.json["message"], "Object is not valid");
        assert_eq!(r.json["details"][0]["errors"][0], "Groups and Applications may not have the same identifier.");
    };
    refused(e.call("POST", "/v2/apps", Some(&app("/some/nested"))));
    refused(e.call("PUT", "/v2/apps/some", Some(&app("/some"))));
    refused(e.call("POST", "/v2/apps", Some(&app("/some/nested/path2/app/inner"))));
    let clash =
        json!({"id": "/other", "apps": [app("/other/x")], "groups": [{"id": "/other/x", "apps": [app("/other/x/y")]}]});
    refused(e.call("POST", "/v2/groups", Some(&clash)));
    assert_eq!(e.get("/v2/groups"), before, "a refused change leaves the tree as it was");
    assert_eq!(e.call("POST", "/v2/apps", Some(&app("/some/nested-app"))).status, 201, "a sibling id is fine");
}

/// Items 4, 5 and 7 on both sides: what `validate` accepts renders to apps the engine accepts
/// (RAML `strings.LegacyName` and `strings.NetworkProtocol` in
/// M:docs/docs/rest-api/public/api/v2/types/stringTypes.raml; single-instance apps in
/// M:.../api/v2/validation/SchedulingValidation.scala and M:.../state/UpgradeStrategy.scala;
/// DC/OS migration labels and `cmd` in M:.../api/v2/validation/AppValidation.scala), and the
/// engine answers 422 with Marathon's messages for what Marathon refuses.
#[test]
fn spec_and_engine_agree_on_ports_labels_and_cmd() {
    let src = r#"
[service.db]
cmd = "sleep 1000"
cpus = 0.1
mem = 8
ports = [{ name = "dns-1", protocol = "udp,tcp" }, { name = "admin" }]
marathon_labels = { MARATHON_SINGLE_INSTANCE_APP = "true", HAPROXY_GROUP = "internal", HAPROXY_0_VHOST = "db.example.com", DCOS_MIGRATION_API_VERSION = "v1", DCOS_MIGRATION_API_PATH = "/v1/plan", DCOS_PACKAGE_FRAMEWORK_NAME = "db" }
[[service.db.group]]
labels = ["prod"]
instances = 1
"#;
    let spec = theseus::spec::parse("db.toml", src).expect("the spec is valid");
    let app = spec.apps(&spec.groups).remove(0);
    let body = serde_json::to_value(&app).unwrap();
    assert_eq!(body["upgradeStrategy"], json!({"minimumHealthCapacity": 0.0, "maximumOverCapacity": 0.0}));
    assert_eq!(body["portDefinitions"][0]["protocol"], "udp,tcp");
    let e = Engine::start();
    let r = e.call("POST", "/v2/apps", Some(&body));
    assert_eq!(r.status, 201, "{}", r.text);
    let stored = e.get(&format!("/v2/apps{}", app.id))["app"].clone();
    assert_eq!(stored["labels"]["HAPROXY_0_VHOST"], "db.example.com", "other labels pass through");
    assert_eq!(stored["portDefinitions"][0]["protocol"], "udp,tcp");

    let refused = |patch: Value, path: &str, error: &str| {
        let mut bad = json!({"id": "/bad", "cmd": "sleep 1000"});
        for (k, v) in patch.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let r = e.call("POST", "/v2/apps", Some(&bad));
        assert_eq!(r.status, 422, "{patch}: {}", r.text);
        let details = r.json["details"].as_array().unwrap();
        assert!(details.iter().any(|d| d["path"] == path && d["errors"][0] == error), "{patch}: {details:?}");
    };
    refused(json!({"cmd": "x"}), "/", "must not be an empty string");
    refused(json!({"portDefinitions": [{"port": 0, "name": "http-"}]}), "/portDefinitions(0)/name", "error.pattern");
    let single = json!({"MARATHON_SINGLE_INSTANCE_APP": "true"});
    refused(
        json!({"labels": single, "instances": 2, "upgradeStrategy": {"minimumHealthCapacity": 0, "maximumOverCapacity": 0}}),
        "/",
        "Single instance app may only have one instance",
    );
    refused(json!({"labels": single}), "/upgradeStrategy/minimumHealthCapacity", "got 1.0, expected 0.0");
    refused(
        json!({"labels": {"DCOS_MIGRATION_API_VERSION": "v1"}}),
        "/",
        "DCOS_PACKAGE_FRAMEWORK_NAME and DCOS_MIGRATION_API_PATH must be defined when using DCOS_MIGRATION_API_VERSION",
    );
    let other = json!({"labels": {"MARATHON_SINGLE_INSTANCE_APP": "false"}, "instances": 0});
    let mut ok = json!({"id": "/fine", "cmd": "sleep 1000"});
    ok["labels"] = other["labels"].clone();
    ok["instances"] = other["instances"].clone();
    assert_eq!(e.call("POST", "/v2/apps", Some(&ok)).status, 201, "only `true` makes a single-instance app");
}

/// Item 9. LIKE/UNLIKE values are Java regular expressions
/// (M:src/main/scala/mesosphere/marathon/api/v2/validation/SchedulingValidation.scala compiles
/// them with `java.util.regex.Pattern`; M:src/main/scala/mesosphere/mesos/Constraints.scala
/// matches the whole attribute): a lookahead the `regex` crate refuses validates, and the engine
/// places by it.
#[test]
fn like_constraints_take_java_regex_syntax_in_validate_and_placement() {
    let src = r#"
[service.web]
cmd = "sleep 1000"
cpus = 0.1
mem = 8
constraints = [["hostname", "LIKE", "(?!127\\.0\\.0\\.2$).*"], ["hostname", "UNIQUE"]]
[[service.web.group]]
labels = ["dev"]
instances = 2
"#;
    let spec = theseus::spec::parse("web.toml", src).expect("a Java lookahead is a valid LIKE value");
    let app = spec.apps(&spec.groups).remove(0);
    let e = Engine::start();
    let r = e.call("POST", "/v2/apps", Some(&serde_json::to_value(&app).unwrap()));
    assert_eq!(r.status, 201, "{}", r.text);
    e.wait_idle(T);
    let mut hosts: Vec<String> = e.tasks(&app.id).iter().map(|t| t["host"].as_str().unwrap().to_owned()).collect();
    hosts.sort();
    assert_eq!(hosts, ["127.0.0.3", "127.0.0.4"], "the lookahead keeps tasks off 127.0.0.2");
}

/// Item 6. Marathon takes an app id of any length, but a task id (app id + 53 characters,
/// M:src/main/scala/mesosphere/marathon/core/instance/Instance.scala and
/// M:.../core/task/Task.scala) names the Mesos sandbox directory (one file name, 255 bytes), so
/// a longer one fails every launch with "File name too long" while `create` waits. The engine
/// does what Marathon does (accepts, then fails the task); `validate` refuses such ids and says
/// the limit (`marathon::rules::MAX_ID_LENGTH`; tests/fixtures/invalid/label-too-long.toml,
/// two-hundred-labels.toml), and what it accepts starts.
#[test]
fn an_id_too_long_for_the_sandbox_is_accepted_and_its_tasks_fail() {
    let labels = |n: usize| {
        format!("[service.web]\ncmd = \"sleep 1000\"\n[[service.web.group]]\nlabels = [\"{}\"]\n", "a".repeat(n))
    };
    // `/theseus/web/<labels>/r<12 hex>`: 13 + n + 14 characters.
    let fits = theseus::spec::parse("fits.toml", &labels(173)).expect("a 200-character app id is valid");
    let app = fits.apps(&fits.groups).remove(0);
    assert_eq!(app.id.len(), 200);
    let err = theseus::spec::parse("long.toml", &labels(174)).unwrap_err().to_string();
    assert!(err.contains("has 201 characters, more than the 200 Theseus allows"), "{err}");

    let e = Engine::start();
    let r = e.call("POST", "/v2/apps", Some(&serde_json::to_value(&app).unwrap()));
    assert_eq!(r.status, 201, "what validate accepts, the engine accepts: {}", r.text);
    e.wait_idle(T);
    assert_eq!(e.get(&format!("/v2/apps{}", app.id))["app"]["tasksRunning"], 1, "and its task starts");

    let long = format!("/{}/web", "a".repeat(250));
    let body = json!({"id": long, "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "backoffSeconds": 600});
    assert_eq!(e.call("POST", "/v2/apps", Some(&body)).status, 201, "Marathon sets no limit");
    e.wait_for("a failed launch", T, |e| {
        e.get(&format!("/v2/apps{long}"))["app"]["lastTaskFailure"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("File name too long"))
    });
}

/// Item 8. Simulated Docker tasks (no Docker engine) get no health or readiness shortcut:
/// their checks run as for any task, so Marathon-level checks find nothing listening on the
/// task's port (M:src/main/scala/mesosphere/marathon/core/health/impl/HealthCheckWorker.scala
/// reports a refused connection as a failure) and a COMMAND check, which Mesos would run inside
/// the container, has none to run in. A failing task is never healthy or ready, so the
/// deployment stays open (M:docs/docs/deployments.md: deployments never time out).
#[test]
fn simulated_docker_tasks_are_never_healthy_or_ready() {
    let e = Engine::start(); // tests simulate Docker
    let app = json!({"id": "/sim", "cpus": 0.1, "mem": 8,
        "container": {"type": "DOCKER", "docker": {"image": "nginx"}, "portMappings": [{"containerPort": 80, "name": "http"}]},
        "networks": [{"mode": "container/bridge"}],
        "healthChecks": [
            {"protocol": "HTTP", "portIndex": 0, "intervalSeconds": 1, "gracePeriodSeconds": 0, "timeoutSeconds": 1, "maxConsecutiveFailures": 0},
            {"protocol": "COMMAND", "command": {"value": "true"}, "intervalSeconds": 1, "gracePeriodSeconds": 0, "maxConsecutiveFailures": 1000}],
        "readinessChecks": [{"portName": "http", "intervalSeconds": 2, "timeoutSeconds": 1}]});
    let r = e.call("POST", "/v2/apps", Some(&app));
    assert_eq!(r.status, 201, "{}", r.text);
    e.wait_for("both checks to fail twice", T, |e| {
        e.tasks("/sim").first().is_some_and(|t| {
            t["healthCheckResults"]
                .as_array()
                .is_some_and(|r| r.len() == 2 && r.iter().all(|h| h["consecutiveFailures"].as_u64() >= Some(2)))
        })
    });
    let task = e.tasks("/sim")[0].clone();
    assert_eq!(task["state"], "TASK_RUNNING", "a simulated task runs");
    let results = task["healthCheckResults"].as_array().unwrap();
    assert!(results.iter().all(|h| h["alive"] == false), "{results:?}");
    assert!(results[1]["lastFailureCause"].as_str().unwrap().contains("simulated Docker task"), "{results:?}");
    let app = e.get("/v2/apps/sim")["app"].clone();
    assert_eq!((app["tasksHealthy"].clone(), app["tasksUnhealthy"].clone()), (json!(0), json!(1)));
    let deployments = e.get("/v2/deployments");
    assert_eq!(deployments.as_array().map(Vec::len), Some(1), "the deployment waits for health and readiness");
}

/// Item 8, the marker: `theseus local` says in its log when it simulates a Docker task (a
/// warning, shown without `-v`), so nobody mistakes a simulated task for a container.
#[test]
fn theseus_local_logs_each_simulated_docker_task() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let docker = Command::new("docker").arg("info").stdout(Stdio::null()).stderr(Stdio::null()).status();
    let docker_works = docker.is_ok_and(|s| s.success());
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_theseus"))
        .args(["local", "--port", "0", "--color", "never", "--work-dir"])
        .arg(dir.path().join("work"))
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("theseus local");
    let (stdout, stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let _child = KillOnDrop(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut url = String::new();
    BufReader::new(stdout).read_line(&mut url).unwrap();
    let addr = url.trim().trim_start_matches("http://").to_string();
    let body =
        json!({"id": "/nginx", "cpus": 0.1, "mem": 8, "container": {"type": "DOCKER", "docker": {"image": "nginx"}}})
            .to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /v2/apps HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.contains(" 201 Created"), "{reply}");
    let marker = rx
        .recv_timeout(Duration::from_secs(30))
        .into_iter()
        .chain(std::iter::from_fn(|| rx.recv_timeout(Duration::from_secs(2)).ok()))
        .find(|l| l.contains("simulated Docker task"));
    if docker_works {
        assert!(marker.is_none(), "a Docker engine is present, so the task really runs: {marker:?}");
    } else {
        let line = marker.expect("a log line marks the simulated task");
        assert!(line.contains("WARN") && line.contains("/nginx"), "{line}");
    }
}
