//! Benchmark of the etcd driver against real etcd processes it starts itself:
//! `cargo bench --bench theseus -- etcd [CONTAINERS GROUPS]` (or `scripts/bench-etcd`).
//!
//! 1. register CONTAINERS containers across GROUPS groups into an empty etcd with
//!    `Driver::register_containers`, against a raw loop of transactions of `MAX_TXN_OPS` puts of
//!    the same keys and values through etcd-client into another empty etcd (target <= 2x);
//! 2. `get_service_containers` over all of them (one request each) against one raw range read
//!    of the same keys through etcd-client (target <= 2x);
//! 3. the `theseus endpoints SERVICE -o json` process against `etcdctl get --prefix` of the
//!    same keys (Debian's etcd-client package; target: no slower).
//!
//! CONTAINERS and GROUPS default to 10000 and 100.

use std::time::{Duration, Instant};

use etcd_client::{GetOptions, Txn, TxnOp};

use crate::support::etcd::Etcd;
use serde_json::json;
use theseus::etcd::{ContainerInfo, Driver, PortMappingInfo, MAX_TXN_OPS};
use theseus::names::GroupKey;

fn container(group: usize, i: usize) -> ContainerInfo {
    let port = 31000 + (i % 1000) as u32;
    ContainerInfo {
        instance_name: format!("theseus_bench_g{group:03}.{i:05}-6f1c2a3e-0b8d-11ef-9a6c-0242ac120002"),
        instance_host: format!("10.0.{}.{}", group % 250, i % 250),
        instance_port: Some(port),
        port_mappings: vec![PortMappingInfo {
            container_port: Some(8080),
            host_port: port,
            name: Some("http".into()),
            protocol: "tcp".into(),
        }],
        version: "2024-05-01T10:00:00.000Z".into(),
        healthy: true,
        started_at: Some("2024-05-01T10:00:05.123Z".into()),
        canary: false,
    }
}

fn group_name(g: usize) -> String {
    format!("bench.g{g:03}")
}

async fn create_groups(d: &Driver, groups: usize) {
    for g in 0..groups {
        d.create_group(&GroupKey::new("bench", group_name(g)).unwrap(), &json!({"instances": 100})).await.unwrap();
    }
}

/// Runs the benchmark; `args`: [CONTAINERS [GROUPS]].
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(bench(args));
    Ok(())
}

async fn bench(args: &[String]) {
    let args: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let total = args.first().copied().unwrap_or(10_000);
    let groups = args.get(1).copied().unwrap_or(100);
    let per_group = total / groups;
    let plan: Vec<(String, Vec<ContainerInfo>)> =
        (0..groups).map(|g| (group_name(g), (0..per_group).map(|i| container(g, i)).collect())).collect();
    let n = per_group * groups;
    println!("etcd driver benchmark: {n} containers in {groups} groups ({per_group} each)");
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;

    // 1. Registration: the driver, and a raw loop of transactions of 128 puts of the same keys
    //    and values through etcd-client, each into an empty etcd.
    let batched_etcd = Etcd::start();
    let d = batched_etcd.driver().await;
    create_groups(&d, groups).await;
    let before = d.requests_sent();
    let start = Instant::now();
    for (group, infos) in &plan {
        d.register_containers(&GroupKey::new("bench", group.as_str()).unwrap(), infos).await.unwrap();
    }
    let batched = start.elapsed();
    let txns = d.requests_sent() - before;

    let raw_etcd = Etcd::start();
    let r = raw_etcd.driver().await;
    create_groups(&r, groups).await;
    let keys = r.keys().clone();
    let mut client = etcd_client::Client::connect([raw_etcd.endpoint.as_str()], None).await.unwrap();
    let start = Instant::now();
    let mut raw_txns = 0;
    for (group, infos) in &plan {
        let mut ops = Vec::new();
        for info in infos {
            let name = &info.instance_name;
            let marker = serde_json::to_vec(&json!({ "instance_name": name })).unwrap();
            ops.push(TxnOp::put(keys.container("bench", group, name), marker, None));
            ops.push(TxnOp::put(keys.container_info("bench", group, name), serde_json::to_vec(info).unwrap(), None));
        }
        for chunk in ops.chunks(MAX_TXN_OPS) {
            client.txn(Txn::new().and_then(chunk.to_vec())).await.unwrap();
            raw_txns += 1;
        }
    }
    let raw = start.elapsed();
    assert_eq!(
        r.get_service_containers("bench").await.unwrap(),
        d.get_service_containers("bench").await.unwrap(),
        "both ways store the same layout"
    );
    let ratio = batched.as_secs_f64() / raw.as_secs_f64();
    println!("  register (driver):     {:>8.1} ms  ({txns} transactions)", ms(batched));
    println!("  raw txns of {MAX_TXN_OPS} puts:   {:>8.1} ms  ({raw_txns} transactions)", ms(raw));
    crate::support::measure::row(
        &format!("register {n} containers"),
        &format!("{:.0} ms, {txns} txns", ms(batched)),
        &format!("raw txns of {MAX_TXN_OPS} puts: {:.0} ms", ms(raw)),
        Some(ratio),
        "<= 2x",
        ratio <= 2.0,
    );

    // 2. Reading everything back, in process: the driver's listing (one request) against one
    //    raw range read of the same keys through etcd-client.
    let prefix = keys.service_prefix("bench");
    // The same response size limit as the driver's (gRPC's default of 4 MiB is too small).
    let mut raw_kv = client.kv_client().max_decoding_message_size(64 << 20);
    let mut listing = Vec::new();
    let mut range = Vec::new();
    for _ in 0..21 {
        let before = d.requests_sent();
        let start = Instant::now();
        let all = d.get_service_containers("bench").await.unwrap();
        listing.push(ms(start.elapsed()));
        assert_eq!(d.requests_sent() - before, 1, "get_service_containers must be one request");
        assert_eq!(all.values().map(Vec::len).sum::<usize>(), n);
        let start = Instant::now();
        let resp = raw_kv.get(prefix.as_str(), Some(GetOptions::new().with_prefix())).await.unwrap();
        range.push(ms(start.elapsed()));
        assert!(resp.kvs().len() >= 2 * n);
    }
    let (listing, range) = (crate::support::measure::median(listing), crate::support::measure::median(range));
    println!("  get_service_containers: median {listing:.1} ms; one raw range read: median {range:.1} ms (21 runs)");
    crate::support::measure::row(
        &format!("get_service_containers, {n} containers"),
        &format!("{listing:.1} ms, 1 request"),
        &format!("raw range read {range:.1} ms"),
        Some(listing / range),
        "<= 2x",
        listing / range <= 2.0,
    );

    // 3. As a user runs it: `theseus endpoints` against `etcdctl get --prefix` of the same keys.
    let bin = std::path::Path::new(crate::support::THESEUS);
    let ep = d.endpoints().to_owned();
    let (theseus_ms, theseus_mib) =
        crate::support::measure::measure(bin, &["--etcd", &ep, "endpoints", "bench", "-o", "json"], 11).unwrap();
    let etcdctl = std::path::Path::new("etcdctl");
    let (etcdctl_ms, etcdctl_mib) =
        crate::support::measure::measure(etcdctl, &["--endpoints", &ep, "get", "--prefix", &prefix], 11)
            .expect("etcdctl (apt-get install etcd-client)");
    println!(
        "  theseus endpoints -o json: {theseus_ms:.1} ms ({theseus_mib:.1} MiB); etcdctl get --prefix: {etcdctl_ms:.1} ms ({etcdctl_mib:.1} MiB)"
    );
    crate::support::measure::row(
        &format!("endpoints -o json, {n} containers"),
        &format!("{theseus_ms:.1} ms, {theseus_mib:.1} MiB"),
        &format!("etcdctl get --prefix {etcdctl_ms:.1} ms"),
        Some(theseus_ms / etcdctl_ms),
        "<= 1x",
        theseus_ms <= etcdctl_ms,
    );
}
