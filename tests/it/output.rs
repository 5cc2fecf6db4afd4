//! Output plumbing (DESIGN §5): the exit-code table in --help, colors by --color and NO_COLOR,
//! -q silencing status lines but never results or errors.

use super::support::cmd::theseus;

#[test]
fn help_documents_every_exit_code() {
    let out = theseus().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for code in ["0 ", "1 ", "2 ", "3 ", "4 ", "5 ", "6 ", "10 ", "130 "] {
        assert!(help.contains(&format!("\n  {code}")), "exit code {code}missing from --help:\n{help}");
    }
}

#[test]
fn errors_are_colored_only_when_asked_and_never_under_no_color() {
    let run = |color: &str, no_color: bool| {
        let mut cmd = theseus();
        if !no_color {
            cmd.env_remove("NO_COLOR");
        }
        let out = cmd.args(["--marathon", "http://127.0.0.1:9", "--color", color, "view"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(run("always", false).contains("\x1b[31merror\x1b[0m: "), "red `error`");
    assert!(!run("never", false).contains('\x1b'));
    assert!(!run("auto", true).contains('\x1b'), "stderr is not a terminal here, and NO_COLOR is set");
    assert!(run("never", false).contains("hint: is Marathon running?"));
}

#[test]
fn usage_errors_exit_2() {
    let out = theseus().args(["view", "--interval", "soon"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = theseus().args(["frobnicate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn dash_v_logs_each_marathon_request_and_never_its_credentials() {
    let engine = super::support::engine::Engine::start();
    let url = engine.url().replacen("http://", "http://ops:hunter2@", 1);
    let quiet = theseus().args(["--marathon", &url, "--etcd", "127.0.0.1:9", "view"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("GET "), "no request logs without -v");
    let out = theseus()
        .env_remove("RUST_LOG")
        .args(["-v", "--marathon", &url, "--etcd", "127.0.0.1:9", "view"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("GET ") && stderr.contains("/v2/apps") && stderr.contains("-> 200 in "), "{stderr}");
    assert!(!stderr.contains("hunter2") && !stderr.contains("ops:"), "{stderr}");
}

#[test]
fn dash_v_logs_each_etcd_request_and_never_a_secret() {
    use super::support::etcd::{Etcd, ROOT_PASSWORD};
    let etcd = Etcd::start_with_auth();
    let run = |verbose: bool| {
        let mut cmd = theseus();
        cmd.env_remove("RUST_LOG").env("THESEUS_ETCD_PASSWORD", ROOT_PASSWORD);
        if verbose {
            cmd.arg("-v");
        }
        let out = cmd.args(["--etcd", &etcd.endpoint, "--etcd-user", "root", "endpoints", "web"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "web is not registered");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(!run(false).contains("theseus::etcd"), "no request logs without -v");
    let stderr = run(true);
    let connect = format!("connect {} -> ok in ", etcd.endpoint);
    assert!(stderr.contains("theseus::etcd") && stderr.contains(&connect), "{stderr}");
    assert!(stderr.contains("txn /services/web/ -> ok in "), "the read with its prefix and time: {stderr}");
    assert!(!stderr.contains(ROOT_PASSWORD), "{stderr}");
}

#[test]
fn status_lines_in_a_ci_log_carry_timestamps_and_no_progress_bars() {
    // README: when stderr is not a terminal there are no bars, and every status line starts with
    // a UTC timestamp; -q drops them. (stderr is a pipe here.)
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("s.toml");
    std::fs::write(&spec, "[service.web]\ncmd = \"sleep 600\"\n[[service.web.group]]\nlabels = [\"dev\"]\n").unwrap();
    let engine = super::support::engine::Engine::start();
    let etcd = super::support::etcd::Etcd::start();
    let out =
        theseus().args(["--marathon", &engine.url(), "--etcd", &etcd.endpoint, "plan"]).arg(&spec).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().find(|l| l.contains("Plan")).expect("a status line");
    let stamp = line.split_whitespace().next().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(stamp).is_ok(), "{line}");
    assert!(!stderr.contains('\r') && !stderr.contains("\x1b["), "no bars or redraws: {stderr:?}");
    let quiet = theseus()
        .args(["-q", "--marathon", &engine.url(), "--etcd", &etcd.endpoint, "plan"])
        .arg(&spec)
        .output()
        .unwrap();
    assert!(quiet.stderr.is_empty(), "{}", String::from_utf8_lossy(&quiet.stderr));
}
