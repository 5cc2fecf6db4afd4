//! `theseus update FILE`: roll the selected groups forward to the spec, each under its own lock
//! ([`crate::rollout::update_group`] decides what each group gets): all of them in parallel, or,
//! with `--waves`, one wave after another (the groups of a wave in parallel), a wave starting
//! only when every group of the one before finished well; a wave that did not stops the rest,
//! whose groups are reported `skipped`.

use std::future::Future;
use std::time::Instant;

use anyhow::Context as _;
use futures::future::join_all;
use futures::FutureExt as _;

use crate::cli::UpdateArgs;
use crate::commands::common::{canary_settings, load_spec, rollout_settings, rollout_status, rollout_timing};
use crate::context::Context;
use crate::error::{ExitStatus, StatusError};
use crate::error_reporting::classify;
use crate::output::Progress;
use crate::rollout::{
    self, plan, Desired, Event, GroupPlan, Member, Reporter, RolloutOutcome, RolloutResult, Scope, Settings, Snapshot,
    Wave,
};
use crate::spec::labels::Selector;
use crate::spec::Rollout;

/// Runs `theseus update`.
pub async fn run(ctx: &Context, args: UpdateArgs) -> anyhow::Result<ExitStatus> {
    let spec = load_spec(&args.files, ctx)?;
    let selector = Selector::parse(&args.selection.labels)?;
    let groups = spec.select(&args.selection.services, &selector)?;
    let waves = args.waves.as_deref().map(Wave::parse_all).transpose()?;
    // The groups each wave rolls, as indices into `groups`: one wave of them all without --waves.
    let members = match &waves {
        Some(waves) => {
            let members: Vec<Member<'_>> =
                groups.iter().map(|g| Member { service: &g.service, labels: &g.labels }).collect();
            rollout::assign_waves(waves, &members)?
        }
        None => vec![(0..groups.len()).collect()],
    };
    let desired = groups.iter().map(|g| rollout::desired(g, &spec.namespace)).collect::<Result<Vec<_>, _>>()?;
    let settings: Vec<Settings> = groups
        .iter()
        .map(|g| canary_settings(&args.canary, rollout_settings(&args.rollout, &g.rollout, args.message.clone())?))
        .collect::<Result<_, _>>()?;
    let services: Vec<String> = spec.services().into_iter().map(str::to_owned).collect();
    let snap = read(ctx, &spec.namespace, &services).await?;
    let plans = plan(&desired, &snap, false);
    if args.rollout.dry_run {
        let mut results = Vec::new();
        for (w, indices) in members.iter().enumerate() {
            for &i in indices {
                let row = rollout::dry_run_row(&plans[i], &settings[i], desired[i].app.instances.unwrap_or(1));
                results.push(RolloutResult { wave: waves.as_ref().map(|ws| ws[w].number), ..row });
            }
        }
        ctx.out.result(&results)?;
        ctx.out.status("Dry run", "nothing was changed");
        return Ok(ExitStatus::Success);
    }
    let etcd = ctx.etcd().await?;
    let changing = plans.iter().filter(|p| p.is_change()).count();
    let in_waves = waves.as_ref().map(|ws| format!(" in {} waves", ws.len())).unwrap_or_default();
    ctx.out.status("Updating", format!("{changing} of {} group(s) under /{}{in_waves}", plans.len(), spec.namespace));
    let timing = rollout_timing(&args.rollout, &rollout_settings(&args.rollout, &Rollout::default(), None)?);
    let scope = ctx.scope(etcd, &spec.namespace, timing)?;
    // One Ctrl-C listener for the whole run: every group's waits end on it, and one pressed
    // between two waves is still seen (the next wave does not start).
    let cancel = ctx.cancel().shared();
    let update = Update { ctx, scope, desired: &desired, settings: &settings, services: &services, cancel };
    let Some(waves) = waves else {
        let results = update.wave(&snap, &plans, &members[0]).await;
        ctx.out.result(&results)?;
        return rollout_status(&results);
    };
    let (results, interrupted_between) = update.waves(&waves, &members, &snap, plans).await;
    ctx.out.result(&results)?;
    finish(&results, interrupted_between)
}

/// `s` after a count other than 1.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Reads the spec's services from Marathon.
async fn read(ctx: &Context, namespace: &str, services: &[String]) -> anyhow::Result<Snapshot> {
    Snapshot::read(ctx.marathon()?, namespace, services, &Selector::default())
        .await
        .with_context(|| format!("reading groups under `/{namespace}`"))
}

/// The exit status of a run in waves: the worst of the groups that ran (the skipped ones ask
/// for none), or `interrupted` when Ctrl-C came between two waves; the error counts the
/// groups skipped.
fn finish(results: &[RolloutResult], interrupted_between: bool) -> anyhow::Result<ExitStatus> {
    let (skipped, ran): (Vec<RolloutResult>, Vec<RolloutResult>) =
        results.iter().cloned().partition(|r| r.outcome == RolloutOutcome::Skipped);
    let note = format!("; {} group(s) of the later waves skipped", skipped.len());
    match rollout_status(&ran) {
        Err(err) if !skipped.is_empty() => match err.downcast::<StatusError>() {
            Ok(mut e) => {
                e.message.push_str(&note);
                let rerun = "once fixed, the same `theseus update --waves` rolls the skipped waves (the finished ones are unchanged)";
                e.hint = Some(e.hint.map_or_else(|| rerun.to_owned(), |h| format!("{h}; {rerun}")));
                Err(e.into())
            }
            Err(err) => Err(err),
        },
        Ok(_) if interrupted_between => Err(StatusError {
            status: ExitStatus::Interrupted,
            message: format!("interrupted between two waves{note}"),
            hint: Some("the waves that ran finished; run the same `theseus update` again for the rest".into()),
        }
        .into()),
        other => other,
    }
}

/// What the groups of one `update` share while its waves roll.
struct Update<'a, C> {
    /// The command's context (the terminal, Ctrl-C).
    ctx: &'a Context,
    /// Where the groups live, and the waits.
    scope: Scope<'a>,
    /// Each group's desired state, in the spec's order.
    desired: &'a [Desired],
    /// Each group's rollout settings, in the same order.
    settings: &'a [Settings],
    /// The spec's services, read again from Marathon before each wave after the first.
    services: &'a [String],
    /// Completes on Ctrl-C.
    cancel: C,
}

impl<C: Future<Output = ()> + Clone> Update<'_, C> {
    /// Rolls the groups `indices` of `plans` (made from `snap`) in parallel, with their progress
    /// shown while they run: one row each, in the order of `indices`.
    async fn wave(&self, snap: &Snapshot, plans: &[GroupPlan], indices: &[usize]) -> Vec<RolloutResult> {
        let progress = Progress::new(&self.ctx.out, "Updated");
        progress.on(Event::Started { total: indices.iter().filter(|&&i| plans[i].is_change()).count() });
        let work = indices.iter().map(|&i| {
            let (p, d, s) = (&plans[i], &self.desired[i], &self.settings[i]);
            let progress = &progress;
            async move {
                let started = Instant::now();
                match rollout::update_group(self.scope, snap, p, d, s, progress, self.cancel.clone()).await {
                    Ok(row) => row,
                    // A group's error is its row, with the status it classifies as.
                    Err(err) => rollout::failed_row(p, d, &err, classify(&err), started),
                }
            }
        });
        let rows = join_all(work).await;
        drop(progress);
        rows
    }

    /// Rolls the groups wave by wave (`members`: each wave's indices into the groups; `plans`
    /// made from `snap`), each wave planned afresh against Marathon once an earlier one ran.
    /// Returns every group's row in wave order, and whether Ctrl-C came between two waves.
    async fn waves(
        &self,
        waves: &[Wave],
        members: &[Vec<usize>],
        snap: &Snapshot,
        mut plans: Vec<GroupPlan>,
    ) -> (Vec<RolloutResult>, bool) {
        let (out, desired) = (&self.ctx.out, self.desired);
        let mut results: Vec<RolloutResult> = Vec::new();
        // Why the waves left do not run, once one did not finish (or Ctrl-C came between two).
        let mut stopped: Option<String> = None;
        let mut interrupted_between = false;
        for (w, (wave, indices)) in waves.iter().zip(members).enumerate() {
            if stopped.is_none() && self.cancel.clone().now_or_never().is_some() {
                stopped = Some(format!("interrupted before {}", wave.name()));
                interrupted_between = true;
            }
            if let Some(why) = &stopped {
                results.extend(indices.iter().map(|&i| rollout::skipped_row(&plans[i], &desired[i], wave.number, why)));
                continue;
            }
            let (n, of) = (wave.number, waves.len());
            if indices.is_empty() {
                out.status("Wave", format!("{n}/{of}: {} matches no selected group; skipped over", wave.text));
                continue;
            }
            out.status("Wave", format!("{n}/{of}: {} ({} group{})", wave.text, indices.len(), plural(indices.len())));
            let rows = if results.is_empty() {
                self.wave(snap, &plans, indices).await
            } else {
                // Marathon moved on while the waves before ran: this one is planned afresh.
                let started = Instant::now();
                match read(self.ctx, self.scope.namespace, self.services).await {
                    Ok(now) => {
                        plans = plan(desired, &now, false);
                        self.wave(&now, &plans, indices).await
                    }
                    Err(err) => {
                        let err = err.context(format!("before {}", wave.name()));
                        let failed =
                            |&i: &usize| rollout::failed_row(&plans[i], &desired[i], &err, classify(&err), started);
                        indices.iter().map(failed).collect()
                    }
                }
            };
            if rows.iter().any(|r| r.status != ExitStatus::Success) {
                let why = rollout::stop_reason(wave, &rows);
                let later: usize = members[w + 1..].iter().map(Vec::len).sum();
                if later > 0 {
                    out.status("Stopped", format!("{why}; {later} group(s) of the later waves skipped"));
                }
                stopped = Some(why);
            }
            results.extend(rows.into_iter().map(|r| RolloutResult { wave: Some(n), ..r }));
        }
        (results, interrupted_between)
    }
}
