//! `--state FILE`: app definitions (all stored versions) and explicit groups survive restarts.
//!
//! Crash safety: each save writes a uniquely named temp file beside the state file, fsyncs it,
//! renames it over the state file and fsyncs the directory, so a reader or a restart after
//! kill -9 sees either the previous document or the new one, never a cut one. Saves are
//! serialised and numbered: an older snapshot never replaces a newer one.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::UserError;
use crate::local::Shared;
use crate::marathon::types::App;

use super::state::{GroupRecord, State};

/// The file's document.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Saved {
    /// Every app with its versions, newest last.
    #[serde(default)]
    pub(crate) apps: Vec<Vec<App>>,
    /// Explicit groups.
    #[serde(default)]
    pub(crate) groups: BTreeMap<String, GroupRecord>,
}

/// Captures what is saved.
pub(crate) fn snapshot(st: &State) -> Saved {
    Saved {
        apps: st.apps.values().map(|r| r.versions.values().map(|a| (**a).clone()).collect()).collect(),
        groups: st.groups.clone(),
    }
}

/// The state file and its save sequence.
#[derive(Debug)]
pub(crate) struct Store {
    path: PathBuf,
    next: AtomicU64,
    /// The sequence number of the last snapshot written; held while writing.
    written: Mutex<u64>,
}

impl Store {
    /// A store for `path`; removes the temp files of saves a killed engine left behind.
    pub(crate) fn new(path: PathBuf) -> Self {
        remove_stale_temp_files(&path);
        Store { path, next: AtomicU64::new(1), written: Mutex::new(0) }
    }

    /// Numbers a snapshot; take it under the state lock so numbers follow the state's order.
    pub(crate) fn ticket(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// Writes snapshot `ticket` unless a newer one is already on disk.
    pub(crate) fn write(&self, ticket: u64, saved: &Saved) -> std::io::Result<()> {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        if ticket <= *written {
            return Ok(());
        }
        write_atomically(&self.path, saved)?;
        *written = ticket;
        Ok(())
    }
}

fn dir_and_name(path: &Path) -> (PathBuf, String) {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "state".into());
    (dir, name)
}

/// Temp files are `.<name>.<pid>.<uuid>.tmp`; those of a process that no longer runs are stale.
fn remove_stale_temp_files(path: &Path) {
    let (dir, name) = dir_and_name(path);
    let prefix = format!(".{name}.");
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let file = entry.file_name().to_string_lossy().to_string();
        let Some(rest) = file.strip_prefix(&prefix).and_then(|r| r.strip_suffix(".tmp")) else { continue };
        let pid = rest.split('.').next().and_then(|p| p.parse::<i32>().ok());
        // SAFETY: signal 0 only probes whether the pid exists.
        if pid.is_some_and(|p| p > 0 && unsafe { libc::kill(p, 0) } != 0) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn write_atomically(path: &Path, saved: &Saved) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(saved)?;
    let (dir, name) = dir_and_name(path);
    let tmp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        file.write_all(&text)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        // The rename itself is durable once the directory is synced.
        std::fs::File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Saves in the background if definitions changed (called at the end of a scheduler cycle).
pub(crate) fn save_if_dirty(shared: &std::sync::Arc<Shared>) {
    let Some(store) = &shared.store else { return };
    let (ticket, doc) = {
        let mut st = shared.lock();
        if !st.dirty {
            return;
        }
        st.dirty = false;
        (store.ticket(), snapshot(&st))
    };
    let shared = shared.clone();
    tokio::task::spawn_blocking(move || save(&shared, ticket, &doc));
}

/// Saves synchronously if definitions changed (on shutdown).
pub(crate) fn save_now(shared: &Shared) {
    let Some(store) = &shared.store else { return };
    let (ticket, doc) = {
        let mut st = shared.lock();
        if !st.dirty {
            return;
        }
        st.dirty = false;
        (store.ticket(), snapshot(&st))
    };
    save(shared, ticket, &doc);
}

fn save(shared: &Shared, ticket: u64, doc: &Saved) {
    let Some(store) = &shared.store else { return };
    if let Err(e) = store.write(ticket, doc) {
        tracing::warn!(target: "theseus::local", "cannot write the state file {}: {e}; retrying", store.path.display());
        shared.lock().dirty = true;
    }
}

/// Reads the file. A missing or empty file is an empty state, as Marathon starts from an
/// empty root group when its store holds none
/// (M:src/main/scala/mesosphere/marathon/storage/repository/GroupRepositoryImpl.scala, `RootGroup.empty`).
pub(crate) fn load(path: &Path) -> Result<Saved, UserError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Saved::default()),
        Err(e) => {
            return Err(UserError::with_hint(
                format!("cannot read the state file {}: {e}", path.display()),
                "check its permissions, or pass another --state file",
            ))
        }
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Saved::default());
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        UserError::with_hint(
            format!("the state file {} is not a theseus state document: {e}", path.display()),
            format!(
                "move it aside (`mv {0} {0}.broken`) to start with an empty state, or restore a copy",
                path.display()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str) -> Saved {
        let app = App { id: id.into(), version: Some("2024-01-01T00:00:00.000Z".into()), ..Default::default() };
        Saved { apps: vec![vec![app]], groups: BTreeMap::new() }
    }

    #[test]
    fn missing_and_empty_files_are_an_empty_state() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(&dir.path().join("none.json")).unwrap().apps.is_empty());
        let empty = dir.path().join("empty.json");
        std::fs::write(&empty, "").unwrap();
        assert!(load(&empty).unwrap().apps.is_empty());
        std::fs::write(&empty, " \n").unwrap();
        assert!(load(&empty).unwrap().apps.is_empty());
    }

    #[test]
    fn a_corrupt_file_names_its_path_and_a_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, "{\"apps\": [[{\"id\": \"/a\"").unwrap();
        let err = load(&path).unwrap_err();
        let text = format!("{err} {}", err.hint.clone().unwrap_or_default());
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("mv "), "{text}");
    }

    #[test]
    fn saves_are_atomic_and_an_older_snapshot_never_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let store = Store::new(path.clone());
        let (first, second) = (store.ticket(), store.ticket());
        store.write(second, &doc("/new")).unwrap();
        store.write(first, &doc("/old")).unwrap();
        assert_eq!(load(&path).unwrap().apps[0][0].id, "/new");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("state.json")], "no temp file is left behind");
    }
}
