//! Finishing a journaled rollout whose client died: `rollout resume` runs the same rollout
//! again from where Marathon stands (an update deploys the journaled app definition, so no
//! spec file is needed; a restart replaces the tasks not replaced yet), and `rollout abort`
//! rolls it back: the old revision to its capacity from before the rollout, healthy, first,
//! then the new app drained and deleted. Also `rollback`'s desired group from a history entry.

use std::future::Future;
use std::time::Instant;

use anyhow::Context as _;
use serde_json::Value;

use super::apply;
use super::end::{End, Run};
use super::event::{Event, Reporter};
use super::live::LiveGroup;
use super::plan::Desired;
use super::restart::restart_journaled;
use super::result::{RolloutOutcome, RolloutResult, Timings};
use super::rolling;
use super::scope::{Scope, Settings};
use super::session::{Owners, Session};
use crate::error::{ExitStatus, StatusError, UserError};
use crate::etcd::{HistoryEntry, Hold, Journal, JournalState, RolloutKind};
use crate::marathon::types::App;
use crate::spec::GroupSpec;

/// Keys the stored config adds to the resolved spec (see `apply::desired` and the update's
/// `-m`), removed to read the spec back.
const ADDED_KEYS: [&str; 4] = ["namespace", "revision", "app_id", "message"];

/// "No rollout is journaled for the group" (exit 2).
pub fn nothing_journaled(live: &LiveGroup) -> UserError {
    UserError::with_hint(
        format!("no rollout of `{}/{}` is journaled", live.key.service(), live.key.group()),
        "`theseus view` shows the group; `theseus history` its revisions",
    )
}

/// The journal of `live`'s rollout, read under its lock; none is a usage error (exit 2).
async fn journaled(scope: Scope<'_>, live: &LiveGroup) -> anyhow::Result<Journal> {
    Ok(scope
        .etcd
        .get_rollout(&live.key)
        .await
        .with_context(|| format!("reading the rollout journal of `{}`", live.group_id))?
        .ok_or_else(|| nothing_journaled(live))?)
}

/// The desired group a journaled update rolls to: its app definition and config as journaled.
pub(super) fn desired_of_journal(journal: &Journal, live: &LiveGroup) -> anyhow::Result<Desired> {
    let app: App = serde_json::from_value(journal.app.clone())
        .with_context(|| format!("reading the journaled app definition of `{}`", journal.to.app_id))?;
    Ok(Desired {
        key: live.key.clone(),
        labels: live.labels.clone(),
        group_id: live.group_id.clone(),
        app,
        config: journal.config.clone(),
    })
}

/// The desired group of a history entry, in `live`'s namespace, at `live`'s current instance
/// count (a rollback restores what runs, not how many: scaling is not a revision).
pub fn desired_of_entry(entry: &HistoryEntry, live: &LiveGroup) -> anyhow::Result<Desired> {
    let mut config = entry.config.clone();
    if let Value::Object(m) = &mut config {
        for k in ADDED_KEYS {
            m.remove(k);
        }
    }
    let mut spec: GroupSpec = serde_json::from_value(config)
        .with_context(|| format!("reading the spec of revision `{}` from the history", entry.revision))?;
    if let Some(n) = live.current().and_then(|a| a.instances) {
        spec.instances = n;
    }
    Ok(apply::desired(&spec, &live.namespace)?)
}

/// Continues the rollout `journal` records (read by the caller to pick the settings). The
/// rollout re-reads the journal and Marathon under the group's lock, so a rollout finished
/// meanwhile is left alone.
pub async fn resume(
    scope: Scope<'_>,
    live: &LiveGroup,
    journal: &Journal,
    settings: &Settings,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<RolloutResult> {
    match journal.kind {
        RolloutKind::Update => {
            let desired = desired_of_journal(journal, live)?;
            rolling::update(scope, live, &desired, settings, reporter, cancel).await
        }
        RolloutKind::Restart => restart_journaled(scope, live, settings, reporter, cancel, true).await,
    }
}

/// Rolls the journaled rollout of `live` back under the group's lock (see the module docs).
/// The result's status is 3 when it rolled back, 4 when that failed; aborting a restart only
/// clears its journal (there is nothing to go back to).
pub async fn abort(
    scope: Scope<'_>,
    live: &LiveGroup,
    settings: &Settings,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<RolloutResult> {
    let keys = [live.key.clone()];
    let session = Session::open(scope, &keys, Owners::Refuse).await?;
    session
        .run(async |s| {
            // Decide under the lock: the journal and Marathon as they are now.
            let journal = journaled(s.scope(), live).await?;
            let fresh = s
                .snapshot()
                .group(&live.key)
                .ok_or_else(|| anyhow::anyhow!("`{}` is gone from Marathon", live.group_id))?;
            abort_locked(s.scope(), fresh, journal, settings, reporter, s.cancel(cancel)).await
        })
        .await
}

async fn abort_locked(
    scope: Scope<'_>,
    live: &LiveGroup,
    journal: Journal,
    settings: &Settings,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<RolloutResult> {
    let started = Instant::now();
    let from = journal.from.clone();
    let result = RolloutResult {
        service: live.key.service().to_owned(),
        group: live.key.group().to_owned(),
        outcome: RolloutOutcome::RolledBack,
        from: Some(journal.to.revision.clone()),
        to: from.as_ref().map(|f| f.revision.clone()),
        instances: from.as_ref().map_or(0, |f| f.instances),
        batches: Vec::new(),
        reason: None,
        timings: Timings::default(),
        status: ExitStatus::RolledBack,
        wave: None,
        evidence: None,
    };
    let kind = journal.kind;
    let mut run = Run::new(scope, live, settings, reporter, journal, result, started);
    let from = match (kind, from) {
        (RolloutKind::Update, Some(from)) => from,
        _ => {
            // A restart has no other revision to go back to: stop journaling it.
            run.result.to = run.result.from.clone();
            return run.end(End::RestartStopped).await;
        }
    };
    if !live.apps.iter().any(|a| a.id == from.app_id) {
        let reason = format!("the old revision app `{}` is gone: the rollout had passed its last batch", from.app_id);
        run.tracker.state(JournalState::Failed, Some(reason.clone())).await.context("journaling the abort")?;
        return Err(StatusError {
            status: ExitStatus::RollbackFailed,
            message: format!("cannot abort the rollout of `{}`: {reason}", live.group_id),
            hint: Some(format!(
                "`theseus rollout resume` finishes it; then `theseus rollback --to {}` goes back",
                from.revision
            )),
        }
        .into());
    }
    reporter.on(Event::RollingBack { group: run.name(), reason: "aborted".into() });
    run.tracker.state(JournalState::RollingBack, Some("aborted".into())).await.context("journaling the abort")?;
    let new_id = run.tracker.journal().to.app_id.clone();
    let cancel = std::pin::pin!(cancel);
    // A kill-and-scale the dead client left running on the old app ends before the scale-up.
    run.inflight.adopt(&from.app_id).await.context("reading Marathon's deployments")?;
    let end = match run.rollback(&from.app_id, from.instances, &new_id, cancel).await {
        Ok(()) => End::Aborted { to: from.revision },
        Err(err) => End::AbortFailed(err),
    };
    run.end(end).await
}

/// Journals the rollout of `live` as paused by `by` under the group's lock, when no process
/// runs it (`rollout pause` of a rollout whose client ended): `update`, `restart` and `scale`
/// of the group refuse until `rollout resume`. Returns the journal as written.
pub async fn pause(scope: Scope<'_>, live: &LiveGroup, by: &str) -> anyhow::Result<Journal> {
    let keys = [live.key.clone()];
    let session = Session::open(scope, &keys, Owners::Refuse).await?;
    session
        .run(async |s| {
            let mut journal = journaled(s.scope(), live).await?;
            if journal.state != JournalState::Paused {
                let since = super::journal::now();
                journal.hold =
                    Some(Hold { reason: super::canary::PAUSED.into(), by: by.to_owned(), since: since.clone() });
                journal.state = JournalState::Paused;
                journal.reason = Some(super::canary::PAUSED.into());
                journal.updated_at = since;
                s.scope().write()?.etcd.put_rollout(&live.key, &journal).await.context("journaling the pause")?;
            }
            Ok(journal)
        })
        .await
}
