//! The etcd driver: the `/services` layout of DESIGN §4 on etcd v3; the only module that
//! imports `etcd_client`.
//!
//! - [`keys`] alone builds keys; `docs/etcd-layout.md` documents every key with an example.
//! - "A service exists" means its marker key `/services/<service>` exists (a small JSON value);
//!   likewise for a group, its container list and each container. Creating a group writes its
//!   markers and config in one transaction; removing a service or group deletes its marker and
//!   its whole subtree (`<key>/` prefix) in one transaction.
//! - Every multi-key change is one transaction; writes under a group are guarded by a compare
//!   on the group marker, so a container is never registered under a group that does not exist
//!   and concurrent register/deregister/remove never leave an orphan key.
//! - Listings are single requests: one range read (inside a transaction that also reads the
//!   parent marker, so "missing" and "empty" are told apart at the same revision).
//! - [`GroupLock`]: a per-group lock bound to a lease, for rollouts.
//! - [`ServiceWatch`]: changes under one service, for `endpoints --watch` and `--exec`.
//! - [`Owner`]: the namespace that owns a group subtree (its config's `namespace`); writes
//!   from another namespace are refused ([`Error::Foreign`]).
//! - [`Confirmation`]: the sync leader's proof that a namespace's registrations are current
//!   (`<root>/theseus/sync/confirmed/<namespace>`), and the staleness rules readers share.
//! - [`Journal`]: a rollout's progress (`put_rollout`, `get_rollout`, `delete_rollout`), and
//!   [`HistoryEntry`]: the revisions deployed, written with the group's config in one
//!   transaction. Both live outside `/services`.
//!
//! Files, by concern: `connect.rs` ([`Options`], TLS, [`Driver::connect`]),
//! `request.rs` (one request: timeout, resend, logging, the shared reads), `values.rs`
//! ([`ContainerInfo`], [`SyncReport`], the marker values), then the operations: `services.rs`,
//! `groups.rs`, `containers.rs`, `registry.rs` (batched, for sync), `counts.rs` (`view`'s
//! registration counts, count-only reads), `lease.rs` (the lease guard of
//! locks and the election), `lock.rs`, `election.rs`, `confirmation.rs`,
//! `journal.rs`, `history.rs`, `owner.rs`, `watch.rs`.

mod confirmation;
mod connect;
mod containers;
mod counts;
mod election;
mod error;
mod groups;
mod history;
mod journal;
pub mod keys;
mod lease;
mod lock;
mod owner;
mod registry;
mod request;
mod services;
mod values;
mod watch;

pub use confirmation::{Confirmation, Confirmations, NotFresh};
pub use connect::{Driver, Options};
pub use counts::{GroupCount, GROUPS_PER_TXN};
pub use election::Leadership;
pub use error::{Cause, Error};
pub use history::{HistoryEntry, HISTORY_LEN};
pub use journal::{
    CanaryMark, CanaryRecord, ControlAction, ControlRequest, GateRecord, Hold, Journal, JournalSide, JournalState,
    RolloutKind, Stamp,
};
pub use keys::Keys;
pub use lock::{GroupLock, DEFAULT_LOCK_TTL};
pub use owner::Owner;
pub use registry::{Applied, GroupChange, GroupRegistrations, Registrations, Skipped};
pub use services::GroupEndpoints;
pub use values::{ContainerInfo, PortMappingInfo, SyncReport};
pub use watch::ServiceWatch;

use containers::chunk_ops;
use values::json;

/// etcd's default `--max-txn-ops`: the most operations one transaction may carry.
pub const MAX_TXN_OPS: usize = 128;
