//! `theseus remove SERVICE [-l LABELS]` or `theseus remove FILE`: remove groups.
//!
//! Refuses to remove a whole service, or every group of a file, without `--all` or a label
//! selection. Groups registered in etcd but gone from Marathon are cleaned up too.

use std::path::Path;

use anyhow::Context as _;

use crate::cli::RemoveArgs;
use crate::commands::common::{load_spec, waiting};
use crate::context::Context;
use crate::error::{ExitStatus, UserError};
use crate::etcd::Driver;
use crate::names::{is_valid_name, GroupKey};
use crate::rollout::apply::{self, Doomed, Scope};
use crate::rollout::live::{group_id, Snapshot};
use crate::spec::labels::Selector;

/// Runs `theseus remove`.
pub async fn run(ctx: &Context, args: RemoveArgs) -> anyhow::Result<ExitStatus> {
    let selector = Selector::parse(&args.labels)?;
    let is_file = args.target.ends_with(".toml") || Path::new(&args.target).is_file();
    // Resolve the selection offline first: which (service, labels) pairs are meant.
    let (namespace, services, spec_groups) = if is_file {
        let spec = load_spec(Path::new(&args.target), ctx)?;
        let picked = spec.select(&args.services, &selector)?;
        let keys = picked.iter().map(|g| GroupKey::new(&g.service, &g.group)).collect::<Result<Vec<_>, _>>()?;
        let mut services: Vec<String> = keys.iter().map(|k| k.service().to_owned()).collect();
        services.dedup();
        (Some(spec.namespace.clone()), services, Some(keys))
    } else {
        if !is_valid_name(&args.target) {
            return Err(UserError::with_hint(
                format!("`{}` is neither a spec file nor a valid service name", args.target),
                "give a service name (lowercase letters, digits, `-`) or the path of a .toml spec file",
            )
            .into());
        }
        if !args.services.is_empty() {
            return Err(UserError::new("-s/--service applies to a spec file; give the service as the argument").into());
        }
        (ctx.namespace_flag().map(str::to_owned), vec![args.target.clone()], None)
    };
    let explicit = !selector.is_empty() || !args.services.is_empty();
    if !explicit && !args.all {
        let what = if is_file {
            format!("every group of `{}`", args.target)
        } else {
            format!("the whole service `{}`", args.target)
        };
        return Err(UserError::with_hint(
            format!("refusing to remove {what} without --all"),
            "select groups with -l LABELS, or pass --all (try --dry-run first)",
        )
        .into());
    }
    let etcd = ctx.etcd().await?;
    let snap = Snapshot::read_in(ctx.marathon()?, namespace.as_deref(), &services, &selector)
        .await
        .context("reading the groups from Marathon")?;
    let namespace = match namespace {
        Some(ns) => ns,
        None if snap.namespaces_of(&args.target).is_empty() => {
            // Marathon has none: the namespace that owns the selected etcd records.
            match etcd_owner(etcd, &services, &selector).await? {
                Some(ns) => ns,
                None => ctx.namespace_of(&args.target, &snap)?,
            }
        }
        None => ctx.namespace_of(&args.target, &snap)?,
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
            ctx.out.result(&Vec::<crate::rollout::apply::GroupResult>::new())?;
            return Ok(ExitStatus::Success);
        }
        return Err(UserError::with_hint(
            "nothing to remove: no such group in Marathon or etcd",
            "`theseus view` lists the groups",
        )
        .into());
    }
    if !args.dry_run {
        ctx.out.status("Removing", format!("{} group(s)", doomed.len()));
    }
    let results = apply::remove(
        Scope {
            marathon: ctx.marathon()?,
            etcd,
            namespace: &namespace,
            waiting: waiting(&args.wait),
            owner: &ctx.owner,
        },
        &doomed,
        args.force,
        args.dry_run,
        ctx.cancel(),
    )
    .await?;
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
