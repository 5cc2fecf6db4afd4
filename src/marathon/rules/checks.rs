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

    /// Whether the Mesos agent runs the check: `COMMAND` and the `MESOS_*` forms
    /// (`MesosHealthCheck` in `core/health/HealthCheck.scala`, which `MesosCommandHealthCheck`
    /// extends; `mesos/TaskBuilder.scala` hands these to Mesos).
    pub fn is_mesos_level(self) -> bool {
        !self.is_marathon_level()
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
    /// More than one `MESOS_*` check (`haveAtMostOneMesosHealthCheck` in `AppValidation.scala`,
    /// which leaves `COMMAND` checks out of the count).
    #[error("AppDefinition can contain at most one Mesos health check")]
    TooManyMesosChecks,
    /// More than one Mesos-level check, `COMMAND` included. Marathon accepts e.g. `MESOS_HTTP`
    /// plus `COMMAND`, but `mesos/TaskBuilder.scala` gives Mesos only the first of them (of a
    /// Set: an arbitrary one) and Marathon copies its result to every Mesos-level check, so the
    /// others never run. The spec refuses it; the engine accepts it and runs one, as Marathon.
    #[error(
        "at most one Mesos-level health check (COMMAND, MESOS_HTTP, MESOS_HTTPS, MESOS_TCP) per app: Mesos runs only one, and Marathon copies its result to the others"
    )]
    TooManyMesosLevelChecks,
    /// `maxConsecutiveFailures = 0` on a Mesos-level check: Marathon passes it to Mesos as
    /// `consecutive_failures`, and Mesos kills the task at the first failure
    /// (`docs/docs/health-checks.md`, `core/health/HealthCheck.scala` `toMesos`). It means
    /// "never kill" only for the checks Marathon runs. Marathon accepts it; the spec refuses it.
    #[error("max_failures = 0 on a {0} check kills the task at its first failed check: Mesos runs {0} checks, and 0 means \"never kill\" only for HTTP, HTTPS and TCP checks")]
    MesosKillsAtZero(HealthProtocol),
}

impl HealthCheckError {
    /// Whether Marathon itself refuses this; the local engine reports only these. (A `path` on
    /// a TCP check is ignored by Marathon, but the spec refuses it as a likely mistake; the
    /// Mesos-level rules are Theseus's, see their variants.)
    pub fn marathon_refuses(&self) -> bool {
        match self {
            HealthCheckError::PathNotApplicable(p) => *p == HealthProtocol::Command,
            HealthCheckError::TooManyMesosLevelChecks | HealthCheckError::MesosKillsAtZero(_) => false,
            _ => true,
        }
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

/// Marathon's levels rule over an app's checks: at most one `MESOS_*` check, `COMMAND` checks
/// not counted (`haveAtMostOneMesosHealthCheck` in `AppValidation.scala`). Mixing Mesos- and
/// Marathon-level checks is allowed. The engine applies this rule.
pub fn check_health_levels(protocols: impl IntoIterator<Item = HealthProtocol>) -> Result<(), HealthCheckError> {
    if protocols.into_iter().filter(|p| p.is_mesos()).count() > 1 {
        Err(HealthCheckError::TooManyMesosChecks)
    } else {
        Ok(())
    }
}

/// The spec's levels rule: at most one Mesos-level check, `COMMAND` included
/// ([`HealthCheckError::TooManyMesosLevelChecks`]); Marathon-level checks beside it are fine.
pub fn check_mesos_level_count(protocols: impl IntoIterator<Item = HealthProtocol>) -> Result<(), HealthCheckError> {
    if protocols.into_iter().filter(|p| p.is_mesos_level()).count() > 1 {
        Err(HealthCheckError::TooManyMesosLevelChecks)
    } else {
        Ok(())
    }
}

/// The spec's `max_failures` rule: 0 only where it means "never kill"
/// ([`HealthCheckError::MesosKillsAtZero`]).
pub fn check_max_failures(protocol: HealthProtocol, max_consecutive_failures: u32) -> Result<(), HealthCheckError> {
    if protocol.is_mesos_level() && max_consecutive_failures == 0 {
        Err(HealthCheckError::MesosKillsAtZero(protocol))
    } else {
        Ok(())
    }
}

/// After how many consecutive failed checks (outside the grace period) the task is killed, or
/// `None` for never.
///
/// - Marathon-level checks: `HealthCheckActor.checkConsecutiveFailures`
///   (`core/health/impl/HealthCheckActor.scala`) compares the count *before* the failure being
///   handled, `consecutiveFailures >= maxFailures && maxFailures > 0`, so the task dies at
///   failure `max + 1` ("fails more than `maxConsecutiveFailures`", `docs/docs/health-checks.md`),
///   and 0 never kills.
/// - Mesos-level checks: Marathon sends `max` as Mesos' `consecutive_failures`
///   (`core/health/HealthCheck.scala` `toMesos`), and Mesos kills at failure `max`; with 0 at
///   the first one (`docs/docs/health-checks.md`).
pub fn kill_after_failures(protocol: HealthProtocol, max_consecutive_failures: u32) -> Option<u32> {
    if protocol.is_mesos_level() {
        Some(max_consecutive_failures.max(1))
    } else if max_consecutive_failures == 0 {
        None
    } else {
        Some(max_consecutive_failures.saturating_add(1))
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
        assert!(check_health_levels([MesosHttp, Command]).is_ok(), "Marathon leaves COMMAND out of the count");
        assert!(check_health_levels([Http, MesosHttp]).is_ok(), "mixing levels is allowed");
        assert_eq!(check_health_levels([MesosHttp, MesosTcp]), Err(HealthCheckError::TooManyMesosChecks));
        assert!(is_valid_health_port(Http, false, Some(1), 2) && !is_valid_health_port(Http, false, Some(2), 2));
        assert!(!is_valid_health_port(Http, false, None, 0) && is_valid_health_port(Http, true, None, 0));
        assert!(is_valid_health_port(Command, false, Some(9), 0));
    }

    /// `mesos/TaskBuilder.scala` runs one Mesos-level check (COMMAND included), so the spec
    /// allows one; Marathon-level checks beside it are fine (`AppValidation.scala`).
    #[test]
    fn the_spec_allows_one_mesos_level_check_of_any_kind() {
        use HealthProtocol::*;
        assert!(Command.is_mesos_level() && MesosTcp.is_mesos_level() && !Https.is_mesos_level());
        assert!(check_mesos_level_count([Http, Https, Tcp, Command]).is_ok());
        assert!(check_mesos_level_count([Http, MesosHttp]).is_ok());
        let two = check_mesos_level_count([MesosHttp, Command]).unwrap_err();
        assert_eq!(two, HealthCheckError::TooManyMesosLevelChecks);
        assert!(!two.marathon_refuses(), "Marathon accepts it; only the spec refuses it");
        assert_eq!(check_mesos_level_count([Command, Command]), Err(HealthCheckError::TooManyMesosLevelChecks));
    }

    /// `docs/docs/health-checks.md` (maxConsecutiveFailures), `core/health/HealthCheck.scala`
    /// (`toMesos` sets `consecutive_failures`), `core/health/impl/HealthCheckActor.scala`
    /// (`checkConsecutiveFailures` compares the count before the current failure).
    #[test]
    fn max_consecutive_failures_differs_by_level() {
        use HealthProtocol::*;
        assert_eq!(kill_after_failures(Http, 0), None, "0: Marathon never kills");
        assert_eq!(kill_after_failures(Tcp, 3), Some(4), "Marathon kills when more than 3 failed");
        assert_eq!(kill_after_failures(Command, 0), Some(1), "Mesos kills at the first failure");
        assert_eq!(kill_after_failures(MesosHttp, 3), Some(3));
        assert!(check_max_failures(Http, 0).is_ok() && check_max_failures(Command, 1).is_ok());
        let zero = check_max_failures(Command, 0).unwrap_err();
        assert!(zero
            .to_string()
            .starts_with("max_failures = 0 on a COMMAND check kills the task at its first failed check"));
        assert!(!zero.marathon_refuses());
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
