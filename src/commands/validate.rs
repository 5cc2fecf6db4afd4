//! `theseus validate FILE`: check a spec completely, offline.

use serde::Serialize;

use crate::cli::ValidateArgs;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::output::{Layout, Tabular};

/// What `validate` reports on success.
#[derive(Debug, Serialize)]
pub struct ValidateView {
    /// The spec file.
    pub file: String,
    /// The namespace after `--namespace`.
    pub namespace: String,
    /// Number of services.
    pub services: usize,
    /// Number of labeled groups.
    pub groups: usize,
    /// The Marathon app id of every group's current revision.
    pub apps: Vec<String>,
    /// Every group, `service/group` (e.g. `web/dev.frontend`).
    pub names: Vec<String>,
}

impl Tabular for ValidateView {
    fn to_table(&self, _layout: &Layout) -> String {
        let s = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "ok: {}: {}, {} in namespace `{}`",
            self.file,
            s(self.services, "service", "services"),
            s(self.groups, "group", "groups"),
            self.namespace
        )
    }

    /// The groups, `service/group`.
    fn names(&self) -> Vec<String> {
        self.names.clone()
    }
}

/// Runs the command: the summary on stdout, or every problem on stderr and exit 2.
pub fn run(ctx: &Context, args: ValidateArgs) -> anyhow::Result<ExitStatus> {
    let spec = super::common::load_spec(&args.files, ctx)?;
    ctx.out.result(&ValidateView {
        file: spec.path.display().to_string(),
        services: spec.services().len(),
        groups: spec.groups.len(),
        apps: spec.groups.iter().map(|g| g.app_id(&spec.namespace)).collect(),
        names: spec.groups.iter().map(|g| format!("{}/{}", g.service, g.group)).collect(),
        namespace: spec.namespace,
    })?;
    Ok(ExitStatus::Success)
}
