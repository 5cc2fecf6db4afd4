//! The one place that builds etcd keys (DESIGN §4), under an optional root prefix.
//!
//! ```text
//! <root>/services                                            marker: the layout exists
//! <root>/services/<service>                                  marker: the service exists
//! <root>/services/<service>/<group>                          marker: the group exists
//! <root>/services/<service>/<group>/config                   the resolved spec (JSON)
//! <root>/services/<service>/<group>/canary                   the canary revision while one is on trial (JSON)
//! <root>/services/<service>/<group>/containers               marker: the container list
//! <root>/services/<service>/<group>/containers/<container>   marker: the container is registered
//! <root>/services/<service>/<group>/containers/<container>/info   ContainerInfo (JSON)
//! <root>/theseus/locks/<service>/<group>                     per-group lock (lease-bound)
//! <root>/theseus/rollouts/<service>/<group>                  the journal of a rollout in progress
//! <root>/theseus/control/<service>/<group>                   a request to the running rollout (pause, promote...)
//! <root>/theseus/history/<service>/<group>                   the last revisions deployed (JSON list)
//! <root>/theseus/sync/leader/<lease-id>                      candidates of the sync election (lease-bound)
//! <root>/theseus/sync/confirmed/<namespace>                  the sync leader's last confirmation (JSON)
//! ```
//! Everything under `<root>/theseus/` is Theseus's own bookkeeping: consumers read only
//! `<root>/services` (and, to know how current it is, `<root>/theseus/sync/confirmed/`), and
//! removing a group's `/services` subtree leaves it alone.
//! etcd v3 is flat, so "a service exists" means its marker key exists. Subtree reads and
//! deletes always use the parent key plus the prefix `<parent>/` (with the slash), so that
//! `/services/web` never matches `/services/web-api`.

use super::Error;

/// Key builder bound to one root prefix (`--etcd-prefix`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    root: String,
}

impl Keys {
    /// A builder under `prefix`: empty for none; `team-a` and `/team-a/` both become `/team-a`.
    pub fn new(prefix: &str) -> Result<Self, Error> {
        let trimmed = prefix.trim_matches('/');
        if trimmed.split('/').any(|s| s.is_empty()) && !trimmed.is_empty() {
            return Err(Error::InvalidName { kind: "etcd prefix", name: prefix.to_owned() });
        }
        let root = if trimmed.is_empty() { String::new() } else { format!("/{trimmed}") };
        Ok(Keys { root })
    }

    /// The root prefix (`""` or `/segment[/segment...]`).
    pub fn root(&self) -> &str {
        &self.root
    }

    /// `<root>/services`: the marker of the whole layout.
    pub fn services(&self) -> String {
        format!("{}/services", self.root)
    }

    /// `<root>/services/`: the prefix of every service key.
    pub fn services_prefix(&self) -> String {
        format!("{}/services/", self.root)
    }

    /// `<root>/services/<service>`: the service marker.
    pub fn service(&self, service: &str) -> String {
        format!("{}/services/{service}", self.root)
    }

    /// `<root>/services/<service>/`: the prefix of the service's subtree.
    pub fn service_prefix(&self, service: &str) -> String {
        format!("{}/services/{service}/", self.root)
    }

    /// `<root>/services/<service>/<group>`: the group marker.
    pub fn group(&self, service: &str, group: &str) -> String {
        format!("{}/services/{service}/{group}", self.root)
    }

    /// `<root>/services/<service>/<group>/`: the prefix of the group's subtree.
    pub fn group_prefix(&self, service: &str, group: &str) -> String {
        format!("{}/services/{service}/{group}/", self.root)
    }

    /// `.../<group>/config`: the resolved spec deployed to the group.
    pub fn config(&self, service: &str, group: &str) -> String {
        format!("{}/services/{service}/{group}/config", self.root)
    }

    /// `.../<group>/containers`: the marker of the group's container list.
    pub fn containers(&self, service: &str, group: &str) -> String {
        format!("{}/services/{service}/{group}/containers", self.root)
    }

    /// `.../<group>/containers/`: the prefix of every container of the group.
    pub fn containers_prefix(&self, service: &str, group: &str) -> String {
        format!("{}/services/{service}/{group}/containers/", self.root)
    }

    /// `.../containers/<container>`: the container marker.
    pub fn container(&self, service: &str, group: &str, container: &str) -> String {
        format!("{}/services/{service}/{group}/containers/{container}", self.root)
    }

    /// `.../containers/<container>/`: the prefix of the container's subtree.
    pub fn container_prefix(&self, service: &str, group: &str, container: &str) -> String {
        format!("{}/services/{service}/{group}/containers/{container}/", self.root)
    }

    /// `.../containers/<container>/info`: the container's [`super::ContainerInfo`].
    pub fn container_info(&self, service: &str, group: &str, container: &str) -> String {
        format!("{}/services/{service}/{group}/containers/{container}/info", self.root)
    }

    /// `<root>/theseus/locks/<service>/<group>`: the group's lock, outside `/services` so that
    /// consumers never see it and removing a group never drops a held lock.
    pub fn group_lock(&self, service: &str, group: &str) -> String {
        format!("{}/theseus/locks/{service}/{group}", self.root)
    }

    /// `<root>/theseus/rollouts/<service>/<group>`: the journal of the group's rollout in
    /// progress, outside `/services` so that consumers never see it.
    pub fn rollout(&self, service: &str, group: &str) -> String {
        format!("{}/theseus/rollouts/{service}/{group}", self.root)
    }

    /// `<root>/services/<service>/<group>/canary`: the revision app on trial as the group's
    /// canary ([`super::CanaryMark`]); its containers are registered with `"canary": true`.
    /// Inside the group so that consumers (and every registration read) see it with the group.
    pub fn canary(&self, service: &str, group: &str) -> String {
        format!("{}/services/{service}/{group}/canary", self.root)
    }

    /// `<root>/theseus/control/<service>/<group>`: the last request (pause, resume, promote,
    /// abort) to the process running the group's rollout, beside its journal.
    pub fn control(&self, service: &str, group: &str) -> String {
        format!("{}/theseus/control/{service}/{group}", self.root)
    }

    /// `<root>/theseus/history/<service>/<group>`: the group's last revisions deployed, newest
    /// first, outside `/services` like the journal.
    pub fn history(&self, service: &str, group: &str) -> String {
        format!("{}/theseus/history/{service}/{group}", self.root)
    }

    /// `<root>/theseus/rollouts/`: the prefix of every rollout journal.
    pub fn rollouts_prefix(&self) -> String {
        format!("{}/theseus/rollouts/", self.root)
    }

    /// `<root>/theseus/locks/`: the prefix of every group lock.
    pub fn locks_prefix(&self) -> String {
        format!("{}/theseus/locks/", self.root)
    }

    /// `<root>/theseus/sync/leader`: the name of the election `theseus sync` replicas run;
    /// etcd's election API keeps one key per candidate below it, bound to its lease.
    pub fn sync_election(&self) -> String {
        format!("{}/theseus/sync/leader", self.root)
    }

    /// `<root>/theseus/sync/confirmed/<namespace>`: when the sync leader last confirmed that
    /// the namespace's registrations are current ([`super::Confirmation`]). The namespace's
    /// slashes become `:` (not allowed in a namespace segment), as in the election names, so
    /// every namespace is one key directly below [`Keys::sync_confirmed_prefix`].
    pub fn sync_confirmed(&self, namespace: &str) -> String {
        format!("{}{}", self.sync_confirmed_prefix(), namespace.trim_matches('/').replace('/', ":"))
    }

    /// `<root>/theseus/sync/confirmed/`: the prefix of every namespace's confirmation.
    pub fn sync_confirmed_prefix(&self) -> String {
        format!("{}/theseus/sync/confirmed/", self.root)
    }

    /// The namespace a key below [`Keys::sync_confirmed_prefix`] confirms (`:` back to `/`).
    pub fn parse_sync_confirmed(&self, key: &str) -> Option<String> {
        let ns = key.strip_prefix(&self.sync_confirmed_prefix())?;
        (!ns.is_empty()).then(|| ns.replace(':', "/"))
    }

    /// Parses a key below [`Keys::service_prefix`] into its place in the layout.
    pub fn parse_in_service<'k>(&self, service: &str, key: &'k str) -> Option<Entry<'k>> {
        self.parse(key).filter(|(s, _)| *s == service).map(|(_, entry)| entry)
    }

    /// Parses a key below [`Keys::services_prefix`] into its service and its place in that
    /// service's subtree. Allocates nothing: it runs once per key of a whole-registry read.
    pub fn parse<'k>(&self, key: &'k str) -> Option<(&'k str, Entry<'k>)> {
        let rest = key.strip_prefix(self.root.as_str())?.strip_prefix("/services/")?;
        let (service, rest) = rest.split_once('/')?;
        let mut parts = rest.split('/');
        let entry = match (parts.next()?, parts.next(), parts.next(), parts.next(), parts.next()) {
            (group, None, ..) => Entry::Group { group },
            (group, Some("config"), None, ..) => Entry::Config { group },
            (group, Some("canary"), None, ..) => Entry::Canary { group },
            (group, Some("containers"), None, ..) => Entry::Containers { group },
            (group, Some("containers"), Some(container), None, _) => Entry::Container { group, container },
            (group, Some("containers"), Some(container), Some("info"), None) => {
                Entry::ContainerInfo { group, container }
            }
            _ => return None,
        };
        Some((service, entry))
    }
}

/// Where a key sits in one service's subtree (see [`Keys::parse_in_service`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'k> {
    /// `<group>`.
    Group {
        /// Encoded labels.
        group: &'k str,
    },
    /// `<group>/config`.
    Config {
        /// Encoded labels.
        group: &'k str,
    },
    /// `<group>/canary`.
    Canary {
        /// Encoded labels.
        group: &'k str,
    },
    /// `<group>/containers`.
    Containers {
        /// Encoded labels.
        group: &'k str,
    },
    /// `<group>/containers/<container>`.
    Container {
        /// Encoded labels.
        group: &'k str,
        /// Marathon task id.
        container: &'k str,
    },
    /// `<group>/containers/<container>/info`.
    ContainerInfo {
        /// Encoded labels.
        group: &'k str,
        /// Marathon task id.
        container: &'k str,
    },
}

/// The key just past every key starting with `prefix` (etcd's range end for a prefix).
pub fn prefix_end(prefix: &str) -> Vec<u8> {
    let mut end = prefix.as_bytes().to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0] // the whole keyspace
}

/// Checks a container name (a Marathon task id): non-empty, printable, no `/`.
pub fn check_container(container: &str) -> Result<(), Error> {
    let ok = !container.is_empty()
        && container.len() <= 512
        && container.chars().all(|c| c.is_ascii_graphic() && c != '/')
        && container != "."
        && container != "..";
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidName { kind: "container (Marathon task id)", name: container.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_layout_with_and_without_a_root() {
        let k = Keys::new("").unwrap();
        assert_eq!(k.services(), "/services");
        assert_eq!(k.service("web"), "/services/web");
        assert_eq!(k.group("web", "dev.frontend"), "/services/web/dev.frontend");
        assert_eq!(k.config("web", "dev.frontend"), "/services/web/dev.frontend/config");
        assert_eq!(k.containers("web", "dev.frontend"), "/services/web/dev.frontend/containers");
        assert_eq!(k.container("web", "dev", "t.1"), "/services/web/dev/containers/t.1");
        assert_eq!(k.container_info("web", "dev", "t.1"), "/services/web/dev/containers/t.1/info");
        assert_eq!(k.rollout("web", "dev"), "/theseus/rollouts/web/dev");
        assert_eq!(k.history("web", "dev"), "/theseus/history/web/dev");
        let k = Keys::new("/team-a/prod/").unwrap();
        assert_eq!(k.service("web"), "/team-a/prod/services/web");
        assert_eq!(k.rollout("web", "dev"), "/team-a/prod/theseus/rollouts/web/dev");
        assert_eq!(Keys::new("team-a").unwrap().root(), "/team-a");
        assert_eq!(k.sync_confirmed("/team-a/prod/"), "/team-a/prod/theseus/sync/confirmed/team-a:prod");
        assert_eq!(k.parse_sync_confirmed(&k.sync_confirmed("team-a/prod")).as_deref(), Some("team-a/prod"));
        assert_eq!(k.parse_sync_confirmed(&k.sync_confirmed_prefix()), None);
        assert_eq!(k.parse_sync_confirmed("/team-a/prod/theseus/sync/leader/x"), None);
        assert!(Keys::new("a//b").is_err());
    }

    #[test]
    fn entries_parse_back() {
        let k = Keys::new("/p").unwrap();
        assert_eq!(k.parse_in_service("web", &k.group("web", "dev")), Some(Entry::Group { group: "dev" }));
        assert_eq!(
            k.parse_in_service("web", &k.container_info("web", "dev", "t1")),
            Some(Entry::ContainerInfo { group: "dev", container: "t1" })
        );
        assert_eq!(k.parse_in_service("web", &k.service("web")), None);
        assert_eq!(k.parse_in_service("web", "/p/services/web-api/dev"), None);
        assert_eq!(k.parse(&k.config("db", "a.b")), Some(("db", Entry::Config { group: "a.b" })));
        assert_eq!(k.parse(&k.containers("db", "a")), Some(("db", Entry::Containers { group: "a" })));
        assert_eq!(
            k.parse(&k.container("db", "a", "t")),
            Some(("db", Entry::Container { group: "a", container: "t" }))
        );
        for odd in [
            "/p/services/web",
            "/services/web/dev",
            "/p/servicesx/web/dev",
            "/p/services/web/dev/other",
            "/p/services/web/dev/config/x",
            "/p/services/web/dev/containers/t1/info/x",
            "/p/services/web/dev/containers/t1/other",
        ] {
            assert_eq!(k.parse(odd), None, "{odd}");
        }
    }

    #[test]
    fn prefix_end_is_the_next_key() {
        assert_eq!(prefix_end("/services/web/"), b"/services/web0".to_vec());
        assert_eq!(prefix_end("a\u{7f}"), b"a\x80".to_vec());
    }

    #[test]
    fn names_are_checked() {
        assert!(check_container("theseus_web_dev.frontend.1b2c-3d").is_ok());
        for bad in ["", "a/b", "..", "a b"] {
            assert!(check_container(bad).is_err(), "{bad:?}");
        }
    }
}
