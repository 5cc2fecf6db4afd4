//! The arguments of the commands that change groups: `create`, `update`, `restart`, `scale`,
//! `remove`, and the waiting and rollout flags they share.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{parse_duration, Selection, SpecFiles};
use crate::spec::{Amount, Promote};

/// `--promote auto|manual`: the spec's [`Promote`] as a flag value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PromoteArg {
    /// Go on after the gates by itself.
    Auto,
    /// Hold until `theseus rollout promote`.
    Manual,
}

impl From<PromoteArg> for Promote {
    fn from(p: PromoteArg) -> Self {
        match p {
            PromoteArg::Auto => Promote::Auto,
            PromoteArg::Manual => Promote::Manual,
        }
    }
}

/// How commands that change groups wait.
#[derive(Debug, Clone, Args)]
pub struct WaitArgs {
    /// Return as soon as Marathon accepted the change.
    #[arg(long)]
    pub no_wait: bool,
    /// Give up waiting after this long (exit 5).
    #[arg(long, value_parser = parse_duration, default_value = "10m")]
    pub timeout: Duration,
    /// How often to poll Marathon while waiting.
    #[arg(long, value_parser = parse_duration, default_value = "1s")]
    pub poll_interval: Duration,
    /// Fail when Marathon cannot place the tasks (or new ones keep failing) for this long; a
    /// create or scale-up that fails so is undone (exit 3, or 4 if the undo fails).
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    pub fail_after: Duration,
    /// Wait this long for another theseus changing the same group to finish (then exit 6).
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    pub lock_timeout: Duration,
}

/// How rollouts step: each flag overrides the spec's `rollout` table.
#[derive(Debug, Clone, Args)]
pub struct RolloutArgs {
    /// Instances per batch: a count or a percentage of the instances (`2`, `25%`).
    #[arg(long, value_name = "N|N%")]
    pub batch: Option<Amount>,
    /// Pause between batches.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub wait: Option<Duration>,
    /// How far below `instances` the healthy count may drop (`0`, `1`, `10%`).
    #[arg(long, value_name = "N|N%")]
    pub max_unavailable: Option<Amount>,
    /// How long a new task must stay healthy before it counts (an app without health checks:
    /// at least the poll interval).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub min_healthy: Option<Duration>,
    /// How long one batch may take to become healthy (then the rollout fails).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub deadline: Option<Duration>,
    /// Leave a failed rollout as it is instead of rolling back (exit 4).
    #[arg(long)]
    pub no_rollback: bool,
    /// Print the batches and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Wait this long for another theseus changing the same group to finish (then exit 6).
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    pub lock_timeout: Duration,
    /// How often to poll Marathon.
    #[arg(long, value_parser = parse_duration, default_value = "1s")]
    pub poll_interval: Duration,
    /// Fail when new tasks cannot be placed (or keep failing) for this long.
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    pub fail_after: Duration,
}

/// How a rolling update tries the new revision before it rolls it out: each flag overrides the
/// spec's `rollout` table.
#[derive(Debug, Clone, Default, Args)]
pub struct CanaryArgs {
    /// Bring up this many instances of the new revision beside the full old one first
    /// (`1`, `10%`), registered with `"canary": true`, then hold at the gates.
    #[arg(long, value_name = "N|N%")]
    pub canary: Option<Amount>,
    /// The canary passes only after staying running and healthy, with no new task failure,
    /// this long.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub canary_for: Option<Duration>,
    /// A command judging the canary (`/bin/sh -c`; the group, revisions and canary endpoints in
    /// its environment and as JSON on stdin): exit 0 passes, 1 fails (roll back, exit 3), 2 is
    /// inconclusive (hold for a person).
    #[arg(long, value_name = "CMD")]
    pub gate: Option<String>,
    /// Kill a gate command that runs this long (the canary fails).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub gate_timeout: Option<Duration>,
    /// After the gates: go on by itself (`auto`), or hold until `theseus rollout promote`
    /// (`manual`).
    #[arg(long, value_enum, value_name = "auto|manual")]
    pub promote: Option<PromoteArg>,
    /// End as soon as the rollout holds (canary passed, or a gate inconclusive): exit 11
    /// "awaiting promotion", the lock released; `theseus rollout promote` or `abort` goes on.
    #[arg(long)]
    pub detach: bool,
    /// After the last batch, watch the new revision this long (the old app kept at 0
    /// instances) and roll back on a task failure or failing health; then delete the old app.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub bake: Option<Duration>,
}

/// `theseus update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The spec file(s).
    #[command(flatten)]
    pub files: SpecFiles,
    /// Which groups.
    #[command(flatten)]
    pub selection: Selection,
    /// Batches, waits and health gate.
    #[command(flatten)]
    pub rollout: RolloutArgs,
    /// Canary, gates, promotion and bake.
    #[command(flatten)]
    pub canary: CanaryArgs,
    /// Roll the groups in waves: `;`-separated label selectors (`-l` syntax, e.g.
    /// `'canary;dev;prod'`); a wave starts when every group of the one before has finished,
    /// and a failure skips the waves after it (exit 3).
    #[arg(long, value_name = "SELECTORS")]
    pub waves: Option<String>,
    /// A message recorded with the new revision.
    #[arg(long, short = 'm')]
    pub message: Option<String>,
}

/// `theseus restart`.
#[derive(Debug, Args)]
pub struct RestartArgs {
    /// The service, or `SERVICE/GROUP` as `-o name` prints it (e.g. `web/dev.frontend`).
    pub service: String,
    /// The group's labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it).
    #[arg(short = 'l', long = "label", value_delimiter = ',')]
    pub labels: Vec<String>,
    /// Batches, waits and health gate.
    #[command(flatten)]
    pub rollout: RolloutArgs,
}

/// `theseus create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The spec file(s).
    #[command(flatten)]
    pub files: SpecFiles,
    /// Which groups.
    #[command(flatten)]
    pub selection: Selection,
    /// Create only the groups that are missing instead of failing on existing ones.
    #[arg(long)]
    pub skip_existing: bool,
    /// Show what would be created (and skipped) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Waiting.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `theseus scale`.
#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// The service, or `SERVICE/GROUP` as `-o name` prints it (e.g. `web/dev.frontend`).
    pub service: String,
    /// The group's labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it).
    #[arg(short = 'l', long = "label", value_delimiter = ',')]
    pub labels: Vec<String>,
    /// The new number of instances.
    #[arg(long, short = 'n')]
    pub instances: u32,
    /// Scale even while a Marathon deployment holds the group: Marathon cancels that deployment
    /// (its tasks stay as they are) and runs the scale instead.
    #[arg(long)]
    pub force: bool,
    /// Waiting.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `theseus remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// A service name (or `SERVICE/GROUP` as `-o name` prints it), or a spec file (TOML) whose
    /// groups to remove.
    #[arg(required_unless_present = "files", value_name = "SERVICE|FILE")]
    pub target: Option<String>,
    /// A spec file whose groups to remove, repeatable; `-` is standard input.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Only groups having every label given (repeatable or comma-separated; `!label` excludes).
    #[arg(short = 'l', long = "label", value_delimiter = ',', allow_hyphen_values = true)]
    pub labels: Vec<String>,
    /// With a spec file: only these services.
    #[arg(short = 's', long = "service", value_delimiter = ',')]
    pub services: Vec<String>,
    /// Allow removing a whole service, or every group of a spec file, without a label selection.
    #[arg(long)]
    pub all: bool,
    /// Show what would be removed and change nothing (needs no --all).
    #[arg(long)]
    pub dry_run: bool,
    /// Remove even while a Marathon deployment holds the group (cancels it).
    #[arg(long)]
    pub force: bool,
    /// Succeed (exit 0) when nothing matches: removing what is already gone.
    #[arg(long)]
    pub ignore_not_found: bool,
    /// Waiting.
    #[command(flatten)]
    pub wait: WaitArgs,
}
