//! The command line as operators expect it, through the real binary against the
//! local engine and a real etcd: one group spelling printed and accepted everywhere, plan's
//! changed leaves, real counts for skipped and previewed groups, `--ignore-not-found`,
//! `create --dry-run`, `-f FILE` (repeatable, `-` for stdin), THESEUS_NAMESPACE against the
//! spec's namespace, usage lines and the help's global heading, and Ctrl-C ending a watch.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::support::cmd::theseus;
use super::support::engine::Engine;
use super::support::env::Env;
use super::support::specs::HELLO as SPEC;

impl Env {
    /// Creates SPEC's two groups and waits until their three containers are registered.
    fn created(&self) -> String {
        let spec = self.write("spec.toml", SPEC);
        self.ok(&["create", &spec, "--timeout", "60s", "--poll-interval", "200ms", "--fail-after", "10s"]);
        spec
    }
}

#[test]
fn one_group_spelling_is_printed_everywhere_and_accepted_by_every_command() {
    let env = Env::start();
    let spec = env.created();
    let names = env.ok(&["view", "-o", "name"]).stdout;
    assert_eq!(names, "hello/backend.dev\nhello/dev.frontend\n");
    let table = env.ok(&["view"]).stdout;
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header[..3], ["NAMESPACE", "SERVICE", "GROUP"], "{table}");
    assert!(table.lines().any(|l| l.split_whitespace().nth(2) == Some("dev.frontend")), "{table}");
    for doc in [env.json(&["view"]), env.json(&["plan", &spec]), env.json(&["endpoints", "hello"])] {
        let groups: Vec<&str> = doc.as_array().unwrap().iter().map(|r| r["group"].as_str().unwrap()).collect();
        assert!(groups.iter().all(|g| ["backend.dev", "dev.frontend"].contains(g)), "{doc}");
    }
    // What one command printed, the others accept: the GROUP value to -l, the name as a target.
    assert_eq!(env.json(&["endpoints", "hello", "-l", "dev.frontend"]).as_array().unwrap().len(), 2);
    assert_eq!(env.json(&["endpoints", "hello/dev.frontend"]).as_array().unwrap().len(), 2);
    assert_eq!(env.ok(&["view", "hello/dev.frontend", "-o", "name"]).stdout, "hello/dev.frontend\n");
    assert_eq!(env.ok(&["view", "hello/dev", "-o", "name"]).stdout, "", "a name is one exact group, not a label");
    let scaled = env.json(&["scale", "hello/dev.frontend", "-n", "1", "--poll-interval", "200ms"]);
    assert_eq!((scaled[0]["group"].as_str(), scaled[0]["instances"].as_u64()), (Some("dev.frontend"), Some(1)));
    // One group commands still need to know which group.
    let out = env.out(&["scale", "hello", "-n", "1"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("which group of `hello`?"), "{}", out.stderr);
    let out = env.out(&["endpoints", "hello", "-l", "!dev.frontend"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("`!` excludes one label: write `-l !dev,!frontend`"), "{}", out.stderr);
}

#[test]
fn plan_shows_the_changed_leaf_and_never_marathons_defaults_or_service_ports() {
    let env = Env::start();
    let v1 = SPEC.replace(
        "ports = [{ name = \"http\" }]",
        "ports = [{ name = \"http\" }]\nhealth = { protocol = \"TCP\", port = \"http\", grace = \"5s\" }",
    );
    let spec = env.write("v1.toml", &v1);
    env.ok(&["create", &spec, "--no-wait"]);
    let unchanged = env.out(&["plan", &spec, "--exit-code"]);
    assert_eq!(unchanged.code, Some(0), "no spurious change (portDefinitions port 10001 -> 0): {}", unchanged.stdout);
    let v2 = v1
        .replace("grace = \"5s\"", "grace = \"6s\"")
        .replace("instances = 2", "instances = 2\nenv = { RELEASE = \"2\" }");
    let spec = env.write("v2.toml", &v2);
    let plan = env.json(&["plan", &spec]);
    let frontend = plan.as_array().unwrap().iter().find(|p| p["group"] == "dev.frontend").unwrap();
    assert_eq!(frontend["action"], "rolling-update");
    let fields: Vec<&str> =
        frontend["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["env.RELEASE", "healthChecks[0].gracePeriodSeconds"], "{frontend}");
    let table = env.ok(&["plan", &spec]).stdout;
    let row = table.lines().find(|l| l.contains("dev.frontend")).unwrap();
    assert!(row.contains("env.RELEASE: (unset) -> 2, healthChecks[0].gracePeriodSeconds: 5 -> 6"), "{table}");
    assert!(!table.contains("portDefinitions"), "{table}");
}

#[test]
fn skipped_and_previewed_groups_show_their_real_counts() {
    let env = Env::start();
    let spec = env.created();
    // create refuses existing groups before announcing anything
    let again = env.out(&["create", &spec]);
    assert_eq!(again.code, Some(2));
    assert!(again.stderr.contains("already exist") && !again.stderr.contains("Creating"), "{}", again.stderr);
    // --skip-existing: the skipped groups as they stand, and a warning for one the spec changed
    let changed = env.write("changed.toml", &SPEC.replace("instances = 1", "instances = 3"));
    let out = env.cmd().args(["create", &changed, "--skip-existing", "-o", "json"]).output().unwrap();
    assert!(out.status.success());
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    for row in rows.as_array().unwrap() {
        assert_eq!(row["result"], "skipped");
        let n = if row["group"] == "dev.frontend" { 2 } else { 1 };
        assert_eq!((row["instances"].as_u64(), row["registered"].as_u64()), (Some(n), Some(n)), "{row}");
        assert!(row["revision"].as_str().is_some_and(|r| r.starts_with('r')), "{row}");
    }
    assert!(
        stderr.contains(
            "warning: skipped `hello/backend.dev` differs from the spec (1 instance(s) in Marathon, 3 in the spec)"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("`hello/dev.frontend` differs"), "{stderr}");
    // remove --dry-run of a whole service previews without --all, with the real numbers
    let out = env.cmd().args(["remove", "hello", "--dry-run", "-o", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    for row in rows.as_array().unwrap() {
        let n = if row["group"] == "dev.frontend" { 2 } else { 1 };
        assert_eq!(row["result"], "would-remove");
        assert_eq!((row["instances"].as_u64(), row["registered"].as_u64()), (Some(n), Some(n)), "{row}");
        assert!(row["revision"].as_str().is_some_and(|r| r.starts_with('r')), "{row}");
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs --all"));
    assert_eq!(env.json(&["endpoints", "hello"]).as_array().unwrap().len(), 3, "a dry run changes nothing");
    assert_eq!(env.out(&["remove", "hello"]).code, Some(2), "still refused without --all");
}

#[test]
fn removing_what_is_gone_exits_2_unless_ignore_not_found() {
    let env = Env::start();
    env.created();
    let gone = env.out(&["remove", "hello", "-l", "prod"]);
    assert_eq!(gone.code, Some(2));
    assert!(gone.stderr.contains("nothing to remove") && gone.stderr.contains("--ignore-not-found"), "{}", gone.stderr);
    let ok = env.out(&["remove", "hello", "-l", "prod", "--ignore-not-found", "-o", "json"]);
    assert_eq!((ok.code, ok.stdout.as_str()), (Some(0), "[]\n"), "{}", ok.stderr);
    // A name is exactly one group: removing `hello/dev` would not touch `hello/backend.dev`.
    assert_eq!(env.out(&["remove", "hello/dev"]).code, Some(2));
    env.ok(&["remove", "hello/backend.dev"]);
    assert_eq!(env.out(&["remove", "hello/backend.dev"]).code, Some(2));
    assert_eq!(env.out(&["remove", "hello/backend.dev", "--ignore-not-found"]).code, Some(0));
    assert_eq!(env.ok(&["view", "-o", "name"]).stdout, "hello/dev.frontend\n", "only the named group went");
}

#[test]
fn create_dry_run_says_what_would_be_created_and_changes_nothing() {
    let env = Env::start();
    let spec = env.write("spec.toml", SPEC);
    let out = env.cmd().args(["create", &spec, "--dry-run"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows.iter().all(|r| r[2] == "would-create"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Would create 2 group(s) under /it"));
    assert_eq!(env.ok(&["view", "-o", "name"]).stdout, "", "nothing reached Marathon");
    assert_eq!(env.out(&["endpoints", "hello"]).code, Some(2), "nor etcd");
}

#[test]
fn spec_files_come_from_dash_f_repeated_or_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    std::fs::write(&a, SPEC).unwrap();
    std::fs::write(&b, SPEC.replace("service.hello", "service.world")).unwrap();
    let out = theseus().args(["validate", "-o", "name", "-f"]).arg(&a).arg("-f").arg(&b).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "hello/dev.frontend\nhello/backend.dev\nworld/dev.frontend\nworld/backend.dev\n"
    );
    let out = theseus().args(["render", "-f", "-", "-l", "backend"]).write_stdin(SPEC).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let apps: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(apps[0]["labels"]["theseus.group"], "backend.dev");
    // the positional form still works, the same group twice is an error, and a file is required
    assert!(theseus().arg("validate").arg(&a).output().unwrap().status.success());
    let twice = theseus().arg("validate").arg(&a).arg("-f").arg(&a).output().unwrap();
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("is defined in more than one of"));
    let none = theseus().arg("validate").output().unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("<FILE>"), "{}", String::from_utf8_lossy(&none.stderr));
}

#[test]
fn theseus_namespace_may_not_silently_move_a_spec_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let out = theseus().env("THESEUS_NAMESPACE", "other").arg("validate").arg(&spec).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("THESEUS_NAMESPACE is `other` but") && stderr.contains("sets namespace = \"it\""),
        "{stderr}"
    );
    assert!(stderr.contains("--namespace other"), "the hint names the explicit override: {stderr}");
    // The flag is an explicit override; agreeing values and specs without a namespace are fine.
    for (env, flag, file, want) in [
        (Some("other"), Some("other"), SPEC.to_owned(), "other"),
        (None, Some("other"), SPEC.to_owned(), "other"),
        (Some("it"), None, SPEC.to_owned(), "it"),
        (Some("other"), None, SPEC.replace("namespace = \"it\"", ""), "other"),
    ] {
        std::fs::write(&spec, &file).unwrap();
        let mut cmd = theseus();
        if let Some(ns) = env {
            cmd.env("THESEUS_NAMESPACE", ns);
        }
        cmd.args(["validate", "-o", "json"]).arg(&spec);
        if let Some(ns) = flag {
            cmd.args(["--namespace", ns]);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{env:?} {flag:?}: {}", String::from_utf8_lossy(&out.stderr));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["namespace"], want);
    }
}

#[test]
fn usage_lines_show_no_defaulted_flag_as_required_and_global_flags_have_their_heading() {
    let help = |args: &[&str]| {
        let out = theseus().args(args).output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let endpoints = help(&["endpoints", "--help"]);
    assert!(endpoints.contains("Usage: theseus endpoints [OPTIONS] <SERVICE>\n"), "{endpoints}");
    let local = help(&["local", "--help"]);
    let (own, global) = local.split_once("Global options:").expect("a Global options heading");
    assert!(own.contains("--agents") && !own.contains("--etcd"), "{own}");
    assert!(global.contains("--etcd") && global.contains("--marathon") && !global.contains("--agents"));
    for args in [&["view", "-h"][..], &["create", "--help"], &["update", "-h"]] {
        let text = help(args);
        let usage = text.lines().find(|l| l.starts_with("Usage:")).unwrap();
        assert!(!usage.contains("--marathon") && !usage.contains("--etcd"), "{usage}");
    }
    let view = help(&["view", "--help"]);
    assert!(view.contains("--poll-interval") && !view.contains("--interval "), "one name for poll intervals");
}

#[test]
fn ctrl_c_ends_a_watch_with_exit_130_as_help_says() {
    let engine = Engine::start();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("theseus"));
    for (key, _) in std::env::vars_os().filter(|(k, _)| k.to_string_lossy().starts_with("THESEUS_")) {
        cmd.env_remove(key);
    }
    let mut child = cmd
        .env("NO_COLOR", "1")
        .args(["--marathon", &engine.url(), "view", "--watch", "-o", "json", "--poll-interval", "200ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    assert_eq!(first, "[]\n", "the first refresh was printed");
    // SAFETY: signalling a child process this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "view --watch did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
    let help = String::from_utf8(theseus().arg("--help").output().unwrap().stdout).unwrap();
    assert!(help.contains("130  interrupted"), "{help}");
}

#[test]
fn validate_warns_that_args_are_not_shell_expanded() {
    let out =
        theseus().args(["validate", "examples/checks.toml"]).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    assert!(out.status.success(), "a warning, not an error");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let text = std::fs::read_to_string(super::support::cmd::repo_path("examples/checks.toml")).unwrap();
    let line = text.lines().position(|l| l.starts_with("args = [")).unwrap() + 1;
    let want = format!(
        "warning: examples/checks.toml:{line}:1: `args` are not shell-expanded: `$PORT_DNS` reaches the program"
    );
    assert!(stderr.contains(&want), "{stderr}");
    assert!(stderr.contains("hint: use `cmd"), "{stderr}");
    let readme = std::fs::read_to_string(super::support::cmd::repo_path("README.md")).unwrap();
    for line in stderr.lines() {
        assert!(readme.contains(line), "the README shows the real output; it lacks {line:?}");
    }
    let quiet = theseus()
        .args(["validate", "examples/local-demo.toml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(quiet.stderr.is_empty(), "`cmd` is run by a shell: {}", String::from_utf8_lossy(&quiet.stderr));
}

#[test]
fn every_entry_point_runs_the_one_shared_setup_step_first() {
    // The README's test command, the demo and CI install what the machine
    // lacks through one script, before they build or start anything.
    let read = |p: &str| std::fs::read_to_string(super::support::cmd::repo_path(p)).unwrap();
    for script in ["scripts/test", "scripts/demo", ".ci/run"] {
        let text = read(script);
        let commands: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("set "))
            .collect();
        let setup = commands.iter().position(|l| *l == "scripts/setup");
        let first_build = commands.iter().position(|l| l.contains("cargo ") || l.contains("etcd "));
        assert!(setup.is_some(), "{script} does not run scripts/setup");
        assert!(setup < first_build || first_build.is_none(), "{script} builds before scripts/setup");
    }
    let setup = read("scripts/setup");
    for package in ["etcd-server", "protobuf-compiler", "libprotobuf-dev", "shellcheck"] {
        assert!(setup.contains(package), "scripts/setup installs {package}");
    }
}
