//! Namespaces: the Marathon path prefix of a spec's groups (DESIGN §1), and the limits every
//! group path and app id must meet. The segment rule itself is Marathon's
//! ([`crate::marathon::rules::is_valid_path_segment`]); the others come from
//! `GroupsResource.scala` ([`rules::check_group_get_path`]) and the Mesos sandbox path
//! ([`rules::check_app_id_length`]).

use crate::marathon::rules;

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
        if seg == "." || seg == ".." || !rules::is_valid_path_segment(seg) {
            return Err(format!("invalid namespace `{ns}`: segment `{seg}` is not a valid Marathon id segment"));
        }
    }
    // Theseus reads groups below the namespace (`<namespace>/<service>`), never the namespace
    // itself, so only a `versions` segment misroutes them (`GroupsResource.scala`).
    rules::check_group_get_path(&format!("{norm}/service")).map_err(|_| {
        format!(
            "invalid namespace `{ns}`: a `versions` segment makes `GET /v2/groups/...` of every group below it answer versions (GroupsResource.scala)"
        )
    })
}

/// Checks a service name or an encoded label set as the last segment of a group path
/// (`GroupsResource.scala`, [`rules::GROUP_GET_SEGMENTS`]): `apps` and `versions` cannot be read back.
pub fn check_group_segment(segment: &str) -> Result<(), String> {
    if rules::GROUP_GET_SEGMENTS.contains(&segment) {
        return Err(format!(
            "`{segment}` cannot end a Marathon group path: `GET /v2/groups/.../{segment}` answers something else (GroupsResource.scala)"
        ));
    }
    Ok(())
}

/// Checks a rendered app id against the Mesos sandbox limit ([`rules::check_app_id_length`]).
pub fn check_app_id(id: &str) -> Result<(), String> {
    rules::check_app_id_length(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_segments() {
        assert!(check_namespace("team-a/prod").is_ok());
        assert!(check_namespace("/prod/").is_ok());
        assert!(check_namespace("a.b/c").is_ok());
        assert_eq!(normalize_namespace("/prod/"), "prod");
        assert!(check_namespace("").is_err());
        assert!(check_namespace("Prod").is_err());
        assert!(check_namespace("a//b").is_err());
        assert!(check_namespace("a/../b").is_err());
        assert!(check_namespace("a/./b").is_err());
    }

    /// `GroupsResource.scala`'s GET patterns: `versions` anywhere, `apps` at the end of a path.
    #[test]
    fn namespaces_and_names_that_get_misroutes() {
        assert!(check_namespace("apps/prod").is_ok() && check_namespace("team/apps").is_ok());
        let err = check_namespace("team/versions").unwrap_err();
        assert!(err.starts_with("invalid namespace `team/versions`: a `versions` segment"), "{err}");
        assert!(check_namespace("versions").is_err());
        assert!(check_group_segment("apps").is_err() && check_group_segment("versions").is_err());
        assert!(check_group_segment("apps.dev").is_ok());
    }
}
