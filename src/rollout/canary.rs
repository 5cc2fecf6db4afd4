//! The canary step of a rolling update, and the holds of a running rollout.
//!
//! With a canary (`--canary N|N%`, `rollout.canary`), before any old task is retired the new
//! revision app is scaled up to N instances beside the full old revision (a surge: the old one
//! keeps its capacity), through the health gate. The group's canary mark is written first
//! ([`crate::etcd::Keys::canary`]), so the canary's containers register with `"canary": true`
//! (the flag is decided by [`super::register::diff`], for rollouts and `sync` alike). Then the
//! gates: the canary must stay running and healthy, with no task failure, for `canary_for`,
//! and the gate command (if any, [`super::gate_command`]) must exit 0; exit 1 fails the rollout
//! (it rolls back), exit 2 holds it for a person.
//!
//! Then promotion: automatic after passed gates (`promote = auto`), or a hold: the journal says
//! `paused` with why, by whom and since when, and the process waits for `theseus rollout
//! promote` (or `abort`) from any shell, or, with `--detach`, ends at once (exit 11) leaving the
//! journal as the only record: `rollout promote` then continues it under the lock. Promotion
//! removes the canary mark (the canary's containers register as plain ones again) and the
//! remaining batches follow, the canary's instances counting as the new revision's first.
//!
//! Between batches (a safe point) a `rollout pause` request holds the rollout the same way
//! until `rollout resume`; `promote --full` skips the remaining gates and pauses.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::end::Run;
use super::event::Event;
use super::gate::Cancel;
use super::gate_command::{self, GateInput, Verdict};
use super::journal::now;
use super::live::Snapshot;
use super::plan::Desired;
use super::register::container_info_in;
use super::stuck::task_healthy;
use super::wait::WaitError;
use crate::etcd::{CanaryMark, ControlAction, ControlRequest, GateRecord, Hold, JournalState, Stamp};
use crate::marathon::types::{App, TaskState};
use crate::spec::labels::Selector;
use crate::spec::Promote;

/// How the canary step ended, when it did not fail.
#[derive(Debug)]
pub(super) enum CanaryEnd {
    /// Promoted: the remaining batches follow.
    Promoted,
    /// Held and detached (`--detach`): the command ends, the rollout stays paused.
    Detached {
        /// Why it holds.
        reason: String,
    },
}

/// The verdict of a gate that passed, as the journal and the events name it.
const PASSED: &str = "passed";

/// The failure of a canary gate or step.
fn canary_failed(name: &str, reason: String) -> WaitError {
    WaitError::Failing { group: format!("`{name}` canary"), reason }
}

/// A journal or etcd write that failed during the canary step.
fn write_failed(what: &str, err: impl std::fmt::Display) -> WaitError {
    WaitError::Failing { group: what.to_owned(), reason: err.to_string() }
}

impl Run<'_> {
    /// The canary step of an update from `old` to `desired` with `count` canary instances
    /// (see the module docs). Resumed where the journal says it stands: a canary already up is
    /// not scaled again, gates passed are not run again.
    pub(super) async fn canary(
        &mut self,
        old: &App,
        desired: &Desired,
        count: u32,
        mut cancel: Cancel<'_>,
    ) -> Result<CanaryEnd, WaitError> {
        let (scope, live, settings, reporter) = (self.scope, self.live, self.settings, self.reporter);
        let name = self.name();
        let r = &settings.rollout;
        let app_id = desired.app.id.as_str();
        // Up: the new app to `count` instances beside the full old one, through the health gate.
        self.inflight.settle(app_id, cancel.as_mut()).await?;
        let mark = CanaryMark { app_id: app_id.to_owned(), revision: desired.revision() };
        let writer = scope.write().map_err(|e| write_failed("marking the canary", e))?;
        writer.etcd.put_canary_mark(&live.key, &mark).await.map_err(|e| write_failed("marking the canary", e))?;
        let change = writer
            .marathon
            .scale_app(app_id, count, true)
            .await
            .map_err(|e| write_failed(&format!("scaling `{app_id}` to {count} (canary)"), e))?;
        self.inflight.started(app_id, &change);
        let passed = self.pass_gate(app_id, count, cancel.as_mut()).await?;
        let infos: Vec<_> = passed.tasks.iter().map(|t| container_info_in(&passed.app, t, Some(&mark))).collect();
        scope
            .write()
            .map_err(|e| write_failed("registering the canary", e))?
            .etcd
            .register_containers(&live.key, &infos)
            .await
            .map_err(|e| write_failed("registering the canary", e))?;
        if let Some(c) = self.tracker.canary_mut() {
            c.healthy_at.get_or_insert_with(now);
        }
        self.tracker.write().await.map_err(|e| write_failed("journaling the canary", e))?;
        reporter.on(Event::Canary { group: name.clone(), instances: count, old: old.instances.unwrap_or(0) });

        // The gates, unless they passed in an earlier run or a promotion skips them.
        let mut inconclusive = None;
        let passed_before = self.tracker.journal().canary.as_ref().is_some_and(|c| c.passed_at.is_some());
        if !passed_before && !self.full {
            let ids: BTreeSet<String> = passed.tasks.iter().map(|t| t.id.clone()).collect();
            if !r.canary_for.is_zero() {
                let seen = self.watch_canary(app_id, &ids, r.canary_for, cancel.as_mut()).await?;
                self.gate_verdict("canary-for", PASSED, seen).await?;
            }
            if let (Some(cmd), false) = (&r.gate, self.full) {
                let j = self.tracker.journal();
                let input = GateInput {
                    service: j.service.clone(),
                    group: j.group.clone(),
                    namespace: scope.namespace.to_owned(),
                    from_revision: j.from.as_ref().map(|f| f.revision.clone()),
                    to_revision: j.to.revision.clone(),
                    canary_instances: count,
                    instances: j.to.instances,
                    endpoints: infos,
                };
                let verdict = gate_command::judge(cmd, &input, r.gate_timeout, cancel.as_mut()).await?;
                self.gate_verdict("command", verdict.word(), verdict.detail().to_owned()).await?;
                match verdict {
                    Verdict::Passed { .. } => {}
                    Verdict::Failed { detail } => {
                        return Err(canary_failed(&name, format!("the gate command failed: {detail}")));
                    }
                    Verdict::Inconclusive { detail } => inconclusive = Some(detail),
                }
            }
            if inconclusive.is_none() {
                if let Some(c) = self.tracker.canary_mut() {
                    c.passed_at = Some(now());
                }
                self.tracker.write().await.map_err(|e| write_failed("journaling the canary", e))?;
            }
        }

        // Promotion: by itself, by a `rollout promote` that already came (or that this run is),
        // or after a hold.
        let asked = self.settings.promoted_by.clone().or_else(|| self.promoted_by.clone());
        let by = match (asked, inconclusive, r.promote) {
            (Some(by), _, _) => by,
            (None, None, Promote::Auto) => "auto".to_owned(),
            (None, inconclusive, _) => {
                let reason = match inconclusive {
                    Some(detail) => format!("gate inconclusive: {detail}"),
                    None => "awaiting promotion".to_owned(),
                };
                if settings.detach {
                    self.paused(&reason, scope.owner.to_owned()).await?;
                    return Ok(CanaryEnd::Detached { reason });
                }
                let request = self.hold(&reason, scope.owner.to_owned(), cancel.as_mut()).await?;
                request.by
            }
        };
        self.promote(by).await?;
        Ok(CanaryEnd::Promoted)
    }

    /// Watches the canary's tasks `ids` of `app_id` for `time`: each must stay running and
    /// healthy, none may be replaced, and no new task failure may be reported. Returns what it
    /// saw; a `promote --full` that comes meanwhile ends the watch at once.
    async fn watch_canary(
        &mut self,
        app_id: &str,
        ids: &BTreeSet<String>,
        time: Duration,
        mut cancel: Cancel<'_>,
    ) -> Result<String, WaitError> {
        let (scope, live) = (self.scope, self.live);
        let name = self.name();
        let services = [live.key.service().to_owned()];
        let started = Instant::now();
        let mut first_failure: Option<Option<String>> = None;
        let mut polls = 0u32;
        // A canary task that fails or turns unhealthy wakes the watch at once.
        let mut watch = scope.watch(vec![app_id.to_owned()]);
        loop {
            let snap = Snapshot::read(scope.marathon, scope.namespace, &services, &Selector::default()).await?;
            let Some(app) = snap.group(&live.key).and_then(|g| g.apps.iter().find(|a| a.id == app_id)).cloned() else {
                return Err(WaitError::Gone { app: app_id.to_owned() });
            };
            let failure = app.last_task_failure.as_ref().map(|f| f.timestamp.clone());
            let known = first_failure.get_or_insert_with(|| failure.clone());
            if failure != *known {
                let f = app.last_task_failure.as_ref();
                let what = f.map_or(String::new(), |f| format!("{} {}: {}", f.task_id, f.state, f.message));
                return Err(canary_failed(&name, format!("a task failed during --canary-for: {what}")));
            }
            let tasks: Vec<_> = app.tasks.iter().flatten().filter(|t| ids.contains(&t.id)).collect();
            if tasks.len() < ids.len() {
                return Err(canary_failed(
                    &name,
                    format!("{} of {} canary task(s) ended", ids.len() - tasks.len(), ids.len()),
                ));
            }
            if let Some(t) = tasks.iter().find(|t| t.state != TaskState::Running || !task_healthy(&app, t)) {
                return Err(canary_failed(&name, format!("canary task {} is no longer healthy", t.id)));
            }
            let elapsed = started.elapsed();
            if elapsed >= time {
                return Ok(format!("{} task(s) healthy for {}", ids.len(), humantime::format_duration(time)));
            }
            if self.full || self.control_point(cancel.as_mut()).await? {
                return Ok("skipped by promote --full".to_owned());
            }
            self.reporter.on(Event::Progress {
                group: name.clone(),
                healthy: ids.len() as u32,
                desired: ids.len() as u32,
                state: format!("canary healthy for {}s of {}", elapsed.as_secs(), humantime::format_duration(time)),
            });
            polls = polls.saturating_add(1);
            let pause = watch.delay(scope.timing.poll, polls).min(time.saturating_sub(elapsed));
            tokio::select! {
                () = cancel.as_mut() => return Err(WaitError::Interrupted),
                () = watch.sleep(pause) => {}
            }
        }
    }

    /// Journals and reports a gate's verdict.
    async fn gate_verdict(&mut self, gate: &str, verdict: &str, detail: String) -> Result<(), WaitError> {
        if let Some(c) = self.tracker.canary_mut() {
            c.gates.push(GateRecord { gate: gate.into(), verdict: verdict.into(), detail: detail.clone(), at: now() });
        }
        self.tracker.write().await.map_err(|e| write_failed("journaling the gate", e))?;
        self.reporter.on(Event::Gate { group: self.name(), gate: gate.into(), verdict: verdict.into(), detail });
        Ok(())
    }

    /// Promotes the canary (`by` whom): the mark removed, its containers registered as plain
    /// ones, the journal says so.
    async fn promote(&mut self, by: String) -> Result<(), WaitError> {
        let (scope, live) = (self.scope, self.live);
        let writer = scope.write().map_err(|e| write_failed("promoting the canary", e))?;
        writer.etcd.delete_canary_mark(&live.key).await.map_err(|e| write_failed("promoting the canary", e))?;
        super::end::sync(scope, live)
            .await
            .map_err(|e| write_failed("registering the promoted canary", format!("{e:#}")))?;
        if let Some(c) = self.tracker.canary_mut() {
            c.promoted = Some(Stamp { by: by.clone(), at: now() });
        }
        self.tracker.set_hold(None);
        self.tracker
            .state(JournalState::Rolling, None)
            .await
            .map_err(|e| write_failed("journaling the promotion", e))?;
        self.reporter.on(Event::Promoted { group: self.name(), by });
        Ok(())
    }

    /// Journals the rollout as paused (`reason`, `by` whom, since now) and reports it.
    async fn paused(&mut self, reason: &str, by: String) -> Result<(), WaitError> {
        self.tracker.set_hold(Some(Hold { reason: reason.to_owned(), by: by.clone(), since: now() }));
        self.tracker
            .state(JournalState::Paused, Some(reason.to_owned()))
            .await
            .map_err(|e| write_failed("journaling the pause", e))?;
        self.reporter.on(Event::Paused { group: self.name(), by, reason: reason.to_owned() });
        Ok(())
    }

    /// Holds the rollout (journaled as paused) until a request lets it go on: `promote` or
    /// `resume` (returned); `abort` and Ctrl-C end the wait through `cancel`.
    pub(super) async fn hold(
        &mut self,
        reason: &str,
        by: String,
        mut cancel: Cancel<'_>,
    ) -> Result<ControlRequest, WaitError> {
        self.paused(reason, by).await?;
        let Some(inbox) = self.inbox else { return Err(WaitError::Interrupted) };
        let awaiting_promotion = reason != PAUSED;
        loop {
            let request = tokio::select! {
                () = cancel.as_mut() => return Err(WaitError::Interrupted),
                request = inbox.next() => request,
            };
            match request.action {
                ControlAction::Abort => return Err(WaitError::Interrupted),
                // A pause of a held rollout is obeyed as it stands.
                ControlAction::Pause => self.obeyed(&request).await?,
                ControlAction::Resume if awaiting_promotion => self.obeyed(&request).await?,
                ControlAction::Resume | ControlAction::Promote => {
                    self.full |= request.full;
                    if request.action == ControlAction::Promote {
                        self.promoted_by = Some(request.by.clone());
                    }
                    self.obeyed(&request).await?;
                    if request.action == ControlAction::Resume || !awaiting_promotion {
                        self.tracker.set_hold(None);
                        self.tracker
                            .state(JournalState::Rolling, None)
                            .await
                            .map_err(|e| write_failed("journaling the resume", e))?;
                        self.reporter.on(Event::Resumed { group: self.name(), by: request.by.clone() });
                    }
                    return Ok(request);
                }
            }
        }
    }

    /// Records `request` as obeyed in the journal, so its sender sees it done.
    pub(super) async fn obeyed(&mut self, request: &ControlRequest) -> Result<(), WaitError> {
        self.tracker.set_obeyed(request.clone());
        self.tracker.write().await.map_err(|e| write_failed("journaling a control request", e))
    }

    /// Takes a request that came since the last look (a safe point between steps): a `pause`
    /// holds here until `resume`; a `promote` is remembered (with `--full`, the remaining
    /// gates and pauses are skipped: returns true). An abort is left to the cancellation.
    pub(super) async fn control_point(&mut self, cancel: Cancel<'_>) -> Result<bool, WaitError> {
        let Some(inbox) = self.inbox else { return Ok(false) };
        let Some(request) = inbox.at_safe_point().await else { return Ok(false) };
        match request.action {
            ControlAction::Abort => Err(WaitError::Interrupted),
            ControlAction::Pause => {
                self.obeyed(&request).await?;
                self.hold(PAUSED, request.by.clone(), cancel).await?;
                Ok(self.full)
            }
            ControlAction::Resume => self.obeyed(&request).await.map(|()| false),
            ControlAction::Promote => {
                self.full |= request.full;
                self.promoted_by = Some(request.by.clone());
                self.obeyed(&request).await?;
                Ok(self.full)
            }
        }
    }
}

/// The hold reason of `rollout pause`.
pub(super) const PAUSED: &str = "paused";
