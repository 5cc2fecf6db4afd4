//! `theseus plan FILE`: what create/update/remove would do to each selected group.
//!
//! Exit codes for CI: 0 always on success; with `--exit-code`, 10 when changes are pending
//! (a create, scale, rolling update or remove candidate, or registration drift: etcd's
//! containers differ from the running, healthy tasks, which `theseus sync --once` repairs) and
//! 0 when there are none.

use anyhow::Context as _;
use serde_json::Value;

use crate::cli::PlanArgs;
use crate::commands::common::load_spec;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::names::GroupKey;
use crate::output::{Layout, Tabular};
use crate::rollout::{self, plan, Action, GroupPlan, Snapshot, STOP_FIRST};
use crate::spec::labels::Selector;
use crate::sync::drift::{drift, Drift};

/// The `plan` result.
#[derive(Debug, serde::Serialize)]
#[serde(transparent)]
pub struct Plan(pub Vec<PlanRow>);

/// One group's plan and its registration drift (what `theseus sync` would change in etcd).
#[derive(Debug, serde::Serialize)]
pub struct PlanRow {
    /// The plan.
    #[serde(flatten)]
    pub plan: GroupPlan,
    /// Registration drift.
    pub registration: Drift,
}

impl PlanRow {
    /// Whether `create`/`update`/`remove` or `sync` would change anything.
    pub fn is_change(&self) -> bool {
        self.plan.is_change() || self.registration.any()
    }
}

fn drift_text(d: &Drift) -> String {
    let containers = match (d.missing.len(), d.stale.len()) {
        (0, 0) => None,
        (m, 0) => Some(format!("{m} missing")),
        (0, s) => Some(format!("{s} stale")),
        (m, s) => Some(format!("{m} missing, {s} stale")),
    };
    match (d.group_missing, containers) {
        (true, None) => "group not in etcd".to_owned(),
        (true, Some(c)) => format!("group not in etcd, {c}"),
        (false, None) => "in sync".to_owned(),
        (false, Some(c)) => c,
    }
}

/// A value as the CHANGES column shows it: strings bare, everything else as JSON.
fn value_text(v: &Option<Value>) -> String {
    match v {
        None => "(unset)".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

impl Tabular for Plan {
    fn to_table(&self, layout: &Layout) -> String {
        // CHANGES last: it is the long column, cut first on a terminal.
        let mut headers = vec!["action", "service", "group", "revision", "registration", "changes"];
        if layout.wide {
            headers.push("id");
        }
        let mut t = layout.table(&headers);
        for row in &self.0 {
            let p = &row.plan;
            let (action, changes) = match &p.action {
                Action::Create => ("create", String::new()),
                Action::Scale { from, to } => ("scale", format!("instances: {from} -> {to}")),
                Action::RollingUpdate { changes, stop_first } => {
                    let list = changes
                        .iter()
                        .map(|c| format!("{}: {} -> {}", c.field, value_text(&c.from), value_text(&c.to)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    match stop_first {
                        true => ("rolling-update", format!("{STOP_FIRST}; {list}")),
                        false => ("rolling-update", list),
                    }
                }
                Action::Unchanged => ("unchanged", String::new()),
                Action::RemoveCandidate => ("remove-candidate", "live group with no spec".to_owned()),
            };
            let revision = match (&p.live_revisions[..], &p.revision) {
                ([], Some(r)) => r.clone(),
                (live, Some(r)) if live.len() == 1 && &live[0] == r => r.clone(),
                (live, Some(r)) => format!("{} -> {r}", live.join(",")),
                (live, None) => live.join(","),
            };
            let mut cells = vec![
                action.to_owned(),
                p.service.clone(),
                p.group.clone(),
                revision,
                drift_text(&row.registration),
                changes,
            ];
            if layout.wide {
                cells.push(p.id.clone());
            }
            t.add_row(cells);
        }
        t.to_string()
    }

    fn names(&self) -> Vec<String> {
        self.0.iter().map(|r| format!("{}/{}", r.plan.service, r.plan.group)).collect()
    }
}

/// Runs `theseus plan`.
pub async fn run(ctx: &Context, args: PlanArgs) -> anyhow::Result<ExitStatus> {
    let spec = load_spec(&args.files, ctx)?;
    let selector = Selector::parse(&args.selection.labels)?;
    let groups = spec.select(&args.selection.services, &selector)?;
    let desired = groups.iter().map(|g| rollout::desired(g, &spec.namespace)).collect::<Result<Vec<_>, _>>()?;
    let services: Vec<String> = if args.selection.services.is_empty() {
        spec.services().into_iter().map(str::to_owned).collect()
    } else {
        args.selection.services.clone()
    };
    let snap = Snapshot::read(ctx.marathon()?, &spec.namespace, &services, &selector)
        .await
        .with_context(|| format!("reading groups under `/{}`", spec.namespace))?;
    let plans = plan(&desired, &snap, true);
    let keys = plans.iter().filter_map(|p| GroupKey::new(&p.service, &p.group).ok()).collect::<Vec<_>>();
    let etcd = ctx.etcd().await.context("reading the registrations (plan reports registration drift)")?;
    let mut drifts = drift(etcd, &snap, &spec.namespace, &keys).await.context("reading the registrations from etcd")?;
    let result = Plan(
        plans
            .into_iter()
            .map(|plan| {
                let key = GroupKey::new(&plan.service, &plan.group).ok();
                let registration = key.and_then(|k| drifts.remove(&k)).unwrap_or_default();
                PlanRow { plan, registration }
            })
            .collect(),
    );
    let pending = result.0.iter().filter(|p| p.is_change()).count();
    ctx.out.result(&result)?;
    ctx.out.status("Plan", format!("{pending} change(s) pending, {} group(s) unchanged", result.0.len() - pending));
    Ok(if args.exit_code && pending > 0 { ExitStatus::ChangesPending } else { ExitStatus::Success })
}
