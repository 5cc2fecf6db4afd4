//! What runs now: Marathon's apps, deployments and queue folded into labeled groups.
//!
//! A labeled group lives at the Marathon group `/<namespace>/<service>/<encoded-labels>`; each
//! revision of its spec is an app inside it carrying the `theseus.*` labels. One
//! [`Snapshot`] is read with a constant number of requests (apps with embedded tasks,
//! deployments, queue) whatever the number of groups.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::UserError;
use crate::marathon::summary::{AppObserver, AppRecord};
use crate::marathon::types::{App, Deployment, QueueItem, Task};
use crate::marathon::{Client, Error};
use crate::names::GroupKey;
use crate::spec::labels::Selector;

/// Label keys Theseus writes on every app (DESIGN §1), owned by the spec renderer.
pub mod label {
    pub use crate::spec::{
        LABEL_GROUP as GROUP, LABEL_MANAGED as MANAGED, LABEL_REVISION as REVISION, LABEL_SERVICE as SERVICE,
    };
}

/// What the fold and the group's revisions read of an app: the full model ([`App`], what
/// commands that change groups act on) and `view`'s lean record ([`AppRecord`]) alike, so
/// both are folded by the one rule.
pub trait RevisionApp {
    /// The app id.
    fn id(&self) -> &str;
    /// The value of a `theseus.*` label (`None` when absent, or the app has no labels).
    fn label(&self, key: &str) -> Option<&str>;
    /// The app's version (ISO-8601), which orders revisions.
    fn version(&self) -> Option<&str>;
    /// Desired instances.
    fn instances(&self) -> Option<u32>;
}

impl<T: RevisionApp + ?Sized> RevisionApp for &T {
    fn id(&self) -> &str {
        (**self).id()
    }
    fn label(&self, key: &str) -> Option<&str> {
        (**self).label(key)
    }
    fn version(&self) -> Option<&str> {
        (**self).version()
    }
    fn instances(&self) -> Option<u32> {
        (**self).instances()
    }
}

impl RevisionApp for App {
    fn id(&self) -> &str {
        &self.id
    }
    fn label(&self, key: &str) -> Option<&str> {
        self.labels.as_ref()?.get(key).map(String::as_str)
    }
    fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
    fn instances(&self) -> Option<u32> {
        self.instances
    }
}

impl RevisionApp for AppRecord {
    fn id(&self) -> &str {
        &self.id
    }
    fn label(&self, key: &str) -> Option<&str> {
        AppRecord::label(self, key)
    }
    fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
    fn instances(&self) -> Option<u32> {
        self.instances
    }
}

/// One labeled group as Marathon has it (its apps the full model unless said otherwise).
#[derive(Debug, Clone)]
pub struct LiveGroup<A = App> {
    /// Service and encoded labels.
    pub key: GroupKey,
    /// The label set.
    pub labels: BTreeSet<String>,
    /// Marathon group id, `/<namespace>/<service>/<encoded>`.
    pub group_id: String,
    /// The namespace (Marathon path prefix, without slashes at either end).
    pub namespace: String,
    /// Revision apps, newest version first.
    pub apps: Vec<A>,
}

impl<A: RevisionApp> LiveGroup<A> {
    /// The revision app currently serving (the newest one).
    pub fn current(&self) -> Option<&A> {
        self.apps.first()
    }

    /// Desired instances over all revisions.
    pub fn desired(&self) -> u32 {
        self.apps.iter().map(|a| a.instances().unwrap_or(0)).sum()
    }

    /// Revision names of the apps, newest first.
    pub fn revisions(&self) -> Vec<String> {
        self.apps.iter().map(revision_of).collect()
    }
}

impl LiveGroup {
    /// Every task of every revision.
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.apps.iter().flat_map(|a| a.tasks.iter().flatten())
    }
}

/// The revision name of an app: its `theseus.revision` label, else its last id segment.
pub fn revision_of(app: &impl RevisionApp) -> String {
    app.label(label::REVISION).unwrap_or_else(|| app.id().rsplit('/').next().unwrap_or_default()).to_owned()
}

/// Everything `view`, `plan` and the waits need, read in three requests (the apps the full
/// model unless said otherwise).
#[derive(Debug, Clone)]
pub struct Snapshot<A = App> {
    /// Labeled groups, keyed by (namespace, service, encoded).
    pub groups: BTreeMap<(String, String, String), LiveGroup<A>>,
    /// Running deployments.
    pub deployments: Vec<Deployment>,
    /// Apps waiting for offers.
    pub queue: Vec<QueueItem>,
}

impl<A> Default for Snapshot<A> {
    fn default() -> Self {
        Snapshot { groups: BTreeMap::new(), deployments: Vec::new(), queue: Vec::new() }
    }
}

/// The Marathon path prefix of a namespace: `/team-a/prod`.
pub fn namespace_path(namespace: &str) -> String {
    format!("/{}", namespace.trim_matches('/'))
}

pub use crate::spec::group_path as group_id;

impl Snapshot {
    /// Reads the managed apps of `namespace` (filtered server-side by `?label=`, and by
    /// `services`/`selector` here), the deployments and the queue: three requests in all.
    pub async fn read(
        client: &Client,
        namespace: &str,
        services: &[String],
        selector: &Selector,
    ) -> Result<Self, Error> {
        Self::read_in(client, Some(namespace), services, selector).await
    }

    /// Like [`Snapshot::read`]; `None` reads every namespace.
    pub async fn read_in(
        client: &Client,
        namespace: Option<&str>,
        services: &[String],
        selector: &Selector,
    ) -> Result<Self, Error> {
        let filter = selector.marathon_label_filter();
        Self::with_apps(client, client.apps(Some(&filter), true), namespace, services, selector).await
    }

    /// Like [`Snapshot::read_in`], for showing rather than changing: the apps are read with
    /// [`Client::app_summaries`] as lean records of the fields `view` shows (no env, no port
    /// definitions, only the `theseus.*` labels), which nothing can plan or write from.
    /// `observer` is told of each app as soon as it arrives ([`AppObserver`]).
    pub async fn read_summary(
        client: &Client,
        namespace: Option<&str>,
        services: &[String],
        selector: &Selector,
        observer: Option<AppObserver>,
    ) -> Result<Snapshot<AppRecord>, Error> {
        let filter = selector.marathon_label_filter();
        Snapshot::with_apps(client, client.app_summaries(Some(&filter), observer), namespace, services, selector).await
    }

    /// Reads one group afresh (its service's apps under `namespace`, three requests): what a
    /// command holding the group's lock acts on, since anything read before the lock may be
    /// stale by the time it is taken.
    pub async fn read_group(client: &Client, namespace: &str, key: &GroupKey) -> Result<Option<LiveGroup>, Error> {
        let services = [key.service().to_owned()];
        let mut snap = Self::read(client, namespace, &services, &Selector::default()).await?;
        let found = snap.groups.iter().find(|(_, g)| &g.key == key).map(|(k, _)| k.clone());
        Ok(found.and_then(|k| snap.groups.remove(&k)))
    }

    /// The live group of `key` (in a snapshot of one namespace).
    pub fn group(&self, key: &GroupKey) -> Option<&LiveGroup> {
        self.groups.values().find(|g| &g.key == key)
    }

    /// The namespaces that hold groups of `service`, sorted.
    pub fn namespaces_of(&self, service: &str) -> Vec<String> {
        let mut ns: Vec<String> =
            self.groups.values().filter(|g| g.key.service() == service).map(|g| g.namespace.clone()).collect();
        ns.dedup();
        ns
    }

    /// The namespace holding `service`: the only one this snapshot (of every namespace) has it
    /// in, else the default. Several is a [`UserError`] asking for `--namespace`.
    pub fn namespace_of(&self, service: &str) -> Result<String, UserError> {
        match self.namespaces_of(service).as_slice() {
            [] => Ok(crate::spec::DEFAULT_NAMESPACE.to_owned()),
            [one] => Ok(one.clone()),
            many => Err(UserError::with_hint(
                format!("service `{service}` exists in several namespaces: {}", many.join(", ")),
                "choose one with --namespace or THESEUS_NAMESPACE",
            )),
        }
    }
}

impl<A: RevisionApp> Snapshot<A> {
    /// The snapshot of the apps `read_apps` reads, with the deployments and the queue read at
    /// the same time (three requests in parallel).
    async fn with_apps(
        client: &Client,
        read_apps: impl std::future::Future<Output = Result<Vec<A>, Error>>,
        namespace: Option<&str>,
        services: &[String],
        selector: &Selector,
    ) -> Result<Self, Error> {
        let (apps, deployments, queue) = tokio::try_join!(read_apps, client.deployments(), client.queue())?;
        Ok(Snapshot { groups: fold(apps, namespace, services, selector), deployments, queue })
    }

    /// Deployments touching any app of `group`.
    pub fn deployments_of<'a>(&'a self, group: &'a LiveGroup<A>) -> impl Iterator<Item = &'a Deployment> + 'a {
        self.deployments.iter().filter(move |d| {
            d.affected_apps.iter().any(|a| a == &group.group_id || a.starts_with(&format!("{}/", group.group_id)))
        })
    }

    /// Queue entries of `group`'s apps.
    pub fn queued_for<'a>(&'a self, group: &'a LiveGroup<A>) -> impl Iterator<Item = &'a QueueItem> + 'a {
        self.queue
            .iter()
            .filter(move |q| q.app.as_ref().is_some_and(|a| a.id.starts_with(&format!("{}/", group.group_id))))
    }
}

/// The (service, encoded labels) a managed app's labels name: its group as etcd keys it, read
/// as [`fold`] reads it (which also checks the names, the app id and the selection).
pub fn group_labels<A: RevisionApp>(app: &A) -> Option<(&str, &str)> {
    if app.label(label::MANAGED) != Some("true") {
        return None;
    }
    Some((app.label(label::SERVICE)?, app.label(label::GROUP)?))
}

/// Groups managed apps into labeled groups under `namespace` (`None`: every namespace, read
/// off each app id `/<namespace>/<service>/<encoded>/<revision>`).
pub fn fold<A: RevisionApp>(
    apps: Vec<A>,
    namespace: Option<&str>,
    services: &[String],
    selector: &Selector,
) -> BTreeMap<(String, String, String), LiveGroup<A>> {
    let mut groups: BTreeMap<(String, String, String), LiveGroup<A>> = BTreeMap::new();
    for app in apps {
        let Some((service, encoded)) = group_labels(&app).map(|(s, g)| (s.to_owned(), g.to_owned())) else {
            continue;
        };
        let Ok(key) = GroupKey::new(&service, &encoded) else { continue };
        let label_set: BTreeSet<String> = key.labels().map(str::to_owned).collect();
        if (!services.is_empty() && !services.contains(&service)) || !selector.matches(&label_set) {
            continue;
        }
        // The app id must be `<group path>/<revision>`; the group path ends in service/encoded.
        let Some((group_path, _revision)) = app.id().rsplit_once('/') else { continue };
        let Some(ns_path) = group_path.strip_suffix(&format!("/{service}/{encoded}")) else { continue };
        let ns = ns_path.trim_matches('/').to_owned();
        if ns.is_empty() || namespace.is_some_and(|want| want.trim_matches('/') != ns) {
            continue;
        }
        let gid = group_id(&ns, &service, &encoded);
        groups
            .entry((ns.clone(), service.clone(), encoded.clone()))
            .or_insert_with(|| LiveGroup {
                key,
                labels: label_set,
                group_id: gid,
                namespace: ns,
                apps: Vec::with_capacity(1),
            })
            .apps
            .push(app);
    }
    for g in groups.values_mut() {
        g.apps.sort_by(|a, b| b.version().cmp(&a.version()));
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(id: &str, service: &str, group: &str, version: &str) -> App {
        let mut labels = BTreeMap::new();
        labels.insert(label::MANAGED.to_owned(), "true".to_owned());
        labels.insert(label::SERVICE.to_owned(), service.to_owned());
        labels.insert(label::GROUP.to_owned(), group.to_owned());
        App { id: id.into(), labels: Some(labels), version: Some(version.into()), instances: Some(2), ..App::default() }
    }

    #[test]
    fn apps_fold_into_groups_under_the_namespace_only() {
        let apps = vec![
            app("/prod/web/dev.frontend/r1", "web", "dev.frontend", "2024-01-01"),
            app("/prod/web/dev.frontend/r2", "web", "dev.frontend", "2024-02-01"),
            app("/other/web/dev.frontend/r1", "web", "dev.frontend", "2024-01-01"),
            App { id: "/prod/unmanaged".into(), ..App::default() },
        ];
        let groups = fold(apps.clone(), Some("prod"), &[], &Selector::default());
        assert_eq!(groups.len(), 1);
        let g = groups.values().next().unwrap();
        assert_eq!(g.group_id, "/prod/web/dev.frontend");
        assert_eq!(g.revisions(), ["r2", "r1"], "newest first");
        assert_eq!(g.desired(), 4);
        let all = fold(apps, None, &[], &Selector::default());
        let namespaces: Vec<&str> = all.values().map(|g| g.namespace.as_str()).collect();
        assert_eq!(namespaces, ["other", "prod"]);
    }

    #[test]
    fn selectors_and_services_filter_groups() {
        let apps = vec![app("/t/web/dev/r1", "web", "dev", "1"), app("/t/db/prod/r1", "db", "prod", "1")];
        let sel = Selector::parse(&["prod"]).unwrap();
        assert_eq!(fold(apps.clone(), Some("t"), &[], &sel).len(), 1);
        assert_eq!(fold(apps, Some("t"), &["web".to_owned()], &Selector::default()).len(), 1);
    }
}
