//! Registration drift is visible: `plan` reports missing and stale
//! containers per group (the same diff `sync` applies) and exits 10 with `--exit-code`;
//! `view` shows registered/healthy.

use serde_json::Value;

use crate::support::env::Env;
use crate::support::sync::{SPEC, T};

fn plan(env: &Env, spec: &str) -> (Option<i32>, Value) {
    let out = env.cmd().args(["plan", spec, "--exit-code", "-o", "json"]).output().unwrap();
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), doc)
}

fn row<'a>(doc: &'a Value, group: &str) -> &'a Value {
    doc.as_array().unwrap().iter().find(|r| r["group"] == group).unwrap()
}

#[test]
fn plan_and_view_show_drift_until_sync_repairs_it() {
    let env = Env::start();
    let spec_path = env.spec("spec.toml", SPEC);
    let spec = spec_path.to_str().unwrap();
    // Marathon runs the apps (the command's write went through, its answer was lost); etcd
    // has nothing: the spec is deployed, but 5 containers are missing.
    let out = env.cmd().args(["render", spec]).output().unwrap();
    let apps: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(env.engine.call("PUT", "/v2/apps", Some(&apps)).status, 200);
    env.wait_running(5);
    let (code, doc) = plan(&env, spec);
    assert_eq!(code, Some(10), "{doc:#}");
    let front = row(&doc, "dev.frontend");
    assert_eq!(front["action"], "unchanged", "{doc:#}");
    assert_eq!(front["registration"]["missing"].as_array().unwrap().len(), 3, "{doc:#}");
    assert_eq!(front["registration"]["stale"].as_array().unwrap().len(), 0);
    let table = env.cmd().args(["plan", spec]).output().unwrap();
    let table = String::from_utf8_lossy(&table.stdout).to_lowercase();
    assert!(table.contains("registration") && table.contains("3 missing"), "{table}");
    let view: Value = serde_json::from_slice(&env.cmd().args(["view", "-o", "json"]).output().unwrap().stdout).unwrap();
    let g = view.as_array().unwrap().iter().find(|g| g["group"] == "dev.frontend").unwrap();
    assert_eq!((g["registered"].as_u64(), g["instances"]["healthy"].as_u64()), (Some(0), Some(3)), "{view:#}");
    let table = env.cmd().args(["view"]).output().unwrap();
    let table = String::from_utf8_lossy(&table.stdout).to_lowercase();
    assert!(table.contains("registered/healthy") && table.contains("0/3"), "{table}");

    env.sync_once();
    let (code, doc) = plan(&env, spec);
    assert_eq!(code, Some(0), "{doc:#}");
    assert_eq!(row(&doc, "dev.frontend")["registration"]["registered"], 3);
    let table = String::from_utf8_lossy(&env.cmd().args(["view"]).output().unwrap().stdout).to_string();
    assert!(table.contains("3/3") && table.contains("2/2"), "{table}");

    // A task dies behind Theseus's back while no sync runs: one stale, one missing (its
    // replacement), until the next sync.
    let victim = env.registrations()["hello/dev.frontend"].keys().next().unwrap().clone();
    assert!(env.engine.call("POST", "/v2/tasks/delete", Some(&serde_json::json!({"ids": [victim]}))).status < 300);
    env.engine.wait_for("the replacement", T, |_| {
        let m = env.marathon();
        m["hello/dev.frontend"].len() == 3 && !m["hello/dev.frontend"].contains_key(&victim)
    });
    let (code, doc) = plan(&env, spec);
    assert_eq!(code, Some(10));
    let reg = &row(&doc, "dev.frontend")["registration"];
    assert_eq!(reg["stale"], serde_json::json!([victim]), "{doc:#}");
    assert_eq!(reg["missing"].as_array().unwrap().len(), 1, "{doc:#}");
}

#[test]
fn a_group_marathon_runs_without_an_etcd_record_is_drift_even_with_no_task_to_register() {
    // A create whose Marathon write went through and whose etcd write never happened, for a
    // group with no task to register (0 instances): no container is missing, yet etcd lacks
    // the group itself, which `sync --once` restores. Until then plan shows drift, exit 10.
    let env = Env::start();
    let spec_path = env.spec(
        "spec.toml",
        r#"
namespace = "it"
[service.hello]
cmd = "sleep 600"
cpus = 0.1
mem = 16
[[service.hello.group]]
labels = ["idle"]
instances = 0
"#,
    );
    let spec = spec_path.to_str().unwrap();
    let out = env.cmd().args(["render", spec]).output().unwrap();
    let apps: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(env.engine.call("PUT", "/v2/apps", Some(&apps)).status, 200);
    env.engine.wait_idle(T);
    assert!(env.registrations().is_empty());
    let (code, doc) = plan(&env, spec);
    assert_eq!(code, Some(10), "{doc:#}");
    let idle = row(&doc, "idle");
    assert_eq!(idle["action"], "unchanged", "the spec is deployed: {doc:#}");
    assert_eq!(idle["registration"]["group_missing"], true, "{doc:#}");
    let table = env.cmd().args(["plan", spec]).output().unwrap();
    let table = String::from_utf8_lossy(&table.stdout).to_lowercase();
    assert!(table.contains("group not in etcd"), "{table}");

    let report = env.sync_once();
    assert_eq!(report["details"][0]["restored"], true, "{report:#}");
    let (code, doc) = plan(&env, spec);
    assert_eq!(code, Some(0), "{doc:#}");
    assert_eq!(row(&doc, "idle")["registration"]["group_missing"], false, "{doc:#}");
}

/// More than a few groups of one service: `plan` reads the service's registrations in one
/// range read instead of one read per group, and still gives each group its own drift.
#[test]
fn drift_of_many_groups_of_one_service_is_attributed_to_each_group() {
    let env = Env::start();
    let mut text = String::from("namespace = \"it\"\n[service.hello]\ncmd = \"sleep 600\"\ncpus = 0.1\nmem = 16\n");
    for g in 1..=6 {
        text.push_str(&format!("[[service.hello.group]]\nlabels = [\"g{g}\"]\ninstances = 1\n"));
    }
    let spec_path = env.spec("spec.toml", &text);
    let spec = spec_path.to_str().unwrap();
    let apps: Value = serde_json::from_slice(&env.cmd().args(["render", spec]).output().unwrap().stdout).unwrap();
    assert_eq!(env.engine.call("PUT", "/v2/apps", Some(&apps)).status, 200);
    env.wait_running(6);
    let (code, doc) = plan(&env, spec);
    assert_eq!(code, Some(10), "{doc:#}");
    for g in 1..=6 {
        let reg = &row(&doc, &format!("g{g}"))["registration"];
        assert_eq!((reg["group_missing"].as_bool(), reg["missing"].as_array().map(Vec::len)), (Some(true), Some(1)));
    }
    env.sync_once();
    let (code, doc) = plan(&env, spec);
    assert_eq!(code, Some(0), "{doc:#}");
    let (real, fake) = crate::support::sync::tamper(&env, "g3");
    let (code, doc) = plan(&env, spec);
    assert_eq!(code, Some(10), "{doc:#}");
    for g in 1..=6 {
        let reg = &row(&doc, &format!("g{g}"))["registration"];
        assert_eq!(reg["registered"], 1, "{doc:#}");
        if g == 3 {
            assert_eq!(reg["stale"], serde_json::json!([fake]), "{doc:#}");
            assert_eq!(reg["missing"], serde_json::json!([real]), "{doc:#}");
        } else {
            assert_eq!(
                (reg["stale"].as_array().map(Vec::len), reg["missing"].as_array().map(Vec::len)),
                (Some(0), Some(0)),
                "g{g}: {doc:#}"
            );
        }
    }
}
