//! Marathon's validation rules, in one place, as pure functions.
//!
//! Two parts of Theseus judge app definitions the way Marathon does: the spec validator
//! (`spec::load`, which reports problems with file positions and hints) and the local engine
//! (`local::normalize` and `local::ids`, which answer 422 like Marathon). Both call this module,
//! so a rule is written once and the two cannot drift. Each item cites the Marathon source it
//! follows (`M:` = `mesosphere/marathon` at the commit named in `marathon-api/DIGEST.md`; RAML
//! types under `docs/docs/rest-api/public/api/v2/types/`). Where Theseus is deliberately
//! stricter than Marathon, the item says so.
//!
//! No I/O, no state: only patterns, predicates and typed errors whose `Display` is the message.

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// Compiles a pattern so that it must match the whole text, as Java's `Matcher.matches()` does.
fn whole(pattern: &str) -> Option<Regex> {
    let inner = pattern.strip_prefix('^').unwrap_or(pattern);
    let inner = inner.strip_suffix('$').unwrap_or(inner);
    Regex::new(&format!("^(?:{inner})$")).ok()
}

fn matches(re: &LazyLock<Option<Regex>>, text: &str) -> bool {
    re.as_ref().is_some_and(|re| re.is_match(text))
}

// ---- Path ids: M:src/main/scala/mesosphere/marathon/state/PathId.scala L212-268 ----

/// The rule every `/`-separated segment of a path id must fully match (`ID_PATH_SEGMENT_PATTERN`
/// in `state/PathId.scala`, and `PathId` in the RAML `stringTypes.raml`), verbatim.
pub const PATH_SEGMENT_PATTERN: &str =
    r"^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])|(\.|\.\.)$";

/// Last segments an app id may not have (`reservedKeywords` in `state/PathId.scala`).
pub const RESERVED_LAST_SEGMENTS: [&str; 5] = ["restart", "tasks", "versions", ".", ".."];

static PATH_SEGMENT: LazyLock<Option<Regex>> = LazyLock::new(|| whole(PATH_SEGMENT_PATTERN));

/// Whether `segment` fully matches [`PATH_SEGMENT_PATTERN`] (`.` and `..` included, as
/// `state/PathId.scala` has it).
pub fn is_valid_path_segment(segment: &str) -> bool {
    matches(&PATH_SEGMENT, segment)
}

/// Checks one path-id segment; the error is Marathon's message (`validPathChars` in
/// `state/PathId.scala`).
pub fn check_path_segment(segment: &str) -> Result<(), String> {
    if is_valid_path_segment(segment) {
        Ok(())
    } else {
        Err(format!("must fully match regular expression '{PATH_SEGMENT_PATTERN}'"))
    }
}

/// Checks the last segment of an app id; the error is Marathon's message
/// (`withoutReservedKeywords` in `state/PathId.scala`).
pub fn check_app_name(last: &str) -> Result<(), String> {
    if RESERVED_LAST_SEGMENTS.contains(&last) {
        Err(format!("must not end with any of the following reserved keywords: {}", RESERVED_LAST_SEGMENTS.join(", ")))
    } else {
        Ok(())
    }
}

/// Checks a resolved (absolute, canonical) app id: `/`, then valid segments without `.` or
/// `..`, the last one not reserved. Messages are Marathon's where it has one (`PathId.scala`).
pub fn check_app_id(id: &str) -> Result<(), String> {
    let Some(rest) = id.strip_prefix('/') else { return Err("Path needs to be absolute".to_owned()) };
    if rest.is_empty() {
        return Err("Path must contain at least one path element".to_owned());
    }
    let segments: Vec<&str> = rest.split('/').collect();
    for segment in &segments {
        check_path_segment(segment)?;
        if matches!(*segment, "." | "..") {
            return Err(format!("must not contain `{segment}` once resolved against its group"));
        }
    }
    segments.last().map_or(Ok(()), |last| check_app_name(last))
}

/// Whether `id` is a valid resolved app id ([`check_app_id`]).
pub fn is_valid_app_id(id: &str) -> bool {
    check_app_id(id).is_ok()
}

// ---- Port names: RAML `strings.LegacyName` (stringTypes.raml), used by network.raml and appContainer.raml ----

/// The rule for `portDefinitions[].name`, `container.portMappings[].name` and
/// `readinessChecks[].portName` (RAML `LegacyName`), verbatim.
pub const PORT_NAME_PATTERN: &str = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

/// What Marathon's RAML-generated reader reports for a string that misses its `pattern`
/// (`ConstraintT.Pattern` in `type-generator/.../RamlTypeGenerator.scala`; a 422 through
/// `api/MarathonExceptionMapper.scala`).
pub const PATTERN_ERROR: &str = "error.pattern";

static PORT_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| whole(PORT_NAME_PATTERN));

/// Whether `name` is a valid port name ([`PORT_NAME_PATTERN`], RAML `LegacyName` in stringTypes.raml).
pub fn is_valid_port_name(name: &str) -> bool {
    matches(&PORT_NAME, name)
}

// ---- App programs: M:.../api/v2/validation/AppValidation.scala L512-523 (`containsCmdArgsOrContainer`) ----

/// Marathon's message for an app with both `cmd` and `args`, or with neither and no container.
pub const CMD_OR_ARGS: &str = "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.";

/// What is wrong with an app's program ([`check_program`]); `Display` is [`CMD_OR_ARGS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramError {
    /// Both `cmd` and `args` are set.
    Both,
    /// Neither `cmd`, `args` nor a container is set.
    Nothing,
}

impl fmt::Display for ProgramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(CMD_OR_ARGS)
    }
}

/// `(cmd ^ args) || (!(cmd && args) && container)`, as `AppValidation.scala` checks it.
pub fn check_program(cmd: bool, args: bool, container: bool) -> Result<(), ProgramError> {
    match (cmd, args) {
        (true, true) => Err(ProgramError::Both),
        (false, false) if !container => Err(ProgramError::Nothing),
        _ => Ok(()),
    }
}

// ---- Constraints: RAML constraint.raml; M:.../api/v2/validation/SchedulingValidation.scala L82-190 ----

/// A constraint operator (RAML `ConstraintOperator`; semantics in `mesos/Constraints.scala`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// Every task on a different value of the field.
    Unique,
    /// Every task on the same value (the given one, or the first task's).
    Cluster,
    /// Spread evenly over the field's values.
    GroupBy,
    /// Only where the field fully matches the regular expression.
    Like,
    /// Only where the field does not match (or is absent).
    Unlike,
    /// At most N tasks per value of the field.
    MaxPer,
    /// Only where the field equals the value.
    Is,
}

impl Operator {
    /// Every operator, in the RAML's order (`ConstraintOperator` in constraint.raml).
    pub const ALL: [Operator; 7] = [
        Operator::Unique,
        Operator::Cluster,
        Operator::GroupBy,
        Operator::Like,
        Operator::Unlike,
        Operator::MaxPer,
        Operator::Is,
    ];

    /// Marathon's name, e.g. `GROUP_BY`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Unique => "UNIQUE",
            Operator::Cluster => "CLUSTER",
            Operator::GroupBy => "GROUP_BY",
            Operator::Like => "LIKE",
            Operator::Unlike => "UNLIKE",
            Operator::MaxPer => "MAX_PER",
            Operator::Is => "IS",
        }
    }

    /// The operator named `name`, upper-cased first as Marathon does (`op.toUpperCase`).
    pub fn parse(name: &str) -> Option<Operator> {
        let up = name.to_ascii_uppercase();
        Operator::ALL.into_iter().find(|o| o.as_str() == up)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A valid placement constraint: `[field, OPERATOR]` or `[field, OPERATOR, value]` (RAML
/// `AppConstraint` in constraint.raml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// `hostname`, `@hostname`, `@region`, `@zone` or an agent attribute.
    pub field: String,
    /// The operator.
    pub operator: Operator,
    /// The value, for the operators that take one.
    pub value: Option<String>,
}

/// The part of a constraint a [`ConstraintError`] is about, so callers can point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintPart {
    /// The constraint as a whole.
    Whole,
    /// The first element, the field.
    Field,
    /// The second element, the operator.
    Operator,
    /// The third element, the value (or the whole constraint when it is missing).
    Value,
}

/// Why a constraint is invalid; `Display` is Marathon's message (`SchedulingValidationMessages`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConstraintError {
    /// Not 2 or 3 elements.
    #[error("Each constraint must have either 2 or 3 fields")]
    FieldCount(usize),
    /// An empty field (`ConstraintRequiresField`; Marathon's app path words it "illegal
    /// constraint specification"). Theseus also refuses a blank one, which can match no agent.
    #[error("missing field for constraint declaration")]
    MissingField,
    /// Not one of [`Operator::ALL`].
    #[error("operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS")]
    UnknownOperator(String),
    /// `UNIQUE` with a value.
    #[error("UNIQUE does not accept a value")]
    UniqueWithValue,
    /// `GROUP_BY` with a value that is not an integer.
    #[error("GROUP BY must define an integer value or else no value at all")]
    GroupByNotInteger,
    /// `MAX_PER` without an integer value.
    #[error("MAX_PER requires an integer value")]
    MaxPerNotInteger,
    /// `LIKE` or `UNLIKE` without a value (Theseus also refuses an empty one).
    #[error("LIKE and UNLIKE require a non-empty, regular expression value")]
    LikeWithoutRegex,
    /// `LIKE` or `UNLIKE` with a value that does not compile.
    #[error("'{0}' is not a valid regular expression")]
    InvalidRegex(String),
    /// `IS` without a value, or one outside [`MESOS_LITERAL_PATTERN`] (Theseus also refuses a
    /// missing value, which Marathon reads as `""`).
    #[error("IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)")]
    IsNotLiteral,
}

impl ConstraintError {
    /// The element the problem is in.
    pub fn part(&self) -> ConstraintPart {
        match self {
            ConstraintError::FieldCount(_) => ConstraintPart::Whole,
            ConstraintError::MissingField => ConstraintPart::Field,
            ConstraintError::UnknownOperator(_) => ConstraintPart::Operator,
            _ => ConstraintPart::Value,
        }
    }
}

/// The `IS` value rule (`MesosLiteralOrFloatValue` in `SchedulingValidation.scala`), verbatim.
pub const MESOS_LITERAL_PATTERN: &str = "^[a-zA-Z0-9_/.-]*$";

static MESOS_LITERAL: LazyLock<Option<Regex>> = LazyLock::new(|| whole(MESOS_LITERAL_PATTERN));

/// Whether `value` is a Mesos text or scalar value ([`MESOS_LITERAL_PATTERN`],
/// `SchedulingValidation.scala`).
pub fn is_mesos_literal(value: &str) -> bool {
    matches(&MESOS_LITERAL, value)
}

/// The regular expression of a `LIKE`/`UNLIKE` value: `SchedulingValidation.scala` compiles it,
/// `mesos/Constraints.scala` matches it against the whole attribute value.
pub fn like_regex(value: &str) -> Result<Regex, ConstraintError> {
    if value.is_empty() {
        return Err(ConstraintError::LikeWithoutRegex);
    }
    Regex::new(&format!("^(?:{value})$")).map_err(|_| ConstraintError::InvalidRegex(value.to_owned()))
}

impl Constraint {
    /// Parses and validates `[field, operator, value?]` (`complyWithAppConstraintRules` in
    /// `SchedulingValidation.scala`).
    ///
    /// Every independent problem is returned: a missing field and a bad operator or value.
    pub fn parse<S: AsRef<str>>(fields: &[S]) -> Result<Constraint, Vec<ConstraintError>> {
        let [field, op, rest @ ..] = fields else { return Err(vec![ConstraintError::FieldCount(fields.len())]) };
        if rest.len() > 1 {
            return Err(vec![ConstraintError::FieldCount(fields.len())]);
        }
        let (field, op, value) = (field.as_ref(), op.as_ref(), rest.first().map(|v| v.as_ref()));
        let mut errors = Vec::new();
        if field.trim().is_empty() {
            errors.push(ConstraintError::MissingField);
        }
        let operator = Operator::parse(op);
        match operator {
            Some(o) => errors.extend(check_value(o, value).err()),
            None => errors.push(ConstraintError::UnknownOperator(op.to_owned())),
        }
        match operator {
            Some(operator) if errors.is_empty() => {
                Ok(Constraint { field: field.to_owned(), operator, value: value.map(str::to_owned) })
            }
            _ => Err(errors),
        }
    }

    /// The wire form: `[field, OPERATOR]` or `[field, OPERATOR, value]`.
    pub fn to_fields(&self) -> Vec<String> {
        let mut out = vec![self.field.clone(), self.operator.as_str().to_owned()];
        out.extend(self.value.clone());
        out
    }
}

/// The value rules of each operator (`complyWithConstraintRules` in `SchedulingValidation.scala`).
fn check_value(operator: Operator, value: Option<&str>) -> Result<(), ConstraintError> {
    match (operator, value) {
        (Operator::Unique, Some(_)) => Err(ConstraintError::UniqueWithValue),
        (Operator::Unique | Operator::Cluster, _) => Ok(()),
        (Operator::GroupBy, Some(v)) if !v.is_empty() && v.parse::<u32>().is_err() => {
            Err(ConstraintError::GroupByNotInteger)
        }
        (Operator::GroupBy, _) => Ok(()),
        (Operator::MaxPer, Some(v)) if v.parse::<u32>().is_ok() => Ok(()),
        (Operator::MaxPer, _) => Err(ConstraintError::MaxPerNotInteger),
        (Operator::Like | Operator::Unlike, v) => like_regex(v.unwrap_or_default()).map(|_| ()),
        (Operator::Is, Some(v)) if is_mesos_literal(v) => Ok(()),
        (Operator::Is, _) => Err(ConstraintError::IsNotLiteral),
    }
}

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

// ---- Upgrade strategy: M:src/main/scala/mesosphere/marathon/state/UpgradeStrategy.scala ----

/// Both capacities of an upgrade strategy lie in [0, 1] (`updateStrategyValidator`): the
/// problems as `(field, message)`, with the messages of Marathon's RAML example.
pub fn check_upgrade_strategy(minimum_health: f64, maximum_over: f64) -> Vec<(&'static str, &'static str)> {
    [("minimumHealthCapacity", minimum_health), ("maximumOverCapacity", maximum_over)]
        .into_iter()
        .filter_map(|(field, v)| {
            if v > 1.0 {
                Some((field, "is greater than 1"))
            } else if v < 0.0 {
                Some((field, "is less than 0"))
            } else {
                None
            }
        })
        .collect()
}

// ---- Labels ----

/// The prefix of the labels Theseus sets on every app it renders (`theseus.managed`, ...).
/// Not a Marathon rule: Marathon takes any label, so only the spec refuses these.
pub const RESERVED_LABEL_PREFIX: &str = "theseus.";

/// Whether a user may not set the Marathon label `key` ([`RESERVED_LABEL_PREFIX`]).
pub fn is_reserved_label(key: &str) -> bool {
    key.starts_with(RESERVED_LABEL_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    /// `state/PathId.scala`: segments of DIGEST §1 ids and of `PathIdTest`-style cases.
    #[test]
    fn path_segments_follow_path_id_scala() {
        for ok in ["a", "web", "a-b", "x1", "1", "dev.frontend", "a.b.c", ".", "..", "r0123456789ab"] {
            assert!(is_valid_path_segment(ok), "{ok}");
        }
        for bad in ["", "A", "-a", "a-", "a_b", "a..b", ".a", "a.", "a b", "é", "..."] {
            assert!(!is_valid_path_segment(bad), "{bad}");
        }
        let msg = check_path_segment("A").unwrap_err();
        assert_eq!(msg, format!("must fully match regular expression '{PATH_SEGMENT_PATTERN}'"));
        assert!(msg.starts_with("must fully match regular expression '^(([a-z0-9]|"));
    }

    /// `state/PathId.scala`: `withoutReservedKeywords`, `absolutePathValidator`, `nonEmptyPath`.
    #[test]
    fn app_ids_follow_path_id_scala() {
        for ok in ["/a", "/prod/web", "/theseus/web/dev.frontend/r0123456789ab", "/team-a/prod/x", "/a.b/c"] {
            assert!(is_valid_app_id(ok), "{ok}");
        }
        for bad in ["a", "/", "/A", "/a-", "/-a", "/a//b", "/a/restart", "/a/tasks", "/a/versions", "/a/../b", "/a_b"] {
            assert!(!is_valid_app_id(bad), "{bad}");
        }
        assert_eq!(
            check_app_name("tasks").unwrap_err(),
            "must not end with any of the following reserved keywords: restart, tasks, versions, ., .."
        );
        assert!(check_app_name("web").is_ok());
    }

    /// RAML `strings.LegacyName` (stringTypes.raml); `http-api` is the RAML's own example.
    #[test]
    fn port_names_follow_raml_legacy_name() {
        for ok in ["http", "http-api", "admin-api2", "1http", "a", "9"] {
            assert!(is_valid_port_name(ok), "{ok}");
        }
        for bad in ["", "http-", "-http", "Http", "http_api", "a.b", "é"] {
            assert!(!is_valid_port_name(bad), "{bad}");
        }
    }

    /// `AppValidation.scala` `containsCmdArgsOrContainer`.
    #[test]
    fn programs_follow_app_validation_scala() {
        assert_eq!(check_program(true, true, true), Err(ProgramError::Both));
        assert_eq!(check_program(false, false, false), Err(ProgramError::Nothing));
        assert!(check_program(true, false, false).is_ok());
        assert!(check_program(false, false, true).is_ok());
        assert_eq!(ProgramError::Both.to_string(), CMD_OR_ARGS);
    }

    /// `SchedulingValidation.scala` `complyWithAppConstraintRules`, with the DIGEST §1 messages.
    #[test]
    fn constraints_follow_scheduling_validation_scala() {
        let err = |v: &[&str]| Constraint::parse(&strings(v)).unwrap_err();
        let one = |v: &[&str]| err(v).first().map(ToString::to_string).unwrap_or_default();
        assert_eq!(one(&["hostname"]), "Each constraint must have either 2 or 3 fields");
        assert_eq!(err(&["a", "CLUSTER", "b", "c"]), vec![ConstraintError::FieldCount(4)]);
        assert_eq!(one(&["hostname", "UNIQUE", "x"]), "UNIQUE does not accept a value");
        assert_eq!(one(&["rack", "GROUP_BY", "many"]), "GROUP BY must define an integer value or else no value at all");
        assert_eq!(one(&["rack", "MAX_PER"]), "MAX_PER requires an integer value");
        assert_eq!(one(&["rack", "MAX_PER", "two"]), "MAX_PER requires an integer value");
        assert_eq!(one(&["rack", "LIKE"]), "LIKE and UNLIKE require a non-empty, regular expression value");
        assert_eq!(one(&["rack", "UNLIKE", "rack-[1"]), "'rack-[1' is not a valid regular expression");
        assert!(one(&["zone", "IS", "{a,b}"]).starts_with("IS only supports Mesos text and float values"));
        assert!(one(&["rack", "SPREAD"]).starts_with("operator must be one of the following UNIQUE, CLUSTER"));
        assert_eq!(err(&["", "SPREAD"]).len(), 2, "a missing field and a bad operator are both reported");
        assert_eq!(err(&["", "UNIQUE"])[0].part(), ConstraintPart::Field);
        assert_eq!(err(&[" ", "UNIQUE"]), [ConstraintError::MissingField]);
        assert_eq!(err(&["a", "NOPE"])[0].part(), ConstraintPart::Operator);
        assert_eq!(err(&["a", "IS", "a b"])[0].part(), ConstraintPart::Value);
    }

    /// Valid constraints of `docs/docs/constraints.md` (and the benchmark group's `CLUSTER`s).
    #[test]
    fn documented_constraints_parse_and_normalise() {
        let ok = |v: &[&str]| Constraint::parse(&strings(v)).unwrap();
        assert_eq!(ok(&["hostname", "unique"]).to_fields(), ["hostname", "UNIQUE"]);
        assert_eq!(ok(&["rack_id", "CLUSTER", "rack-1"]).value.as_deref(), Some("rack-1"));
        assert_eq!(ok(&["rack_id", "GROUP_BY"]).operator, Operator::GroupBy);
        assert_eq!(ok(&["rack_id", "GROUP_BY", "3"]).to_fields(), ["rack_id", "GROUP_BY", "3"]);
        assert_eq!(ok(&["rack_id", "LIKE", "rack-[1-3]"]).operator, Operator::Like);
        assert_eq!(ok(&["rack_id", "MAX_PER", "2"]).operator, Operator::MaxPer);
        assert_eq!(ok(&["@zone", "IS", "us-east-1a"]).operator, Operator::Is);
        assert!(Constraint::parse(&["cpus", "IS", "1.5"]).is_ok(), "scalar values");
        assert!(Operator::ALL.iter().all(|o| Operator::parse(&o.as_str().to_lowercase()) == Some(*o)));
    }

    /// `SchedulingValidation.scala` `MesosLiteralOrFloatValue`; `mesos/Constraints.scala` full match.
    #[test]
    fn is_and_like_values() {
        assert!(is_mesos_literal("us-east-1a") && is_mesos_literal("1.5") && is_mesos_literal("a/b_c"));
        assert!(!is_mesos_literal("a b") && !is_mesos_literal("{a,b}") && !is_mesos_literal("[1-2]"));
        let re = like_regex("r[12]").unwrap();
        assert!(re.is_match("r1") && !re.is_match("r12") && !re.is_match("xr1"), "whole value only");
        assert_eq!(like_regex("").unwrap_err(), ConstraintError::LikeWithoutRegex);
    }

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

    /// `UpgradeStrategy.scala` `updateStrategyValidator`; the message is the RAML example's.
    #[test]
    fn upgrade_strategies_follow_upgrade_strategy_scala() {
        assert!(check_upgrade_strategy(1.0, 0.0).is_empty());
        assert_eq!(
            check_upgrade_strategy(1.5, -0.1),
            [("minimumHealthCapacity", "is greater than 1"), ("maximumOverCapacity", "is less than 0")]
        );
    }

    #[test]
    fn theseus_labels_are_reserved() {
        assert!(is_reserved_label("theseus.group") && !is_reserved_label("team") && !is_reserved_label("theseus"));
    }
}
