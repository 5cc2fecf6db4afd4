//! How the lifecycle and rollout commands' results print as tables (their JSON is the types' own `Serialize`).

use super::table::{table, Tabular};
use crate::rollout::apply::GroupResult;
use crate::rollout::rolling::RolloutResult;

impl Tabular for [GroupResult] {
    fn to_table(&self, tty: bool) -> String {
        let mut t = table(&["service", "group", "result", "revision", "instances", "registered"], tty);
        for r in self {
            t.add_row(vec![
                r.service.clone(),
                r.group.clone(),
                r.result.to_string(),
                r.revision.clone().unwrap_or_default(),
                r.instances.to_string(),
                r.registered.to_string(),
            ]);
        }
        t.to_string()
    }
}

impl Tabular for Vec<GroupResult> {
    fn to_table(&self, tty: bool) -> String {
        self.as_slice().to_table(tty)
    }
}

impl Tabular for Vec<RolloutResult> {
    fn to_table(&self, tty: bool) -> String {
        let mut t = table(&["service", "group", "outcome", "revision", "instances", "batches", "time", "reason"], tty);
        for r in self {
            let revision = match (&r.from, &r.to) {
                (Some(a), Some(b)) if a != b => format!("{a} → {b}"),
                (_, Some(b)) => b.clone(),
                (Some(a), None) => a.clone(),
                (None, None) => String::new(),
            };
            let batches = r.batches.iter().map(u32::to_string).collect::<Vec<_>>().join("+");
            t.add_row(vec![
                r.service.clone(),
                r.group.clone(),
                r.outcome.to_string(),
                revision,
                r.instances.to_string(),
                batches,
                format!("{:.1}s", r.timings.total),
                r.reason.clone().unwrap_or_default(),
            ]);
        }
        t.to_string()
    }
}
