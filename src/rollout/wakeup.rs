//! Wake-ups from Marathon's event stream: a wait sleeps until its poll interval passes *or* an
//! event names one of the apps, groups or deployments it watches, then polls as before. Events
//! only wake; every decision (and so every irreversible step: a kill, a scale, a delete, an
//! etcd write) is still taken on a fresh poll, so a dropped event costs latency back to the poll
//! interval, never a wrong step.
//!
//! One subscription per command ([`Wakeup`], owned by the command's context and lent to its
//! [`super::Scope`]), opened on the first wait and shared by every wait of the command through
//! a broadcast channel. It reconnects with backoff and never fails a command: a stream that
//! never connects leaves the waits polling alone (one `-v` line says so).
//!
//! What Marathon guarantees, read in its source (`src/main/scala/mesosphere/marathon/`):
//! - the events and their fields: `core/event/Events.scala`, written by
//!   `api/v2/json/Formats.scala` (`eventToJson`): `status_update_event` and
//!   `instance_changed_event` (`appId`, `runSpecId`) for every task state, `health_status_changed_event`
//!   (`appId`) and `instance_health_changed_event` (`runSpecId`) when a health result flips,
//!   `failed_health_check_event` and `unhealthy_instance_kill_event` (`appId`), the deployment
//!   events (`deployment_success`, `deployment_failed`, `deployment_step_success`,
//!   `deployment_step_failure`: `plan.steps[].actions[].app`, and `id` for the first two),
//!   `app_terminated_event` (`appId`), `group_change_success` (`groupId`);
//! - each is published after the state a poll reads has changed: `HealthStatusChanged` after
//!   `healthByInstanceId` is updated (`core/health/impl/HealthCheckActor.scala`,
//!   `updateInstanceHealth`), `DeploymentSuccess` after the deployment left the running ones
//!   (`core/deployment/impl/DeploymentManagerActor.scala`, `DeploymentFinished`, then
//!   `MarathonSchedulerActor.scala`, `deploymentSuccess`); so a poll on a wake-up sees the change;
//! - no order across events and no replay: a consumer that falls behind by more than
//!   `maxOutStanding` events is disconnected (`core/event/impl/stream/HttpEventStreamHandleActor.scala`).
//!   Every (re)connect therefore wakes every wait (what happened meanwhile is unknown), and a
//!   wait that falls behind its channel wakes too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};

use crate::marathon::{self, Client, Event};

/// The event types that can end or advance a wait (see the module docs).
pub(super) const EVENT_TYPES: &[&str] = &[
    "status_update_event",
    "instance_changed_event",
    "health_status_changed_event",
    "instance_health_changed_event",
    "failed_health_check_event",
    "unhealthy_instance_kill_event",
    "deployment_success",
    "deployment_failed",
    "deployment_step_success",
    "deployment_step_failure",
    "app_terminated_event",
    "group_change_success",
];

/// A stream silent this long (Jetty's heartbeat comes every 10 s) is dead: reconnect.
const IDLE: Duration = Duration::from_secs(30);
/// The first pause before a reconnect, doubling up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// Signals a wait may fall behind by before it wakes for having lost some.
const CHANNEL: usize = 1024;

/// What the stream tells the waits.
#[derive(Debug, Clone)]
enum Signal {
    /// The stream (re)connected: anything may have happened meanwhile.
    All,
    /// An event named these ids (apps, groups, deployments).
    Named(Arc<[String]>),
}

/// The subscription of one command to Marathon's event stream, opened by its first wait (or
/// before a rollout's first change), which wakes its waits; see the `rollout::wakeup` module.
#[derive(Debug)]
pub struct Wakeup {
    options: marathon::Options,
    started: OnceLock<Started>,
}

#[derive(Debug)]
struct Started {
    tx: broadcast::Sender<Signal>,
    live: Arc<AtomicBool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Wakeup {
    /// A subscription to the Marathon of `options`, not opened yet (no I/O).
    pub fn new(options: marathon::Options) -> Self {
        Wakeup { options, started: OnceLock::new() }
    }

    /// A watch of `ids` (app ids, group ids, deployment ids): subscribed before its first
    /// poll, so nothing published after that poll is missed. Opens the stream on first use.
    pub(super) fn watch(&self, ids: Vec<String>) -> Watch {
        let started = self.open();
        Watch { rx: Some(started.tx.subscribe()), ids, live: Some(started.live.clone()) }
    }

    /// Opens the stream now if it is not open yet (it connects in the background), so that it
    /// is live by the time the first wait begins: a rollout opens it before its first change.
    fn open(&self) -> &Started {
        self.started.get_or_init(|| self.start())
    }

    /// [`Wakeup::open`] for callers that only want the stream connecting early.
    pub(super) fn connect(&self) {
        self.open();
    }

    /// Starts the task that follows the stream (none outside a runtime or without a client:
    /// the waits then poll alone).
    fn start(&self) -> Started {
        let (tx, _) = broadcast::channel(CHANNEL);
        let live = Arc::new(AtomicBool::new(false));
        let task = match (tokio::runtime::Handle::try_current(), Client::new(&self.options)) {
            (Ok(runtime), Ok(client)) => Some(runtime.spawn(follow(client, tx.clone(), live.clone()))),
            (_, Err(e)) => {
                tracing::debug!(target: "theseus::rollout", "no event stream ({e}): waits poll alone");
                None
            }
            (Err(_), _) => None,
        };
        Started { tx, live, task }
    }
}

impl Drop for Wakeup {
    fn drop(&mut self) {
        if let Some(task) = self.started.get().and_then(|s| s.task.as_ref()) {
            task.abort();
        }
    }
}

/// Follows the stream for as long as the command runs: every event naming ids is a signal,
/// every connect wakes everyone; a failure only means a reconnect after a backoff.
async fn follow(client: Client, tx: broadcast::Sender<Signal>, live: Arc<AtomicBool>) {
    let mut backoff = FIRST_BACKOFF;
    let mut told = false;
    loop {
        match client.events(EVENT_TYPES, IDLE).await {
            Ok(mut stream) => {
                tracing::debug!(target: "theseus::rollout", "waits wake on the events of {}", stream.url());
                live.store(true, Ordering::Release);
                let _ = tx.send(Signal::All);
                backoff = FIRST_BACKOFF;
                let why = loop {
                    match stream.next().await {
                        Ok(Some(event)) => {
                            let ids = names(&event);
                            if !ids.is_empty() {
                                let _ = tx.send(Signal::Named(ids.into()));
                            }
                        }
                        Ok(None) => break "Marathon closed it".to_owned(),
                        Err(e) => break e.to_string(),
                    }
                };
                live.store(false, Ordering::Release);
                tracing::debug!(target: "theseus::rollout", "the event stream ended ({why}); waits poll until it is back");
            }
            Err(e) if !told => {
                told = true;
                tracing::info!(
                    target: "theseus::rollout",
                    "Marathon's event stream is not available ({e}); waits poll every --poll-interval"
                );
            }
            Err(e) => tracing::debug!(target: "theseus::rollout", "the event stream is still not available: {e}"),
        }
        tokio::time::sleep(backoff).await;
        backoff = backoff.saturating_mul(2).min(MAX_BACKOFF);
    }
}

/// The ids an event names: its app (`appId`, `runSpecId`), group (`groupId`), deployment (`id`
/// of `deployment_success`/`deployment_failed`, `plan.id`) and the apps of its plan's steps.
fn names(event: &Event) -> Vec<String> {
    let data = &event.data;
    let mut ids: Vec<String> =
        ["appId", "runSpecId", "groupId"].iter().filter_map(|f| data.get(*f)?.as_str().map(str::to_owned)).collect();
    if event.kind.starts_with("deployment_") {
        ids.extend(data.get("id").and_then(Value::as_str).map(str::to_owned));
        ids.extend(data.pointer("/plan/id").and_then(Value::as_str).map(str::to_owned));
        for step in data.pointer("/plan/steps").and_then(Value::as_array).into_iter().flatten() {
            for action in step.get("actions").and_then(Value::as_array).into_iter().flatten() {
                ids.extend(action.get("app").and_then(Value::as_str).map(str::to_owned));
            }
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

/// Whether an event naming `name` concerns the watched `id`: the same id, a group holding it,
/// or something inside it.
fn concerns(name: &str, id: &str) -> bool {
    let inside = |a: &str, b: &str| a.len() > b.len() && a.starts_with(b) && a.as_bytes()[b.len()] == b'/';
    name == id || inside(id, name) || inside(name, id)
}

/// The pause before poll number `polls` (from 1): 25 ms doubling up to `poll`. A batch of
/// quick tasks passes within a few hundred milliseconds, and waiting a whole `--poll-interval`
/// (1 s by default) for every batch was most of a rollout's overhead over Marathon's own
/// deployment; slow batches still cost one poll per `poll`.
pub(super) fn poll_delay(poll: Duration, polls: u32) -> Duration {
    let fast = Duration::from_millis(25).saturating_mul(1 << polls.saturating_sub(1).min(10));
    fast.min(poll)
}

/// One wait's view of the stream; [`Watch::none`] polls alone.
#[derive(Debug)]
pub(super) struct Watch {
    rx: Option<broadcast::Receiver<Signal>>,
    ids: Vec<String>,
    live: Option<Arc<AtomicBool>>,
}

impl Watch {
    /// A watch without a stream: every pause is a plain sleep.
    pub(super) fn none() -> Self {
        Watch { rx: None, ids: Vec::new(), live: None }
    }

    /// Whether the stream is connected now (events will wake this watch).
    pub(super) fn live(&self) -> bool {
        self.rx.is_some() && self.live.as_ref().is_some_and(|l| l.load(Ordering::Acquire))
    }

    /// The pause before poll number `polls` (from 1): with the stream connected, the whole
    /// `poll` (events wake it sooner); without, 25 ms doubling up to `poll`
    /// ([`poll_delay`]), so quick changes are still seen quickly.
    pub(super) fn delay(&self, poll: Duration, polls: u32) -> Duration {
        if self.live() {
            poll
        } else {
            poll_delay(poll, polls)
        }
    }

    /// Sleeps `pause`, or less: until an event names a watched id, the stream (re)connects,
    /// or this watch fell behind. Signals queued meanwhile are taken too, so a burst of events
    /// costs one poll.
    pub(super) async fn sleep(&mut self, pause: Duration) {
        let Some(rx) = self.rx.as_mut() else {
            return tokio::time::sleep(pause).await;
        };
        let timer = tokio::time::sleep(pause);
        tokio::pin!(timer);
        loop {
            tokio::select! {
                () = &mut timer => return,
                signal = rx.recv() => match signal {
                    Ok(Signal::All) | Err(RecvError::Lagged(_)) => break,
                    Ok(Signal::Named(names)) => {
                        if names.iter().any(|n| self.ids.iter().any(|id| concerns(n, id))) {
                            break;
                        }
                    }
                    Err(RecvError::Closed) => {
                        self.rx = None;
                        return timer.await;
                    }
                },
            }
        }
        loop {
            match rx.try_recv() {
                Ok(_) | Err(TryRecvError::Lagged(_)) => {}
                Err(TryRecvError::Empty | TryRecvError::Closed) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, data: Value) -> Event {
        Event { kind: kind.into(), data }
    }

    #[test]
    fn events_name_their_apps_groups_and_deployments() {
        let status = event("status_update_event", json!({"appId": "/ns/web/dev/r1", "taskId": "t"}));
        assert_eq!(names(&status), ["/ns/web/dev/r1"]);
        let health = event("instance_health_changed_event", json!({"runSpecId": "/ns/web/dev/r1"}));
        assert_eq!(names(&health), ["/ns/web/dev/r1"]);
        let done = event(
            "deployment_success",
            json!({"id": "d1", "plan": {"id": "d1", "steps": [{"actions": [{"action": "ScaleApplication", "app": "/ns/web/dev/r2"}]}]}}),
        );
        assert_eq!(names(&done), ["/ns/web/dev/r2", "d1"]);
        let group = event("group_change_success", json!({"groupId": "/ns/web", "version": "v"}));
        assert_eq!(names(&group), ["/ns/web"]);
        assert!(names(&event("event_stream_attached", json!({"remoteAddress": "1.2.3.4"}))).is_empty());
    }

    #[test]
    fn an_id_concerns_itself_its_groups_and_what_it_holds() {
        assert!(concerns("/ns/web/dev/r1", "/ns/web/dev/r1"));
        assert!(concerns("/ns/web", "/ns/web/dev/r1"), "a change of an enclosing group");
        assert!(concerns("/ns/web/dev/r1", "/ns/web/dev"), "an app inside a watched group");
        assert!(!concerns("/ns/web/dev/r10", "/ns/web/dev/r1"));
        assert!(!concerns("/ns/web/dev2", "/ns/web/dev"));
        assert!(!concerns("d2", "d1"));
    }

    #[tokio::test]
    async fn a_watch_wakes_on_its_ids_only_and_takes_a_burst_at_once() {
        let (tx, _) = broadcast::channel(16);
        let live = Arc::new(AtomicBool::new(true));
        let mut watch = Watch { rx: Some(tx.subscribe()), ids: vec!["/ns/web/dev/r1".into()], live: Some(live) };
        assert!(watch.live());
        assert_eq!(watch.delay(Duration::from_secs(30), 1), Duration::from_secs(30));
        let other: Arc<[String]> = vec!["/ns/db/prod/r1".to_owned()].into();
        let mine: Arc<[String]> = vec!["/ns/web/dev/r1".to_owned()].into();
        tx.send(Signal::Named(other.clone())).unwrap();
        tx.send(Signal::Named(mine.clone())).unwrap();
        tx.send(Signal::Named(mine)).unwrap();
        // Woken by the second signal well before the hour is up; the third is taken with it.
        tokio::time::timeout(Duration::from_secs(10), watch.sleep(Duration::from_secs(3600))).await.unwrap();
        // Only another app's event is queued now: the sleep runs its whole (short) length.
        tx.send(Signal::Named(other)).unwrap();
        let start = tokio::time::Instant::now();
        watch.sleep(Duration::from_millis(50)).await;
        assert!(start.elapsed() >= Duration::from_millis(50));
        tx.send(Signal::All).unwrap();
        tokio::time::timeout(Duration::from_secs(10), watch.sleep(Duration::from_secs(3600))).await.unwrap();
    }

    #[test]
    fn polls_start_fast_and_slow_down_to_the_interval() {
        let second = Duration::from_secs(1);
        let delays: Vec<u128> = (1..=7).map(|n| poll_delay(second, n).as_millis()).collect();
        assert_eq!(delays, [25, 50, 100, 200, 400, 800, 1000]);
        assert_eq!(poll_delay(Duration::from_millis(200), 1).as_millis(), 25);
        assert_eq!(poll_delay(Duration::from_millis(20), 1).as_millis(), 20, "never slower than asked");
    }

    #[test]
    fn without_a_stream_polls_start_fast() {
        let watch = Watch::none();
        assert!(!watch.live());
        assert_eq!(watch.delay(Duration::from_secs(1), 1), Duration::from_millis(25));
    }
}
