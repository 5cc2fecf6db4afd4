//! Benchmark of the etcd driver against real etcd processes it starts itself:
//! `cargo bench --bench etcd [-- CONTAINERS GROUPS]` (or `scripts/bench-etcd`).
//!
//! 1. register CONTAINERS containers across GROUPS groups into an empty etcd, batched in
//!    transactions (`Driver::register_containers`), and the naive way (one put per key, the
//!    same keys and values) into another empty etcd; both times and the ratio;
//! 2. `get_service_containers` over all of them: median latency, and the number of requests
//!    each call sends (must be 1).
//!
//! CONTAINERS and GROUPS default to 10000 and 100. A `harness = false` target: `cargo test
//! --all-targets` runs this `main` too, without `--bench`, and it then returns at once.
#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark binary prints its figures

#[path = "../tests/it/support/etcd.rs"]
#[allow(dead_code, unreachable_pub)]
mod etcd_support;

use std::time::{Duration, Instant};

use etcd_support::Etcd;
use serde_json::json;
use theseus::etcd::{ContainerInfo, Driver, PortMappingInfo};
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

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("etcd benchmark skipped: run it with `cargo bench --bench etcd`");
        return;
    }
    // `cargo bench` appends `--bench`; only the numbers are ours.
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let total = args.first().copied().unwrap_or(10_000);
    let groups = args.get(1).copied().unwrap_or(100);
    let per_group = total / groups;
    let plan: Vec<(String, Vec<ContainerInfo>)> =
        (0..groups).map(|g| (group_name(g), (0..per_group).map(|i| container(g, i)).collect())).collect();
    println!("etcd driver benchmark: {} containers in {groups} groups ({per_group} each)", per_group * groups);

    // Batched, into an empty etcd.
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
    println!("  batched register:   {:>8.3} s  ({txns} transactions)", batched.as_secs_f64());

    // Naive, into another empty etcd: one put per key, the same keys and values.
    let naive_etcd = Etcd::start();
    let n = naive_etcd.driver().await;
    create_groups(&n, groups).await;
    let keys = n.keys().clone();
    let mut client = etcd_client::Client::connect([naive_etcd.endpoint.as_str()], None).await.unwrap();
    let start = Instant::now();
    let mut puts = 0;
    for (group, infos) in &plan {
        for info in infos {
            let name = &info.instance_name;
            let marker = serde_json::to_vec(&json!({ "instance_name": name })).unwrap();
            client.put(keys.container("bench", group, name), marker, None).await.unwrap();
            client
                .put(keys.container_info("bench", group, name), serde_json::to_vec(info).unwrap(), None)
                .await
                .unwrap();
            puts += 2;
        }
    }
    let naive = start.elapsed();
    println!("  naive register:     {:>8.3} s  ({puts} puts)", naive.as_secs_f64());
    println!("  batched speed-up:   {:>8.1} x", naive.as_secs_f64() / batched.as_secs_f64());
    assert_eq!(
        n.get_service_containers("bench").await.unwrap(),
        d.get_service_containers("bench").await.unwrap(),
        "both ways store the same layout"
    );

    // Reading everything back: one range read per call.
    let mut samples: Vec<Duration> = Vec::new();
    for _ in 0..21 {
        let before = d.requests_sent();
        let start = Instant::now();
        let all = d.get_service_containers("bench").await.unwrap();
        samples.push(start.elapsed());
        assert_eq!(d.requests_sent() - before, 1, "get_service_containers must be one request");
        assert_eq!(all.values().map(Vec::len).sum::<usize>(), per_group * groups);
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  get_service_containers: median {:.1} ms (min {:.1}, max {:.1}; 21 runs, 1 request each)",
        ms(samples[samples.len() / 2]),
        ms(samples[0]),
        ms(samples[samples.len() - 1])
    );
}
