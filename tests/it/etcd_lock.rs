//! Per-group locks on etcd leases: waiting, timing out with the holder's name, release on
//! drop, and a killed holder's lock freeing itself within the lease TTL.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on setup failures, as tests do

use crate::support::gk;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use theseus::error::ExitStatus;
use theseus::error_reporting::{classify, hints};

use crate::support::etcd::Etcd;
use crate::support::etcd_cluster::Cluster;

#[tokio::test]
async fn a_second_holder_waits_then_times_out_naming_the_holder() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let first = d.lock_group(&gk("web", "dev.frontend"), "ci-job-1", Duration::from_secs(1)).await.unwrap();
    assert_eq!(first.owner(), "ci-job-1");

    let start = Instant::now();
    let err = d.lock_group(&gk("web", "dev.frontend"), "ci-job-2", Duration::from_millis(800)).await.unwrap_err();
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(800), "gave up early: {waited:?}");
    assert!(waited < Duration::from_secs(5), "waited too long: {waited:?}");
    assert!(err.is_locked(), "{err}");
    let text = err.to_string();
    assert!(text.starts_with("group `web/dev.frontend` is locked by `ci-job-1` (pid "), "{text}");
    let err = anyhow::Error::new(err);
    assert_eq!(classify(&err), ExitStatus::Locked);
    assert!(hints(&err)[0].contains("--lock-timeout"));

    // Other groups are not blocked; the waiter left nothing behind.
    let other = d.lock_group(&gk("web", "prod"), "ci-job-2", Duration::ZERO).await.unwrap();
    assert!(d.group_lock_holder(&gk("web", "dev.frontend")).await.unwrap().unwrap().contains("ci-job-1"));
    first.release().await.unwrap();
    other.release().await.unwrap();
    assert_eq!(d.group_lock_holder(&gk("web", "dev.frontend")).await.unwrap(), None);
    assert!(etcd.dump().is_empty(), "released locks leave no key: {:?}", etcd.dump());
}

#[tokio::test]
async fn a_waiter_gets_the_lock_when_the_holder_releases() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let first = d.lock_group(&gk("web", "dev"), "first", Duration::ZERO).await.unwrap();
    let d2 = d.clone();
    let waiter = tokio::spawn(async move { d2.lock_group(&gk("web", "dev"), "second", Duration::from_secs(20)).await });
    // The waiter cannot get it while `first` holds it.
    assert!(d.group_lock_holder(&gk("web", "dev")).await.unwrap().unwrap().contains("`first`"));
    assert!(!waiter.is_finished());
    first.release().await.unwrap();
    let second = waiter.await.unwrap().unwrap();
    assert_eq!(second.owner(), "second");
    assert!(d.group_lock_holder(&gk("web", "dev")).await.unwrap().unwrap().contains("`second`"));
    second.check().unwrap();
}

#[tokio::test]
async fn dropping_a_lock_releases_it() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let lock = d.lock_group(&gk("web", "dev"), "dropper", Duration::ZERO).await.unwrap();
    drop(lock);
    // The drop revokes in the background; the next holder gets it long before the TTL.
    let start = Instant::now();
    let next = d.lock_group(&gk("web", "dev"), "next", Duration::from_secs(5)).await.unwrap();
    assert!(start.elapsed() < Duration::from_secs(3), "took {:?}", start.elapsed());
    next.release().await.unwrap();
}

/// The `hold_lock` example, built as a program.
fn hold_lock_example() -> PathBuf {
    crate::support::cmd::example("hold_lock")
}

#[tokio::test]
async fn a_killed_holders_lock_frees_itself_within_the_lease_ttl() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let ttl = Duration::from_secs(2);
    let mut child = Command::new(hold_lock_example())
        .args([etcd.endpoint.as_str(), "web", "dev", "doomed-holder", "2"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while d.group_lock_holder(&gk("web", "dev")).await.unwrap().is_none() {
        assert!(child.try_wait().unwrap().is_none(), "hold_lock exited early");
        assert!(Instant::now() < deadline, "hold_lock never took the lock");
        tokio::time::sleep(Duration::from_millis(20)).await; // poll interval
    }
    let err = d.lock_group(&gk("web", "dev"), "survivor", Duration::from_millis(100)).await.unwrap_err();
    assert!(err.to_string().contains("doomed-holder"), "{err}");

    child.kill().unwrap(); // SIGKILL: no cleanup, no revoke
    child.wait().unwrap();
    let start = Instant::now();
    let lock = d.lock_group(&gk("web", "dev"), "survivor", Duration::from_secs(15)).await.unwrap();
    let freed_after = start.elapsed();
    // etcd checks lease expiry every 500 ms; allow that and scheduling slack on top of the TTL.
    assert!(freed_after < ttl + Duration::from_millis(1500), "freed after {freed_after:?}");
    assert_eq!(lock.owner(), "survivor");
    lock.release().await.unwrap();
}

/// The lease is kept alive past its TTL while the holder lives, and a waiter's watch survives
/// past the request timeout: long rollouts keep their lock and long waits still wake up.
#[tokio::test]
async fn a_live_holder_keeps_its_lock_past_the_ttl_and_waiters_keep_waiting() {
    let etcd = Etcd::start();
    let mut opts = etcd.options();
    opts.request_timeout = Duration::from_secs(1);
    let d = theseus::etcd::Driver::connect(&opts).await.unwrap();
    let ttl = Duration::from_secs(2);
    let holder = d.lock_group_with_ttl(&gk("web", "dev"), "long-rollout", Duration::ZERO, ttl).await.unwrap();
    let d2 = d.clone();
    let waiter =
        tokio::spawn(async move { d2.lock_group(&gk("web", "dev"), "patient", Duration::from_secs(30)).await });
    // Let time pass beyond both the TTL and the request timeout: this wait is the subject of
    // the test, not a synchronization.
    tokio::time::sleep(ttl + Duration::from_millis(1500)).await;
    holder.check().unwrap();
    assert!(d.group_lock_holder(&gk("web", "dev")).await.unwrap().unwrap().contains("long-rollout"));
    assert!(!waiter.is_finished(), "the waiter is still waiting");
    holder.release().await.unwrap();
    let next = waiter.await.unwrap().unwrap();
    assert_eq!(next.owner(), "patient");
    next.release().await.unwrap();
}

/// A driver for every member of `cluster`.
async fn cluster_driver(cluster: &Cluster) -> theseus::etcd::Driver {
    let mut opts = theseus::etcd::Options::new(cluster.endpoints().split(','));
    opts.request_timeout = Duration::from_secs(2);
    theseus::etcd::Driver::connect(&opts).await.unwrap()
}

/// etcd stopped under a held lock: no renewal is confirmed, and the lock counts as lost one TTL
/// after the last renewal (at most TTL/3 before the stop), with the rule that fired, exit 6.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_whose_etcd_is_stopped_is_lost_within_about_its_ttl() {
    let mut etcd = Cluster::start(1);
    let d = cluster_driver(&etcd).await;
    let ttl = Duration::from_secs(3);
    let lock = d.lock_group_with_ttl(&gk("web", "dev"), "cut-off", Duration::ZERO, ttl).await.unwrap();
    lock.check().unwrap();
    etcd.kill(0);
    let stopped = Instant::now();
    tokio::time::timeout(ttl * 3, lock.lost()).await.expect("the lock was never reported lost");
    let after = stopped.elapsed();
    assert!(after >= ttl / 2 && after <= ttl + ttl / 2 + Duration::from_secs(1), "lost {after:?} after the stop");
    let err = lock.check().unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("lost the lock on group `web/dev`: no renewal of its lease was confirmed for 3s"),
        "{text}"
    );
    assert_eq!(classify(&anyhow::Error::new(err)), ExitStatus::Locked);
}

/// A lease revoked behind the holder's back: etcd answers the next renewal "expired".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_whose_lease_etcd_expired_is_lost_saying_so() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let ttl = Duration::from_secs(3);
    let lock = d.lock_group_with_ttl(&gk("web", "dev"), "revoked", Duration::ZERO, ttl).await.unwrap();
    let mut client = etcd_client::Client::connect([etcd.endpoint.as_str()], None).await.unwrap();
    let resp = client.get("/theseus/locks/web/dev", None).await.unwrap();
    let lease = resp.kvs().first().expect("the lock key").lease();
    client.lease_revoke(lease).await.unwrap();
    tokio::time::timeout(ttl * 2, lock.lost()).await.expect("the lock was never reported lost");
    let text = lock.check().unwrap_err().to_string();
    assert_eq!(text, "lost the lock on group `web/dev`: etcd says its lease expired");
}

/// The etcd leader killed under a held lock: renewals go on through another member, so the
/// lock is not lost over two TTLs, still holds its key, and releases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_lock_survives_an_etcd_leader_change() {
    let mut cluster = Cluster::start(3);
    let d = cluster_driver(&cluster).await;
    let ttl = Duration::from_secs(3);
    let leader = cluster.leader(Duration::from_secs(10));
    let lock = d.lock_group_with_ttl(&gk("web", "dev"), "steady", Duration::ZERO, ttl).await.unwrap();
    cluster.kill(leader);
    // Not lost for two TTLs: this wait is the subject of the test, not a synchronization.
    assert!(tokio::time::timeout(ttl * 2, lock.lost()).await.is_err(), "lost: {:?}", lock.check());
    lock.check().unwrap();
    assert!(d.group_lock_holder(&gk("web", "dev")).await.unwrap().unwrap().contains("steady"));
    lock.release().await.unwrap();
    assert_eq!(d.group_lock_holder(&gk("web", "dev")).await.unwrap(), None);
}
