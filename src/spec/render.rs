//! The one spec → Marathon conversion: ids, revisions and app definitions (DESIGN §1, §3).

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::model::{AppSpec, GroupSpec};
use crate::marathon::rules;
use crate::marathon::types::{
    App, CommandCheck, Container, Docker, Fetch, HealthCheck, Network, PortDefinition, PortMapping, ReadinessCheck,
    UpgradeStrategy,
};

/// Bumped whenever the rendering of an unchanged spec changes, so revisions change with it.
/// [`LABEL_DEPLOYMENT_GROUP`] did not bump it: it follows from the group's id, which the
/// revision covers, and a bump would roll every group on the next `update` for a label that
/// matters only during a surge; a group gets it with its next revision.
const REVISION_FORMAT: &str = "theseus-revision-1";

/// `theseus.managed`: marks every app Theseus owns.
pub const LABEL_MANAGED: &str = "theseus.managed";
/// `theseus.service`: the service name.
pub const LABEL_SERVICE: &str = "theseus.service";
/// `theseus.group`: the encoded label set.
pub const LABEL_GROUP: &str = "theseus.group";
/// `theseus.revision`: the content hash of the group's spec.
pub const LABEL_REVISION: &str = "theseus.revision";
/// Prefix of the one-per-label `theseus.tag.<label>=""` labels.
pub const LABEL_TAG_PREFIX: &str = "theseus.tag.";
/// Label naming the `env` variables whose values are secret (comma-separated), so that every
/// reader of the app (a failure's evidence, `theseus logs`, `plan`) can mask them.
pub const LABEL_SECRET_ENV: &str = "theseus.secret-env";
/// marathon-lb's `HAPROXY_DEPLOYMENT_GROUP`, set to the group's Marathon id on every revision
/// app with ports (unless `marathon_labels` set it): marathon-lb merges the apps of one
/// deployment group into one frontend per service port (`marathon_lb.py` `get_apps`), so the
/// two revision apps of a rolling update, which hold the same service ports
/// (`rollout::ports`), are one frontend and one backend named after the group.
pub const LABEL_DEPLOYMENT_GROUP: &str = "HAPROXY_DEPLOYMENT_GROUP";

/// Length of a revision: `r` and 12 hex digits.
pub(crate) const REVISION_LEN: usize = 13;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Feeds what is written into a SHA-256.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn seconds(d: std::time::Duration) -> u64 {
    d.as_secs()
}

/// The Marathon group path of a labeled group: `/<namespace>/<service>/<encoded-labels>`.
pub fn group_path(namespace: &str, service: &str, group: &str) -> String {
    format!("/{}/{service}/{group}", namespace.trim_matches('/'))
}

impl GroupSpec {
    /// The Marathon group path of this labeled group: `/<namespace>/<service>/<encoded>`.
    pub fn group_id(&self, namespace: &str) -> String {
        group_path(namespace, &self.service, &self.group)
    }

    /// The revision: `r` and 12 hex digits of a SHA-256 over the canonical JSON of the service,
    /// the label set and [`AppSpec`] — everything but `instances` and `rollout`. Stable across
    /// runs and platforms, and a valid Marathon id segment that is never `restart|tasks|versions`.
    ///
    /// The canonical JSON is streamed into the hash, never held whole.
    pub fn revision(&self) -> String {
        let mut hasher = HashWriter(Sha256::new());
        // Writing into a hasher cannot fail, and these types always serialize.
        let _ = serde_json::to_writer(&mut hasher, &(REVISION_FORMAT, &self.service, &self.group, &self.app));
        let digest = hasher.0.finalize();
        let mut out = String::with_capacity(REVISION_LEN);
        out.push('r');
        for b in digest.iter().take((REVISION_LEN - 1) / 2) {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        out
    }

    /// The Marathon app id of the current revision: `/<namespace>/<service>/<encoded>/<revision>`.
    pub fn app_id(&self, namespace: &str) -> String {
        format!("{}/{}", self.group_id(namespace), self.revision())
    }

    /// An app id exactly as long as [`GroupSpec::app_id`]'s, with a revision of zeros: what
    /// Mesos' length limits are checked against without hashing the group.
    pub(crate) fn app_id_of_any_revision(&self, namespace: &str) -> String {
        format!("{}/r{}", self.group_id(namespace), "0".repeat(REVISION_LEN - 1))
    }

    /// The labels every app of this group carries (DESIGN §1), without the user's extra labels.
    pub fn theseus_labels(&self) -> BTreeMap<String, String> {
        self.labels_of_revision(self.revision())
    }

    fn labels_of_revision(&self, revision: String) -> BTreeMap<String, String> {
        let mut labels = BTreeMap::new();
        labels.insert(LABEL_MANAGED.to_owned(), "true".to_owned());
        labels.insert(LABEL_SERVICE.to_owned(), self.service.clone());
        labels.insert(LABEL_GROUP.to_owned(), self.group.clone());
        labels.insert(LABEL_REVISION.to_owned(), revision);
        for l in &self.labels {
            labels.insert(format!("{LABEL_TAG_PREFIX}{l}"), String::new());
        }
        labels
    }

    /// The Marathon app definition of this group's current revision: the one conversion from
    /// spec to wire format, used by `render` and by every command that deploys.
    pub fn to_app(&self, namespace: &str) -> App {
        let a: &AppSpec = &self.app;
        let bridge = a.is_bridge();
        let revision = self.revision();
        let id = format!("{}/{revision}", self.group_id(namespace));
        let mut labels = a.marathon_labels.clone();
        if !a.ports.is_empty() {
            labels.entry(LABEL_DEPLOYMENT_GROUP.to_owned()).or_insert_with(|| self.group_id(namespace));
        }
        labels.extend(self.labels_of_revision(revision));
        if !a.secret_env.is_empty() {
            labels.insert(LABEL_SECRET_ENV.to_owned(), a.secret_env.join(","));
        }
        let container = a.image.as_ref().map(|image| Container {
            kind: Some("DOCKER".to_owned()),
            docker: Some(Docker { image: image.clone(), ..Docker::default() }),
            port_mappings: bridge.then(|| {
                a.ports
                    .iter()
                    .map(|p| PortMapping {
                        container_port: Some(u32::from(p.container.unwrap_or(0))),
                        host_port: Some(0),
                        protocol: Some(p.protocol.clone()),
                        name: Some(p.name.clone()),
                        ..PortMapping::default()
                    })
                    .collect()
            }),
            volumes: None,
        });
        // Service ports ask for 0: Marathon assigns them when the group is created; a rolling
        // update asks for the live app's instead (`rollout::ports`).
        let port_definitions = (!bridge).then(|| {
            a.ports
                .iter()
                .map(|p| PortDefinition {
                    port: 0,
                    name: Some(p.name.clone()),
                    protocol: Some(p.protocol.clone()),
                    labels: None,
                })
                .collect()
        });
        let health_checks: Vec<HealthCheck> = a
            .health
            .iter()
            .map(|h| HealthCheck {
                protocol: Some(h.protocol.as_str().to_owned()),
                path: h.path.clone(),
                port_index: h.port.as_deref().and_then(|n| a.port_index(n)).map(|i| i as u32),
                command: h.command.clone().map(|value| CommandCheck { value }),
                grace_period_seconds: Some(seconds(h.grace)),
                interval_seconds: Some(seconds(h.interval)),
                timeout_seconds: Some(seconds(h.timeout)),
                max_consecutive_failures: Some(h.max_failures),
                ..HealthCheck::default()
            })
            .collect();
        let readiness_checks = a.readiness.as_ref().map(|r| {
            vec![ReadinessCheck {
                name: Some("readinessCheck".to_owned()),
                protocol: Some(r.protocol.clone()),
                path: Some(r.path.clone()),
                port_name: Some(r.port.clone()),
                interval_seconds: Some(seconds(r.interval)),
                timeout_seconds: Some(seconds(r.timeout)),
                http_status_codes_for_ready: Some(r.status_codes.clone()),
                preserve_last_response: Some(r.preserve_last_response),
            }]
        });
        let fetch: Vec<Fetch> = a
            .fetch
            .iter()
            .map(|f| Fetch {
                uri: f.location.clone(),
                executable: Some(f.executable),
                extract: Some(f.extract),
                cache: Some(f.cache),
                dest_path: f.dest.clone(),
            })
            .collect();
        App {
            id,
            cmd: a.cmd.clone(),
            args: a.args.clone(),
            user: a.user.clone(),
            instances: Some(self.instances),
            cpus: Some(a.cpus),
            mem: Some(a.mem),
            disk: Some(a.disk),
            container,
            env: (!a.env.is_empty())
                .then(|| a.env.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect()),
            labels: Some(labels),
            constraints: (!a.constraints.is_empty()).then(|| a.constraints.clone()),
            port_definitions,
            networks: Some(vec![Network {
                mode: Some(if bridge { "container/bridge" } else { "host" }.to_owned()),
                ..Network::default()
            }]),
            health_checks: (!health_checks.is_empty()).then_some(health_checks),
            readiness_checks,
            fetch: (!fetch.is_empty()).then_some(fetch),
            backoff_seconds: a.backoff.as_ref().map(|b| b.delay.as_secs_f64()),
            backoff_factor: a.backoff.as_ref().map(|b| b.factor),
            max_launch_delay_seconds: a.backoff.as_ref().map(|b| b.max_delay.as_secs_f64()),
            task_kill_grace_period_seconds: a.kill_grace.map(|d| d.as_secs_f64()),
            // Theseus drives batches itself (DESIGN §3): each revision app is scaled explicitly,
            // so Marathon's own replacement must keep every instance and may start new ones.
            // A single-instance app must have {0, 0} (`UpgradeStrategy.scala`
            // `validForSingleInstanceApps`): its one task stops before the next starts.
            upgrade_strategy: Some(if rules::is_single_instance(&a.marathon_labels) {
                UpgradeStrategy { minimum_health_capacity: 0.0, maximum_over_capacity: 0.0 }
            } else {
                UpgradeStrategy { minimum_health_capacity: 1.0, maximum_over_capacity: 1.0 }
            }),
            ..App::default()
        }
    }
}

/// The values of the `env` variables `app`'s [`LABEL_SECRET_ENV`] names (non-empty ones,
/// longest first): what [`mask`] hides.
pub fn secret_values(app: &App) -> Vec<String> {
    let Some(names) = app.labels.as_ref().and_then(|l| l.get(LABEL_SECRET_ENV)) else { return Vec::new() };
    let env = app.env.as_ref();
    let mut values: Vec<String> = names
        .split(',')
        .filter_map(|n| env?.get(n.trim())?.as_str().map(str::to_owned))
        .filter(|v| !v.is_empty())
        .collect();
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    values.dedup();
    values
}

/// `text` with every one of `secrets` replaced by `***`.
pub fn mask(text: &str, secrets: &[String]) -> String {
    secrets.iter().fold(text.to_owned(), |t, s| t.replace(s.as_str(), "***"))
}
