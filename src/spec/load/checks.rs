//! Health and readiness checks: which fields each protocol needs or forbids, the Mesos-level
//! rules ([`rules::check_health_fields`], [`rules::check_mesos_level_count`],
//! [`rules::check_max_failures`]), ports by name, and
//! Marathon's defaults for the rest ([`HealthSpec`], [`ReadinessSpec`]).

use std::time::Duration;

use super::read::{NonEmpty, Seconds};
use super::toml::{hint_list, Item, Layers, Span, Value as _};
use super::Loader;
use crate::marathon::rules::{self, HealthCheckError, HealthProtocol};
use crate::spec::model::{HealthSpec, PortSpec, ReadinessSpec};

const HEALTH_KEYS: &[&str] = &["protocol", "path", "port", "command", "grace", "interval", "timeout", "max_failures"];
const READINESS_KEYS: &[&str] =
    &["protocol", "path", "port", "interval", "timeout", "status_codes", "preserve_last_response"];

impl Loader<'_> {
    /// The `health` checks of a group: one table, or a list of them.
    pub(super) fn health<'d>(&mut self, t: &Layers<'d>, ports: &[PortSpec]) -> Vec<HealthSpec> {
        let Some((_, item)) = t.get("health") else { return Vec::new() };
        let tables: Vec<Layers<'d>> = match t.sub("health") {
            Some(one) => vec![one],
            None => self
                .table_list("health", item)
                .unwrap_or_default()
                .into_iter()
                .map(|(tbl, span)| Layers::one(tbl, span))
                .collect(),
        };
        let mut out = Vec::new();
        let mut protocols = Vec::new();
        for h in tables {
            self.check_keys(&h, HEALTH_KEYS, "a health check");
            let Some(protocol) = self.health_protocol(&h) else { continue };
            protocols.push(protocol);
            if let Err(e) = rules::check_mesos_level_count(protocols.iter().copied()) {
                self.err(h.span.clone(), e.to_string(), "keep one COMMAND or MESOS_* check; add HTTP, HTTPS or TCP checks beside it (Marathon runs those itself, as many as you like)");
            }
            let has = |k: &str| h.get(k).is_some();
            for e in rules::check_health_fields(protocol, has("path"), has("command"), has("port")) {
                self.health_field_error(&h, &e);
            }
            let path = match h.get("path") {
                _ if !protocol.is_http() => None,
                Some((_, v)) => self.http_path(v, "health check", "/healthz"),
                None => Some(HealthSpec::DEFAULT_PATH.to_owned()),
            };
            let command = match protocol {
                HealthProtocol::Command => self.read_opt::<NonEmpty>(&h, "command").map(|c| c.0),
                _ => None,
            };
            let port = match (protocol, h.get("port")) {
                (HealthProtocol::Command, _) => None,
                (_, Some((_, v))) => self.read::<String>(v, "port").and_then(|name| {
                    if ports.iter().any(|p| p.name == name) {
                        return Some(name);
                    }
                    let message = format!("{} (no port named `{name}`)", rules::HEALTH_PORT_INDEX);
                    self.err(v.span(), message, port_hint(ports));
                    None
                }),
                (_, None) => match ports.first() {
                    Some(p) => Some(p.name.clone()),
                    None => {
                        self.err(h.span.clone(), format!("{} (the app has no ports)", rules::HEALTH_PORT_INDEX), "declare the port in `ports = [{ name = \"http\" }]` and set `port = \"http\"`, or use a COMMAND check");
                        None
                    }
                },
            };
            let grace = self.read_or(&h, "grace", Seconds::<0>(HealthSpec::DEFAULT_GRACE));
            let interval = self.read_or(&h, "interval", Seconds::<1>(HealthSpec::DEFAULT_INTERVAL));
            let timeout = self.read_or(&h, "timeout", Seconds::<1>(HealthSpec::DEFAULT_TIMEOUT));
            let max_failures = self.read_or(&h, "max_failures", HealthSpec::DEFAULT_MAX_FAILURES);
            if let Some(Err(e)) = max_failures.map(|m| rules::check_max_failures(protocol, m)) {
                let span = h.get("max_failures").map(|(_, v)| v.span()).or(h.span.clone());
                self.err(span, e.to_string(), "set `max_failures = 1` to kill at the first failure, or use an HTTP, HTTPS or TCP check, where 0 never kills");
            }
            if let (Some(grace), Some(interval), Some(timeout), Some(max_failures)) =
                (grace, interval, timeout, max_failures)
            {
                out.push(HealthSpec {
                    protocol,
                    path,
                    port,
                    command,
                    grace: grace.0,
                    interval: interval.0,
                    timeout: timeout.0,
                    max_failures,
                });
            }
        }
        out
    }

    fn health_protocol(&mut self, h: &Layers<'_>) -> Option<HealthProtocol> {
        let Some((_, v)) = h.get("protocol") else { return Some(HealthSpec::DEFAULT_PROTOCOL) };
        let name = self.read::<String>(v, "protocol")?;
        match HealthProtocol::parse(&name) {
            Ok(p) => Some(p),
            Err(e) => {
                let all: Vec<&str> = HealthProtocol::ALL.iter().map(|p| p.as_str()).collect();
                self.err(v.span(), e.to_string(), format!("use one of {}", hint_list(&all)));
                None
            }
        }
    }

    /// Reports a field the check's protocol needs or forbids, at the field (or the check).
    fn health_field_error(&mut self, h: &Layers<'_>, e: &HealthCheckError) {
        let at = |key: &str| h.get(key).map(|(_, v)| v.span());
        let (span, hint): (Span, &str) = match e {
            HealthCheckError::PathNotApplicable(_) => (at("path"), "remove `path`, or use an HTTP protocol"),
            HealthCheckError::CommandRequired => {
                (h.span.clone(), "write e.g. `command = \"curl -f http://$HOST:$PORT0/\"`")
            }
            HealthCheckError::CommandNotApplicable(_) => {
                (at("command"), "set `protocol = \"COMMAND\"` or remove `command`")
            }
            HealthCheckError::PortNotApplicable => {
                (at("port"), "remove `port`; the command can read `$PORT0` or `$PORT_<NAME>`")
            }
            _ => (h.span.clone(), ""),
        };
        self.err(span, e.to_string(), hint);
    }

    /// An HTTP path: a string starting with `/`.
    fn http_path(&mut self, item: &Item<'_>, what: &str, example: &str) -> Option<String> {
        let p = self.read::<String>(item, "path")?;
        if p.starts_with('/') {
            return Some(p);
        }
        self.err(
            item.span(),
            format!("{what} path `{p}` must start with `/`"),
            format!("write e.g. `path = \"{example}\"`"),
        );
        None
    }

    /// The `readiness` check (at most one, as in Marathon).
    pub(super) fn readiness(&mut self, r: &Layers<'_>, ports: &[PortSpec]) -> Option<ReadinessSpec> {
        self.check_keys(r, READINESS_KEYS, "the readiness check");
        let protocol = match r.get("protocol") {
            None => Some(ReadinessSpec::DEFAULT_PROTOCOL.to_owned()),
            Some((_, v)) => self.read::<String>(v, "protocol").and_then(|p| {
                let up = p.to_ascii_uppercase();
                if rules::READINESS_PROTOCOLS.contains(&up.as_str()) {
                    return Some(up);
                }
                let hint = format!("use {}", hint_list(&rules::READINESS_PROTOCOLS).replace(", ", " or "));
                self.err(v.span(), format!("invalid readiness check protocol `{p}`"), hint);
                None
            }),
        };
        let path = match r.get("path") {
            None => Some(ReadinessSpec::DEFAULT_PATH.to_owned()),
            Some((_, v)) => self.http_path(v, "readiness", "/ready"),
        };
        let port = match r.get("port") {
            Some((_, v)) => self.read::<String>(v, "port").and_then(|name| {
                if rules::check_readiness_port(&name, ports.iter().map(|p| p.name.as_str())).is_ok() {
                    return Some(name);
                }
                self.err(
                    v.span(),
                    format!("readiness check port `{name}` must name one of the app's ports"),
                    port_hint(ports),
                );
                None
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
        let interval = self.read_or(r, "interval", Seconds::<1>(ReadinessSpec::DEFAULT_INTERVAL)).map(|s| s.0);
        let timeout = self.read_or(r, "timeout", Seconds::<1>(ReadinessSpec::DEFAULT_TIMEOUT)).map(|s| s.0);
        if let (Some(i), Some(t)) = (interval, timeout) {
            self.readiness_timeout(r, i, t);
        }
        let status_codes = self.status_codes(r);
        let preserve = self.read_or(r, "preserve_last_response", ReadinessSpec::DEFAULT_PRESERVE_LAST_RESPONSE);
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

    /// Marathon's `timeoutSeconds < intervalSeconds` ([`rules::is_valid_readiness_timeout`]).
    fn readiness_timeout(&mut self, r: &Layers<'_>, interval: Duration, timeout: Duration) {
        if rules::is_valid_readiness_timeout(timeout, interval) {
            return;
        }
        let span = r.get("timeout").or(r.get("interval")).map(|(_, v)| v.span()).or(r.span.clone());
        let human = humantime::format_duration;
        self.err(
            span,
            format!("readiness `timeout` ({}) must be less than `interval` ({})", human(timeout), human(interval)),
            format!(
                "shorten `timeout` or lengthen `interval` (defaults: {} and {})",
                human(ReadinessSpec::DEFAULT_TIMEOUT),
                human(ReadinessSpec::DEFAULT_INTERVAL)
            ),
        );
    }

    fn status_codes(&mut self, r: &Layers<'_>) -> Option<Vec<u16>> {
        let Some((_, v)) = r.get("status_codes") else { return Some(ReadinessSpec::DEFAULT_STATUS_CODES.to_vec()) };
        let Some(a) = v.as_array().filter(|a| !a.is_empty()) else {
            self.err(
                v.span(),
                "`status_codes` must be a non-empty array of HTTP status codes",
                "write e.g. `status_codes = [200]`",
            );
            return None;
        };
        let mut codes = Vec::new();
        for c in a.iter() {
            match c.as_integer().and_then(|n| u16::try_from(n).ok()).filter(|n| (100..=599).contains(n)) {
                Some(n) => codes.push(n),
                None => self.err(
                    c.span(),
                    "readiness `status_codes` entries must be HTTP status codes (100-599)",
                    "write e.g. `status_codes = [200, 204]`",
                ),
            }
        }
        (codes.len() == a.len()).then_some(codes)
    }
}

/// Which ports a check may name.
fn port_hint(ports: &[PortSpec]) -> String {
    if ports.is_empty() {
        "the app declares no ports; add `ports = [{ name = \"http\" }]`".to_owned()
    } else {
        let names: Vec<&str> = ports.iter().map(|p| p.name.as_str()).collect();
        format!("name one of the app's ports: {}", hint_list(&names))
    }
}
