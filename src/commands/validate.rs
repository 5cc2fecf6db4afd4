//! `theseus validate FILE`: check a spec completely, offline.

use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;

use crate::cli::ValidateArgs;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::output::{Layout, Tabular};
use crate::spec::Spec;

/// What `validate` reports on success.
#[derive(Debug, Serialize)]
pub struct ValidateView<'a> {
    /// The spec file.
    pub file: String,
    /// The namespace after `--namespace`.
    pub namespace: String,
    /// Number of services.
    pub services: usize,
    /// Number of labeled groups.
    pub groups: usize,
    /// The Marathon app id of every group's current revision.
    pub apps: AppIds<'a>,
    /// Every group, `service/group` (e.g. `web/dev.frontend`).
    pub names: Vec<String>,
}

/// The app ids of a spec's groups, hashed only when serialized: `-o json` shows them, the
/// summary line does not (hashing 1,000 groups was a fifth of `validate`'s time).
#[derive(Debug)]
pub struct AppIds<'a>(&'a Spec);

impl Serialize for AppIds<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.groups.len()))?;
        for g in &self.0.groups {
            seq.serialize_element(&g.app_id(&self.0.namespace))?;
        }
        seq.end()
    }
}

impl Tabular for ValidateView<'_> {
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
        apps: AppIds(&spec),
        names: spec.groups.iter().map(|g| format!("{}/{}", g.service, g.group)).collect(),
        namespace: spec.namespace.clone(),
    })?;
    Ok(ExitStatus::Success)
}
