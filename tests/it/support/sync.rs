//! What the `sync*` tests share: `theseus sync` replicas run as children of [`Env`], and the
//! two truths they compare: Marathon's running, healthy tasks of managed apps, and etcd's
//! registrations.

use std::collections::BTreeMap;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::engine::Engine;
use super::env::Env;

/// A spec of two command-app groups (no health checks: running is healthy).
pub const SPEC: &str = r#"
namespace = "it"

[service.hello]
cmd = "sleep 600"
cpus = 0.1
mem = 16
ports = [{ name = "http" }]

[[service.hello.group]]
labels = ["dev", "frontend"]
instances = 3

[[service.hello.group]]
labels = ["dev", "backend"]
instances = 2
"#;

/// Generous deadline for anything the engine and etcd do (2 shared cores).
pub const T: Duration = Duration::from_secs(60);

/// One registration as both sides describe it: host and first port.
pub type Registry = BTreeMap<String, BTreeMap<String, (String, Option<u64>)>>;

impl Env {
    /// The binary as a child process (to kill it, or to let it run); its stderr goes to
    /// `<dir>/<log>.stderr` ([`Env::log`]).
    pub fn spawn_logged(&self, log: &str, args: &[&str]) -> Child {
        let file = std::fs::File::create(self.dir.path().join(format!("{log}.stderr"))).unwrap();
        self.child_command(args).stderr(file).spawn().unwrap()
    }

    /// What a child started by [`Env::spawn_logged`] wrote on stderr so far.
    pub fn log(&self, log: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("{log}.stderr"))).unwrap_or_default()
    }

    /// The binary as a child process, stderr discarded.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.child_command(args).stderr(Stdio::null()).spawn().unwrap()
    }

    /// The binary with `args`, no stdin, stdout discarded.
    fn child_command(&self, args: &[&str]) -> std::process::Command {
        let mut c = self.process();
        c.args(args).stdin(Stdio::null()).stdout(Stdio::null());
        c
    }

    /// `theseus sync --once -o json`, which must succeed; its report.
    pub fn sync_once(&self) -> Value {
        let out = self.cmd().args(["sync", "--once", "-o", "json"]).output().unwrap();
        assert!(out.status.success(), "sync --once: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Marathon's running, healthy tasks of managed apps, by `service/group`.
    pub fn marathon(&self) -> Registry {
        let apps = self.engine.get("/v2/apps?embed=apps.tasks&label=theseus.managed%3D%3Dtrue");
        let mut out = Registry::new();
        for app in apps["apps"].as_array().unwrap() {
            let labels = &app["labels"];
            let group = format!(
                "{}/{}",
                labels["theseus.service"].as_str().unwrap(),
                labels["theseus.group"].as_str().unwrap()
            );
            let checks = app["healthChecks"].as_array().map_or(0, Vec::len);
            let entry = out.entry(group).or_default();
            for t in app["tasks"].as_array().into_iter().flatten() {
                let results = t["healthCheckResults"].as_array().cloned().unwrap_or_default();
                let healthy = checks == 0 || (results.len() >= checks && results.iter().all(|r| r["alive"] == true));
                if t["state"] == "TASK_RUNNING" && healthy {
                    entry.insert(
                        t["id"].as_str().unwrap().to_owned(),
                        (t["host"].as_str().unwrap().to_owned(), t["ports"][0].as_u64()),
                    );
                }
            }
        }
        out
    }

    /// etcd's registrations, by `service/group` (groups that exist in etcd, even empty).
    pub fn registrations(&self) -> Registry {
        let mut out = Registry::new();
        for (key, value) in self.etcd.dump() {
            let parts: Vec<&str> = key.trim_start_matches('/').split('/').collect();
            match parts.as_slice() {
                ["services", svc, grp] => {
                    out.entry(format!("{svc}/{grp}")).or_default();
                }
                ["services", svc, grp, "containers", c, "info"] => {
                    let info: Value = serde_json::from_str(&value).unwrap();
                    out.entry(format!("{svc}/{grp}")).or_default().insert(
                        (*c).to_owned(),
                        (info["instance_host"].as_str().unwrap().to_owned(), info["instance_port"].as_u64()),
                    );
                }
                _ => {}
            }
        }
        out
    }

    /// Whether etcd lists exactly Marathon's running, healthy tasks (groups Marathon lacks
    /// must have no containers).
    pub fn in_sync(&self) -> Result<(), String> {
        let (m, e) = (self.marathon(), self.registrations());
        let nonempty = |r: &Registry| -> Registry {
            r.iter().filter(|(_, c)| !c.is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        if nonempty(&m) == nonempty(&e) && m.keys().all(|g| e.contains_key(g)) {
            Ok(())
        } else {
            Err(format!("Marathon: {m:#?}\netcd: {e:#?}"))
        }
    }

    /// Polls until etcd equals Marathon, or panics after `limit` showing both.
    pub fn wait_in_sync(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            match self.in_sync() {
                Ok(()) => return,
                Err(diff) if Instant::now() > deadline => panic!("etcd never matched Marathon:\n{diff}"),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// Polls until Marathon runs `n` healthy tasks in total.
    pub fn wait_running(&self, n: usize) {
        self.engine.wait_for(&format!("{n} running tasks"), T, |_| {
            self.marathon().values().map(BTreeMap::len).sum::<usize>() == n
        });
    }

    /// etcd's current revision (any write moves it).
    pub fn revision(&self) -> i64 {
        let endpoint = self.etcd.endpoint.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let mut c = etcd_client::Client::connect([endpoint.as_str()], None).await.unwrap();
                c.get("/", None).await.unwrap().header().unwrap().revision()
            })
        })
        .join()
        .unwrap()
    }
}

/// Sends `signal` to a child.
pub fn signal(child: &Child, signal: i32) {
    // SAFETY: kill(2) on a child we spawned and have not reaped.
    unsafe {
        libc::kill(child.id() as i32, signal);
    }
}

/// Waits for a child to exit (deadline `limit`); its exit code (`None`: killed by a signal).
pub fn wait_exit(child: &mut Child, limit: Duration) -> Option<i32> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        assert!(Instant::now() < deadline, "the process did not exit within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A running `theseus sync`, killed on drop.
pub struct Replica {
    pub child: Child,
    pub name: String,
}

impl Replica {
    /// Starts `theseus -v sync --name NAME` with a short lease and no periodic resync (unless
    /// `extra` sets them), so that only events (and the reconcile on each connect) can bring
    /// etcd along.
    pub fn start(env: &Env, name: &str, extra: &[&str]) -> Replica {
        let mut args = vec!["-v", "sync", "--name", name];
        if !extra.contains(&"--resync") {
            args.extend(["--resync", "1h"]);
        }
        if !extra.contains(&"--lease-ttl") {
            args.extend(["--lease-ttl", "2s"]);
        }
        args.extend_from_slice(extra);
        Replica { child: env.spawn_logged(name, &args), name: name.to_owned() }
    }

    /// Waits until its log says it leads.
    pub fn wait_leading(&self, env: &Env, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !env.log(&self.name).contains(&format!("{} is the leader", self.name)) {
            assert!(Instant::now() < deadline, "{} did not become the leader:\n{}", self.name, env.log(&self.name));
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Changes Marathon behind Theseus's back until `stop`: scales each app between 2 and 5
/// instances and kills a task (Marathon replaces it), pausing `pace` between changes.
pub fn churn(engine: &Engine, stop: &std::sync::atomic::AtomicBool, pace: Duration) -> usize {
    let mut changes = 0;
    let mut round = 0u64;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let apps = engine.get("/v2/apps?label=theseus.managed%3D%3Dtrue&embed=apps.tasks");
        for app in apps["apps"].as_array().unwrap() {
            let id = app["id"].as_str().unwrap();
            let n = 2 + (round % 4);
            if engine
                .call("PUT", &format!("/v2/apps{id}?force=true"), Some(&serde_json::json!({"instances": n})))
                .status
                < 300
            {
                changes += 1;
            }
            if let Some(task) = app["tasks"].as_array().and_then(|t| t.first()) {
                let body = serde_json::json!({"ids": [task["id"]]});
                if engine.call("POST", "/v2/tasks/delete", Some(&body)).status < 300 {
                    changes += 1;
                }
            }
        }
        round += 1;
        std::thread::sleep(pace); // pacing the load, not a synchronization
    }
    changes
}

/// Changes etcd behind sync's back, which no Marathon event reports: deregisters one real
/// container of `group` and registers a container whose task does not exist. Returns the
/// names of both.
pub fn tamper(env: &Env, group: &str) -> (String, String) {
    let real = env.registrations()[&format!("hello/{group}")].keys().next().unwrap().clone();
    let fake = format!("hello_{}.fake-task", group.replace('.', "_"));
    let key = crate::support::gk("hello", group);
    let info = theseus::etcd::ContainerInfo {
        instance_name: fake.clone(),
        instance_host: "127.0.0.9".into(),
        instance_port: Some(1),
        port_mappings: vec![],
        version: "v0".into(),
        healthy: true,
        started_at: None,
        canary: false,
    };
    let (etcd, gone) = (&env.etcd, real.clone());
    std::thread::scope(|s| {
        s.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let d = etcd.driver().await;
                assert!(d.deregister_container(&key, &gone).await.unwrap());
                d.register_container(&key, &info).await.unwrap();
            })
        })
        .join()
        .unwrap()
    });
    (real, fake)
}
