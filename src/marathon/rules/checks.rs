//! Marathon's health- and readiness-check rules: protocols, the fields each needs, levels.

use super::*;

// ---- Health checks: RAML healthCheck.raml; M:.../api/v2/validation/AppValidation.scala L466-510;
// ---- M:.../raml/HealthCheckConversion.scala (`appHealthCheckRamlReader`) ----

/// Health-check protocols, with Marathon's names (RAML `AppHealthCheckProtocol` in healthCheck.raml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HealthProtocol {
    /// HTTP GET by Marathon; 200-399 passes.
    Http,
    /// HTTPS GET by Marathon.
    Https,
    /// TCP connect by Marathon.
    Tcp,
    /// A shell command on the agent; exit 0 passes.
    Command,
    /// HTTP GET by the Mesos agent.
    MesosHttp,
    /// HTTPS GET by the Mesos agent.
    MesosHttps,
    /// TCP connect by the Mesos agent.
    MesosTcp,
}

impl HealthProtocol {
    /// Every protocol, in Marathon's order.
    pub const ALL: [HealthProtocol; 7] = [
        HealthProtocol::Http,
        HealthProtocol::Https,
        HealthProtocol::Tcp,
        HealthProtocol::Command,
        HealthProtocol::MesosHttp,
        HealthProtocol::MesosHttps,
        HealthProtocol::MesosTcp,
    ];

    /// Marathon's name, e.g. `MESOS_HTTP`.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthProtocol::Http => "HTTP",
            HealthProtocol::Https => "HTTPS",
            HealthProtocol::Tcp => "TCP",
            HealthProtocol::Command => "COMMAND",
            HealthProtocol::MesosHttp => "MESOS_HTTP",
            HealthProtocol::MesosHttps => "MESOS_HTTPS",
            HealthProtocol::MesosTcp => "MESOS_TCP",
        }
    }

    /// The protocol named `name`, in any case; the error is the message for an unknown one.
    pub fn parse(name: &str) -> Result<HealthProtocol, HealthCheckError> {
        let up = name.to_ascii_uppercase();
        HealthProtocol::ALL
            .into_iter()
            .find(|p| p.as_str() == up)
            .ok_or_else(|| HealthCheckError::UnknownProtocol(name.to_owned()))
    }

    /// Whether the check requests a path over HTTP(S) (and so takes `path`).
    pub fn is_http(self) -> bool {
        matches!(
            self,
            HealthProtocol::Http | HealthProtocol::Https | HealthProtocol::MesosHttp | HealthProtocol::MesosHttps
        )
    }

    /// Whether the check runs on the Mesos agent rather than in Marathon (`COMMAND` not included).
    pub fn is_mesos(self) -> bool {
        matches!(self, HealthProtocol::MesosHttp | HealthProtocol::MesosHttps | HealthProtocol::MesosTcp)
    }

    /// Whether Marathon itself runs the check (`HTTP`, `HTTPS`, `TCP`).
    pub fn is_marathon_level(self) -> bool {
        matches!(self, HealthProtocol::Http | HealthProtocol::Https | HealthProtocol::Tcp)
    }
}

impl fmt::Display for HealthProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Marathon's message for a health check whose port index addresses no port (`portIndexIsValid`
/// in `AppValidation.scala`).
pub const HEALTH_PORT_INDEX: &str =
    "Health check port indices must address an element of the ports array or container port mappings.";

/// Why a health check is invalid; `Display` is the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HealthCheckError {
    /// Not one of [`HealthProtocol::ALL`].
    #[error("invalid health check protocol `{0}`")]
    UnknownProtocol(String),
    /// A `COMMAND` check without `command`.
    #[error("a COMMAND health check needs a `command`")]
    CommandRequired,
    /// `command` on another protocol ("illegal protocol ... specified with command").
    #[error("`command` applies only to COMMAND health checks, not {0}")]
    CommandNotApplicable(HealthProtocol),
    /// `port` on a `COMMAND` check ("Invalid combination of HealthCheck parameters").
    #[error("`port` does not apply to COMMAND health checks")]
    PortNotApplicable,
    /// `path` on a protocol that is not HTTP(S).
    #[error("`path` does not apply to {0} health checks")]
    PathNotApplicable(HealthProtocol),
    /// More than one `MESOS_*` check (`haveAtMostOneMesosHealthCheck`).
    #[error("AppDefinition can contain at most one Mesos health check")]
    TooManyMesosChecks,
    /// A `MESOS_*` check beside `HTTP`/`HTTPS`/`TCP` ones: Marathon accepts it, but Mesos runs
    /// only one check per task (DIGEST §1), so Theseus refuses it.
    #[error("at most one MESOS_* health check is allowed, and it cannot be mixed with HTTP, HTTPS or TCP checks")]
    MixedLevels,
}

impl HealthCheckError {
    /// Whether Marathon itself refuses this; the local engine reports only these. (A `path` on
    /// a TCP check is ignored by Marathon, but the spec refuses it as a likely mistake.)
    pub fn marathon_refuses(&self) -> bool {
        !matches!(self, HealthCheckError::PathNotApplicable(p) if *p != HealthProtocol::Command)
    }
}

/// The fields a check of `protocol` needs or forbids: `command` exactly for `COMMAND`, `path`
/// only for HTTP(S) protocols, and no `port` for `COMMAND` (`appHealthCheckRamlReader` in
/// `raml/HealthCheckConversion.scala`; the `path` rule on TCP checks is Theseus's).
pub fn check_health_fields(protocol: HealthProtocol, path: bool, command: bool, port: bool) -> Vec<HealthCheckError> {
    let mut out = Vec::new();
    let is_command = protocol == HealthProtocol::Command;
    if path && !protocol.is_http() {
        out.push(HealthCheckError::PathNotApplicable(protocol));
    }
    match (is_command, command) {
        (true, false) => out.push(HealthCheckError::CommandRequired),
        (false, true) => out.push(HealthCheckError::CommandNotApplicable(protocol)),
        _ => {}
    }
    if is_command && port {
        out.push(HealthCheckError::PortNotApplicable);
    }
    out
}

/// The levels rule over an app's checks: at most one `MESOS_*` check
/// (`haveAtMostOneMesosHealthCheck` in `AppValidation.scala`), and none beside Marathon-level
/// checks (stricter than Marathon; see [`HealthCheckError::MixedLevels`]).
/// `COMMAND` checks count for neither.
pub fn check_health_levels(protocols: impl IntoIterator<Item = HealthProtocol>) -> Result<(), HealthCheckError> {
    let (mut mesos, mut marathon) = (0, 0);
    for p in protocols {
        mesos += usize::from(p.is_mesos());
        marathon += usize::from(p.is_marathon_level());
    }
    if mesos > 1 {
        Err(HealthCheckError::TooManyMesosChecks)
    } else if mesos == 1 && marathon > 0 {
        Err(HealthCheckError::MixedLevels)
    } else {
        Ok(())
    }
}

/// Whether a check's port reference is valid: checks without a port (`COMMAND`) and checks with
/// a fixed `port` always are; otherwise `port_index` (0 when absent) must address one of the
/// app's `port_count` ports (`portIndexIsValid` in `AppValidation.scala`, which checks
/// `HTTP`/`HTTPS`/`TCP` only; here `MESOS_*` too, which could not run without the port).
pub fn is_valid_health_port(protocol: HealthProtocol, port: bool, port_index: Option<u32>, port_count: usize) -> bool {
    protocol == HealthProtocol::Command
        || port
        || usize::try_from(port_index.unwrap_or(0)).is_ok_and(|i| i < port_count)
}

// ---- Readiness checks: RAML readinessCheck.raml; AppValidation.scala L259-271, L436-439 ----

/// How many readiness checks an app may have (`readinessChecks.size should be <= 1`).
pub const MAX_READINESS_CHECKS: usize = 1;

/// The protocols of a readiness check (RAML `HttpScheme`).
pub const READINESS_PROTOCOLS: [&str; 2] = ["HTTP", "HTTPS"];

/// A readiness check's `portName` must name one of the app's ports (`portNameExists` in
/// `AppValidation.scala`); the error is Marathon's message.
pub fn check_readiness_port<'a>(name: &str, mut ports: impl Iterator<Item = &'a str>) -> Result<(), String> {
    if ports.any(|p| p == name) {
        Ok(())
    } else {
        Err(format!("No port definition reference for portName {name}"))
    }
}

/// A readiness check's timeout must be shorter than its interval
/// (`rc.timeoutSeconds should be < rc.intervalSeconds`).
pub fn is_valid_readiness_timeout(timeout: Duration, interval: Duration) -> bool {
    timeout < interval
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `HealthCheckConversion.scala` (command ⇔ COMMAND; no port with a command) and
    /// `AppValidation.scala` `haveAtMostOneMesosHealthCheck`, `portIndexIsValid`.
    #[test]
    fn health_checks_follow_app_validation_scala() {
        use HealthProtocol::*;
        assert_eq!(HealthProtocol::parse("mesos_http"), Ok(MesosHttp));
        assert_eq!(HealthProtocol::parse("GRPC").unwrap_err().to_string(), "invalid health check protocol `GRPC`");
        assert_eq!(check_health_fields(Command, false, false, false), [HealthCheckError::CommandRequired]);
        assert_eq!(check_health_fields(Http, true, true, true), [HealthCheckError::CommandNotApplicable(Http)]);
        assert_eq!(
            check_health_fields(Command, true, true, true),
            [HealthCheckError::PathNotApplicable(Command), HealthCheckError::PortNotApplicable]
        );
        let tcp_path = check_health_fields(Tcp, true, false, true);
        assert_eq!(tcp_path, [HealthCheckError::PathNotApplicable(Tcp)]);
        assert!(!tcp_path[0].marathon_refuses(), "Marathon ignores a path on TCP");
        assert!(check_health_levels([Http, Tcp, Command, Command]).is_ok());
        assert!(check_health_levels([MesosHttp, Command]).is_ok());
        assert_eq!(check_health_levels([MesosHttp, MesosTcp]), Err(HealthCheckError::TooManyMesosChecks));
        assert_eq!(check_health_levels([Http, MesosHttp]), Err(HealthCheckError::MixedLevels));
        assert!(is_valid_health_port(Http, false, Some(1), 2) && !is_valid_health_port(Http, false, Some(2), 2));
        assert!(!is_valid_health_port(Http, false, None, 0) && is_valid_health_port(Http, true, None, 0));
        assert!(is_valid_health_port(Command, false, Some(9), 0));
    }

    /// `AppValidation.scala` `readinessCheckValidator`.
    #[test]
    fn readiness_checks_follow_app_validation_scala() {
        assert!(check_readiness_port("http-api", ["http", "http-api"].into_iter()).is_ok());
        assert_eq!(
            check_readiness_port("admin", ["http"].into_iter()).unwrap_err(),
            "No port definition reference for portName admin"
        );
        let s = Duration::from_secs;
        assert!(is_valid_readiness_timeout(s(10), s(30)) && !is_valid_readiness_timeout(s(30), s(30)));
    }
}
