//! Recoverability from Marathon's labels: commands work from what Marathon has when etcd has no
//! record of a group (a `create` whose client died between Marathon and etcd, a write whose
//! answer never came, etcd restored from an old backup). Marathon's apps carry the `theseus.*`
//! labels (DESIGN §1), which name the service and the group; the namespace is the path above.

use anyhow::Context as _;
use serde_json::{json, Value};

use super::live::{revision_of, LiveGroup};
use super::scope::Scope;

/// The config recorded for a group known only from Marathon: what its labels and current
/// revision app say (`"recovered": true` marks it; the next `update` stores the full spec).
pub(super) fn recovered_config(live: &LiveGroup) -> Value {
    let current = live.current();
    json!({
        "service": live.key.service(),
        "labels": live.labels,
        "namespace": live.namespace,
        "revision": current.map(revision_of),
        "app_id": current.map(|a| a.id.clone()),
        "instances": current.and_then(|a| a.instances),
        "recovered": true,
    })
}

/// Makes sure etcd records `live` (a group Marathon has in the command's namespace): the
/// owner is checked (another namespace's record is [`crate::etcd::Error::Foreign`], exit 2),
/// and a missing record is created from Marathon's labels. Returns whether it created one.
pub(super) async fn ensure_recorded(scope: Scope<'_>, live: &LiveGroup) -> anyhow::Result<bool> {
    scope.etcd.check_owner(&live.key, &live.namespace).await?;
    if scope.etcd.group_exists(&live.key).await.context("reading etcd")? {
        return Ok(false);
    }
    let created = scope
        .write()?
        .etcd
        .create_group(&live.key, &recovered_config(live))
        .await
        .with_context(|| format!("recording `{}` in etcd from Marathon's labels", live.group_id))?;
    if created {
        tracing::info!(target: "theseus::rollout", "recorded `{}` in etcd from Marathon's labels", live.group_id);
    }
    Ok(created)
}
