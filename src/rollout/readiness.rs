//! Readiness checks run by the client, for restarts, where no deployment runs them.
//!
//! Marathon runs an app's readiness check only inside a deployment
//! (M:src/main/scala/mesosphere/marathon/core/deployment/impl/ReadinessBehavior.scala,
//! `readinessBehavior`, mixed into `TaskStartActor` and `TaskReplaceActor`). A restart kills
//! tasks without scaling so Marathon relaunches them, which opens no deployment: nothing checks
//! the replacements, and `readinessCheckResults` stays empty. So the restart gate probes each
//! replacement itself, exactly as Marathon would:
//! - the URL: `protocol` (`http`/`https`), the address and port of the port named `portName` as
//!   `NetworkInfo.portAssignments` resolves them (the agent's host and the task's host port;
//!   a container network's address and the container port for a mapping without host port)
//!   and `path` (M:src/main/scala/mesosphere/marathon/core/readiness/ReadinessCheckExecutor.scala,
//!   `readinessCheckSpecsForTask`; M:src/main/scala/mesosphere/marathon/core/task/state/NetworkInfo.scala,
//!   `computePortAssignments`);
//! - one `GET` per task at a time, no redirect followed, certificates not verified: the first as
//!   soon as the task runs, the next `intervalSeconds` after the previous answered, until one is
//!   ready; ready means the status is in `httpStatusCodesForReady`; no answer (headers, then
//!   body) within `timeoutSeconds`, or no connection, is not ready; once ready, ready for good
//!   (M:src/main/scala/mesosphere/marathon/core/readiness/impl/ReadinessCheckExecutorImpl.scala,
//!   `serialChecksIterator`, `execute`, `executeSingleCheck`). `preserveLastResponse` only
//!   changes what Marathon shows, so it plays no part.
//!
//! The machine running Theseus must reach the tasks' ports, as Marathon's leader does (and as
//! the consumers reading etcd do); a probe that cannot connect is not ready, so the gate waits
//! and says why until its deadline.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::marathon::readiness::ReadinessHttp;
use crate::marathon::types::{App, ReadinessCheck, Task, TaskState};

/// One readiness check of one task, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    /// `http(s)://host:port/path`.
    pub url: String,
    /// Between an answer and the next check.
    pub interval: Duration,
    /// Per check, for the answer and again for its body.
    pub timeout: Duration,
    /// `httpStatusCodesForReady`.
    pub codes: Vec<u16>,
}

/// The check of `app` (its first and only readiness check) for `task`; `None` when the app has
/// none; an error when the task has no address for the check's port (yet).
pub(super) fn target(app: &App, task: &Task) -> Option<Result<Target, String>> {
    let check = app.readiness_checks.as_ref()?.first()?;
    Some(resolve(app, task, check))
}

fn resolve(app: &App, task: &Task, check: &ReadinessCheck) -> Result<Target, String> {
    let name = check.port_name.as_deref().unwrap_or("http-api");
    let (host, port) = port_of(app, task, name)?;
    let scheme = if check.protocol.as_deref() == Some("HTTPS") { "https" } else { "http" };
    let path = check.path.as_deref().unwrap_or("/");
    let slash = if path.starts_with('/') { "" } else { "/" };
    let host = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host };
    Ok(Target {
        url: format!("{scheme}://{host}:{port}{slash}{path}"),
        interval: Duration::from_secs(check.interval_seconds.unwrap_or(30)),
        timeout: Duration::from_secs(check.timeout_seconds.unwrap_or(10)),
        codes: check.http_status_codes_for_ready.clone().unwrap_or_else(|| vec![200]),
    })
}

/// The address and port of the port named `name`, as `NetworkInfo.computePortAssignments`
/// resolves them (`includeUnresolved = false`).
fn port_of(app: &App, task: &Task, name: &str) -> Result<(String, u32), String> {
    let modes: Vec<&str> = app.networks.iter().flatten().filter_map(|n| n.mode.as_deref()).collect();
    let container_networking = modes.contains(&"container");
    let non_host = modes.iter().any(|m| *m != "host");
    // `effectiveIpAddress`: the first address Mesos reported on a container network, else the agent.
    let effective = if container_networking {
        task.ip_addresses.first().map(|a| a.ip_address.clone())
    } else {
        Some(task.host.clone())
    };
    let host_ports = task.ports.as_deref().unwrap_or_default();
    let missing = || format!("task {} has no address for port `{name}` yet", task.id);
    let mappings = app.container.as_ref().and_then(|c| c.port_mappings.as_ref());
    match mappings {
        Some(mappings) if non_host => {
            let mut next_host_port = host_ports.iter();
            for m in mappings {
                let found = match m.host_port {
                    // An agent port was asked for: agentHost:hostPort.
                    Some(_) => next_host_port.next().map(|p| (task.host.clone(), *p)),
                    None => effective.clone().zip(m.container_port),
                };
                if m.name.as_deref() == Some(name) {
                    return found.ok_or_else(missing);
                }
            }
            Err(format!("app {} has no port named `{name}`", app.id))
        }
        _ => {
            let defs = app.port_definitions.as_deref().unwrap_or_default();
            let i = defs.iter().position(|d| d.name.as_deref() == Some(name));
            let i = i.ok_or_else(|| format!("app {} has no port named `{name}`", app.id))?;
            let port = host_ports.get(i).copied().ok_or_else(missing)?;
            effective.map(|h| (h, port)).ok_or_else(missing)
        }
    }
}

/// What the probes of one task saw.
#[derive(Debug, Default)]
struct Seen {
    ready: bool,
    /// The last answer that was not ready.
    last: Option<String>,
}

/// A running probe: its results and its task (aborted on drop).
struct Probe {
    seen: Arc<Mutex<Seen>>,
    handle: tokio::task::JoinHandle<()>,
}

/// The readiness probes of one restart, one per task that runs; see the module docs.
pub(super) struct Prober {
    http: ReadinessHttp,
    probes: Mutex<BTreeMap<String, Probe>>,
}

impl std::fmt::Debug for Prober {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.probes.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("Prober").field("probes", &n).finish()
    }
}

impl Prober {
    /// A prober for `app` when it defines a readiness check (else `None`); an error only when
    /// the HTTP client cannot be built.
    pub(super) fn for_app(app: &App) -> Result<Option<Prober>, String> {
        if app.readiness_checks.as_ref().is_none_or(Vec::is_empty) {
            return Ok(None);
        }
        let http = ReadinessHttp::new()?;
        Ok(Some(Prober { http, probes: Mutex::new(BTreeMap::new()) }))
    }

    /// Whether `task` passed its readiness check. A running task not probed yet gets its probe
    /// started (the first check at once); a task that does not run is never ready.
    pub(super) fn ready(&self, app: &App, task: &Task) -> bool {
        let mut probes = self.probes.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(p) = probes.get(&task.id) {
            return p.seen.lock().unwrap_or_else(PoisonError::into_inner).ready;
        }
        if task.state != TaskState::Running {
            return false;
        }
        let Some(target) = target(app, task) else { return true };
        let seen = Arc::new(Mutex::new(Seen::default()));
        let handle = match target {
            Ok(target) => tokio::spawn(probe(self.http.clone(), target, seen.clone())),
            Err(e) => {
                // No address yet (a container network's IP not reported): look again next time.
                seen.lock().unwrap_or_else(PoisonError::into_inner).last = Some(e);
                return false;
            }
        };
        probes.insert(task.id.clone(), Probe { seen, handle });
        false
    }

    /// Stops the probes of tasks not in `live` (gone, or not counted any more).
    pub(super) fn retain(&self, live: &BTreeSet<&str>) {
        let mut probes = self.probes.lock().unwrap_or_else(PoisonError::into_inner);
        probes.retain(|id, p| {
            let keep = live.contains(id.as_str());
            if !keep {
                p.handle.abort();
            }
            keep
        });
    }

    /// What a task not ready yet last answered, for progress lines (`None` when all are ready).
    pub(super) fn waiting(&self) -> Option<String> {
        let probes = self.probes.lock().unwrap_or_else(PoisonError::into_inner);
        probes.iter().find_map(|(id, p)| {
            let seen = p.seen.lock().unwrap_or_else(PoisonError::into_inner);
            match (&seen.last, seen.ready) {
                (Some(last), false) => Some(format!("{id} not ready: {last}")),
                _ => None,
            }
        })
    }
}

impl Drop for Prober {
    fn drop(&mut self) {
        let probes = self.probes.get_mut().unwrap_or_else(PoisonError::into_inner);
        for p in probes.values() {
            p.handle.abort();
        }
    }
}

/// Checks until ready (`ReadinessCheckExecutorImpl.serialChecksIterator`).
async fn probe(http: ReadinessHttp, target: Target, seen: Arc<Mutex<Seen>>) {
    loop {
        let answer = http.status(&target.url, target.timeout).await;
        let ready = matches!(answer, Ok(status) if target.codes.contains(&status));
        {
            let mut s = seen.lock().unwrap_or_else(PoisonError::into_inner);
            if ready {
                s.ready = true;
                return;
            }
            s.last = Some(match answer {
                Ok(status) => format!("{} answered {status}", target.url),
                Err(e) => format!("{}: {e}", target.url),
            });
        }
        tracing::debug!(target: "theseus::readiness", "{} not ready", target.url);
        tokio::time::sleep(target.interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon::types::{Container, IpAddress, Network, PortDefinition, PortMapping};

    fn check(port: &str) -> ReadinessCheck {
        ReadinessCheck {
            protocol: Some("HTTPS".into()),
            path: Some("/ready".into()),
            port_name: Some(port.into()),
            interval_seconds: Some(3),
            timeout_seconds: Some(2),
            http_status_codes_for_ready: Some(vec![200, 204]),
            ..ReadinessCheck::default()
        }
    }

    fn task(ports: &[u32]) -> Task {
        Task {
            id: "t1".into(),
            host: "agent-1".into(),
            ports: Some(ports.to_vec()),
            ip_addresses: vec![IpAddress { ip_address: "10.0.0.7".into(), protocol: "IPv4".into() }],
            ..Task::default()
        }
    }

    /// Host networking: the agent and the host port at the index of the named port definition
    /// (`NetworkInfo.computePortAssignments`, `fromPortDefinitions`).
    #[test]
    fn host_networking_uses_the_agent_and_the_named_host_port() {
        let app = App {
            port_definitions: Some(vec![
                PortDefinition { name: Some("admin".into()), ..PortDefinition::default() },
                PortDefinition { name: Some("http".into()), ..PortDefinition::default() },
            ]),
            readiness_checks: Some(vec![check("http")]),
            ..App::default()
        };
        let t = target(&app, &task(&[31000, 31001])).unwrap().unwrap();
        assert_eq!(t.url, "https://agent-1:31001/ready");
        assert_eq!((t.interval, t.timeout, t.codes), (Duration::from_secs(3), Duration::from_secs(2), vec![200, 204]));
        assert!(target(&app, &task(&[31000])).unwrap().is_err(), "no host port for `http` yet");
        assert!(target(&App::default(), &task(&[])).is_none(), "no readiness check");
    }

    /// Port mappings on a container network: a mapping with a host port is agent:hostPort (host
    /// ports are consumed in order by the mappings that ask for one), one without is the task's
    /// container IP and the container port (`fromPortMappings`).
    #[test]
    fn port_mappings_follow_the_host_ports_or_the_container_address() {
        let mapping = |name: &str, host: Option<u32>, container: u32| PortMapping {
            name: Some(name.into()),
            host_port: host,
            container_port: Some(container),
            ..PortMapping::default()
        };
        let app = App {
            networks: Some(vec![Network { mode: Some("container".into()), ..Network::default() }]),
            container: Some(Container {
                port_mappings: Some(vec![mapping("a", None, 80), mapping("b", Some(0), 81), mapping("c", None, 82)]),
                ..Container::default()
            }),
            readiness_checks: Some(vec![check("b")]),
            ..App::default()
        };
        assert_eq!(target(&app, &task(&[31005])).unwrap().unwrap().url, "https://agent-1:31005/ready");
        let app_c = App { readiness_checks: Some(vec![check("c")]), ..app };
        assert_eq!(target(&app_c, &task(&[31005])).unwrap().unwrap().url, "https://10.0.0.7:82/ready");
    }
}
