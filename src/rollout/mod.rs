//! Rollouts: reading live state, planning (pure), waiting for convergence, progress events.
//!
//! - [`live`]: Marathon's apps, deployments and queue folded into labeled groups.
//! - [`plan`]: the pure diff of desired groups against live ones; [`diff`]: the changed leaves
//!   of an app definition, Marathon's defaults normalised away; [`ports`]: a new revision keeps
//!   the group's service ports.
//! - [`status`]: the per-group status documents `view` prints.
//! - [`wait`]: waiting for deployments and health, failing fast with Marathon's reasons.
//! - [`stuck`]: the fail-fast detector the waits and the health gate share.
//! - [`result`]: what a rollout reports per group.
//! - [`scope`]: where and how a command applies its changes.
//! - [`create`], [`apply`] (scale), [`remove`]: lifecycle changes under the groups' locks, in
//!   the order of issue 11: checks ([`overlap`], etcd ownership) before the first change,
//!   Marathon before etcd, changes whose answer never came confirmed by re-reading
//!   ([`confirm`]), groups known only to Marathon recorded from their labels ([`adopt`]), and
//!   [`settle`]: wait, then registration synced.
//! - [`event`]: progress events and the `Reporter` trait the terminal layer implements.
//! - [`rolling`], [`restart`]: rolling updates and restarts in batches, through the health
//!   [`gate`], retiring tasks with a drain ([`retire`]), ending through [`finish`]; a restart's
//!   gate probes readiness checks itself ([`readiness`]).
//! - [`journal`]: a rollout's progress in etcd; [`resume`]: `rollout resume|abort` of a
//!   journaled rollout; [`history`]: the revisions deployed, for `history` and `rollback`.

pub mod adopt;
pub mod apply;
pub mod confirm;
pub mod create;
pub mod diff;
pub mod end;
pub mod event;
pub mod finish;
pub mod gate;
pub mod history;
pub mod inflight;
pub mod journal;
pub mod live;
pub mod overlap;
pub mod plan;
pub mod ports;
pub mod readiness;
pub mod register;
pub mod remove;
pub mod restart;
pub mod result;
pub mod resume;
pub mod retire;
pub mod rolling;
pub mod scope;
pub mod session;
pub mod settle;
pub mod status;
pub mod stuck;
pub mod undo;
pub mod wait;

pub use event::{Event, Reporter, Silent};
