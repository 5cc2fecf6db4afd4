//! `theseus create FILE`: create the selected groups, wait until healthy, register them.
//!
//! Reads Marathon first, so that nothing is announced before the selection is known to be
//! creatable, `--skip-existing` reports the skipped groups as they stand (revision, instances,
//! registered containers) and warns when one differs from the spec, and `--dry-run` can say
//! what would happen without changing anything.

use anyhow::Context as _;

use crate::cli::CreateArgs;
use crate::commands::common::{load_spec, waiting};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::output::Progress;
use crate::rollout::{self, Desired, GroupResult, Outcome, Snapshot};
use crate::spec::labels::Selector;

/// Runs `theseus create`.
pub async fn run(ctx: &Context, args: CreateArgs) -> anyhow::Result<ExitStatus> {
    let spec = load_spec(&args.files, ctx)?;
    let selector = Selector::parse(&args.selection.labels)?;
    let groups = spec.select(&args.selection.services, &selector)?;
    let desired = groups.iter().map(|g| rollout::desired(g, &spec.namespace)).collect::<Result<Vec<_>, _>>()?;
    let etcd = ctx.etcd().await?;
    let marathon = ctx.marathon()?;
    let mut services: Vec<String> = desired.iter().map(|d| d.key.service().to_owned()).collect();
    services.sort();
    services.dedup();
    let snap = Snapshot::read(marathon, &spec.namespace, &services, &Selector::default())
        .await
        .with_context(|| format!("reading groups under `/{}`", spec.namespace))?;
    let (existing, new): (Vec<&Desired>, Vec<&Desired>) = desired.iter().partition(|d| snap.group(&d.key).is_some());
    if args.skip_existing {
        for d in &existing {
            warn_if_different(ctx, d, &snap);
        }
    }
    if args.dry_run || (existing.is_empty() || args.skip_existing) && !new.is_empty() {
        let skipping = if existing.is_empty() || !args.skip_existing {
            String::new()
        } else {
            format!(", skipping {} that exist", existing.len())
        };
        let verb = if args.dry_run { "Would create" } else { "Creating" };
        ctx.out.status(verb, format!("{} group(s) under /{}{skipping}", new.len(), spec.namespace));
    }
    let mut results = if args.dry_run {
        dry_run(&existing, &new, args.skip_existing)?
    } else {
        let progress = Progress::new(&ctx.out, "Deployed");
        let scope = ctx.scope(etcd, &spec.namespace, waiting(&args.wait))?;
        let results = rollout::create(scope, &desired, args.skip_existing, &progress, ctx.cancel())
            .await
            .map_err(|e| super::common::undone_rows(ctx, e))?;
        drop(progress);
        results
    };
    rollout::fill_registered(etcd, results.iter_mut().filter(|r| r.result == Outcome::Skipped)).await?;
    ctx.out.result(&results)?;
    Ok(ExitStatus::Success)
}

/// `--dry-run`: the groups that would be created, and those skipped as they stand; existing
/// groups without `--skip-existing` fail as the real run would (exit 2).
fn dry_run(existing: &[&Desired], new: &[&Desired], skip_existing: bool) -> anyhow::Result<Vec<GroupResult>> {
    if !existing.is_empty() && !skip_existing {
        let names: Vec<String> = existing.iter().map(|d| format!("`{}`", d.group_id)).collect();
        return Err(crate::error::UserError::with_hint(
            format!("{} already exist{} in Marathon", names.join(", "), if names.len() == 1 { "s" } else { "" }),
            "pass --skip-existing to create only the missing groups, or use `theseus plan` to see the differences",
        )
        .into());
    }
    let row = |d: &Desired, result: Outcome| GroupResult {
        service: d.key.service().to_owned(),
        group: d.key.group().to_owned(),
        id: d.group_id.clone(),
        result,
        revision: Some(d.revision()),
        instances: d.app.instances.unwrap_or(1),
        deployment: None,
        converged: false,
        registered: 0,
        evidence: None,
    };
    Ok(existing
        .iter()
        .map(|d| row(d, Outcome::Skipped))
        .chain(new.iter().map(|d| row(d, Outcome::WouldCreate)))
        .collect())
}

/// Warns when a group `--skip-existing` leaves alone runs something else than the spec says.
fn warn_if_different(ctx: &Context, d: &Desired, snap: &Snapshot) {
    let Some(live) = snap.group(&d.key) else { return };
    let mut differences = Vec::new();
    let live_revisions = live.revisions();
    if live_revisions.len() != 1 || live_revisions[0] != d.revision() {
        differences.push(format!("revision {} in Marathon, {} in the spec", live_revisions.join(","), d.revision()));
    }
    let want = d.app.instances.unwrap_or(1);
    if live.desired() != want {
        differences.push(format!("{} instance(s) in Marathon, {want} in the spec", live.desired()));
    }
    if !differences.is_empty() {
        ctx.out.warn(format!(
            "skipped `{}/{}` differs from the spec ({}); `theseus plan` shows how, `theseus update` applies it",
            d.key.service(),
            d.key.group(),
            differences.join("; ")
        ));
    }
}
