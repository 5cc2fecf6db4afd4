//! What the benchmarks share: the launchers of the integration tests (a real etcd, the local
//! engine in-process), the measuring helpers and the `theseus` binary of this build.

#[path = "../../tests/it/support/engine.rs"]
pub mod engine;
#[path = "../../tests/it/support/etcd.rs"]
pub mod etcd;
pub mod measure;

use std::process::Command;

use anyhow::{bail, Result};

/// The `theseus` binary of this build: cargo builds a package's binaries for its benchmarks,
/// with the same (optimized) profile.
pub const THESEUS: &str = env!("CARGO_BIN_EXE_theseus");

/// `curl ARGS`'s stdout, or an error when it fails.
pub fn curl(args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("curl").args(args).output()?;
    if !out.status.success() {
        bail!("curl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(out.stdout)
}
