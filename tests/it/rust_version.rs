//! The `rust-version` Cargo.toml declares is one the locked dependencies build with: at least
//! the highest `rust-version` of the packages in Cargo.lock, read from their manifests in
//! cargo's registry sources (`$CARGO_HOME/registry/src/*/NAME-VERSION/Cargo.toml`). Packages
//! cargo never downloaded here (other platforms' crates) are not built here either.

use std::path::PathBuf;

use crate::support::cmd::repo_path;

/// A `major.minor.patch` version, missing parts 0.
fn version(text: &str) -> Vec<u64> {
    let mut v: Vec<u64> = text.split('.').map(|p| p.parse().unwrap_or_else(|_| panic!("version {text:?}"))).collect();
    v.resize(3, 0);
    v
}

/// The `key = "value"` of the `[section]` table of a TOML manifest, read line by line.
fn manifest_value(text: &str, section: &str, key: &str) -> Option<String> {
    let mut current = "";
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            current = line;
        } else if current == section {
            if let Some((k, v)) = line.split_once('=') {
                if k.trim() == key {
                    return Some(v.trim().trim_matches('"').to_owned());
                }
            }
        }
    }
    None
}

/// The registry packages of Cargo.lock: (name, version).
fn locked_packages() -> Vec<(String, String)> {
    let lock = std::fs::read_to_string(repo_path("Cargo.lock")).unwrap();
    lock.split("[[package]]")
        .skip(1)
        .filter(|p| manifest_value(&format!("[p]\n{p}"), "[p]", "source").is_some_and(|s| s.starts_with("registry+")))
        .map(|p| {
            let p = format!("[p]\n{p}");
            (manifest_value(&p, "[p]", "name").unwrap(), manifest_value(&p, "[p]", "version").unwrap())
        })
        .collect()
}

/// Cargo's registry source directories (one per registry index).
fn registry_sources() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo"));
    match std::fs::read_dir(home.join("registry/src")) {
        Ok(dirs) => dirs.map(|d| d.unwrap().path()).collect(),
        Err(e) => panic!("{}: {e}", home.join("registry/src").display()),
    }
}

#[test]
fn the_declared_rust_version_is_at_least_every_locked_dependencys() {
    let ours = manifest_value(&std::fs::read_to_string(repo_path("Cargo.toml")).unwrap(), "[package]", "rust-version")
        .expect("Cargo.toml declares a rust-version");
    let sources = registry_sources();
    let packages = locked_packages();
    assert!(packages.len() > 100, "Cargo.lock was not read: {} packages", packages.len());
    let mut read = Vec::new();
    let mut highest: Option<(Vec<u64>, String)> = None;
    for (name, ver) in &packages {
        let Some(manifest) = sources.iter().map(|s| s.join(format!("{name}-{ver}/Cargo.toml"))).find(|m| m.exists())
        else {
            continue;
        };
        read.push(name.as_str());
        if let Some(rv) = manifest_value(&std::fs::read_to_string(&manifest).unwrap(), "[package]", "rust-version") {
            if highest.as_ref().is_none_or(|(h, _)| version(&rv) > *h) {
                highest = Some((version(&rv), format!("{name} {ver} (rust-version {rv})")));
            }
        }
    }
    // The direct dependencies are built on every platform, so their sources are there.
    for direct in ["tokio", "clap", "reqwest", "etcd-client", "serde", "axum", "toml", "uuid"] {
        assert!(read.contains(&direct), "{direct} is locked but its source is not in {sources:?}");
    }
    let (needed, by) = highest.expect("some locked package declares a rust-version");
    assert!(version(&ours) >= needed, "Cargo.toml declares rust-version {ours}, but {by} needs more");
}
