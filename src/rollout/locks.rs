//! Taking and releasing the etcd locks of the groups a command changes.

use anyhow::Context as _;

use crate::etcd::{Driver, GroupLock};
use crate::names::GroupKey;

/// Takes the etcd lock of every group (in sorted order, so two commands never deadlock), so
/// two theseus processes never change the same group at once. A lock still held by another
/// process after `timeout` is an exit-6 error naming the holder.
pub async fn lock_groups(
    etcd: &Driver,
    groups: &[GroupKey],
    timeout: std::time::Duration,
    owner: &str,
) -> anyhow::Result<Vec<GroupLock>> {
    let mut sorted = groups.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut locks = Vec::with_capacity(sorted.len());
    for key in &sorted {
        let lock = etcd.lock_group(key, owner, timeout).await.with_context(|| format!("locking group `{key}`"))?;
        locks.push(lock);
    }
    Ok(locks)
}

/// Releases locks now (dropping them would release them in the background).
pub async fn unlock(locks: Vec<GroupLock>) {
    for lock in locks {
        let _ = lock.release().await;
    }
}
