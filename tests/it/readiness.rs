//! Readiness checks. Marathon runs them only inside deployments: the
//! deployment actors start them for their app's tasks that become running
//! (M:src/main/scala/mesosphere/marathon/core/deployment/impl/ReadinessBehavior.scala,
//! `readinessBehavior`), poll until ready
//! (M:src/main/scala/mesosphere/marathon/core/readiness/impl/ReadinessCheckExecutorImpl.scala,
//! `execute`) and `readinessCheckResults` shows what the running deployments saw
//! (M:src/main/scala/mesosphere/marathon/core/appinfo/impl/AppInfoBaseData.scala,
//! `readinessChecksByAppFuture`). A kill without scale opens no deployment, so `theseus restart`
//! probes the check's endpoint itself before it registers a replacement.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::support::cmd::theseus;
use super::support::engine::Engine;
use super::support::etcd::Etcd;

/// An HTTP server on `$PORT0` whose `/ready` answers 503 for `$READY_AFTER` seconds after it
/// started, then 200 (whatever the query: the test's own samples ask `/ready?sampler`); `/`
/// always answers 200. Every request is appended to
/// `$HIT_DIR/$MESOS_TASK_ID` as `<seconds since start> <path>`.
const SERVER: &str = r#"import http.server, os, time
start = time.time()
after = float(os.environ.get("READY_AFTER", "0"))
log = os.path.join(os.environ["HIT_DIR"], os.environ["MESOS_TASK_ID"])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        age = time.time() - start
        with open(log, "a") as f:
            f.write("%.3f %s\n" % (age, self.path))
        code = 503 if self.path.split("?")[0] == "/ready" and age < after else 200
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT0"])), H).serve_forever()
"#;

/// Writes [`SERVER`] into `dir`; returns its path and the directory the hits go to.
fn server(dir: &Path) -> (String, String) {
    let script = dir.join("ready.py");
    std::fs::write(&script, SERVER).unwrap();
    let hits = dir.join("hits");
    std::fs::create_dir_all(&hits).unwrap();
    (script.to_str().unwrap().to_owned(), hits.to_str().unwrap().to_owned())
}

/// The hits a task's server logged: (seconds since it started, path).
fn hits(dir: &str, task: &str) -> Vec<(f64, String)> {
    let text = std::fs::read_to_string(Path::new(dir).join(task)).unwrap_or_default();
    text.lines().filter_map(|l| l.split_once(' ')).filter_map(|(t, p)| Some((t.parse().ok()?, p.to_owned()))).collect()
}

/// The status `/ready` answers at `addr` now (0 when nothing answers).
fn ready_status(addr: &str) -> u16 {
    use std::io::{Read, Write};
    let Ok(mut conn) = std::net::TcpStream::connect(addr) else { return 0 };
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    if conn.write_all(b"GET /ready?sampler HTTP/1.0\r\nHost: test\r\n\r\n").is_err() {
        return 0;
    }
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// `theseus restart` of a group whose readiness check answers 503 for 4 s after a task starts
/// (and whose health check passes at once) registers each replacement in etcd only once its
/// readiness endpoint answers ready: etcd, sampled while the restart runs, never lists a task
/// whose `/ready` still answers 503 (readiness only ever turns from 503 to 200, so a 503 after
/// the task was listed proves it was listed unready), and every replacement's server saw a ready
/// probe before the task was registered. Marathon runs no readiness check for a kill without
/// scale (M:src/main/scala/mesosphere/marathon/core/deployment/impl/ReadinessBehavior.scala,
/// `readinessBehavior`, only in deployment actors), so the client probes as
/// M:src/main/scala/mesosphere/marathon/core/readiness/impl/ReadinessCheckExecutorImpl.scala
/// (`execute`, `executeSingleCheck`) does.
#[test]
fn restart_registers_each_replacement_only_once_it_is_ready() {
    let engine = Engine::start();
    let etcd = Arc::new(Etcd::start());
    let dir = tempfile::tempdir().unwrap();
    let (script, hit_dir) = server(dir.path());
    let spec = format!(
        r#"
namespace = "it"
[service.web]
cmd = "exec python3 {script}"
cpus = 0.1
mem = 32
ports = [{{ name = "http" }}]
env = {{ READY_AFTER = "4", HIT_DIR = "{hit_dir}" }}
health = {{ protocol = "HTTP", path = "/", port = "http", grace = "10s", interval = "1s", timeout = "1s", max_failures = 3 }}
readiness = {{ path = "/ready", port = "http", interval = "2s", timeout = "1s" }}
[[service.web.group]]
labels = ["dev"]
instances = 2
"#
    );
    let file = dir.path().join("web.toml");
    std::fs::write(&file, spec).unwrap();
    let run = |args: &[&str]| {
        let out = theseus()
            .args(["--marathon", &engine.url(), "--etcd", &etcd.endpoint, "--request-timeout", "5s"])
            .args(args)
            .args(["-o", "json"])
            .timeout(Duration::from_secs(180))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, _, err) = run(&["create", file.to_str().unwrap(), "--poll-interval", "200ms", "--timeout", "60s"]);
    assert_eq!(code, Some(0), "{err}");
    let before: BTreeSet<String> = etcd.registered("web", "dev").into_iter().map(|(id, _)| id).collect();
    assert_eq!(before.len(), 2, "create registered both tasks");

    // Sample etcd while the restart runs: every listed task answers ready, and when it was
    // first listed (in the seconds of its own server's clock).
    let stop = Arc::new(AtomicBool::new(false));
    let unready = Arc::new(Mutex::new(Vec::<String>::new()));
    let sampler = {
        let (etcd, stop, unready) = (etcd.clone(), stop.clone(), unready.clone());
        std::thread::spawn(move || {
            let mut samples = 0;
            while !stop.load(Ordering::Relaxed) {
                for (id, addr) in etcd.registered("web", "dev") {
                    if ready_status(&addr) == 503 {
                        unready.lock().unwrap().push(format!("{id} at {addr}"));
                    }
                }
                samples += 1;
                std::thread::sleep(Duration::from_millis(50)); // sampling interval
            }
            samples
        })
    };
    let started = Instant::now();
    let (code, out, err) = run(&[
        "restart",
        "web",
        "-l",
        "dev",
        "--batch",
        "1",
        "--poll-interval",
        "200ms",
        "--fail-after",
        "20s",
        "--deadline",
        "90s",
    ]);
    stop.store(true, Ordering::Relaxed);
    let samples = sampler.join().unwrap();
    assert_eq!(code, Some(0), "{err}\n{out}");
    assert!(samples > 10, "etcd was sampled while the restart ran ({samples} samples)");
    let unready = unready.lock().unwrap().clone();
    assert!(unready.is_empty(), "etcd listed tasks whose readiness check did not pass yet: {unready:?}");
    let after: BTreeSet<String> = etcd.registered("web", "dev").into_iter().map(|(id, _)| id).collect();
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(after.is_disjoint(&before), "every task was replaced");
    for task in &after {
        let seen = hits(&hit_dir, task);
        let ready_probes: Vec<f64> = seen.iter().filter(|(_, p)| p == "/ready").map(|(t, _)| *t).collect();
        assert!(ready_probes.iter().any(|t| *t >= 4.0), "{task} was probed until ready: {seen:?}");
        // The first probe is eager (the task just started), the next come an interval apart.
        assert!(ready_probes.windows(2).all(|w| w[1] - w[0] >= 1.9), "{task}: probes {ready_probes:?}");
    }
    assert!(started.elapsed() >= Duration::from_secs(8), "two batches of at least 4 s each");
}

/// The engine runs readiness checks only inside deployments, and `readinessCheckResults` shows
/// what the running deployments saw: during the deployment that starts an app whose check answers
/// 503 for 3 s, `embed=app.readiness` lists the task not ready, then the deployment ends once
/// it is ready and the results are empty again; a task relaunched after a kill without scale
/// (no deployment) gets no readiness probe at all while its health check keeps passing.
/// Pins M:src/main/scala/mesosphere/marathon/core/deployment/impl/ReadinessBehavior.scala
/// (`readinessBehavior`), M:src/main/scala/mesosphere/marathon/core/appinfo/impl/AppInfoBaseData.scala
/// (`readinessChecksByAppFuture`) and M:src/main/scala/mesosphere/marathon/core/deployment/impl/DeploymentManagerActor.scala
/// (`ReadinessCheckUpdate`).
#[test]
fn the_engine_checks_readiness_only_inside_deployments() {
    let engine = Engine::start();
    let dir = tempfile::tempdir().unwrap();
    let (script, hit_dir) = server(dir.path());
    let app = json!({
        "id": "/rd/web", "cmd": format!("exec python3 {script}"), "cpus": 0.1, "mem": 32, "instances": 1,
        "env": {"READY_AFTER": "3", "HIT_DIR": hit_dir},
        "portDefinitions": [{"port": 0, "name": "http"}],
        "healthChecks": [{"protocol": "HTTP", "path": "/", "portIndex": 0, "gracePeriodSeconds": 10,
                          "intervalSeconds": 1, "timeoutSeconds": 1, "maxConsecutiveFailures": 3}],
        "readinessChecks": [{"name": "ready", "protocol": "HTTP", "path": "/ready", "portName": "http",
                             "intervalSeconds": 2, "timeoutSeconds": 1, "httpStatusCodesForReady": [200]}],
    });
    let r = engine.call("POST", "/v2/apps", Some(&app));
    assert_eq!(r.status, 201, "{}", r.text);
    let results = |e: &Engine| e.get("/v2/apps/rd/web?embed=app.readiness")["app"]["readinessCheckResults"].clone();
    engine.wait_for("a not-ready result during the deployment", Duration::from_secs(30), |e| {
        results(e).as_array().is_some_and(|r| r.iter().any(|x| x["ready"] == false && x["name"] == "ready"))
    });
    let deployments = engine.get("/v2/deployments");
    let actions = &deployments[0]["currentActions"];
    assert!(
        actions
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["readinessCheckResults"].as_array().is_some_and(|r| !r.is_empty())),
        "the deployment shows the same results: {deployments}"
    );
    engine.wait_idle(Duration::from_secs(60));
    assert_eq!(results(&engine), json!([]), "no deployment, no readiness results");
    let first = engine.tasks("/rd/web")[0]["id"].as_str().unwrap().to_owned();
    assert!(hits(&hit_dir, &first).iter().any(|(t, p)| p == "/ready" && *t >= 3.0), "probed until ready");

    // Kill without scale: Marathon relaunches the task with no deployment.
    let r = engine.call("POST", "/v2/tasks/delete?scale=false", Some(&json!({"ids": [first]})));
    assert_eq!(r.status, 200, "{}", r.text);
    let mut second = String::new();
    engine.wait_for("the relaunched task", Duration::from_secs(30), |e| {
        let tasks = e.tasks("/rd/web");
        match tasks.iter().find(|t| t["id"] != first.as_str() && t["state"] == "TASK_RUNNING") {
            Some(t) => {
                second = t["id"].as_str().unwrap().to_owned();
                true
            }
            None => false,
        }
    });
    assert_eq!(engine.get("/v2/deployments"), json!([]), "a kill without scale opens no deployment");
    // Wait, by the task's own log, until its health checks have run for 5 s: longer than the
    // readiness interval (2 s) plus its timeout, so a readiness loop would have probed by then.
    engine.wait_for("5 s of health checks", Duration::from_secs(60), |_| {
        hits(&hit_dir, &second).iter().any(|(t, p)| p == "/" && *t >= 5.0)
    });
    let probes: Vec<_> = hits(&hit_dir, &second).into_iter().filter(|(_, p)| p == "/ready").collect();
    assert!(probes.is_empty(), "no deployment runs, so nothing checks readiness: {probes:?}");
    assert_eq!(results(&engine), json!([]));
}
