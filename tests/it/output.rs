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
