//! `--state FILE`: app definitions (all stored versions) and explicit groups survive restarts.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

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

/// Writes the file atomically (temp file, then rename). Errors are left for the next write.
pub(crate) fn write(path: &Path, saved: &Saved) {
    let tmp = path.with_extension("tmp");
    if let Ok(text) = serde_json::to_vec_pretty(saved) {
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
}

/// Reads the file; a missing file is an empty state.
pub(crate) fn load(path: &Path) -> anyhow::Result<Saved> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Saved::default()),
        Err(e) => Err(e.into()),
    }
}
