//! Simulated agents: each has its own loopback address, attributes, resources and a host-port range.

use std::collections::BTreeMap;

use crate::local::Config;

/// One simulated Mesos agent.
#[derive(Debug, Clone)]
pub(crate) struct Agent {
    /// Mesos agent id (`slaveId`).
    pub(crate) id: String,
    /// Hostname, which is the agent's loopback address so endpoints are reachable.
    pub(crate) hostname: String,
    /// Attributes (`rack`, `zone`, `region`, custom).
    pub(crate) attributes: BTreeMap<String, String>,
    /// CPUs offered.
    pub(crate) cpus: f64,
    /// Memory offered, MiB.
    pub(crate) mem: f64,
    /// Disk offered, MiB.
    pub(crate) disk: f64,
    /// Inclusive host-port range.
    pub(crate) ports: (u32, u32),
    /// Where the next host-port search starts, so freed ports are not reused at once.
    pub(crate) next_port: u32,
}

impl Agent {
    /// The value of a constraint field on this agent (`hostname`, `@hostname`, `@zone`, `@region`, attribute).
    pub(crate) fn field(&self, field: &str) -> Option<&str> {
        match field {
            "hostname" | "@hostname" => Some(&self.hostname),
            "@zone" => self.attributes.get("zone").map(String::as_str),
            "@region" => self.attributes.get("region").map(String::as_str),
            other => self.attributes.get(other).map(String::as_str),
        }
    }
}

/// Builds the agents of a configuration: agent `i` (from 1) is `127.0.0.{i+1}`.
pub(crate) fn build(config: &Config) -> Vec<Agent> {
    (1..=config.agents.max(1))
        .map(|i| {
            let hostname = format!("127.0.{}.{}", (i + 1) / 256, (i + 1) % 256);
            let attributes = config.agent_attributes.get(&i).cloned().unwrap_or_default();
            Agent {
                id: format!("{}-S{}", config.framework_id, i - 1),
                hostname,
                attributes,
                cpus: config.agent_cpus,
                mem: config.agent_mem,
                disk: config.agent_disk,
                ports: config.agent_ports,
                next_port: config.agent_ports.0,
            }
        })
        .collect()
}

/// Parses `AGENT:key=value;key=value` (agent index from 1).
pub fn parse_attributes(spec: &str) -> Result<(u32, BTreeMap<String, String>), String> {
    let (index, rest) = spec.split_once(':').ok_or_else(|| format!("`{spec}`: expected AGENT:key=value;key=value"))?;
    let index: u32 = index.trim().parse().map_err(|_| format!("`{spec}`: `{index}` is not an agent number"))?;
    if index == 0 {
        return Err(format!("`{spec}`: agents are numbered from 1"));
    }
    let mut attrs = BTreeMap::new();
    for pair in rest.split(';').filter(|p| !p.trim().is_empty()) {
        let (k, v) = pair.split_once('=').ok_or_else(|| format!("`{pair}`: expected key=value"))?;
        if k.trim().is_empty() {
            return Err(format!("`{pair}`: empty attribute name"));
        }
        attrs.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok((index, attrs))
}

/// Parses a host-port range `LOW-HIGH`.
pub fn parse_port_range(spec: &str) -> Result<(u32, u32), String> {
    let (lo, hi) = spec.split_once('-').ok_or_else(|| format!("`{spec}`: expected LOW-HIGH"))?;
    let lo: u32 = lo.trim().parse().map_err(|_| format!("`{spec}`: `{lo}` is not a port"))?;
    let hi: u32 = hi.trim().parse().map_err(|_| format!("`{spec}`: `{hi}` is not a port"))?;
    if lo == 0 || lo > hi || hi > 65535 {
        return Err(format!("`{spec}`: expected 1 <= LOW <= HIGH <= 65535"));
    }
    Ok((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_parse() {
        let (i, a) = parse_attributes("2:rack=r1;zone=z2").unwrap();
        assert_eq!(i, 2);
        assert_eq!(a["rack"], "r1");
        assert_eq!(a["zone"], "z2");
        assert!(parse_attributes("0:a=b").is_err());
        assert!(parse_attributes("x").is_err());
    }

    #[test]
    fn ranges_parse() {
        assert_eq!(parse_port_range("31000-32000").unwrap(), (31000, 32000));
        assert!(parse_port_range("5-1").is_err());
    }

    #[test]
    fn agents_get_their_own_loopback_address() {
        let agents = build(&Config::default());
        assert_eq!(agents.len(), 3);
        assert_eq!(agents[0].hostname, "127.0.0.2");
        assert_eq!(agents[2].hostname, "127.0.0.4");
        assert_eq!(agents[0].field("@hostname"), Some("127.0.0.2"));
    }
}
