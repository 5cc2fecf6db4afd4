//! What several areas check after a command: etcd against Marathon. Marathon's managed apps
//! and their running tasks, etcd's groups, registrations, service markers and locks, read
//! straight from both, and the assertions that they agree.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::Value;

use super::env::Env;

/// What etcd records: (service, group) → registered containers; service markers; lock keys.
pub type EtcdView = (BTreeMap<(String, String), BTreeSet<String>>, BTreeSet<String>, Vec<String>);

/// Command apps that start at once and keep running.
pub fn spec_text(namespace: &str, service: &str, groups: &[(&str, u32)]) -> String {
    let mut text = format!(
        "namespace = \"{namespace}\"\n[service.{service}]\ncmd = \"sleep 600\"\ncpus = 0.01\nmem = 8\nports = [{{ name = \"http\" }}]\n"
    );
    for (labels, n) in groups {
        let list: Vec<String> = labels.split(',').map(|l| format!("\"{l}\"")).collect();
        text.push_str(&format!("[[service.{service}.group]]\nlabels = [{}]\ninstances = {n}\n", list.join(", ")));
    }
    text
}

/// Wait flags that keep runs short on a busy machine.
pub const FAST: [&str; 6] = ["--poll-interval", "100ms", "--fail-after", "20s", "--timeout", "60s"];

impl Env {
    /// Every key and value in etcd.
    pub fn etcd_dump(&self) -> BTreeMap<String, String> {
        let endpoints: Vec<String> = self.etcd_endpoints.split(',').map(str::to_owned).collect();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let mut c = etcd_client::Client::connect(&endpoints, None).await.unwrap();
                // A killed cluster member may be picked: ask again (with a deadline).
                let deadline = std::time::Instant::now() + Duration::from_secs(20);
                let resp = loop {
                    match c.get("", Some(etcd_client::GetOptions::new().with_all_keys())).await {
                        Ok(resp) => break resp,
                        Err(e) => assert!(std::time::Instant::now() < deadline, "reading etcd: {e}"),
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                };
                resp.kvs()
                    .iter()
                    .map(|kv| (kv.key_str().unwrap().to_owned(), kv.value_str().unwrap().to_owned()))
                    .collect()
            })
        })
        .join()
        .unwrap()
    }

    /// Every etcd key under `prefix` with its create and mod revisions: equal before and after
    /// a command means the command wrote nothing there, not even something it put back.
    pub fn etcd_revisions(&self, prefix: &str) -> BTreeMap<String, (i64, i64)> {
        let endpoints: Vec<String> = self.etcd_endpoints.split(',').map(str::to_owned).collect();
        let prefix = prefix.to_owned();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let mut c = etcd_client::Client::connect(&endpoints, None).await.unwrap();
                let resp = c.get(prefix, Some(etcd_client::GetOptions::new().with_prefix())).await.unwrap();
                resp.kvs()
                    .iter()
                    .map(|kv| (kv.key_str().unwrap().to_owned(), (kv.create_revision(), kv.mod_revision())))
                    .collect()
            })
        })
        .join()
        .unwrap()
    }

    /// Deletes every etcd key under `prefix` (a lost or stale etcd).
    pub fn etcd_delete_prefix(&self, prefix: &str) {
        let endpoints: Vec<String> = self.etcd_endpoints.split(',').map(str::to_owned).collect();
        let prefix = prefix.to_owned();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let mut c = etcd_client::Client::connect(&endpoints, None).await.unwrap();
                c.delete(prefix, Some(etcd_client::DeleteOptions::new().with_prefix())).await.unwrap();
            })
        })
        .join()
        .unwrap();
    }

    /// Marathon's managed apps under `namespace`: app id → (service, group, running task ids).
    pub fn marathon_groups(&self, namespace: &str) -> BTreeMap<String, (String, String, BTreeSet<String>)> {
        let apps = self.engine.get("/v2/apps?embed=apps.tasks");
        let mut out = BTreeMap::new();
        for app in apps["apps"].as_array().unwrap() {
            let id = app["id"].as_str().unwrap();
            let labels = &app["labels"];
            if labels["theseus.managed"] != "true" || !id.starts_with(&format!("/{namespace}/")) {
                continue;
            }
            let (svc, grp) = (labels["theseus.service"].as_str().unwrap(), labels["theseus.group"].as_str().unwrap());
            if id.rsplit_once('/').unwrap().0 != format!("/{namespace}/{svc}/{grp}") {
                continue;
            }
            let running: BTreeSet<String> = app["tasks"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|t| t["state"] == "TASK_RUNNING")
                .map(|t| t["id"].as_str().unwrap().to_owned())
                .collect();
            out.insert(id.to_owned(), (svc.to_owned(), grp.to_owned(), running));
        }
        out
    }

    /// What etcd records under `/services` of `root`: (service, group) → registered container
    /// names; also the service markers and the lock keys.
    pub fn etcd_groups(&self, root: &str) -> EtcdView {
        let dump = self.etcd_dump();
        let services_prefix = format!("{root}/services/");
        let mut groups: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        let mut services = BTreeSet::new();
        let mut locks = Vec::new();
        for key in dump.keys() {
            if key.starts_with(&format!("{root}/theseus/locks/")) {
                locks.push(key.clone());
            }
            let Some(rest) = key.strip_prefix(&services_prefix) else { continue };
            let parts: Vec<&str> = rest.split('/').collect();
            match parts.as_slice() {
                [svc] => {
                    services.insert((*svc).to_owned());
                }
                [svc, grp] => {
                    groups.entry(((*svc).to_owned(), (*grp).to_owned())).or_default();
                }
                [svc, grp, "containers", c] => {
                    groups.entry(((*svc).to_owned(), (*grp).to_owned())).or_default().insert((*c).to_owned());
                }
                _ => {}
            }
        }
        (groups, services, locks)
    }

    /// What `theseus sync --once` guarantees: every group Marathon has is in etcd with exactly
    /// its running tasks registered, and a group only etcd has lists no container (a group a
    /// killed `remove` left in etcd is the re-run's to delete; a killed command's lock frees
    /// itself when its lease expires).
    pub fn assert_registrations_match(&self, root: &str, namespace: &str) {
        let mut want: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for (svc, grp, tasks) in self.marathon_groups(namespace).values() {
            want.entry((svc.clone(), grp.clone())).or_default().extend(tasks.iter().cloned());
        }
        let (have, _, _) = self.etcd_groups(root);
        for (key, tasks) in &want {
            assert_eq!(have.get(key), Some(tasks), "registrations of {key:?} after sync");
        }
        for (key, containers) in have.iter().filter(|(k, _)| !want.contains_key(*k)) {
            assert!(containers.is_empty(), "{key:?} is gone from Marathon but lists {containers:?}");
        }
    }

    /// etcd equals Marathon for `namespace` under the etcd `root`: the same groups, each group's
    /// registered containers exactly its running tasks (these specs have no health checks), a
    /// service marker exactly for services with groups, every group's config owned by
    /// `namespace`, and no lock left.
    pub fn assert_consistent(&self, root: &str, namespace: &str) {
        let marathon = self.marathon_groups(namespace);
        let mut want: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for (svc, grp, tasks) in marathon.values() {
            want.entry((svc.clone(), grp.clone())).or_default().extend(tasks.iter().cloned());
        }
        let (have, services, locks) = self.etcd_groups(root);
        assert_eq!(have, want, "etcd (left) must equal Marathon (right)");
        let want_services: BTreeSet<String> = want.keys().map(|(s, _)| s.clone()).collect();
        assert_eq!(services, want_services, "service markers");
        assert!(locks.is_empty(), "locks left: {locks:?}");
        let dump = self.etcd_dump();
        for (svc, grp) in have.keys() {
            let config: Value = serde_json::from_str(&dump[&format!("{root}/services/{svc}/{grp}/config")]).unwrap();
            assert_eq!(config["namespace"], namespace, "owner of {svc}/{grp}");
        }
    }
}
