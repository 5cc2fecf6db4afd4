//! Marathon's rules over the group tree and over group paths: an app and a group never share an
//! id, and the group paths that `GET /v2/groups/{id}` cannot reach.

use std::collections::BTreeSet;

// ---- Ids that collide: M:src/main/scala/mesosphere/marathon/state/Group.scala (`noAppsAndGroupsWithSameName`) ----

/// Marathon's message for an app whose id is also a group's (`Group.scala`; pinned by
/// `RootGroupTest.scala` "cannot replace a group with apps by an app definition").
pub const APP_GROUP_COLLISION: &str = "Groups and Applications may not have the same identifier.";

/// The app ids of a root group that are also group ids, sorted. Groups are the explicit ones
/// and every ancestor of an app (Marathon creates those when an app is put,
/// `RootGroup.updateApp`), the root excepted: so an app `/a` beside an app `/a/b` collides too.
pub fn app_group_collisions<'a>(
    apps: impl IntoIterator<Item = &'a str>,
    groups: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let apps: BTreeSet<&str> = apps.into_iter().collect();
    let mut group_ids: BTreeSet<&str> = groups.into_iter().filter(|g| *g != "/").collect();
    for app in &apps {
        let mut id = *app;
        while let Some(cut) = id.rfind('/').filter(|&c| c > 0) {
            id = &id[..cut];
            group_ids.insert(id);
        }
    }
    apps.intersection(&group_ids).map(|s| (*s).to_owned()).collect()
}

// ---- Group paths GET cannot reach: M:src/main/scala/mesosphere/marathon/api/v2/GroupsResource.scala ----

/// Path segments that `GroupsResource.scala` routes specially on `GET /v2/groups/{id}`:
/// `ListApps` (`^((?:.+/)|)apps$`), `ListVersionsRE` (`^(.+)/versions$`), `ListRootVersionRE`,
/// `GetVersionRE` (`^(.+)/versions/(.+)$`) and `GetRootVersionRE` (`^versions/(.+)$`).
pub const GROUP_GET_SEGMENTS: [&str; 2] = ["apps", "versions"];

/// Checks that `GET /v2/groups/{id}` of the group `id` (with or without its leading `/`) reaches
/// the group: its last segment is not `apps` or `versions`, and no other segment is `versions`
/// (`GroupsResource.scala`'s patterns, above). The error names the segment.
pub fn check_group_get_path(id: &str) -> Result<(), String> {
    let segments: Vec<&str> = id.trim_matches('/').split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        let routed = match *segment {
            "versions" => true,
            "apps" => i == last,
            _ => false,
        };
        if routed {
            let what = if *segment == "apps" { "the apps of its parent group" } else { "a list of versions" };
            return Err(format!(
                "Marathon cannot GET the group `/{}`: its segment `{segment}` makes `GET /v2/groups/...` answer {what} (GroupsResource.scala)",
                id.trim_matches('/')
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Group.scala` `noAppsAndGroupsWithSameName`, cases of `RootGroupTest.scala`.
    #[test]
    fn apps_and_groups_never_share_an_id() {
        let none: [&str; 0] = [];
        let explicit = ["/some/nested/path", "/some/nested/path2"];
        assert_eq!(app_group_collisions(["/some/nested/path2/app", "/some/nested"], explicit), ["/some/nested"]);
        assert_eq!(app_group_collisions(["/some/nested/path2/app", "/other"], explicit), none);
        assert_eq!(app_group_collisions(["/a", "/a/b"], none), ["/a"], "an app inside an app");
        assert_eq!(app_group_collisions(["/a/b"], ["/a/b"]), ["/a/b"], "an explicit group");
        assert!(app_group_collisions(["/ab", "/a/b"], ["/"]).is_empty());
    }

    /// `GroupsResource.scala`: `ListApps`, `ListVersionsRE`, `GetVersionRE`, `GetRootVersionRE`.
    #[test]
    fn group_paths_that_get_misroutes() {
        for ok in ["/theseus/web/dev", "team-a/prod", "/apps-x/web", "/a/apps/b", "/versioned/x", "/a/app"] {
            assert!(check_group_get_path(ok).is_ok(), "{ok}");
        }
        for bad in ["/ns/web/apps", "apps", "/ns/versions", "/versions/web/dev", "/ns/versions/x", "/a/b/versions"] {
            assert!(check_group_get_path(bad).is_err(), "{bad}");
        }
        let msg = check_group_get_path("/ns/apps").unwrap_err();
        assert!(msg.starts_with("Marathon cannot GET the group `/ns/apps`: its segment `apps`"), "{msg}");
    }
}
