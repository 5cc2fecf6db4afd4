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
use crate::marathon::types::{App, TaskState};
use crate::mesos::locate::{locate, Located, Wanted};
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
    /// The last lines of the failed or unhealthy tasks' `stderr` and `stdout`, read from their
    /// Mesos sandboxes; a tail several tasks share is shown once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<LogTail>,
    /// Why some logs could not be read (`logs unavailable on HOST: ...`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The tasks whose logs tell what happened, failed one first (agent id, host), at most
    /// [`LOGGED_TASKS`].
    #[serde(skip)]
    suspects: Vec<Suspect>,
    /// The values of the app's secret env variables, masked in everything shown.
    #[serde(skip)]
    secrets: Vec<String>,
}

/// The last lines of one stream of one or more tasks (identical tails are shown once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogTail {
    /// The tasks whose stream ends with these lines.
    pub tasks: Vec<String>,
    /// `stderr` or `stdout`.
    pub stream: String,
    /// The lines, oldest first.
    pub lines: Vec<String>,
}

/// A task whose sandbox is worth reading.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Suspect {
    task: String,
    agent_id: String,
    host: String,
}

/// At most this many tasks' logs are read for one failure.
pub const LOGGED_TASKS: usize = 3;

impl Evidence {
    /// The evidence of `app_id` of group `key` in `snap`; `None` when Marathon has nothing to say
    /// (or the app is gone).
    pub fn of(snap: &Snapshot, key: &GroupKey, app_id: &str) -> Option<Evidence> {
        let app = snap.group(key)?.apps.iter().find(|a| a.id == app_id)?;
        let declined =
            snap.queue.iter().find(|q| q.app.as_ref().is_some_and(|a| a.id == app_id)).and_then(unplaced_reason);
        let e = Evidence {
            app: app_id.to_owned(),
            last_task_failure: failure(app),
            health: health(app),
            declined,
            suspects: suspects(app),
            secrets: crate::spec::secret_values(app),
            ..Evidence::default()
        };
        let mut e = e;
        if let Some(f) = e.last_task_failure.as_mut() {
            f.message = crate::spec::mask(&f.message, &e.secrets);
        }
        (e.last_task_failure.is_some() || !e.health.is_empty() || e.declined.is_some()).then_some(e)
    }

    /// Adds the last `--log-lines` lines of `stderr` and `stdout` of the suspect tasks, read
    /// from their sandboxes where `scope` reads logs. Best effort: what cannot be read becomes
    /// a note.
    pub(super) async fn read_logs(&mut self, scope: &Scope<'_>) {
        let Some((logs, lines)) = scope.logs() else { return };
        if self.suspects.is_empty() || lines == 0 {
            return;
        }
        let client = match logs.mesos().await {
            Ok(client) => client,
            Err(e) => {
                self.notes.push(format!("logs unavailable: {e:#}"));
                return;
            }
        };
        let wanted: Vec<Wanted> = self
            .suspects
            .iter()
            .map(|s| Wanted { task: s.task.clone(), agent_id: s.agent_id.clone(), host: s.host.clone() })
            .collect();
        let located = match locate(client, &wanted).await {
            Ok(located) => located,
            Err(e) => {
                self.notes.push(format!("logs unavailable: {e}"));
                return;
            }
        };
        for (want, place) in wanted.iter().zip(located) {
            let (agent, sandbox) = match place {
                Located::Found { agent, sandbox } => (agent, sandbox),
                Located::Unavailable { host, reason } => {
                    let note = format!("logs unavailable on {host}: {reason}");
                    if !self.notes.contains(&note) {
                        self.notes.push(note);
                    }
                    continue;
                }
            };
            for stream in ["stderr", "stdout"] {
                let path = format!("{}/{stream}", sandbox.directory);
                match client.tail(&agent, &path, lines).await {
                    Ok((bytes, _)) => self.add_tail(&want.task, stream, crate::mesos::lines::all(&bytes)),
                    Err(e) => {
                        let note = format!("logs unavailable on {}: {e}", want.host);
                        if !self.notes.contains(&note) {
                            self.notes.push(note);
                        }
                    }
                }
            }
        }
    }

    /// Adds `task`'s tail of `stream`, to an identical one if another task has it.
    fn add_tail(&mut self, task: &str, stream: &str, lines: Vec<String>) {
        if lines.is_empty() {
            return;
        }
        // A secret the program printed never leaves the sandbox.
        let lines: Vec<String> = lines.iter().map(|l| crate::spec::mask(l, &self.secrets)).collect();
        match self.logs.iter_mut().find(|t| t.stream == stream && t.lines == lines) {
            Some(same) => same.tasks.push(task.to_owned()),
            None => self.logs.push(LogTail { tasks: vec![task.to_owned()], stream: stream.to_owned(), lines }),
        }
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
        for tail in &self.logs {
            let same = match tail.tasks.len() {
                1 => String::new(),
                n => format!(" (same on {n} tasks)"),
            };
            out.push(format!("{} of {}{same}:", tail.stream, tail.tasks[0]));
            out.extend(tail.lines.iter().map(|l| format!("  | {l}")));
        }
        out.extend(self.notes.iter().cloned());
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

/// The tasks whose logs tell what happened: the last failed one first (its sandbox is kept
/// by the agent until its GC), then tasks failing a health check, then tasks not running, at
/// most [`LOGGED_TASKS`].
fn suspects(app: &App) -> Vec<Suspect> {
    let mut out: Vec<Suspect> = Vec::new();
    if let Some(f) = &app.last_task_failure {
        out.push(Suspect {
            task: f.task_id.clone(),
            agent_id: f.slave_id.clone().unwrap_or_default(),
            host: f.host.clone(),
        });
    }
    let tasks = app.tasks.iter().flatten();
    let failing = tasks
        .clone()
        .filter(|t| t.health_check_results.iter().flatten().any(|r| !r.alive && r.last_failure_cause.is_some()));
    let not_running = tasks.filter(|t| t.state != TaskState::Running);
    for t in failing.chain(not_running) {
        if out.len() >= LOGGED_TASKS {
            break;
        }
        if !out.iter().any(|s| s.task == t.id) {
            out.push(Suspect { task: t.id.clone(), agent_id: t.slave_id.clone(), host: t.host.clone() });
        }
    }
    out.truncate(LOGGED_TASKS);
    out
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
/// before an undo removes them, in the same order (`None` where Marathon says nothing, or
/// cannot be read).
pub(super) async fn witness(scope: Scope<'_>, apps: &[(&GroupKey, &str)]) -> Vec<Option<Evidence>> {
    let mut services: Vec<String> = apps.iter().map(|(k, _)| k.service().to_owned()).collect();
    services.sort();
    services.dedup();
    let Ok(snap) = Snapshot::read(scope.marathon, scope.namespace, &services, &Selector::default()).await else {
        return apps.iter().map(|_| None).collect();
    };
    let mut out = Vec::with_capacity(apps.len());
    for (key, app) in apps {
        let mut e = Evidence::of(&snap, key, app);
        if let Some(e) = e.as_mut() {
            e.read_logs(&scope).await;
        }
        out.push(e);
    }
    out
}

/// `evidence`'s lines for a terminal under the group `key` names (`web/dev: last task ...`).
pub(super) fn group_lines(key: &GroupKey, evidence: Option<&Evidence>) -> Vec<String> {
    let group = format!("{}/{}", key.service(), key.group());
    evidence.map(Evidence::lines).unwrap_or_default().into_iter().map(|line| format!("{group}: {line}")).collect()
}
