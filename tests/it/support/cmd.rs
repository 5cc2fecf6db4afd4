//! Runs the real `theseus` binary with a clean environment.

use assert_cmd::Command;

/// The `theseus` binary with every `THESEUS_*` variable removed and colors off.
pub fn theseus() -> Command {
    let mut cmd = Command::cargo_bin("theseus").expect("theseus binary");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("THESEUS_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Path of a file in the repository.
pub fn repo_path(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}
