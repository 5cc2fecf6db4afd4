//! Reading a spec file: TOML with positions (toml's `DeTable`), inheritance, and complete validation.
//!
//! The TOML is walked by hand rather than through serde so that *every* problem is found in one
//! pass, each with the line and column of the value at fault. A group's fields are looked up
//! through [`Layers`]: the group's table over its service's table, so a field the group sets
//! replaces the service's (lists too) while tables (`env`, `rollout`, `readiness`, ...) merge
//! key by key. A service default that is wrong is found once per group and reported once.
//!
//! This file walks the document, services, groups and label sets; [`group`] reads one group's
//! fields, with one file per concern beside it ([`ports`], [`constraints`], [`checks`],
//! [`fetch`], [`rollout`]). Values are read through one typed reader, [`Loader::read`]
//! ([`read`]) over the TOML access of [`toml`]. Marathon's own rules come from [`crate::marathon::rules`]; defaults for absent
//! fields are the named constants beside the model ([`super::model`]).

mod checks;
mod constraints;
mod fetch;
mod group;
mod ports;
mod read;
mod rollout;
mod toml;

use std::collections::{BTreeMap, BTreeSet};

use self::toml::{found, Layers, Span, Table, Value as _};
use super::diag::Collector;
use super::ids;
use super::labels::{encode, is_valid_name};
use super::model::{GroupSpec, DEFAULT_NAMESPACE};

/// Keys every service and group may set.
const FIELDS: &[&str] = &[
    "image",
    "cmd",
    "args",
    "cpus",
    "mem",
    "disk",
    "instances",
    "ports",
    "env",
    "secret_env",
    "constraints",
    "health",
    "readiness",
    "fetch",
    "marathon_labels",
    "user",
    "backoff",
    "kill_grace",
    "rollout",
];
const TOP_KEYS: &[&str] = &["namespace", "service"];
const NAME_RULE: &str = "lowercase letters, digits and `-`, not first or last: `[a-z0-9]([a-z0-9-]*[a-z0-9])?`";

/// What a file yields: its namespace and groups, or nothing if it had any problem.
pub(crate) struct Loaded {
    pub(crate) namespace: String,
    /// Whether the file sets `namespace` (else it is the default).
    pub(crate) namespace_set: bool,
    pub(crate) groups: Vec<GroupSpec>,
    /// Advice that does not make the file invalid.
    pub(crate) warnings: Vec<super::Diagnostic>,
}

/// Reads and checks a whole spec; `Err` carries every problem.
pub(crate) fn parse(src: &str) -> Result<Loaded, Vec<super::Diagnostic>> {
    let mut c = Collector::new(src);
    let doc = match toml::parse(src) {
        Ok(doc) => doc,
        Err((message, span)) => {
            let msg = message.trim().lines().map(str::trim).collect::<Vec<_>>().join("; ");
            c.error(
                span,
                format!("invalid TOML: {msg}"),
                Some("fix the TOML syntax; every table and value must parse".to_owned()),
            );
            return Err(c.into_diagnostics());
        }
    };
    let mut l = Loader { c, namespace: DEFAULT_NAMESPACE.to_owned() };
    let loaded = l.document(&doc);
    if l.c.is_empty() {
        let warnings = l.c.warnings();
        loaded.map(|loaded| Loaded { warnings, ..loaded }).ok_or_else(Vec::new)
    } else {
        Err(l.c.into_diagnostics())
    }
}

/// The walk over one file: every problem goes to the collector.
struct Loader<'s> {
    c: Collector<'s>,
    /// The file's namespace, once read (app ids are checked against Mesos' limits with it).
    namespace: String,
}

impl Loader<'_> {
    fn document(&mut self, root: &Table<'_>) -> Option<Loaded> {
        let top = Layers::one(root, Some(0..0));
        self.check_keys(&top, TOP_KEYS, "the top level");
        let namespace = match top.get("namespace") {
            None => DEFAULT_NAMESPACE.to_owned(),
            Some((_, v)) => {
                let ns: String = self.read(v, "namespace").unwrap_or_default();
                if let Err(why) = ids::check_namespace(&ns) {
                    self.err(v.span(), why, "namespaces are `/`-separated segments such as `team-a/prod`: lowercase letters, digits, `-` and `.`");
                }
                ids::normalize_namespace(&ns)
            }
        };
        self.namespace = namespace.clone();
        let Some((skey, sitem)) = top.get("service") else {
            self.err(
                Some(0..0),
                "the spec defines no services",
                "add a `[service.NAME]` table, e.g. `[service.web]` with `image = \"nginx:1.27\"`",
            );
            return None;
        };
        let Some(services) = sitem.as_table() else {
            self.err(
                skey.span(),
                format!("`service` must be a table, found {}", found(sitem)),
                "write services as `[service.NAME]` tables",
            );
            return None;
        };
        if services.is_empty() {
            self.err(skey.span(), "the spec defines no services", "add a `[service.NAME]` table");
        }
        // Sized once: a group is large, and 1,000 of them grown by doubling copied most of them.
        let capacity =
            services.values().filter_map(|svc| svc.as_table()?.get("group")?.as_array().map(<[_]>::len)).sum();
        let mut groups = Vec::with_capacity(capacity);
        for (k, v) in services.iter() {
            let name: &str = k.get_ref();
            let span = Some(k.span());
            if !is_valid_name(name) {
                self.err(
                    span.clone(),
                    format!("invalid service name `{name}`"),
                    format!("service names are {NAME_RULE}"),
                );
            } else if let Err(why) = ids::check_group_segment(name) {
                self.err(span.clone(), format!("service name `{name}`: {why}"), "rename the service");
            }
            let Some(svc) = v.as_table() else {
                self.err(
                    span,
                    format!("service `{name}` must be a table, found {}", found(v)),
                    format!("write `[service.{name}]` and its keys below it"),
                );
                continue;
            };
            let svc_span = Some(v.span());
            self.service(name, svc, svc_span, &mut groups);
        }
        Some(Loaded { namespace, namespace_set: top.get("namespace").is_some(), groups, warnings: Vec::new() })
    }

    /// Checks one service and adds its valid groups to `out`.
    fn service(&mut self, name: &str, svc: &Table<'_>, span: Span, out: &mut Vec<GroupSpec>) {
        let base = Layers::one(svc, span.clone());
        let mut allowed = FIELDS.to_vec();
        allowed.push("group");
        self.check_keys(&base, &allowed, &format!("service `{name}`"));
        let entries = match base.get("group") {
            None => {
                self.err(
                    span.clone(),
                    format!("service `{name}` has no groups"),
                    format!("add a `[[service.{name}.group]]` table with `labels = [\"...\"]` and `instances`"),
                );
                // Still check the service's own fields.
                self.c.dirty = false;
                self.group(name, &base, None);
                return;
            }
            Some((_, item)) => self.table_list("group", item).unwrap_or_default(),
        };
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut gallowed = FIELDS.to_vec();
        gallowed.push("labels");
        let what = format!("a group of service `{name}`");
        for (table, gspan) in entries {
            let mut layers = base.clone();
            layers.layers.push(table);
            layers.span = gspan.clone();
            self.check_keys(&Layers::one(table, gspan.clone()), &gallowed, &what);
            let labels = self.labels(name, table, gspan.clone());
            self.c.dirty = false;
            let resolved = self.group(name, &layers, labels.as_ref());
            if let Some((labels, lspan)) = labels {
                let encoded = encode(&labels);
                let (line, _) = self.c.position(gspan.clone().map_or(0, |s| s.start));
                if let Some(first) = seen.get(&encoded) {
                    self.err(
                        lspan,
                        format!("duplicate label set [{}] in service `{name}`: the group at line {first} has the same labels", labels.iter().cloned().collect::<Vec<_>>().join(", ")),
                        "label order and repeats do not matter; give each group of a service a distinct label set",
                    );
                    continue;
                }
                seen.insert(encoded.clone(), line);
                if let Err(why) = ids::check_group_segment(&encoded) {
                    self.err(lspan.clone(), format!("label set [{encoded}]: {why}"), "add or rename a label");
                }
                // Only the id's length is checked, and every revision has the same length.
                if let Some(Err(why)) =
                    resolved.as_ref().map(|g| ids::check_app_id(&g.app_id_of_any_revision(&self.namespace)))
                {
                    self.err(lspan, why, "shorten the namespace, the service name or the labels");
                    continue;
                }
            }
            if let Some(g) = resolved {
                out.push(g);
            }
        }
    }

    fn labels(&mut self, service: &str, table: &Table<'_>, gspan: Span) -> Option<(BTreeSet<String>, Span)> {
        let hint = "give the group a label set such as `labels = [\"dev\", \"frontend\"]`";
        let Some(item) = table.get("labels") else {
            self.err(gspan, format!("a group of service `{service}` has no `labels`"), hint);
            return None;
        };
        let Some(arr) = item.as_array() else {
            self.err(item.span(), format!("`labels` must be an array of strings, found {}", found(item)), hint);
            return None;
        };
        if arr.is_empty() {
            self.err(item.span(), "a group needs at least one label", hint);
            return None;
        }
        let mut set = BTreeSet::new();
        let mut ok = true;
        for v in arr.iter() {
            match v.as_str() {
                Some(s) if is_valid_name(s) => {
                    set.insert(s.to_owned());
                }
                Some(s) => {
                    ok = false;
                    self.err(v.span(), format!("invalid label `{s}`"), format!("labels are {NAME_RULE}"));
                }
                None => {
                    ok = false;
                    self.err(v.span(), format!("labels must be strings, found {}", found(v)), hint);
                }
            }
        }
        ok.then_some((set, Some(item.span())))
    }
}
