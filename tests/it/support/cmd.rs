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

/// Prefixes of the variables cargo sets for a test process (not the CARGO_* configuration).
const CARGO_SET: [&str; 7] = [
    "CARGO_MANIFEST_",
    "CARGO_PKG_",
    "CARGO_CRATE_",
    "CARGO_BIN_",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
];

/// The example `name` (examples/NAME.rs), built as a program with the profile of this test
/// binary: `cargo test --all-targets` builds examples only as test harnesses. A no-op when it
/// is up to date, and never a stale binary when the example changed.
pub fn example(name: &str) -> std::path::PathBuf {
    // target/<profile>/deps/it-<hash> -> target/<profile>/examples/<name>
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|p| p.parent()).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = std::process::Command::new(cargo);
    build.args(["build", "--quiet", "--example", name]).current_dir(env!("CARGO_MANIFEST_DIR"));
    // Drop what cargo sets for this test process: a build script that tracks one of them
    // (ring tracks CARGO_MANIFEST_DIR) would otherwise rebuild with everything above it (rustls,
    // tonic, reqwest, the library), and so would the next top-level build after it.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if CARGO_SET.iter().any(|p| key.starts_with(p)) {
            build.env_remove(key);
        }
    }
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some(profile) => {
            build.args(["--profile", profile]);
        }
    }
    assert!(build.status().unwrap().success(), "building the {name} example failed");
    let path = profile_dir.join("examples").join(name);
    assert!(path.exists(), "{} is missing after building it", path.display());
    path
}
