//! One request to etcd: [`Driver::call`] runs it under the request timeout, sends again what
//! etcd did not take, logs it and maps its error; the reads and the transaction every
//! operation builds on.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::Duration;

use etcd_client::{GetOptions, KeyValue, Txn, TxnOp, TxnOpResponse, TxnResponse};

use super::connect::is_rejection;
use super::error::{self, Error, Failure};
use super::keys::prefix_end;
use super::Driver;

/// The largest response theseus accepts from etcd (a range read of a whole service).
const MAX_RESPONSE_BYTES: usize = 256 * 1024 * 1024;

impl Driver {
    /// The keys under `prefix`, with the prefix cut off, in key order (one keys-only range
    /// read); a key that is not UTF-8 is skipped.
    pub(super) async fn keys_under(&self, prefix: &str) -> Result<Vec<String>, Error> {
        let opts = GetOptions::new().with_range(prefix_end(prefix)).with_keys_only();
        let mut resp = self
            .call("get", prefix, || {
                let (mut kv, opts, prefix) = (self.kv(), opts.clone(), prefix.to_owned());
                async move { kv.get(prefix, Some(opts)).await }
            })
            .await?;
        Ok(resp
            .take_kvs()
            .into_iter()
            .filter_map(|kv| String::from_utf8(kv.into_key_value().0).ok()?.strip_prefix(prefix).map(str::to_owned))
            .collect())
    }

    /// A KV client that accepts large range reads (gRPC's default limit is 4 MiB, about 6,000
    /// containers in one `get_service_containers`).
    pub(super) fn kv(&self) -> etcd_client::KvClient {
        self.client.kv_client().max_decoding_message_size(MAX_RESPONSE_BYTES)
    }

    /// Runs one request under the request timeout and maps its error; [`Driver::call_resent`]
    /// without saying whether it was sent again.
    pub(super) async fn call<T, F, Fut>(&self, op: &'static str, key: &str, send: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, etcd_client::Error>>,
    {
        Ok(self.call_resent(op, key, send).await?.0)
    }

    /// Runs one request under the request timeout and maps its error. This is the driver's one
    /// retry policy: `send` makes the request and is called again, with a short backoff and
    /// within `--request-timeout` in all, when etcd did not take it or may not have
    /// ([`error::failure`]): no connection to a dead member (which etcd-client's balanced
    /// channel may still pick; another member answers next), or a cluster between leaders
    /// ("leader changed", "no leader", a proposal timed out) or a member dying mid-request.
    ///
    /// The second case may have applied the request, so everything sent through here must be
    /// harmless to run twice, and is: reads and watches; puts of the same value
    /// (`put_rollout`, config and container info); deletes (a second one finds nothing, so
    /// `remove_*`/`deregister_*` may then answer "was not there"); transactions guarded by
    /// compares whose re-run leaves etcd as the first left it (group marker present, lock
    /// free); lease grants (a second grant leaves an unused lease that expires after its TTL),
    /// keep-alives and revokes. Three writes are not idempotent as such and check for their own
    /// earlier attempt when the second `bool` says a resend happened: a group's creation (its
    /// `version == 0` guard fails on the re-run: [`Driver::create_group`] then finds its own
    /// config), a history prepend (a compare-and-swap: `put_with_history` finds its own entry
    /// on top instead of adding it twice) and a lock's creation (lock.rs finds the key on its
    /// own lease). Never sent through here: an election campaign (it blocks until elected and
    /// the sync loop campaigns again itself) and watch streams once open.
    ///
    /// Returns the answer and whether an earlier attempt may have been applied.
    pub(super) async fn call_resent<T, F, Fut>(
        &self,
        op: &'static str,
        key: &str,
        mut send: F,
    ) -> Result<(T, bool), Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, etcd_client::Error>>,
    {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let started = std::time::Instant::now();
        let mut resent = false;
        let mut last: Option<String> = None;
        let attempts = async {
            let mut delay = Duration::from_millis(20);
            loop {
                match send().await {
                    Err(err) if error::failure(&err) != Failure::Final => {
                        resent |= error::failure(&err) == Failure::Transient;
                        tracing::debug!(target: "theseus::etcd", "{op} `{key}` not taken ({err}); sending it again");
                        last = Some(error::cause(err).to_string());
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(Duration::from_millis(400));
                    }
                    other => return other,
                }
            }
        };
        let result = tokio::time::timeout(self.request_timeout, attempts).await;
        // `-v`: each request with its key or prefix and time; never a value (configs may hold
        // secrets in their env) and never the credentials (they live in the connection).
        let outcome = match &result {
            Ok(Ok(_)) => "ok",
            Ok(Err(_)) => "failed",
            Err(_) => "timed out",
        };
        tracing::info!(target: "theseus::etcd", "{op} {key} -> {outcome} in {:.1?}", started.elapsed());
        match result {
            Ok(Ok(v)) => Ok((v, resent)),
            Ok(Err(err)) => Err(match is_rejection(&err) {
                Some(reason) => {
                    Error::Rejected { endpoints: self.endpoints.clone(), reason, source: Some(error::cause(err)) }
                }
                None => Error::Request { op, key: key.to_owned(), source: error::cause(err) },
            }),
            Err(_) => Err(match last {
                // Sent again until the time was up: say what etcd kept answering.
                Some(cause) => Error::Request {
                    op,
                    key: key.to_owned(),
                    source: format!("{cause} (still so after {})", humantime::format_duration(self.request_timeout))
                        .into(),
                },
                None => Error::Timeout { op, key: key.to_owned(), timeout: self.request_timeout },
            }),
        }
    }

    /// A transaction (see [`Driver::call_resent`] for which may be sent through here).
    pub(super) async fn txn(&self, key: &str, txn: Txn) -> Result<TxnResponse, Error> {
        Ok(self.txn_resent(key, txn).await?.0)
    }

    /// [`Driver::txn`], also saying whether an earlier attempt may have been applied.
    pub(super) async fn txn_resent(&self, key: &str, txn: Txn) -> Result<(TxnResponse, bool), Error> {
        self.call_resent("txn", key, || {
            let (mut kv, txn) = (self.kv(), txn.clone());
            async move { kv.txn(txn).await }
        })
        .await
    }

    pub(super) async fn count(&self, key: &str) -> Result<bool, Error> {
        let resp = self
            .call("get", key, || {
                let mut kv = self.kv();
                async move { kv.get(key, Some(GetOptions::new().with_count_only())).await }
            })
            .await?;
        Ok(resp.count() > 0)
    }

    pub(super) async fn get_value(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let mut resp = self
            .call("get", key, || {
                let mut kv = self.kv();
                async move { kv.get(key, None).await }
            })
            .await?;
        Ok(resp.take_kvs().into_iter().next().map(|kv| kv.into_key_value().1))
    }

    /// `value` as JSON at `key` (written or replaced).
    pub(super) async fn put_json<T: serde::Serialize>(&self, key: &str, value: &T) -> Result<(), Error> {
        let value = super::values::json(value);
        self.call("put", key, || {
            let (mut kv, value) = (self.kv(), value.clone());
            async move { kv.put(key, value, None).await }
        })
        .await?;
        Ok(())
    }

    /// The JSON document at `key`, decoded (a value that does not decode is
    /// [`Error::Corrupt`]), or `None` when there is none.
    pub(super) async fn get_json<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        match self.get_value(key).await? {
            Some(value) => Ok(Some(Self::decode(key, &value)?)),
            None => Ok(None),
        }
    }

    /// Deletes `key`; whether it was there.
    pub(super) async fn delete_key(&self, key: &str) -> Result<bool, Error> {
        let resp = self
            .call("delete", key, || {
                let mut kv = self.kv();
                async move { kv.delete(key, None).await }
            })
            .await?;
        Ok(resp.deleted() > 0)
    }

    /// One request: whether `marker` exists, and every key (with values unless `keys_only`)
    /// under `prefix`, at the same revision.
    pub(super) async fn marker_and_range(
        &self,
        marker: &str,
        prefix: &str,
        keys_only: bool,
    ) -> Result<Option<Vec<KeyValue>>, Error> {
        let mut range = GetOptions::new().with_range(prefix_end(prefix));
        if keys_only {
            range = range.with_keys_only();
        }
        let txn = Txn::new()
            .and_then([TxnOp::get(marker, Some(GetOptions::new().with_count_only())), TxnOp::get(prefix, Some(range))]);
        let resp = self.txn(prefix, txn).await?;
        let mut responses = resp.op_responses().into_iter();
        if !matches!(responses.next(), Some(TxnOpResponse::Get(g)) if g.count() > 0) {
            return Ok(None);
        }
        Ok(Some(match responses.next() {
            Some(TxnOpResponse::Get(mut g)) => g.take_kvs(),
            _ => Vec::new(),
        }))
    }

    pub(super) fn decode<T: serde::de::DeserializeOwned>(key: &str, value: &[u8]) -> Result<T, Error> {
        serde_json::from_slice(value).map_err(|source| Error::Corrupt { key: key.to_owned(), source })
    }

    pub(super) fn group_not_found(service: &str, group: &str) -> Error {
        Error::GroupNotFound { service: service.to_owned(), group: group.to_owned() }
    }
}
