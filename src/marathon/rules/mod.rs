//! Marathon's validation rules, in one place, as pure functions.
//!
//! Two parts of Theseus judge app definitions the way Marathon does: the spec validator
//! (`spec::load`, which reports problems with file positions and hints) and the local engine
//! (`local::model::normalize` and `local::model::ids`, which answer 422 like Marathon). Both call this module,
//! so a rule is written once and the two cannot drift. Each item cites the Marathon source it
//! follows (`M:` = `mesosphere/marathon` at tag `v1.10.26`, commit `0513cddcac83`; RAML
//! types under `docs/docs/rest-api/public/api/v2/types/`). Where Theseus is deliberately
//! stricter than Marathon, the item says so.
//!
//! No I/O, no state: only patterns, predicates and typed errors whose `Display` is the message.
//! Ids, port names, programs, upgrade strategies and labels live here; constraints in
//! `constraints`, health and readiness checks in `checks`, the group tree and group paths in
//! `groups` (all re-exported).

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

/// The protocols of a port (RAML `strings.NetworkProtocol` in stringTypes.raml), for host ports
/// (`portDefinitions`) and container ports (`portMappings`) alike.
pub const NETWORK_PROTOCOLS: [&str; 3] = ["tcp", "udp", "udp,tcp"];

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

/// Marathon's message for a `cmd` of fewer than two characters (`validateCanonicalAppAPI` in
/// `AppValidation.scala`: `_.cmd.forall { s => s.length() > 1 }`).
pub const CMD_TOO_SHORT: &str = "must not be an empty string";

/// Checks `cmd` the way `AppValidation.scala` does: Java's `String.length()` (UTF-16 units)
/// above 1, so a one-character command is refused as "empty" too.
pub fn check_cmd(cmd: &str) -> Result<(), &'static str> {
    if cmd.encode_utf16().count() > 1 {
        Ok(())
    } else {
        Err(CMD_TOO_SHORT)
    }
}

// ---- Id lengths: the Mesos sandbox path. Not a Marathon rule: Marathon takes any length ----

/// The longest file name Linux takes (`NAME_MAX`).
pub const MAX_FILE_NAME: usize = 255;

/// What a task id adds to the app id (without its leading `/`): `.instance-`, a 36-character
/// UUID and `._app.1` (`Instance.Id` in `core/instance/Instance.scala`, `Task.Id` in
/// `core/task/Task.scala`).
pub const TASK_ID_OVERHEAD: usize = ".instance-".len() + 36 + "._app.1".len();

/// The longest app id (with its leading `/`) the spec renders. The Mesos agent names a task's
/// sandbox directory after the executor id, which for a command task is the task id, so the
/// task id must fit in one file name: at most `MAX_FILE_NAME - TASK_ID_OVERHEAD` = 202
/// characters of app id without its `/`; 200 with it leaves a little room. Marathon (and the
/// local engine, as Marathon) accepts longer ids, whose every launch then fails with "File name
/// too long" while `create` waits: `validate` refuses them instead.
pub const MAX_ID_LENGTH: usize = 200;

// The id with its `/` must leave a task id that fits one file name.
const _: () = assert!(MAX_ID_LENGTH <= MAX_FILE_NAME - TASK_ID_OVERHEAD + 1);

/// Checks that an app id's tasks fit the Mesos sandbox path ([`MAX_ID_LENGTH`]); the error says
/// the limit.
pub fn check_app_id_length(id: &str) -> Result<(), String> {
    let len = id.trim_start_matches('/').len() + 1;
    if len <= MAX_ID_LENGTH {
        return Ok(());
    }
    Err(format!(
        "the app id `{id}` has {len} characters, more than the {MAX_ID_LENGTH} Theseus allows: a Mesos task id adds {TASK_ID_OVERHEAD} to it and names the task's sandbox directory, at most {MAX_FILE_NAME} bytes"
    ))
}

mod checks;
mod constraints;
mod groups;
mod labels;

pub use checks::*;
pub use constraints::*;
pub use groups::*;
pub use labels::*;

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

    /// `state/PathId.scala`: segments as `PathIdTest` checks them.
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

    /// `UpgradeStrategy.scala` `updateStrategyValidator`; the message is the RAML example's.
    #[test]
    fn upgrade_strategies_follow_upgrade_strategy_scala() {
        assert!(check_upgrade_strategy(1.0, 0.0).is_empty());
        assert_eq!(
            check_upgrade_strategy(1.5, -0.1),
            [("minimumHealthCapacity", "is greater than 1"), ("maximumOverCapacity", "is less than 0")]
        );
    }

    /// `AppValidation.scala` `validateCanonicalAppAPI`: `cmd.length() > 1`.
    #[test]
    fn a_one_character_cmd_is_empty_to_marathon() {
        assert_eq!(check_cmd("x"), Err("must not be an empty string"));
        assert_eq!(check_cmd(""), Err(CMD_TOO_SHORT));
        assert!(check_cmd("ls").is_ok() && check_cmd("é!").is_ok());
    }

    /// Task ids (`Instance.scala`, `Task.scala`) name the Mesos sandbox directory.
    #[test]
    fn app_ids_fit_a_sandbox_directory_name() {
        let longest =
            format!("{}.instance-{}._app.1", "a".repeat(MAX_FILE_NAME - TASK_ID_OVERHEAD), uuid::Uuid::new_v4());
        assert_eq!(longest.len(), MAX_FILE_NAME, "202 characters of app id make a 255-byte task id");
        assert!(check_app_id_length(&format!("/{}", "a".repeat(199))).is_ok());
        let err = check_app_id_length(&format!("/{}", "a".repeat(200))).unwrap_err();
        assert!(err.contains("has 201 characters, more than the 200 Theseus allows"), "{err}");
    }

    #[test]
    fn theseus_labels_are_reserved() {
        assert!(is_reserved_label("theseus.group") && !is_reserved_label("team") && !is_reserved_label("theseus"));
    }
}
