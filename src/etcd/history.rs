//! Revision history: the last [`HISTORY_LEN`] revisions deployed to a group (its resolved
//! spec, when, by whom, with which message), newest first, as one JSON list at
//! `<root>/theseus/history/<service>/<group>` (see [`super::Keys::history`]).
//!
//! A deployment writes the group's config and its history entry in one transaction, guarded by
//! the history key's mod revision (a compare-and-swap, retried if another writer got there
//! first), so the history never names a revision whose config was not stored, nor misses one.

use etcd_client::{Compare, CompareOp, Txn, TxnOp, TxnOpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{json, Driver, Error};
use crate::names::GroupKey;

/// How many revisions a group's history keeps.
pub const HISTORY_LEN: usize = 10;

/// How often a history write retries after losing a race with another writer.
const ATTEMPTS: usize = 16;

/// One deployed revision (an element of the history list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The revision (`r` and 12 hex digits).
    pub revision: String,
    /// Its Marathon app id.
    pub app_id: String,
    /// When it was deployed (RFC 3339).
    pub deployed_at: String,
    /// Who deployed it (`$USER`).
    pub user: String,
    /// The message given with it (`-m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The resolved spec deployed, as stored at the group's config key.
    pub config: Value,
}

impl Driver {
    /// The group's history, newest first (empty when nothing was recorded).
    pub async fn get_history(&self, id: &GroupKey) -> Result<Vec<HistoryEntry>, Error> {
        let key = self.keys.history(id.service(), id.group());
        match self.get_value(&key).await? {
            Some(value) => Self::decode(&key, &value),
            None => Ok(Vec::new()),
        }
    }

    /// [`Driver::set_group_config`], recording `entry` as the newest revision of the group's
    /// history in the same transaction. The group must exist.
    pub async fn set_group_config_recorded(
        &self,
        id: &GroupKey,
        config: &Value,
        entry: &HistoryEntry,
    ) -> Result<(), Error> {
        let (service, group) = (id.service(), id.group());
        let ops = vec![TxnOp::put(self.keys.config(service, group), json(config), None)];
        if self.put_with_history(id, self.group_exists_cmp(service, group), ops, entry).await? {
            Ok(())
        } else {
            Err(Self::group_not_found(service, group))
        }
    }

    /// [`Driver::create_group`], recording `entry` as the newest revision of the group's
    /// history in the same transaction. Returns `false` (writing nothing) if the group existed.
    pub async fn create_group_recorded(
        &self,
        id: &GroupKey,
        config: &Value,
        entry: &HistoryEntry,
    ) -> Result<bool, Error> {
        let gkey = self.keys.group(id.service(), id.group());
        let absent = Compare::version(gkey.as_str(), CompareOp::Equal, 0);
        self.put_with_history(id, absent, self.create_group_ops(id, config), entry).await
    }

    /// Runs `ops` and prepends `entry` to the history when `guard` holds and the history is
    /// unchanged since read; `false` when `guard` failed.
    async fn put_with_history(
        &self,
        id: &GroupKey,
        guard: Compare,
        ops: Vec<TxnOp>,
        entry: &HistoryEntry,
    ) -> Result<bool, Error> {
        let key = self.keys.history(id.service(), id.group());
        let mut resent = false;
        for _ in 0..ATTEMPTS {
            let resp = self
                .call("get", &key, || {
                    let (mut kv, key) = (self.kv(), key.clone());
                    async move { kv.get(key, None).await }
                })
                .await?;
            let seen = resp.kvs().first().map_or(0, |kv| kv.mod_revision());
            // A history we cannot read must not block a deployment: it starts again.
            let mut entries: Vec<HistoryEntry> =
                resp.kvs().first().and_then(|kv| serde_json::from_slice(kv.value()).ok()).unwrap_or_default();
            // A transaction sent again after a leader change may have been applied the first
            // time: `entry` (it names when it was deployed) on top says it was, ops included.
            if resent && entries.first() == Some(entry) {
                return Ok(true);
            }
            entries.insert(0, entry.clone());
            entries.truncate(HISTORY_LEN);
            let mut all = ops.clone();
            all.push(TxnOp::put(key.as_str(), json(&entries), None));
            let txn = Txn::new()
                .when([guard.clone(), Compare::mod_revision(key.as_str(), CompareOp::Equal, seen)])
                .and_then(all)
                .or_else([TxnOp::get(key.as_str(), None)]);
            let (resp, again) = self.txn_resent(&key, txn).await?;
            resent |= again;
            if resp.succeeded() {
                return Ok(true);
            }
            let now = resp.op_responses().into_iter().find_map(|r| match r {
                TxnOpResponse::Get(g) => Some(g.kvs().first().map_or(0, |kv| kv.mod_revision())),
                _ => None,
            });
            if now == Some(seen) {
                return Ok(false); // the history did not move: the guard failed
            }
        }
        Err(Error::Request { op: "txn", key, source: "the history kept changing under concurrent writers".into() })
    }
}
