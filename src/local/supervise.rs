//! The engine's background work runs under a [`Supervisor`]: a panic in any spawned task (the
//! scheduler, a task launcher, a health check, a kill) stops the whole engine and records why,
//! so the engine is never half alive (answering `/ping` while nothing deploys).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Owns the stop signal and the first fatal error.
#[derive(Debug)]
pub(crate) struct Supervisor {
    stop: watch::Sender<bool>,
    failure: Mutex<Option<String>>,
}

impl Supervisor {
    /// A running supervisor.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Supervisor { stop: watch::channel(false).0, failure: Mutex::new(None) })
    }

    /// Changes to `true` when the engine stops (shutdown or failure).
    pub(crate) fn stop_signal(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }

    /// Asks everything to stop.
    pub(crate) fn stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Records a fatal error (the first one wins) and stops the engine.
    pub(crate) fn fail(&self, message: String) {
        tracing::error!(target: "theseus::local", "{message}; the engine stops");
        let mut slot = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert(message);
        drop(slot);
        self.stop();
    }

    /// Why the engine stopped on its own, if it did.
    pub(crate) fn failure(&self) -> Option<String> {
        self.failure.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Resolves once the engine is asked to stop.
    pub(crate) async fn stopped(&self) {
        let mut rx = self.stop_signal();
        let _ = rx.wait_for(|stop| *stop).await;
    }
}

/// Spawns `fut` on the runtime; a panic in it fails the engine with `what` and the panic message.
pub(crate) fn spawn<F>(supervisor: &Arc<Supervisor>, what: &'static str, fut: F) -> JoinHandle<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let supervisor = supervisor.clone();
    tokio::spawn(async move {
        if let Err(panic) = AssertUnwindSafe(fut).catch_unwind().await {
            supervisor.fail(format!("the engine's {what} panicked: {}", panic_message(panic.as_ref())));
        }
    })
}

/// The text of a panic payload.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_in_background_work_stops_the_engine_with_its_message() {
        let sup = Supervisor::new();
        let mut stop = sup.stop_signal();
        let healthy = spawn(&sup, "scheduler", async {});
        healthy.await.unwrap();
        assert!(!*sup.stop_signal().borrow() && sup.failure().is_none(), "work that ends normally stops nothing");
        spawn(&sup, "task launcher", async { panic!("cannot convert float seconds to Duration") });
        tokio::time::timeout(std::time::Duration::from_secs(10), stop.wait_for(|s| *s)).await.unwrap().unwrap();
        assert_eq!(
            sup.failure().as_deref(),
            Some("the engine's task launcher panicked: cannot convert float seconds to Duration")
        );
        sup.fail("a second failure".into());
        assert!(sup.failure().unwrap().contains("task launcher"), "the first failure is the one reported");
    }
}
