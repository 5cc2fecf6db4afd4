//! The Marathon REST client: the only module that imports reqwest.
//!
//! - Several base URLs fail over in order; the last one that answered is tried first next time,
//!   and the leader named by `X-Marathon-Leader` is remembered for `-v` output.
//! - Only what cannot change anything twice is retried, with exponential backoff: reads (GET) on
//!   any transport error, 502 or 503 (Marathon answers 503 while it has no leader and 502 when a
//!   proxying non-leader cannot reach it), and any request whose connection failed before a byte
//!   was sent. A write that timed out, lost its connection after sending, or got 502/503 may
//!   have been applied: it is never sent again but ends in [`Error::Uncertain`], so the caller
//!   re-reads Marathon's groups and deployments to learn what happened (`rollout::confirm`).
//!   So does a write answered 500 without `X-Marathon-Leader`: a forwarding non-leader's error
//!   page after its call to the leader failed (see `forwarder_failed`); a 500 of the leader
//!   itself stays [`Error::Api`]. 4xx are never retried.
//! - Changes return the deployment id Marathon assigned, so callers track *that* deployment
//!   instead of guessing from an empty `/v2/deployments`.
//!
//! Inside: `setup` builds the client from [`Options`] (credentials, TLS, timeouts), `transport`
//! sends one request (failover, retries, the leader header) and turns a non-2xx answer into a
//! typed [`Error`], `endpoints` holds one method per Marathon resource (apps, groups,
//! deployments, queue, tasks, info), `events` streams `/v2/events` and `body` is where an
//! answer's body goes while it arrives.
//!
//! [`Error`]: super::Error
//! [`Error::Api`]: super::Error::Api
//! [`Error::Uncertain`]: super::Error::Uncertain

use std::sync::atomic::AtomicUsize;
use std::sync::Mutex;
use std::time::Duration;

use url::Url;

pub(crate) mod body;
mod endpoints;
mod events;
mod setup;
mod transport;

pub use events::{Event, EventStream, StreamError};
pub use setup::Options;
pub use transport::Change;

/// A Marathon client over one connection pool.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    /// For `/v2/events`: no overall timeout, redirects followed by hand ([`events`]).
    stream_http: reqwest::Client,
    urls: Vec<Url>,
    preferred: AtomicUsize,
    leader: Mutex<Option<String>>,
    attempts: u32,
    backoff: Duration,
}
