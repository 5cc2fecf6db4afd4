//! The plan: a pure diff of the desired groups (from the spec) against the live ones.
//!
//! The revision (a content hash of everything but `instances`, carried in the
//! `theseus.revision` label) decides the action: same revision and the same instance count is
//! unchanged, same revision with another count is a scale, another revision is a rolling
//! update; the changed leaves are listed for humans ([`diff`], with Marathon's defaults
//! normalised away, against the app the update sends: the group's service ports kept). Live
//! groups with no spec under the namespace are remove candidates. No I/O here.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

pub(super) use super::diff::{diff, FieldChange};
use super::live::{revision_of, LiveGroup, Snapshot};
use crate::marathon::types::App;
use crate::names::GroupKey;

/// A group the spec wants.
#[derive(Debug, Clone)]
pub struct Desired {
    /// Service and encoded labels.
    pub key: GroupKey,
    /// The label set.
    pub labels: BTreeSet<String>,
    /// Marathon group id.
    pub group_id: String,
    /// The rendered revision app.
    pub app: App,
    /// The resolved spec, as stored at `/services/<service>/<group>/config`.
    pub config: Value,
}

impl Desired {
    /// The revision of the rendered app.
    pub fn revision(&self) -> String {
        revision_of(&self.app)
    }

    /// This group as a new revision of `live`'s: its app asks for the service ports `live`
    /// holds, so marathon-lb's frontends stay where they are (`rollout::ports`). What every
    /// rolling update PUTs and what `plan` compares.
    pub fn keeping_ports(&self, live: &App) -> Desired {
        let mut next = self.clone();
        super::ports::keep_service_ports(&mut next.app, live);
        next
    }
}

/// What a command would do to one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// The group does not exist: create it.
    Create,
    /// Only `instances` differs: scale in place.
    Scale {
        /// Instances now.
        from: u32,
        /// Instances wanted.
        to: u32,
    },
    /// The spec changed: a rolling update to a new revision.
    RollingUpdate {
        /// Fields that change.
        changes: Vec<FieldChange>,
        /// The group is a `MARATHON_SINGLE_INSTANCE_APP`: the old task stops before the new
        /// one starts (see `stops_first`).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        stop_first: bool,
    },
    /// Nothing to do.
    Unchanged,
    /// A live group with no spec (only `remove` acts on it).
    RemoveCandidate,
}

/// The plan for one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupPlan {
    /// Service name.
    pub service: String,
    /// Encoded labels.
    pub group: String,
    /// Marathon group id.
    pub id: String,
    /// What happens.
    #[serde(flatten)]
    pub action: Action,
    /// Live revision(s), newest first.
    pub live_revisions: Vec<String>,
    /// Desired revision (none for remove candidates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

impl GroupPlan {
    /// Whether applying it would change anything.
    pub fn is_change(&self) -> bool {
        !matches!(self.action, Action::Unchanged)
    }
}

/// Diffs the desired groups against the snapshot. `include_removals` adds remove candidates
/// for live groups of the selected services with no spec.
pub fn plan(desired: &[Desired], live: &Snapshot, include_removals: bool) -> Vec<GroupPlan> {
    let mut out = Vec::new();
    for d in desired {
        let group = live.group(&d.key);
        out.push(GroupPlan {
            service: d.key.service().to_owned(),
            group: d.key.group().to_owned(),
            id: d.group_id.clone(),
            action: action_for(d, group),
            live_revisions: group.map(LiveGroup::revisions).unwrap_or_default(),
            revision: Some(d.revision()),
        });
    }
    if include_removals {
        for g in live.groups.values() {
            if !desired.iter().any(|d| d.key.service() == g.key.service() && d.key.group() == g.key.group()) {
                out.push(GroupPlan {
                    service: g.key.service().to_owned(),
                    group: g.key.group().to_owned(),
                    id: g.group_id.clone(),
                    action: Action::RemoveCandidate,
                    live_revisions: g.revisions(),
                    revision: None,
                });
            }
        }
    }
    out
}

fn action_for(d: &Desired, live: Option<&LiveGroup>) -> Action {
    let Some(live) = live else { return Action::Create };
    let Some(current) = live.current() else { return Action::Create };
    let want = d.app.instances.unwrap_or(1);
    if live.apps.len() == 1 && revision_of(current) == d.revision() {
        let have = current.instances.unwrap_or(0);
        return if have == want { Action::Unchanged } else { Action::Scale { from: have, to: want } };
    }
    // The ports the rolling update will ask for: the group's, kept (`rolling`).
    let mut changes = diff(current, &d.keeping_ports(current).app);
    // A secret env variable's values never show: the change says only that it changed.
    let secret = |name: &str| {
        [current, &d.app].iter().any(|a| {
            a.labels
                .as_ref()
                .and_then(|l| l.get(crate::spec::LABEL_SECRET_ENV))
                .is_some_and(|n| n.split(',').any(|s| s.trim() == name))
        })
    };
    for c in &mut changes {
        if c.field.strip_prefix("env.").is_some_and(secret) {
            let hidden = |v: &mut Option<Value>| {
                if v.is_some() {
                    *v = Some(Value::String("***".into()));
                }
            };
            hidden(&mut c.from);
            hidden(&mut c.to);
        }
    }
    if changes.is_empty() {
        // Same fields but another revision, or an unfinished rollout left several revisions.
        changes.push(FieldChange {
            field: "revision".into(),
            from: Some(Value::String(live.revisions().join(","))),
            to: Some(Value::String(d.revision())),
        });
    }
    Action::RollingUpdate { changes, stop_first: stops_first(live.apps.iter().chain([&d.app])) }
}

/// What `plan` and `--dry-run` say of a rollout that stops first (`stops_first`).
pub const STOP_FIRST: &str =
    "stop-then-start: MARATHON_SINGLE_INSTANCE_APP, so the old task stops before the new one starts";

/// Whether a rollout between these revision apps must stop the old task before it starts the
/// new one: one of them is labeled `MARATHON_SINGLE_INSTANCE_APP=true`. Marathon's `{0, 0}`
/// upgrade strategy for such apps (M:src/main/scala/mesosphere/marathon/api/v2/validation/
/// SchedulingValidation.scala, `validForSingleInstanceApps`) orders task replacement inside one
/// app only (M:src/main/scala/mesosphere/marathon/core/deployment/impl/TaskReplaceActor.scala,
/// `computeRestartStrategy`: kill first, then launch); Theseus runs each revision as its own app,
/// so nothing in Marathon stops a surge of the new app beside the old one. The rollout does it.
pub(super) fn stops_first<'a>(apps: impl IntoIterator<Item = &'a App>) -> bool {
    apps.into_iter().any(|a| a.labels.as_ref().is_some_and(crate::marathon::rules::is_single_instance))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::rollout::live::{fold, label};
    use crate::spec::labels::Selector;

    fn app(rev: &str, instances: u32, cmd: &str) -> App {
        let mut labels = BTreeMap::new();
        labels.insert(label::MANAGED.to_owned(), "true".to_owned());
        labels.insert(label::SERVICE.to_owned(), "web".to_owned());
        labels.insert(label::GROUP.to_owned(), "dev".to_owned());
        labels.insert(label::REVISION.to_owned(), rev.to_owned());
        App {
            id: format!("/ns/web/dev/{rev}"),
            cmd: Some(cmd.into()),
            instances: Some(instances),
            labels: Some(labels),
            version: Some("2024".into()),
            ..App::default()
        }
    }

    fn desired(app: App) -> Desired {
        Desired {
            key: GroupKey::new("web", "dev").unwrap(),
            labels: ["dev".to_owned()].into(),
            group_id: "/ns/web/dev".into(),
            app,
            config: Value::Null,
        }
    }

    fn live(apps: Vec<App>) -> Snapshot {
        Snapshot { groups: fold(apps, Some("ns"), &[], &Selector::default()), ..Snapshot::default() }
    }

    #[test]
    fn missing_groups_are_created() {
        let p = plan(&[desired(app("r1", 2, "x"))], &live(vec![]), false);
        assert_eq!(p[0].action, Action::Create);
        assert!(p[0].is_change());
    }

    #[test]
    fn same_revision_same_count_is_unchanged_and_other_count_scales() {
        let snap = live(vec![app("r1", 2, "x")]);
        assert_eq!(plan(&[desired(app("r1", 2, "x"))], &snap, false)[0].action, Action::Unchanged);
        assert_eq!(plan(&[desired(app("r1", 5, "x"))], &snap, false)[0].action, Action::Scale { from: 2, to: 5 });
    }

    #[test]
    fn another_revision_is_a_rolling_update_listing_changed_fields() {
        let snap = live(vec![app("r1", 2, "x")]);
        let p = plan(&[desired(app("r2", 2, "y"))], &snap, false);
        let Action::RollingUpdate { changes, .. } = &p[0].action else { panic!("{:?}", p[0].action) };
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["cmd"], "the revision label alone is not a field change");
    }

    #[test]
    fn live_groups_without_spec_are_remove_candidates_only_when_asked() {
        let snap = live(vec![app("r1", 2, "x")]);
        assert!(plan(&[], &snap, false).is_empty());
        assert_eq!(plan(&[], &snap, true)[0].action, Action::RemoveCandidate);
    }
}
