//! Authentication and TLS end to end, each against an etcd started with it.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on setup failures, as tests do

use crate::support::gk;
use std::time::Duration;

use serde_json::json;
use theseus::error::ExitStatus;
use theseus::error_reporting::{classify, hints};
use theseus::etcd::{Driver, Error};

use crate::etcd_driver::info;
use crate::support::etcd::{Etcd, ROOT_PASSWORD};

#[tokio::test]
async fn user_and_password_work_end_to_end_and_bad_ones_are_refused() {
    let etcd = Etcd::start_with_auth();
    let d = Driver::connect(&etcd.options()).await.unwrap();
    d.create_group(&gk("web", "dev"), &json!({"a": 1})).await.unwrap();
    d.register_container(&gk("web", "dev"), &info("t1", 31000)).await.unwrap();
    assert_eq!(d.get_service_containers("web").await.unwrap()["dev"], [info("t1", 31000)]);
    let lock = d.lock_group(&gk("web", "dev"), "auth-test", Duration::ZERO).await.unwrap();
    lock.release().await.unwrap();

    let mut wrong = etcd.options();
    wrong.password = Some("wrong-password-xyz".into());
    let err = Driver::connect(&wrong).await.unwrap_err();
    assert!(matches!(err, Error::Rejected { .. }), "{err}");
    let err = anyhow::Error::new(err);
    let shown = format!("{err:#} {err:?}");
    assert!(shown.contains("authentication failed"), "{shown}");
    assert!(!shown.contains("wrong-password-xyz") && !shown.contains(ROOT_PASSWORD), "secret leaked: {shown}");
    assert_eq!(classify(&err), ExitStatus::Failure);
    assert!(hints(&err)[0].contains("--etcd-user"));

    let mut anonymous = etcd.options();
    anonymous.user = None;
    anonymous.password = None;
    let err = Driver::connect(&anonymous).await.unwrap_err();
    assert!(matches!(err, Error::Rejected { .. }), "no credentials on an auth-enabled etcd: {err}");
}

#[tokio::test]
async fn tls_with_client_certificates_works_end_to_end() {
    let etcd = Etcd::start_tls();
    assert!(etcd.endpoint.starts_with("https://"));
    let d = Driver::connect(&etcd.options()).await.unwrap();
    d.create_group(&gk("web", "dev"), &json!({})).await.unwrap();
    d.register_container(&gk("web", "dev"), &info("t1", 31000)).await.unwrap();
    assert_eq!(d.get_group_container_names(&gk("web", "dev")).await.unwrap(), ["t1"]);

    // The same endpoint as HOST:PORT: TLS files switch the scheme to https.
    let mut bare = etcd.options();
    bare.endpoints = vec![etcd.endpoint.trim_start_matches("https://").to_owned()];
    assert!(Driver::connect(&bare).await.unwrap().group_exists(&gk("web", "dev")).await.unwrap());

    // Without a client certificate the server refuses the handshake.
    let mut no_cert = etcd.options();
    no_cert.cert = None;
    no_cert.key = None;
    no_cert.connect_timeout = Duration::from_secs(2);
    assert!(Driver::connect(&no_cert).await.is_err());

    // A missing file is a usage error naming the flag.
    let mut missing = etcd.options();
    missing.ca = Some("/nonexistent/ca.pem".into());
    let err = Driver::connect(&missing).await.unwrap_err();
    assert!(err.to_string().contains("--etcd-ca"), "{err}");
    assert_eq!(classify(&anyhow::Error::new(err)), ExitStatus::Usage);
}
