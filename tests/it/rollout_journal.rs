//! End to end: a rollout's journal survives kill -9 of its client, then `rollout status`
//! shows it, `rollout resume` finishes it and `rollout abort` rolls it back; `history` lists
//! the revisions deployed and `rollback` returns to one of them.

use std::collections::BTreeSet;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::support::cmd::theseus;
use super::support::env::Env;
use super::support::specs::web_http as spec;

const FAST: [&str; 6] = ["--poll-interval", "200ms", "--fail-after", "5s", "--deadline", "60s"];
const JOURNAL: &str = "/theseus/rollouts/web/dev";

impl Env {
    fn globals(&self) -> [String; 6] {
        ["--marathon", &self.engine.url(), "--etcd", &self.etcd.endpoint, "--request-timeout", "5s"].map(str::to_owned)
    }

    /// Creates the first revision; returns its app id and revision.
    fn create_first(&self, text: &str) -> (String, String) {
        let file = self.write("v1.toml", text);
        let (code, doc, err) = self.run(&["create", &file, "--poll-interval", "200ms", "--timeout", "60s"]);
        assert_eq!(code, Some(0), "{err}");
        let apps = self.app_ids();
        assert_eq!(apps.len(), 1, "{doc}");
        (apps[0].clone(), doc[0]["revision"].as_str().unwrap().to_owned())
    }

    /// Task ids registered in etcd for web/dev.
    fn registered_ids(&self) -> BTreeSet<String> {
        self.etcd
            .dump()
            .into_iter()
            .filter(|(k, _)| k.starts_with("/services/web/dev/containers/") && k.ends_with("/info"))
            .map(|(_, v)| serde_json::from_str::<Value>(&v).unwrap()["instance_name"].as_str().unwrap().to_owned())
            .collect()
    }

    fn journal(&self) -> Option<Value> {
        self.etcd.dump().into_iter().find(|(k, _)| k == JOURNAL).map(|(_, v)| serde_json::from_str(&v).unwrap())
    }

    /// Running tasks of `app` whose health checks all pass.
    fn healthy_ids(&self, app: &str) -> BTreeSet<String> {
        self.engine
            .tasks(app)
            .iter()
            .filter(|t| {
                t["state"] == "TASK_RUNNING"
                    && t["healthCheckResults"]
                        .as_array()
                        .is_some_and(|r| !r.is_empty() && r.iter().all(|h| h["alive"] == true))
            })
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Starts `update` of 3 instances to v2 in batches of 1 with 3 s waits, and kills it with
    /// SIGKILL once the journal shows its first batch done. Returns the new revision's app id.
    fn interrupted_update(&self) -> String {
        let file = self.write("v2.toml", &spec("2", 3));
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("theseus"));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("THESEUS_") {
                cmd.env_remove(key);
            }
        }
        cmd.args(self.globals()).args(["update", &file, "--batch", "1", "--wait", "3s"]).args(FAST);
        let mut child: Child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(90);
        let journal = loop {
            if let Some(j) = self.journal().filter(|j| j["batches_done"] == 1) {
                break j;
            }
            assert!(child.try_wait().unwrap().is_none(), "the update ended before its first batch was journaled");
            assert!(Instant::now() < deadline, "the first batch was never journaled");
            std::thread::sleep(Duration::from_millis(50));
        };
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert_eq!(journal["state"], "rolling");
        assert_eq!(journal["plan"], serde_json::json!([1, 1, 1]));
        journal["to"]["app_id"].as_str().unwrap().to_owned()
    }
}

#[test]
fn a_killed_update_is_shown_then_resumed_to_the_new_revision() {
    let env = Env::start();
    let (old, _) = env.create_first(&spec("1", 3));
    let new = env.interrupted_update();
    assert_eq!(env.app_ids().len(), 2, "left between revisions");

    let (code, doc, err) = env.run(&["rollout", "status", "web", "-l", "dev"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(doc["kind"], "update");
    assert_eq!(doc["state"], "rolling");
    assert_eq!(doc["batches_done"], 1);
    assert_eq!(doc["from"]["app_id"], old.as_str());
    assert_eq!(doc["to"]["app_id"], new.as_str());
    assert_eq!(doc["to"]["desired"], 1, "{doc}");
    let (code, table, _) = {
        let out = theseus().args(env.globals()).args(["rollout", "status", "web", "-l", "dev"]).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).to_string(), ())
    };
    assert_eq!(code, Some(0));
    assert!(table.contains("rolling") && table.contains("1 of 3 done"), "{table}");

    // The dead client's lock lasts until its lease expires; resume waits for it.
    let args: Vec<&str> =
        ["rollout", "resume", "web", "-l", "dev", "--lock-timeout", "60s"].into_iter().chain(FAST).collect();
    let (code, doc, err) = env.run(&args);
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "rolled", "{doc}");
    assert_eq!(env.app_ids(), vec![new.clone()], "one app left, the new revision");
    let healthy = env.healthy_ids(&new);
    assert_eq!(healthy.len(), 3);
    assert_eq!(env.registered_ids(), healthy, "etcd lists exactly the healthy tasks");
    assert_eq!(env.journal(), None, "journal cleared");
    let (code, _, err) = env.run(&["rollout", "status", "web", "-l", "dev"]);
    assert_eq!(code, Some(2), "nothing journaled any more: {err}");
    assert!(err.contains("no rollout"), "{err}");
}

/// `rollout abort` does what it was asked (the old revision back at full healthy capacity): exit 0.
#[test]
fn a_killed_update_is_aborted_back_to_the_old_revision() {
    let env = Env::start();
    let (old, _) = env.create_first(&spec("1", 3));
    env.interrupted_update();
    let args: Vec<&str> =
        ["rollout", "abort", "web", "-l", "dev", "--lock-timeout", "60s"].into_iter().chain(FAST).collect();
    let (code, doc, err) = env.run(&args);
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "rolled-back", "{doc}");
    assert_eq!(env.app_ids(), vec![old.clone()], "the new app is gone");
    let healthy = env.healthy_ids(&old);
    assert_eq!(healthy.len(), 3, "old revision at full healthy capacity");
    assert_eq!(env.registered_ids(), healthy, "etcd lists only the old tasks");
    assert_eq!(env.journal(), None);
}

#[test]
fn history_lists_revisions_and_rollback_returns_to_them() {
    let env = Env::start();
    let (_, r1) = env.create_first(&spec("1", 1));
    let mut revisions = vec![r1.clone()];
    for v in ["2", "3"] {
        let file = env.write(&format!("v{v}.toml"), &spec(v, 1));
        let message = format!("version {v}");
        let args: Vec<&str> = ["update", &file, "-m", &message].into_iter().chain(FAST).collect();
        let (code, doc, err) = env.run(&args);
        assert_eq!(code, Some(0), "{err}");
        revisions.push(doc[0]["to"].as_str().unwrap().to_owned());
    }
    let (r2, r3) = (revisions[1].clone(), revisions[2].clone());
    let (code, doc, err) = env.run(&["history", "web", "-l", "dev"]);
    assert_eq!(code, Some(0), "{err}");
    let listed: Vec<&str> = doc.as_array().unwrap().iter().map(|r| r["revision"].as_str().unwrap()).collect();
    assert_eq!(listed, [r3.as_str(), r2.as_str(), r1.as_str()], "newest first");
    let current: Vec<bool> = doc.as_array().unwrap().iter().map(|r| r["current"] == true).collect();
    assert_eq!(current, [true, false, false]);
    assert_eq!(doc[0]["message"], "version 3");

    let current_app = |env: &Env| {
        let apps = env.app_ids();
        assert_eq!(apps.len(), 1, "{apps:?}");
        apps[0].rsplit('/').next().unwrap().to_owned()
    };
    let (code, doc, err) = env.run(&["rollback", "web", "-l", "dev"].into_iter().chain(FAST).collect::<Vec<_>>());
    assert_eq!(code, Some(0), "{err}");
    assert_eq!((doc[0]["outcome"].as_str(), doc[0]["to"].as_str()), (Some("rolled"), Some(r2.as_str())));
    assert_eq!(current_app(&env), r2, "back to the previous revision");
    let args: Vec<&str> = ["rollback", "web", "-l", "dev", "--to", &r1].into_iter().chain(FAST).collect();
    let (code, _, err) = env.run(&args);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(current_app(&env), r1, "back to the first");
    let app = env.app_ids().remove(0);
    assert_eq!(env.registered_ids(), env.healthy_ids(&app));

    let (code, doc, _) = env.run(&["history", "web", "-l", "dev"]);
    assert_eq!(code, Some(0));
    assert_eq!(doc[0]["revision"], r1.as_str());
    assert_eq!(doc[0]["current"], true);
    assert_eq!(doc[0]["message"], format!("rollback to {r1}").as_str());

    let (code, _, err) = env.run(&["rollback", "web", "-l", "dev", "--to", "r000000000000"]);
    assert_eq!(code, Some(2), "{err}");
    for r in [&r1, &r2, &r3] {
        assert!(err.contains(r.as_str()), "names the known revisions: {err}");
    }
}

/// An update whose client died after its last batch (only the new revision runs, the journal
/// still there) is finished by `rollout resume`: it ends as done through the end table (the
/// journal cleared, registration synced), reporting the journaled old revision. The dead client
/// is made by putting a journal the update wrote back after it finished.
#[test]
fn an_update_whose_client_died_after_its_last_batch_is_finished_by_resume() {
    let env = Env::start();
    let (_, v1) = env.create_first(&spec("1", 2));
    let file = env.write("v2.toml", &spec("2", 2));
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("theseus"));
    cmd.args(env.globals()).args(["update", &file, "--batch", "1", "--wait", "1s"]).args(FAST);
    let mut child: Child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    let journal = loop {
        if let Some(j) = env.journal() {
            break j;
        }
        assert!(child.try_wait().unwrap().is_none(), "the update ended before its journal was seen");
        assert!(Instant::now() < deadline, "the update was never journaled");
        std::thread::sleep(Duration::from_millis(20)); // poll interval, not a synchronization
    };
    assert!(child.wait().unwrap().success(), "the update itself succeeds");
    assert_eq!(env.journal(), None, "a finished update clears its journal");
    let new = env.app_ids();
    assert_eq!(new.len(), 1, "only the new revision runs");
    assert_eq!(journal["to"]["app_id"], new[0].as_str());

    // The journal back, as a client that died between its last batch and its end leaves it.
    let journal: theseus::etcd::Journal = serde_json::from_value(journal).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let driver = env.etcd.driver().await;
        driver.put_rollout(&super::support::gk("web", "dev"), &journal).await.unwrap();
    });
    assert!(env.journal().is_some());

    let (code, doc, err) = env.run(&[&["rollout", "resume", "web", "-l", "dev"][..], &FAST].concat());
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert_eq!(doc[0]["outcome"], "rolled", "{doc}");
    assert_eq!(doc[0]["from"], v1.as_str(), "the journaled old revision: {doc}");
    assert_eq!(env.journal(), None, "journal cleared");
    assert_eq!(env.app_ids(), new, "nothing else changed in Marathon");
    assert_eq!(env.registered_ids(), env.healthy_ids(&new[0]), "etcd lists exactly the healthy tasks");
}
