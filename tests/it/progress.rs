//! What a CI log shows of a rollout: with stderr not a terminal there are no progress bars, and
//! every status line (batches, waits, progress, the end) starts with a UTC timestamp; progress
//! lines are printed only when a group's news changes, not once per poll.

use std::time::Duration;

use super::support::cmd::theseus;
use super::support::engine::Engine;
use super::support::etcd::Etcd;

fn spec(version: &str) -> String {
    format!(
        r#"
namespace = "it"
[service.web]
cmd = "sleep 600"
cpus = 0.1
mem = 32
env = {{ VERSION = "{version}" }}
[[service.web.group]]
labels = ["dev"]
instances = 2
"#
    )
}

#[test]
fn rollouts_log_timestamped_lines_without_bars_when_stderr_is_not_a_terminal() {
    let (engine, etcd, dir) = (Engine::start(), Etcd::start(), tempfile::tempdir().unwrap());
    let run = |version: &str, args: &[&str]| {
        let file = dir.path().join(format!("v{version}.toml"));
        std::fs::write(&file, spec(version)).unwrap();
        let out = theseus()
            .args(["--marathon", &engine.url(), "--etcd", &etcd.endpoint])
            .args(args)
            .arg(&file)
            .args(["--poll-interval", "100ms"])
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    run("1", &["create"]);
    let log = run("2", &["update", "--batch", "1", "--wait", "1s"]);
    let stamp = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +\S+ ").unwrap();
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(stamp.is_match(line), "not a timestamped status line: {line:?}\n{log}");
        assert!(!line.contains('\r') && !line.contains('\x1b'), "a progress bar was drawn: {line:?}");
    }
    assert!(lines.iter().any(|l| l.contains("Batch web/dev: batch 1/2 (1 instance(s))")), "{log}");
    assert!(lines.iter().any(|l| l.contains("Batch web/dev: batch 2/2")), "{log}");
    assert!(lines.iter().any(|l| l.contains("Waiting web/dev: waiting until ")), "{log}");
    assert!(lines.iter().any(|l| l.contains("Updated web/dev")), "{log}");
    let progress: Vec<&str> =
        lines.iter().filter(|l| l.contains(" Progress ")).map(|l| l.split_once(" Progress ").unwrap().1).collect();
    assert!(progress.windows(2).all(|w| w[0] != w[1]), "a progress line repeats: {progress:?}");
}
