//! App definitions as Marathon stores them: deprecated fields normalised, defaults filled in,
//! and validation with Marathon's messages (M:src/main/scala/mesosphere/marathon/api/v2/validation/AppValidation.scala). Pure. The rules shared with the spec
//! validator (ids, port names, constraints, health checks) are [`crate::marathon::rules`]'s.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::marathon::rules::{self, Constraint, HealthProtocol};
use crate::marathon::types::{
    App, Container, Fetch, HealthCheck, Network, PortDefinition, ReadinessCheck, UpgradeStrategy,
};

use super::ids;

/// One validation error: a JSON path and its messages.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Violation {
    /// JSON pointer of the offending field, `/` for the object.
    pub(crate) path: String,
    /// What is wrong.
    pub(crate) error: String,
}

impl Violation {
    fn new(path: impl Into<String>, error: impl Into<String>) -> Self {
        Violation { path: path.into(), error: error.into() }
    }
}

/// Normalises and validates an app. `base` is the enclosing group for relative ids.
pub(crate) fn normalize(mut app: App, base: &str) -> Result<App, Vec<Violation>> {
    let mut errors = Vec::new();
    match ids::resolve_app(&app.id, base) {
        Ok(id) => app.id = id,
        Err(e) => errors.push(Violation::new("/id", e)),
    }
    for dep in app.dependencies.iter_mut().flatten() {
        match ids::resolve(dep, &ids::parent(&app.id)) {
            Ok(abs) => *dep = abs,
            Err(e) => errors.push(Violation::new("/dependencies", e)),
        }
    }
    migrate_deprecated(&mut app);
    fill_defaults(&mut app);
    validate(&app, &mut errors);
    if errors.is_empty() {
        Ok(app)
    } else {
        Err(errors)
    }
}

/// Moves deprecated fields into their modern places (AppNormalization.scala).
fn migrate_deprecated(app: &mut App) {
    if let Some(container) = app.container.as_mut() {
        if let Some(docker) = container.docker.as_mut() {
            if let Some(mappings) = docker.port_mappings.take() {
                container.port_mappings.get_or_insert(mappings);
            }
            if let Some(network) = docker.network.take() {
                if app.networks.is_none() {
                    let mode = match network.to_ascii_uppercase().as_str() {
                        "BRIDGE" => "container/bridge",
                        "USER" => "container",
                        _ => "host",
                    };
                    app.networks = Some(vec![Network { mode: Some(mode.into()), name: None, labels: None }]);
                }
            }
        }
    }
    if let Some(ports) = app.ports.take() {
        if app.port_definitions.is_none() && !uses_port_mappings(app) {
            app.port_definitions = Some(
                ports
                    .into_iter()
                    .map(|port| PortDefinition { port, protocol: Some("tcp".into()), ..Default::default() })
                    .collect(),
            );
        }
    }
    if let Some(uris) = app.uris.take() {
        if app.fetch.is_none() {
            app.fetch = Some(uris.into_iter().map(|uri| Fetch { uri, ..Default::default() }).collect());
        }
    }
}

/// Whether the app is on bridge/container networking (ports come from `container.portMappings`).
pub(crate) fn uses_port_mappings(app: &App) -> bool {
    app.networks.iter().flatten().any(|n| n.mode.as_deref().is_some_and(|m| m.starts_with("container")))
}

/// Fills Marathon's defaults so GET shows what Marathon would show.
fn fill_defaults(app: &mut App) {
    app.instances.get_or_insert(1);
    app.cpus.get_or_insert(1.0);
    app.mem.get_or_insert(128.0);
    app.disk.get_or_insert(0.0);
    app.gpus.get_or_insert(0.0);
    app.executor.get_or_insert_with(String::new);
    app.backoff_seconds.get_or_insert(1.0);
    app.backoff_factor.get_or_insert(1.15);
    app.max_launch_delay_seconds.get_or_insert(300.0);
    app.upgrade_strategy.get_or_insert(UpgradeStrategy { minimum_health_capacity: 1.0, maximum_over_capacity: 1.0 });
    app.unreachable_strategy
        .get_or_insert_with(|| serde_json::json!({"inactiveAfterSeconds": 0, "expungeAfterSeconds": 0}));
    app.kill_selection.get_or_insert_with(|| "YOUNGEST_FIRST".into());
    app.require_ports.get_or_insert(false);
    app.labels.get_or_insert_with(BTreeMap::new);
    app.env.get_or_insert_with(BTreeMap::new);
    app.constraints.get_or_insert_with(Vec::new);
    app.dependencies.get_or_insert_with(Vec::new);
    app.fetch.get_or_insert_with(Vec::new);
    app.secrets.get_or_insert_with(|| serde_json::json!({}));
    app.role.get_or_insert_with(|| "*".into());
    app.networks.get_or_insert_with(|| vec![Network { mode: Some("host".into()), name: None, labels: None }]);
    if let Some(container) = app.container.as_mut() {
        fill_container(container);
    }
    if uses_port_mappings(app) {
        let bridge = app.networks.iter().flatten().any(|n| n.mode.as_deref() == Some("container/bridge"));
        let container = app.container.get_or_insert_with(Container::default);
        for m in container.port_mappings.iter_mut().flatten() {
            m.container_port.get_or_insert(0);
            if bridge {
                m.host_port.get_or_insert(0);
            }
            m.service_port.get_or_insert(0);
            m.protocol.get_or_insert_with(|| "tcp".into());
        }
        app.port_definitions = None;
    } else {
        let defs = app.port_definitions.get_or_insert_with(|| {
            vec![PortDefinition { port: 0, name: Some("default".into()), protocol: None, labels: None }]
        });
        for d in defs.iter_mut() {
            d.protocol.get_or_insert_with(|| "tcp".into());
        }
    }
    for hc in app.health_checks.get_or_insert_with(Vec::new) {
        fill_health_check(hc);
    }
    for rc in app.readiness_checks.get_or_insert_with(Vec::new) {
        fill_readiness_check(rc);
    }
}

fn fill_container(container: &mut Container) {
    container.kind.get_or_insert_with(|| "DOCKER".into());
    if let Some(docker) = container.docker.as_mut() {
        docker.force_pull_image.get_or_insert(false);
        docker.privileged.get_or_insert(false);
        docker.parameters.get_or_insert_with(Vec::new);
    }
    container.volumes.get_or_insert_with(Vec::new);
}

fn fill_health_check(hc: &mut HealthCheck) {
    let name = hc.protocol.get_or_insert_with(|| "HTTP".into()).to_ascii_uppercase();
    // An unknown protocol is refused by `validate`; fill it like a port-based check meanwhile.
    let protocol = HealthProtocol::parse(&name).ok();
    hc.protocol = Some(name);
    hc.grace_period_seconds.get_or_insert(300);
    hc.interval_seconds.get_or_insert(60);
    hc.timeout_seconds.get_or_insert(20);
    hc.max_consecutive_failures.get_or_insert(3);
    hc.delay_seconds.get_or_insert(15);
    if protocol.is_some_and(HealthProtocol::is_http) {
        hc.path.get_or_insert_with(|| "/".into());
        hc.ignore_http1xx.get_or_insert(false);
    }
    if protocol != Some(HealthProtocol::Command) {
        hc.ip_protocol.get_or_insert_with(|| "IPv4".into());
        if hc.port.is_none() {
            hc.port_index.get_or_insert(0);
        }
    }
}

fn fill_readiness_check(rc: &mut ReadinessCheck) {
    rc.name.get_or_insert_with(|| "readinessCheck".into());
    rc.protocol.get_or_insert_with(|| "HTTP".into());
    rc.path.get_or_insert_with(|| "/".into());
    rc.port_name.get_or_insert_with(|| "http-api".into());
    rc.interval_seconds.get_or_insert(30);
    rc.timeout_seconds.get_or_insert(10);
    rc.http_status_codes_for_ready.get_or_insert_with(|| vec![200]);
    rc.preserve_last_response.get_or_insert(false);
}

/// Number of ports the app's tasks get (host ports are allocated for each).
pub(crate) fn port_names(app: &App) -> Vec<Option<String>> {
    if let Some(defs) = &app.port_definitions {
        return defs.iter().map(|d| d.name.clone()).collect();
    }
    app.container.iter().flat_map(|c| c.port_mappings.iter().flatten()).map(|m| m.name.clone()).collect()
}

fn validate(app: &App, errors: &mut Vec<Violation>) {
    if let Err(e) = rules::check_program(app.cmd.is_some(), app.args.is_some(), app.container.is_some()) {
        errors.push(Violation::new("/", e.to_string()));
    }
    if let Some(c) = &app.container {
        match c.kind.as_deref() {
            Some("DOCKER") if c.docker.as_ref().is_none_or(|d| d.image.is_empty()) => {
                errors.push(Violation::new("/container/docker/image", "must not be empty"));
            }
            Some("DOCKER" | "MESOS") => {}
            _ => errors.push(Violation::new("/container/type", "must be one of DOCKER, MESOS")),
        }
    }
    if app.cpus.is_some_and(|c| c < 0.0) {
        errors.push(Violation::new("/cpus", "got a negative value, expected 0 or more"));
    }
    if app.backoff_factor.is_some_and(|f| f < 1.0) {
        errors.push(Violation::new("/backoffFactor", "got less than 1, expected 1.0 or more"));
    }
    if let Some(us) = &app.upgrade_strategy {
        for (field, error) in rules::check_upgrade_strategy(us.minimum_health_capacity, us.maximum_over_capacity) {
            errors.push(Violation::new(format!("/upgradeStrategy/{field}"), error));
        }
    }
    if let Some(ks) = &app.kill_selection {
        if ks != "YOUNGEST_FIRST" && ks != "OLDEST_FIRST" {
            errors.push(Violation::new("/killSelection", "must be one of YOUNGEST_FIRST, OLDEST_FIRST"));
        }
    }
    let mixed_networks = {
        let modes: Vec<&str> = app.networks.iter().flatten().filter_map(|n| n.mode.as_deref()).collect();
        modes.iter().any(|m| *m != "container") && modes.len() > 1
    };
    if mixed_networks {
        errors.push(Violation::new("/networks", "host or bridge networking cannot be combined with other networks"));
    }
    let has_defs = app.port_definitions.as_ref().is_some_and(|d| !d.is_empty());
    let has_mappings = app.container.as_ref().and_then(|c| c.port_mappings.as_ref()).is_some_and(|m| !m.is_empty());
    if has_defs && has_mappings {
        errors.push(Violation::new("/", "portDefinitions and container.portMappings are not allowed at the same time"));
    }
    for (i, c) in app.constraints.iter().flatten().enumerate() {
        for e in Constraint::parse(c).err().into_iter().flatten() {
            errors.push(Violation::new(format!("/constraints({i})"), e.to_string()));
        }
    }
    validate_port_names(app, errors);
    validate_unique_ports(app, errors);
    validate_health_checks(app, errors);
    validate_cmd_and_labels(app, errors);
    let readiness = app.readiness_checks.as_deref().unwrap_or_default();
    if readiness.len() > rules::MAX_READINESS_CHECKS {
        errors.push(Violation::new("/readinessChecks", "must have at most 1 element"));
    }
    let names = port_names(app);
    for (i, rc) in readiness.iter().enumerate() {
        let port = rc.port_name.as_deref().unwrap_or_default();
        if let Err(e) = rules::check_readiness_port(port, names.iter().flatten().map(String::as_str)) {
            errors.push(Violation::new(format!("/readinessChecks({i})/portName"), e));
        }
        let seconds = |s: Option<u64>| Duration::from_secs(s.unwrap_or_default());
        if !rules::is_valid_readiness_timeout(seconds(rc.timeout_seconds), seconds(rc.interval_seconds)) {
            errors.push(Violation::new(
                format!("/readinessChecks({i})/timeoutSeconds"),
                "must be less than intervalSeconds",
            ));
        }
    }
}

/// A `cmd` of two characters or more (`AppValidation.scala`), and the labels Marathon reads:
/// single-instance apps (`SchedulingValidation.scala`, `UpgradeStrategy.scala`) and the DC/OS
/// migration labels (`AppValidation.scala`), through [`rules`].
fn validate_cmd_and_labels(app: &App, errors: &mut Vec<Violation>) {
    if let Some(Err(e)) = app.cmd.as_deref().map(rules::check_cmd) {
        errors.push(Violation::new("/", e));
    }
    let labels = app.labels.clone().unwrap_or_default();
    let (min, over) =
        app.upgrade_strategy.as_ref().map_or((1.0, 1.0), |u| (u.minimum_health_capacity, u.maximum_over_capacity));
    for (field, e) in rules::check_single_instance(&labels, app.instances.unwrap_or(1), min, over) {
        let path = if field.is_empty() { "/".to_owned() } else { format!("/upgradeStrategy/{field}") };
        errors.push(Violation::new(path, e));
    }
    if let Err(e) = rules::check_migration_labels(&labels) {
        errors.push(Violation::new("/", e));
    }
}

/// Port names follow RAML `LegacyName`; Marathon's generated reader answers `error.pattern`.
fn validate_port_names(app: &App, errors: &mut Vec<Violation>) {
    let defs = app.port_definitions.iter().flatten().map(|d| ("/portDefinitions", d.name.as_deref()));
    let maps = app.container.iter().flat_map(|c| c.port_mappings.iter().flatten());
    let maps = maps.map(|m| ("/container/portMappings", m.name.as_deref()));
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (list, name) in defs.chain(maps) {
        let i = index.entry(list).or_default();
        if name.is_some_and(|n| !rules::is_valid_port_name(n)) {
            errors.push(Violation::new(format!("{list}({i})/name"), rules::PATTERN_ERROR));
        }
        *i += 1;
    }
}

/// One app's port names must differ, and so must its explicit ports (0 aside): Marathon
/// checks service ports within one app only, never across apps
/// (`M:src/main/scala/mesosphere/marathon/api/v2/validation/AppValidation.scala`
/// `portDefinitionsValidator`, `portMappingsIndependentOfNetworks`).
fn validate_unique_ports(app: &App, errors: &mut Vec<Violation>) {
    fn repeats<T: Ord>(items: impl Iterator<Item = T>) -> bool {
        let mut seen = std::collections::BTreeSet::new();
        !items.into_iter().all(|i| seen.insert(i))
    }
    let defs = app.port_definitions.as_deref().unwrap_or_default();
    if repeats(defs.iter().filter_map(|d| d.name.as_deref())) {
        errors.push(Violation::new("/portDefinitions", "Port names must be unique."));
    }
    if repeats(defs.iter().map(|d| d.port).filter(|p| *p != 0)) {
        errors.push(Violation::new("/portDefinitions", "Ports must be unique."));
    }
    let maps = app.container.as_ref().and_then(|c| c.port_mappings.as_deref()).unwrap_or_default();
    if repeats(maps.iter().filter_map(|m| m.name.as_deref())) {
        errors.push(Violation::new("/container/portMappings", "Port names must be unique."));
    }
}

/// Protocols, the fields each needs or forbids (as far as Marathon refuses them), port indices,
/// and the Mesos-level rule.
fn validate_health_checks(app: &App, errors: &mut Vec<Violation>) {
    let port_count = port_names(app).len();
    let mut protocols = Vec::new();
    for (i, hc) in app.health_checks.iter().flatten().enumerate() {
        let protocol = match HealthProtocol::parse(hc.protocol.as_deref().unwrap_or("HTTP")) {
            Ok(p) => p,
            Err(e) => {
                errors.push(Violation::new(format!("/healthChecks({i})/protocol"), e.to_string()));
                continue;
            }
        };
        protocols.push(protocol);
        let fields = rules::check_health_fields(protocol, hc.path.is_some(), hc.command.is_some(), hc.port.is_some());
        for e in fields.into_iter().filter(rules::HealthCheckError::marathon_refuses) {
            errors.push(Violation::new(format!("/healthChecks({i})"), e.to_string()));
        }
        if !rules::is_valid_health_port(protocol, hc.port.is_some(), hc.port_index, port_count) {
            errors.push(Violation::new("/", rules::HEALTH_PORT_INDEX));
        }
    }
    if let Err(e) = rules::check_health_levels(protocols) {
        errors.push(Violation::new("/healthChecks", e.to_string()));
    }
}

/// The definition without the fields that do not force a restart (`instances`, versions) and
/// without response-only fields: two apps with equal keys need no restart (`isUpgrade`).
pub(crate) fn restart_key(app: &App) -> App {
    App {
        instances: None,
        version: None,
        version_info: None,
        tasks_staged: None,
        tasks_running: None,
        tasks_healthy: None,
        tasks_unhealthy: None,
        deployments: None,
        tasks: None,
        last_task_failure: None,
        readiness_check_results: None,
        ..app.clone()
    }
}

/// Strips version and response-only fields from a definition (for merges and storage).
pub(crate) fn definition_only(app: &App) -> App {
    App { instances: app.instances, ..restart_key(app) }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn app(json: Value) -> App {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn defaults_are_filled() {
        let a = normalize(app(serde_json::json!({"id": "web", "cmd": "sleep 1"})), "/prod").unwrap();
        assert_eq!(a.id, "/prod/web");
        assert_eq!(a.instances, Some(1));
        assert_eq!(a.mem, Some(128.0));
        let pd = a.port_definitions.unwrap();
        assert_eq!(pd.len(), 1);
        assert_eq!(pd[0].name.as_deref(), Some("default"));
        assert_eq!(a.upgrade_strategy.unwrap().minimum_health_capacity, 1.0);
    }

    #[test]
    fn cmd_and_args_are_exclusive() {
        let e = normalize(app(serde_json::json!({"id": "/a", "cmd": "xx", "args": ["y"]})), "/").unwrap_err();
        assert_eq!(e[0].error, rules::CMD_OR_ARGS);
        let e = normalize(app(serde_json::json!({"id": "/a"})), "/").unwrap_err();
        assert_eq!(e[0].error, rules::CMD_OR_ARGS);
    }

    /// Each invalid constraint of a body is a 422 detail at its index, with Marathon's message.
    #[test]
    fn constraint_violations_are_marathons() {
        let e = normalize(
            app(serde_json::json!({"id": "/a", "cmd": "xx", "constraints": [
                ["hostname", "unique"], ["hostname", "UNIQUE", "x"], ["rack", "GROUP_BY", "many"], ["rack", "NOPE"]]})),
            "/",
        )
        .unwrap_err();
        let got: Vec<(&str, &str)> = e.iter().map(|v| (v.path.as_str(), v.error.as_str())).collect();
        assert_eq!(got[0], ("/constraints(1)", "UNIQUE does not accept a value"));
        assert_eq!(got[1], ("/constraints(2)", "GROUP BY must define an integer value or else no value at all"));
        assert_eq!(got[2].0, "/constraints(3)");
        assert!(got[2].1.starts_with("operator must be one of"));
        assert_eq!(got.len(), 3);
    }

    /// RAML `LegacyName`: `http-` is refused, `1http` accepted (the spec validator agrees).
    #[test]
    fn port_names_follow_legacy_name() {
        let body = |name: &str| {
            app(
                serde_json::json!({"id": "/a", "cmd": "xx", "portDefinitions": [{"port": 0, "name": "ok"}, {"port": 0, "name": name}]}),
            )
        };
        let e = normalize(body("http-"), "/").unwrap_err();
        assert_eq!((e[0].path.as_str(), e[0].error.as_str()), ("/portDefinitions(1)/name", "error.pattern"));
        assert!(normalize(body("1http"), "/").is_ok());
    }

    /// The spec validator and the engine share `marathon::rules`: what `theseus validate`
    /// accepts, the engine accepts, for every example and for the port names that changed.
    #[test]
    fn what_the_spec_accepts_the_engine_accepts() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let mut specs = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                specs.push(crate::spec::load(&path).unwrap());
            }
        }
        let ports = "[service.a]\ncmd = \"xx\"\nports = [{ name = \"1http\" }, { name = \"http-api\" }]\n\
                     [[service.a.group]]\nlabels = [\"a\"]\n";
        specs.push(crate::spec::parse("ports.toml", ports).unwrap());
        assert!(specs.len() > 4);
        for spec in &specs {
            for app in spec.apps(&spec.groups) {
                let id = app.id.clone();
                assert!(normalize(app, "/").is_ok(), "{id}");
            }
        }
        assert!(crate::spec::parse("p.toml", &ports.replace("1http", "http-")).is_err());
    }

    #[test]
    fn health_check_rules_are_shared() {
        let hc = |checks: Value| {
            normalize(app(serde_json::json!({"id": "/a", "cmd": "xx", "healthChecks": checks})), "/")
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|v| v.error)
                .collect::<Vec<_>>()
        };
        assert_eq!(hc(serde_json::json!([{"protocol": "COMMAND"}])), ["a COMMAND health check needs a `command`"]);
        assert_eq!(hc(serde_json::json!([{"protocol": "GRPC"}])), ["invalid health check protocol `GRPC`"]);
        assert!(hc(serde_json::json!([{"protocol": "TCP", "path": "/x"}])).is_empty(), "Marathon ignores it");
        // AppValidation.scala `haveAtMostOneMesosHealthCheck`: levels mix, COMMAND is not counted.
        assert!(hc(serde_json::json!([{"protocol": "HTTP"}, {"protocol": "MESOS_HTTP"}])).is_empty());
        assert!(hc(
            serde_json::json!([{"protocol": "MESOS_TCP"}, {"protocol": "COMMAND", "command": {"value": "true"}}])
        )
        .is_empty());
        assert_eq!(
            hc(serde_json::json!([{"protocol": "MESOS_HTTP"}, {"protocol": "MESOS_TCP"}])),
            [rules::HealthCheckError::TooManyMesosChecks.to_string()]
        );
        assert_eq!(hc(serde_json::json!([{"protocol": "HTTP", "portIndex": 1}])), [rules::HEALTH_PORT_INDEX]);
    }

    #[test]
    fn upgrade_strategy_out_of_range_is_422_material() {
        let e = normalize(
            app(serde_json::json!({"id": "/a", "cmd": "xx", "upgradeStrategy": {"minimumHealthCapacity": 1.5, "maximumOverCapacity": 0}})),
            "/",
        )
        .unwrap_err();
        assert_eq!(e[0].path, "/upgradeStrategy/minimumHealthCapacity");
        assert_eq!(e[0].error, "is greater than 1");
    }

    #[test]
    fn deprecated_docker_network_becomes_networks() {
        let a = normalize(
            app(serde_json::json!({"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "nginx", "network": "BRIDGE",
                "portMappings": [{"containerPort": 80}]}}})),
            "/",
        )
        .unwrap();
        assert_eq!(a.networks.unwrap()[0].mode.as_deref(), Some("container/bridge"));
        let c = a.container.unwrap();
        assert_eq!(c.port_mappings.unwrap()[0].host_port, Some(0));
        assert!(a.port_definitions.is_none());
    }
}
