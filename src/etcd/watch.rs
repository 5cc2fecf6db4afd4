//! Watching a service's subtree for changes: what `theseus endpoints --watch` and `--exec` wait
//! on between reads.
//!
//! A [`ServiceWatch`] covers the service marker and everything under `/services/<service>/`. It
//! only says *that* something changed; the caller reads the listing again (one range read). The
//! watch is confirmed by etcd before [`Driver::watch_service`] returns, so a read made after it
//! misses nothing: a change either is in that read or arrives as an event afterwards.

use std::time::Duration;

use etcd_client::{WatchOptions, WatchStream};

use super::error::{self, Error};
use super::keys::prefix_end;
use super::Driver;
use crate::names::{check_service, GroupKey};

/// A live watch on one service's keys (or on one key: a rollout's control requests).
pub struct ServiceWatch {
    stream: WatchStream,
    key: String,
}

impl std::fmt::Debug for ServiceWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceWatch").field("key", &self.key).finish()
    }
}

impl Driver {
    /// Starts watching `service`: its marker key and its whole subtree (one etcd watch over the
    /// key range `/services/<service>` .. the end of `/services/<service>/`). Returns once etcd
    /// has confirmed the watch, within the request timeout.
    pub async fn watch_service(&self, service: &str) -> Result<ServiceWatch, Error> {
        check_service(service)?;
        let key = self.keys.service(service);
        // The marker and its subtree are one contiguous range: `<marker>` .. end of `<marker>/`.
        let end = prefix_end(&self.keys.service_prefix(service));
        self.watch(key, WatchOptions::new().with_range(end)).await
    }

    /// Starts watching the control request key of a group's rollout ([`super::Keys::control`]):
    /// what the process running the rollout waits on for `theseus rollout pause|resume|promote|
    /// abort` from another shell. Returns once etcd has confirmed the watch.
    pub async fn watch_control(&self, id: &GroupKey) -> Result<ServiceWatch, Error> {
        self.watch(self.keys.control(id.service(), id.group()), WatchOptions::new()).await
    }

    /// A watch on `key` with `options`, confirmed by etcd.
    async fn watch(&self, key: String, options: WatchOptions) -> Result<ServiceWatch, Error> {
        let mut stream = self
            .call("watch", &key, || {
                let (mut watch, options, key) = (self.client.watch_client(), options.clone(), key.clone());
                async move { watch.watch(key, Some(options)).await }
            })
            .await?;
        // The first message confirms the watch (`created`); only then is a read race-free. It
        // is awaited once (a broken stream is not retried), within the request timeout.
        let first = tokio::time::timeout(self.request_timeout, stream.message())
            .await
            .map_err(|_| Error::Request {
                op: "watch",
                key: key.clone(),
                source: "etcd did not confirm the watch in time".into(),
            })?
            .map_err(|e| Error::Request { op: "watch", key: key.clone(), source: error::cause(e) })?;
        match first {
            Some(resp) if resp.created() && !resp.canceled() => Ok(ServiceWatch { stream, key }),
            Some(resp) => Err(canceled(&key, resp.cancel_reason())),
            None => Err(closed(&key)),
        }
    }
}

impl ServiceWatch {
    /// Waits for the next change under the service; `Ok(n)` with the number of changed keys.
    /// An error when etcd ends or cancels the watch (etcd restarted, history compacted).
    pub async fn changed(&mut self) -> Result<usize, Error> {
        loop {
            let msg = self.stream.message().await.map_err(|e| Error::Request {
                op: "watch",
                key: self.key.clone(),
                source: error::cause(e),
            })?;
            match msg {
                None => return Err(closed(&self.key)),
                Some(resp) if resp.canceled() => return Err(canceled(&self.key, resp.cancel_reason())),
                Some(resp) if !resp.events().is_empty() => return Ok(resp.events().len()),
                Some(_) => {} // progress notifications carry no change
            }
        }
    }

    /// Waits for a change, then for `quiet` without any further one, so a burst of changes
    /// (a rollout registering a batch in several transactions) is reported once. Gives up
    /// waiting for quiet after `max_wait`, so a steady stream of changes still gets reported.
    pub async fn settled(&mut self, quiet: Duration, max_wait: Duration) -> Result<usize, Error> {
        let mut total = self.changed().await?;
        let give_up = tokio::time::Instant::now() + max_wait;
        loop {
            let deadline = (tokio::time::Instant::now() + quiet).min(give_up);
            match tokio::time::timeout_at(deadline, self.changed()).await {
                Ok(more) => total += more?,
                Err(_) => return Ok(total),
            }
        }
    }
}

fn closed(key: &str) -> Error {
    Error::Request { op: "watch", key: key.to_owned(), source: "etcd closed the watch stream".into() }
}

fn canceled(key: &str, reason: &str) -> Error {
    let reason = if reason.is_empty() { "no reason given" } else { reason };
    Error::Request { op: "watch", key: key.to_owned(), source: format!("etcd canceled the watch: {reason}").into() }
}
