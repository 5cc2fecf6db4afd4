//! The Marathon client against the local engine, through a fault-injecting proxy: auth
//! headers, failover, retries on 502/503 (never on 4xx), the leader header, and typed
//! 404/409/422 errors.

use std::time::Duration;

use serde_json::json;
use theseus::marathon::types::App;
use theseus::marathon::{Client, Error, Options};

use super::support::engine::Engine;
use super::support::proxy::Proxy;

fn options(urls: &[String]) -> Options {
    Options {
        urls: urls.iter().map(|u| u.parse().unwrap()).collect(),
        timeout: Duration::from_secs(5),
        attempts: 3,
        backoff: Duration::from_millis(20),
        ..Options::default()
    }
}

fn sleeper(id: &str) -> App {
    serde_json::from_value(json!({"id": id, "cmd": "sleep 600", "cpus": 0.01, "mem": 8, "instances": 1})).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn basic_auth_and_token_headers_are_sent_and_never_printed() {
    let engine = Engine::start();
    let proxy = Proxy::start(&engine.url());
    let mut opts = options(&[proxy.url()]);
    opts.user = Some("ops".into());
    opts.password = Some("s3cret".into());
    Client::new(&opts).unwrap().apps(None, false).await.unwrap();
    let mut opts = options(&[proxy.url()]);
    opts.token = Some("tok123".into());
    let client = Client::new(&opts).unwrap();
    client.apps(None, false).await.unwrap();
    let auth: Vec<String> = proxy
        .seen()
        .iter()
        .filter_map(|s| s.headers.iter().find(|(k, _)| k == "authorization").map(|(_, v)| v.clone()))
        .collect();
    assert_eq!(auth, ["Basic b3BzOnMzY3JldA==", "token=tok123"]);
    assert!(!format!("{client:?}{opts:?}").contains("tok123"), "secrets never appear in Debug output");
}

#[tokio::test(flavor = "multi_thread")]
async fn fails_over_to_the_next_url_and_remembers_the_leader() {
    let engine = Engine::start();
    let client = Client::new(&options(&["http://127.0.0.1:9".into(), engine.url()])).unwrap();
    assert!(client.apps(None, false).await.unwrap().is_empty());
    assert!(client.leader().is_some(), "X-Marathon-Leader is read");
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_503_and_502_but_never_4xx() {
    let engine = Engine::start();
    let proxy = Proxy::start(&engine.url());
    let client = Client::new(&options(&[proxy.url()])).unwrap();
    proxy.fail_next(2, 503);
    client.deployments().await.unwrap();
    assert_eq!(proxy.seen().len(), 3, "two 503s, then success");
    proxy.fail_next(1, 502);
    client.queue().await.unwrap();
    assert_eq!(proxy.seen().len(), 5);
    proxy.fail_next(1, 400);
    let err = client.deployments().await.unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_eq!(proxy.seen().len(), 6, "a 4xx is not retried");
    proxy.fail_next(5, 503);
    let err = client.deployments().await.unwrap_err();
    assert!(matches!(err, Error::Api { .. }), "after the attempts run out the 503 is reported: {err:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_marathon_is_one_clear_error() {
    let client = Client::new(&options(&["http://127.0.0.1:9".into(), "http://127.0.0.1:10".into()])).unwrap();
    let err = client.apps(None, false).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("cannot reach Marathon at http://127.0.0.1:9, http://127.0.0.1:10"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_errors_for_404_409_and_422() {
    let engine = Engine::start();
    let client = Client::new(&options(&[engine.url()])).unwrap();
    assert!(client.app("/nope").await.unwrap().is_none());
    let err = client.delete_app("/nope", false).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");

    // 422 with Marathon's details
    let mut bad = sleeper("/bad");
    bad.upgrade_strategy =
        Some(theseus::marathon::types::UpgradeStrategy { minimum_health_capacity: 2.0, maximum_over_capacity: 1.0 });
    let err = client.create_app(&bad).await.unwrap_err();
    let Error::Invalid { status, details, .. } = &err else { panic!("{err:?}") };
    assert_eq!(status.as_u16(), 422);
    assert!(details.as_ref().unwrap().to_string().contains("minimumHealthCapacity"), "{err}");

    // 409: an app whose deployment cannot finish (unplaceable) is locked
    let mut stuck = sleeper("/stuck");
    stuck.constraints = Some(vec![vec!["rack".into(), "CLUSTER".into(), "nowhere".into()]]);
    let change = client.create_app(&stuck).await.unwrap();
    let deployment = change.deployment_id.expect("Marathon returns the deployment id");
    let err = client.scale_app("/stuck", 2, false).await.unwrap_err();
    let Error::Locked { deployments, .. } = &err else { panic!("{err:?}") };
    assert_eq!(deployments, &[deployment]);
    // force overrides the lock
    client.scale_app("/stuck", 0, true).await.unwrap();
}

#[test]
fn a_missing_ca_file_is_a_setup_error() {
    let mut opts = options(&["https://127.0.0.1:9".into()]);
    opts.ca = Some("/no/such/ca.pem".into());
    let err = Client::new(&opts).unwrap_err();
    assert!(err.to_string().contains("cannot read CA file /no/such/ca.pem"), "{err}");
}
