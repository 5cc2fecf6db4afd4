//! The resolved spec: what one labeled group runs, after inheritance and validation.
//!
//! These types are what the rest of Theseus works with. They serialize to the JSON stored in
//! etcd at `/services/<svc>/<group>/config` (durations as human text such as `30s`) and read
//! back from it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One labeled group of a service, fully resolved (service defaults merged with the group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// The service the group belongs to.
    pub service: String,
    /// The group's label set.
    pub labels: BTreeSet<String>,
    /// The canonical text form of `labels` ([`crate::spec::encode_labels`]).
    pub encoded: String,
    /// Desired number of instances.
    pub instances: u32,
    /// How updates roll out.
    pub rollout: Rollout,
    /// What each instance runs; everything here is part of the revision.
    pub app: AppSpec,
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

/// Health-check protocols, with Marathon's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HealthProtocol {
    /// HTTP GET by Marathon; 200-399 passes.
    Http,
    /// HTTPS GET by Marathon.
    Https,
    /// TCP connect by Marathon.
    Tcp,
    /// A shell command on the agent; exit 0 passes.
    Command,
    /// HTTP GET by the Mesos agent.
    MesosHttp,
    /// HTTPS GET by the Mesos agent.
    MesosHttps,
    /// TCP connect by the Mesos agent.
    MesosTcp,
}

impl HealthProtocol {
    /// Every protocol, in Marathon's order.
    pub const ALL: [HealthProtocol; 7] = [
        HealthProtocol::Http,
        HealthProtocol::Https,
        HealthProtocol::Tcp,
        HealthProtocol::Command,
        HealthProtocol::MesosHttp,
        HealthProtocol::MesosHttps,
        HealthProtocol::MesosTcp,
    ];

    /// Marathon's name, e.g. `MESOS_HTTP`.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthProtocol::Http => "HTTP",
            HealthProtocol::Https => "HTTPS",
            HealthProtocol::Tcp => "TCP",
            HealthProtocol::Command => "COMMAND",
            HealthProtocol::MesosHttp => "MESOS_HTTP",
            HealthProtocol::MesosHttps => "MESOS_HTTPS",
            HealthProtocol::MesosTcp => "MESOS_TCP",
        }
    }

    /// Whether the check requests a path over HTTP(S).
    pub fn is_http(self) -> bool {
        matches!(
            self,
            HealthProtocol::Http | HealthProtocol::Https | HealthProtocol::MesosHttp | HealthProtocol::MesosHttps
        )
    }

    /// Whether the check runs on the Mesos agent rather than in Marathon.
    pub fn is_mesos(self) -> bool {
        matches!(self, HealthProtocol::MesosHttp | HealthProtocol::MesosHttps | HealthProtocol::MesosTcp)
    }
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

impl Default for BackoffSpec {
    fn default() -> Self {
        BackoffSpec { delay: Duration::from_secs(1), factor: 1.15, max_delay: Duration::from_secs(300) }
    }
}

/// A count or a percentage of the group's instances (`3` or `"25%"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// A number of instances.
    Count(u32),
    /// A percentage of the instances, 0–100.
    Percent(u8),
}

impl Amount {
    /// The amount for `instances`, rounded up (at least 1 for a non-zero percentage).
    pub fn ceil_of(self, instances: u32) -> u32 {
        match self {
            Amount::Count(n) => n,
            Amount::Percent(p) => (u64::from(instances) * u64::from(p)).div_ceil(100) as u32,
        }
    }

    /// The amount for `instances`, rounded down.
    pub fn floor_of(self, instances: u32) -> u32 {
        match self {
            Amount::Count(n) => n,
            Amount::Percent(p) => (u64::from(instances) * u64::from(p) / 100) as u32,
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amount::Count(n) => write!(f, "{n}"),
            Amount::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl FromStr for Amount {
    type Err = String;

    /// Parses `3` or `25%` (0–100).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Some(p) = s.strip_suffix('%') {
            match p.trim().parse::<u8>() {
                Ok(p) if p <= 100 => Ok(Amount::Percent(p)),
                _ => Err(format!("`{s}` is not a percentage from 0% to 100%")),
            }
        } else {
            s.parse::<u32>()
                .map(Amount::Count)
                .map_err(|_| format!("`{s}` is not a count or a percentage such as `25%`"))
        }
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Amount::Count(n) => s.serialize_u32(*n),
            Amount::Percent(_) => s.serialize_str(&self.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Count(u32),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Count(n) => Ok(Amount::Count(n)),
            Raw::Text(t) => t.parse().map_err(serde::de::Error::custom),
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
}

impl Default for Rollout {
    fn default() -> Self {
        Rollout {
            batch: Amount::Count(1),
            wait: Duration::ZERO,
            max_unavailable: Amount::Count(0),
            min_healthy: Duration::ZERO,
            deadline: Duration::from_secs(600),
        }
    }
}

impl Rollout {
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
    fn amounts_parse_and_round() {
        assert_eq!("3".parse::<Amount>(), Ok(Amount::Count(3)));
        assert_eq!("25%".parse::<Amount>(), Ok(Amount::Percent(25)));
        assert!("101%".parse::<Amount>().is_err());
        assert!("x".parse::<Amount>().is_err());
        assert_eq!(Amount::Percent(25).ceil_of(6), 2);
        assert_eq!(Amount::Percent(25).floor_of(6), 1);
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
