//! Namespaces: the Marathon path prefix of a spec's groups (DESIGN §1). The segment rule itself
//! is Marathon's ([`crate::marathon::rules::is_valid_path_segment`]).

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
    Ok(())
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
}
