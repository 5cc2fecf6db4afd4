//! How the lifecycle and rollout commands' results print as tables (their JSON is the types' own `Serialize`).

use super::table::{Layout, Tabular};
use crate::rollout::{GroupResult, RolloutResult};

/// `from -> to` of two revisions, or the one there is.
pub(crate) fn revisions(from: Option<&str>, to: Option<&str>) -> String {
    match (from, to) {
        (Some(a), Some(b)) if a != b => format!("{a} -> {b}"),
        (_, Some(b)) => b.to_owned(),
        (Some(a), None) => a.to_owned(),
        (None, None) => String::new(),
    }
}

impl Tabular for [GroupResult] {
    fn to_table(&self, layout: &Layout) -> String {
        let mut headers = vec!["service", "group", "result", "revision", "instances", "registered"];
        if layout.wide {
            headers.extend(["id", "deployment"]);
        }
        let mut t = layout.table(&headers);
        for r in self {
            let mut row = vec![
                r.service.clone(),
                r.group.clone(),
                r.result.to_string(),
                r.revision.clone().unwrap_or_default(),
                r.instances.to_string(),
                r.registered.to_string(),
            ];
            if layout.wide {
                row.extend([r.id.clone(), r.deployment.clone().unwrap_or_default()]);
            }
            t.add_row(row);
        }
        t.to_string()
    }

    fn names(&self) -> Vec<String> {
        self.iter().map(|r| format!("{}/{}", r.service, r.group)).collect()
    }
}

impl Tabular for Vec<GroupResult> {
    fn to_table(&self, layout: &Layout) -> String {
        self.as_slice().to_table(layout)
    }

    fn names(&self) -> Vec<String> {
        self.as_slice().names()
    }
}

impl Tabular for Vec<RolloutResult> {
    fn to_table(&self, layout: &Layout) -> String {
        let mut headers = vec!["service", "group", "outcome", "revision", "instances", "batches", "time", "reason"];
        if layout.wide {
            headers.push("batch-times");
        }
        // `update --waves`: each row's wave first.
        let waves = self.iter().any(|r| r.wave.is_some());
        if waves {
            headers.insert(0, "wave");
        }
        let mut t = layout.table(&headers);
        for r in self {
            let batches = r.batches.iter().map(u32::to_string).collect::<Vec<_>>().join("+");
            let wave = r.wave.map(|w| w.to_string()).unwrap_or_default();
            let mut row = waves.then_some(wave).into_iter().collect::<Vec<_>>();
            row.extend([
                r.service.clone(),
                r.group.clone(),
                r.outcome.to_string(),
                revisions(r.from.as_deref(), r.to.as_deref()),
                r.instances.to_string(),
                batches,
                format!("{:.1}s", r.timings.total),
                r.reason.clone().unwrap_or_default(),
            ]);
            if layout.wide {
                row.push(r.timings.batches.iter().map(|s| format!("{s:.1}s")).collect::<Vec<_>>().join("+"));
            }
            t.add_row(row);
        }
        t.to_string()
    }

    fn names(&self) -> Vec<String> {
        self.iter().map(|r| format!("{}/{}", r.service, r.group)).collect()
    }
}
