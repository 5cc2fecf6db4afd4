//! A test's own world for the real `theseus` binary: the local engine, a real etcd and a temp
//! dir for spec files, with the global flags that point theseus at them. Test modules add the
//! helpers only they need in `impl Env` blocks of their own.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;

use super::cmd::theseus;
use super::engine::Engine;
use super::etcd::Etcd;

/// The local engine, a real etcd and a spec dir.
pub struct Env {
    /// The local engine.
    pub engine: Engine,
    /// A real etcd.
    pub etcd: Etcd,
    /// Where spec files go.
    pub dir: tempfile::TempDir,
}

impl Env {
    /// A default engine (three agents, test timings) and a fresh etcd.
    pub fn start() -> Env {
        Env::with_engine(Engine::start())
    }

    /// A given engine and a fresh etcd.
    pub fn with_engine(engine: Engine) -> Env {
        Env { engine, etcd: Etcd::start(), dir: tempfile::tempdir().unwrap() }
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

    /// `theseus` pointed at this engine and etcd (5 s requests), killed after 180 s.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut c = theseus();
        c.args(["--marathon", &self.engine.url(), "--etcd", &self.etcd.endpoint, "--request-timeout", "5s"]);
        c.timeout(Duration::from_secs(180));
        c
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
