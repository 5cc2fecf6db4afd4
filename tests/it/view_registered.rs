//! `view`'s registration counts: only the groups Marathon's answer shows are counted, by
//! count-only reads batched in transactions of `GROUPS_PER_TXN` groups, all at one revision;
//! a group counts its containers only where its etcd config names the group's own namespace
//! (or none), and a group without an etcd entry counts 0. etcd down, refusing the counts or
//! never answering them: `view` still shows every group, with `?` and one warning.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::etcd_driver::info;
use crate::support::env::Env;
use crate::support::etcd::Etcd;
use crate::support::proxy::Fault;
use crate::support::sync::{wait_exit, SPEC};
use theseus::etcd::{GroupCount, GROUPS_PER_TXN};
use theseus::names::GroupKey;

fn gk(service: &str, group: &str) -> GroupKey {
    GroupKey::new(service, group).unwrap()
}

fn count(namespace: Option<&str>, containers: usize) -> GroupCount {
    GroupCount { namespace: namespace.map(str::to_owned), containers }
}

/// The namespace is the config's (a string, else none); a container is its marker and its
/// info, and a key left alone still counts one; the marker is not read (no key under a group
/// outlives it; `bare` is written by hand); groups not registered and groups not asked for
/// are left out; everything is read at the revision
/// given, in one transaction for a few groups; an empty registry gives no revision.
#[tokio::test]
async fn registration_counts_read_the_named_groups_at_one_revision() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    assert_eq!(d.registry_revision().await.unwrap(), None, "nothing registered: no revision to count at");
    d.create_group(&gk("web", "a"), &json!({ "namespace": "team-a" })).await.unwrap();
    d.create_group(&gk("web", "b"), &json!({ "namespace": 3 })).await.unwrap();
    d.create_group(&gk("web", "c"), &json!({})).await.unwrap();
    d.create_group(&gk("db", "a"), &json!({ "namespace": "team-b" })).await.unwrap();
    d.register_containers(&gk("web", "a"), &[info("c1", 31000), info("c1-x", 31001), info("c10", 31002)])
        .await
        .unwrap();
    d.register_containers(&gk("web", "b"), &[info("t1", 31003)]).await.unwrap();
    d.register_containers(&gk("db", "a"), &[info("d1", 31004)]).await.unwrap();
    let mut raw = etcd_client::Client::connect([etcd.endpoint.as_str()], None).await.unwrap();
    raw.put("/services/web/c/containers/only-marker", "{}", None).await.unwrap();
    raw.put("/services/web/bare/containers/x/info", "{}", None).await.unwrap();
    raw.put("/services/web/bare/config", r#"{"namespace":"team-a"}"#, None).await.unwrap();
    // A canary mark is a key of the group, not a container.
    raw.put("/services/web/a/canary", r#"{"app_id":"/team-a/web/a/r2"}"#, None).await.unwrap();

    let revision = d.registry_revision().await.unwrap().unwrap();
    assert!(revision > 0);
    // Written after the revision: not seen at it.
    d.register_containers(&gk("web", "a"), &[info("late", 31005)]).await.unwrap();
    let named = [("web", "a"), ("web", "b"), ("web", "c"), ("web", "bare"), ("web", "missing"), ("web", "a")];
    let before = d.requests_sent();
    let counts = d.registration_counts(named, revision).await.unwrap();
    assert_eq!(d.requests_sent() - before, 1, "six names, five groups: one transaction");
    let got: Vec<(&str, &str, GroupCount)> =
        counts.iter().map(|((s, g), c)| (s.as_str(), g.as_str(), c.clone())).collect();
    assert_eq!(
        got,
        [
            ("web", "a", count(Some("team-a"), 3)),
            ("web", "b", count(None, 1)),
            ("web", "bare", count(Some("team-a"), 1)),
            ("web", "c", count(None, 1)),
        ],
        "`missing` has nothing, db/a was not asked for"
    );
    let latest = d.registration_counts([("web", "a")], 0).await.unwrap();
    assert_eq!(latest[&("web".to_owned(), "a".to_owned())], count(Some("team-a"), 4), "revision 0 reads the latest");
    assert!(d.registration_counts([], revision).await.unwrap().is_empty(), "no group, no read");
}

/// The revision the counts are read at: none for an empty etcd; etcd's current revision once
/// Theseus wrote its `/services` marker (one request, without counting the registry); and for
/// keys written by hand under `/services/` without the marker, too.
#[tokio::test]
async fn the_registry_revision_comes_from_the_marker_or_from_unmarked_keys() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let mut raw = etcd_client::Client::connect([etcd.endpoint.as_str()], None).await.unwrap();
    assert_eq!(d.registry_revision().await.unwrap(), None, "empty etcd");
    let put = raw.put("/services/hand/g/containers/c", "{}", None).await.unwrap();
    let by_hand = put.header().unwrap().revision();
    assert_eq!(d.registry_revision().await.unwrap(), Some(by_hand), "keys without the marker");
    raw.delete("/services/", Some(etcd_client::DeleteOptions::new().with_prefix())).await.unwrap();
    assert_eq!(d.registry_revision().await.unwrap(), None, "empty again");
    d.create_group(&gk("web", "a"), &json!({})).await.unwrap();
    let now = raw.get("/services", None).await.unwrap().header().unwrap().revision();
    let before = d.requests_sent();
    assert_eq!(d.registry_revision().await.unwrap(), Some(now), "the marker");
    assert_eq!(d.requests_sent() - before, 1);
}

/// More groups than one transaction carries: each transaction carries `GROUPS_PER_TXN` groups,
/// all sent together, and every group's count comes back under its own name.
#[tokio::test]
async fn registration_counts_batch_many_groups() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let groups = 2 * GROUPS_PER_TXN + 10;
    let names: Vec<String> = (0..groups).map(|i| format!("g{i:03}")).collect();
    for (i, name) in names.iter().enumerate() {
        let key = gk("svc", name);
        d.create_group(&key, &json!({ "namespace": format!("ns{}", i % 2) })).await.unwrap();
        let infos: Vec<_> = (0..i % 4).map(|t| info(&format!("{name}.t{t}"), 31000)).collect();
        if !infos.is_empty() {
            d.register_containers(&key, &infos).await.unwrap();
        }
    }
    let revision = d.registry_revision().await.unwrap().unwrap();
    let before = d.requests_sent();
    let counts = d.registration_counts(names.iter().map(|n| ("svc", n.as_str())), revision).await.unwrap();
    assert_eq!(d.requests_sent() - before, 3, "{groups} groups in transactions of {GROUPS_PER_TXN}");
    assert_eq!(counts.len(), groups);
    for (i, name) in names.iter().enumerate() {
        let expected = count(Some(&format!("ns{}", i % 2)), i % 4);
        assert_eq!(counts[&("svc".to_owned(), name.clone())], expected, "{name}");
    }
}

/// Groups named one by one while the counting runs (as `view` names them while Marathon's
/// answer streams in), some named twice: a transaction leaves as soon as `GROUPS_PER_TXN` new
/// groups are in, before the names end, and each group is read once, at the revision given,
/// even when etcd changed since.
#[tokio::test]
async fn registration_counts_as_named_send_each_full_batch_at_once() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let names: Vec<String> = (0..GROUPS_PER_TXN + 5).map(|i| format!("g{i:03}")).collect();
    for name in &names {
        d.create_group(&gk("svc", name), &json!({ "namespace": "ns" })).await.unwrap();
        d.register_containers(&gk("svc", name), &[info(&format!("{name}.t0"), 31000)]).await.unwrap();
    }
    let revision = d.registry_revision().await.unwrap().unwrap();
    // After the revision: not counted.
    d.register_containers(&gk("svc", &names[0]), &[info("late.t1", 31001)]).await.unwrap();
    let before = d.requests_sent();
    let (named, rx) = tokio::sync::mpsc::unbounded_channel();
    let d = &d;
    let feed = async move {
        for name in &names[..GROUPS_PER_TXN] {
            named.send(("svc".to_owned(), name.clone())).unwrap();
            named.send(("svc".to_owned(), names[0].clone())).unwrap();
        }
        // The first batch is full: its transaction leaves while more names may come.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while d.requests_sent() == before {
            assert!(std::time::Instant::now() < deadline, "no transaction before the names ended");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        for name in &names[GROUPS_PER_TXN..] {
            named.send(("svc".to_owned(), name.clone())).unwrap();
        }
        names
    };
    let (names, counts) = tokio::join!(feed, d.registration_counts_as_named(rx, revision));
    let counts = counts.unwrap();
    assert_eq!(d.requests_sent() - before, 2, "one full batch, then the rest");
    assert_eq!(counts.len(), names.len());
    for name in &names {
        assert_eq!(counts[&("svc".to_owned(), name.clone())], count(Some("ns"), 1), "{name} at the revision given");
    }
}

/// `view -o json`'s `registered` per group, by group name.
fn registered(env: &Env, args: &[&str]) -> Vec<(String, Option<u64>)> {
    let out = env.ok(&[&["view", "-o", "json"][..], args].concat());
    let rows: Value = out.json();
    let mut got: Vec<(String, Option<u64>)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["group"].as_str().unwrap().to_owned(), g["registered"].as_u64()))
        .collect();
    got.sort();
    got
}

/// Through the command: a group whose etcd config names another namespace counts 0 (that
/// namespace's group of the same name is not this one), as does a group etcd has no entry for;
/// `view SERVICE` counts the same way.
#[test]
fn view_counts_only_the_groups_own_registrations() {
    let env = Env::start();
    let spec = env.spec("spec.toml", SPEC);
    env.ok(&["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]);
    let both = vec![("backend.dev".to_owned(), Some(2)), ("dev.frontend".to_owned(), Some(3))];
    assert_eq!(registered(&env, &[]), both);
    assert_eq!(registered(&env, &["hello"]), both);

    let endpoints: Vec<String> = env.etcd_endpoints.split(',').map(str::to_owned).collect();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let mut c = etcd_client::Client::connect(&endpoints, None).await.unwrap();
            let config = json!({ "service": "hello", "labels": ["dev", "frontend"], "namespace": "other" });
            c.put("/services/hello/dev.frontend/config", config.to_string(), None).await.unwrap();
        })
    })
    .join()
    .unwrap();
    let foreign = vec![("backend.dev".to_owned(), Some(2)), ("dev.frontend".to_owned(), Some(0))];
    assert_eq!(registered(&env, &[]), foreign, "another namespace's group of the same name");
    assert_eq!(registered(&env, &["hello"]), foreign);

    env.etcd_delete_prefix("/services/hello/backend.dev");
    let gone = vec![("backend.dev".to_owned(), Some(0)), ("dev.frontend".to_owned(), Some(0))];
    assert_eq!(registered(&env, &[]), gone, "a group etcd has no entry for");
    let table = env.ok(&["view", "hello"]).stdout;
    assert!(table.contains("0/2") && table.contains("0/3"), "{table}");
}

/// `view -o json` and `view` when the registrations cannot be counted: exit 0, both groups
/// shown, `registered` null in JSON and `?` in the table, and one warning on stderr that says
/// `why`.
fn assert_not_counted(env: &Env, why: &str) {
    let out = env.out(&["view", "-o", "json"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let rows: Value = out.json();
    let got: Vec<&Value> = rows.as_array().unwrap().iter().map(|g| &g["registered"]).collect();
    assert_eq!(got.len(), 2, "Marathon's groups are all shown: {rows}");
    assert!(got.iter().all(|r| r.is_null()), "{rows}");
    assert!(out.stderr.contains(why) && out.stderr.lines().count() == 1, "one warning saying why: {}", out.stderr);
    let table = env.out(&["view"]);
    assert_eq!(table.code, Some(0), "{}", table.stderr);
    assert!(table.stdout.lines().skip(1).all(|l| l.contains(" ?/")), "{}", table.stdout);
}

/// With etcd down, `view` still shows Marathon's groups: exit 0, `registered` null in JSON and
/// `?` in the table, one warning on stderr; once etcd is back, the counts are too.
#[test]
fn view_without_etcd_shows_question_marks_and_says_why() {
    let mut env = Env::start();
    let spec = env.spec("spec.toml", SPEC);
    env.ok(&["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]);
    let counted = vec![("backend.dev".to_owned(), Some(2)), ("dev.frontend".to_owned(), Some(3))];
    assert_eq!(registered(&env, &[]), counted);
    env.etcd.kill();
    assert_not_counted(&env, "`registered` shows ?");
    env.etcd.restart();
    assert_eq!(registered(&env, &[]), counted, "etcd back: counted again");
}

/// etcd answering `view`'s first reads but refusing its count transactions (here an etcd whose
/// `--max-txn-ops` is below the reads of one transaction of two groups): exit 0, every group
/// shown with `registered` null in JSON and `?` in the table, one warning saying why.
#[test]
fn view_whose_counts_etcd_refuses_shows_question_marks_and_says_why() {
    let mut env = Env::start();
    let spec = env.spec("spec.toml", SPEC);
    env.ok(&["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]);
    env.etcd.restart_with(&["--max-txn-ops", "3"]);
    assert_not_counted(&env, "cannot count the registrations in etcd");
    env.etcd.restart();
    let counted = vec![("backend.dev".to_owned(), Some(2)), ("dev.frontend".to_owned(), Some(3))];
    assert_eq!(registered(&env, &[]), counted, "etcd takes the transactions again: counted");
}

/// etcd answering `view`'s first reads, then never its count transactions (stopped with
/// SIGSTOP once those reads are in, while the proxy holds Marathon's apps answer back, so no
/// group is named before): `view` waits 2 s past Marathon's answer, not its request timeout,
/// then shows every group with `registered` null and says why; exit 0. Resumed, etcd counts
/// again.
#[test]
fn view_whose_counts_etcd_never_answers_shows_question_marks_and_says_why() {
    let env = Env::proxied();
    let spec = env.spec("spec.toml", SPEC);
    env.ok(&["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]);
    env.proxy().fault("GET", "/v2/apps?", Fault::Hold(Duration::from_secs(4)), 1);
    let mut child =
        env.process().args(["-v", "view", "-o", "json"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // `-v` logs each etcd request as it ends: the revision read (the `/services` marker), the
    // journals and the sync confirmations come before any count.
    let (lines_tx, lines) = std::sync::mpsc::channel();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let first_reads = ["txn /services -> ok", "get /theseus/rollouts/ -> ok", "get /theseus/sync/confirmed/ -> ok"];
    let mut log = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !first_reads.iter().all(|r| log.iter().any(|l: &String| l.contains(r))) {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => log.push(line),
            Err(_) => panic!("view's first etcd reads did not end: {log:#?}"),
        }
    }
    while env.proxy().count("GET", "/v2/apps?") == 0 {
        assert!(Instant::now() < deadline, "view's apps request did not reach the proxy");
        std::thread::sleep(Duration::from_millis(10)); // poll interval, not a synchronization
    }
    assert!(!log.iter().any(|l| l.contains("txn /services/")), "no count was sent yet: {log:#?}");
    env.etcd.pause();
    let mut stdout = child.stdout.take().unwrap();
    let output = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    // Bounded: a view that never gave up on etcd would otherwise hang the suite.
    let code = wait_exit(&mut child, Duration::from_secs(60));
    env.etcd.resume();
    reader.join().unwrap();
    log.extend(lines.try_iter());
    assert_eq!(code, Some(0), "{log:#?}");
    let rows: Value = serde_json::from_str(&output.join().unwrap().unwrap()).unwrap();
    let got: Vec<&Value> = rows.as_array().unwrap().iter().map(|g| &g["registered"]).collect();
    assert_eq!(got.len(), 2, "Marathon's groups are all shown: {rows}");
    assert!(got.iter().all(|r| r.is_null()), "{rows}");
    let warnings: Vec<&String> = log.iter().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(
        warnings,
        ["warning: etcd did not count the registrations within 2s; `registered` shows ?"],
        "one warning saying why: {log:#?}"
    );
    let counted = vec![("backend.dev".to_owned(), Some(2)), ("dev.frontend".to_owned(), Some(3))];
    assert_eq!(registered(&env, &[]), counted, "etcd answers again: counted");
}
