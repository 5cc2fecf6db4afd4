//! Marathon path ids (M:src/main/scala/mesosphere/marathon/state/PathId.scala): resolution of relative ids, and task-id prefixes. The segment
//! and app-name rules themselves are [`crate::marathon::rules`]'s.

use crate::marathon::rules;

use crate::local::limits::MAX_ID_LENGTH;

/// Resolves `id` against the group `base` (absolute ids ignore it), handling `.` and `..`, and
/// validates every segment. Returns the absolute id (`/` for the root).
pub(crate) fn resolve(id: &str, base: &str) -> Result<String, String> {
    let mut parts: Vec<&str> = if id.starts_with('/') { Vec::new() } else { split(base) };
    for segment in id.split('/').filter(|s| !s.is_empty()) {
        rules::check_path_segment(segment)?;
        match segment {
            "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let abs = join(&parts);
    if abs.len() > MAX_ID_LENGTH {
        return Err(format!(
            "an id must be at most {MAX_ID_LENGTH} characters, this one has {} (a limit of theseus \
             local; on Mesos, ids over about 200 characters cannot name a task's sandbox anyway)",
            abs.len()
        ));
    }
    Ok(abs)
}

/// Resolves an app id: like [`resolve`], and the last segment must not be reserved.
pub(crate) fn resolve_app(id: &str, base: &str) -> Result<String, String> {
    if id.trim_matches('/').is_empty() {
        return Err("error.path.missing".to_string());
    }
    let abs = resolve(id, base)?;
    if abs == "/" {
        return Err("an app id must not be the root group".to_string());
    }
    rules::check_app_name(abs.rsplit('/').next().unwrap_or_default())?;
    Ok(abs)
}

/// Splits an absolute id into its segments.
pub(crate) fn split(id: &str) -> Vec<&str> {
    id.split('/').filter(|s| !s.is_empty()).collect()
}

fn join(parts: &[&str]) -> String {
    format!("/{}", parts.join("/"))
}

/// The enclosing group of an id (`/a/b` → `/a`, `/a` → `/`).
pub(crate) fn parent(id: &str) -> String {
    let parts = split(id);
    join(&parts[..parts.len().saturating_sub(1)])
}

/// Whether `id` lies in the group `group` (at any depth) or is the group itself.
pub(crate) fn is_under(id: &str, group: &str) -> bool {
    group == "/" || id == group || id.strip_prefix(group).is_some_and(|rest| rest.starts_with('/'))
}

/// Every group enclosing `id`, outermost first, excluding the root.
pub(crate) fn ancestors(id: &str) -> Vec<String> {
    let parts = split(id);
    (1..parts.len()).map(|n| join(&parts[..n])).collect()
}

/// The task-id prefix of an app: the id without the leading `/`, with `/` replaced by `_`.
pub(crate) fn task_prefix(app_id: &str) -> String {
    app_id.trim_start_matches('/').replace('/', "_")
}

/// Normalises a request path as Marathon's clients see it: `//` collapses to `/`, no trailing `/`.
pub(crate) fn normalize_path(path: &str) -> String {
    let parts = split(path);
    join(&parts)
}

/// Why a task id given to `POST /v2/tasks/delete` is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BadTaskId {
    /// No task-id pattern matches: Marathon's `MatchError`, answered 400.
    Malformed(String),
    /// A pattern matches but its UUID does not parse: `IllegalArgumentException`, answered 422.
    BadUuid(String),
}

/// Parses a task id the way Marathon's `Task.Id.parse` does
/// (M:src/main/scala/mesosphere/marathon/core/task/Task.scala, `Task.Id.parse`): the
/// instance-id forms `<app>.(instance-|marathon-)<uuid>[._]<container>[.<attempt>]`, then the
/// legacy forms `<app>[._]<uuid>[.<attempt>]`; the UUID must be one Java's `UUID.fromString`
/// takes. A well-formed id of no task is not an error: `killTasks` ignores it
/// (M:src/main/scala/mesosphere/marathon/api/v2/TasksResource.scala, `killTasks`).
pub(crate) fn parse_task_id(id: &str) -> Result<(), BadTaskId> {
    use std::sync::OnceLock;
    static FORMS: OnceLock<[regex::Regex; 4]> = OnceLock::new();
    let forms = FORMS.get_or_init(|| {
        [
            r"^(.+)\.(instance-|marathon-)([^_\.]+)[\._]([^\.]+)\.(\d+)$",
            r"^(.+)\.(instance-|marathon-)([^_\.]+)[\._]([^\.]+)$",
            r"^(.+)([\._])([^_\.]+)(\.)(\d+)$",
            r"^(.+)([\._])([^_\.]+)$",
        ]
        .map(|p| regex::Regex::new(p).expect("Marathon's task-id patterns compile"))
    });
    // Every form has the UUID as its third group.
    for form in forms {
        if let Some(caps) = form.captures(id) {
            let uuid = caps.get(3).map_or("", |m| m.as_str());
            return if java_uuid(uuid) {
                Ok(())
            } else {
                Err(BadTaskId::BadUuid(format!("Invalid UUID string: {uuid}")))
            };
        }
    }
    Err(BadTaskId::Malformed(format!(
        "Invalid task id '{id}'. [taskId {id} no valid identifier (of class java.lang.String)]"
    )))
}

/// Whether Java's `UUID.fromString` takes `s`: five groups of hex digits joined by `-`, each
/// group at most 16 digits (Java parses them as longs) and at most 36 characters in all.
fn java_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    s.len() <= 36
        && groups.len() == 5
        && groups.iter().all(|g| !g.is_empty() && g.len() <= 16 && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_ids_resolve_against_the_group() {
        assert_eq!(resolve("web", "/prod").unwrap(), "/prod/web");
        assert_eq!(resolve("../x/web", "/prod/a").unwrap(), "/prod/x/web");
        assert_eq!(resolve("/abs", "/prod").unwrap(), "/abs");
        assert_eq!(resolve("./web", "/p").unwrap(), "/p/web");
    }

    #[test]
    fn segments_follow_marathons_rule() {
        assert!(resolve("/Prod", "/").is_err());
        assert!(resolve("/-a", "/").is_err());
        assert!(resolve("/a-", "/").is_err());
        assert!(resolve("/a_b", "/").is_err());
        assert!(resolve("/dev.frontend/a-b/x1", "/").is_ok());
        assert!(resolve_app("/a/tasks", "/").is_err());
        assert!(resolve_app("/", "/").is_err());
    }

    #[test]
    fn ids_are_bounded_in_length_and_so_in_depth() {
        let deep = "/a".repeat(MAX_ID_LENGTH / 2);
        assert_eq!(resolve(&deep, "/").unwrap(), deep);
        let err = resolve(&format!("{deep}/b"), "/").unwrap_err();
        assert!(err.contains("at most 1024 characters"), "{err}");
        assert!(resolve(&"/a".repeat(1500), "/").is_err());
    }

    #[test]
    fn helpers() {
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a"), "/");
        assert!(is_under("/a/b", "/a"));
        assert!(!is_under("/ab", "/a"));
        assert_eq!(ancestors("/a/b/c"), ["/a", "/a/b"]);
        assert_eq!(task_prefix("/prod/web"), "prod_web");
        assert_eq!(normalize_path("/v2/apps//x/"), "/v2/apps/x");
    }

    /// Marathon's `Task.Id.parse` (M:src/main/scala/mesosphere/marathon/core/task/Task.scala):
    /// what `POST /v2/tasks/delete` refuses with 400 (no pattern) or 422 (a bad UUID), and what
    /// it takes (and ignores when no such task exists).
    #[test]
    fn task_ids_parse_as_marathon_parses_them() {
        let ok = [
            "prod_web.instance-6a3c0f4e-7c3a-11ef-9e0b-0242ac110002._app.1",
            "prod_web.marathon-6a3c0f4e-7c3a-11ef-9e0b-0242ac110002._app",
            "prod_web.6a3c0f4e-7c3a-11ef-9e0b-0242ac110002",
            "prod_web_1-1-1-1-1.3",
        ];
        for id in ok {
            assert_eq!(parse_task_id(id), Ok(()), "{id}");
        }
        assert!(matches!(parse_task_id("nodots"), Err(BadTaskId::Malformed(_))));
        assert!(matches!(parse_task_id("web."), Err(BadTaskId::Malformed(_))));
        assert!(matches!(parse_task_id("web.not-a-uuid"), Err(BadTaskId::BadUuid(_))));
        assert!(matches!(parse_task_id("web.instance-zz._app.1"), Err(BadTaskId::BadUuid(_))));
    }
}
