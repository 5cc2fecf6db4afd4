//! How `rollout status` and `history` print as tables (their JSON is the types' own
//! `Serialize`).

use super::table::{Layout, Tabular};
use crate::rollout::{HistoryRow, RevisionStatus, RolloutStatus};

impl Tabular for RolloutStatus {
    fn to_table(&self, layout: &Layout) -> String {
        let mut t = layout.table(&["field", "value"]);
        let batches = self.plan.iter().map(u32::to_string).collect::<Vec<_>>().join("+");
        let lock = match &self.lock {
            Some(holder) => format!("held by {holder}"),
            None => "free (no client is rolling it)".to_owned(),
        };
        let mut rows = vec![
            ("group", format!("{}/{}", self.service, self.group)),
            ("kind", self.kind.to_string()),
            ("state", self.state.to_string()),
            ("batches", format!("{} of {} done ({batches})", self.batches_done, self.plan.len())),
            ("instances", self.instances.to_string()),
            ("started", self.started_at.clone()),
            ("updated", self.updated_at.clone()),
            ("owner", self.owner.clone()),
            ("lock", lock),
        ];
        if let Some(m) = &self.message {
            rows.push(("message", m.clone()));
        }
        if let Some(r) = &self.reason {
            rows.push(("reason", r.clone()));
        }
        if let Some(c) = &self.canary {
            let healthy =
                c.healthy_at.as_deref().map_or_else(|| "not healthy yet".to_owned(), |t| format!("healthy since {t}"));
            rows.push(("canary", format!("{} of {} instances, {healthy}", c.instances, self.instances)));
            for g in &c.gates {
                let detail = if g.detail.is_empty() { String::new() } else { format!(" ({})", g.detail) };
                rows.push(("gate", format!("{}: {}{detail} at {}", g.gate, g.verdict, g.at)));
            }
            if let Some(at) = &c.passed_at {
                rows.push(("gates passed", at.clone()));
            }
            if let Some(p) = &c.promoted {
                rows.push(("promoted", format!("by {} at {}", p.by, p.at)));
            }
        }
        if let Some(h) = &self.hold {
            rows.push(("hold", format!("{}, by {} since {}", h.reason, h.by, h.since)));
        }
        for (k, v) in rows {
            t.add_row(vec![k.to_owned(), v]);
        }
        let mut revs = layout.table(&["role", "revision", "app", "desired", "running", "healthy"]);
        let mut side = |role: &str, r: &RevisionStatus| {
            let app = if r.exists { r.app_id.clone() } else { format!("{} (gone)", r.app_id) };
            let n = |v: u32| v.to_string();
            revs.add_row(vec![role.to_owned(), r.revision.clone(), app, n(r.desired), n(r.running), n(r.healthy)]);
        };
        match &self.from {
            Some(from) if from.app_id != self.to.app_id => {
                side("from", from);
                side("to", &self.to);
            }
            _ => side("app", &self.to),
        }
        format!("{t}\n\n{revs}")
    }

    fn names(&self) -> Vec<String> {
        vec![format!("{}/{}", self.service, self.group)]
    }
}

impl Tabular for Vec<HistoryRow> {
    fn to_table(&self, layout: &Layout) -> String {
        // CURRENT is not the first column: a blank first cell would start the line with spaces.
        let mut t = layout.table(&["revision", "current", "deployed", "user", "message"]);
        for r in self {
            t.add_row(vec![
                r.revision.clone(),
                if r.current { "yes" } else { "no" }.to_owned(),
                r.deployed_at.clone(),
                r.user.clone(),
                r.message.clone().unwrap_or_default(),
            ]);
        }
        t.to_string()
    }

    /// The revisions, newest first (what `rollback --to` accepts).
    fn names(&self) -> Vec<String> {
        self.iter().map(|r| r.revision.clone()).collect()
    }
}
