//! Error messages that say what happened: a write that timed out, a reply that is
//! not HTTP or not Marathon, https to a plain-HTTP server, credentials sent to an etcd without
//! auth, a 409 pointing at Theseus's own options, and rounded lock waits. Each fake server
//! here is a plain TCP listener on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use theseus::error_reporting::hints;
use theseus::marathon::{Client, Options};

use super::support::cmd::theseus;
use super::support::engine::Engine;
use super::support::etcd::Etcd;

/// A listener on a free loopback port whose connections get `reply` (or, with `None`, are held
/// open unanswered) after the request is read. Runs until the test process ends.
fn fake_server(reply: Option<&'static [u8]>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            match reply {
                Some(bytes) => {
                    let _ = conn.write_all(bytes);
                }
                None => held.push(conn),
            }
        }
    });
    format!("127.0.0.1:{}", addr.port())
}

fn view_error(marathon: &str) -> String {
    let out = theseus().args(["--marathon", marathon, "--request-timeout", "2s", "view"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8(out.stderr).unwrap()
}

#[tokio::test]
async fn a_write_that_timed_out_says_so_and_that_it_may_have_been_applied() {
    let addr = fake_server(None);
    let opts = Options {
        urls: vec![format!("http://{addr}").parse().unwrap()],
        timeout: Duration::from_millis(300),
        attempts: 1,
        ..Options::default()
    };
    let err = Client::new(&opts).unwrap().scale_app("/it/web/dev/r1", 3, false).await.unwrap_err();
    let err = anyhow::Error::new(err);
    assert_eq!(err.to_string(), format!("Marathon at http://{addr} did not answer PUT /v2/apps/it/web/dev/r1 in time"));
    assert!(hints(&err)[0].starts_with("Marathon may have applied the change anyway"), "{:?}", hints(&err));
    let err = Client::new(&opts).unwrap().apps(None, false).await.unwrap_err();
    let err = anyhow::Error::new(err);
    assert!(err.to_string().contains("did not answer GET /v2/apps in time"), "{err}");
    assert!(hints(&err)[0].contains("slow to answer"), "a read only says it was slow: {:?}", hints(&err));
}

#[test]
fn a_reply_that_is_not_http_is_named_so() {
    let addr = fake_server(Some(b"SSH-2.0-OpenSSH_9.2\r\n"));
    let err = view_error(&format!("http://{addr}"));
    assert!(err.contains(&format!("what answers at http://{addr} does not speak HTTP")), "{err}");
    assert!(
        err.contains("hint: check the host and port of --marathon") && !err.contains("is Marathon running"),
        "{err}"
    );
}

#[test]
fn an_http_server_that_is_not_marathon_is_named_so() {
    let addr = fake_server(Some(
        b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 22\r\nConnection: close\r\n\r\n<html>not found</html>",
    ));
    let err = view_error(&format!("http://{addr}"));
    assert!(err.contains(&format!("what answers at http://{addr} is not Marathon: GET /v2/")), "{err}");
    assert!(err.contains("got 404 Not Found with a non-JSON body (<html>not found</html>)"), "{err}");
    assert!(err.contains("hint: check --marathon") && !err.contains("is Marathon running"), "{err}");
}

#[test]
fn https_to_a_plain_http_server_is_a_tls_failure_with_the_likely_cause() {
    let engine = Engine::start();
    let url = engine.url().replacen("http://", "https://", 1);
    let err = view_error(&url);
    assert!(err.contains(&format!("TLS with Marathon at {} failed", url.trim_end_matches('/'))), "{err}");
    assert!(err.contains("hint: a plain-HTTP server behind https://"), "{err}");
}

#[test]
fn credentials_for_an_etcd_without_auth_say_so() {
    let etcd = Etcd::start();
    let out = theseus()
        .args([
            "--etcd",
            &etcd.endpoint,
            "--etcd-user",
            "root",
            "--etcd-password",
            "pw-never-shown",
            "endpoints",
            "web",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("refused the connection: authentication is not enabled"), "{err}");
    assert!(err.contains("hint: this etcd has authentication turned off: leave out --etcd-user"), "{err}");
    assert!(!err.contains("is etcd running") && !err.contains("pw-never-shown"), "{err}");
}

#[test]
fn a_409_points_at_theseus_and_lock_waits_are_rounded() {
    let locked = theseus::marathon::Error::Locked {
        method: reqwest::Method::PUT,
        path: "/v2/apps/it/web/dev/r1".into(),
        message: "App is locked by one or more deployments.".into(),
        deployments: vec!["d-1".into()],
    };
    let err = anyhow::Error::new(locked);
    let hint = &hints(&err)[0];
    assert!(
        hint.contains("d-1")
            && hint.contains("theseus view")
            && hint.contains("theseus scale --force")
            && !hint.contains("DELETE /v2/deployments"),
        "{hint}"
    );
    let waited = theseus::etcd::Error::Locked {
        service: "web".into(),
        group: "dev".into(),
        holder: "theseus update (by ci)".into(),
        waited: Duration::new(3, 1_063_525),
    };
    assert_eq!(waited.to_string(), "group `web/dev` is locked by theseus update (by ci) (waited 3.0s)");
}
