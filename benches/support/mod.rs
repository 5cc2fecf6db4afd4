//! What the benchmarks share: the integration tests' harness (a real etcd, the local engine
//! in-process, `Env` with its comparisons of etcd against Marathon, `theseus sync` replicas and
//! the sync soak), the measuring helpers and the `theseus` binary of this build.
//!
//! The harness is `tests/it/support` itself, included as a module and re-exported here, so that
//! its files reach each other as they do in the tests (`crate::support::gk` included): the
//! benchmarks use the tests' code, never a copy of it, and the tests never include a file of
//! `benches/`.

#[path = "../../tests/it/support/mod.rs"]
mod harness;
pub mod measure;

pub use harness::*;

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
