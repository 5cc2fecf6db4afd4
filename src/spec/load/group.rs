//! One group's fields, resolved through inheritance: the program, resources, environment,
//! labels and the launch settings, with the other concerns read by the files beside this one.

use std::collections::{BTreeMap, BTreeSet};

use super::read::{NonEmpty, Seconds};
use super::toml::{found, Layers, Span};
use super::Loader;
use crate::marathon::rules::{self, ProgramError};
use crate::spec::labels::encode;
use crate::spec::model::{AppSpec, GroupSpec, Rollout};

/// The first `$NAME` or `${NAME}` in `arg`, if any.
fn shell_variable(arg: &str) -> Option<String> {
    let at = arg.find('$')?;
    let rest = &arg[at + 1..];
    let name: String =
        rest.trim_start_matches('{').chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let first = name.chars().next()?;
    (first.is_ascii_alphabetic() || first == '_').then(|| format!("${name}"))
}

impl Loader<'_> {
    /// Resolves one group (service defaults under the group's own table); `None` on any error.
    pub(super) fn group(
        &mut self,
        service: &str,
        t: &Layers<'_>,
        labels: Option<&(BTreeSet<String>, Span)>,
    ) -> Option<GroupSpec> {
        let image = self.read_opt::<NonEmpty>(t, "image").map(|s| s.0);
        let cmd = self.read_opt::<NonEmpty>(t, "cmd").map(|s| s.0);
        if let Some(Err(e)) = cmd.as_deref().map(rules::check_cmd) {
            let span = t.get("cmd").map(|(_, v)| v.span());
            self.err(
                span,
                format!("`cmd` has one character, and Marathon refuses it: \"{e}\" (AppValidation.scala)"),
                "write the whole command, e.g. `cmd = \"./server --port $PORT0\"`",
            );
        }
        let args = self.read_opt::<Vec<String>>(t, "args");
        if let Some(var) = args.iter().flatten().find_map(|a| shell_variable(a)) {
            // Marathon sends `args` to Mesos with `shell = false` (mesos/TaskBuilder.scala, the
            // `args` branch), so `$PORT0` reaches the program as it is written.
            let span = t.get("args").map(|(k, _)| k.span());
            self.c.warning(
                span,
                format!("`args` are not shell-expanded: `{var}` reaches the program as it is written"),
                Some(format!("use `cmd = \"... {var} ...\"` (run by /bin/sh -c), or have the program read the environment variable")),
            );
        }
        self.program(service, t, labels);
        let cpus = self.read_or(t, "cpus", AppSpec::DEFAULT_CPUS).and_then(|n| {
            if n < AppSpec::MIN_CPUS {
                let span = t.get("cpus").map(|(_, v)| v.span());
                let min = AppSpec::MIN_CPUS;
                self.err(
                    span,
                    format!("`cpus` must be at least {min}, found {n}"),
                    format!("Marathon's minimum is {min} cpus; use e.g. `cpus = 0.1`"),
                );
                return None;
            }
            Some(n)
        });
        let mem = self.mebibytes(t, "mem", AppSpec::DEFAULT_MEM);
        let disk = self.mebibytes(t, "disk", AppSpec::DEFAULT_DISK);
        let instances = self.read_or(t, "instances", GroupSpec::DEFAULT_INSTANCES);
        let ports = t.get("ports").map(|(_, v)| self.ports(v, t.get("image").is_some())).unwrap_or_default();
        let env = self
            .table(t, "env", "{ NAME = \"value\" }")
            .map(|e| self.string_map(&e, "env", "environment variables are `NAME = \"value\"`"));
        let secret_env = self.read_opt::<Vec<String>>(t, "secret_env").unwrap_or_default();
        if let (Some(env), Some((_, item))) = (&env, t.get("secret_env")) {
            for name in secret_env.iter().filter(|n| !env.contains_key(*n)) {
                self.err(
                    item.span(),
                    format!("`secret_env` names `{name}`, which `env` does not set"),
                    "list only variables of the group's `env` (its own or the service's)",
                );
            }
        }
        let constraints = t.get("constraints").map(|(_, v)| self.constraints(v)).unwrap_or_default();
        let health = t.get("health").map(|_| self.health(t, &ports)).unwrap_or_default();
        let readiness = self
            .table(t, "readiness", "{ path = \"/ready\", port = \"http\" }")
            .and_then(|r| self.readiness(&r, &ports));
        let fetch = t.get("fetch").map(|(_, v)| self.fetch(v)).unwrap_or_default();
        let marathon_labels = self.marathon_labels(t);
        if let Some(n) = instances {
            self.marathon_label_rules(t, &marathon_labels, n);
        }
        let user = self.read_opt::<NonEmpty>(t, "user").map(|s| s.0);
        let backoff = self
            .table(t, "backoff", "{ delay = \"1s\", factor = 1.15, max_delay = \"5m\" }")
            .and_then(|b| self.backoff(&b));
        let kill_grace = self.read_opt::<Seconds<0>>(t, "kill_grace").map(|s| s.0);
        let rollout = match t.get("rollout") {
            None => Some(Rollout::default()),
            Some(_) => self.table(t, "rollout", "{ batch = 1, wait = \"30s\" }").and_then(|r| self.rollout(&r)),
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
            secret_env,
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
            group: encode(labels),
            labels: labels.clone(),
            instances: instances?,
            rollout: rollout?,
            app,
        })
    }

    /// `cmd`, `args` and `image` together: Marathon's rule ([`rules::check_program`]).
    fn program(&mut self, service: &str, t: &Layers<'_>, labels: Option<&(BTreeSet<String>, Span)>) {
        let has = |k: &str| t.get(k).is_some();
        match rules::check_program(has("cmd"), has("args"), has("image")) {
            Ok(()) => {}
            Err(e @ ProgramError::Both) => self.err(
                t.get("args").map(|(k, _)| k.span()),
                format!("both `cmd` and `args` are set: {e}"),
                "keep one: `cmd` runs through `/bin/sh -c`, `args` runs directly (a group's value does not remove its service's)",
            ),
            Err(e @ ProgramError::Nothing) => {
                let group = labels
                    .map(|(l, _)| format!(" group [{}]", l.iter().cloned().collect::<Vec<_>>().join(", ")))
                    .unwrap_or_default();
                self.err(
                    t.span.clone(),
                    format!("service `{service}`{group} has nothing to run: {e}"),
                    "set `cmd = \"...\"` (or `args`) for a command app, or `image = \"...\"` for a Docker app",
                );
            }
        }
    }

    /// A size in MiB (`mem`, `disk`): a number, 0 or more.
    fn mebibytes(&mut self, t: &Layers<'_>, key: &str, default: f64) -> Option<f64> {
        let n = self.read_or(t, key, default)?;
        if n < 0.0 {
            let span = t.get(key).map(|(_, v)| v.span());
            self.err(
                span,
                format!("`{key}` must not be negative, found {n}"),
                format!("`{key}` is in MiB; use 0 or more"),
            );
            return None;
        }
        Some(n)
    }

    /// The table under `key`; `None` when absent, or (reported) when its value is not a table.
    pub(super) fn table<'d>(&mut self, t: &Layers<'d>, key: &str, example: &str) -> Option<Layers<'d>> {
        let (_, v) = t.get(key)?;
        let sub = t.sub(key);
        if sub.is_none() {
            self.err(
                v.span(),
                format!("`{key}` must be a table, found {}", found(v)),
                format!("write `{key} = {example}`"),
            );
        }
        sub
    }

    /// The labels Marathon reads itself ([`rules::check_single_instance`],
    /// [`rules::check_migration_labels`]). A single-instance group renders the `{0, 0}` upgrade
    /// strategy Marathon requires, so only its instance count can be wrong here.
    fn marathon_label_rules(&mut self, t: &Layers<'_>, labels: &BTreeMap<String, String>, instances: u32) {
        let at = |key: &str| t.get(key).map(|(k, _)| k.span());
        if rules::check_single_instance(labels, instances, 0.0, 0.0).iter().any(|(field, _)| field.is_empty()) {
            self.err(
                at("instances").or(at("marathon_labels")),
                format!(
                    "{} (label `{}`), found {instances}",
                    rules::SINGLE_INSTANCE_COUNT,
                    rules::SINGLE_INSTANCE_LABEL
                ),
                "set `instances` to 0 or 1, or remove the label",
            );
        }
        if let Err(e) = rules::check_migration_labels(labels) {
            self.err(
                at("marathon_labels"),
                e,
                format!(
                    "set `{}` to `v1` with both companion labels, or remove it",
                    rules::MIGRATION_API_VERSION_LABEL
                ),
            );
        }
    }

    /// Extra Marathon labels; the `theseus.*` ones are Theseus's own ([`rules::is_reserved_label`]).
    fn marathon_labels(&mut self, t: &Layers<'_>) -> BTreeMap<String, String> {
        let Some(m) = self.table(t, "marathon_labels", "{ key = \"value\" }") else { return BTreeMap::new() };
        let map = self.string_map(&m, "marathon_labels", "labels are `key = \"value\"`");
        for (name, (k, _)) in m.entries() {
            if rules::is_reserved_label(name) {
                self.err(
                    k.span(),
                    format!("label `{name}` is reserved"),
                    format!("Theseus sets the `{}*` labels itself; use another prefix", rules::RESERVED_LABEL_PREFIX),
                );
            }
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::shell_variable;

    #[test]
    fn shell_variables_are_found_in_args() {
        assert_eq!(shell_variable("--port=$PORT0").as_deref(), Some("$PORT0"));
        assert_eq!(shell_variable("${HOST}:80").as_deref(), Some("$HOST"));
        assert_eq!(shell_variable("costs $5"), None);
        assert_eq!(shell_variable("plain"), None);
    }
}
