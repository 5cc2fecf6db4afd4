//! Scaling a large group to zero deregisters its containers in batched etcd
//! transactions, not one transaction per task: shown with etcd's own revision counter, which
//! moves by exactly one for every transaction (or put, or delete) that writes.

use std::time::Duration;

use serde_json::Value;

use super::support::cmd::theseus;
use super::support::engine::{test_config, Engine};
use super::support::etcd::Etcd;
use theseus::etcd::MAX_TXN_OPS;
use theseus::local::Config;

const INSTANCES: u64 = 1000;

/// etcd's current revision (one read through etcd-client).
fn revision(etcd: &Etcd) -> i64 {
    let endpoint = etcd.endpoint.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let mut c = etcd_client::Client::connect([endpoint], None).await.unwrap();
            let resp = c.get("/", Some(etcd_client::GetOptions::new().with_count_only())).await.unwrap();
            resp.header().unwrap().revision()
        })
    })
    .join()
    .unwrap()
}

#[test]
fn scaling_1000_to_0_deregisters_in_batches_of_max_txn_ops() {
    let engine = Engine::start_with(Config {
        agents: 10,
        agent_cpus: 100_000.0,
        agent_mem: 1.0e9,
        agent_disk: 1.0e9,
        ..test_config()
    });
    let etcd = Etcd::start();
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("big.toml");
    let text = format!(
        "namespace = \"it\"\n[service.big]\nimage = \"nginx:1.27\"\ncpus = 0.01\nmem = 1\n\
         [[service.big.group]]\nlabels = [\"many\"]\ninstances = {INSTANCES}\n"
    );
    std::fs::write(&spec, text).unwrap();
    let run = |args: &[&str]| {
        let out = theseus()
            .args(["--marathon", &engine.url(), "--etcd", &etcd.endpoint, "-q"])
            .args(args)
            .timeout(Duration::from_secs(600))
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    run(&["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]);
    let registered = |run: &dyn Fn(&[&str]) -> Vec<u8>| {
        let out = run(&["endpoints", "big", "-l", "many", "-o", "json"]);
        serde_json::from_slice::<Value>(&out).unwrap().as_array().unwrap().len() as u64
    };
    assert_eq!(registered(&run), INSTANCES, "every task is registered before the scale-down");

    let before = revision(&etcd);
    run(&["scale", "big", "-l", "many", "--instances", "0", "--poll-interval", "200ms"]);
    let writes = (revision(&etcd) - before) as u64;
    assert_eq!(registered(&run), 0, "every container is deregistered");
    // Two deletes per container (marker, subtree), MAX_TXN_OPS per transaction; the rest of
    // the writes are the rollout's own (lock lease and key, journal, history): a handful.
    let batches = (2 * INSTANCES).div_ceil(MAX_TXN_OPS as u64);
    assert!(writes >= batches, "{writes} writes cannot hold {INSTANCES} deregistrations in batches of {MAX_TXN_OPS}");
    assert!(
        writes < batches + 20,
        "{writes} etcd writes to scale {INSTANCES} tasks to 0: deregistration is not batched ({batches} batches expected)"
    );
}
