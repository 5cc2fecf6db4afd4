//! `theseus remove SERVICE [-l LABELS]`, `remove SERVICE/GROUP` or `remove FILE` / `-f FILE`:
//! remove groups.
//!
//! Refuses to remove a whole service, or every group of a file, without `--all` or a label
//! selection (`--dry-run` previews it without either). Groups registered in etcd but gone from
//! Marathon are cleaned up too. Nothing to remove exits 2, or 0 with `--ignore-not-found`.

use std::path::{Path, PathBuf};

use crate::cli::RemoveArgs;
use crate::commands::common::{load_paths, selection, waiting};
use crate::context::Context;
use crate::error::{ExitStatus, UserError};
use crate::names::{is_valid_name, GroupKey};
use crate::rollout::{self, preview_removal, removal, remove_empty_services, GroupResult, Removal, Selection};
use crate::spec::labels::Selector;

/// What the arguments name: the spec files, or one service (and the labels given with it).
enum Target {
    Files(Vec<PathBuf>),
    Service(String),
}

/// What the arguments name, and the selection within it (`SERVICE/GROUP` is exactly that group).
fn target(args: &RemoveArgs) -> Result<(Target, Selector), UserError> {
    let Some(t) = &args.target else {
        return Ok((Target::Files(args.files.clone()), Selector::parse(&args.labels)?));
    };
    if t == "-" || t.ends_with(".toml") || Path::new(t).is_file() {
        let files = std::iter::once(PathBuf::from(t)).chain(args.files.iter().cloned()).collect();
        return Ok((Target::Files(files), Selector::parse(&args.labels)?));
    }
    if !args.files.is_empty() {
        return Err(UserError::with_hint(
            format!("`{t}` is not a spec file, and -f gives the spec files"),
            "remove a service (`theseus remove SERVICE -l LABELS`) or spec files (`-f FILE`), not both",
        ));
    }
    let (service, selector) = selection(t, &args.labels)?;
    if !is_valid_name(&service) {
        return Err(UserError::with_hint(
            format!("`{t}` is neither a spec file nor a valid service name"),
            "give a service name (lowercase letters, digits, `-`), SERVICE/GROUP, or the path of a .toml spec file",
        ));
    }
    if !args.services.is_empty() {
        return Err(UserError::new("-s/--service applies to a spec file; give the service as the argument"));
    }
    Ok((Target::Service(service), selector))
}

/// Runs `theseus remove`.
pub async fn run(ctx: &Context, args: RemoveArgs) -> anyhow::Result<ExitStatus> {
    let (target, selector) = target(&args)?;
    // Resolve the selection offline first: which (service, labels) pairs are meant.
    let (namespace, services, spec_groups, what) = match &target {
        Target::Files(files) => {
            let spec = load_paths(files, ctx)?;
            let picked = spec.select(&args.services, &selector)?;
            let keys = picked.iter().map(|g| GroupKey::new(&g.service, &g.group)).collect::<Result<Vec<_>, _>>()?;
            let mut services: Vec<String> = keys.iter().map(|k| k.service().to_owned()).collect();
            services.sort();
            services.dedup();
            let what = format!("every group of `{}`", spec.path.display());
            (Some(spec.namespace.clone()), services, Some(keys), what)
        }
        Target::Service(service) => (
            ctx.namespace_flag().map(str::to_owned),
            vec![service.clone()],
            None,
            format!("the whole service `{service}`"),
        ),
    };
    let explicit = !selector.is_empty() || !args.services.is_empty();
    if !explicit && !args.all && !args.dry_run {
        return Err(UserError::with_hint(
            format!("refusing to remove {what} without --all"),
            "select groups with -l LABELS, or pass --all (--dry-run shows what would go)",
        )
        .into());
    }
    let etcd = ctx.etcd().await?;
    let selection = Selection {
        namespace: namespace.as_deref(),
        services: &services,
        selector: &selector,
        only: spec_groups.as_deref(),
    };
    let Removal { namespace, doomed, snapshot: snap } = removal(ctx.marathon()?, etcd, selection).await?;
    if doomed.is_empty() {
        if !args.dry_run && remove_empty_services(etcd, &services).await? {
            ctx.out.status("Removed", "the marker of a service left without groups");
            ctx.out.result(&Vec::<GroupResult>::new())?;
            return Ok(ExitStatus::Success);
        }
        if args.ignore_not_found {
            ctx.out.status("Removed", "nothing: no such group in Marathon or etcd (--ignore-not-found)");
            ctx.out.result(&Vec::<GroupResult>::new())?;
            return Ok(ExitStatus::Success);
        }
        return Err(UserError::with_hint(
            "nothing to remove: no such group in Marathon or etcd",
            "`theseus view` lists the groups; --ignore-not-found makes this a success",
        )
        .into());
    }
    if !args.dry_run {
        ctx.out.status("Removing", format!("{} group(s)", doomed.len()));
    }
    let mut results = rollout::remove(
        ctx.scope(etcd, &namespace, waiting(&args.wait))?,
        &doomed,
        args.force,
        args.dry_run,
        ctx.cancel(),
    )
    .await?;
    if args.dry_run {
        preview_removal(&mut results, &snap, etcd).await?;
        if !explicit && !args.all {
            ctx.out.warn(format!("removing {what} needs --all (or -l LABELS) without --dry-run"));
        }
    }
    ctx.out.result(&results)?;
    Ok(ExitStatus::Success)
}
