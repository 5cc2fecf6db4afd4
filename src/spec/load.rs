//! Reading a spec file: TOML with positions (toml_edit), inheritance, and complete validation.
//!
//! The TOML is walked by hand rather than through serde so that *every* problem is found in one
//! pass, each with the line and column of the value at fault. A group's fields are looked up
//! through [`Layers`]: the group's table over its service's table, so a field the group sets
//! replaces the service's (lists too) while tables (`env`, `rollout`, `readiness`, ...) merge
//! key by key. A service default that is wrong is found once per group and reported once.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::time::Duration;

use toml_edit::{ImDocument, Item, Key, TableLike, Value};

use super::diag::Collector;
use super::ids;
use super::labels::{encode, is_valid_name};
use super::model::{
    Amount, AppSpec, BackoffSpec, FetchSpec, GroupSpec, HealthProtocol, HealthSpec, PortSpec, ReadinessSpec, Rollout,
};

type Span = Option<Range<usize>>;

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
const PORT_KEYS: &[&str] = &["name", "container", "protocol"];
const HEALTH_KEYS: &[&str] = &["protocol", "path", "port", "command", "grace", "interval", "timeout", "max_failures"];
const READINESS_KEYS: &[&str] =
    &["protocol", "path", "port", "interval", "timeout", "status_codes", "preserve_last_response"];
const FETCH_KEYS: &[&str] = &["location", "executable", "extract", "cache", "dest"];
const BACKOFF_KEYS: &[&str] = &["delay", "factor", "max_delay"];
const ROLLOUT_KEYS: &[&str] = &["batch", "wait", "max_unavailable", "min_healthy", "deadline"];
const OPERATORS: &[&str] = &["UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS"];

/// The default namespace (DESIGN §1).
pub const DEFAULT_NAMESPACE: &str = "theseus";

/// What a file yields: its namespace and groups, or nothing if it had any problem.
pub(crate) struct Loaded {
    pub(crate) namespace: String,
    pub(crate) groups: Vec<GroupSpec>,
}

/// A table seen through inheritance: later layers win.
#[derive(Clone)]
struct Layers<'a> {
    layers: Vec<&'a dyn TableLike>,
    span: Span,
}

impl<'a> Layers<'a> {
    fn one(t: &'a dyn TableLike, span: Span) -> Self {
        Layers { layers: vec![t], span }
    }

    /// The winning key and value for `key`.
    fn get(&self, key: &str) -> Option<(&'a Key, &'a Item)> {
        self.layers.iter().rev().find_map(|t| t.get_key_value(key))
    }

    /// The table under `key`, merged over every layer whose value there is a table too (up to
    /// the first layer, from the top, that sets something else). `None` if the winner is not a table.
    fn sub(&self, key: &str) -> Option<Layers<'a>> {
        let mut layers = Vec::new();
        let mut span = None;
        for t in self.layers.iter().rev() {
            let Some(item) = t.get(key) else { continue };
            match item.as_table_like() {
                Some(sub) => {
                    if span.is_none() {
                        span = item.span();
                    }
                    layers.push(sub);
                }
                None => break,
            }
        }
        if layers.is_empty() {
            return None;
        }
        layers.reverse();
        Some(Layers { layers, span })
    }

    /// Every key with its winning value, by name.
    fn entries(&self) -> BTreeMap<&'a str, (&'a Key, &'a Item)> {
        let mut out = BTreeMap::new();
        for t in &self.layers {
            for (name, _) in t.iter() {
                if let Some((k, v)) = t.get_key_value(name) {
                    out.insert(k.get(), (k, v));
                }
            }
        }
        out
    }
}

fn found(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(v) => match v {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date-time",
            Value::Array(_) => "an array",
            Value::InlineTable(_) => "a table",
        },
    }
}

fn key_span(key: &Key, item: &Item) -> Span {
    key.span().or_else(|| item.span())
}

/// The Levenshtein distance between two short strings.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(row[j]).min(cur) };
            prev = cur;
        }
    }
    row[b.len()]
}

fn hint_list(items: &[&str]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// The tables of a list given as `[[x]]` or `x = [{...}, ...]`; elements that are not tables
/// are reported.
fn table_list<'a>(c: &mut Collector<'_>, name: &str, item: &'a Item) -> Option<Vec<(&'a dyn TableLike, Span)>> {
    match item {
        Item::ArrayOfTables(a) => Some(a.iter().map(|t| (t as &dyn TableLike, t.span())).collect()),
        Item::Value(Value::Array(a)) => {
            let mut out = Vec::new();
            for v in a.iter() {
                match v {
                    Value::InlineTable(t) => out.push((t as &dyn TableLike, t.span())),
                    other => c.error(
                        other.span(),
                        format!("each entry of `{name}` must be a table, found {}", found(&Item::Value(other.clone()))),
                        Some(format!(
                            "write entries as `{{ key = value, ... }}`; see the keys of `{name}` in the README"
                        )),
                    ),
                }
            }
            Some(out)
        }
        other => {
            c.error(
                other.span(),
                format!("`{name}` must be an array of tables, found {}", found(other)),
                Some(format!("write `{name} = [{{ ... }}]`")),
            );
            None
        }
    }
}

/// Reads and checks a whole spec; `Err` carries every problem.
pub(crate) fn parse(src: &str) -> Result<Loaded, Vec<super::Diagnostic>> {
    let mut c = Collector::new(src);
    let doc = match ImDocument::parse(src) {
        Ok(doc) => doc,
        Err(e) => {
            let msg = e.message().trim().lines().map(str::trim).collect::<Vec<_>>().join("; ");
            c.error(
                e.span(),
                format!("invalid TOML: {msg}"),
                Some("fix the TOML syntax; every table and value must parse".to_owned()),
            );
            return Err(c.into_diagnostics());
        }
    };
    let root = doc.as_table();
    let mut l = Loader { c };
    let loaded = l.document(root);
    if l.c.is_empty() {
        loaded.ok_or_else(Vec::new)
    } else {
        Err(l.c.into_diagnostics())
    }
}

struct Loader<'s> {
    c: Collector<'s>,
}

impl<'s> Loader<'s> {
    fn err(&mut self, span: Span, message: impl Into<String>, hint: impl Into<String>) {
        let hint: String = hint.into();
        self.c.error(span, message, if hint.is_empty() { None } else { Some(hint) });
    }

    fn check_keys(&mut self, t: &Layers<'_>, allowed: &[&str], what: &str) {
        for layer in &t.layers {
            for (name, _) in layer.iter() {
                if allowed.contains(&name) {
                    continue;
                }
                let span = layer.get_key_value(name).and_then(|(k, v)| key_span(k, v));
                let near = allowed.iter().copied().filter(|a| distance(a, name) <= 2).min_by_key(|a| distance(a, name));
                let hint = match near {
                    Some(n) => format!("did you mean `{n}`? allowed keys: {}", hint_list(allowed)),
                    None => format!("allowed keys: {}", hint_list(allowed)),
                };
                self.err(span, format!("unknown key `{name}` in {what}"), hint);
            }
        }
    }

    fn document(&mut self, root: &toml_edit::Table) -> Option<Loaded> {
        let top = Layers::one(root, Some(0..0));
        self.check_keys(&top, TOP_KEYS, "the top level");
        let namespace = match top.get("namespace") {
            None => DEFAULT_NAMESPACE.to_owned(),
            Some((_, v)) => {
                let ns = self.string(v, "namespace").unwrap_or_default();
                if let Err(why) = ids::check_namespace(&ns) {
                    self.err(v.span(), why, "namespaces are `/`-separated segments such as `team-a/prod`: lowercase letters, digits, `-` and `.`");
                }
                ids::normalize_namespace(&ns)
            }
        };
        let Some((skey, sitem)) = top.get("service") else {
            self.err(
                Some(0..0),
                "the spec defines no services",
                "add a `[service.NAME]` table, e.g. `[service.web]` with `image = \"nginx:1.27\"`",
            );
            return None;
        };
        let Some(services) = sitem.as_table_like() else {
            self.err(
                key_span(skey, sitem),
                format!("`service` must be a table, found {}", found(sitem)),
                "write services as `[service.NAME]` tables",
            );
            return None;
        };
        if services.is_empty() {
            self.err(key_span(skey, sitem), "the spec defines no services", "add a `[service.NAME]` table");
        }
        let mut groups = Vec::new();
        for (name, _) in services.iter() {
            let Some((k, v)) = services.get_key_value(name) else { continue };
            let span = key_span(k, v);
            if !is_valid_name(name) {
                self.err(
                    span.clone(),
                    format!("invalid service name `{name}`"),
                    "service names are lowercase letters, digits and `-`, not first or last: `[a-z0-9]([a-z0-9-]*[a-z0-9])?`",
                );
            }
            let Some(svc) = v.as_table_like() else {
                self.err(
                    span,
                    format!("service `{name}` must be a table, found {}", found(v)),
                    format!("write `[service.{name}]` and its keys below it"),
                );
                continue;
            };
            let svc_span = v.span().or(span);
            groups.extend(self.service(name, svc, svc_span));
        }
        Some(Loaded { namespace, groups })
    }

    fn service(&mut self, name: &str, svc: &dyn TableLike, span: Span) -> Vec<GroupSpec> {
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
                return Vec::new();
            }
            Some((_, item)) => table_list(&mut self.c, "group", item).unwrap_or_default(),
        };
        let mut out = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (table, gspan) in entries {
            let mut layers = base.clone();
            layers.layers.push(table);
            layers.span = gspan.clone().or(span.clone());
            let mut gallowed = FIELDS.to_vec();
            gallowed.push("labels");
            self.check_keys(&Layers::one(table, gspan.clone()), &gallowed, &format!("a group of service `{name}`"));
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
                seen.insert(encoded, line);
            }
            if let Some(g) = resolved {
                out.push(g);
            }
        }
        out
    }

    fn labels(&mut self, service: &str, table: &dyn TableLike, gspan: Span) -> Option<(BTreeSet<String>, Span)> {
        let hint = "give the group a label set such as `labels = [\"dev\", \"frontend\"]`";
        let Some((k, item)) = table.get_key_value("labels") else {
            self.err(gspan, format!("a group of service `{service}` has no `labels`"), hint);
            return None;
        };
        let span = key_span(k, item);
        let Some(arr) = item.as_array() else {
            self.err(item.span(), format!("`labels` must be an array of strings, found {}", found(item)), hint);
            return None;
        };
        if arr.is_empty() {
            self.err(item.span().or(span), "a group needs at least one label", hint);
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
                    self.err(v.span(), format!("invalid label `{s}`"), "labels are lowercase letters, digits and `-`, not first or last: `[a-z0-9]([a-z0-9-]*[a-z0-9])?`");
                }
                None => {
                    ok = false;
                    self.err(
                        v.span(),
                        format!("labels must be strings, found {}", found(&Item::Value(v.clone()))),
                        hint,
                    );
                }
            }
        }
        ok.then_some((set, item.span().or(span)))
    }

    // ---- typed values ----

    fn string(&mut self, item: &Item, key: &str) -> Option<String> {
        match item.as_str() {
            Some(s) => Some(s.to_owned()),
            None => {
                self.err(
                    item.span(),
                    format!("`{key}` must be a string, found {}", found(item)),
                    format!("quote it: `{key} = \"...\"`"),
                );
                None
            }
        }
    }

    fn nonempty_string(&mut self, item: &Item, key: &str) -> Option<String> {
        let s = self.string(item, key)?;
        if s.trim().is_empty() {
            self.err(item.span(), format!("`{key}` must not be empty"), format!("set `{key}` or remove the key"));
            return None;
        }
        Some(s)
    }

    fn number(&mut self, item: &Item, key: &str) -> Option<f64> {
        let n = match item.as_value() {
            Some(Value::Integer(i)) => *i.value() as f64,
            Some(Value::Float(f)) => *f.value(),
            _ => {
                self.err(
                    item.span(),
                    format!("`{key}` must be a number, found {}", found(item)),
                    format!("write a number without quotes, e.g. `{key} = 0.5`"),
                );
                return None;
            }
        };
        if !n.is_finite() {
            self.err(item.span(), format!("`{key}` must be a finite number"), "`nan` and `inf` are not resources");
            return None;
        }
        Some(n)
    }

    fn integer(&mut self, item: &Item, key: &str, min: i64, max: i64) -> Option<i64> {
        match item.as_integer() {
            Some(i) if (min..=max).contains(&i) => Some(i),
            Some(i) => {
                self.err(
                    item.span(),
                    format!("`{key}` must be between {min} and {max}, found {i}"),
                    format!("use a value from {min} to {max}"),
                );
                None
            }
            None => {
                self.err(
                    item.span(),
                    format!("`{key}` must be an integer, found {}", found(item)),
                    format!("write a whole number without quotes, e.g. `{key} = {min}`"),
                );
                None
            }
        }
    }

    fn boolean(&mut self, item: &Item, key: &str) -> Option<bool> {
        let b = item.as_bool();
        if b.is_none() {
            self.err(
                item.span(),
                format!("`{key}` must be a boolean, found {}", found(item)),
                format!("write `{key} = true` or `{key} = false`"),
            );
        }
        b
    }

    fn duration(&mut self, item: &Item, key: &str) -> Option<Duration> {
        let hint = "use a human duration such as `30s`, `5m` or `1h 30m`";
        let Some(text) = item.as_str() else {
            self.err(
                item.span(),
                format!("`{key}` must be a duration string, found {}", found(item)),
                format!("{hint}, in quotes"),
            );
            return None;
        };
        match humantime::parse_duration(text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(item.span(), format!("invalid duration `{text}` for `{key}`: {e}"), hint);
                None
            }
        }
    }

    /// A duration Marathon takes in whole seconds.
    fn seconds(&mut self, item: &Item, key: &str, min: u64) -> Option<Duration> {
        let d = self.duration(item, key)?;
        if d.subsec_nanos() != 0 {
            self.err(
                item.span(),
                format!("`{key}` must be whole seconds, found `{}`", humantime::format_duration(d)),
                "Marathon counts this in seconds; round it, e.g. `2s`",
            );
            return None;
        }
        if d.as_secs() < min {
            self.err(item.span(), format!("`{key}` must be at least {min}s"), format!("use `{min}s` or more"));
            return None;
        }
        Some(d)
    }

    fn string_map(&mut self, t: &Layers<'_>, what: &str, hint: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (name, (k, v)) in t.entries() {
            if name.is_empty() {
                self.err(key_span(k, v), format!("empty key in `{what}`"), hint);
                continue;
            }
            match v.as_str() {
                Some(s) => {
                    out.insert(name.to_owned(), s.to_owned());
                }
                None => self.err(
                    v.span(),
                    format!("`{what}.{name}` must be a string, found {}", found(v)),
                    format!("quote the value: `{name} = \"...\"`"),
                ),
            }
        }
        out
    }

    // ---- one group ----

    /// Resolves one group (service defaults under the group's own table); `None` on any error.
    fn group<'d>(
        &mut self,
        service: &str,
        t: &Layers<'d>,
        labels: Option<&(BTreeSet<String>, Span)>,
    ) -> Option<GroupSpec> {
        let get = |k: &str| t.get(k);
        let image = get("image").and_then(|(_, v)| self.nonempty_string(v, "image"));
        let cmd = get("cmd").and_then(|(_, v)| self.nonempty_string(v, "cmd"));
        let args = get("args").and_then(|(_, v)| self.args(v));
        if get("cmd").is_some() && get("args").is_some() {
            let span = get("args").and_then(|(k, v)| key_span(k, v));
            self.err(
                span,
                "both `cmd` and `args` are set: AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.",
                "keep one: `cmd` runs through `/bin/sh -c`, `args` runs directly (a group's value does not remove its service's)",
            );
        }
        if get("cmd").is_none() && get("args").is_none() && get("image").is_none() {
            self.err(
                t.span.clone(),
                format!("service `{service}`{} has nothing to run: AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.", labels.map(|(l, _)| format!(" group [{}]", l.iter().cloned().collect::<Vec<_>>().join(", "))).unwrap_or_default()),
                "set `cmd = \"...\"` (or `args`) for a command app, or `image = \"...\"` for a Docker app",
            );
        }
        let cpus = match get("cpus") {
            Some((_, v)) => self.number(v, "cpus").and_then(|n| {
                if n < 0.001 {
                    self.err(
                        v.span(),
                        format!("`cpus` must be at least 0.001, found {n}"),
                        "Marathon's minimum is 0.001 cpus; use e.g. `cpus = 0.1`",
                    );
                    None
                } else {
                    Some(n)
                }
            }),
            None => Some(1.0),
        };
        let mut resource = |key: &str, default: f64| match get(key) {
            Some((_, v)) => self.number(v, key).and_then(|n| {
                if n < 0.0 {
                    self.err(
                        v.span(),
                        format!("`{key}` must not be negative, found {n}"),
                        format!("`{key}` is in MiB; use 0 or more"),
                    );
                    None
                } else {
                    Some(n)
                }
            }),
            None => Some(default),
        };
        let mem = resource("mem", 128.0);
        let disk = resource("disk", 0.0);
        let instances = match get("instances") {
            Some((_, v)) => self.integer(v, "instances", 0, i64::from(u32::MAX)).map(|i| i as u32),
            None => Some(1),
        };
        let ports =
            get("ports").map(|(_, v)| self.ports(v, image.is_some() || get("image").is_some())).unwrap_or_default();
        let env = t.sub("env").map(|e| self.string_map(&e, "env", "environment variables are `NAME = \"value\"`"));
        if env.is_none() {
            if let Some((_, v)) = get("env") {
                self.err(
                    v.span(),
                    format!("`env` must be a table, found {}", found(v)),
                    "write `env = { NAME = \"value\" }`",
                );
            }
        }
        let constraints = get("constraints").map(|(_, v)| self.constraints(v)).unwrap_or_default();
        let health = get("health").map(|(_, _)| self.health(t, &ports)).unwrap_or_default();
        let readiness = get("readiness").and_then(|(_, v)| match t.sub("readiness") {
            Some(r) => self.readiness(&r, &ports),
            None => {
                self.err(
                    v.span(),
                    format!("`readiness` must be a table, found {}", found(v)),
                    "write `readiness = { path = \"/ready\", port = \"http\" }`",
                );
                None
            }
        });
        let fetch = get("fetch").map(|(_, v)| self.fetch(v)).unwrap_or_default();
        let marathon_labels = match (get("marathon_labels"), t.sub("marathon_labels")) {
            (_, Some(m)) => {
                let map = self.string_map(&m, "marathon_labels", "labels are `key = \"value\"`");
                for (name, (k, v)) in m.entries() {
                    if name.starts_with("theseus.") {
                        self.err(
                            key_span(k, v),
                            format!("label `{name}` is reserved"),
                            "Theseus sets the `theseus.*` labels itself; use another prefix",
                        );
                    }
                }
                map
            }
            (Some((_, v)), None) => {
                self.err(
                    v.span(),
                    format!("`marathon_labels` must be a table, found {}", found(v)),
                    "write `marathon_labels = { key = \"value\" }`",
                );
                BTreeMap::new()
            }
            (None, None) => BTreeMap::new(),
        };
        let user = get("user").and_then(|(_, v)| self.nonempty_string(v, "user"));
        let backoff = get("backoff").and_then(|(_, v)| match t.sub("backoff") {
            Some(b) => self.backoff(&b),
            None => {
                self.err(
                    v.span(),
                    format!("`backoff` must be a table, found {}", found(v)),
                    "write `backoff = { delay = \"1s\", factor = 1.15, max_delay = \"5m\" }`",
                );
                None
            }
        });
        let kill_grace = get("kill_grace").and_then(|(_, v)| self.seconds(v, "kill_grace", 0));
        let rollout = match (get("rollout"), t.sub("rollout")) {
            (_, Some(r)) => self.rollout(&r),
            (Some((_, v)), None) => {
                self.err(
                    v.span(),
                    format!("`rollout` must be a table, found {}", found(v)),
                    "write `rollout = { batch = 1, wait = \"30s\" }`",
                );
                None
            }
            (None, None) => Some(Rollout::default()),
        };

        let (labels, _) = labels?;
        if self.c.dirty {
            return None;
        }
        let app = AppSpec {
            image,
            cmd,
            args,
            cpus: cpus?,
            mem: mem?,
            disk: disk?,
            ports,
            env: env.unwrap_or_default(),
            constraints,
            health,
            readiness,
            fetch,
            marathon_labels,
            user,
            backoff,
            kill_grace,
        };
        Some(GroupSpec {
            service: service.to_owned(),
            encoded: encode(labels),
            labels: labels.clone(),
            instances: instances?,
            rollout: rollout?,
            app,
        })
    }

    fn args(&mut self, item: &Item) -> Option<Vec<String>> {
        let hint = "write `args = [\"program\", \"--flag\", \"value\"]`";
        let Some(arr) = item.as_array() else {
            self.err(item.span(), format!("`args` must be an array of strings, found {}", found(item)), hint);
            return None;
        };
        if arr.is_empty() {
            self.err(item.span(), "`args` must not be empty", hint);
            return None;
        }
        let mut out = Vec::new();
        for v in arr.iter() {
            match v.as_str() {
                Some(s) => out.push(s.to_owned()),
                None => self.err(
                    v.span(),
                    format!("`args` entries must be strings, found {}", found(&Item::Value(v.clone()))),
                    "quote each argument",
                ),
            }
        }
        (out.len() == arr.len()).then_some(out)
    }

    fn ports(&mut self, item: &Item, has_image: bool) -> Vec<PortSpec> {
        let Some(list) = table_list(&mut self.c, "ports", item) else { return Vec::new() };
        let mut out: Vec<PortSpec> = Vec::new();
        let mut first_mode: Option<bool> = None;
        for (t, span) in list {
            let layers = Layers::one(t, span.clone());
            self.check_keys(&layers, PORT_KEYS, "a port");
            let name = match t.get_key_value("name") {
                Some((_, v)) => self.string(v, "name").and_then(|n| {
                    if !ids::is_valid_port_name(&n) {
                        self.err(
                            v.span(),
                            format!("invalid port name `{n}`"),
                            "port names match `^[a-z][a-z0-9-]*$`, e.g. `http` or `admin-api`",
                        );
                        None
                    } else if out.iter().any(|p| p.name == n) {
                        self.err(
                            v.span(),
                            format!("duplicate port name `{n}`"),
                            "give every port of an app its own name",
                        );
                        None
                    } else {
                        Some(n)
                    }
                }),
                None => {
                    self.err(
                        span.clone(),
                        "a port has no `name`",
                        "write `{ name = \"http\" }` (add `container = 80` for a Docker app with bridge networking)",
                    );
                    None
                }
            };
            let container = t
                .get_key_value("container")
                .and_then(|(_, v)| self.integer(v, "container", 0, 65535))
                .map(|p| p as u16);
            let bridge = t.get("container").is_some();
            match first_mode {
                None => first_mode = Some(bridge),
                Some(m) if m != bridge => self.err(
                    span.clone(),
                    "ports mix host and bridge networking: either every port has `container` or none does",
                    "with `container` the app uses bridge networking (container.portMappings); without, host networking (portDefinitions)",
                ),
                Some(_) => {}
            }
            if bridge && !has_image {
                self.err(
                    t.get("container").and_then(Item::span),
                    "a `container` port needs a Docker `image`: bridge networking runs a container",
                    "set `image`, or drop `container` to use host networking with `$PORT0` / `$PORT_<NAME>`",
                );
            }
            let protocol = match t.get("protocol") {
                Some(v) => self.string(v, "protocol").and_then(|p| match p.to_ascii_lowercase().as_str() {
                    "tcp" => Some("tcp".to_owned()),
                    "udp" => Some("udp".to_owned()),
                    "udp,tcp" | "tcp,udp" => Some("udp,tcp".to_owned()),
                    _ => {
                        self.err(v.span(), format!("invalid port protocol `{p}`"), "use `tcp`, `udp` or `udp,tcp`");
                        None
                    }
                }),
                None => Some("tcp".to_owned()),
            };
            let protocol = protocol.and_then(|p| {
                if p == "udp,tcp" && !bridge {
                    self.err(
                        t.get("protocol").and_then(Item::span),
                        "protocol `udp,tcp` needs a `container` port: Marathon's portDefinitions (host networking) take `tcp` or `udp`",
                        "declare two ports, one `tcp` and one `udp`, or use a Docker image with `container` ports",
                    );
                    None
                } else {
                    Some(p)
                }
            });
            if let (Some(name), Some(protocol)) = (name, protocol) {
                out.push(PortSpec { name, container: if bridge { container } else { None }, protocol });
            }
        }
        out
    }

    fn constraints(&mut self, item: &Item) -> Vec<Vec<String>> {
        let shape = "write constraints as `[[\"hostname\", \"UNIQUE\"], [\"rack\", \"GROUP_BY\", \"3\"]]`";
        let Some(arr) = item.as_array() else {
            self.err(item.span(), format!("`constraints` must be an array of arrays, found {}", found(item)), shape);
            return Vec::new();
        };
        let mut out = Vec::new();
        for c in arr.iter() {
            let Some(fields) = c.as_array() else {
                self.err(c.span(), "Each constraint must have either 2 or 3 fields", shape);
                continue;
            };
            if fields.len() < 2 || fields.len() > 3 {
                self.err(
                    c.span(),
                    format!("Each constraint must have either 2 or 3 fields (found {})", fields.len()),
                    shape,
                );
                continue;
            }
            let mut strs = Vec::new();
            for (i, f) in fields.iter().enumerate() {
                match f {
                    Value::String(s) => strs.push(s.value().clone()),
                    Value::Integer(n) if i == 2 => strs.push(n.value().to_string()),
                    other => {
                        self.err(
                            other.span(),
                            format!("constraint fields must be strings, found {}", found(&Item::Value(other.clone()))),
                            shape,
                        );
                    }
                }
            }
            if strs.len() != fields.len() {
                continue;
            }
            let op_span = fields.get(1).and_then(Value::span);
            let val_span = fields.get(2).and_then(Value::span);
            if strs[0].trim().is_empty() {
                self.err(
                    fields.get(0).and_then(Value::span),
                    "missing field for constraint declaration",
                    "name an agent attribute or `hostname` as the first field",
                );
            }
            let op = strs[1].to_ascii_uppercase();
            let value = strs.get(2).cloned();
            let ok = match op.as_str() {
                "UNIQUE" => {
                    if value.is_some() {
                        self.err(val_span, "UNIQUE does not accept a value", "write `[\"hostname\", \"UNIQUE\"]`");
                    }
                    value.is_none()
                }
                "CLUSTER" => true,
                "GROUP_BY" => match value.as_deref() {
                    None | Some("") => true,
                    Some(v) if v.parse::<u32>().is_ok() => true,
                    Some(_) => {
                        self.err(
                            val_span,
                            "GROUP BY must define an integer value or else no value at all",
                            "write the expected number of distinct values, e.g. `[\"rack\", \"GROUP_BY\", \"3\"]`",
                        );
                        false
                    }
                },
                "MAX_PER" => match value.as_deref().map(str::parse::<u32>) {
                    Some(Ok(_)) => true,
                    _ => {
                        self.err(
                            val_span.or(c.span()),
                            "MAX_PER requires an integer value",
                            "write e.g. `[\"rack\", \"MAX_PER\", \"2\"]`",
                        );
                        false
                    }
                },
                "LIKE" | "UNLIKE" => match value.as_deref() {
                    None | Some("") => {
                        self.err(
                            val_span.or(c.span()),
                            "LIKE and UNLIKE require a non-empty, regular expression value",
                            "write e.g. `[\"rack\", \"LIKE\", \"rack-[12]\"]`",
                        );
                        false
                    }
                    Some(re) => match regex::Regex::new(&format!("^(?:{re})$")) {
                        Ok(_) => true,
                        Err(_) => {
                            self.err(
                                val_span,
                                format!("'{re}' is not a valid regular expression"),
                                "fix the regular expression (Java syntax; it must match the whole value)",
                            );
                            false
                        }
                    },
                },
                "IS" => match value.as_deref() {
                    Some(v) if ids::is_mesos_literal(v) => true,
                    _ => {
                        self.err(
                            val_span.or(c.span()),
                            "IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)",
                            "the value must match `^[a-zA-Z0-9_/.-]*$`, e.g. `[\"zone\", \"IS\", \"us-east-1a\"]`",
                        );
                        false
                    }
                },
                _ => {
                    self.err(
                        op_span,
                        "operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS",
                        format!("`{}` is not an operator; allowed: {}", strs[1], hint_list(OPERATORS)),
                    );
                    false
                }
            };
            if ok {
                let mut norm = vec![strs[0].clone(), op];
                norm.extend(value);
                out.push(norm);
            }
        }
        out
    }

    fn health<'d>(&mut self, t: &Layers<'d>, ports: &[PortSpec]) -> Vec<HealthSpec> {
        let Some((_, item)) = t.get("health") else { return Vec::new() };
        let tables: Vec<Layers<'d>> = match t.sub("health") {
            Some(one) => vec![one],
            None => table_list(&mut self.c, "health", item)
                .unwrap_or_default()
                .into_iter()
                .map(|(tbl, span)| Layers::one(tbl, span))
                .collect(),
        };
        let mut out = Vec::new();
        let mut marathon_level = false;
        let mut mesos_count = 0;
        for h in tables {
            self.check_keys(&h, HEALTH_KEYS, "a health check");
            let protocol = match h.get("protocol") {
                None => Some(HealthProtocol::Http),
                Some((_, v)) => self.string(v, "protocol").and_then(|p| {
                    let up = p.to_ascii_uppercase();
                    let found = HealthProtocol::ALL.into_iter().find(|x| x.as_str() == up);
                    if found.is_none() {
                        let all: Vec<&str> = HealthProtocol::ALL.iter().map(|p| p.as_str()).collect();
                        self.err(
                            v.span(),
                            format!("invalid health check protocol `{p}`"),
                            format!("use one of {}", hint_list(&all)),
                        );
                    }
                    found
                }),
            };
            let Some(protocol) = protocol else { continue };
            match protocol {
                HealthProtocol::Http | HealthProtocol::Https | HealthProtocol::Tcp => marathon_level = true,
                HealthProtocol::MesosHttp | HealthProtocol::MesosHttps | HealthProtocol::MesosTcp => mesos_count += 1,
                HealthProtocol::Command => {}
            }
            if mesos_count > 1 || (mesos_count > 0 && marathon_level) {
                self.err(
                    h.span.clone(),
                    "at most one MESOS_* health check is allowed, and it cannot be mixed with HTTP, HTTPS or TCP checks",
                    "use either Marathon-level checks (HTTP, HTTPS, TCP) or one Mesos-level check (MESOS_HTTP, MESOS_HTTPS, MESOS_TCP), plus COMMAND checks",
                );
            }
            let path = match h.get("path") {
                Some((_, v)) if !protocol.is_http() => {
                    self.err(
                        v.span(),
                        format!("`path` does not apply to {} health checks", protocol.as_str()),
                        "remove `path`, or use an HTTP protocol",
                    );
                    None
                }
                Some((_, v)) => self.string(v, "path").and_then(|p| {
                    if p.starts_with('/') {
                        Some(p)
                    } else {
                        self.err(
                            v.span(),
                            format!("health check path `{p}` must start with `/`"),
                            "write e.g. `path = \"/healthz\"`",
                        );
                        None
                    }
                }),
                None if protocol.is_http() => Some("/".to_owned()),
                None => None,
            };
            let command = match (protocol, h.get("command")) {
                (HealthProtocol::Command, Some((_, v))) => self.nonempty_string(v, "command"),
                (HealthProtocol::Command, None) => {
                    self.err(
                        h.span.clone(),
                        "a COMMAND health check needs a `command`",
                        "write e.g. `command = \"curl -f http://$HOST:$PORT0/\"`",
                    );
                    None
                }
                (_, Some((_, v))) => {
                    self.err(
                        v.span(),
                        format!("`command` applies only to COMMAND health checks, not {}", protocol.as_str()),
                        "set `protocol = \"COMMAND\"` or remove `command`",
                    );
                    None
                }
                (_, None) => None,
            };
            let port = match (protocol, h.get("port")) {
                (HealthProtocol::Command, Some((_, v))) => {
                    self.err(v.span(), "`port` does not apply to COMMAND health checks", "remove `port`; the command can read `$PORT0` or `$PORT_<NAME>`");
                    None
                }
                (HealthProtocol::Command, None) => None,
                (_, Some((_, v))) => self.string(v, "port").and_then(|name| {
                    if ports.iter().any(|p| p.name == name) {
                        Some(name)
                    } else {
                        self.err(v.span(), format!("Health check port indices must address an element of the ports array or container port mappings. (no port named `{name}`)"), port_hint(ports));
                        None
                    }
                }),
                (_, None) => match ports.first() {
                    Some(p) => Some(p.name.clone()),
                    None => {
                        self.err(h.span.clone(), "Health check port indices must address an element of the ports array or container port mappings. (the app has no ports)", "declare the port in `ports = [{ name = \"http\" }]` and set `port = \"http\"`, or use a COMMAND check");
                        None
                    }
                },
            };
            let grace = h.get("grace").map_or(Some(Duration::from_secs(300)), |(_, v)| self.seconds(v, "grace", 0));
            let interval =
                h.get("interval").map_or(Some(Duration::from_secs(60)), |(_, v)| self.seconds(v, "interval", 1));
            let timeout =
                h.get("timeout").map_or(Some(Duration::from_secs(20)), |(_, v)| self.seconds(v, "timeout", 1));
            let max_failures = h
                .get("max_failures")
                .map_or(Some(3), |(_, v)| self.integer(v, "max_failures", 0, i64::from(u32::MAX)).map(|n| n as u32));
            if let (Some(grace), Some(interval), Some(timeout), Some(max_failures)) =
                (grace, interval, timeout, max_failures)
            {
                out.push(HealthSpec { protocol, path, port, command, grace, interval, timeout, max_failures });
            }
        }
        out
    }

    fn readiness(&mut self, r: &Layers<'_>, ports: &[PortSpec]) -> Option<ReadinessSpec> {
        self.check_keys(r, READINESS_KEYS, "the readiness check");
        let protocol = match r.get("protocol") {
            None => Some("HTTP".to_owned()),
            Some((_, v)) => self.string(v, "protocol").and_then(|p| match p.to_ascii_uppercase().as_str() {
                "HTTP" => Some("HTTP".to_owned()),
                "HTTPS" => Some("HTTPS".to_owned()),
                _ => {
                    self.err(v.span(), format!("invalid readiness check protocol `{p}`"), "use `HTTP` or `HTTPS`");
                    None
                }
            }),
        };
        let path = match r.get("path") {
            None => Some("/".to_owned()),
            Some((_, v)) => self.string(v, "path").and_then(|p| {
                if p.starts_with('/') {
                    Some(p)
                } else {
                    self.err(
                        v.span(),
                        format!("readiness path `{p}` must start with `/`"),
                        "write e.g. `path = \"/ready\"`",
                    );
                    None
                }
            }),
        };
        let port = match r.get("port") {
            Some((_, v)) => self.string(v, "port").and_then(|name| {
                if ports.iter().any(|p| p.name == name) {
                    Some(name)
                } else {
                    self.err(
                        v.span(),
                        format!("readiness check port `{name}` must name one of the app's ports"),
                        port_hint(ports),
                    );
                    None
                }
            }),
            None => match ports.first() {
                Some(p) => Some(p.name.clone()),
                None => {
                    self.err(
                        r.span.clone(),
                        "a readiness check needs a port, and the app has none",
                        "declare `ports = [{ name = \"http\" }]` and set `port = \"http\"`",
                    );
                    None
                }
            },
        };
        let interval = r.get("interval").map_or(Some(Duration::from_secs(30)), |(_, v)| self.seconds(v, "interval", 1));
        let timeout = r.get("timeout").map_or(Some(Duration::from_secs(10)), |(_, v)| self.seconds(v, "timeout", 1));
        if let (Some(i), Some(t)) = (interval, timeout) {
            if t >= i {
                let span = r.get("timeout").or(r.get("interval")).and_then(|(_, v)| v.span()).or(r.span.clone());
                self.err(
                    span,
                    format!(
                        "readiness `timeout` ({}) must be less than `interval` ({})",
                        humantime::format_duration(t),
                        humantime::format_duration(i)
                    ),
                    "shorten `timeout` or lengthen `interval` (defaults: 10s and 30s)",
                );
            }
        }
        let status_codes = match r.get("status_codes") {
            None => Some(vec![200]),
            Some((_, v)) => match v.as_array() {
                Some(a) if !a.is_empty() => {
                    let mut codes = Vec::new();
                    for c in a.iter() {
                        match c.as_integer() {
                            Some(n) if (100..=599).contains(&n) => codes.push(n as u16),
                            _ => self.err(
                                c.span(),
                                "readiness `status_codes` entries must be HTTP status codes (100-599)",
                                "write e.g. `status_codes = [200, 204]`",
                            ),
                        }
                    }
                    (codes.len() == a.len()).then_some(codes)
                }
                _ => {
                    self.err(
                        v.span(),
                        "`status_codes` must be a non-empty array of HTTP status codes",
                        "write e.g. `status_codes = [200]`",
                    );
                    None
                }
            },
        };
        let preserve =
            r.get("preserve_last_response").map_or(Some(false), |(_, v)| self.boolean(v, "preserve_last_response"));
        Some(ReadinessSpec {
            protocol: protocol?,
            path: path?,
            port: port?,
            interval: interval?,
            timeout: timeout?,
            status_codes: status_codes?,
            preserve_last_response: preserve?,
        })
    }

    fn fetch(&mut self, item: &Item) -> Vec<FetchSpec> {
        let Some(list) = table_list(&mut self.c, "fetch", item) else { return Vec::new() };
        let mut out = Vec::new();
        for (t, span) in list {
            let layers = Layers::one(t, span.clone());
            self.check_keys(&layers, FETCH_KEYS, "a fetch entry");
            let location = match t.get("location") {
                Some(v) => self.string(v, "location").and_then(|loc| match url::Url::parse(&loc) {
                    Ok(u) if !u.cannot_be_a_base() || u.scheme() == "file" => Some(loc),
                    Ok(_) | Err(_) => {
                        self.err(
                            v.span(),
                            format!("`location` `{loc}` is not a valid URL"),
                            "write an absolute URL such as `https://example.com/bin/app.tgz`",
                        );
                        None
                    }
                }),
                None => {
                    self.err(
                        span.clone(),
                        "a fetch entry has no `location`",
                        "write `{ location = \"https://example.com/app.tgz\" }`",
                    );
                    None
                }
            };
            let executable = t.get("executable").map_or(Some(false), |v| self.boolean(v, "executable"));
            let extract = t.get("extract").map_or(Some(true), |v| self.boolean(v, "extract"));
            let cache = t.get("cache").map_or(Some(false), |v| self.boolean(v, "cache"));
            let dest = t.get("dest").and_then(|v| {
                self.nonempty_string(v, "dest").and_then(|d| {
                    if d.starts_with('/') || d.split('/').any(|s| s == "..") {
                        self.err(
                            v.span(),
                            format!("`dest` `{d}` must be a path inside the sandbox"),
                            "use a relative path without `..`, e.g. `bin/app`",
                        );
                        None
                    } else {
                        Some(d)
                    }
                })
            });
            if let (Some(location), Some(executable), Some(extract), Some(cache)) =
                (location, executable, extract, cache)
            {
                out.push(FetchSpec { location, executable, extract, cache, dest });
            }
        }
        out
    }

    fn backoff(&mut self, b: &Layers<'_>) -> Option<BackoffSpec> {
        self.check_keys(b, BACKOFF_KEYS, "`backoff`");
        let d = BackoffSpec::default();
        let delay = b.get("delay").map_or(Some(d.delay), |(_, v)| self.seconds(v, "delay", 0));
        let max_delay = b.get("max_delay").map_or(Some(d.max_delay), |(_, v)| self.seconds(v, "max_delay", 0));
        let factor = b.get("factor").map_or(Some(d.factor), |(_, v)| {
            self.number(v, "factor").and_then(|f| {
                if f < 1.0 {
                    self.err(
                        v.span(),
                        format!("backoff `factor` must be at least 1, found {f}"),
                        "use e.g. `factor = 1.15`",
                    );
                    None
                } else {
                    Some(f)
                }
            })
        });
        Some(BackoffSpec { delay: delay?, factor: factor?, max_delay: max_delay? })
    }

    fn amount(&mut self, item: &Item, key: &str, min_count: u32, min_pct: u8) -> Option<Amount> {
        let hint = format!("write a count (at least {min_count}) or a percentage such as `\"25%\"` ({min_pct}%-100%)");
        let a = match item.as_value() {
            Some(Value::Integer(i)) => u32::try_from(*i.value()).ok().map(Amount::Count),
            Some(Value::String(s)) if s.value().trim().ends_with('%') => s.value().parse::<Amount>().ok(),
            _ => None,
        };
        match a {
            Some(Amount::Count(n)) if n >= min_count => Some(Amount::Count(n)),
            Some(Amount::Percent(p)) if p >= min_pct => Some(Amount::Percent(p)),
            _ => {
                let shown =
                    item.as_value().map(|v| v.to_string().trim().to_owned()).unwrap_or_else(|| found(item).to_owned());
                self.err(item.span(), format!("invalid rollout `{key}` {shown}"), hint);
                None
            }
        }
    }

    fn rollout(&mut self, r: &Layers<'_>) -> Option<Rollout> {
        self.check_keys(r, ROLLOUT_KEYS, "`rollout`");
        let d = Rollout::default();
        let batch = r.get("batch").map_or(Some(d.batch), |(_, v)| self.amount(v, "batch", 1, 1));
        let max_unavailable =
            r.get("max_unavailable").map_or(Some(d.max_unavailable), |(_, v)| self.amount(v, "max_unavailable", 0, 0));
        let wait = r.get("wait").map_or(Some(d.wait), |(_, v)| self.duration(v, "wait"));
        let min_healthy = r.get("min_healthy").map_or(Some(d.min_healthy), |(_, v)| self.duration(v, "min_healthy"));
        let deadline = r.get("deadline").map_or(Some(d.deadline), |(_, v)| self.duration(v, "deadline"));
        if let Some(dl) = deadline {
            let span = r.get("deadline").and_then(|(_, v)| v.span());
            if dl.is_zero() {
                self.err(
                    span,
                    "rollout `deadline` must be longer than 0s",
                    "give each batch time to become healthy, e.g. `deadline = \"10m\"`",
                );
            } else if let Some(mh) = min_healthy {
                if mh >= dl {
                    self.err(
                        r.get("min_healthy").and_then(|(_, v)| v.span()).or(span),
                        format!("rollout `min_healthy` ({}) must be shorter than `deadline` ({})", humantime::format_duration(mh), humantime::format_duration(dl)),
                        "a batch must stay healthy for `min_healthy` before `deadline` passes; shorten it or lengthen `deadline`",
                    );
                }
            }
        }
        Some(Rollout {
            batch: batch?,
            wait: wait?,
            max_unavailable: max_unavailable?,
            min_healthy: min_healthy?,
            deadline: deadline?,
        })
    }
}

fn port_hint(ports: &[PortSpec]) -> String {
    if ports.is_empty() {
        "the app declares no ports; add `ports = [{ name = \"http\" }]`".to_owned()
    } else {
        let names: Vec<&str> = ports.iter().map(|p| p.name.as_str()).collect();
        format!("name one of the app's ports: {}", hint_list(&names))
    }
}
