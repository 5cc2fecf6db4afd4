//! The evidence of a failed wait: what Marathon says about the revision app that failed, taken
//! from one snapshot at the moment of the failure (before a rollback deletes the app and, with
//! it, Marathon's record): the app's `lastTaskFailure` (`state/TaskFailure.scala`: state,
//! message, host, time), each failing health check's `lastFailureCause` per task
//! (`health/HealthCheckActor.scala` keeps a `Health` per instance, and `AppInfoBaseData`
//! embeds it as `healthCheckResults`), and the reasons its queue entry declines offers
//! (`core/launchqueue/impl/OfferMatchStatistics.scala`). It travels in the result row
//! (`evidence` in `-o json`/`jsonl`) and in the error on stderr.

use serde::Serialize;

use super::live::Snapshot;
use super::scope::Scope;
use super::stuck::unplaced_reason;
use crate::marathon::types::App;
use crate::names::GroupKey;
use crate::spec::labels::Selector;

/// The app's last failed task, as Marathon recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskFailureEvidence {
    /// The task.
    pub task: String,
    /// Its Mesos state (`TASK_FAILED`, ...).
    pub state: String,
    /// Mesos's message (`Command exited with status 1`).
    pub message: String,
    /// The agent host.
    pub host: String,
    /// When (ISO-8601).
    pub time: String,
}

/// A failing health check of one task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthEvidence {
    /// The task.
    pub task: String,
    /// Its host.
    pub host: String,
    /// Why the last check failed (`HTTP 404`, ...), as Marathon says.
    pub cause: String,
    /// Failures in a row.
    pub consecutive_failures: u32,
}

/// What Marathon says about a revision app whose wait failed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The app.
    pub app: String,
    /// Its last failed task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_task_failure: Option<TaskFailureEvidence>,
    /// Its tasks' failing health checks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub health: Vec<HealthEvidence>,
    /// Why its waiting instances are not placed (declined offers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declined: Option<String>,
}

impl Evidence {
    /// The evidence of `app_id` of group `key` in `snap`; `None` when Marathon has nothing to say
    /// (or the app is gone).
    pub fn of(snap: &Snapshot, key: &GroupKey, app_id: &str) -> Option<Evidence> {
        let app = snap.group(key)?.apps.iter().find(|a| a.id == app_id)?;
        let declined =
            snap.queue.iter().find(|q| q.app.as_ref().is_some_and(|a| a.id == app_id)).and_then(unplaced_reason);
        let e = Evidence { app: app_id.to_owned(), last_task_failure: failure(app), health: health(app), declined };
        (e.last_task_failure.is_some() || !e.health.is_empty() || e.declined.is_some()).then_some(e)
    }

    /// The evidence as lines for a terminal, indented under the error.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(f) = &self.last_task_failure {
            out.push(format!("last task failure: {} on {} at {}: {} ({})", f.state, f.host, f.time, f.message, f.task));
        }
        for h in &self.health {
            out.push(format!(
                "health check failing on {} ({}, {} in a row): {}",
                h.host, h.task, h.consecutive_failures, h.cause
            ));
        }
        if let Some(d) = &self.declined {
            out.push(format!("offers declined: {d}"));
        }
        out
    }
}

fn failure(app: &App) -> Option<TaskFailureEvidence> {
    let f = app.last_task_failure.as_ref()?;
    Some(TaskFailureEvidence {
        task: f.task_id.clone(),
        state: f.state.to_string(),
        message: f.message.clone(),
        host: f.host.clone(),
        time: f.timestamp.clone(),
    })
}

/// Every task's failing checks (a check whose last result is a failure with a cause).
fn health(app: &App) -> Vec<HealthEvidence> {
    let mut out = Vec::new();
    for t in app.tasks.iter().flatten() {
        for r in t.health_check_results.iter().flatten() {
            if let (false, Some(cause)) = (r.alive, &r.last_failure_cause) {
                out.push(HealthEvidence {
                    task: t.id.clone(),
                    host: t.host.clone(),
                    cause: cause.clone(),
                    consecutive_failures: r.consecutive_failures,
                });
            }
        }
    }
    out
}

/// The evidence of each revision app `(group, app id)` whose wait failed, read in one snapshot
/// before an undo removes them, as terminal lines under their group (`web/dev: last task
/// failure: ...`); none when Marathon cannot be read or says nothing.
pub(super) async fn witness_lines(scope: Scope<'_>, apps: &[(&GroupKey, &str)]) -> Vec<String> {
    let mut services: Vec<String> = apps.iter().map(|(k, _)| k.service().to_owned()).collect();
    services.sort();
    services.dedup();
    let Ok(snap) = Snapshot::read(scope.marathon, scope.namespace, &services, &Selector::default()).await else {
        return Vec::new();
    };
    apps.iter()
        .filter_map(|(key, app)| Some((key, Evidence::of(&snap, key, app)?)))
        .flat_map(|(key, e)| {
            let group = format!("{}/{}", key.service(), key.group());
            e.lines().into_iter().map(move |line| format!("{group}: {line}"))
        })
        .collect()
}
