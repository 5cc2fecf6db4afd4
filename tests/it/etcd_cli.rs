//! `theseus endpoints` through the real binary, against a real etcd.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on setup failures, as tests do

use crate::support::gk;
use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{json, Value};

use crate::etcd_driver::info;
use crate::support::etcd::Etcd;

/// The binary with a clean environment, pointed at `etcd`.
fn theseus(etcd: &Etcd) -> Command {
    let mut cmd = Command::cargo_bin("theseus").unwrap();
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("THESEUS_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1").args(["--etcd", etcd.endpoint.as_str()]);
    cmd
}

async fn seeded() -> Etcd {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    d.create_group(&gk("web", "dev.frontend"), &json!({})).await.unwrap();
    d.create_group(&gk("web", "frontend.prod"), &json!({})).await.unwrap();
    d.create_group(&gk("web", "canary.frontend.prod"), &json!({})).await.unwrap();
    d.register_containers(&gk("web", "dev.frontend"), &[info("web_dev.t1", 31000)]).await.unwrap();
    let mut sick = info("web_prod.t2", 31002);
    sick.healthy = false;
    sick.instance_host = "127.0.0.3".into();
    d.register_containers(&gk("web", "frontend.prod"), &[info("web_prod.t1", 31001), sick]).await.unwrap();
    d.register_containers(&gk("web", "canary.frontend.prod"), &[info("web_canary.t1", 31003)]).await.unwrap();
    etcd
}

#[tokio::test]
async fn endpoints_prints_the_matching_containers_as_json() {
    let etcd = seeded().await;
    let out = theseus(&etcd).args(["endpoints", "web", "-l", "prod,!canary", "-o", "json"]).assert().success();
    let doc: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let rows = doc.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{doc:#}");
    assert_eq!(rows[0]["address"], "127.0.0.2:31001");
    assert_eq!(rows[0]["group"], "frontend.prod");
    assert_eq!(rows[0]["labels"], json!(["frontend", "prod"]));
    assert_eq!(rows[0]["container"], "web_prod.t1");
    assert_eq!(rows[0]["healthy"], true);
    assert_eq!(rows[0]["ports"][0]["host_port"], 31001);
    assert_eq!(rows[1]["address"], "127.0.0.3:31002");
    assert_eq!(rows[1]["healthy"], false);

    let out = theseus(&etcd).args(["endpoints", "web", "-o", "json"]).assert().success();
    let doc: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc.as_array().unwrap().len(), 4, "no selector: every group");
}

#[tokio::test]
async fn endpoints_prints_a_plain_table_by_default() {
    let etcd = seeded().await;
    let out = theseus(&etcd).args(["endpoints", "web", "-l", "dev"]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].split_whitespace().eq(["ADDRESS", "SERVICE", "GROUP", "HEALTHY", "CONTAINER"]), "{text}");
    assert!(lines[1].split_whitespace().eq(["127.0.0.2:31000", "web", "dev.frontend", "yes", "web_dev.t1"]));
}

#[tokio::test]
async fn endpoints_of_an_unknown_service_is_a_usage_error() {
    let etcd = seeded().await;
    theseus(&etcd)
        .args(["endpoints", "db"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("error: service `db` is not registered in etcd at"))
        .stderr(predicate::str::contains("hint: services are registered by `theseus create`"));
    theseus(&etcd).args(["endpoints", "Bad_Name"]).assert().code(2).stderr(predicate::str::contains("invalid service"));
    theseus(&etcd)
        .args(["endpoints", "web", "-l", "Nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid label"));
}

#[test]
fn endpoints_with_etcd_unreachable_exits_1_with_a_hint() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead = format!("127.0.0.1:{port}");
    let mut cmd = Command::cargo_bin("theseus").unwrap();
    cmd.env_remove("THESEUS_ETCD_ENDPOINTS").env_remove("THESEUS_ETCD_PASSWORD").env("NO_COLOR", "1");
    let start = std::time::Instant::now();
    cmd.args(["--etcd", &dead, "--request-timeout", "1s", "--etcd-user", "u", "--etcd-password", "pw-never-shown"])
        .args(["-vv", "endpoints", "web"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(format!("error: cannot reach etcd at {dead}")))
        .stderr(predicate::str::contains(
            "hint: is etcd running? set the endpoints with --etcd or THESEUS_ETCD_ENDPOINTS",
        ))
        .stderr(predicate::str::contains("pw-never-shown").not());
    assert!(start.elapsed() < std::time::Duration::from_secs(5), "took {:?}", start.elapsed());
}

#[tokio::test]
async fn endpoints_reads_under_the_root_prefix() {
    let etcd = Etcd::start();
    let d = etcd.driver_with_prefix("team-a").await;
    d.create_group(&gk("web", "dev"), &json!({})).await.unwrap();
    d.register_container(&gk("web", "dev"), &info("t1", 31000)).await.unwrap();
    theseus(&etcd).args(["endpoints", "web"]).assert().code(2);
    let out = theseus(&etcd).args(["--etcd-prefix", "team-a", "endpoints", "web", "-o", "json"]).assert().success();
    let doc: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc[0]["address"], "127.0.0.2:31000");
}

/// Malformed endpoints are usage errors at once (exit 2), not retried as "cannot reach".
#[test]
fn malformed_endpoints_are_usage_errors_at_once() {
    for args in [vec!["--etcd", "a b c", "endpoints", "web"], vec!["--marathon", "ftp://x", "view"]] {
        let start = std::time::Instant::now();
        let out =
            Command::cargo_bin("theseus").unwrap().env_remove("THESEUS_ETCD_ENDPOINTS").args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains("cannot reach"), "{args:?}: {err}");
        assert!(start.elapsed() < std::time::Duration::from_secs(2), "{args:?} took {:?}", start.elapsed());
    }
}
