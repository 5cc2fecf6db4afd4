//! The README's main command, `scripts/demo`, works end to end: it starts the local engine and
//! an etcd, creates the example groups, lists them and their endpoints, fetches a page from a
//! running container, rolls out and restarts, repairs etcd with `sync --once` after a container
//! is killed behind its back, and removes everything. The README's examples are that real
//! output: its `view` example is checked against the demo's, its `validate` warning against
//! `theseus validate examples/checks.toml`.

use std::process::Command;

use super::support::cmd::{repo_path, theseus};

/// The lines of the fenced block of `text` that follow the line `first` (exclusive), up to the
/// line `until` or the block's end.
fn block_after<'a>(text: &'a str, first: &str, until: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|l| *l != first)
        .skip(1)
        .take_while(|l| *l != until && !l.starts_with("```") && !l.is_empty())
        .collect()
}

/// A `view` table with its AGE column (the last) blanked: the only cell that varies per run.
fn without_age(lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.rsplit_once(' ').map_or(l.to_string(), |(rest, _)| format!("{} -", rest.trim_end())))
        .collect()
}

#[test]
fn the_readme_main_command_runs_the_whole_job_and_its_examples_are_real_output() {
    let out = Command::new(repo_path("scripts/demo"))
        .env("THESEUS_BIN", env!("CARGO_BIN_EXE_theseus"))
        .env_remove("THESEUS_MARATHON_URL")
        .env_remove("THESEUS_ETCD_ENDPOINTS")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "scripts/demo failed\n{stdout}\n{stderr}");
    for expected in [
        "created",
        "stable",
        "127.0.0.",
        "Directory listing",
        "exit code: 3",
        "  | fatal: DATABASE_URL is not set",
        "1 missing, 1 stale",
        "DEREGISTERED",
        "removed",
    ] {
        assert!(stdout.contains(expected), "`{expected}` missing from the demo's output:\n{stdout}\n{stderr}");
    }

    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let shown = block_after(&readme, "$ theseus view -l dev", "$ theseus view -l dev -o name");
    let real = block_after(&stdout, "== theseus view -l dev", "");
    assert!(real.len() == 3, "the demo's last view has a header and two groups:\n{stdout}");
    assert_eq!(without_age(&shown), without_age(&real), "README's `view` example is not the demo's real output");
    // `-o name` prints `service/group` of the same rows.
    let names = block_after(&readme, "$ theseus view -l dev -o name", "");
    let expected: Vec<String> = real[1..]
        .iter()
        .map(|row| {
            let cells: Vec<&str> = row.split_whitespace().collect();
            format!("{}/{}", cells[1], cells[2])
        })
        .collect();
    assert_eq!(names, expected, "README's `-o name` example");
}

#[test]
fn the_readme_validate_warning_is_the_real_output() {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let shown: Vec<&str> = readme
        .lines()
        .skip_while(|l| !l.starts_with("warning: examples/checks.toml:"))
        .take_while(|l| !l.starts_with("```"))
        .collect();
    assert_eq!(shown.len(), 2, "README shows the warning and its hint");
    let out = theseus().current_dir(repo_path("")).args(["validate", "examples/checks.toml"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in shown {
        assert!(stderr.lines().any(|l| l == line), "README line `{line}` is not in the real output:\n{stderr}");
    }
}

/// The README's spec example is valid, and with `["hostname", "UNIQUE", "x"]` it gives exactly
/// the error output the README shows.
#[test]
fn the_readme_spec_example_and_its_validate_error_are_real_output() {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let spec: String = readme
        .lines()
        .skip_while(|l| *l != "```toml")
        .skip(1)
        .take_while(|l| !l.starts_with("```"))
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("web.toml"), &spec).unwrap();
    let out = theseus().current_dir(dir.path()).args(["validate", "web.toml"]).output().unwrap();
    assert!(out.status.success(), "the README's spec is valid: {}", String::from_utf8_lossy(&out.stderr));

    let bad = spec.replacen(r#"[["hostname", "UNIQUE"]]"#, r#"[["hostname", "UNIQUE", "x"]]"#, 1);
    assert_ne!(bad, spec);
    std::fs::write(dir.path().join("web.toml"), &bad).unwrap();
    let out = theseus().current_dir(dir.path()).args(["validate", "web.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let shown: Vec<&str> = readme
        .lines()
        .skip_while(|l| !l.starts_with("error: web.toml:"))
        .take_while(|l| !l.starts_with("```"))
        .collect();
    let real = String::from_utf8_lossy(&out.stderr);
    assert_eq!(shown, real.lines().collect::<Vec<_>>(), "README's validate error is the real output");
}
