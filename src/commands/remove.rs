//! `theseus remove SERVICE [-l LABELS]`, `remove SERVICE/GROUP` or `remove FILE` / `-f FILE`:
//! remove groups.
//!
//! Refuses to remove a whole service, or every group of a file, without `--all` or a label
//! selection (`--dry-run` previews it without either). Groups registered in etcd but gone from
//! Marathon are cleaned up too. Nothing to remove exits 2, or 0 with `--ignore-not-found`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::cli::RemoveArgs;
use crate::commands::common::{load_paths, registered, selection, waiting};
use crate::context::Context;
use crate::error::{ExitStatus, UserError};
use crate::etcd::Driver;
use crate::names::{is_valid_name, GroupKey};
use crate::rollout::apply::{self, Doomed, GroupResult, Scope};
use crate::rollout::live::{group_id, LiveGroup, Snapshot};
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
    let snap = Snapshot::read_in(ctx.marathon()?, namespace.as_deref(), &services, &selector)
        .await
        .context("reading the groups from Marathon")?;
    let namespace = match (namespace, &target) {
        (Some(ns), _) => ns,
        (None, Target::Service(service)) if snap.namespaces_of(service).is_empty() => {
            // Marathon has none: the namespace that owns the selected etcd records.
            match etcd_owner(etcd, &services, &selector).await? {
                Some(ns) => ns,
                None => ctx.namespace_of(service, &snap)?,
            }
        }
        (None, Target::Service(service)) => ctx.namespace_of(service, &snap)?,
        (None, Target::Files(_)) => crate::spec::DEFAULT_NAMESPACE.to_owned(),
    };
    let mut doomed: Vec<Doomed> = Vec::new();
    for s in &services {
        for g in snap.groups.values().filter(|g| g.key.service() == s && g.namespace == namespace) {
            doomed.push(Doomed { key: g.key.clone(), group_id: g.group_id.clone() });
        }
        if etcd.service_exists(s).await.context("reading etcd")? {
            for group in etcd.get_service_groups(s).await.context("reading etcd")? {
                // etcd may hold names theseus never wrote; they are not groups of ours.
                let Ok(key) = GroupKey::new(s, group) else { continue };
                // Another namespace's record is not a group of this one (issue 11).
                let owner = etcd.group_owner(&key).await.context("reading etcd")?;
                if owner.is_some_and(|o| o.namespace != namespace.trim_matches('/')) {
                    continue;
                }
                if selector.matches(key.labels()) && !doomed.iter().any(|d| d.key == key) {
                    let group_id = group_id(&namespace, s, key.group());
                    doomed.push(Doomed { key, group_id });
                }
            }
        }
    }
    if let Some(keys) = &spec_groups {
        doomed.retain(|d| keys.contains(&d.key));
    }
    if doomed.is_empty() {
        // A service marker left without groups (a remove interrupted between its last etcd
        // writes) is cleaned up; it names no group, so any namespace may delete it.
        let mut cleaned = false;
        if !args.dry_run {
            for s in &services {
                cleaned |= etcd.remove_service_if_empty(s).await.context("cleaning up etcd")?;
            }
        }
        if cleaned {
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
    let mut results = apply::remove(
        Scope::new(ctx.marathon()?, etcd, &namespace, waiting(&args.wait), &ctx.owner),
        &doomed,
        args.force,
        args.dry_run,
        ctx.cancel(),
    )
    .await?;
    if args.dry_run {
        preview_counts(&mut results, &snap, etcd).await?;
        if !explicit && !args.all {
            ctx.out.warn(format!("removing {what} needs --all (or -l LABELS) without --dry-run"));
        }
    }
    ctx.out.result(&results)?;
    Ok(ExitStatus::Success)
}

/// The one namespace owning the etcd records of the selected groups, for a remove that names
/// no namespace of groups Marathon no longer has; several are a [`UserError`].
async fn etcd_owner(etcd: &Driver, services: &[String], selector: &Selector) -> anyhow::Result<Option<String>> {
    let mut owners: Vec<String> = Vec::new();
    for s in services {
        if !etcd.service_exists(s).await.context("reading etcd")? {
            continue;
        }
        for group in etcd.get_service_groups(s).await.context("reading etcd")? {
            let Ok(key) = GroupKey::new(s, group) else { continue };
            if !selector.matches(key.labels()) {
                continue;
            }
            if let Some(owner) = etcd.group_owner(&key).await.context("reading etcd")? {
                owners.push(owner.namespace);
            }
        }
    }
    owners.sort();
    owners.dedup();
    match owners.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        many => Err(UserError::with_hint(
            format!("the selected groups are recorded in etcd by several namespaces: {}", many.join(", ")),
            "choose one with --namespace or THESEUS_NAMESPACE",
        )
        .into()),
    }
}

/// `--dry-run` shows each group as it stands: its revision, desired instances and registered
/// containers (what removing it would take away).
async fn preview_counts(results: &mut [GroupResult], snap: &Snapshot, etcd: &Driver) -> anyhow::Result<()> {
    for r in results {
        let key = GroupKey::new(&r.service, &r.group)?;
        if let Some(live) = snap.group(&key) {
            r.revision = live.revisions().into_iter().next();
            r.instances = LiveGroup::desired(live);
        }
        r.registered = registered(etcd, &r.service, &r.group).await?;
    }
    Ok(())
}
