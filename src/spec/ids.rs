//! Marathon's identifier rules (marathon-api/DIGEST.md §1) and the other name rules of a spec.

use super::labels::is_valid_name;

/// Whether `segment` is a valid Marathon path segment (`.` and `..` included, as Marathon does):
/// the DIGEST §1 rule `^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])|(\.|\.\.)$`,
/// i.e. dot-separated parts that each follow the service-name rule.
pub fn is_valid_segment(segment: &str) -> bool {
    segment == "." || segment == ".." || segment.split('.').all(is_valid_name)
}

/// Whether `id` is a valid absolute Marathon app id: `/`-separated valid segments, none of them
/// `.` or `..`, and a last segment that is not `restart`, `tasks` or `versions`.
pub fn is_valid_app_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix('/') else { return false };
    let segments: Vec<&str> = rest.split('/').collect();
    segments.iter().all(|s| is_valid_segment(s) && *s != "." && *s != "..")
        && segments.last().is_some_and(|last| !matches!(*last, "restart" | "tasks" | "versions"))
}

/// `team-a/prod` from `/team-a/prod/` (leading and trailing slashes dropped).
pub fn normalize_namespace(ns: &str) -> String {
    ns.trim().trim_matches('/').to_owned()
}

/// Checks a namespace: one or more `/`-separated Marathon segments, without `.`/`..`.
pub fn check_namespace(ns: &str) -> Result<(), String> {
    let norm = normalize_namespace(ns);
    if norm.is_empty() {
        return Err("the namespace must not be empty".to_owned());
    }
    for seg in norm.split('/') {
        if seg == "." || seg == ".." || !is_valid_segment(seg) {
            return Err(format!("invalid namespace `{ns}`: segment `{seg}` is not a valid Marathon id segment"));
        }
    }
    Ok(())
}

/// Whether `name` is a valid port name (Marathon's schema: `^[a-z][a-z0-9-]*$`).
pub fn is_valid_port_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Whether `value` is a valid `IS` constraint value (`^[a-zA-Z0-9_/.-]*$`).
pub fn is_mesos_literal(value: &str) -> bool {
    value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '.' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DIGEST's regex, verbatim, as the oracle for the hand-written check.
    const SEGMENT: &str =
        r"^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])|(\.|\.\.)$";

    #[test]
    fn segment_check_agrees_with_marathons_regex() {
        let re =
            regex::Regex::new(&format!("^(?:{})$", SEGMENT.trim_start_matches('^').trim_end_matches('$'))).unwrap();
        let alphabet = ['a', '0', '-', '.', 'Z', '_'];
        let mut cases = vec![String::new()];
        for len in 1..=4 {
            let mut next = Vec::new();
            for c in cases.iter().filter(|c| c.len() == len - 1) {
                for a in alphabet {
                    next.push(format!("{c}{a}"));
                }
            }
            cases.extend(next);
        }
        for case in cases {
            assert_eq!(is_valid_segment(&case), re.is_match(&case), "{case:?}");
        }
    }

    #[test]
    fn app_ids_follow_marathons_rule() {
        for ok in ["/a", "/theseus/web/dev.frontend/r0123456789ab", "/team-a/prod/x", "/a.b/c"] {
            assert!(is_valid_app_id(ok), "{ok}");
        }
        for bad in ["a", "/", "/A", "/a-", "/-a", "/a//b", "/a/restart", "/a/tasks", "/a/versions", "/a/../b", "/a_b"] {
            assert!(!is_valid_app_id(bad), "{bad}");
        }
    }

    #[test]
    fn namespaces_are_segments() {
        assert!(check_namespace("team-a/prod").is_ok());
        assert!(check_namespace("/prod/").is_ok());
        assert_eq!(normalize_namespace("/prod/"), "prod");
        assert!(check_namespace("").is_err());
        assert!(check_namespace("Prod").is_err());
        assert!(check_namespace("a//b").is_err());
        assert!(check_namespace("a/../b").is_err());
    }

    #[test]
    fn port_names_and_literals() {
        assert!(is_valid_port_name("http"));
        assert!(is_valid_port_name("admin-api2"));
        assert!(!is_valid_port_name("1http"));
        assert!(!is_valid_port_name("Http"));
        assert!(is_mesos_literal("us-east-1a"));
        assert!(is_mesos_literal("1.5"));
        assert!(!is_mesos_literal("a b"));
        assert!(!is_mesos_literal("{a,b}"));
    }
}
