//! Rollouts: every change to labeled groups, and the reads and waits around them. Like cargo's
//! `ops`, the submodules are private and this module re-exports the API that commands, sync,
//! output and the tests use; `live`, `register` and `wait` stay public modules (sync and error
//! reporting read Marathon's state, register containers and classify waits through them).
//!
//! Reading and planning:
//! - [`live`]: Marathon's apps, deployments and queue folded into labeled groups.
//! - `plan`: the pure diff of desired groups against live ones ([`plan()`]); `diff`: the
//!   changed leaves of an app definition, Marathon's defaults normalised away; `ports`: a new
//!   revision keeps the group's service ports.
//! - `status`: the per-group status documents `view` prints ([`statuses`]); `history`: the
//!   revisions deployed, for `history` and `rollback`.
//!
//! Changing groups, always under their locks:
//! - `session`: the one prologue of every change: the groups' etcd locks (sorted), Marathon
//!   re-read under them, etcd ownership checked (exit 2 before any change); every write of the
//!   locked body goes through [`Scope::write`], which checks the leases first, and a lost lease
//!   also cancels the waits (exit 6).
//! - `create` ([`create()`]), `apply` ([`scale`]), `remove` ([`remove()`]): lifecycle changes in
//!   the order checks (`overlap`, etcd ownership) before the first change, Marathon before etcd,
//!   changes whose answer never came confirmed by re-reading (`confirm`), groups known only to
//!   Marathon recorded from their labels (`adopt`), then `settle`: wait, then registration
//!   synced; a failed create or scale-up is undone (`undo`). `removal` finds what `remove` names.
//! - `rolling` ([`update`]), `restart` ([`restart()`]): rolling updates and restarts in batches,
//!   through the health `gate` (a restart probes readiness itself: `readiness`), retiring tasks
//!   with a drain (`retire`), one Marathon deployment per app at a time (`inflight`), journaled in
//!   etcd (`journal`); `resume` ([`resume()`], [`abort`]) finishes a journaled one; every one of
//!   them ends through the one end table of `end`, with `finish`'s steps (store, rollback, sync).
//! - `dispatch`: what `update` does with each group's plan ([`update_group`]).
//! - [`wait`]: waiting for deployments and health, failing fast with Marathon's reasons
//!   (`stuck`); [`register`]: the containers etcd lists.
//! - `event`: progress events and the [`Reporter`] trait the terminal layer implements;
//!   `result`: what a command reports per group; `scope`: where a command works and its
//!   [`Timing`].

mod adopt;
mod apply;
mod bake;
mod canary;
mod confirm;
pub mod control;
mod create;
mod diff;
mod dispatch;
mod end;
mod event;
mod evidence;
mod finish;
mod gate;
mod gate_command;
mod history;
mod inflight;
mod journal;
pub mod live;
mod overlap;
mod plan;
mod ports;
mod readiness;
pub mod register;
mod removal;
mod remove;
mod restart;
mod result;
mod resume;
mod retire;
mod rolling;
mod scope;
mod session;
mod settle;
mod status;
mod stuck;
mod undo;
pub mod wait;
mod wakeup;
mod waves;

pub use apply::{desired, scale, the_group};
pub use confirm::kill_tasks;
pub use create::create;
pub use dispatch::{dry_run_row, failed_row, update_group};
pub use event::{Event, Reporter, Silent};
pub use evidence::{Evidence, HealthEvidence, LogTail, TaskFailureEvidence, LOGGED_TASKS};
pub use history::{rows as history_rows, target as history_target, HistoryRow};
pub use journal::{RevisionStatus, RolloutStatus};
pub use live::{revision_of, LiveGroup, Snapshot};
pub use plan::{plan, Action, Desired, GroupPlan, STOP_FIRST};
pub use removal::{fill_registered, preview as preview_removal, removal, remove_empty_services, Removal, Selection};
pub use remove::{remove, Doomed};
pub use restart::restart;
pub use result::{GroupResult, Outcome, RolloutOutcome, RolloutResult, Timings, Undone};
pub use resume::{abort, desired_of_entry, nothing_journaled, pause, resume};
pub use rolling::{batch_sizes, update};
pub use scope::{Logs, Scope, Settings, Timing};
pub use status::{statuses, GroupStatus, GROUP_STATUS_FIELDS};
pub use wakeup::Wakeup;
pub use waves::{assign as assign_waves, skipped_row, stop_reason, Member, Wave};
