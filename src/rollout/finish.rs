//! The steps at a rollout's end: the new revision's config and history stored ([`store`]), a
//! journaled rollout finished ([`finish_journaled`]), the old revision restored
//! ([`Run::rollback`]). Shared by rolling updates and by `rollout resume|abort`; the end
//! itself (journal, outcome, status, registration synced) is `end.rs`'s.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::Value;

use super::end::{End, Run};
use super::event::Reporter;
use super::gate::{self, Cancel, Gate};
use super::history;
use super::live::{LiveGroup, Snapshot};
use super::plan::Desired;
use super::register::container_info;
use super::result::RolloutResult;
use super::scope::{Scope, Settings};
use crate::marathon::types::App;
use crate::spec::labels::Selector;

/// Stores the new revision's config (with the `-m` message) and its history entry, in one
/// transaction.
pub(super) async fn store(
    scope: Scope<'_>,
    live: &LiveGroup,
    desired: &Desired,
    settings: &Settings,
) -> anyhow::Result<()> {
    let mut config = desired.config.clone();
    if let (Value::Object(m), Some(msg)) = (&mut config, &settings.message) {
        m.insert("message".into(), Value::String(msg.clone()));
    }
    let entry = history::entry(&config, &desired.app.id, &desired.revision(), settings.message.clone());
    scope
        .write()?
        .etcd
        .set_group_config_recorded(&live.key, &config, &entry)
        .await
        .with_context(|| format!("storing the config of `{}` in etcd", live.group_id))
}

/// Ends a journaled rollout whose client died after its last batch: only the new revision
/// runs, so its config and history are stored (unless they already were), then it ends as done
/// ([`Run::end`]: the journal goes, registration synced).
pub(super) async fn finish_journaled(
    scope: Scope<'_>,
    live: &LiveGroup,
    desired: &Desired,
    settings: &Settings,
    reporter: &dyn Reporter,
    journal: crate::etcd::Journal,
    started: Instant,
) -> anyhow::Result<RolloutResult> {
    let stored = scope.etcd.get_group_config(&live.key).await.ok();
    let revision = desired.revision();
    if stored.as_ref().and_then(|c| c.get("revision")).and_then(Value::as_str) != Some(revision.as_str()) {
        store(scope, live, desired, settings).await?;
    }
    let result =
        RolloutResult { from: journal.from.as_ref().map(|f| f.revision.clone()), ..RolloutResult::of(live, desired) };
    Run::new(scope, live, settings, reporter, journal, result, started).end(End::Done).await
}

impl Run<'_> {
    /// Restores the old revision app `old_id` to `want` healthy instances (its capacity before the
    /// rollout), then drains and deletes the new app (if Marathon still has it). A single-instance
    /// group ([`super::plan::stops_first`]) goes the other way round: the new app is drained and
    /// deleted, and its tasks are terminal, before the old one is scaled back up.
    pub(super) async fn rollback(
        &mut self,
        old_id: &str,
        want: u32,
        new_id: &str,
        mut cancel: Cancel<'_>,
    ) -> anyhow::Result<()> {
        let (scope, live, settings, reporter) = (self.scope, self.live, self.settings, self.reporter);
        let inflight = &mut self.inflight;
        if super::plan::stops_first(&live.apps) {
            let services = [live.key.service().to_owned()];
            let snap = Snapshot::read(scope.marathon, scope.namespace, &services, &Selector::default())
                .await
                .context("reading the group before stopping the new revision")?;
            if let Some(app) = snap.group(&live.key).and_then(|g| g.apps.iter().find(|a| a.id == new_id)) {
                let change = drain_and_delete(scope, live, app).await?;
                inflight.started(new_id, &change);
                inflight
                    .settle(new_id, cancel.as_mut())
                    .await
                    .with_context(|| format!("waiting for the tasks of `{new_id}` to stop"))?;
            }
        }
        // The old app's last kill-and-scale deployment ends first (its tasks are terminal within
        // their kill grace): the scale-up never cancels a deployment of this rollout. Forced still,
        // for a deployment another client left on the old app: restoring capacity comes first.
        inflight
            .settle(old_id, cancel.as_mut())
            .await
            .with_context(|| format!("waiting for the last scale-down of `{old_id}`"))?;
        super::confirm::scale_app(scope.write()?.marathon, old_id, want, true)
            .await
            .with_context(|| format!("scaling `{old_id}` back up"))?;
        let none = BTreeSet::new();
        let g = Gate {
            key: &live.key,
            namespace: scope.namespace,
            app_id: old_id,
            want,
            exclude: &none,
            relaunches: 0,
            min_healthy: Duration::ZERO,
            deadline: settings.rollout.deadline,
            poll: scope.timing.poll,
            fail_after: None,
            wakeup: scope.wakeup(),
        };
        let passed = gate::pass(scope.marathon, &g, reporter, cancel).await.context("waiting for the old revision")?;
        let infos: Vec<_> = passed.tasks.iter().map(|t| container_info(&passed.app, t)).collect();
        scope
            .write()?
            .etcd
            .register_containers(&live.key, &infos)
            .await
            .context("registering the old containers again")?;
        let new_app = passed.snapshot.group(&live.key).and_then(|g| g.apps.iter().find(|a| a.id == new_id)).cloned();
        if let Some(app) = &new_app {
            drain_and_delete(scope, live, app).await?;
        }
        Ok(())
    }
}

/// Drains the new revision app's containers from etcd, then deletes the app with force (its
/// scale-up deployment may never finish); a refusal puts its registrations back.
async fn drain_and_delete(scope: Scope<'_>, live: &LiveGroup, app: &App) -> anyhow::Result<crate::marathon::Change> {
    let mut drained = Vec::new();
    for t in app.tasks.iter().flatten() {
        if scope.write()?.etcd.deregister_container(&live.key, &t.id).await.context("draining a new container")? {
            drained.push(container_info(app, t));
        }
    }
    match super::confirm::delete_app(scope.write()?.marathon, &app.id, true).await {
        Ok(change) => Ok(change),
        Err(err) => {
            if let Ok(w) = scope.write() {
                let _ = w.etcd.register_containers(&live.key, &drained).await;
            }
            Err(anyhow::Error::new(err).context(format!("deleting the new revision app `{}`", app.id)))
        }
    }
}
