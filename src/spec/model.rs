//! The resolved spec: what one labeled group runs, after inheritance and validation.
//!
//! These types are what the rest of Theseus works with. They serialize to the JSON stored in
//! etcd at `/services/<svc>/<group>/config` (durations as human text such as `30s`) and read
//! back from it. The value a spec leaves out is a named constant beside its type
//! (`AppSpec::DEFAULT_MEM`, `HealthSpec::DEFAULT_GRACE`, `Rollout::DEFAULT_DEADLINE`, ...).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use super::amount::Amount;
pub use crate::marathon::rules::HealthProtocol;

/// The namespace of a spec that sets none (DESIGN §1).
pub const DEFAULT_NAMESPACE: &str = "theseus";

/// One labeled group of a service, fully resolved (service defaults merged with the group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// The service the group belongs to.
    pub service: String,
    /// The group's label set.
    pub labels: BTreeSet<String>,
    /// The canonical text form of `labels` ([`crate::names::encode`]): the group's name in
    /// Marathon paths and etcd keys. (Configs stored before the rename call it `encoded`.)
    #[serde(alias = "encoded")]
    pub group: String,
    /// Desired number of instances.
    pub instances: u32,
    /// How updates roll out.
    pub rollout: Rollout,
    /// What each instance runs; everything here is part of the revision.
    pub app: AppSpec,
}

impl GroupSpec {
    /// Instances when a group sets none.
    pub const DEFAULT_INSTANCES: u32 = 1;
}

/// What each instance of a group runs: the content that [`GroupSpec::revision`] hashes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// Docker image (a Docker app); may combine with `cmd` or `args`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Shell command, run with `/bin/sh -c`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<String>,
    /// Command and arguments, executed directly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// CPU shares per instance.
    pub cpus: f64,
    /// Memory per instance, MiB.
    pub mem: f64,
    /// Disk per instance, MiB.
    pub disk: f64,
    /// Named ports; all with `container` (bridge networking) or none (host networking).
    #[serde(default)]
    pub ports: Vec<PortSpec>,
    /// Environment variables.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Names of `env` variables whose values are secret: never shown in logs a failure's
    /// evidence or `theseus logs` print, nor in `plan`'s changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secret_env: Vec<String>,
    /// Marathon constraints, operators upper-cased: `[field, OPERATOR]` or `[field, OPERATOR, value]`.
    #[serde(default)]
    pub constraints: Vec<Vec<String>>,
    /// Health checks.
    #[serde(default)]
    pub health: Vec<HealthSpec>,
    /// Readiness check, consulted during deployments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<ReadinessSpec>,
    /// Artifacts downloaded into the sandbox before start.
    #[serde(default)]
    pub fetch: Vec<FetchSpec>,
    /// Extra Marathon labels (never `theseus.*`).
    #[serde(default)]
    pub marathon_labels: BTreeMap<String, String>,
    /// User the task runs as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Launch backoff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<BackoffSpec>,
    /// Time between SIGTERM and SIGKILL.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_human")]
    pub kill_grace: Option<Duration>,
}

impl AppSpec {
    /// CPU shares when none are set (Marathon's default).
    pub const DEFAULT_CPUS: f64 = 1.0;
    /// The fewest CPU shares Marathon takes (RAML `cpus` minimum).
    pub const MIN_CPUS: f64 = 0.001;
    /// Memory in MiB when none is set (Marathon's default).
    pub const DEFAULT_MEM: f64 = 128.0;
    /// Disk in MiB when none is set (Marathon's default).
    pub const DEFAULT_DISK: f64 = 0.0;

    /// Whether the app uses bridge networking (its ports have container ports).
    pub fn is_bridge(&self) -> bool {
        self.ports.iter().any(|p| p.container.is_some())
    }

    /// The index of the port named `name`.
    pub fn port_index(&self, name: &str) -> Option<usize> {
        self.ports.iter().position(|p| p.name == name)
    }
}

/// A named port of the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortSpec {
    /// Name (`$PORT_<NAME>` in the task environment).
    pub name: String,
    /// Port inside the container (bridge networking); `None` for host networking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<u16>,
    /// `tcp`, `udp` or `udp,tcp`.
    pub protocol: String,
}

impl PortSpec {
    /// The protocol of a port that names none.
    pub const DEFAULT_PROTOCOL: &'static str = "tcp";
}

/// A health check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthSpec {
    /// Protocol.
    pub protocol: HealthProtocol,
    /// HTTP path (HTTP protocols only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Name of the checked port (not for `COMMAND`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// Shell command (`COMMAND` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Failures are ignored this long after launch, until the first success.
    #[serde(with = "human")]
    pub grace: Duration,
    /// Time between checks.
    #[serde(with = "human")]
    pub interval: Duration,
    /// Time before a check counts as failed.
    #[serde(with = "human")]
    pub timeout: Duration,
    /// Failures in a row before the task is killed (0 = never).
    pub max_failures: u32,
}

/// Marathon's health-check defaults (M:docs/docs/rest-api/public/api/v2/types/healthCheck.raml, M:src/main/scala/mesosphere/marathon/core/health/HealthCheck.scala), used when the spec leaves a field out.
impl HealthSpec {
    /// The protocol.
    pub const DEFAULT_PROTOCOL: HealthProtocol = HealthProtocol::Http;
    /// The path of HTTP(S) checks.
    pub const DEFAULT_PATH: &'static str = "/";
    /// `gracePeriodSeconds`.
    pub const DEFAULT_GRACE: Duration = Duration::from_secs(300);
    /// `intervalSeconds`.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);
    /// `timeoutSeconds`.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
    /// `maxConsecutiveFailures`.
    pub const DEFAULT_MAX_FAILURES: u32 = 3;
}

/// The readiness check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadinessSpec {
    /// `HTTP` or `HTTPS`.
    pub protocol: String,
    /// HTTP path.
    pub path: String,
    /// Name of the checked port.
    pub port: String,
    /// Time between checks.
    #[serde(with = "human")]
    pub interval: Duration,
    /// Time before a check fails; less than `interval`.
    #[serde(with = "human")]
    pub timeout: Duration,
    /// HTTP status codes that mean ready.
    pub status_codes: Vec<u16>,
    /// Keep the last response in Marathon's results.
    pub preserve_last_response: bool,
}

/// Marathon's readiness-check defaults (M:docs/docs/rest-api/public/api/v2/types/readinessCheck.raml, M:src/main/scala/mesosphere/marathon/core/readiness/ReadinessCheck.scala), used when the spec leaves a field out.
impl ReadinessSpec {
    /// The protocol.
    pub const DEFAULT_PROTOCOL: &'static str = "HTTP";
    /// The path.
    pub const DEFAULT_PATH: &'static str = "/";
    /// `intervalSeconds`.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
    /// `timeoutSeconds`.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
    /// `httpStatusCodesForReady`.
    pub const DEFAULT_STATUS_CODES: [u16; 1] = [200];
    /// `preserveLastResponse`.
    pub const DEFAULT_PRESERVE_LAST_RESPONSE: bool = false;
}

/// An artifact to download into the sandbox (the DC/OS SDK's `location`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchSpec {
    /// URL of the artifact.
    pub location: String,
    /// Mark the file executable.
    pub executable: bool,
    /// Extract archives.
    pub extract: bool,
    /// Use the Mesos fetcher cache.
    pub cache: bool,
    /// Destination relative to the sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dest: Option<String>,
}

/// The Mesos fetcher's defaults, used when a fetch entry leaves a flag out.
impl FetchSpec {
    /// `executable`.
    pub const DEFAULT_EXECUTABLE: bool = false;
    /// `extract`.
    pub const DEFAULT_EXTRACT: bool = true;
    /// `cache`.
    pub const DEFAULT_CACHE: bool = false;
}

/// Launch backoff after failed tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackoffSpec {
    /// First delay.
    #[serde(with = "human")]
    pub delay: Duration,
    /// Growth factor (≥ 1).
    pub factor: f64,
    /// Largest delay.
    #[serde(with = "human")]
    pub max_delay: Duration,
}

/// Marathon's backoff defaults (M:docs/docs/rest-api/public/api/v2/types/app.raml `backoffSeconds`, `backoffFactor`, `maxLaunchDelaySeconds`).
impl BackoffSpec {
    /// `backoffSeconds`.
    pub const DEFAULT_DELAY: Duration = Duration::from_secs(1);
    /// `backoffFactor`.
    pub const DEFAULT_FACTOR: f64 = 1.15;
    /// `maxLaunchDelaySeconds`.
    pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(300);
}

impl Default for BackoffSpec {
    fn default() -> Self {
        BackoffSpec {
            delay: BackoffSpec::DEFAULT_DELAY,
            factor: BackoffSpec::DEFAULT_FACTOR,
            max_delay: BackoffSpec::DEFAULT_MAX_DELAY,
        }
    }
}

/// How Theseus rolls a group forward (DESIGN §3); CLI rollout flags override it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rollout {
    /// Instances replaced per step (count ≥ 1 or 1–100%).
    pub batch: Amount,
    /// Pause between batches.
    #[serde(with = "human")]
    pub wait: Duration,
    /// How far below `instances` the healthy count may drop.
    pub max_unavailable: Amount,
    /// How long a new batch must stay healthy before it counts.
    #[serde(with = "human")]
    pub min_healthy: Duration,
    /// How long one batch may take to become healthy before the rollout fails.
    #[serde(with = "human")]
    pub deadline: Duration,
    /// Canary instances of the new revision, brought up beside the full old one before any old
    /// task is retired (`None`: no canary step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary: Option<Amount>,
    /// How long the canary must stay running and healthy, with no new task failure, to pass.
    #[serde(default, with = "human")]
    pub canary_for: Duration,
    /// A command (run by `/bin/sh -c`) that judges the canary: exit 0 passes, 1 fails, 2 is
    /// inconclusive (hold for a person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
    /// How long the gate command may run before it is killed (and the canary fails).
    #[serde(default = "default_gate_timeout", with = "human")]
    pub gate_timeout: Duration,
    /// Whether the rollout continues by itself after the canary's gates.
    #[serde(default)]
    pub promote: Promote,
    /// After the last batch, how long the new revision is watched (the old app kept at 0
    /// instances) before the old app is deleted; a failure meanwhile rolls back.
    #[serde(default, with = "human")]
    pub bake: Duration,
}

fn default_gate_timeout() -> Duration {
    Rollout::DEFAULT_GATE_TIMEOUT
}

/// How a canary rollout goes on after its gates pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Promote {
    /// By itself.
    #[default]
    Auto,
    /// Only when `theseus rollout promote` says so.
    Manual,
}

impl std::fmt::Display for Promote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Promote::Auto => "auto",
            Promote::Manual => "manual",
        })
    }
}

impl Default for Rollout {
    fn default() -> Self {
        Rollout {
            batch: Rollout::DEFAULT_BATCH,
            wait: Rollout::DEFAULT_WAIT,
            max_unavailable: Rollout::DEFAULT_MAX_UNAVAILABLE,
            min_healthy: Rollout::DEFAULT_MIN_HEALTHY,
            deadline: Rollout::DEFAULT_DEADLINE,
            canary: None,
            canary_for: Duration::ZERO,
            gate: None,
            gate_timeout: Rollout::DEFAULT_GATE_TIMEOUT,
            promote: Promote::Auto,
            bake: Duration::ZERO,
        }
    }
}

/// The rollout of a group that sets none (DESIGN §3), and batch arithmetic.
impl Rollout {
    /// One instance per batch.
    pub const DEFAULT_BATCH: Amount = Amount::Count(1);
    /// No pause between batches.
    pub const DEFAULT_WAIT: Duration = Duration::ZERO;
    /// Never below `instances` healthy.
    pub const DEFAULT_MAX_UNAVAILABLE: Amount = Amount::Count(0);
    /// A batch counts as soon as it is healthy.
    pub const DEFAULT_MIN_HEALTHY: Duration = Duration::ZERO;
    /// Ten minutes per batch.
    pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(600);
    /// Five minutes for a gate command.
    pub const DEFAULT_GATE_TIMEOUT: Duration = Duration::from_secs(300);

    /// Canary instances for a group of `instances` (`None`: no canary step): at least 1, and
    /// fewer than `instances` when there are two or more (a canary of all is a plain rollout).
    pub fn canary_of(&self, instances: u32) -> Option<u32> {
        let n = self.canary?.ceil_of(instances).max(1);
        Some(n.min(instances.saturating_sub(1)).max(1))
    }

    /// Instances per batch for a group of `instances`: at least 1, at most `instances` (or 1).
    pub fn batch_size(&self, instances: u32) -> u32 {
        self.batch.ceil_of(instances).clamp(1, instances.max(1))
    }

    /// How many instances may be unavailable for a group of `instances`.
    pub fn max_unavailable_of(&self, instances: u32) -> u32 {
        self.max_unavailable.floor_of(instances).min(instances)
    }
}

/// Serde for a [`Duration`] as human text (`30s`, `5m`).
mod human {
    use super::*;

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text).map_err(serde::de::Error::custom)
    }
}

/// Serde for an optional [`Duration`] as human text.
mod opt_human {
    use super::*;

    pub(super) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::human::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| humantime::parse_duration(&t).map_err(serde::de::Error::custom)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_round_up_within_the_group() {
        let r = Rollout { batch: Amount::Percent(10), ..Rollout::default() };
        assert_eq!(r.batch_size(3), 1);
        assert_eq!(Rollout { batch: Amount::Count(9), ..Rollout::default() }.batch_size(4), 4);
    }

    #[test]
    fn rollout_round_trips_through_json() {
        let r = Rollout { batch: Amount::Percent(25), wait: Duration::from_secs(90), ..Rollout::default() };
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["batch"], "25%");
        assert_eq!(json["wait"], "1m 30s");
        assert_eq!(serde_json::from_value::<Rollout>(json).unwrap(), r);
    }
}
