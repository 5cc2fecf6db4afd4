//! One Marathon deployment per app at a time: a rollout never cancels its own.
//!
//! Marathon refuses (409) any non-forced deployment that touches an app another running
//! deployment touches (M:src/main/scala/mesosphere/marathon/core/deployment/impl/
//! DeploymentManagerActor.scala, `giveUpConflictingDeployment`), and the deployment of a
//! kill-and-scale (`POST /v2/tasks/delete?scale=true`) stays open until the killed tasks are
//! terminal, so for a task's whole kill grace (M:src/main/scala/mesosphere/marathon/core/
//! deployment/impl/DeploymentActor.scala, `decommissionInstances`). A rollout therefore records
//! the deployment each of its writes started, per app, and waits for it to be gone before its
//! next write to the same app ([`InFlight::settle`]). Waiting lazily, just before the next write,
//! lets the old revision's tasks stop while the new revision's next batch comes up.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::gate::Cancel;
use super::wait::WaitError;
use super::wakeup::{Wakeup, Watch};
use crate::marathon::{Change, Client};

/// The deployments this process started and has not seen end, by app id, and how to wait for
/// them.
#[derive(Debug)]
pub(super) struct InFlight<'a> {
    client: &'a Client,
    poll: Duration,
    deadline: Duration,
    pending: BTreeMap<String, String>,
    /// Wakes [`InFlight::settle`] on the deployment's events (none: it polls alone).
    wakeup: Option<&'a Wakeup>,
}

impl<'a> InFlight<'a> {
    /// Nothing in flight yet; [`InFlight::settle`] polls from 25 ms up to `poll` and gives up
    /// after `deadline`.
    pub(super) fn new(client: &'a Client, poll: Duration, deadline: Duration) -> Self {
        InFlight { client, poll, deadline, pending: BTreeMap::new(), wakeup: None }
    }

    /// The same, its waits woken by the events of `wakeup` ([`super::Wakeup`]).
    pub(super) fn woken(self, wakeup: Option<&'a Wakeup>) -> Self {
        InFlight { wakeup, ..self }
    }

    /// For a rollout: the scope's poll interval and the rollout's batch deadline.
    pub(super) fn for_rollout(scope: &super::scope::Scope<'a>, settings: &super::scope::Settings) -> Self {
        InFlight::new(scope.marathon, scope.timing.poll, settings.rollout.deadline).woken(scope.wakeup())
    }

    /// Records the deployment that a write to `app_id` started (if Marathon returned one).
    pub(super) fn started(&mut self, app_id: &str, change: &Change) {
        if let Some(id) = &change.deployment_id {
            self.pending.insert(app_id.to_owned(), id.clone());
        }
    }

    /// Forgets the deployments that a read of `/v2/deployments` (`running`) no longer lists:
    /// they ended, so the next write to their app need not ask again.
    pub(super) fn observe(&mut self, running: &[crate::marathon::types::Deployment]) {
        self.pending.retain(|_, id| running.iter().any(|d| &d.id == id));
    }

    /// Whether a deployment of this process's last write to `app_id` may still run (not seen
    /// ended by [`InFlight::observe`] or [`InFlight::settle`]).
    pub(super) fn pending(&self, app_id: &str) -> bool {
        self.pending.contains_key(app_id)
    }

    /// Takes over the running deployments that touch `app_id` but were started by another
    /// client (the one that died in the middle of the rollout being resumed or aborted), so the
    /// next write waits for them instead of canceling them.
    pub(super) async fn adopt(&mut self, app_id: &str) -> Result<(), WaitError> {
        let running = self.client.deployments().await?;
        if let Some(d) = running.iter().find(|d| d.affected_apps.iter().any(|a| a == app_id)) {
            self.pending.insert(app_id.to_owned(), d.id.clone());
        }
        Ok(())
    }

    /// Waits until the deployment of the last write to `app_id` is gone from
    /// `/v2/deployments`, so the next write to the app does not conflict with it. Fails after
    /// the deadline (the deployment is named) or on Ctrl-C.
    pub(super) async fn settle(&mut self, app_id: &str, mut cancel: Cancel<'_>) -> Result<(), WaitError> {
        let (poll, deadline) = (self.poll, self.deadline);
        let Some(id) = self.pending.get(app_id).cloned() else { return Ok(()) };
        let started = Instant::now();
        let mut polls = 0u32;
        let mut watch = self.wakeup.map_or_else(Watch::none, |w| w.watch(vec![id.clone(), app_id.to_owned()]));
        loop {
            if polls > 0 {
                tokio::select! {
                    () = cancel.as_mut() => return Err(WaitError::Interrupted),
                    () = watch.sleep(watch.delay(poll, polls)) => {}
                }
            }
            polls = polls.saturating_add(1);
            if !self.client.deployments().await?.iter().any(|d| d.id == id) {
                self.pending.remove(app_id);
                return Ok(());
            }
            if started.elapsed() >= deadline {
                return Err(WaitError::TimedOut {
                    groups: format!("deployment {id} of `{app_id}`"),
                    timeout: deadline,
                });
            }
        }
    }
}
