//! Small pieces of glue several commands share: loading the spec under the namespace flag and
//! turning wait and rollout flags into settings, reading one service's groups, and the exit
//! status of a rollout command, the one group a `SERVICE -l LABELS` command acts on.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::cli::{CanaryArgs, RolloutArgs, SpecFiles, WaitArgs};
use crate::context::Context;
use crate::error::{ExitStatus, StatusError, UserError};
use crate::rollout::{self, LiveGroup, RolloutOutcome, RolloutResult, Settings, Snapshot, Timing, Timings};
use crate::spec::labels::Selector;
use crate::spec::{self, Amount, Promote, Rollout, Spec};

/// Loads and validates the spec files of `FILE`/`-f FILE...`, applying `--namespace`.
pub fn load_spec(files: &SpecFiles, ctx: &Context) -> anyhow::Result<Spec> {
    load_paths(&files.paths(), ctx)
}

/// Loads and validates spec files (`-` is standard input, once) as one spec, then applies
/// `--namespace`. `THESEUS_NAMESPACE` may not silently move a spec that names its own
/// namespace elsewhere: that is a usage error (the flag is an explicit override and may).
pub fn load_paths(paths: &[PathBuf], ctx: &Context) -> anyhow::Result<Spec> {
    let mut specs = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        if path.as_os_str() == "-" {
            if paths[..i].iter().any(|p| p.as_os_str() == "-") {
                return Err(UserError::new("`-` (standard input) is given more than once").into());
            }
            specs.push(spec::load_stdin()?);
        } else {
            specs.push(spec::load(path)?);
        }
    }
    for s in &specs {
        for w in &s.warnings {
            let at = w.position.map(|(line, col)| format!(":{line}:{col}")).unwrap_or_default();
            let hint = w.hint.as_deref().map(|h| format!("\n  hint: {h}")).unwrap_or_default();
            ctx.out.warn(format!("{}{at}: {}{hint}", s.path.display(), w.message));
        }
    }
    let spec = Spec::merge(specs)?;
    if let Some(ns) = ctx.namespace_flag() {
        let wanted = spec::ids::normalize_namespace(ns);
        if ctx.namespace_from_env() && spec.namespace_set && wanted != spec.namespace {
            return Err(UserError::with_hint(
                format!(
                    "THESEUS_NAMESPACE is `{wanted}` but `{}` sets namespace = \"{}\"",
                    spec.path.display(),
                    spec.namespace
                ),
                format!("unset THESEUS_NAMESPACE, or pass --namespace {wanted} to deploy the spec there on purpose"),
            )
            .into());
        }
    }
    Ok(spec.with_namespace(ctx.namespace_flag())?)
}

/// The timings of the `--no-wait`, `--timeout`, `--poll-interval`, `--fail-after` and
/// `--lock-timeout` flags.
pub fn waiting(args: &WaitArgs) -> Timing {
    Timing {
        wait: !args.no_wait,
        timeout: args.timeout,
        poll: args.poll_interval,
        fail_after: args.fail_after,
        lock_timeout: args.lock_timeout,
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
        message,
        detach: false,
        promoted_by: None,
        full: false,
        resuming: false,
    })
}

/// The rollout settings of one group with the canary flags applied over them (and over the
/// spec's `rollout` table), checked: exit 2 for a gate, promotion or detach without a canary.
pub fn canary_settings(args: &CanaryArgs, mut settings: Settings) -> Result<Settings, UserError> {
    let r = &mut settings.rollout;
    if let Some(c) = args.canary {
        r.canary = Some(c);
    }
    if let Some(d) = args.canary_for {
        r.canary_for = d;
    }
    if let Some(g) = &args.gate {
        if g.trim().is_empty() {
            return Err(UserError::with_hint("--gate must not be empty", "e.g. --gate './smoke-test.sh'"));
        }
        r.gate = Some(g.clone());
    }
    if let Some(t) = args.gate_timeout {
        if t.is_zero() {
            return Err(UserError::with_hint("--gate-timeout must be longer than 0s", "e.g. --gate-timeout 5m"));
        }
        r.gate_timeout = t;
    }
    if let Some(p) = args.promote {
        r.promote = p.into();
    }
    if let Some(b) = args.bake {
        r.bake = b;
    }
    if matches!(r.canary, Some(Amount::Count(0) | Amount::Percent(0))) {
        return Err(UserError::with_hint("--canary must be at least 1 (or 1%)", "e.g. --canary 1 or --canary 10%"));
    }
    if r.canary.is_none() {
        let needs = [
            (args.detach, "--detach"),
            (r.gate.is_some(), "a gate command (--gate)"),
            (!r.canary_for.is_zero(), "--canary-for"),
            (r.promote == Promote::Manual, "manual promotion (--promote manual)"),
        ];
        if let Some((_, what)) = needs.iter().find(|(set, _)| *set) {
            return Err(UserError::with_hint(
                format!("{what} needs a canary step"),
                "add --canary N (or N%), or `canary = N` in the group's `rollout` table",
            ));
        }
    }
    settings.detach = args.detach;
    Ok(settings)
}

/// The timings of a rollout command (and of the creates and scales inside one): always waits,
/// until healthy, up to the group's deadline.
pub fn rollout_timing(args: &RolloutArgs, settings: &Settings) -> Timing {
    Timing {
        wait: true,
        timeout: settings.rollout.deadline,
        poll: args.poll_interval,
        fail_after: args.fail_after,
        lock_timeout: args.lock_timeout,
    }
}

/// Ends a rollout command: the worst status any group asks for, as an error that carries it
/// (after the results are printed), or success.
pub fn rollout_status(results: &[RolloutResult]) -> anyhow::Result<ExitStatus> {
    let rank = |s: ExitStatus| match s {
        ExitStatus::Success => 0,
        ExitStatus::AwaitingPromotion => 1,
        ExitStatus::RolledBack => 2,
        ExitStatus::Deadline => 3,
        ExitStatus::Locked => 4,
        ExitStatus::Failure | ExitStatus::Usage | ExitStatus::ChangesPending | ExitStatus::NotFresh => 5,
        ExitStatus::RollbackFailed => 6,
        ExitStatus::Interrupted => 7,
    };
    let worst = results.iter().map(|r| r.status).max_by_key(|s| rank(*s)).unwrap_or(ExitStatus::Success);
    if worst == ExitStatus::Success {
        return Ok(ExitStatus::Success);
    }
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r.status != ExitStatus::Success)
        .map(|r| {
            let mut text = format!("{}/{}: {}", r.service, r.group, r.reason.as_deref().unwrap_or("failed"));
            // Marathon's own words about the revision that failed, one per line.
            for line in r.evidence.iter().flat_map(|e| e.lines()) {
                text.push_str("\n    ");
                text.push_str(&line);
            }
            text
        })
        .collect();
    let held: Vec<String> = results
        .iter()
        .filter(|r| r.status == ExitStatus::AwaitingPromotion)
        .map(|r| format!("{}/{}", r.service, r.group))
        .collect();
    let hint = match worst {
        ExitStatus::AwaitingPromotion => {
            let group = held.first().map_or("SERVICE/GROUP", String::as_str);
            format!(
                "`theseus rollout promote {group}` goes on with the rollout, `theseus rollout abort {group}` rolls it \
                 back; `theseus rollout status {group}` shows the canary"
            )
        }
        ExitStatus::RolledBack | ExitStatus::Deadline => "the old revision runs again; `theseus view` shows it".into(),
        ExitStatus::RollbackFailed => "the group is left between revisions; `theseus view` shows it".into(),
        _ => "`theseus view` shows where each group got to".into(),
    };
    let message = if worst == ExitStatus::AwaitingPromotion {
        format!("awaiting promotion: {}", failed.join("; "))
    } else {
        format!("{} of {} group(s) did not roll: {}", failed.len(), results.len(), failed.join("; "))
    };
    Err(StatusError { status: worst, message, hint: Some(hint) }.into())
}

/// The service and selector of `SERVICE -l LABELS`, or of `SERVICE/GROUP` as `-o name`
/// prints it (then exactly that group, which `-l` may only narrow).
pub fn selection(target: &str, labels: &[String]) -> Result<(String, Selector), UserError> {
    let selector = Selector::parse(labels)?;
    match target.split_once('/') {
        Some((service, group)) => Ok((service.to_owned(), selector.exactly(group)?)),
        None => Ok((target.to_owned(), selector)),
    }
}

/// [`selection`] for a command that acts on one group: naming neither labels nor a group is
/// a [`UserError`].
pub fn one_group(target: &str, labels: &[String]) -> Result<(String, Selector), UserError> {
    let (service, selector) = selection(target, labels)?;
    if selector.is_empty() {
        return Err(UserError::with_hint(
            format!("which group of `{target}`? give its labels"),
            format!("`{target} -l LABELS`, or `{target}/GROUP` as `theseus view -o name` prints it"),
        ));
    }
    Ok((service, selector))
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

/// The one live group `SERVICE -l LABELS` (or `SERVICE/GROUP`) names, and its namespace.
pub async fn read_group(ctx: &Context, target: &str, labels: &[String]) -> anyhow::Result<(LiveGroup, String)> {
    let (service, selector) = one_group(target, labels)?;
    let (snap, namespace) = read_service(ctx, &service, &selector).await?;
    let group = rollout::the_group(&snap, &service, &selector)?.clone();
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
        wave: None,
        evidence: None,
    }
}

/// The error of a `create` or scale that ended in `err`: a change that was undone
/// ([`rollout::Undone`]) prints its rows first (with their `evidence`, for `-o json`/`jsonl`),
/// then ends with the error that carries its exit status; any other error as it is.
pub fn undone_rows(ctx: &Context, err: anyhow::Error) -> anyhow::Error {
    match err.downcast::<rollout::Undone>() {
        Ok(undone) => match ctx.out.result(&undone.rows) {
            Ok(()) => undone.error.into(),
            Err(e) => e,
        },
        Err(err) => err,
    }
}
