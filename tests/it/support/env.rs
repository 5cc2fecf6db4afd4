//! A test's own world for the real `theseus` binary: the local engine, a real etcd and a temp
//! dir for spec files, optionally a fault proxy in front of the engine, with the global flags
//! that point theseus at them. The one harness of the integration tests: what several areas
//! check lives beside it (`consistency.rs`: etcd against Marathon; `sync.rs`: running `theseus
//! sync` replicas); a test module adds the helpers only it needs in an `impl Env` of its own.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use super::cmd::theseus;
use super::engine::Engine;
use super::etcd::Etcd;
use super::proxy::Proxy;

/// The local engine, a real etcd and a spec dir.
pub struct Env {
    /// The local engine.
    pub engine: Engine,
    /// A real etcd (the one the binary uses, unless [`Env::with_etcd`] names others).
    pub etcd: Etcd,
    /// Where spec files go.
    pub dir: tempfile::TempDir,
    /// The fault proxy in front of the engine, if any: the binary then talks to it.
    pub proxy: Option<Proxy>,
    /// The etcd endpoints (`HOST:PORT,...`) the binary uses.
    pub etcd_endpoints: String,
}

/// A finished run of the binary.
#[derive(Debug)]
pub struct Out {
    /// Exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Out {
    /// The stdout parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", self.stdout, self.stderr))
    }
}

impl Env {
    /// A default engine (three agents, test timings) and a fresh etcd.
    pub fn start() -> Env {
        Env::with_engine(Engine::start())
    }

    /// A given engine and a fresh etcd.
    pub fn with_engine(engine: Engine) -> Env {
        Env::from_parts(engine, Etcd::start(), tempfile::tempdir().unwrap())
    }

    /// An Env of the given parts (no proxy): a test that restarts the engine takes the parts
    /// apart (`let Env { engine, etcd, dir, .. } = env`) and puts them together again.
    pub fn from_parts(engine: Engine, etcd: Etcd, dir: tempfile::TempDir) -> Env {
        let etcd_endpoints = etcd.endpoint.clone();
        Env { engine, etcd, dir, proxy: None, etcd_endpoints }
    }

    /// A default engine, optionally behind a fault proxy, and the etcd at `endpoints` (a cluster
    /// the test owns and stops). [`Env::etcd`] is then a spare the binary does not use.
    pub fn with_etcd(endpoints: &str, proxied: bool) -> Env {
        let mut env = Env::start();
        env.etcd_endpoints = endpoints.to_owned();
        if proxied {
            env.proxy = Some(Proxy::start(&env.engine.url()));
        }
        env
    }

    /// A default engine behind a fault proxy, and a fresh etcd.
    pub fn proxied() -> Env {
        let mut env = Env::start();
        env.proxy = Some(Proxy::start(&env.engine.url()));
        env
    }

    /// The proxy (panics if there is none).
    pub fn proxy(&self) -> &Proxy {
        self.proxy.as_ref().expect("a proxy")
    }

    /// The Marathon URL the binary uses: the proxy's when there is one, else the engine's.
    pub fn marathon_url(&self) -> String {
        self.proxy.as_ref().map_or_else(|| self.engine.url(), Proxy::url)
    }

    /// Writes a spec file into the dir; returns its path.
    pub fn spec(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Writes a spec file into the dir; returns its path.
    pub fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// A spec file `spec.toml` of service `app` (0.1 cpus, 16 MB) with `body`: the app's other
    /// fields and its groups. Returns its path.
    pub fn app_spec(&self, body: &str) -> String {
        self.write("spec.toml", &format!("namespace = \"it\"\n[service.app]\ncpus = 0.1\nmem = 16\n{body}\n"))
    }

    /// `theseus` pointed at this engine (or its proxy) and etcd (5 s requests), killed after
    /// 180 s.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut c = theseus();
        c.args(["--marathon", &self.marathon_url(), "--etcd", &self.etcd_endpoints, "--request-timeout", "5s"]);
        c.timeout(Duration::from_secs(180));
        c
    }

    /// The same as a plain process, to spawn, signal or kill: every `THESEUS_*` variable and
    /// `RUST_LOG` removed, colors off.
    pub fn process(&self) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_theseus"));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("THESEUS_") {
                c.env_remove(key);
            }
        }
        c.env_remove("RUST_LOG").env("NO_COLOR", "1");
        c.args(["--marathon", &self.marathon_url(), "--etcd", &self.etcd_endpoints, "--request-timeout", "5s"]);
        c
    }

    /// Runs the binary to its end.
    pub fn out(&self, args: &[&str]) -> Out {
        let out = self.cmd().args(args).output().unwrap();
        Out {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs the binary and expects exit 0.
    pub fn ok(&self, args: &[&str]) -> Out {
        let out = self.out(args);
        assert_eq!(out.code, Some(0), "{args:?}: {}{}", out.stdout, out.stderr);
        out
    }

    /// Runs a command with `-o json`; returns the exit code, the document and stderr.
    pub fn run(&self, args: &[&str]) -> (Option<i32>, Value, String) {
        let out = self.cmd().args(args).args(["-o", "json"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        (out.status.code(), serde_json::from_slice(&out.stdout).unwrap_or(Value::Null), stderr)
    }

    /// Runs a command with `-o json`, asserts exit 0 and returns the document.
    pub fn json(&self, args: &[&str]) -> Value {
        let (code, doc, err) = self.run(args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        doc
    }

    /// Runs a command as it is (no `-o json`); returns the exit code and stderr.
    pub fn run_plain(&self, args: &[&str]) -> (Option<i32>, String) {
        let out = self.cmd().args(args).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    }

    /// Container (task) ids etcd lists for `service/group`, read straight from etcd.
    pub fn container_ids(&self, service: &str, group: &str) -> BTreeSet<String> {
        let prefix = format!("/services/{service}/{group}/containers/");
        self.etcd
            .dump()
            .into_iter()
            .filter_map(|(k, _)| k.split(prefix.as_str()).nth(1).map(str::to_owned))
            .map(|rest| rest.split('/').next().unwrap_or_default().to_owned())
            .filter(|c| !c.is_empty())
            .collect()
    }

    /// The one app the engine runs, with its tasks.
    pub fn only_app(&self) -> Value {
        let apps = self.engine.get("/v2/apps?embed=apps.tasks")["apps"].as_array().unwrap().clone();
        assert_eq!(apps.len(), 1, "{apps:?}");
        apps[0].clone()
    }

    /// Ids of the apps the engine runs.
    pub fn app_ids(&self) -> Vec<String> {
        let apps = self.engine.get("/v2/apps");
        apps["apps"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect()
    }
}
