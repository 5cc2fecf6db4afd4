//! Proof of freshness: the sync leader confirms each namespace in
//! `<root>/theseus/sync/confirmed/<namespace>` while it is caught up, `endpoints --fresh-within`
//! exits 8 when no leader confirmed within that time, `view` and `endpoints` warn on stderr when
//! a confirmation is older than its writer's resync, and a deposed leader confirms nothing.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::env::{Env, Out};
use crate::support::etcd::Etcd;
use crate::support::sync::{signal, wait_exit, Replica, SPEC, T};

/// The confirmation of namespace `it` (the spec's), if any.
fn confirmation(env: &Env) -> Option<Value> {
    let value = env.etcd.dump().into_iter().find(|(k, _)| k == "/theseus/sync/confirmed/it")?.1;
    Some(serde_json::from_str(&value).unwrap())
}

/// Runs `theseus ARGS` until `done` accepts its result, failing after [`T`].
fn until(env: &Env, args: &[&str], what: &str, done: impl Fn(&Out) -> bool) -> Out {
    let deadline = Instant::now() + T;
    loop {
        let out = env.out(args);
        if done(&out) {
            return out;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}: {args:?} gave {out:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn freshness_goes_stale_when_sync_stops_and_fresh_when_it_resumes() {
    let env = Env::start();
    let spec = env.spec("spec.toml", SPEC);
    env.cmd().args(["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]).assert().success();
    let fresh = ["endpoints", "hello", "-o", "json", "--fresh-within", "3s"];

    // Never synced: quiet without the flag (a fresh `theseus local` user), exit 8 with it.
    let out = env.ok(&["endpoints", "hello", "-o", "json"]);
    assert!(!out.stderr.contains("warning"), "no warning for a registry never synced: {}", out.stderr);
    let out = env.out(&fresh);
    assert_eq!(out.code, Some(8), "{out:?}");
    assert!(out.stdout.is_empty(), "nothing printed when not fresh: {}", out.stdout);
    assert!(out.stderr.contains("no sync has ever confirmed the registrations of namespace `it`"), "{}", out.stderr);

    // A leader with a 2s resync confirms at least every second while caught up.
    let mut r1 = Replica::start(&env, "r1", &["--resync", "2s"]);
    r1.wait_leading(&env, T);
    let out = until(&env, &fresh, "a confirmation", |o| o.code == Some(0));
    assert_eq!(out.json().as_array().unwrap().len(), 5, "the list is printed when fresh");
    let c = confirmation(&env).unwrap();
    assert_eq!(c["leader"], "r1");
    assert_eq!(c["resync"], 2);
    assert!(c["revision"].as_i64().unwrap() > 0, "{c}");
    let at = c["synced_at"].as_str().unwrap();
    assert!(at.ends_with('Z') && at.len() == "2024-05-01T10:00:05.123Z".len(), "RFC 3339 UTC with ms: {at}");

    // Sync stops: the confirmation ages past 3s (exit 8 naming the leader), and past its
    // resync (a warning in view and endpoints, on stderr only).
    signal(&r1.child, libc::SIGTERM);
    assert_eq!(wait_exit(&mut r1.child, T), Some(0), "{}", env.log("r1"));
    let out = until(&env, &fresh, "the confirmation to age past 3s", |o| o.code == Some(8));
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr.contains("the registrations of namespace `it` were last confirmed")
            && out.stderr.contains("ago by sync leader `r1`, longer than --fresh-within 3s"),
        "{}",
        out.stderr
    );
    let stale = "the registrations of namespace `it` were last confirmed";
    let out = env.ok(&["endpoints", "hello", "-o", "json"]);
    assert_eq!(out.json().as_array().unwrap().len(), 5, "the warning stays off stdout");
    assert!(
        out.stderr.contains(stale) && out.stderr.contains("by sync leader `r1` (its resync is 2s)"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().filter(|l| l.contains(stale)).count(), 1, "one line: {}", out.stderr);
    let out = env.ok(&["view", "-o", "json"]);
    assert_eq!(out.json().as_array().unwrap().len(), 2, "the warning stays off stdout");
    assert!(out.stderr.contains(stale), "{}", out.stderr);

    // Sync resumes under another name: fresh again.
    let r2 = Replica::start(&env, "r2", &["--resync", "2s"]);
    r2.wait_leading(&env, T);
    until(&env, &fresh, "a new confirmation", |o| o.code == Some(0));
    assert_eq!(confirmation(&env).unwrap()["leader"], "r2");
}

#[test]
fn an_idle_system_with_sync_running_stays_fresh() {
    let env = Env::start();
    let spec = env.spec("spec.toml", SPEC);
    env.cmd().args(["create", spec.to_str().unwrap(), "--poll-interval", "200ms"]).assert().success();
    env.wait_in_sync(T);
    // The default resync of the replicas here is 1h: only the heartbeat confirmations (every
    // 5s while the event stream lives) keep the namespace fresh.
    let r1 = Replica::start(&env, "r1", &[]);
    r1.wait_leading(&env, T);
    let first =
        until(&env, &["endpoints", "hello", "--fresh-within", "30s"], "a first confirmation", |o| o.code == Some(0));
    assert!(first.stderr.is_empty(), "{}", first.stderr);
    let seen = confirmation(&env).unwrap()["synced_at"].as_str().unwrap().to_owned();
    let revision = env.revision();
    // Nothing changes in Marathon, yet the confirmation is renewed.
    let deadline = Instant::now() + T;
    let mut stamps = BTreeSet::from([seen]);
    while stamps.len() < 3 {
        assert!(Instant::now() < deadline, "the confirmation was not renewed while idle: {stamps:?}");
        stamps.insert(confirmation(&env).unwrap()["synced_at"].as_str().unwrap().to_owned());
        std::thread::sleep(Duration::from_millis(200));
    }
    let c = confirmation(&env).unwrap();
    assert!(c["revision"].as_i64().unwrap() >= revision, "{c}");
    env.ok(&["endpoints", "hello", "--fresh-within", "30s"]);
    let log = env.log("r1");
    assert!(!log.contains(": hello/"), "an idle system changes no registration:\n{log}");
}

#[tokio::test]
async fn a_deposed_leader_confirms_nothing_and_one_transaction_confirms_every_namespace() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let namespaces: BTreeSet<String> = ["it".to_owned(), "team/prod".to_owned()].into();
    let lead = d.campaign("a", Duration::from_secs(10), None).await.unwrap();
    let written = d.confirm_sync(&lead, &namespaces, "a", Duration::from_secs(300)).await.unwrap();
    let written = written.expect("the leader confirms");
    let all = d.sync_confirmations().await.unwrap();
    assert_eq!(all.0.keys().collect::<Vec<_>>(), ["it", "team/prod"]);
    assert_eq!(all.0["team/prod"], written);
    let keys = etcd.dump();
    assert!(keys.iter().any(|(k, _)| k == "/theseus/sync/confirmed/team:prod"), "{keys:?}");

    // Its election key goes (as when its lease expired unseen) and another replica is elected.
    let mut raw = etcd_client::Client::connect([etcd.endpoint.as_str()], None).await.unwrap();
    let candidates =
        raw.get("/theseus/sync/leader/", Some(etcd_client::GetOptions::new().with_prefix())).await.unwrap();
    assert_eq!(candidates.kvs().len(), 1);
    raw.delete(candidates.kvs()[0].key(), None).await.unwrap();
    let other = d.campaign("b", Duration::from_secs(10), None).await.unwrap();
    let revision = raw.get("/", None).await.unwrap().header().unwrap().revision();
    assert_eq!(d.confirm_sync(&lead, &namespaces, "a", Duration::from_secs(300)).await.unwrap(), None);
    assert_eq!(
        raw.get("/", None).await.unwrap().header().unwrap().revision(),
        revision,
        "the deposed leader wrote nothing"
    );
    assert_eq!(d.sync_confirmations().await.unwrap(), all);
    let now = d.confirm_sync(&other, &namespaces, "b", Duration::from_secs(300)).await.unwrap().unwrap();
    let after = raw.get("/theseus/sync/confirmed/", Some(etcd_client::GetOptions::new().with_prefix())).await.unwrap();
    let revisions: BTreeSet<i64> = after.kvs().iter().map(|kv| kv.mod_revision()).collect();
    assert_eq!(revisions.len(), 1, "every namespace in one transaction");
    assert_eq!(d.sync_confirmations().await.unwrap().0["it"], now);
}
