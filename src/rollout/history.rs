//! Revision history: the entry each deployment records ([`entry`]), what `theseus history`
//! lists ([`HistoryRow`]), and how `theseus rollback` picks a revision ([`target`]) (its stored
//! spec becomes a desired group in `resume::desired_of_entry`).

use serde::Serialize;
use serde_json::Value;

use super::journal::now;
use super::plan::Desired;
use crate::error::UserError;
use crate::etcd::HistoryEntry;

/// Who deploys: `$USER`, else `unknown`.
fn user() -> String {
    std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "unknown".to_owned())
}

/// The history entry of a revision deployed now with `config` (as stored at the group's
/// config key), by `$USER`.
pub(super) fn entry(config: &Value, app_id: &str, revision: &str, message: Option<String>) -> HistoryEntry {
    HistoryEntry {
        revision: revision.to_owned(),
        app_id: app_id.to_owned(),
        deployed_at: now(),
        user: user(),
        message,
        config: config.clone(),
    }
}

/// The history entry of a group being created from `desired`.
pub(super) fn created(desired: &Desired) -> HistoryEntry {
    entry(&desired.config, &desired.app.id, &desired.revision(), None)
}

/// One line of `theseus history` (`-o json`: one object per revision, newest first).
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    /// The revision.
    pub revision: String,
    /// Whether it is what Marathon runs now (only the newest entry of that revision is marked).
    pub current: bool,
    /// When it was deployed (RFC 3339).
    pub deployed_at: String,
    /// Who deployed it.
    pub user: String,
    /// The message given with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Its Marathon app id.
    pub app_id: String,
}

/// The rows of `theseus history`, newest first, marking `current`.
pub fn rows(entries: &[HistoryEntry], current: Option<&str>) -> Vec<HistoryRow> {
    let mut marked = false;
    entries
        .iter()
        .map(|e| {
            let current = !marked && Some(e.revision.as_str()) == current;
            marked |= current;
            HistoryRow {
                revision: e.revision.clone(),
                current,
                deployed_at: e.deployed_at.clone(),
                user: e.user.clone(),
                message: e.message.clone(),
                app_id: e.app_id.clone(),
            }
        })
        .collect()
}

/// The entry `rollback` returns to: `--to REV` (the newest entry of it), else the newest
/// revision other than `current`. Anything else is a [`UserError`] naming the known revisions.
pub fn target<'e>(
    entries: &'e [HistoryEntry],
    group: &str,
    current: Option<&str>,
    to: Option<&str>,
) -> Result<&'e HistoryEntry, UserError> {
    let mut known: Vec<&str> = Vec::new();
    for e in entries {
        if !known.contains(&e.revision.as_str()) {
            known.push(&e.revision);
        }
    }
    let hint = format!("`theseus history` lists the revisions of `{group}`");
    let found = match to {
        Some(rev) => entries.iter().find(|e| e.revision == rev),
        None => entries.iter().find(|e| Some(e.revision.as_str()) != current),
    };
    found.ok_or_else(|| {
        let known = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
        let what = match to {
            Some(rev) => format!("revision `{rev}` is not in the history of `{group}`"),
            None => format!("`{group}` has no earlier revision in its history"),
        };
        UserError::with_hint(format!("{what} (known: {known})"), hint)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(revision: &str) -> HistoryEntry {
        HistoryEntry {
            revision: revision.into(),
            app_id: format!("/it/web/dev/{revision}"),
            deployed_at: "T".into(),
            user: "me".into(),
            message: None,
            config: Value::Null,
        }
    }

    #[test]
    fn rollback_targets_the_newest_other_revision_or_the_one_named() {
        let h = [e("r3"), e("r2"), e("r1"), e("r2")];
        assert_eq!(target(&h, "web/dev", Some("r3"), None).unwrap().revision, "r2");
        assert_eq!(target(&h, "web/dev", Some("r3"), Some("r1")).unwrap().revision, "r1");
        let err = target(&h, "web/dev", Some("r3"), Some("r9")).unwrap_err();
        assert!(err.message.contains("known: r3, r2, r1"), "{}", err.message);
        assert!(target(&h[..1], "web/dev", Some("r3"), None).is_err());
    }

    #[test]
    fn only_the_newest_entry_of_the_current_revision_is_marked() {
        let marks: Vec<bool> = rows(&[e("r2"), e("r1"), e("r2")], Some("r2")).iter().map(|r| r.current).collect();
        assert_eq!(marks, [true, false, false]);
    }
}
