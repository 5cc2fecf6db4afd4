//! How the lifecycle commands' results print as tables (their JSON is the types' own `Serialize`).

use super::table::{table, Tabular};
use crate::rollout::apply::GroupResult;

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
