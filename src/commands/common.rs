//! Small pieces of glue several commands share: loading the spec under the namespace flag and
//! turning wait and rollout flags into settings, reading one service's groups, and the exit
//! status of a rollout command, the one group a `SERVICE -l LABELS` command acts on.

use std::path::Path;

use anyhow::Context as _;

use crate::cli::{RolloutArgs, WaitArgs};
use crate::context::Context;
use crate::error::{ExitStatus, StatusError, UserError};
use crate::rollout::apply::{self, Waiting};
use crate::rollout::live::{LiveGroup, Snapshot};
use crate::rollout::rolling::{RolloutOutcome, RolloutResult, Settings, Timings};
use crate::rollout::wait::WaitOptions;
use crate::spec::labels::Selector;
use crate::spec::{self, Amount, Rollout, Spec};

/// Loads and validates a spec, applying `--namespace`/`THESEUS_NAMESPACE`.
pub fn load_spec(path: &Path, ctx: &Context) -> anyhow::Result<Spec> {
    Ok(spec::load(path)?.with_namespace(ctx.namespace_flag())?)
}

/// The wait settings of the `--no-wait`, `--timeout`, `--poll-interval`, `--fail-after` and
/// `--lock-timeout` flags.
pub fn waiting(args: &WaitArgs) -> Waiting {
    Waiting {
        wait: !args.no_wait,
        lock_timeout: args.lock_timeout,
        options: WaitOptions { timeout: args.timeout, poll: args.poll_interval, unplaceable_after: args.fail_after },
    }
}

/// The rollout settings of one group: the spec's `rollout` table with the flags applied,
/// checked as `validate` checks the table (the flags could otherwise bypass it): exit 2.
pub fn rollout_settings(args: &RolloutArgs, spec: &Rollout, message: Option<String>) -> Result<Settings, UserError> {
    let mut rollout = spec.clone();
    if let Some(b) = args.batch {
        rollout.batch = b;
    }
    if let Some(w) = args.wait {
        rollout.wait = w;
    }
    if let Some(m) = args.max_unavailable {
        rollout.max_unavailable = m;
    }
    if let Some(m) = args.min_healthy {
        rollout.min_healthy = m;
    }
    if let Some(d) = args.deadline {
        rollout.deadline = d;
    }
    if matches!(rollout.batch, Amount::Count(0) | Amount::Percent(0)) {
        return Err(UserError::with_hint("--batch must be at least 1 (or 1%)", "e.g. --batch 1 or --batch 25%"));
    }
    if rollout.deadline.is_zero() {
        return Err(UserError::with_hint("--deadline must be longer than 0s", "e.g. --deadline 10m"));
    }
    if rollout.min_healthy >= rollout.deadline {
        let human = humantime::format_duration;
        return Err(UserError::with_hint(
            format!(
                "min-healthy ({}) must be shorter than the deadline ({})",
                human(rollout.min_healthy),
                human(rollout.deadline)
            ),
            "a batch must stay healthy for --min-healthy before --deadline passes",
        ));
    }
    Ok(Settings {
        rollout,
        no_rollback: args.no_rollback,
        lock_timeout: args.lock_timeout,
        poll: args.poll_interval,
        fail_after: args.fail_after,
        message,
    })
}

/// How the creates and scales inside a rollout command wait: until healthy, up to the deadline.
pub fn rollout_waiting(settings: &Settings) -> Waiting {
    Waiting {
        wait: true,
        lock_timeout: settings.lock_timeout,
        options: WaitOptions {
            timeout: settings.rollout.deadline,
            poll: settings.poll,
            unplaceable_after: settings.fail_after,
        },
    }
}

/// Ends a rollout command: the worst status any group asks for, as an error that carries it
/// (after the results are printed), or success.
pub fn rollout_status(results: &[RolloutResult]) -> anyhow::Result<ExitStatus> {
    let rank = |s: ExitStatus| match s {
        ExitStatus::Success => 0,
        ExitStatus::RolledBack => 1,
        ExitStatus::Deadline => 2,
        ExitStatus::Locked => 3,
        ExitStatus::Failure | ExitStatus::Usage | ExitStatus::ChangesPending => 4,
        ExitStatus::RollbackFailed => 5,
        ExitStatus::Interrupted => 6,
    };
    let worst = results.iter().map(|r| r.status).max_by_key(|s| rank(*s)).unwrap_or(ExitStatus::Success);
    if worst == ExitStatus::Success {
        return Ok(ExitStatus::Success);
    }
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r.status != ExitStatus::Success)
        .map(|r| format!("{}/{}: {}", r.service, r.group, r.reason.as_deref().unwrap_or("failed")))
        .collect();
    let hint = match worst {
        ExitStatus::RolledBack | ExitStatus::Deadline => "the old revision runs again; `theseus view` shows it",
        ExitStatus::RollbackFailed => "the group is left between revisions; `theseus view` shows it",
        _ => "`theseus view` shows where each group got to",
    };
    Err(StatusError {
        status: worst,
        message: format!("{} of {} group(s) did not roll: {}", failed.len(), results.len(), failed.join("; ")),
        hint: Some(hint.into()),
    }
    .into())
}

/// Reads the groups of one service from Marathon (under `--namespace`, else wherever the
/// service lives) and resolves the namespace, for commands addressed as `SERVICE -l LABELS`.
pub async fn read_service(ctx: &Context, service: &str, selector: &Selector) -> anyhow::Result<(Snapshot, String)> {
    let services = [service.to_owned()];
    let snap = Snapshot::read_in(ctx.marathon()?, ctx.namespace_flag(), &services, selector)
        .await
        .context("reading the groups from Marathon")?;
    let namespace = ctx.namespace_of(service, &snap)?;
    Ok((snap, namespace))
}

/// The one live group `SERVICE -l LABELS` names, and its namespace.
pub async fn read_group(ctx: &Context, service: &str, labels: &[String]) -> anyhow::Result<(LiveGroup, String)> {
    let selector = Selector::parse(labels)?;
    let (snap, namespace) = read_service(ctx, service, &selector).await?;
    let group = apply::the_group(&snap, service, &selector)?.clone();
    Ok((group, namespace))
}

/// A result row of a rollout command that changed nothing (`--dry-run`).
pub fn dry_row(
    group: &LiveGroup,
    outcome: RolloutOutcome,
    (from, to): (Option<String>, Option<String>),
    instances: u32,
    batches: Vec<u32>,
) -> RolloutResult {
    RolloutResult {
        service: group.key.service().to_owned(),
        group: group.key.group().to_owned(),
        outcome,
        from,
        to,
        instances,
        batches,
        reason: None,
        timings: Timings::default(),
        status: ExitStatus::Success,
    }
}
