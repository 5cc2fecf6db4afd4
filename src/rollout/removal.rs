//! `theseus remove`'s selection: the groups a removal names, live in Marathon, recorded in
//! etcd by this namespace, or both; the namespace when none is given; and what `--dry-run`
//! shows of each.

use anyhow::Context as _;

use super::live::{group_id, LiveGroup, Snapshot};
use super::remove::Doomed;
use super::result::GroupResult;
use crate::error::UserError;
use crate::etcd::Driver;
use crate::marathon::Client;
use crate::names::GroupKey;
use crate::spec::labels::Selector;

/// What a removal names.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// The namespace given (a spec's, or `--namespace`); `None`: wherever the one service is.
    pub namespace: Option<&'a str>,
    /// The services.
    pub services: &'a [String],
    /// The labels the groups must match.
    pub selector: &'a Selector,
    /// Only these groups (a spec file's selection), if given.
    pub only: Option<&'a [GroupKey]>,
}

/// The groups a removal found.
#[derive(Debug)]
pub struct Removal {
    /// The namespace they live in.
    pub namespace: String,
    /// The groups to remove.
    pub doomed: Vec<Doomed>,
    /// Marathon as read to find them.
    pub snapshot: Snapshot,
}

/// Finds what `selection` names: the groups Marathon has in the namespace, and those etcd
/// records for it (etcd may hold groups Marathon no longer has). Without a namespace, a single
/// service's is where Marathon has it, else the one namespace owning its etcd records.
pub async fn removal(marathon: &Client, etcd: &Driver, selection: Selection<'_>) -> anyhow::Result<Removal> {
    let Selection { namespace, services, selector, only } = selection;
    let snapshot =
        Snapshot::read_in(marathon, namespace, services, selector).await.context("reading the groups from Marathon")?;
    let namespace = match (namespace, services) {
        (Some(ns), _) => ns.to_owned(),
        (None, [service]) if snapshot.namespaces_of(service).is_empty() => {
            // Marathon has none: the namespace that owns the selected etcd records.
            match etcd_owner(etcd, services, selector).await? {
                Some(ns) => ns,
                None => crate::spec::DEFAULT_NAMESPACE.to_owned(),
            }
        }
        (None, [service]) => snapshot.namespace_of(service)?,
        (None, _) => crate::spec::DEFAULT_NAMESPACE.to_owned(),
    };
    let mut doomed: Vec<Doomed> = Vec::new();
    for s in services {
        for g in snapshot.groups.values().filter(|g| g.key.service() == s && g.namespace == namespace) {
            doomed.push(Doomed { key: g.key.clone(), group_id: g.group_id.clone() });
        }
        for recorded in recorded_groups(etcd, s, selector).await? {
            // Another namespace's record is not a group of this one.
            if recorded.owner.as_deref().is_some_and(|o| o != namespace.trim_matches('/')) {
                continue;
            }
            if !doomed.iter().any(|d| d.key == recorded.key) {
                let group_id = group_id(&namespace, s, recorded.key.group());
                doomed.push(Doomed { key: recorded.key, group_id });
            }
        }
    }
    if let Some(keys) = only {
        doomed.retain(|d| keys.contains(&d.key));
    }
    Ok(Removal { namespace, doomed, snapshot })
}

/// The one namespace owning the etcd records of the selected groups, for a remove that names
/// no namespace of groups Marathon no longer has; several are a [`UserError`].
async fn etcd_owner(etcd: &Driver, services: &[String], selector: &Selector) -> anyhow::Result<Option<String>> {
    let mut owners: Vec<String> = Vec::new();
    for s in services {
        owners.extend(recorded_groups(etcd, s, selector).await?.into_iter().filter_map(|g| g.owner));
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

/// Removes the markers of `services` left without groups (a remove interrupted between its
/// last etcd writes); such a marker names no group, so any namespace may delete it. Returns
/// whether one went.
pub async fn remove_empty_services(etcd: &Driver, services: &[String]) -> anyhow::Result<bool> {
    let mut cleaned = false;
    for s in services {
        cleaned |= etcd.remove_service_if_empty(s).await.context("cleaning up etcd")?;
    }
    Ok(cleaned)
}

/// A group etcd records under a service.
struct Recorded {
    key: GroupKey,
    /// The namespace its config records, if any.
    owner: Option<String>,
}

/// The groups etcd records under `service` (none without its marker) that `selector` matches,
/// each with the namespace its config records: the group list in one range read, then every
/// group's config in the batched transactions of [`Driver::registration_counts`], not a read
/// per group.
async fn recorded_groups(etcd: &Driver, service: &str, selector: &Selector) -> anyhow::Result<Vec<Recorded>> {
    let groups = match etcd.get_service_groups(service).await {
        Err(crate::etcd::Error::ServiceNotFound { .. }) => return Ok(Vec::new()),
        groups => groups.context("reading etcd")?,
    };
    // etcd may hold names theseus never wrote; they are not groups of ours.
    let keys: Vec<GroupKey> =
        groups.iter().filter_map(|g| GroupKey::new(service, g).ok()).filter(|k| selector.matches(k.labels())).collect();
    let mut counts =
        etcd.registration_counts(keys.iter().map(|k| (k.service(), k.group())), 0).await.context("reading etcd")?;
    Ok(keys
        .into_iter()
        .map(|key| {
            let owner = counts.remove(&(key.service().to_owned(), key.group().to_owned())).and_then(|c| c.namespace);
            Recorded { key, owner }
        })
        .collect())
}

/// Fills in `registered` of each row: the containers etcd registers for its group (0 for a
/// group etcd lacks), counted in the batched count-only transactions of
/// [`Driver::registration_counts`] (as `view` counts them), not a range read per group.
pub async fn fill_registered<'r>(
    etcd: &Driver,
    rows: impl IntoIterator<Item = &'r mut GroupResult>,
) -> anyhow::Result<()> {
    let rows: Vec<&mut GroupResult> = rows.into_iter().collect();
    // No rows, no read.
    let counts = etcd
        .registration_counts(rows.iter().map(|r| (r.service.as_str(), r.group.as_str())), 0)
        .await
        .context("reading etcd")?;
    for r in rows {
        r.registered = counts.get(&(r.service.clone(), r.group.clone())).map_or(0, |c| c.containers);
    }
    Ok(())
}

/// `remove --dry-run` shows each group as it stands: its revision, desired instances and
/// registered containers (what removing it would take away).
pub async fn preview(results: &mut [GroupResult], snap: &Snapshot, etcd: &Driver) -> anyhow::Result<()> {
    for r in results.iter_mut() {
        let key = GroupKey::new(&r.service, &r.group)?;
        if let Some(live) = snap.group(&key) {
            r.revision = live.revisions().into_iter().next();
            r.instances = LiveGroup::desired(live);
        }
    }
    fill_registered(etcd, results.iter_mut()).await
}
