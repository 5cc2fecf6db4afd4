//! `theseus rollout status|pause|resume|promote|abort SERVICE -l LABELS`: show, hold, continue,
//! promote or roll back the rollout journaled for one group. A rollout another process runs is
//! asked through etcd ([`crate::rollout::control`]) and this waits until it obeyed; one nobody
//! runs is changed here, under the group's lock ([`crate::rollout::resume`]).

use anyhow::Context as _;

use crate::cli::{ControlArgs, ControlWaitArgs, GroupArgs, RolloutAction, RolloutCommandArgs, RolloutGroupArgs};
use crate::commands::common::{dry_row, read_group, rollout_settings, rollout_status, rollout_timing};
use crate::context::Context;
use crate::error::{ExitStatus, StatusError, UserError};
use crate::etcd::{ControlAction, Journal, JournalState, RolloutKind};
use crate::output::Progress;
use crate::rollout::{
    self, control, nothing_journaled, revision_of, Event, LiveGroup, Reporter, RolloutOutcome, RolloutStatus, Settings,
    Timing,
};
use crate::spec::Rollout;

/// Runs `theseus rollout`.
pub async fn run(ctx: &Context, args: RolloutCommandArgs) -> anyhow::Result<ExitStatus> {
    match args.action {
        RolloutAction::Status(group) => status(ctx, group).await,
        RolloutAction::Pause(args) => pause(ctx, args).await,
        RolloutAction::Resume(args) => control(ctx, args, ControlAction::Resume, false).await,
        RolloutAction::Promote(args) => control(ctx, args.group, ControlAction::Promote, args.full).await,
        RolloutAction::Abort(args) => control(ctx, args, ControlAction::Abort, false).await,
    }
}

/// Checks that `action` applies to the rollout `journal` records (exit 2 if not).
fn applies(action: ControlAction, journal: &Journal, group: &str) -> Result<(), UserError> {
    let awaiting = journal.canary.as_ref().is_some_and(|c| c.promoted.is_none());
    let held_for_promotion =
        journal.state == JournalState::Paused && journal.hold.as_ref().is_some_and(|h| h.reason != "paused");
    match action {
        ControlAction::Promote if !awaiting => Err(UserError::with_hint(
            format!("the {} of `{group}` has no canary awaiting promotion", journal.kind),
            format!(
                "`theseus rollout status {group}` shows it; `theseus rollout resume {group}` continues a paused one"
            ),
        )),
        ControlAction::Resume if held_for_promotion => Err(UserError::with_hint(
            format!("the canary of `{group}` awaits promotion"),
            format!("`theseus rollout promote {group}` goes on with it; `theseus rollout abort {group}` rolls it back"),
        )),
        _ => Ok(()),
    }
}

/// The error of a request the running rollout did not carry out (exit as `status`).
fn unanswered(status: ExitStatus, message: String, hint: &str) -> anyhow::Error {
    StatusError { status, message, hint: Some(hint.to_owned()) }.into()
}

/// Asks the process running the group's rollout (if one does) to obey `action`, and waits. `None`
/// when nobody runs it: the caller does the work itself.
async fn ask_running(
    ctx: &Context,
    group: &LiveGroup,
    action: ControlAction,
    full: bool,
    wait: &ControlWaitArgs,
) -> anyhow::Result<Option<ExitStatus>> {
    let etcd = ctx.etcd().await?;
    let name = format!("{}/{}", group.key.service(), group.key.group());
    let Some(holder) = etcd.group_lock_holder(&group.key).await.context("reading the group's lock")? else {
        return Ok(None);
    };
    let request = control::request(action, full, &ctx.requester);
    let timeout = if wait.no_wait { std::time::Duration::ZERO } else { wait.timeout };
    ctx.out.status("Asking", format!("{holder} to {action} the rollout of {name}"));
    let done = move |j: &Journal| match action {
        ControlAction::Pause => j.state == JournalState::Paused,
        ControlAction::Resume => j.state != JournalState::Paused,
        ControlAction::Promote => j.canary.as_ref().is_some_and(|c| c.promoted.is_some()),
        // The rollback ends with the journal gone (or `failed` when it failed).
        ControlAction::Abort => j.state == JournalState::Failed,
    };
    let answer = control::ask(etcd, &group.key, &request, timeout, done).await.context("asking the running rollout")?;
    use control::Answer;
    match answer {
        Answer::TimedOut if wait.no_wait => {
            ctx.out.status("Asked", format!("{name}: the running rollout obeys at its next safe point"));
            Ok(Some(ExitStatus::Success))
        }
        Answer::TimedOut => Err(unanswered(
            ExitStatus::Deadline,
            format!("the rollout of `{name}` did not {action} within {}", humantime::format_duration(wait.timeout)),
            "the request stays in etcd: the rollout obeys it at its next safe point; `theseus rollout status` shows it",
        )),
        Answer::Superseded(other) => Err(unanswered(
            ExitStatus::Failure,
            format!("{} by {} replaced this {action} before the rollout of `{name}` took it", other.action, other.by),
            "`theseus rollout status` shows where the rollout stands",
        )),
        Answer::NobodyRuns => Ok(None),
        Answer::Obeyed(journal) if action == ControlAction::Abort => Err(unanswered(
            ExitStatus::RollbackFailed,
            format!(
                "the rollout of `{name}` was aborted, but its rollback failed: {}",
                journal.reason.as_deref().unwrap_or("see `theseus rollout status`")
            ),
            "`theseus rollout abort` again retries the rollback",
        )),
        Answer::Obeyed(journal) => {
            let what = match action {
                ControlAction::Pause => "Paused",
                ControlAction::Resume => "Resumed",
                _ => "Promoted",
            };
            ctx.out.status(what, format!("{name} ({} of {} batch(es) done)", journal.batches_done, journal.plan.len()));
            Ok(Some(ExitStatus::Success))
        }
        Answer::Ended { obeyed, last } => ended(ctx, group, &name, action, obeyed, last.as_ref()).await.map(Some),
    }
}

/// After the journal of a rollout that was asked to `action` went: the request did what it
/// asked when the group runs, alone, the revision it asked for (the old one, healthy and at
/// full capacity, for an abort; the new one for a promote or resume). A pause of a rollout that
/// ended did not happen.
async fn ended(
    ctx: &Context,
    group: &LiveGroup,
    name: &str,
    action: ControlAction,
    obeyed: bool,
    last: Option<&Journal>,
) -> anyhow::Result<ExitStatus> {
    let (fresh, _) = read_group(ctx, group.key.service(), &[group.key.group().to_owned()]).await?;
    let now = fresh.current().map(revision_of).unwrap_or_default();
    let target = match action {
        ControlAction::Abort => last.and_then(|j| j.from.as_ref()).map(|f| f.revision.clone()),
        ControlAction::Promote | ControlAction::Resume => last.map(|j| j.to.revision.clone()),
        ControlAction::Pause => None,
    };
    match (fresh.apps.as_slice(), target) {
        ([app], Some(target)) if revision_of(app) == target => {
            if action == ControlAction::Abort && rollout::wait::counts(app).healthy < app.instances.unwrap_or(0) {
                return Err(unanswered(
                    ExitStatus::RollbackFailed,
                    format!("the rollout of `{name}` was rolled back to {target}, but not every task is healthy"),
                    "`theseus view` shows it",
                ));
            }
            let verb = if action == ControlAction::Abort { "Aborted" } else { "Done" };
            ctx.out.status(verb, format!("{name} runs {target}"));
            Ok(ExitStatus::Success)
        }
        _ if action == ControlAction::Abort && obeyed => Err(unanswered(
            ExitStatus::RollbackFailed,
            format!("the rollout of `{name}` was aborted, but the group runs {now}, not its old revision"),
            "`theseus rollout status` and `theseus view` show it",
        )),
        _ => Err(unanswered(
            ExitStatus::Failure,
            format!("the rollout of `{name}` ended before it took the {action}; it runs {now}"),
            "`theseus history` shows the revisions; `theseus rollback` goes back to an older one",
        )),
    }
}

/// `rollout pause`.
async fn pause(ctx: &Context, args: ControlArgs) -> anyhow::Result<ExitStatus> {
    let (group, namespace, journal) = journaled(ctx, &args.group).await?;
    let name = format!("{}/{}", group.key.service(), group.key.group());
    if journal.state == JournalState::Paused {
        ctx.out.status("Paused", format!("{name} already is ({})", journal.reason.as_deref().unwrap_or("paused")));
        return Ok(ExitStatus::Success);
    }
    if let Some(status) = ask_running(ctx, &group, ControlAction::Pause, false, &args.control).await? {
        return Ok(status);
    }
    let etcd = ctx.etcd().await?;
    let timing = Timing {
        wait: true,
        timeout: args.control.timeout,
        poll: std::time::Duration::from_secs(1),
        fail_after: std::time::Duration::from_secs(30),
        lock_timeout: args.lock_timeout,
    };
    let scope = ctx.scope(etcd, &namespace, timing)?;
    rollout::pause(scope, &group, &ctx.requester).await?;
    ctx.out.status("Paused", format!("{name} (nobody ran it: journaled as paused)"));
    Ok(ExitStatus::Success)
}

/// `rollout resume|promote|abort`: ask the running rollout, or do it here.
async fn control(
    ctx: &Context,
    args: RolloutGroupArgs,
    action: ControlAction,
    full: bool,
) -> anyhow::Result<ExitStatus> {
    let (group, _, journal) = journaled(ctx, &args.group).await?;
    let name = format!("{}/{}", group.key.service(), group.key.group());
    applies(action, &journal, &name)?;
    if !args.rollout.dry_run {
        if let Some(status) = ask_running(ctx, &group, action, full, &args.control).await? {
            return Ok(status);
        }
    }
    let promoted_by = (action == ControlAction::Promote).then(|| ctx.requester.clone());
    change(ctx, args, action != ControlAction::Abort, promoted_by, full).await
}

/// The group and its journal; no journal is a usage error (exit 2).
async fn journaled(ctx: &Context, args: &GroupArgs) -> anyhow::Result<(LiveGroup, String, Journal)> {
    let (group, namespace) = read_group(ctx, &args.service, &args.labels).await?;
    let journal = ctx
        .etcd()
        .await?
        .get_rollout(&group.key)
        .await
        .with_context(|| format!("reading the rollout journal of `{}`", group.group_id))?
        .ok_or_else(|| nothing_journaled(&group))?;
    Ok((group, namespace, journal))
}

async fn status(ctx: &Context, args: GroupArgs) -> anyhow::Result<ExitStatus> {
    let (group, _, journal) = journaled(ctx, &args).await?;
    let lock = ctx
        .etcd()
        .await?
        .group_lock_holder(&group.key)
        .await
        .with_context(|| format!("reading the lock of `{}`", group.group_id))?;
    ctx.out.result(&RolloutStatus::of(&journal, Some(&group), lock))?;
    Ok(ExitStatus::Success)
}

/// The journaled settings under the flags.
fn settings(args: &RolloutGroupArgs, journal: &Journal) -> anyhow::Result<Settings> {
    let journaled: Rollout = serde_json::from_value(journal.rollout.clone()).unwrap_or_default();
    Ok(rollout_settings(&args.rollout, &journaled, journal.message.clone())?)
}

/// `resume` (or `abort` when `forward` is false) here, under the group's lock; a promotion by
/// `promoted_by` (with `full`: no gates or pauses left).
async fn change(
    ctx: &Context,
    args: RolloutGroupArgs,
    forward: bool,
    promoted_by: Option<String>,
    full: bool,
) -> anyhow::Result<ExitStatus> {
    let (group, namespace, journal) = journaled(ctx, &args.group).await?;
    let mut settings = settings(&args, &journal)?;
    settings.promoted_by = promoted_by;
    settings.full = full;
    settings.resuming = true;
    let (from, to) = (journal.from.as_ref().map(|f| f.revision.clone()), Some(journal.to.revision.clone()));
    if args.rollout.dry_run {
        let left = journal.plan.iter().skip(journal.batches_done as usize).copied().collect();
        let row = match (forward, journal.kind) {
            (true, RolloutKind::Update) => {
                dry_row(&group, RolloutOutcome::WouldRoll, (from, to), journal.to.instances, left)
            }
            (true, RolloutKind::Restart) => {
                dry_row(&group, RolloutOutcome::WouldRestart, (from, to), journal.to.instances, left)
            }
            (false, _) => {
                let instances = journal.from.as_ref().map_or(0, |f| f.instances);
                dry_row(&group, RolloutOutcome::WouldRollBack, (to, from), instances, Vec::new())
            }
        };
        ctx.out.result(&vec![row])?;
        ctx.out.status("Dry run", "nothing was changed");
        return Ok(ExitStatus::Success);
    }
    let etcd = ctx.etcd().await?;
    let done = format!("{} of {} batch(es) done", journal.batches_done, journal.plan.len());
    let (verb, finished) = if forward { ("Resuming", "Resumed") } else { ("Aborting", "Aborted") };
    ctx.out.status(verb, format!("the {} of {} ({done}, {})", journal.kind, group.group_id, journal.state));
    let progress = Progress::new(&ctx.out, finished);
    progress.on(Event::Started { total: 1 });
    let waiting = rollout_timing(&args.rollout, &settings);
    let scope = ctx.scope(etcd, &namespace, waiting)?;
    let result = if forward {
        rollout::resume(scope, &group, &journal, &settings, &progress, ctx.cancel()).await?
    } else {
        rollout::abort(scope, &group, &settings, &progress, ctx.cancel()).await?
    };
    drop(progress);
    let results = vec![result];
    ctx.out.result(&results)?;
    rollout_status(&results)
}
