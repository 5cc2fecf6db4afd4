//! The command line of `theseus rollout status|resume|abort`, `history` and `rollback`: clap
//! types only, beside `cli.rs` (whose module this is) to keep that file short.

use clap::{Args, Subcommand};

use super::RolloutArgs;

/// One labeled group of a service: `SERVICE -l LABELS`.
#[derive(Debug, Clone, Args)]
pub struct GroupArgs {
    /// The service, or `SERVICE/GROUP` as `-o name` prints it (e.g. `web/dev.frontend`).
    pub service: String,
    /// The group's labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it).
    #[arg(short = 'l', long = "label", value_delimiter = ',')]
    pub labels: Vec<String>,
}

/// `theseus rollout`.
#[derive(Debug, Args)]
pub struct RolloutCommandArgs {
    /// What to do with the group's journaled rollout.
    #[command(subcommand)]
    pub action: RolloutAction,
}

/// `theseus rollout` subcommands.
#[derive(Debug, Subcommand)]
pub enum RolloutAction {
    /// Show a group's journaled rollout beside where its revisions stand (exit 2: none).
    ///
    /// While `update` or `restart` rolls a group, its progress is journaled in etcd. The status
    /// shows the journal (kind, revisions, batches done, state, who ran it) and, for each
    /// revision, the instances Marathon runs (desired, running, healthy), and who holds the
    /// group's lock: nobody while the journal says `rolling` means its client died.
    Status(GroupArgs),
    /// Continue an interrupted rollout from where Marathon stands.
    ///
    /// An update deploys the journaled app definition (no spec file needed), taking over the
    /// new revision app where it stands; a restart replaces the tasks not replaced yet. Takes
    /// the group's lock (a dead client's lock lasts until its lease expires). Exit codes as
    /// `update`.
    Resume(RolloutGroupArgs),
    /// Roll an interrupted rollout back: old revision to full healthy capacity, then the new
    /// one drained and deleted.
    ///
    /// Exit 3 when it rolled back, 4 when the rollback failed. Aborting a restart only stops
    /// it (exit 0): there is no other revision to go back to.
    Abort(RolloutGroupArgs),
}

/// `theseus rollout resume|abort`.
#[derive(Debug, Args)]
pub struct RolloutGroupArgs {
    /// The group.
    #[command(flatten)]
    pub group: GroupArgs,
    /// Batches, waits and health gate (over the journaled settings).
    #[command(flatten)]
    pub rollout: RolloutArgs,
}

/// `theseus history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The group.
    #[command(flatten)]
    pub group: GroupArgs,
}

/// `theseus rollback`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The group.
    #[command(flatten)]
    pub group: GroupArgs,
    /// The revision to go back to (default: the newest one before the current).
    #[arg(long, value_name = "REV")]
    pub to: Option<String>,
    /// Batches, waits and health gate (over the target revision's `rollout` table).
    #[command(flatten)]
    pub rollout: RolloutArgs,
    /// A message recorded with the revision (default: `rollback to REV`).
    #[arg(long, short = 'm')]
    pub message: Option<String>,
}
