//! Result tables as operators see them: kubectl-style plain columns, piped and under
//! a pseudo-terminal of a fixed size (util-linux `script`), `-o wide`, `-o name`, `--no-headers`.

use std::process::Command as StdCommand;

use serde_json::json;

use crate::etcd_driver::info;
use crate::support::cmd::theseus;
use crate::support::etcd::Etcd;
use crate::support::gk;

const LONG: &str = "web_dev.frontend_r0123456789ab.instance-96f26471-f7f1-4cb9-b4dc-bd0a41d1cc09._app.1";

/// An etcd with two groups of `web`: one container with a long Marathon task id, one short.
async fn seeded() -> Etcd {
    let etcd = Etcd::start();
    let d = etcd.driver().await;
    d.create_group(&gk("web", "dev.frontend"), &json!({})).await.unwrap();
    d.create_group(&gk("web", "prod"), &json!({})).await.unwrap();
    d.register_containers(&gk("web", "dev.frontend"), &[info(LONG, 31000)]).await.unwrap();
    d.register_containers(&gk("web", "prod"), &[info("web_prod.t1", 31001)]).await.unwrap();
    etcd
}

fn piped(etcd: &Etcd, args: &[&str]) -> String {
    let out = theseus().args(["--etcd", &etcd.endpoint]).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs theseus under a pseudo-terminal (`script`) sized `cols` columns (0: one that reports no
/// size, as `script` gives when it is itself not on a terminal), returning what it printed.
fn on_terminal(etcd: &Etcd, cols: u16, args: &[&str]) -> String {
    let bin = assert_cmd::cargo::cargo_bin("theseus");
    let mut line = format!("stty cols {cols} rows 40; exec '{}' --etcd {}", bin.display(), etcd.endpoint);
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    let mut cmd = StdCommand::new("script");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("THESEUS_") {
            cmd.env_remove(key);
        }
    }
    let out = cmd
        .env("NO_COLOR", "1")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux `script` runs commands under a pseudo-terminal");
    let text = String::from_utf8(out.stdout).unwrap().replace('\r', "");
    assert!(out.status.success(), "{args:?}: {text}{}", String::from_utf8_lossy(&out.stderr));
    text
}

fn assert_plain(text: &str) {
    assert!(!text.is_empty());
    for l in text.lines() {
        assert_eq!(l, l.trim(), "no leading or trailing spaces: {l:?}");
        assert!(!l.contains(['│', '─', '┌', '|']), "no borders: {l:?}");
    }
}

#[tokio::test]
async fn piped_tables_are_plain_aligned_columns_with_nothing_cut() {
    let etcd = seeded().await;
    let text = piped(&etcd, &["endpoints", "web"]);
    assert_plain(&text);
    let expected = format!(
        "ADDRESS           SERVICE   GROUP          HEALTHY   CONTAINER\n\
         127.0.0.2:31000   web       dev.frontend   yes       {LONG}\n\
         127.0.0.2:31001   web       prod           yes       web_prod.t1\n"
    );
    assert_eq!(text, expected);
}

#[tokio::test]
async fn on_a_fixed_size_terminal_long_cells_are_cut_to_fit() {
    let etcd = seeded().await;
    let text = on_terminal(&etcd, 80, &["endpoints", "web"]);
    assert_plain(&text);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[1].chars().count(), 80, "the long row fills the terminal: {text}");
    for l in &lines {
        assert!(l.chars().count() <= 80, "{l:?} is wider than the terminal");
    }
    assert_eq!(lines[0], "ADDRESS           SERVICE   GROUP          HEALTHY   CONTAINER");
    assert_eq!(lines[1], "127.0.0.2:31000   web       dev.frontend   yes       web_dev.frontend_r01234567…");
    assert_eq!(lines[2], "127.0.0.2:31001   web       prod           yes       web_prod.t1");
}

#[tokio::test]
async fn a_terminal_reporting_no_width_gets_the_whole_table() {
    let etcd = seeded().await;
    let text = on_terminal(&etcd, 0, &["endpoints", "web"]);
    assert_eq!(text, piped(&etcd, &["endpoints", "web"]), "not collapsed to one character per column");
}

#[tokio::test]
async fn wide_adds_columns_and_is_never_cut() {
    let etcd = seeded().await;
    let text = on_terminal(&etcd, 60, &["endpoints", "web", "-o", "wide"]);
    assert_plain(&text);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].split_whitespace().eq([
        "ADDRESS",
        "SERVICE",
        "GROUP",
        "HEALTHY",
        "CONTAINER",
        "VERSION",
        "PORTS"
    ]));
    assert!(lines[1].contains(LONG) && lines[1].ends_with("2024-05-01T10:00:00.000Z   http=31000->80/tcp"), "{text}");
}

#[tokio::test]
async fn name_prints_one_name_per_line_and_no_headers_drops_the_header() {
    let etcd = seeded().await;
    let names = piped(&etcd, &["endpoints", "web", "-o", "name"]);
    assert_eq!(names, format!("web/dev.frontend/{LONG}\nweb/prod/web_prod.t1\n"));
    let text = piped(&etcd, &["endpoints", "web", "--no-headers"]);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.starts_with("127.0.0.2:31000   web   dev.frontend   yes"), "{text}");
}
