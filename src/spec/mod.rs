//! The spec file (DESIGN §2): parse, inherit, validate and render labeled groups into Marathon apps.
//!
//! - [`load()`] / [`parse()`] read a TOML spec and check it completely: every problem comes back
//!   at once in one [`Error`], each with file, line, column and a hint.
//! - [`Spec`] holds the resolved [`GroupSpec`]s; [`Spec::select`] picks groups by service and
//!   label selector.
//! - [`GroupSpec::to_app`] is the one conversion to Marathon's wire model; [`GroupSpec::revision`]
//!   names each version of a group's content; serializing a [`GroupSpec`] gives the JSON stored
//!   in etcd at `/services/<svc>/<group>/config`.
//!
//! Pure: no I/O beyond reading the file.

mod amount;
mod diag;
pub mod ids;
pub mod labels;
mod load;
mod model;
mod render;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use diag::{Diagnostic, Error};
pub use labels::{decode as decode_labels, encode as encode_labels, Selector};
pub use model::{
    Amount, AppSpec, BackoffSpec, FetchSpec, GroupSpec, HealthProtocol, HealthSpec, PortSpec, Promote, ReadinessSpec,
    Rollout, DEFAULT_NAMESPACE,
};
pub use render::{
    group_path, mask, secret_values, LABEL_DEPLOYMENT_GROUP, LABEL_GROUP, LABEL_MANAGED, LABEL_REVISION,
    LABEL_SECRET_ENV, LABEL_SERVICE, LABEL_TAG_PREFIX,
};

use crate::error::UserError;
use crate::marathon::types::App;

/// A loaded, valid spec file.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// The file it was read from.
    pub path: PathBuf,
    /// The Marathon path prefix (no leading or trailing `/`), e.g. `team-a/prod`.
    pub namespace: String,
    /// Whether the file sets `namespace` itself (else [`DEFAULT_NAMESPACE`] applies).
    pub namespace_set: bool,
    /// Every labeled group, in file order.
    pub groups: Vec<GroupSpec>,
    /// Advice that does not make the file invalid (e.g. `$VAR` in `args`, which Marathon
    /// passes to the program unexpanded), with positions.
    pub warnings: Vec<Diagnostic>,
}

/// Reads and validates a spec file.
///
/// Every problem is reported at once in the [`Error`] (exit code 2): TOML syntax, unknown keys,
/// names, label sets, program, resources, ports, constraints, health and readiness checks,
/// fetch locations, durations and rollout settings.
pub fn load(path: &Path) -> Result<Spec, Error> {
    let src = std::fs::read(path).map_err(|e| {
        Error::single(
            path,
            format!("cannot read the spec file: {e}"),
            Some("check the path of the spec file".to_owned()),
        )
    })?;
    let src = String::from_utf8(src).map_err(|e| {
        Error::single(path, format!("the spec file is not UTF-8: {e}"), Some("save the file as UTF-8".to_owned()))
    })?;
    parse(path, &src)
}

/// Reads and validates a spec from standard input (`-f -`), named `<stdin>` in messages.
pub fn load_stdin() -> Result<Spec, Error> {
    let mut src = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut src)
        .map_err(|e| Error::single("<stdin>", format!("cannot read the spec from standard input: {e}"), None))?;
    parse("<stdin>", &src)
}

/// Validates spec text; `path` is used in messages only.
pub fn parse(path: impl Into<PathBuf>, src: &str) -> Result<Spec, Error> {
    let path = path.into();
    match load::parse(src) {
        Ok(loaded) => Ok(Spec {
            path,
            namespace: loaded.namespace,
            namespace_set: loaded.namespace_set,
            groups: loaded.groups,
            warnings: loaded.warnings,
        }),
        Err(diagnostics) => Err(Error { path, diagnostics }),
    }
}

impl Spec {
    /// Several spec files acted on together (`-f a.toml -f b.toml`): their groups in order.
    /// They must agree on the namespace (files that set none take the others'), and a group
    /// may be defined once only; otherwise a [`UserError`] (exit 2) names the files.
    pub fn merge(specs: Vec<Spec>) -> Result<Spec, UserError> {
        let mut specs = specs.into_iter();
        let Some(mut merged) = specs.next() else {
            return Err(UserError::with_hint(
                "no spec file given",
                "give a spec file: FILE or -f FILE (`-f -` reads standard input)",
            ));
        };
        for next in specs {
            let names = format!("`{}` and `{}`", merged.path.display(), next.path.display());
            if merged.namespace != next.namespace && merged.namespace_set && next.namespace_set {
                return Err(UserError::with_hint(
                    format!("{names} set different namespaces (`{}`, `{}`)", merged.namespace, next.namespace),
                    "act on one namespace at a time: run the command once per file",
                ));
            }
            if !merged.namespace_set {
                merged.namespace.clone_from(&next.namespace);
                merged.namespace_set = next.namespace_set;
            }
            for g in next.groups {
                if merged.groups.iter().any(|m| m.service == g.service && m.group == g.group) {
                    return Err(UserError::with_hint(
                        format!("group `{}/{}` is defined in more than one of {names}", g.service, g.group),
                        "define each labeled group in one file only",
                    ));
                }
                merged.groups.push(g);
            }
            merged.warnings.extend(next.warnings);
            merged.path = PathBuf::from(format!("{}, {}", merged.path.display(), next.path.display()));
        }
        Ok(merged)
    }

    /// The same spec under another namespace (`--namespace` / `THESEUS_NAMESPACE`); `None`
    /// keeps the spec's own. An invalid namespace is an [`Error`] (exit 2).
    pub fn with_namespace(mut self, namespace: Option<&str>) -> Result<Spec, Error> {
        if let Some(ns) = namespace {
            ids::check_namespace(ns).map_err(|why| {
                Error::single(
                    &self.path,
                    format!("--namespace: {why}"),
                    Some("namespaces are `/`-separated segments such as `team-a/prod`".to_owned()),
                )
            })?;
            self.namespace = ids::normalize_namespace(ns);
            let too_long: Vec<Diagnostic> = self
                .groups
                .iter()
                .filter_map(|g| ids::check_app_id(&g.app_id(&self.namespace)).err())
                .map(|why| Diagnostic {
                    position: None,
                    message: format!("--namespace: {why}"),
                    hint: Some("use a shorter namespace".to_owned()),
                })
                .collect();
            if !too_long.is_empty() {
                return Err(Error { path: self.path, diagnostics: too_long });
            }
        }
        Ok(self)
    }

    /// The service names, sorted.
    pub fn services(&self) -> BTreeSet<&str> {
        self.groups.iter().map(|g| g.service.as_str()).collect()
    }

    /// The groups of `services` (all if empty) that match `selector`, in file order.
    ///
    /// A service that the file does not define, or a selection that matches no group, is a
    /// [`UserError`] listing what exists.
    pub fn select(&self, services: &[String], selector: &Selector) -> Result<Vec<&GroupSpec>, UserError> {
        let known = self.services();
        let listed = || known.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
        for s in services {
            if !known.contains(s.as_str()) {
                return Err(UserError::with_hint(
                    format!("no service `{s}` in `{}`", self.path.display()),
                    format!("services in this file: {}", listed()),
                ));
            }
        }
        let picked: Vec<&GroupSpec> = self
            .groups
            .iter()
            .filter(|g| services.is_empty() || services.contains(&g.service))
            .filter(|g| selector.matches(&g.labels))
            .collect();
        if picked.is_empty() {
            let groups: Vec<String> = self.groups.iter().map(|g| format!("{}/{}", g.service, g.group)).collect();
            return Err(UserError::with_hint(
                format!("no group in `{}` matches the selection", self.path.display()),
                format!("groups in this file: {}", groups.join(", ")),
            ));
        }
        Ok(picked)
    }

    /// The app definitions of `groups` under this spec's namespace.
    pub fn apps<'a>(&self, groups: impl IntoIterator<Item = &'a GroupSpec>) -> Vec<App> {
        groups.into_iter().map(|g| g.to_app(&self.namespace)).collect()
    }
}

#[cfg(test)]
mod tests;
