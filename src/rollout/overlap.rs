//! Marathon paths never overlap: a new labeled group's path
//! `/<namespace>/<service>/<encoded>` may neither sit inside nor contain another managed
//! group's path or any app's id.
//!
//! Marathon itself refuses an app and a group with the same id (422, "Groups and Applications
//! may not have the same identifier.": `noAppsAndGroupsWithSameName` in
//! M:src/main/scala/mesosphere/marathon/state/Group.scala), but it gladly nests groups: namespace `nest` with
//! service `b` and labels `c` (`/nest/b/c`) and namespace `nest/b` with service `c`
//! (`/nest/b/c/...`) would share a subtree, and removing the first would take the second.

use crate::error::UserError;
use crate::marathon::types::App;
use crate::marathon::Client;

use super::live::label;
use super::plan::Desired;

/// Whether `inner` lies strictly below `outer` in Marathon's path tree.
fn below(inner: &str, outer: &str) -> bool {
    inner.len() > outer.len() && inner.starts_with(outer) && inner.as_bytes()[outer.len()] == b'/'
}

/// Whether `app` is one of `d`'s own revision apps: a direct child of its group path carrying
/// its service and group labels.
fn is_own(app: &App, d: &Desired) -> bool {
    let labels = app.labels.as_ref();
    let get = |k: &str| labels.and_then(|l| l.get(k)).map(String::as_str);
    app.id.rsplit_once('/').is_some_and(|(parent, _)| parent == d.group_id)
        && get(label::MANAGED) == Some("true")
        && get(label::SERVICE) == Some(d.key.service())
        && get(label::GROUP) == Some(d.key.group())
}

/// The Marathon group paths of the managed groups among `apps` (parents of managed apps).
fn managed_groups(apps: &[App]) -> Vec<&str> {
    let mut out: Vec<&str> = apps
        .iter()
        .filter(|a| a.labels.as_ref().and_then(|l| l.get(label::MANAGED)).map(String::as_str) == Some("true"))
        .filter_map(|a| a.id.rsplit_once('/').map(|(parent, _)| parent))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The first overlap of `d`'s path with the apps Marathon has or the other groups being
/// created, described.
pub(super) fn overlap(d: &Desired, apps: &[App], others: &[&Desired]) -> Option<String> {
    let path = d.group_id.as_str();
    for app in apps {
        if app.id == path || below(path, &app.id) {
            return Some(format!("the app `{}`", app.id));
        }
        if below(&app.id, path) && !is_own(app, d) {
            return Some(format!("the app `{}` inside it", app.id));
        }
    }
    for g in managed_groups(apps) {
        if below(g, path) || below(path, g) {
            return Some(format!("the managed group `{g}`"));
        }
    }
    others
        .iter()
        .find(|o| below(&o.group_id, path) || below(path, &o.group_id))
        .map(|o| format!("the group `{}` being created with it", o.group_id))
}

/// Refuses (exit 2, before any change) new groups whose Marathon path overlaps anything else:
/// one read of every app.
pub(super) async fn check(client: &Client, new: &[&Desired]) -> anyhow::Result<()> {
    if new.is_empty() {
        return Ok(());
    }
    let apps = client.apps(None, false).await.map_err(|e| anyhow::Error::new(e).context("reading Marathon's apps"))?;
    let mut problems = Vec::new();
    for d in new {
        let others: Vec<&Desired> = new.iter().copied().filter(|o| o.group_id != d.group_id).collect();
        if let Some(what) = overlap(d, &apps, &others) {
            problems.push(format!("`{}` ({}) overlaps {what}", d.group_id, d.key));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(UserError::with_hint(
        format!("Marathon paths of managed groups must not nest: {}", problems.join("; ")),
        "choose a namespace, service or labels whose path /<namespace>/<service>/<labels> neither contains nor sits inside another group or app",
    )
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn desired(group_id: &str, service: &str, group: &str) -> Desired {
        Desired {
            key: crate::names::GroupKey::new(service, group).unwrap(),
            labels: group.split('.').map(str::to_owned).collect(),
            group_id: group_id.into(),
            app: App::default(),
            config: serde_json::Value::Null,
        }
    }

    fn managed(id: &str, service: &str, group: &str) -> App {
        let labels: BTreeMap<String, String> =
            [(label::MANAGED, "true"), (label::SERVICE, service), (label::GROUP, group)]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        App { id: id.into(), labels: Some(labels), ..App::default() }
    }

    #[test]
    fn nested_namespaces_overlap_either_way() {
        let outer = desired("/nest/b/c", "b", "c");
        let inner_app = managed("/nest/b/c/x/r1", "c", "x");
        assert!(overlap(&outer, &[inner_app], &[]).is_some_and(|w| w.contains("/nest/b/c/x/r1")));
        let inner = desired("/nest/b/c/x", "c", "x");
        let outer_app = managed("/nest/b/c/r1", "b", "c");
        assert!(overlap(&inner, &[outer_app], &[]).is_some_and(|w| w.contains("managed group `/nest/b/c`")));
        assert!(overlap(&outer, &[], &[&inner]).is_some());
    }

    #[test]
    fn own_revisions_siblings_and_name_prefixes_do_not_overlap() {
        let d = desired("/ns/web/dev", "web", "dev");
        let apps = [
            managed("/ns/web/dev/r1", "web", "dev"),
            managed("/ns/web/dev.frontend/r1", "web", "dev.frontend"),
            App { id: "/ns/web/other".into(), ..App::default() },
            App { id: "/ns/web/devx".into(), ..App::default() },
        ];
        assert_eq!(overlap(&d, &apps, &[]), None);
        let app_at_path = App { id: "/ns/web/dev".into(), ..App::default() };
        assert!(overlap(&d, &[app_at_path], &[]).is_some(), "an app with the group's id");
        let foreign = App { id: "/ns/web/dev/sidecar".into(), ..App::default() };
        assert!(overlap(&d, &[foreign], &[]).is_some(), "an unmanaged app inside the group");
    }
}
