//! Agents and their HTTP addresses, from the master's `/master/slaves`.

use std::collections::HashMap;

use super::wire::Slaves;

/// One agent: its id and where its HTTP API answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// The agent id (Marathon's `slaveId`).
    pub id: String,
    /// `HOST:PORT` of its HTTP API.
    pub address: String,
    /// Its hostname, for messages.
    pub hostname: String,
}

/// The agents of one `/master/slaves` answer, by id.
#[derive(Debug, Clone, Default)]
pub struct Agents {
    by_id: HashMap<String, Agent>,
}

impl Agents {
    /// The agents of `slaves` that have an address (from `pid`, else `hostname` and `port`).
    pub fn from_slaves(slaves: &Slaves) -> Self {
        let by_id = slaves
            .slaves
            .iter()
            .filter_map(|s| {
                let address = address_of_pid(&s.pid).or_else(|| match (s.hostname.as_str(), s.port) {
                    ("", _) | (_, None) => None,
                    (host, Some(port)) => Some(format!("{host}:{port}")),
                })?;
                Some((s.id.clone(), Agent { id: s.id.clone(), address, hostname: s.hostname.clone() }))
            })
            .collect();
        Agents { by_id }
    }

    /// The agent with id `id`.
    pub fn get(&self, id: &str) -> Option<&Agent> {
        self.by_id.get(id)
    }
}

/// `HOST:PORT` of a libprocess pid `slave(1)@HOST:PORT` (`process::UPID`'s text form).
pub fn address_of_pid(pid: &str) -> Option<String> {
    let (_, address) = pid.rsplit_once('@')?;
    let (host, port) = address.rsplit_once(':')?;
    (!host.is_empty() && port.parse::<u16>().is_ok()).then(|| address.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesos::wire::Slave;

    #[test]
    fn pid_gives_the_address_and_hostname_port_is_the_fallback() {
        let slaves = Slaves {
            slaves: vec![
                Slave { id: "S0".into(), pid: "slave(1)@10.0.0.7:5051".into(), hostname: "a1".into(), port: Some(1) },
                Slave { id: "S1".into(), pid: String::new(), hostname: "a2.example.com".into(), port: Some(5052) },
                Slave { id: "S2".into(), pid: "garbage".into(), hostname: String::new(), port: None },
            ],
        };
        let agents = Agents::from_slaves(&slaves);
        assert_eq!(agents.get("S0").unwrap().address, "10.0.0.7:5051");
        assert_eq!(agents.get("S1").unwrap().address, "a2.example.com:5052");
        assert!(agents.get("S2").is_none());
    }

    #[test]
    fn pids_without_a_port_are_not_addresses() {
        assert_eq!(address_of_pid("slave(1)@10.0.0.7:5051").as_deref(), Some("10.0.0.7:5051"));
        assert_eq!(address_of_pid("slave(1)@10.0.0.7"), None);
        assert_eq!(address_of_pid("slave(1)@:5051"), None);
        assert_eq!(address_of_pid("10.0.0.7:5051"), None);
    }
}
