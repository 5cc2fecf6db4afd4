//! The rollout state machine of one group (a rolling update, a restart, and the resume or
//! abort of a journaled one) and the one place it ends.
//!
//! A rollout is *journaled* ([`super::journal`]) once it starts, then steps *forward* batch by
//! batch (each batch: the new tasks up and through the health gate, registered, old ones
//! *retired*); a forward step that fails moves it to *rolling back* (journal state
//! `RollingBack`: the old revision restored first, then the new one drained and deleted), unless
//! `--no-rollback` or the rollout is a restart (nothing to go back to). Every way it can end is an
//! [`End`]; [`ending`] is the table that gives, for each, the journal's fate, the outcome, the
//! exit status and the reason, and [`Run::end`] applies it. A lease lost (the session's lock is
//! no longer ours) overrides whatever else happened: nothing more is written, not even the
//! journal, which stays in etcd for the next holder.

use std::time::Instant;

use anyhow::Context as _;

use super::control::Inbox;
use super::event::{Event, Reporter};
use super::inflight::InFlight;
use super::journal::Tracker;
use super::live::{LiveGroup, Snapshot};
use super::register;
use super::result::{RolloutOutcome, RolloutResult};
use super::scope::{Scope, Settings};
use super::wait::WaitError;
use crate::error::ExitStatus;
use crate::etcd::{self, JournalState};
use crate::spec::labels::Selector;

/// How a rollout of one group ended.
#[derive(Debug)]
pub(super) enum End {
    /// Every forward step passed (the group runs the new revision, or every task was replaced),
    /// or an abort of a restart stopped it where it was.
    Done,
    /// An update interrupted by Ctrl-C: the group is left between revisions.
    Interrupted,
    /// An update that failed with `--no-rollback`: left as it was.
    LeftAsIs(WaitError),
    /// An update that failed and was rolled back to `to`.
    RolledBack {
        /// Why it failed.
        err: WaitError,
        /// The revision restored.
        to: String,
    },
    /// An update that failed and whose rollback failed too (`again`).
    RollbackFailed {
        /// Why it failed.
        err: WaitError,
        /// Why the rollback failed.
        again: anyhow::Error,
    },
    /// A restart that failed: the tasks not replaced yet stay (nothing to roll back to).
    NotReplaced(WaitError),
    /// `rollout abort` of an update: rolled back to `to`.
    Aborted {
        /// The revision restored.
        to: String,
    },
    /// `rollout abort` of an update whose rollback failed.
    AbortFailed(anyhow::Error),
    /// `rollout abort` of a restart: stopped where it was.
    RestartStopped,
    /// A lock's lease was lost: the [`etcd::Error::LockLost`] naming the group and why.
    LeaseLost(etcd::Error),
    /// An update held (canary awaiting promotion, inconclusive gate) with `--detach`: the
    /// command ends, the rollout stays journaled as paused, the lock is released.
    Held {
        /// Why it holds.
        reason: String,
    },
    /// An update aborted by `theseus rollout abort` from another process, and rolled back.
    AbortedBy {
        /// Who asked.
        by: String,
        /// The revision restored.
        to: String,
    },
    /// A restart aborted by `theseus rollout abort` from another process: it stops where it
    /// was (tasks already replaced stay; there is no other revision to go back to).
    RestartAbortedBy {
        /// Who asked.
        by: String,
    },
    /// An update aborted by another process whose rollback failed.
    AbortedByFailed {
        /// Who asked.
        by: String,
        /// Why the rollback failed.
        again: anyhow::Error,
    },
}

/// What becomes of the rollout journal when a rollout ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Journaled {
    /// Deleted: the group is on one revision again.
    Clear,
    /// Marked `Failed` with this reason: `rollout resume|abort` finishes it.
    Failed(String),
    /// Left as it is, for the next holder of the lock (written by nobody without the lock).
    Kept,
    /// Left paused as the run wrote it, for `rollout promote|resume|abort`.
    Paused,
}

/// One row of the end table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Ending {
    /// The journal's fate.
    pub journal: Journaled,
    /// What the result says happened.
    pub outcome: RolloutOutcome,
    /// The exit status the group asks for.
    pub status: ExitStatus,
    /// Why, when it did not simply succeed.
    pub reason: Option<String>,
}

/// The end table: how a rollout whose success is `done` (rolled, restarted, aborted) ended,
/// to the journal's fate, the outcome, the exit status and the reason.
pub(super) fn ending(end: &End, done: RolloutOutcome) -> Ending {
    use RolloutOutcome as O;
    // Ends that leave the rollout half-way: the journal says `Failed` and why.
    let failed = |status, reason: String| Ending {
        journal: Journaled::Failed(reason.clone()),
        outcome: O::Failed,
        status,
        reason: Some(reason),
    };
    let cleared =
        |outcome, status, reason: String| Ending { journal: Journaled::Clear, outcome, status, reason: Some(reason) };
    match end {
        End::Done => Ending { journal: Journaled::Clear, outcome: done, status: ExitStatus::Success, reason: None },
        End::Interrupted => Ending {
            journal: Journaled::Failed("interrupted".into()),
            outcome: O::Failed,
            status: ExitStatus::Interrupted,
            reason: Some("interrupted; the group is left between revisions".into()),
        },
        End::LeftAsIs(err) => failed(ExitStatus::RollbackFailed, format!("{err}; left as it is (--no-rollback)")),
        End::RolledBack { err, to } => {
            let status = match err {
                WaitError::TimedOut { .. } => ExitStatus::Deadline,
                _ => ExitStatus::RolledBack,
            };
            cleared(O::RolledBack, status, format!("{err}; rolled back to {to}"))
        }
        End::RollbackFailed { err, again } => {
            failed(ExitStatus::RollbackFailed, format!("{err}; the rollback failed too: {again:#}"))
        }
        End::NotReplaced(err) => {
            let status = match err {
                WaitError::Interrupted => ExitStatus::Interrupted,
                WaitError::TimedOut { .. } => ExitStatus::Deadline,
                _ => ExitStatus::RollbackFailed,
            };
            failed(status, format!("{err}; some tasks were not replaced"))
        }
        // `rollout abort` did what it was asked: the old revision is back at full capacity.
        End::Aborted { to } => cleared(O::RolledBack, ExitStatus::Success, format!("aborted; rolled back to {to}")),
        End::AbortedBy { by, to } => {
            cleared(O::RolledBack, ExitStatus::RolledBack, format!("aborted by {by}; rolled back to {to}"))
        }
        End::AbortedByFailed { by, again } => {
            failed(ExitStatus::RollbackFailed, format!("aborted by {by}, but the rollback failed: {again:#}"))
        }
        End::RestartAbortedBy { by } => cleared(
            O::Aborted,
            ExitStatus::RolledBack,
            format!("aborted by {by}; the restart stops here, tasks already replaced stay"),
        ),
        End::Held { reason } => Ending {
            journal: Journaled::Paused,
            outcome: O::Paused,
            status: ExitStatus::AwaitingPromotion,
            reason: Some(format!("{reason}; the rollout is paused with its lock released")),
        },
        End::AbortFailed(err) => {
            failed(ExitStatus::RollbackFailed, format!("aborted, but the rollback failed: {err:#}"))
        }
        End::RestartStopped => {
            cleared(O::Aborted, ExitStatus::Success, "the restart stops here; tasks already replaced stay".into())
        }
        End::LeaseLost(lost) => Ending {
            journal: Journaled::Kept,
            outcome: O::Failed,
            status: ExitStatus::Locked,
            reason: Some(format!(
                "{lost}; stopped without another change: the rollout journal stays in etcd for the next holder \
                 (`theseus rollout resume` or `abort`)"
            )),
        },
    }
}

/// A rollout of one group under its session's lock: where it works, how it rolls, its journal,
/// the Marathon deployments it has in flight and its result so far. Its steps are methods: the
/// forward steps of an update (`forward`, and `retire` of old tasks, in `rolling.rs`) or
/// of a restart (`replace`, in `restart.rs`), and `rollback` (in `finish.rs`); it
/// ends only through [`Run::end`].
pub(super) struct Run<'a> {
    /// Where it works (inside the session: writes check the lease).
    pub(super) scope: Scope<'a>,
    /// The group, as read under the lock.
    pub(super) live: &'a LiveGroup,
    /// How it rolls.
    pub(super) settings: &'a Settings,
    /// Where its progress goes.
    pub(super) reporter: &'a dyn Reporter,
    /// The journal, kept current.
    pub(super) tracker: Tracker<'a>,
    /// The deployments its writes started, waited for before the next write to the same app.
    pub(super) inflight: InFlight<'a>,
    /// The result so far.
    pub(super) result: RolloutResult,
    /// When it started.
    pub(super) started: Instant,
    /// Its control requests (`rollout pause|resume|promote|abort` from any shell), for an
    /// update that takes them.
    pub(super) inbox: Option<&'a Inbox<'a>>,
    /// `promote --full` came: the remaining gates and pauses are skipped.
    pub(super) full: bool,
    /// Who promoted the canary ahead of its gates (a `rollout promote` that came early).
    pub(super) promoted_by: Option<String>,
}

impl std::fmt::Debug for Run<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run").field("group", &self.live.group_id).field("journal", self.tracker.journal()).finish()
    }
}

impl<'a> Run<'a> {
    /// A rollout of `live` journaled as `journal` (not written yet), with `result` so far,
    /// `started` then.
    pub(super) fn new(
        scope: Scope<'a>,
        live: &'a LiveGroup,
        settings: &'a Settings,
        reporter: &'a dyn Reporter,
        journal: crate::etcd::Journal,
        result: RolloutResult,
        started: Instant,
    ) -> Self {
        let tracker = Tracker::new(scope, live.key.clone(), journal);
        let inflight = InFlight::for_rollout(&scope, settings);
        let full = settings.full;
        Run {
            scope,
            live,
            settings,
            reporter,
            tracker,
            inflight,
            result,
            started,
            inbox: None,
            full,
            promoted_by: None,
        }
    }

    /// The group as progress events name it (`service/group`).
    pub(super) fn name(&self) -> String {
        format!("{}/{}", self.live.key.service(), self.live.key.group())
    }

    /// The lost lease, if one is lost (settled by [`Scope::confirm`]: a failure may come from
    /// etcd being out of reach): then nothing more may be written.
    pub(super) async fn lost(&self) -> Option<etcd::Error> {
        self.scope.confirm().await.err()
    }

    /// The health gate of `want` tasks of the revision app `app_id`, with the rollout's
    /// settings and timings: the gate of every batch and of the canary.
    pub(super) async fn pass_gate(
        &self,
        app_id: &str,
        want: u32,
        cancel: super::gate::Cancel<'_>,
    ) -> Result<super::gate::Passed, WaitError> {
        let (scope, r) = (self.scope, &self.settings.rollout);
        let none = std::collections::BTreeSet::new();
        let g = super::gate::Gate {
            key: &self.live.key,
            namespace: scope.namespace,
            app_id,
            want,
            exclude: &none,
            relaunches: 0,
            min_healthy: r.min_healthy,
            deadline: r.deadline,
            poll: scope.timing.poll,
            fail_after: Some(scope.timing.fail_after),
            wakeup: scope.wakeup(),
        };
        super::gate::pass(scope.marathon, &g, self.reporter, cancel).await
    }

    /// Writes the journal of a rollout that starts (before its first change) and reports it.
    pub(super) async fn journal_start(&mut self) -> Result<(), etcd::Error> {
        self.tracker.write().await?;
        let j = self.tracker.journal();
        self.reporter.on(Event::RolloutStarted {
            group: self.name(),
            kind: j.kind.to_string(),
            from: j.from.as_ref().map(|f| f.revision.clone()),
            to: j.to.revision.clone(),
            instances: j.to.instances,
            batches: j.plan.iter().skip(j.batches_done as usize).copied().collect(),
            canary: j.canary.as_ref().map(|c| c.instances),
        });
        Ok(())
    }

    /// Takes the evidence of the revision app `app_id` whose wait failed (before a rollback
    /// deletes it); a failed read leaves the result without.
    pub(super) async fn witness(&mut self, app_id: &str) {
        let services = [self.live.key.service().to_owned()];
        if let Ok(snap) =
            Snapshot::read(self.scope.marathon, self.scope.namespace, &services, &Selector::default()).await
        {
            let mut evidence = super::evidence::Evidence::of(&snap, &self.live.key, app_id);
            if let Some(e) = evidence.as_mut() {
                e.read_logs(&self.scope).await;
            }
            self.result.evidence = evidence;
        }
    }

    /// Marks the journal `RollingBack` (a failed forward step goes back to the old revision).
    pub(super) async fn rolling_back(&mut self, why: String) {
        let written = self.tracker.state(JournalState::RollingBack, Some(why)).await;
        noted(&mut self.result, written);
    }

    /// Ends the rollout as `end` says (a lost lease overrides it) through the [`ending`] table:
    /// the journal cleared, marked failed or kept; the result's outcome, status and reason; then,
    /// unless the lease is lost, etcd made to match Marathon's healthy tasks.
    pub(super) async fn end(mut self, end: End) -> anyhow::Result<RolloutResult> {
        let lost = match end {
            End::Done => self.scope.held().err(),
            _ => self.lost().await,
        };
        let end = match lost {
            Some(lost) => End::LeaseLost(lost),
            None => end,
        };
        let row = ending(&end, self.result.outcome);
        if let End::RolledBack { to, .. } | End::Aborted { to, .. } | End::AbortedBy { to, .. } = &end {
            self.reporter.on(Event::RolledBack { group: self.name(), to: to.clone() });
        }
        self.result.outcome = row.outcome;
        self.result.status = row.status;
        self.result.reason = row.reason;
        let kept = row.journal == Journaled::Kept;
        match row.journal {
            Journaled::Clear => {
                // The group is on one revision: no journal, no request pending, no canary on trial.
                let cleared = match self.scope.write() {
                    Ok(w) => w.etcd.clear_rollout(&self.live.key).await,
                    Err(e) => Err(e),
                };
                noted(&mut self.result, cleared)
            }
            Journaled::Paused => {}
            Journaled::Failed(why) => {
                noted(&mut self.result, self.tracker.state(JournalState::Failed, Some(why)).await)
            }
            Journaled::Kept => {}
        }
        if !kept {
            // Whatever happened, etcd ends matching Marathon's tasks.
            sync(self.scope, self.live).await?;
        }
        self.result.timings.total = self.started.elapsed().as_secs_f64();
        Ok(self.result)
    }
}

/// A journal write that failed after the rollout's outcome was decided: the outcome stands,
/// the reason says the journal may be stale.
fn noted<T>(result: &mut RolloutResult, written: Result<T, crate::etcd::Error>) {
    if let Err(err) = written {
        let note = format!("the rollout journal could not be updated: {err}");
        result.reason = Some(match result.reason.take() {
            Some(r) => format!("{r}; {note}"),
            None => note,
        });
    }
}

/// Registers exactly the running, healthy tasks of the group.
pub(super) async fn sync(scope: Scope<'_>, live: &LiveGroup) -> anyhow::Result<()> {
    let services = [live.key.service().to_owned()];
    let snap = Snapshot::read(scope.marathon, scope.namespace, &services, &Selector::default())
        .await
        .context("reading the group to sync its registration")?;
    register::sync(scope.write()?.etcd, &snap, std::slice::from_ref(&live.key))
        .await
        .with_context(|| format!("syncing the containers of `{}` in etcd", live.group_id))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn failing() -> WaitError {
        WaitError::Failing { group: "`web/dev`".into(), reason: "exit 1".into() }
    }

    fn timed_out() -> WaitError {
        WaitError::TimedOut { groups: "`web/dev`".into(), timeout: Duration::from_secs(5) }
    }

    /// A row of the table as a tuple: (journal, outcome, status, reason).
    type Row = (Journaled, RolloutOutcome, ExitStatus, Option<String>);

    /// The row of `end` for a rollout that would be `done`.
    fn row(end: End, done: RolloutOutcome) -> Row {
        let e = ending(&end, done);
        (e.journal, e.outcome, e.status, e.reason)
    }

    /// Every row of the table: the journal's fate, the outcome, the exit status and the reason.
    #[test]
    fn every_end_has_its_journal_outcome_status_and_reason() {
        use ExitStatus as S;
        use Journaled::Clear;
        use RolloutOutcome as O;
        // A half-way end: the journal says `Failed` with the reason the result gives.
        let failed = |status, reason: String| (Journaled::Failed(reason.clone()), O::Failed, status, Some(reason));
        let (failing_text, timed_out_text) = (failing().to_string(), timed_out().to_string());
        let cases: Vec<(End, RolloutOutcome, Row)> = vec![
            (End::Done, O::Rolled, (Clear, O::Rolled, S::Success, None)),
            (End::Done, O::Restarted, (Clear, O::Restarted, S::Success, None)),
            (
                End::Interrupted,
                O::Rolled,
                (
                    Journaled::Failed("interrupted".into()),
                    O::Failed,
                    S::Interrupted,
                    Some("interrupted; the group is left between revisions".into()),
                ),
            ),
            (
                End::LeftAsIs(failing()),
                O::Rolled,
                failed(S::RollbackFailed, format!("{failing_text}; left as it is (--no-rollback)")),
            ),
            (
                End::RolledBack { err: failing(), to: "r1".into() },
                O::Rolled,
                (Clear, O::RolledBack, S::RolledBack, Some(format!("{failing_text}; rolled back to r1"))),
            ),
            (
                End::RolledBack { err: timed_out(), to: "r1".into() },
                O::Rolled,
                (Clear, O::RolledBack, S::Deadline, Some(format!("{timed_out_text}; rolled back to r1"))),
            ),
            (
                End::RollbackFailed { err: failing(), again: anyhow::anyhow!("409").context("scaling back") },
                O::Rolled,
                failed(S::RollbackFailed, format!("{failing_text}; the rollback failed too: scaling back: 409")),
            ),
            (
                End::NotReplaced(failing()),
                O::Restarted,
                failed(S::RollbackFailed, format!("{failing_text}; some tasks were not replaced")),
            ),
            (
                End::NotReplaced(timed_out()),
                O::Restarted,
                failed(S::Deadline, format!("{timed_out_text}; some tasks were not replaced")),
            ),
            (
                End::NotReplaced(WaitError::Interrupted),
                O::Restarted,
                failed(S::Interrupted, format!("{}; some tasks were not replaced", WaitError::Interrupted)),
            ),
            (
                End::Aborted { to: "r1".into() },
                O::RolledBack,
                (Clear, O::RolledBack, S::Success, Some("aborted; rolled back to r1".into())),
            ),
            (
                End::AbortedBy { by: "alice@ci-7".into(), to: "r1".into() },
                O::Rolled,
                (Clear, O::RolledBack, S::RolledBack, Some("aborted by alice@ci-7; rolled back to r1".into())),
            ),
            (
                End::AbortedByFailed { by: "alice@ci-7".into(), again: anyhow::anyhow!("409") },
                O::Rolled,
                failed(S::RollbackFailed, "aborted by alice@ci-7, but the rollback failed: 409".into()),
            ),
            (
                End::RestartAbortedBy { by: "bob@h".into() },
                O::Restarted,
                (
                    Clear,
                    O::Aborted,
                    S::RolledBack,
                    Some("aborted by bob@h; the restart stops here, tasks already replaced stay".into()),
                ),
            ),
            (
                End::Held { reason: "awaiting promotion".into() },
                O::Rolled,
                (
                    Journaled::Paused,
                    O::Paused,
                    S::AwaitingPromotion,
                    Some("awaiting promotion; the rollout is paused with its lock released".into()),
                ),
            ),
            (
                End::AbortFailed(anyhow::anyhow!("gone")),
                O::RolledBack,
                failed(S::RollbackFailed, "aborted, but the rollback failed: gone".into()),
            ),
            (
                End::RestartStopped,
                O::RolledBack,
                (Clear, O::Aborted, S::Success, Some("the restart stops here; tasks already replaced stay".into())),
            ),
        ];
        for (end, done, want) in cases {
            let what = format!("{end:?}");
            assert_eq!(row(end, done), want, "{what}");
        }
    }

    /// A lost lease keeps the journal for the next holder and exits 6, naming the group and why.
    #[test]
    fn a_lost_lease_keeps_the_journal_and_exits_6() {
        let lost = etcd::Error::LockLost {
            service: "web".into(),
            group: "dev".into(),
            reason: "its lease expired: not renewed for its TTL (2s)".into(),
        };
        let (journal, outcome, status, reason) = row(End::LeaseLost(lost), RolloutOutcome::Rolled);
        assert_eq!((journal, outcome, status), (Journaled::Kept, RolloutOutcome::Failed, ExitStatus::Locked));
        let reason = reason.unwrap();
        assert!(reason.starts_with("lost the lock on group `web/dev`: its lease expired: not renewed"), "{reason}");
        assert!(reason.contains("the rollout journal stays in etcd for the next holder"), "{reason}");
    }
}
