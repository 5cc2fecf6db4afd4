//! `theseus render FILE [-s SERVICE] [-l LABEL...]`: the Marathon app definitions, offline.

use crate::cli::RenderArgs;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::spec::{GroupSpec, Selector};

/// The app definitions of `groups`, each converted as it is written (never all held at once).
struct Apps<'a> {
    namespace: &'a str,
    groups: &'a [&'a GroupSpec],
}

impl serde::Serialize for Apps<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.groups.len()))?;
        for g in self.groups {
            seq.serialize_element(&g.to_app(self.namespace))?;
        }
        seq.end()
    }
}

/// Runs the command: a JSON array of app definitions on stdout (whatever `-o` says: the output
/// is the exact body sent to Marathon), or every problem of the spec on stderr and exit 2.
pub fn run(ctx: &Context, args: RenderArgs) -> anyhow::Result<ExitStatus> {
    let selector = Selector::parse(&args.selection.labels)?;
    let spec = super::common::load_spec(&args.files, ctx)?;
    let groups = spec.select(&args.selection.services, &selector)?;
    ctx.out.json(&Apps { namespace: &spec.namespace, groups: &groups })?;
    Ok(ExitStatus::Success)
}
