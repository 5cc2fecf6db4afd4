//! The batched writes behind `theseus sync` against a real etcd: many groups' changes packed
//! into few transactions, each guarded per group (a locked or removed group is skipped and
//! the others are written), and a group restored only while missing and unlocked.

use std::time::Duration;

use serde_json::json;
use theseus::etcd::{ContainerInfo, GroupChange, Skipped};

use crate::support::etcd::Etcd;
use crate::support::gk;

fn info(name: &str) -> ContainerInfo {
    ContainerInfo {
        instance_name: name.into(),
        instance_host: "127.0.0.2".into(),
        instance_port: Some(31000),
        port_mappings: vec![],
        version: "v1".into(),
        healthy: true,
        started_at: None,
        canary: false,
    }
}

#[tokio::test]
async fn changes_of_many_groups_go_in_few_guarded_transactions() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let groups: Vec<_> = (0..30).map(|g| gk("web", &format!("g{g:02}"))).collect();
    for g in &groups {
        d.create_group(g, &json!({"namespace": "t"})).await.unwrap();
    }
    // 30 groups x 3 containers = 180 ops: two transactions, not thirty.
    let changes: Vec<GroupChange> = groups
        .iter()
        .map(|g| GroupChange {
            key: g.clone(),
            put: (0..3).map(|i| info(&format!("{}-t{i}", g.group()))).collect(),
            delete: vec![],
        })
        .collect();
    let before = d.requests_sent();
    let applied = d.apply_registrations(&changes).await.unwrap();
    assert_eq!(applied.transactions, 2);
    assert_eq!(d.requests_sent() - before, 2);
    assert!(applied.skipped.is_empty());
    let regs = d.registrations().await.unwrap();
    assert_eq!(regs.groups.values().map(|g| g.containers.len()).sum::<usize>(), 90);
    assert_eq!(regs.groups[&groups[0]].namespace(), Some("t"));

    // One group locked by a command, one removed: both skipped, the rest written.
    let lock = d.lock_group(&groups[1], "theseus update (test)", Duration::from_secs(5)).await.unwrap();
    d.remove_group(&groups[2]).await.unwrap();
    let changes: Vec<GroupChange> = groups[..4]
        .iter()
        .map(|g| GroupChange {
            key: g.clone(),
            put: vec![info(&format!("{}-new", g.group()))],
            delete: vec![format!("{}-t0", g.group())],
        })
        .collect();
    let applied = d.apply_registrations(&changes).await.unwrap();
    assert_eq!(applied.skipped, vec![(groups[1].clone(), Skipped::Locked), (groups[2].clone(), Skipped::GroupGone)]);
    let regs = d.registrations().await.unwrap();
    assert!(regs.locked.contains(&groups[1]));
    let names = |g: usize| regs.groups[&groups[g]].containers.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(0), ["g00-new", "g00-t1", "g00-t2"]);
    assert_eq!(names(1), ["g01-t0", "g01-t1", "g01-t2"], "a locked group is left alone");
    assert!(!regs.groups.contains_key(&groups[2]), "a removed group is not recreated");
    assert_eq!(names(3), ["g03-new", "g03-t1", "g03-t2"]);

    // Restore: only while missing and unlocked.
    assert_eq!(d.restore_group(&groups[1], &json!({})).await.unwrap(), Err(Skipped::Locked));
    assert_eq!(d.restore_group(&groups[0], &json!({})).await.unwrap(), Err(Skipped::CreatedMeanwhile));
    let fresh = gk("web", "fresh");
    let held = d.lock_group(&fresh, "theseus create (test)", Duration::from_secs(5)).await.unwrap();
    assert_eq!(d.restore_group(&fresh, &json!({"namespace": "t"})).await.unwrap(), Err(Skipped::Locked));
    assert!(!d.group_exists(&fresh).await.unwrap(), "nothing written while a command holds the lock");
    held.release().await.unwrap();
    assert_eq!(d.restore_group(&fresh, &json!({"namespace": "t"})).await.unwrap(), Ok(()));
    assert!(d.group_exists(&fresh).await.unwrap());
    lock.release().await.unwrap();
}
