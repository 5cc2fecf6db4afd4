//! The long-running `theseus sync` follows Marathon's `/v2/events`:
//! tasks killed or scaled behind Theseus's back reach etcd through events alone (periodic
//! resync off), and a sync killed with kill -9 or an etcd restarted during churn end with etcd
//! equal to Marathon. Marathon's stream: `core/event/impl/stream/HttpEventStreamServlet.scala`,
//! `api/LeaderProxyFilter.scala` (the redirect), `HttpEventStreamHandleActor.scala` (no replay).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::support::env::Env;
use crate::support::sync::{churn, signal, tamper, wait_exit, Replica, SPEC, T};

fn created(env: &Env) {
    let spec = env.spec("spec.toml", SPEC);
    env.cmd().args(["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]).assert().success();
    env.wait_in_sync(T);
}

#[test]
fn a_task_killed_behind_theseus_back_is_replaced_and_etcd_follows() {
    let env = Env::start();
    created(&env);
    let sync = Replica::start(&env, "s1", &[]);
    sync.wait_leading(&env, T);
    let before = env.registrations();
    let victim = before["hello/dev.frontend"].keys().next().unwrap().clone();
    let r = env.engine.call("POST", "/v2/tasks/delete", Some(&serde_json::json!({"ids": [victim]})));
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_for("the replacement task", T, |_| {
        let m = env.marathon();
        m["hello/dev.frontend"].len() == 3 && !m["hello/dev.frontend"].contains_key(&victim)
    });
    env.wait_in_sync(T);
    assert!(!env.registrations()["hello/dev.frontend"].contains_key(&victim));
}

#[test]
fn scaling_through_marathons_api_reaches_etcd() {
    let env = Env::start();
    created(&env);
    let sync = Replica::start(&env, "s1", &[]);
    sync.wait_leading(&env, T);
    let app =
        env.engine.get("/v2/apps?label=theseus.group%3D%3Ddev.frontend")["apps"][0]["id"].as_str().unwrap().to_owned();
    let r = env.engine.call("PUT", &format!("/v2/apps{app}"), Some(&serde_json::json!({"instances": 6})));
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_for("6 tasks", T, |_| env.marathon()["hello/dev.frontend"].len() == 6);
    env.wait_in_sync(T);
    // The scale-up's deployment ends once its new tasks are healthy, maybe after etcd caught
    // up; until then Marathon refuses the next change to the app with 409.
    env.engine.wait_idle(T);
    let r = env.engine.call("PUT", &format!("/v2/apps{app}"), Some(&serde_json::json!({"instances": 1})));
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_for("1 task", T, |_| env.marathon()["hello/dev.frontend"].len() == 1);
    env.wait_in_sync(T);
    assert_eq!(env.registrations()["hello/dev.frontend"].len(), 1);
}

#[test]
fn sync_killed_with_kill_9_during_churn_and_restarted_ends_equal() {
    let env = Env::start();
    created(&env);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let churner = s.spawn(|| churn(&env.engine, &stop, Duration::from_millis(100)));
        let mut first = Replica::start(&env, "s1", &[]);
        first.wait_leading(&env, T);
        std::thread::sleep(Duration::from_millis(800)); // let it follow some churn
        signal(&first.child, libc::SIGKILL);
        assert_eq!(wait_exit(&mut first.child, T), None, "killed by the signal");
        std::thread::sleep(Duration::from_millis(500)); // churn while no sync runs
        let second = Replica::start(&env, "s2", &[]);
        second.wait_leading(&env, T);
        std::thread::sleep(Duration::from_millis(800));
        stop.store(true, Ordering::Relaxed);
        assert!(churner.join().unwrap() > 0);
        env.engine.wait_idle(T);
        env.wait_in_sync(T);
    });
}

#[test]
fn etcd_restarted_during_churn_ends_equal() {
    let mut env = Env::start();
    created(&env);
    let sync = Replica::start(&env, "s1", &[]);
    sync.wait_leading(&env, T);
    let stop = AtomicBool::new(false);
    let engine = &env.engine;
    std::thread::scope(|s| {
        let churner = s.spawn(|| churn(engine, &stop, Duration::from_millis(100)));
        std::thread::sleep(Duration::from_millis(500));
        env.etcd.kill();
        std::thread::sleep(Duration::from_millis(1500)); // churn while etcd is down
        env.etcd.restart();
        std::thread::sleep(Duration::from_millis(500));
        stop.store(true, Ordering::Relaxed);
        assert!(churner.join().unwrap() > 0);
    });
    env.engine.wait_idle(T);
    env.wait_in_sync(T);
    drop(sync);
}

/// A Marathon that is not the leader, as `api/LeaderProxyFilter.scala` behaves: `/v2/events`
/// is redirected (302) to the leader, every other request is proxied to it. Returns its URL,
/// the count of redirects served, and a stop handle.
fn non_leader(
    leader: &str,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>, tokio::sync::oneshot::Sender<()>) {
    use axum::http::{HeaderMap, Method, StatusCode, Uri};
    use axum::response::IntoResponse;
    let redirects = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (leader, counter) = (leader.to_owned(), redirects.clone());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let client = reqwest::Client::new();
            let app = axum::Router::new().fallback(
                move |method: Method, uri: Uri, headers: HeaderMap, body: axum::body::Bytes| {
                    let (client, leader, counter) = (client.clone(), leader.clone(), counter.clone());
                    async move {
                        let path = uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
                        if uri.path() == "/v2/events" {
                            counter.fetch_add(1, Ordering::Relaxed);
                            return (StatusCode::FOUND, [("location", format!("{leader}{path}"))]).into_response();
                        }
                        let mut req = client.request(method, format!("{leader}{path}")).body(body.to_vec());
                        for (k, v) in &headers {
                            if k != "host" {
                                req = req.header(k, v);
                            }
                        }
                        let resp = req.send().await.unwrap();
                        let status = resp.status();
                        let ct = resp.headers().get("content-type").cloned();
                        let bytes = resp.bytes().await.unwrap();
                        let mut out = (status, bytes).into_response();
                        if let Some(ct) = ct {
                            out.headers_mut().insert("content-type", ct);
                        }
                        out
                    }
                },
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            ready_tx.send(format!("http://{}", listener.local_addr().unwrap())).unwrap();
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
        });
    });
    (ready_rx.recv_timeout(Duration::from_secs(10)).unwrap(), redirects, stop_tx)
}

#[test]
fn the_event_stream_follows_the_redirect_of_a_non_leader_marathon() {
    let env = Env::start();
    created(&env);
    let (url, redirects, _stop) = non_leader(&env.engine.url());
    let mut sync = Replica {
        child: {
            let file = std::fs::File::create(env.dir.path().join("nl.stderr")).unwrap();
            std::process::Command::new(env!("CARGO_BIN_EXE_theseus"))
                .args([
                    "--marathon",
                    &url,
                    "--etcd",
                    &env.etcd.endpoint,
                    "-v",
                    "sync",
                    "--name",
                    "nl",
                    "--resync",
                    "1h",
                ])
                .env("NO_COLOR", "1")
                .env_remove("RUST_LOG")
                .stdout(std::process::Stdio::null())
                .stderr(file)
                .spawn()
                .unwrap()
        },
        name: "nl".into(),
    };
    sync.wait_leading(&env, T);
    let victim = env.registrations()["hello/backend.dev"].keys().next().unwrap().clone();
    let r = env.engine.call("POST", "/v2/tasks/delete", Some(&serde_json::json!({"ids": [victim]})));
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_for("the replacement", T, |_| {
        !env.marathon()["hello/backend.dev"].contains_key(&victim) && env.marathon()["hello/backend.dev"].len() == 2
    });
    env.wait_in_sync(T);
    assert!(redirects.load(Ordering::Relaxed) >= 1, "the stream was not opened through the non-leader");
    assert!(env.log("nl").contains(&format!("following {}/v2/events", env.engine.url())), "{}", env.log("nl"));
    let _ = sync.child.kill();
}

/// A relay in front of the engine that streams `/v2/events` through, and on request cuts every
/// open stream and refuses the next `n` stream requests with 503 (a Marathon between leaders).
struct Relay {
    url: String,
    cut: tokio::sync::watch::Sender<u64>,
    refuse: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    opened: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Relay {
    fn start(upstream: &str) -> Relay {
        use axum::http::{Method, StatusCode, Uri};
        use axum::response::IntoResponse;
        use futures::StreamExt;
        let (cut, cut_rx) = tokio::sync::watch::channel(0u64);
        let refuse = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let opened = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (upstream, refusing, counting) = (upstream.to_owned(), refuse.clone(), opened.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let client = reqwest::Client::new();
                let app = axum::Router::new().fallback(move |method: Method, uri: Uri, body: axum::body::Bytes| {
                    let (client, upstream, refusing, counting) =
                        (client.clone(), upstream.clone(), refusing.clone(), counting.clone());
                    let mut cut_rx = cut_rx.clone();
                    // A cut from here on ends this stream, even one that comes while the
                    // upstream request is still under way.
                    cut_rx.mark_unchanged();
                    async move {
                        let path = uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
                        let events = uri.path() == "/v2/events";
                        if events {
                            counting.fetch_add(1, Ordering::Relaxed);
                            if refusing.load(Ordering::Relaxed) > 0 {
                                refusing.fetch_sub(1, Ordering::Relaxed);
                                return (
                                    StatusCode::SERVICE_UNAVAILABLE,
                                    "{\"message\":\"Could not determine the current leader\"}",
                                )
                                    .into_response();
                            }
                        }
                        let mut req = client.request(method, format!("{upstream}{path}")).body(body.to_vec());
                        if events {
                            req = req.header("Accept", "text/event-stream");
                        }
                        let resp = req.send().await.unwrap();
                        let status = resp.status();
                        let ct = resp.headers().get("content-type").cloned();
                        let stream = resp.bytes_stream().take_until(async move {
                            let _ = cut_rx.changed().await;
                        });
                        let mut out = (status, axum::body::Body::from_stream(stream)).into_response();
                        if let Some(ct) = ct {
                            out.headers_mut().insert("content-type", ct);
                        }
                        out
                    }
                });
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                ready_tx.send(format!("http://{}", listener.local_addr().unwrap())).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stop_rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let url = ready_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        Relay { url, cut, refuse, opened, _stop: stop_tx }
    }

    /// Cuts the open streams and refuses the next `n` attempts.
    fn cut(&self, n: usize) {
        self.refuse.store(n, Ordering::Relaxed);
        self.cut.send_modify(|v| *v += 1);
    }
}

#[test]
fn a_broken_stream_is_reopened_with_backoff_and_reconciled() {
    let env = Env::start();
    created(&env);
    let relay = Relay::start(&env.engine.url());
    let file = std::fs::File::create(env.dir.path().join("rl.stderr")).unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_theseus"))
        .args(["--marathon", &relay.url, "--etcd", &env.etcd.endpoint, "-v", "sync", "--name", "rl", "--resync", "1h"])
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(file)
        .spawn()
        .unwrap();
    let sync = Replica { child, name: "rl".into() };
    sync.wait_leading(&env, T);
    env.engine.wait_for("the stream", T, |_| relay.opened.load(Ordering::Relaxed) == 1);
    // Break the stream and keep Marathon "between leaders" for three attempts; meanwhile a task
    // dies, whose events sync never sees: only the reconcile after reconnecting can catch it.
    relay.cut(3);
    let victim = env.registrations()["hello/dev.frontend"].keys().next().unwrap().clone();
    let r = env.engine.call("POST", "/v2/tasks/delete", Some(&serde_json::json!({"ids": [victim]})));
    assert!(r.status < 300, "{}", r.text);
    env.engine.wait_for("a new stream", T, |_| relay.opened.load(Ordering::Relaxed) >= 5);
    env.wait_in_sync(T);
    assert!(!env.registrations()["hello/dev.frontend"].contains_key(&victim));
    let log = env.log("rl");
    assert!(log.contains("retrying in"), "no backoff logged:\n{log}");
    drop(sync);
}

/// A group whose HTTP health check passes while the file `ok` exists in the task's sandbox.
const HEALTH_SPEC: &str = r#"
namespace = "it"
[service.web]
cmd = "echo ok > ok && exec python3 -m http.server $PORT0 --bind $HOST"
cpus = 0.1
mem = 32
ports = [{ name = "http" }]
health = { protocol = "HTTP", path = "/ok", port = "http", grace = "30s", interval = "1s", timeout = "1s", max_failures = 1000 }
[[service.web.group]]
labels = ["dev"]
instances = 2
"#;

#[test]
fn health_results_drive_registration_through_events() {
    let env = Env::start();
    let spec = env.spec("spec.toml", HEALTH_SPEC);
    env.cmd().args(["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]).assert().success();
    let sync = Replica::start(&env, "h1", &[]);
    sync.wait_leading(&env, T);
    env.wait_in_sync(T);
    assert_eq!(env.registrations()["web/dev"].len(), 2);
    // One task starts failing its check but keeps running (max_failures is high): Marathon's
    // health result says not alive, and the task is deregistered while it runs.
    let victim = env.registrations()["web/dev"].keys().next().unwrap().clone();
    let sandbox = env.engine.handle().task_sandbox(&victim).unwrap();
    std::fs::remove_file(sandbox.join("ok")).unwrap();
    env.engine.wait_for("the check to fail", T, |_| !env.marathon()["web/dev"].contains_key(&victim));
    env.wait_in_sync(T);
    assert!(!env.registrations()["web/dev"].contains_key(&victim));
    let tasks = env.engine.get("/v2/apps?embed=apps.tasks&label=theseus.managed%3D%3Dtrue");
    let state = tasks["apps"][0]["tasks"].as_array().unwrap().iter().find(|t| t["id"] == victim.as_str()).unwrap()
        ["state"]
        .clone();
    assert_eq!(state, "TASK_RUNNING", "the task still runs; only its health changed");
    // Healthy again: registered again.
    std::fs::write(sandbox.join("ok"), "ok").unwrap();
    env.engine.wait_for("the check to pass", T, |_| env.marathon()["web/dev"].contains_key(&victim));
    env.wait_in_sync(T);
    assert!(env.registrations()["web/dev"].contains_key(&victim));
}

#[test]
fn commands_running_beside_sync_keep_their_config_history_and_drains() {
    let env = Env::start();
    let sync = Replica::start(&env, "c1", &[]);
    sync.wait_leading(&env, T);
    let spec = env.spec("spec.toml", SPEC);
    let spec = spec.to_str().unwrap();
    env.cmd().args(["create", spec, "--poll-interval", "200ms"]).assert().success();
    env.wait_in_sync(T);
    let config_of = |group: &str| -> serde_json::Value {
        let key = format!("/services/hello/{group}/config");
        serde_json::from_str(&env.etcd.dump().into_iter().find(|(k, _)| *k == key).unwrap().1).unwrap()
    };
    let config = config_of("dev.frontend");
    assert_eq!(config["app"]["cmd"], "sleep 600", "create stored the spec, not a config restored by sync: {config}");
    assert!(config.get("restored_by").is_none(), "{config}");
    let history = env.cmd().args(["history", "hello", "-l", "dev,frontend", "-o", "json"]).output().unwrap();
    assert!(history.status.success(), "{}", String::from_utf8_lossy(&history.stderr));
    // A rolling update beside sync: its drained tasks are not registered again, and it ends
    // with etcd equal to Marathon and the new revision's config stored.
    let updated = env.spec("spec.toml", &SPEC.replace("sleep 600", "sleep 601"));
    env.cmd()
        .args([
            "update",
            updated.to_str().unwrap(),
            "--batch",
            "1",
            "--wait",
            "0s",
            "--min-healthy",
            "0s",
            "--poll-interval",
            "200ms",
        ])
        .assert()
        .success();
    env.wait_in_sync(T);
    assert_eq!(config_of("dev.frontend")["app"]["cmd"], "sleep 601");
    let info = env.cmd().args(["sync", "--once", "-o", "json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(report["changes"], 0, "the follower had already caught up: {report:#}");
}

#[test]
fn apps_deleted_through_marathons_api_are_deregistered_by_the_follower() {
    // DELETE /v2/apps/{id} and DELETE /v2/groups/{id} behind Theseus's back, with resync off:
    // only the events (app_terminated_event, the tasks' TASK_KILLED status updates) tell sync.
    let env = Env::start();
    created(&env);
    let sync = Replica::start(&env, "d1", &[]);
    sync.wait_leading(&env, T);
    let app =
        env.engine.get("/v2/apps?label=theseus.group%3D%3Ddev.frontend")["apps"][0]["id"].as_str().unwrap().to_owned();
    let r = env.engine.call("DELETE", &format!("/v2/apps{app}"), None);
    assert!(r.status < 300, "{}", r.text);
    let r = env.engine.call("DELETE", "/v2/groups/it/hello/backend.dev", None);
    assert!(r.status < 300, "{}", r.text);
    env.wait_running(0);
    env.wait_in_sync(T);
    assert!(env.registrations().values().all(|c| c.is_empty()), "{:#?}", env.registrations());
}

#[test]
fn every_resync_interval_reconciles_what_no_event_reports() {
    // etcd changed behind sync's back (a container deregistered, a made-up one registered):
    // Marathon sends no event for that, so only the periodic full reconcile can repair it.
    let env = Env::start();
    created(&env);
    let sync = Replica::start(&env, "p1", &["--resync", "2s"]);
    sync.wait_leading(&env, T);
    env.wait_in_sync(T);
    let (real, fake) = tamper(&env, "dev.frontend");
    assert!(env.in_sync().is_err());
    env.wait_in_sync(T);
    let regs = env.registrations();
    assert!(regs["hello/dev.frontend"].contains_key(&real) && !regs["hello/dev.frontend"].contains_key(&fake));
    let log = env.log("p1");
    assert!(log.contains("reconcile: hello/dev.frontend: +1 ~0 -1"), "not repaired by a resync:\n{log}");
}
