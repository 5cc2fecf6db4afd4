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
    /// Hold a rollout before its next batch, until `rollout resume`.
    ///
    /// A rollout another process runs right now (another terminal, a CI job) is asked through
    /// etcd and pauses at its next safe point; this waits until it has (or `--no-wait`). A
    /// rollout nobody runs is journaled as paused under the group's lock. While paused, other
    /// `update`, `restart` and `scale` of the group exit 6.
    Pause(ControlArgs),
    /// Continue a paused or interrupted rollout.
    ///
    /// A running one is asked to go on. One nobody runs (its client died, or it was paused by
    /// `rollout pause` and its process ended) is continued here from where Marathon stands: an
    /// update deploys the journaled app definition (no spec file needed), taking over the new
    /// revision app where it stands; a restart replaces the tasks not replaced yet. A canary
    /// awaiting promotion needs `rollout promote`. Exit codes as `update`.
    Resume(RolloutGroupArgs),
    /// Promote a canary: the remaining batches follow (with `--full`, without the gates and
    /// pauses left).
    ///
    /// A running rollout is asked to promote (it does once the canary's gates pass; with
    /// `--full`, at once); one that was detached (`update --detach`, exit 11) is continued
    /// here under the group's lock. Exit codes as `update`.
    Promote(PromoteArgs),
    /// Stop a rollout and roll it back: old revision to full healthy capacity, then the new
    /// one drained and deleted.
    ///
    /// A running rollout is asked to abort (its `update` then exits 3, "aborted by ..."), and
    /// this waits until the old revision is back. Exit 0 when it is, 4 when the rollback
    /// failed. Aborting a restart only stops it: there is no other revision to go back to.
    Abort(RolloutGroupArgs),
}

/// How a control command waits for the process running the rollout.
#[derive(Debug, Clone, Args)]
pub struct ControlWaitArgs {
    /// Return once the request is written, without waiting for the running rollout to obey.
    #[arg(long)]
    pub no_wait: bool,
    /// Give up waiting for the running rollout to obey after this long (exit 5).
    #[arg(long, value_parser = super::parse_duration, default_value = "10m", value_name = "DURATION")]
    pub timeout: std::time::Duration,
}

/// `theseus rollout pause`.
#[derive(Debug, Args)]
pub struct ControlArgs {
    /// The group.
    #[command(flatten)]
    pub group: GroupArgs,
    /// Waiting for the running rollout.
    #[command(flatten)]
    pub control: ControlWaitArgs,
    /// Wait this long for the group's lock when nobody runs the rollout (then exit 6).
    #[arg(long, value_parser = super::parse_duration, default_value = "30s", value_name = "DURATION")]
    pub lock_timeout: std::time::Duration,
}

/// `theseus rollout promote`.
#[derive(Debug, Args)]
pub struct PromoteArgs {
    /// Skip the remaining gates (`--canary-for`, `--gate`) and the pauses between batches.
    #[arg(long)]
    pub full: bool,
    /// The group and how it continues.
    #[command(flatten)]
    pub group: RolloutGroupArgs,
}

/// `theseus rollout resume|abort`.
#[derive(Debug, Args)]
pub struct RolloutGroupArgs {
    /// The group.
    #[command(flatten)]
    pub group: GroupArgs,
    /// Waiting for the running rollout.
    #[command(flatten)]
    pub control: ControlWaitArgs,
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
