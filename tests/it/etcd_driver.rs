//! The etcd driver's operations against a real etcd: layout, transactions, single-read
//! listings, batching, concurrency and error paths.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on setup failures, as tests do

use crate::support::gk;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use theseus::names::GroupKey;

use serde_json::json;
use theseus::error::ExitStatus;
use theseus::error_reporting::hints;
use theseus::etcd::{ContainerInfo, Driver, Error, GroupChange, Options, PortMappingInfo, MAX_TXN_OPS};

use crate::support::etcd::Etcd;

pub(crate) fn info(name: &str, port: u32) -> ContainerInfo {
    ContainerInfo {
        instance_name: name.to_owned(),
        instance_host: "127.0.0.2".into(),
        instance_port: Some(port),
        port_mappings: vec![PortMappingInfo {
            container_port: Some(80),
            host_port: port,
            name: Some("http".into()),
            protocol: "tcp".into(),
        }],
        version: "2024-05-01T10:00:00.000Z".into(),
        healthy: true,
        started_at: Some("2024-05-01T10:00:05.000Z".into()),
        canary: false,
    }
}

fn keys(etcd: &Etcd) -> Vec<String> {
    etcd.dump().into_iter().map(|(k, _)| k).collect()
}

fn classify(err: Error) -> ExitStatus {
    theseus::error_reporting::classify(&anyhow::Error::new(err))
}

#[tokio::test]
async fn services_are_created_listed_and_removed() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    assert!(d.get_service_names().await.unwrap().is_empty());
    assert!(d.create_service("web").await.unwrap());
    assert!(!d.create_service("web").await.unwrap(), "second create reports it existed");
    assert!(d.create_service("web-api").await.unwrap());
    d.create_group(&gk("web", "dev"), &json!({})).await.unwrap();
    assert!(d.service_exists("web").await.unwrap());
    assert!(!d.service_exists("db").await.unwrap());
    assert_eq!(d.get_service_names().await.unwrap(), ["web", "web-api"]);

    assert!(d.remove_service("web").await.unwrap());
    assert!(!d.remove_service("web").await.unwrap(), "removing again is a no-op");
    assert_eq!(d.get_service_names().await.unwrap(), ["web-api"]);
    assert_eq!(keys(&etcd), ["/services", "/services/web-api"], "the neighbour `web-api` is untouched");
}

#[tokio::test]
async fn create_group_writes_the_layout_in_one_transaction() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let before = d.requests_sent();
    assert!(d.create_group(&gk("web", "dev.frontend"), &json!({"instances": 2})).await.unwrap());
    assert_eq!(d.requests_sent() - before, 1, "one transaction");
    let dump = etcd.dump();
    let want = [
        ("/services", json!({"layout": 1})),
        ("/services/web", json!({"service": "web"})),
        (
            "/services/web/dev.frontend",
            json!({"service": "web", "group": "dev.frontend", "labels": ["dev", "frontend"]}),
        ),
        ("/services/web/dev.frontend/config", json!({"instances": 2})),
        ("/services/web/dev.frontend/containers", json!({"service": "web", "group": "dev.frontend"})),
    ];
    assert_eq!(dump.len(), want.len(), "{dump:?}");
    for ((k, v), (wk, wv)) in dump.iter().zip(want) {
        assert_eq!(k, wk);
        assert_eq!(serde_json::from_str::<serde_json::Value>(v).unwrap(), wv, "{k}");
    }
    assert!(!d.create_group(&gk("web", "dev.frontend"), &json!({"instances": 9})).await.unwrap());
    assert_eq!(d.get_group_config(&gk("web", "dev.frontend")).await.unwrap(), json!({"instances": 2}), "untouched");
    assert!(d.group_exists(&gk("web", "dev.frontend")).await.unwrap());
    assert!(!d.group_exists(&gk("web", "dev")).await.unwrap());
    assert_eq!(d.get_service_groups("web").await.unwrap(), ["dev.frontend"]);
}

#[tokio::test]
async fn group_config_round_trips_and_needs_the_group() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    d.create_group(&gk("web", "prod"), &json!({"image": "nginx:1.26"})).await.unwrap();
    d.set_group_config(&gk("web", "prod"), &json!({"image": "nginx:1.27", "env": {"A": "1"}})).await.unwrap();
    assert_eq!(
        d.get_group_config(&gk("web", "prod")).await.unwrap(),
        json!({"image": "nginx:1.27", "env": {"A": "1"}})
    );
    let err = d.set_group_config(&gk("web", "dev"), &json!({})).await.unwrap_err();
    assert!(matches!(err, Error::GroupNotFound { .. }), "{err}");
    assert!(!d.group_exists(&gk("web", "dev")).await.unwrap(), "no silent create");
    let err = d.get_group_config(&gk("web", "dev")).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.to_string(), "group `web/dev` is not registered in etcd");
}

#[tokio::test]
async fn remove_group_removes_its_whole_subtree_and_nothing_else() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    for g in ["dev", "dev.frontend"] {
        d.create_group(&gk("web", g), &json!({})).await.unwrap();
        d.register_containers(&gk("web", g), &[info(&format!("{g}.t1"), 31000), info(&format!("{g}.t2"), 31001)])
            .await
            .unwrap();
    }
    let before = d.requests_sent();
    assert!(d.remove_group(&gk("web", "dev")).await.unwrap());
    assert_eq!(d.requests_sent() - before, 1, "one transaction");
    assert!(!d.remove_group(&gk("web", "dev")).await.unwrap());
    let left = keys(&etcd);
    assert!(left.iter().all(|k| !k.starts_with("/services/web/dev/") && k != "/services/web/dev"), "{left:?}");
    assert_eq!(
        d.get_group_container_names(&gk("web", "dev.frontend")).await.unwrap(),
        ["dev.frontend.t1", "dev.frontend.t2"]
    );
    assert!(d.service_exists("web").await.unwrap(), "the service stays");
}

#[tokio::test]
async fn containers_register_update_and_deregister_idempotently() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    d.create_group(&gk("web", "dev.frontend"), &json!({})).await.unwrap();
    let t1 = info("web_dev.frontend.t1", 31000);
    d.register_container(&gk("web", "dev.frontend"), &t1).await.unwrap();
    d.register_container(&gk("web", "dev.frontend"), &t1).await.unwrap(); // idempotent
    assert!(d.container_exists(&gk("web", "dev.frontend"), "web_dev.frontend.t1").await.unwrap());
    assert!(!d.container_exists(&gk("web", "dev.frontend"), "web_dev.frontend.t2").await.unwrap());
    assert_eq!(d.get_container_info(&gk("web", "dev.frontend"), "web_dev.frontend.t1").await.unwrap(), t1);

    let stored = etcd.dump();
    let info_json = &stored.iter().find(|(k, _)| k.ends_with("/web_dev.frontend.t1/info")).unwrap().1;
    let v: serde_json::Value = serde_json::from_str(info_json).unwrap();
    assert_eq!(v["instance_host"], "127.0.0.2");
    assert_eq!(v["instance_port"], 31000);
    assert_eq!(
        v["port_mappings"][0],
        json!({"container_port": 80, "host_port": 31000, "name": "http", "protocol": "tcp"})
    );
    assert!(stored.iter().any(|(k, _)| k == "/services/web/dev.frontend/containers/web_dev.frontend.t1"));

    let mut unhealthy = t1.clone();
    unhealthy.healthy = false;
    d.set_container_info(&gk("web", "dev.frontend"), &unhealthy).await.unwrap();
    assert!(!d.get_container_info(&gk("web", "dev.frontend"), "web_dev.frontend.t1").await.unwrap().healthy);
    let err = d.set_container_info(&gk("web", "dev.frontend"), &info("nope", 1)).await.unwrap_err();
    assert!(matches!(err, Error::ContainerNotFound { .. }), "{err}");
    assert!(!d.container_exists(&gk("web", "dev.frontend"), "nope").await.unwrap(), "no silent create");

    d.register_container(&gk("web", "dev.frontend"), &info("web_dev.frontend.t2", 31001)).await.unwrap();
    assert_eq!(
        d.get_group_container_names(&gk("web", "dev.frontend")).await.unwrap(),
        ["web_dev.frontend.t1", "web_dev.frontend.t2"]
    );
    assert!(d.deregister_container(&gk("web", "dev.frontend"), "web_dev.frontend.t1").await.unwrap());
    assert!(!d.deregister_container(&gk("web", "dev.frontend"), "web_dev.frontend.t1").await.unwrap(), "idempotent");
    assert!(!d.deregister_container(&gk("web", "gone"), "x").await.unwrap(), "a missing group is not an error");
    assert_eq!(d.get_group_container_names(&gk("web", "dev.frontend")).await.unwrap(), ["web_dev.frontend.t2"]);
    assert!(keys(&etcd).iter().all(|k| !k.contains("frontend.t1")), "marker and info both gone");
    let err = d.get_container_info(&gk("web", "dev.frontend"), "web_dev.frontend.t1").await.unwrap_err();
    assert!(err.is_not_found());
}

#[tokio::test]
async fn registering_in_a_missing_group_is_an_error_not_a_create() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let err = d.register_container(&gk("web", "dev"), &info("t1", 31000)).await.unwrap_err();
    assert!(matches!(&err, Error::GroupNotFound { service, group } if service == "web" && group == "dev"), "{err}");
    d.create_service("web").await.unwrap();
    let err = d.register_containers(&gk("web", "dev"), &[info("t1", 1), info("t2", 2)]).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(keys(&etcd), ["/services", "/services/web"], "nothing written under the missing group");
    assert_eq!(classify(err), ExitStatus::Failure);
}

#[tokio::test]
async fn get_service_containers_is_one_range_read_grouped_by_group() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    d.create_group(&gk("web", "dev"), &json!({})).await.unwrap();
    d.create_group(&gk("web", "prod"), &json!({})).await.unwrap();
    d.create_group(&gk("web", "canary.prod"), &json!({})).await.unwrap();
    d.create_group(&gk("web-api", "dev"), &json!({})).await.unwrap();
    d.register_containers(&gk("web", "prod"), &[info("p1", 31000), info("p2", 31001)]).await.unwrap();
    d.register_containers(&gk("web", "dev"), &[info("d1", 31002)]).await.unwrap();
    d.register_containers(&gk("web-api", "dev"), &[info("other", 31003)]).await.unwrap();

    let before = d.requests_sent();
    let all = d.get_service_containers("web").await.unwrap();
    assert_eq!(d.requests_sent() - before, 1, "one request");
    assert_eq!(all.keys().collect::<Vec<_>>(), ["canary.prod", "dev", "prod"]);
    assert!(all["canary.prod"].is_empty(), "groups without containers are listed");
    assert_eq!(all["prod"], [info("p1", 31000), info("p2", 31001)]);
    assert_eq!(all["dev"], [info("d1", 31002)], "the neighbour service `web-api` is not mixed in");

    let before = d.requests_sent();
    assert_eq!(d.get_service_groups("web").await.unwrap(), ["canary.prod", "dev", "prod"]);
    assert_eq!(d.get_group_container_names(&gk("web", "prod")).await.unwrap(), ["p1", "p2"]);
    assert_eq!(d.get_service_names().await.unwrap(), ["web", "web-api"]);
    assert_eq!(d.requests_sent() - before, 3, "every listing is one request");
}

#[tokio::test]
async fn listings_of_missing_things_are_not_found() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    assert!(matches!(d.get_service_containers("web").await.unwrap_err(), Error::ServiceNotFound { .. }));
    assert!(matches!(d.get_service_groups("web").await.unwrap_err(), Error::ServiceNotFound { .. }));
    d.create_service("web").await.unwrap();
    assert!(d.get_service_containers("web").await.unwrap().is_empty(), "an empty service is not missing");
    assert!(matches!(d.get_group_container_names(&gk("web", "dev")).await.unwrap_err(), Error::GroupNotFound { .. }));
}

#[tokio::test]
async fn invalid_names_are_refused_before_any_request() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let before = d.requests_sent();
    let errs = [
        d.create_service("Web").await.unwrap_err(),
        d.register_container(&gk("web", "dev"), &info("a/b", 1)).await.unwrap_err(),
        d.deregister_container(&gk("web", "dev"), "").await.unwrap_err(),
    ];
    assert_eq!(d.requests_sent(), before);
    // A group is named by a GroupKey, which cannot hold a non-canonical or empty label set.
    assert!(GroupKey::new("web", "frontend.dev").is_err());
    assert!(GroupKey::new("web", "").is_err());
    for err in errs {
        assert!(matches!(err, Error::InvalidName { .. }), "{err}");
        assert_eq!(classify(err), ExitStatus::Usage);
    }
}

#[tokio::test]
async fn batched_registration_uses_as_few_transactions_as_max_txn_ops_allows() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    d.create_group(&gk("web", "dev"), &json!({})).await.unwrap();
    let many: Vec<ContainerInfo> = (0..200).map(|i| info(&format!("t{i:03}"), 31000 + i)).collect();
    let before = d.requests_sent();
    d.register_containers(&gk("web", "dev"), &many).await.unwrap();
    let per_txn = MAX_TXN_OPS / 2; // a marker and an info per container
    assert_eq!(d.requests_sent() - before, 200_u64.div_ceil(per_txn as u64));
    assert_eq!(d.get_group_container_names(&gk("web", "dev")).await.unwrap().len(), 200);
}

#[tokio::test]
async fn batched_deregistration_reads_once_and_deletes_in_max_txn_ops_batches() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let key = gk("web", "dev");
    d.create_group(&key, &json!({})).await.unwrap();
    let many: Vec<ContainerInfo> = (0..200).map(|i| info(&format!("t{i:03}"), 31000 + i)).collect();
    d.register_containers(&key, &many).await.unwrap();
    // 150 registered ones and one that never was.
    let mut doomed: Vec<String> = (0..150).map(|i| format!("t{i:03}")).collect();
    doomed.push("never".into());
    let before = d.requests_sent();
    let gone = d.deregister_containers(&key, &doomed).await.unwrap();
    let per_txn = MAX_TXN_OPS / 2; // a marker delete and a subtree delete per container
    assert_eq!(d.requests_sent() - before, 1 + 150u64.div_ceil(per_txn as u64), "one read, then batches");
    assert_eq!(gone.len(), 150, "only what was registered is reported");
    assert!(!gone.contains(&"never".to_owned()));
    assert_eq!(d.get_group_container_names(&key).await.unwrap().len(), 50);
    assert!(d.deregister_containers(&key, &doomed).await.unwrap().is_empty(), "idempotent");
    assert!(d.deregister_containers(&gk("web", "gone"), &doomed).await.unwrap().is_empty(), "missing group");
}

#[tokio::test]
async fn a_group_change_is_written_in_as_few_guarded_transactions_as_fit() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let key = gk("web", "dev");
    d.create_group(&key, &json!({})).await.unwrap();
    let change = |put: Vec<ContainerInfo>, delete: Vec<String>| GroupChange { key: key.clone(), put, delete };
    let first: Vec<ContainerInfo> = (0..150).map(|i| info(&format!("t{i:03}"), 31000 + i)).collect();
    let before = d.requests_sent();
    d.write_group_change(&change(first.clone(), Vec::new())).await.unwrap();
    // Two ops per container, never split: 300 ops in transactions of at most MAX_TXN_OPS.
    let per_txn = (MAX_TXN_OPS / 2) as u64;
    assert_eq!(d.requests_sent() - before, 150u64.div_ceil(per_txn));

    // Rewrite t000 (its health changed), drop t100..t149, add n000..n009: (1 + 10 + 50) * 2 =
    // 122 ops, one transaction.
    let mut put = vec![ContainerInfo { healthy: false, ..first[0].clone() }];
    put.extend((0..10).map(|i| info(&format!("n{i:03}"), 32000 + i)));
    let mut delete: Vec<String> = (100..150).map(|i| format!("t{i:03}")).collect();
    delete.insert(0, "never".into());
    let before = d.requests_sent();
    let deregistered = d.write_group_change(&change(put.clone(), delete.clone())).await.unwrap();
    assert_eq!(d.requests_sent() - before, 1);
    // Only what was registered is reported (what a refused kill puts back), sorted.
    assert_eq!(deregistered, delete[1..], "the deletes' own answers say which were registered");
    let now = d.get_service_containers("web").await.unwrap();
    let names: BTreeSet<&str> = now["dev"].iter().map(|c| c.instance_name.as_str()).collect();
    let want: BTreeSet<&str> = first[..100].iter().chain(&put).map(|c| c.instance_name.as_str()).collect();
    assert_eq!(names, want);
    assert!(!now["dev"].iter().find(|c| c.instance_name == "t000").unwrap().healthy);

    // Split over several transactions, the answers still name the registered ones.
    let many: Vec<String> = (0..100).map(|i| format!("t{i:03}")).chain(["never".into()]).collect();
    let before = d.requests_sent();
    let deregistered = d.write_group_change(&change(Vec::new(), many.clone())).await.unwrap();
    assert_eq!(d.requests_sent() - before, 101u64.div_ceil(per_txn));
    assert_eq!(deregistered, many[..100], "every registered one, across transactions");
    d.write_group_change(&change(first[..100].to_vec(), Vec::new())).await.unwrap();

    let before = d.requests_sent();
    assert!(d.write_group_change(&change(Vec::new(), Vec::new())).await.unwrap().is_empty());
    assert_eq!(d.requests_sent(), before, "nothing to change: nothing sent");
    let gone = GroupChange { key: gk("web", "prod"), put: vec![info("t1", 1)], delete: Vec::new() };
    let err = d.write_group_change(&gone).await.unwrap_err();
    assert!(matches!(err, Error::GroupNotFound { .. }), "{err}");
    assert!(d.write_group_change(&change(Vec::new(), vec!["a/b".into()])).await.is_err(), "a bad name");
    assert_eq!(d.get_group_container_names(&key).await.unwrap().len(), 110, "a refused change writes nothing");
}

/// Many tasks register and deregister while another removes the group: whatever the
/// interleaving, nothing is left under the removed group.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_registration_and_removal_never_leave_orphans() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    for round in 0..3 {
        d.create_group(&gk("web", "dev"), &json!({})).await.unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for t in 0..24 {
            let d = d.clone();
            // Each task registers (and sometimes deregisters) until it sees the group gone,
            // so every task overlaps the removal.
            tasks.spawn(async move {
                let deadline = Instant::now() + Duration::from_secs(30);
                for i in 0.. {
                    assert!(Instant::now() < deadline, "the group was never removed");
                    let name = format!("r{round}.t{t}.{i}");
                    match d.register_container(&gk("web", "dev"), &info(&name, 31000)).await {
                        Ok(()) => {}
                        Err(Error::GroupNotFound { .. }) => return,
                        Err(e) => panic!("{e}"),
                    }
                    if i % 3 == 0 {
                        d.deregister_container(&gk("web", "dev"), &name).await.unwrap();
                    }
                }
            });
        }
        let remover = d.clone();
        tasks.spawn(async move {
            // Remove while the registrations are under way.
            while remover.get_group_container_names(&gk("web", "dev")).await.map_or(0, |n| n.len()) < 20 {
                tokio::task::yield_now().await;
            }
            assert!(remover.remove_group(&gk("web", "dev")).await.unwrap());
        });
        while let Some(r) = tasks.join_next().await {
            r.unwrap();
        }
        let left = keys(&etcd);
        assert!(left.iter().all(|k| !k.starts_with("/services/web/dev")), "round {round}: orphans {left:?}");
    }
}

#[tokio::test]
async fn a_root_prefix_isolates_namespaces() {
    let etcd = Etcd::start();
    let a = etcd.driver_with_prefix("team-a/prod").await;
    let b = etcd.driver_with_prefix("/team-b/").await;
    a.create_group(&gk("web", "dev"), &json!({})).await.unwrap();
    a.register_container(&gk("web", "dev"), &info("t1", 1)).await.unwrap();
    assert!(b.get_service_names().await.unwrap().is_empty());
    assert!(!b.group_exists(&gk("web", "dev")).await.unwrap());
    assert!(keys(&etcd).iter().all(|k| k.starts_with("/team-a/prod/services")));
    assert!(keys(&etcd).contains(&"/team-a/prod/services/web/dev/containers/t1/info".to_owned()));
}

#[tokio::test]
async fn malformed_values_are_reported_with_their_key() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    d.create_group(&gk("web", "dev"), &json!({})).await.unwrap();
    let mut bad = info("t1", 1);
    d.register_container(&gk("web", "dev"), &bad).await.unwrap();
    // Overwrite the info with something that is not a ContainerInfo: a registration pass
    // rewrites it (its diff counts an unreadable info as different), a read reports it.
    overwrite(&etcd, "/services/web/dev/containers/t1/info", "not json");
    let err = d.get_container_info(&gk("web", "dev"), "t1").await.unwrap_err();
    assert!(matches!(&err, Error::Corrupt { key, .. } if key == "/services/web/dev/containers/t1/info"), "{err}");
    assert!(d.get_service_containers("web").await.is_err());
    bad.version = "v2".into();
    let regs = d.group_registrations(&gk("web", "dev")).await.unwrap().unwrap();
    assert_eq!(regs.containers["t1"], None, "an unreadable info reads as none");
    let change = GroupChange { key: gk("web", "dev"), put: vec![bad.clone()], delete: Vec::new() };
    d.write_group_change(&change).await.unwrap();
    assert_eq!(d.get_container_info(&gk("web", "dev"), "t1").await.unwrap(), bad);
}

fn overwrite(etcd: &Etcd, key: &str, value: &str) {
    let (endpoint, key, value) = (etcd.endpoint.clone(), key.to_owned(), value.to_owned());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let mut c = etcd_client::Client::connect([endpoint], None).await.unwrap();
            c.put(key, value, None).await.unwrap();
        })
    })
    .join()
    .unwrap();
}

#[tokio::test]
async fn an_unreachable_etcd_is_one_clear_error_within_the_timeout() {
    // A port nobody listens on: bind, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead = format!("127.0.0.1:{port}");
    let mut opts = Options::new([dead.clone(), "127.0.0.1:9".to_owned()]);
    opts.connect_timeout = Duration::from_millis(1500);
    opts.password = Some("never-shown".into());
    opts.user = Some("u".into());
    let start = Instant::now();
    let err = Driver::connect(&opts).await.unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(4), "took {:?}", start.elapsed());
    let text = err.to_string();
    assert!(text.contains(&dead) && text.contains("127.0.0.1:9"), "{text}");
    assert!(text.starts_with("cannot reach etcd at"), "{text}");
    let err = anyhow::Error::new(err);
    assert!(!format!("{err:?}").contains("never-shown"));
    assert_eq!(theseus::error_reporting::classify(&err), ExitStatus::Failure);
    assert!(hints(&err)[0].contains("THESEUS_ETCD_ENDPOINTS"), "{:?}", hints(&err));
}

#[tokio::test]
async fn requests_to_a_stopped_etcd_fail_within_the_request_timeout() {
    let etcd = Etcd::start();
    let mut opts = etcd.options();
    opts.request_timeout = Duration::from_secs(1);
    let d = Driver::connect(&opts).await.unwrap();
    d.create_service("web").await.unwrap();
    drop(etcd);
    let start = Instant::now();
    let err = d.service_exists("web").await.unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(3), "took {:?}", start.elapsed());
    assert!(matches!(err, Error::Timeout { .. } | Error::Request { .. }), "{err}");
    assert_eq!(classify(err), ExitStatus::Failure);
}

/// gRPC's default 4 MiB response limit would cut a big service's single range read short.
#[tokio::test]
async fn a_service_bigger_than_grpcs_default_message_limit_still_reads_in_one_request() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    d.create_group(&gk("web", "dev"), &json!({})).await.unwrap();
    let fat = |i: u32| {
        let mut c = info(&format!("t{i:05}"), 31000);
        c.port_mappings = (0..20)
            .map(|p| PortMappingInfo {
                container_port: Some(8000 + p),
                host_port: 31000 + p,
                name: Some(format!("port-with-a-long-descriptive-name-{p}")),
                protocol: "tcp".into(),
            })
            .collect();
        c
    };
    let many: Vec<ContainerInfo> = (0..2500).map(fat).collect();
    let size: usize = many.iter().map(|c| serde_json::to_vec(c).unwrap().len()).sum();
    assert!(size > 4 * 1024 * 1024, "the data must exceed 4 MiB, is {size}");
    d.register_containers(&gk("web", "dev"), &many).await.unwrap();
    let before = d.requests_sent();
    let all = d.get_service_containers("web").await.unwrap();
    assert_eq!(d.requests_sent() - before, 1);
    assert_eq!(all["dev"].len(), 2500);
}
