//! What `/healthz` and `/readyz` answer, from what the sync loops report: the replica's role in
//! the election, when it last confirmed etcd equal to Marathon, and the reconciles and refreshes
//! running now (a [`Busy`] guard each).
//!
//! - Alive (`/healthz`): no reconcile or refresh has run longer than `--stuck-after`. Each is a
//!   few requests, each bounded by `--request-timeout` (etcd's retries included), so one that
//!   runs far longer is a loop that stopped making progress; a wait (a standby's campaign, a
//!   follower with nothing to do) is not.
//! - Ready (`/readyz`): a leader that confirmed within `--resync` (plus `--stuck-after`, the
//!   time the reconcile itself may take), or a standby campaigning with etcd reachable.

use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// Where this replica stands in the election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Not campaigning yet.
    Starting,
    /// Campaigning (a standby, or waiting for the lease of a dead leader).
    Campaigning,
    /// The last campaign attempt failed (etcd unreachable); retrying after a pause.
    Retrying(String),
    /// Leading since then.
    Leading(Instant),
    /// Lost the leadership, not campaigning again yet.
    Lost(String),
    /// Resigning on a stop.
    Stopping,
}

#[derive(Debug)]
struct State {
    role: Role,
    confirmed: Option<Instant>,
    busy: BTreeMap<u64, (&'static str, Instant)>,
    next_id: u64,
}

/// The loops' reports, read by the HTTP handlers and the systemd watchdog.
#[derive(Debug)]
pub struct Health {
    state: Mutex<State>,
    campaigned: watch::Sender<bool>,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            state: Mutex::new(State { role: Role::Starting, confirmed: None, busy: BTreeMap::new(), next_id: 0 }),
            campaigned: watch::Sender::new(false),
        }
    }
}

/// The one instance of this process (see [`super::metrics::global`]).
pub fn global() -> &'static Health {
    static HEALTH: LazyLock<Health> = LazyLock::new(Health::default);
    &HEALTH
}

/// A reconcile or refresh running; dropping it ends it.
#[derive(Debug)]
pub struct Busy {
    health: &'static Health,
    id: u64,
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.health.lock().busy.remove(&self.id);
    }
}

/// An answer of a check: `Ok` with what is fine, `Err` with the one-line reason it is not.
pub type Verdict = Result<String, String>;

impl Health {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The replica's role is now `role`. The first campaign wakes [`Health::first_campaign`].
    pub fn role(&self, role: Role) {
        if role == Role::Campaigning {
            self.campaigned.send_replace(true);
        }
        self.lock().role = role;
    }

    /// etcd is confirmed equal to Marathon now.
    pub fn confirmed(&self) {
        self.lock().confirmed = Some(Instant::now());
    }

    /// Marks `what` (`reconcile`, `refresh`) running until the guard is dropped.
    pub fn busy(&'static self, what: &'static str) -> Busy {
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.busy.insert(id, (what, Instant::now()));
        Busy { health: self, id }
    }

    /// Completes once the replica campaigned for the first time.
    pub async fn first_campaign(&self) {
        let mut rx = self.campaigned.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }

    /// `/healthz`: alive unless a reconcile or refresh has run longer than `stuck_after`.
    pub fn alive(&self, stuck_after: Duration) -> Verdict {
        let state = self.lock();
        let oldest = state.busy.values().min_by_key(|(_, since)| *since);
        match oldest {
            Some((what, since)) if since.elapsed() > stuck_after => Err(format!(
                "a {what} has run for {} (limit {}, --stuck-after)",
                humantime::format_duration(Duration::from_secs(since.elapsed().as_secs())),
                humantime::format_duration(stuck_after)
            )),
            _ => Ok("alive".into()),
        }
    }

    /// `/readyz` without the etcd probe: `Ok(None)` for a standby, whose readiness is etcd
    /// being reachable (the caller probes it), else the verdict.
    pub fn ready(&self, fresh_within: Duration) -> Result<Option<String>, String> {
        let state = self.lock();
        match &state.role {
            Role::Starting => Err("starting: not campaigning yet".into()),
            Role::Campaigning => Ok(None),
            Role::Retrying(why) => Err(format!("standby whose campaign failed ({why}); retrying")),
            Role::Lost(why) => Err(format!("lost the leadership ({why}); not campaigning yet")),
            Role::Stopping => Err("stopping: resigning the leadership".into()),
            Role::Leading(since) => match state.confirmed.filter(|c| c >= since) {
                None => Err(format!(
                    "leader for {}, its first reconcile not done yet",
                    humantime::format_duration(Duration::from_secs(since.elapsed().as_secs()))
                )),
                Some(at) if at.elapsed() > fresh_within => Err(format!(
                    "leader whose last confirmed sync was {} ago (more than {})",
                    humantime::format_duration(Duration::from_secs(at.elapsed().as_secs())),
                    humantime::format_duration(fresh_within)
                )),
                Some(at) => Ok(Some(format!(
                    "leader, last confirmed sync {} ago",
                    humantime::format_duration(Duration::from_millis(at.elapsed().as_millis() as u64))
                ))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaked() -> &'static Health {
        Box::leak(Box::default())
    }

    #[tokio::test(start_paused = true)]
    async fn a_leader_is_ready_once_confirmed_and_until_the_confirmation_ages() {
        let h = leaked();
        assert!(h.ready(Duration::from_secs(60)).unwrap_err().starts_with("starting"));
        h.role(Role::Campaigning);
        assert_eq!(h.ready(Duration::from_secs(60)), Ok(None));
        h.confirmed(); // a confirmation from before this term does not count
        tokio::time::advance(Duration::from_secs(1)).await;
        h.role(Role::Leading(Instant::now()));
        assert!(h.ready(Duration::from_secs(60)).unwrap_err().contains("first reconcile"));
        h.confirmed();
        assert!(h.ready(Duration::from_secs(60)).unwrap().unwrap().starts_with("leader"));
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(h.ready(Duration::from_secs(60)).unwrap_err().contains("1m 1s ago"));
        h.role(Role::Lost("revoked".into()));
        assert!(h.ready(Duration::from_secs(60)).unwrap_err().contains("lost the leadership (revoked)"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_reconcile_running_past_the_limit_is_not_alive() {
        let h = leaked();
        let limit = Duration::from_secs(120);
        let busy = h.busy("reconcile");
        tokio::time::advance(Duration::from_secs(100)).await;
        let _later = h.busy("refresh");
        assert!(h.alive(limit).is_ok());
        tokio::time::advance(Duration::from_secs(21)).await;
        assert_eq!(h.alive(limit), Err("a reconcile has run for 2m 1s (limit 2m, --stuck-after)".into()));
        drop(busy);
        assert!(h.alive(limit).is_ok(), "the refresh has run 21 s only");
    }

    #[tokio::test]
    async fn the_first_campaign_wakes_its_waiter() {
        let h = leaked();
        let waiter = tokio::spawn(h.first_campaign());
        h.role(Role::Retrying("etcd down".into()));
        assert!(!waiter.is_finished());
        h.role(Role::Campaigning);
        tokio::time::timeout(Duration::from_secs(10), waiter).await.unwrap().unwrap();
    }
}
