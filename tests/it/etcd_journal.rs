//! The etcd driver's rollout journal and revision history against a real etcd: keys outside
//! `/services`, round trips, one transaction with the config, the last ten kept.

use serde_json::json;
use theseus::etcd::{
    CanaryMark, ControlAction, ControlRequest, HistoryEntry, Journal, JournalSide, JournalState, RolloutKind,
    HISTORY_LEN,
};

use crate::support::etcd::Etcd;
use crate::support::gk;

fn journal(state: JournalState, done: u32) -> Journal {
    let side = |rev: &str, n| JournalSide { app_id: format!("/it/web/dev/{rev}"), revision: rev.into(), instances: n };
    Journal {
        kind: RolloutKind::Update,
        service: "web".into(),
        group: "dev".into(),
        from: Some(side("r1", 3)),
        to: side("r2", 3),
        plan: vec![1, 1, 1],
        batches_done: done,
        state,
        started_at: "2024-05-01T10:00:00.000Z".into(),
        updated_at: "2024-05-01T10:00:01.000Z".into(),
        owner: "theseus update (by me)".into(),
        message: Some("v2".into()),
        reason: None,
        rollout: json!({"batch": 1}),
        app: json!({"id": "/it/web/dev/r2", "instances": 3}),
        config: json!({"instances": 3}),
        canary: None,
        hold: None,
        obeyed: None,
    }
}

fn entry(revision: &str) -> HistoryEntry {
    HistoryEntry {
        revision: revision.into(),
        app_id: format!("/it/web/dev/{revision}"),
        deployed_at: "2024-05-01T10:00:00.000Z".into(),
        user: "me".into(),
        message: None,
        config: json!({"revision": revision}),
    }
}

#[tokio::test]
async fn rollouts_are_put_read_and_deleted_outside_services() {
    let etcd = Etcd::start();
    let d = etcd.driver_with_prefix("team").await;
    let key = gk("web", "dev");
    assert_eq!(d.get_rollout(&key).await.unwrap(), None);
    d.put_rollout(&key, &journal(JournalState::Rolling, 0)).await.unwrap();
    d.put_rollout(&key, &journal(JournalState::Rolling, 1)).await.unwrap();
    assert_eq!(d.get_rollout(&key).await.unwrap(), Some(journal(JournalState::Rolling, 1)));
    let dump = etcd.dump();
    assert_eq!(dump.len(), 1, "{dump:?}");
    assert_eq!(dump[0].0, "/team/theseus/rollouts/web/dev");
    let doc: serde_json::Value = serde_json::from_str(&dump[0].1).unwrap();
    assert_eq!(doc["state"], "rolling");
    assert_eq!(doc["batches_done"], 1);
    assert_eq!(doc["to"]["revision"], "r2");
    assert!(d.delete_rollout(&key).await.unwrap());
    assert!(!d.delete_rollout(&key).await.unwrap(), "deleting again is a no-op");
    assert_eq!(d.get_rollout(&key).await.unwrap(), None);
    assert!(etcd.dump().is_empty());
}

/// An ended rollout's journal, pending control request and canary mark go in one request;
/// another group's, and the group's own registrations, stay.
#[tokio::test]
async fn clearing_a_rollout_deletes_its_journal_request_and_mark_in_one_request() {
    let etcd = Etcd::start();
    let d = etcd.driver_with_prefix("team").await;
    let (key, other) = (gk("web", "dev"), gk("web", "prod"));
    d.create_group(&key, &json!({})).await.unwrap();
    for k in [&key, &other] {
        d.put_rollout(k, &journal(JournalState::Rolling, 1)).await.unwrap();
        let request = ControlRequest {
            id: "1".into(),
            action: ControlAction::Pause,
            full: false,
            by: "me@here".into(),
            at: "2024-05-01T10:00:00.000Z".into(),
        };
        d.put_control(k, &request).await.unwrap();
        d.put_canary_mark(k, &CanaryMark { app_id: "/it/web/dev/r2".into(), revision: "r2".into() }).await.unwrap();
    }
    let before = d.requests_sent();
    d.clear_rollout(&key).await.unwrap();
    assert_eq!(d.requests_sent() - before, 1, "one transaction");
    let keys: Vec<String> = etcd.dump().into_iter().map(|(k, _)| k).collect();
    assert!(!keys.iter().any(|k| k.ends_with("/web/dev") && k.contains("/theseus/")), "{keys:?}");
    assert!(!keys.contains(&"/team/services/web/dev/canary".to_owned()), "{keys:?}");
    assert!(keys.contains(&"/team/services/web/dev".to_owned()), "the group stays: {keys:?}");
    for left in ["/team/theseus/rollouts/web/prod", "/team/theseus/control/web/prod", "/team/services/web/prod/canary"]
    {
        assert!(keys.contains(&left.to_owned()), "another group's {left} stays: {keys:?}");
    }
    d.clear_rollout(&key).await.unwrap();
    assert_eq!(d.get_rollout(&key).await.unwrap(), None, "clearing again is a no-op");
}

#[tokio::test]
async fn history_is_written_with_the_config_and_keeps_the_last_ten() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let key = gk("web", "dev");
    assert!(d.get_history(&key).await.unwrap().is_empty());
    // No group: the config write fails and no history is recorded either.
    assert!(d
        .set_group_config_recorded(&key, &json!({"revision": "r0"}), &entry("r0"))
        .await
        .unwrap_err()
        .is_not_found());
    assert!(d.get_history(&key).await.unwrap().is_empty());

    assert!(d.create_group_recorded(&key, &json!({"revision": "r1"}), &entry("r1")).await.unwrap());
    assert!(!d.create_group_recorded(&key, &json!({"revision": "rx"}), &entry("rx")).await.unwrap(), "existed");
    let revisions = |h: Vec<HistoryEntry>| h.into_iter().map(|e| e.revision).collect::<Vec<_>>();
    assert_eq!(revisions(d.get_history(&key).await.unwrap()), ["r1"]);

    let before = d.requests_sent();
    d.set_group_config_recorded(&key, &json!({"revision": "r2"}), &entry("r2")).await.unwrap();
    assert_eq!(d.requests_sent() - before, 2, "one read of the history, one transaction");
    assert_eq!(d.get_group_config(&key).await.unwrap(), json!({"revision": "r2"}));
    assert_eq!(revisions(d.get_history(&key).await.unwrap()), ["r2", "r1"]);

    for i in 3..=12 {
        let rev = format!("r{i}");
        d.set_group_config_recorded(&key, &json!({ "revision": rev }), &entry(&rev)).await.unwrap();
    }
    let h = revisions(d.get_history(&key).await.unwrap());
    assert_eq!(h.len(), HISTORY_LEN);
    assert_eq!(h.first().map(String::as_str), Some("r12"));
    assert_eq!(h.last().map(String::as_str), Some("r3"), "the oldest went");
    // The history sits outside /services: consumers never see it, and removing the group
    // leaves it.
    assert!(etcd.dump().iter().any(|(k, _)| k == "/theseus/history/web/dev"));
    assert!(d.remove_group(&key).await.unwrap());
    assert_eq!(d.get_history(&key).await.unwrap().len(), HISTORY_LEN);
}

#[tokio::test]
async fn concurrent_history_writers_lose_no_entry() {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    let key = gk("web", "dev");
    d.create_group_recorded(&key, &json!({}), &entry("r0")).await.unwrap();
    let writes = (1..=6).map(|i| {
        let (d, key) = (d.clone(), key.clone());
        async move {
            let rev = format!("r{i}");
            d.set_group_config_recorded(&key, &json!({ "revision": rev }), &entry(&rev)).await
        }
    });
    for r in futures::future::join_all(writes).await {
        r.unwrap();
    }
    let mut h: Vec<String> = d.get_history(&key).await.unwrap().into_iter().map(|e| e.revision).collect();
    h.sort();
    assert_eq!(h, ["r0", "r1", "r2", "r3", "r4", "r5", "r6"]);
}
