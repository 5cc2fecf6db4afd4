//! `theseus completions SHELL` prints a script for each shell, and the committed files in
//! completions/ match what the current CLI generates (run scripts/gen-completions to refresh).

use super::support::cmd::theseus;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "theseus.bash"),
    ("zsh", "_theseus"),
    ("fish", "theseus.fish"),
    ("powershell", "_theseus.ps1"),
    ("elvish", "theseus.elv"),
];

#[test]
fn every_shell_gets_a_script_naming_theseus_and_its_subcommands() {
    for (shell, _) in SHELLS {
        let out = theseus().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("theseus"), "{shell}");
        for sub in ["render", "validate", "completions"] {
            assert!(text.contains(sub), "{shell} script lacks `{sub}`");
        }
    }
}

#[test]
fn committed_completions_match_the_cli() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in SHELLS {
        let out = theseus().args(["completions", shell]).output().unwrap();
        let committed = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("completions/{file}: {e}"));
        assert!(
            committed == String::from_utf8_lossy(&out.stdout),
            "completions/{file} is stale: run scripts/gen-completions and commit the result"
        );
    }
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = theseus().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
