//! Matching instances to agents: constraints (all seven operators), resources and host ports,
//! with Marathon's rejection reasons for what does not fit (`/v2/queue`).

use std::collections::{BTreeMap, BTreeSet};

use crate::local::model::normalize::uses_port_mappings;
use crate::marathon::rules::Operator;
use crate::marathon::types::App;

use super::agents::Agent;

/// What is used on one agent.
#[derive(Debug, Clone, Default)]
pub(crate) struct Usage {
    /// CPUs taken.
    pub(crate) cpus: f64,
    /// Memory taken.
    pub(crate) mem: f64,
    /// Disk taken.
    pub(crate) disk: f64,
    /// Host ports taken.
    pub(crate) ports: BTreeSet<u32>,
}

/// A successful placement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placement {
    /// Agent index.
    pub(crate) agent: usize,
    /// Host ports, one per port that needs one.
    pub(crate) host_ports: Vec<u32>,
}

/// The host ports an app's task needs: `Some(p)` a fixed port, `None` any port from the range.
pub(crate) fn port_demand(app: &App) -> Vec<Option<u32>> {
    if uses_port_mappings(app) {
        return app
            .container
            .iter()
            .flat_map(|c| c.port_mappings.iter().flatten())
            .filter_map(|m| m.host_port)
            .map(|p| if p == 0 { None } else { Some(p) })
            .collect();
    }
    let require = app.require_ports.unwrap_or(false);
    app.port_definitions.iter().flatten().map(|d| if require && d.port != 0 { Some(d.port) } else { None }).collect()
}

/// What one round of offers did for one instance: the agent that fits (if any) and every
/// agent whose offer was declined before it, with its reasons.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Offered {
    /// Where the instance goes.
    pub(crate) placement: Option<Placement>,
    /// Declined agents and why, in the order the offers were looked at.
    pub(crate) declined: Vec<(usize, Vec<&'static str>)>,
}

/// Why an agent's offer does not fit, as Marathon's `ResourceMatcher.matchResources` collects
/// the reasons (M:src/main/scala/mesosphere/mesos/ResourceMatcher.scala): every insufficient
/// scalar whose required value is not 0 (cpus, mem, disk), then `UnfulfilledConstraint` (the
/// constraints are always evaluated); ports are looked at only when all of that fits.
fn scalar_and_constraint_reasons(
    app: &App,
    agents: &[Agent],
    u: &Usage,
    i: usize,
    placed: &[usize],
) -> Vec<&'static str> {
    let (cpus, mem, disk) = (app.cpus.unwrap_or(1.0), app.mem.unwrap_or(128.0), app.disk.unwrap_or(0.0));
    let agent = &agents[i];
    let mut reasons = Vec::new();
    if cpus != 0.0 && agent.cpus - u.cpus < cpus - 1e-9 {
        reasons.push("InsufficientCpus");
    }
    if mem != 0.0 && agent.mem - u.mem < mem - 1e-9 {
        reasons.push("InsufficientMemory");
    }
    if disk != 0.0 && agent.disk - u.disk < disk - 1e-9 {
        reasons.push("InsufficientDisk");
    }
    if !constraints_allow(app.constraints.as_deref().unwrap_or_default(), agents, i, placed) {
        reasons.push("UnfulfilledConstraint");
    }
    reasons
}

/// Offers every agent not in `skip` in turn until one fits (see [`Offered`]). `placed` are the
/// agents of the app's instances that constraints count.
pub(crate) fn place(
    app: &App,
    agents: &mut [Agent],
    usage: &mut [Usage],
    placed: &[usize],
    skip: &BTreeSet<usize>,
) -> Offered {
    let demand = port_demand(app);
    let (cpus, mem, disk) = (app.cpus.unwrap_or(1.0), app.mem.unwrap_or(128.0), app.disk.unwrap_or(0.0));
    let mut declined = Vec::new();
    for i in spread_order(agents.len(), placed).into_iter().filter(|i| !skip.contains(i)) {
        let reasons = scalar_and_constraint_reasons(app, agents, &usage[i], i, placed);
        if !reasons.is_empty() {
            declined.push((i, reasons));
            continue;
        }
        match pick_ports(&agents[i], &usage[i].ports, &demand) {
            Some(host_ports) => {
                let u = &mut usage[i];
                u.cpus += cpus;
                u.mem += mem;
                u.disk += disk;
                u.ports.extend(host_ports.iter().copied());
                if let Some(last) = host_ports.iter().max() {
                    agents[i].next_port = if *last >= agents[i].ports.1 { agents[i].ports.0 } else { last + 1 };
                }
                return Offered { placement: Some(Placement { agent: i, host_ports }), declined };
            }
            None => declined.push((i, vec!["InsufficientPorts"])),
        }
    }
    Offered { placement: None, declined }
}

/// Agents ordered so that those with fewer of this app's instances come first (spreads tasks).
fn spread_order(n: usize, placed: &[usize]) -> Vec<usize> {
    let mut count = vec![0usize; n];
    for &p in placed {
        if p < n {
            count[p] += 1;
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (count[i], i));
    order
}

fn pick_ports(agent: &Agent, used: &BTreeSet<u32>, demand: &[Option<u32>]) -> Option<Vec<u32>> {
    let (lo, hi) = agent.ports;
    let mut taken: BTreeSet<u32> = BTreeSet::new();
    let mut out = Vec::with_capacity(demand.len());
    for d in demand {
        let port = match d {
            Some(p) => {
                if *p < lo || *p > hi || used.contains(p) || taken.contains(p) {
                    return None;
                }
                *p
            }
            None => {
                let start = agent.next_port.clamp(lo, hi);
                (start..=hi).chain(lo..start).find(|p| {
                    !used.contains(p)
                        && !taken.contains(p)
                        && !demand.contains(&Some(*p))
                        && free_on_host(&agent.hostname, *p)
                })?
            }
        };
        taken.insert(port);
        out.push(port);
    }
    Some(out)
}

/// Whether nothing else on this machine listens on the agent's address and port (the agents
/// share the host with other programs, and other engines, so an offer only holds free ports).
fn free_on_host(ip: &str, port: u32) -> bool {
    let Ok(port) = u16::try_from(port) else { return false };
    std::net::TcpListener::bind((ip, port)).is_ok()
}

/// Whether every constraint allows placing one more instance on agent `i`, given the agents of
/// the app's current instances (`placed`).
pub(crate) fn constraints_allow(constraints: &[Vec<String>], agents: &[Agent], i: usize, placed: &[usize]) -> bool {
    constraints.iter().all(|c| constraint_allows(c, agents, i, placed))
}

fn constraint_allows(c: &[String], agents: &[Agent], i: usize, placed: &[usize]) -> bool {
    let (Some(field), Some(op)) = (c.first(), c.get(1)) else { return true };
    let value = c.get(2).map(String::as_str);
    let here = agents[i].field(field);
    let placed_values = || placed.iter().filter_map(|&p| agents.get(p).and_then(|a| a.field(field)));
    let Some(op) = Operator::parse(op) else { return false };
    match op {
        Operator::Unique => here.is_some_and(|h| placed_values().all(|v| v != h)),
        Operator::Cluster => match (here, value.filter(|v| !v.is_empty())) {
            (Some(h), Some(v)) => h == v,
            (Some(h), None) => placed_values().next().is_none_or(|first| first == h),
            (None, _) => false,
        },
        Operator::GroupBy => {
            let Some(h) = here else { return false };
            let mut counts: BTreeMap<&str, usize> =
                agents.iter().filter_map(|a| a.field(field)).map(|v| (v, 0)).collect();
            for v in placed_values() {
                *counts.entry(v).or_default() += 1;
            }
            let min = counts.values().copied().min().unwrap_or(0);
            counts.get(h).copied().unwrap_or(0) <= min
        }
        Operator::MaxPer => {
            let max: usize = value.and_then(|v| v.parse().ok()).unwrap_or(0);
            here.is_some_and(|h| placed_values().filter(|v| *v == h).count() < max)
        }
        Operator::Like => here.is_some_and(|h| full_match(value.unwrap_or_default(), h)),
        Operator::Unlike => here.is_none_or(|h| !full_match(value.unwrap_or_default(), h)),
        Operator::Is => here.is_some_and(|h| Some(h) == value),
    }
}

/// LIKE/UNLIKE match the whole attribute value with Java regex syntax (`mesos/Constraints.scala`;
/// [`crate::marathon::rules::like_matches`]).
fn full_match(pattern: &str, text: &str) -> bool {
    crate::marathon::rules::like_matches(pattern, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::Config;

    fn agents() -> Vec<Agent> {
        let mut config = Config::default();
        config.agent_attributes.insert(1, [("rack".to_string(), "r1".to_string())].into());
        config.agent_attributes.insert(2, [("rack".to_string(), "r1".to_string())].into());
        config.agent_attributes.insert(3, [("rack".to_string(), "r2".to_string())].into());
        super::super::agents::build(&config)
    }

    fn c(v: &[&str]) -> Vec<Vec<String>> {
        vec![v.iter().map(|s| s.to_string()).collect()]
    }

    #[test]
    fn unique_hostname_spreads_and_refuses_a_fourth() {
        let a = agents();
        assert!(constraints_allow(&c(&["hostname", "UNIQUE"]), &a, 0, &[1, 2]));
        assert!(!constraints_allow(&c(&["hostname", "UNIQUE"]), &a, 1, &[1]));
    }

    #[test]
    fn cluster_like_unlike_is_max_per_group_by() {
        let a = agents();
        assert!(constraints_allow(&c(&["rack", "CLUSTER", "r2"]), &a, 2, &[]));
        assert!(!constraints_allow(&c(&["rack", "CLUSTER", "r2"]), &a, 0, &[]));
        assert!(!constraints_allow(&c(&["rack", "CLUSTER"]), &a, 2, &[0]));
        assert!(constraints_allow(&c(&["rack", "LIKE", "r[12]"]), &a, 0, &[]));
        // Java regex syntax (lookahead), as `mesos/Constraints.scala` matches it.
        assert!(!constraints_allow(&c(&["rack", "LIKE", "(?!r1$).*"]), &a, 0, &[]));
        assert!(constraints_allow(&c(&["rack", "LIKE", "(?!r1$).*"]), &a, 2, &[]));
        assert!(constraints_allow(&c(&["rack", "UNLIKE", "(r)\\1"]), &a, 0, &[]));
        assert!(!constraints_allow(&c(&["rack", "LIKE", "r"]), &a, 0, &[]));
        assert!(constraints_allow(&c(&["nothere", "UNLIKE", "x"]), &a, 0, &[]));
        assert!(!constraints_allow(&c(&["rack", "UNLIKE", "r1"]), &a, 0, &[]));
        assert!(constraints_allow(&c(&["rack", "IS", "r1"]), &a, 0, &[]));
        assert!(!constraints_allow(&c(&["rack", "MAX_PER", "2"]), &a, 0, &[0, 1]));
        assert!(constraints_allow(&c(&["rack", "MAX_PER", "2"]), &a, 2, &[0, 1]));
        assert!(!constraints_allow(&c(&["rack", "GROUP_BY"]), &a, 0, &[0]));
        assert!(constraints_allow(&c(&["rack", "GROUP_BY"]), &a, 2, &[0]));
    }

    #[test]
    fn every_declined_agent_has_its_reasons() {
        let mut a = agents();
        let mut usage = vec![Usage::default(); 3];
        let app = App { cpus: Some(100.0), mem: Some(1.0), ..App::default() };
        let offered = place(&app, &mut a, &mut usage, &[], &BTreeSet::new());
        assert_eq!(offered.placement, None);
        assert_eq!(offered.declined.len(), 3, "every agent declined");
        assert!(offered.declined.iter().all(|(_, r)| r == &["InsufficientCpus"]));
    }

    /// ResourceMatcher.scala collects every insufficient scalar and the constraint together.
    #[test]
    fn scalars_and_constraints_are_all_reasons() {
        let mut a = agents();
        let mut usage = vec![Usage::default(); 3];
        let app = App {
            cpus: Some(100.0),
            mem: Some(1.0e9),
            constraints: Some(c(&["rack", "CLUSTER", "nowhere"])),
            ..App::default()
        };
        let offered = place(&app, &mut a, &mut usage, &[], &BTreeSet::from([0]));
        assert_eq!(offered.declined.len(), 2, "a skipped agent is not offered");
        assert_eq!(offered.declined[0].1, ["InsufficientCpus", "InsufficientMemory", "UnfulfilledConstraint"]);
    }

    #[test]
    fn fixed_ports_outside_the_range_do_not_fit() {
        let mut a = agents();
        let mut usage = vec![Usage::default(); 3];
        let app = App {
            cpus: Some(0.1),
            mem: Some(1.0),
            require_ports: Some(true),
            port_definitions: Some(vec![crate::marathon::types::PortDefinition { port: 10001, ..Default::default() }]),
            ..App::default()
        };
        let offered = place(&app, &mut a, &mut usage, &[], &BTreeSet::new());
        assert!(offered.placement.is_none());
        assert!(offered.declined.iter().all(|(_, r)| r == &["InsufficientPorts"]));
        let app = App { require_ports: Some(false), ..app };
        let ok = place(&app, &mut a, &mut usage, &[], &BTreeSet::new()).placement.unwrap();
        assert_eq!(ok.host_ports.len(), 1, "a free port from the range");
        assert!((31000..=32000).contains(&ok.host_ports[0]));
    }
}
