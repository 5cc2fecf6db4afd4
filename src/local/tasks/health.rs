//! Health checks (HTTP, HTTPS, TCP, COMMAND and the MESOS_* forms), really run against each
//! task, with grace period, interval, timeout and maxConsecutiveFailures. HTTP(S) checks go
//! through the engine's shared check client ([`HttpClients`]). Readiness checks run only inside
//! deployments: [`crate::local::deployments::readiness`].
//!
//! The two levels differ as in Marathon (M: = mesosphere/marathon v1.10.26):
//! - Marathon runs every `HTTP`, `HTTPS` and `TCP` check (`core/health/impl/HealthCheckActor.scala`).
//! - Mesos runs one check per task: `mesos/TaskBuilder.scala` hands it the first Mesos-level check
//!   (`COMMAND`, `MESOS_*`) and drops the others, and `MarathonHealthCheckManager.scala` feeds the
//!   task's one Mesos health status to every Mesos-level check. Here the first in the app's list
//!   runs and its result is written to every Mesos-level check.
//! - When a task is killed for failing: [`rules::kill_after_failures`].
//!
//! Simulated Docker tasks (no Docker engine) get no shortcut: their checks run like any task's,
//! so HTTP, HTTPS and TCP checks find nothing listening, and a `COMMAND` check, which would run
//! inside the container, fails because there is none. They are never healthy or ready, as a
//! container that does not answer would be on Marathon.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::local::events;
use crate::local::http_clients::HttpClients;
use crate::local::model::clock::now_iso;
use crate::local::model::state::State;
use crate::local::Shared;
use crate::marathon::rules::{self, HealthProtocol};
use crate::marathon::types::{HealthCheck, HealthCheckResult};

use super::ops::{self, Effects, LaunchJob};
use super::procgroup;
use super::task_env::task_env;

/// One running check: the check, its level, and the result slots (indices into the task's
/// `healthCheckResults`) it writes: its own, or every Mesos-level check's.
#[derive(Debug, Clone)]
struct Runner {
    hc: HealthCheck,
    protocol: HealthProtocol,
    slots: Vec<usize>,
}

/// The checks that really run for an app's task: every Marathon-level check, and the first
/// Mesos-level one writing to all Mesos-level slots (module doc).
fn runners(checks: &[HealthCheck]) -> Vec<Runner> {
    let protocols: Vec<Option<HealthProtocol>> =
        checks.iter().map(|hc| HealthProtocol::parse(hc.protocol.as_deref().unwrap_or("HTTP")).ok()).collect();
    let mesos_slots: Vec<usize> =
        (0..checks.len()).filter(|&i| protocols[i].is_some_and(|p| p.is_mesos_level())).collect();
    let mut out = Vec::new();
    for (i, (hc, protocol)) in checks.iter().zip(&protocols).enumerate() {
        let Some(protocol) = *protocol else { continue };
        if protocol.is_marathon_level() {
            out.push(Runner { hc: hc.clone(), protocol, slots: vec![i] });
        } else if mesos_slots.first() == Some(&i) {
            out.push(Runner { hc: hc.clone(), protocol, slots: mesos_slots.clone() });
        }
    }
    out
}

/// Starts the health-check loops of a freshly started task. Readiness checks run only inside
/// deployments ([`crate::local::deployments::readiness`]).
pub(crate) fn start(shared: Arc<Shared>, job: &LaunchJob) {
    for runner in runners(job.app.health_checks.as_deref().unwrap_or_default()) {
        shared.spawn("health check", check_loop(shared.clone(), job.clone(), runner));
    }
}

fn secs(v: Option<u64>, default: u64) -> Duration {
    Duration::from_secs(v.unwrap_or(default))
}

/// Whether the task is a simulated Docker task (no process).
pub(crate) fn is_simulated(shared: &Shared, job: &LaunchJob) -> bool {
    let st = shared.lock();
    st.instances.get(&job.app.id).and_then(|m| m.get(&job.instance_id)).is_some_and(|i| i.simulated)
}

/// Why a `COMMAND` check of a simulated task fails.
const NO_CONTAINER: &str = "Command cannot run: this is a simulated Docker task, with no container to run it in";

/// Whether the task is still meant to run (checks stop once it is killed or gone).
fn running(shared: &Shared, job: &LaunchJob) -> bool {
    let st = shared.lock();
    st.instances.get(&job.app.id).and_then(|m| m.get(&job.instance_id)).is_some_and(|i| i.goal_running)
}

/// How long after its start an app version's Marathon-level checks first tick, at most
/// (`HealthCheck.DefaultFirstHealthCheckAfter`, M:src/main/scala/mesosphere/marathon/core/health/HealthCheck.scala).
const FIRST_CHECK_AFTER: Duration = Duration::from_secs(5);

/// Starts (or finds) the clock of the Marathon-level health checks of `app_id` at `version`;
/// returns when it started. Marathon starts an app version's checks when a deployment step acts
/// on the app (`DeploymentActor.performStep` calls `healthCheckManager.addAllFor`), or when its
/// reconciliation finds running instances of a version without them, and drops those of a
/// version that is neither current nor running
/// (M:src/main/scala/mesosphere/marathon/core/health/impl/MarathonHealthCheckManager.scala
/// `reconcile`).
pub(crate) fn start_clock(st: &mut State, app_id: &str, version: &str, now: Instant) -> Instant {
    let (apps, instances) = (&st.apps, &st.instances);
    st.health_clocks.retain(|(app, v), _| {
        apps.get(app).is_some_and(|r| r.def.version.as_deref() == Some(v.as_str()))
            || instances.get(app).is_some_and(|m| m.values().any(|i| &i.version == v))
    });
    *st.health_clocks.entry((app_id.to_owned(), version.to_owned())).or_insert(now)
}

/// The first tick strictly after `after` of a check that ticks every `interval` from `origin`:
/// `origin + min(interval, 5s) + k × interval` (`HealthCheckActor.preStart`: `Source.tick(startAfter,
/// interval, Tick)`).
fn next_tick(origin: Instant, interval: Duration, after: Instant) -> Instant {
    let first = origin + interval.min(FIRST_CHECK_AFTER);
    if after < first {
        return first;
    }
    let elapsed = after.duration_since(first).as_nanos();
    let step = interval.as_nanos().max(1);
    let ticks = elapsed / step + 1;
    first + Duration::from_nanos(u64::try_from(ticks * step).unwrap_or(u64::MAX))
}

/// Runs one check of one task until the task ends. A Marathon-level check (HTTP, HTTPS, TCP)
/// runs on its app version's ticks, as Marathon's one `HealthCheckActor` per app version and
/// check checks every running instance of that version at each tick
/// (M:src/main/scala/mesosphere/marathon/core/health/impl/HealthCheckActor.scala): a task that
/// starts between two ticks is first checked at the next one. A Mesos-level check runs per task
/// from its start, as the Mesos executor runs it.
async fn check_loop(shared: Arc<Shared>, job: LaunchJob, runner: Runner) {
    let interval = secs(runner.hc.interval_seconds, 60).max(Duration::from_millis(100));
    let mut stop = shared.stop_signal();
    let clock = runner.protocol.is_marathon_level().then(|| {
        let version = job.app.version.clone().unwrap_or_default();
        start_clock(&mut shared.lock(), &job.app.id, &version, Instant::now())
    });
    let mut last = Instant::now();
    loop {
        if let Some(origin) = clock {
            let tick = next_tick(origin, interval, last);
            last = tick;
            tokio::select! {
                () = tokio::time::sleep_until(tick.into()) => {}
                _ = stop.changed() => return,
            }
        }
        if !running(&shared, &job) {
            return;
        }
        let outcome = if runner.protocol == HealthProtocol::Command && is_simulated(&shared, &job) {
            Err(NO_CONTAINER.to_owned())
        } else {
            run_check(&shared.http, &runner.hc, &job).await
        };
        shared.metrics.health_check(runner.protocol, outcome.as_ref().map(Option::is_some).map_err(|_| ()));
        if record(&shared, &job, &runner, outcome) {
            return;
        }
        if clock.is_none() {
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                _ = stop.changed() => return,
            }
        }
    }
}

/// The port a check addresses: `port`, or the host port at `portIndex`.
fn check_port(hc: &HealthCheck, job: &LaunchJob) -> Option<u16> {
    let port = match hc.port {
        Some(p) => p,
        None => *job.host_ports.get(hc.port_index.unwrap_or(0) as usize)?,
    };
    u16::try_from(port).ok()
}

/// Runs one check: `Ok(Some(()))` passed, `Ok(None)` no result (ignored 1xx), `Err` failed with a cause.
async fn run_check(http: &HttpClients, hc: &HealthCheck, job: &LaunchJob) -> Result<Option<()>, String> {
    let timeout = secs(hc.timeout_seconds, 20).max(Duration::from_millis(100));
    let protocol = hc.protocol.as_deref().unwrap_or("HTTP");
    match protocol {
        "COMMAND" => {
            let cmd = hc.command.as_ref().map(|c| c.value.clone()).unwrap_or_default();
            let sandbox = job.sandbox.to_string_lossy().to_string();
            let env = task_env(&job.app, &job.task_id, &job.host, &job.host_ports, &job.service_ports, &sandbox);
            let child = tokio::process::Command::new("/bin/sh")
                .arg("-c")
                .arg(&cmd)
                .envs(&env)
                .current_dir(&job.sandbox)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .process_group(0)
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| e.to_string())?;
            // The check runs in its own process group: whatever it started dies with it, on
            // timeout as well as after it answered.
            let group = child.id().and_then(|p| i32::try_from(p).ok()).unwrap_or(0);
            let outcome = tokio::time::timeout(timeout, child.wait_with_output()).await;
            procgroup::signal_group(group, libc::SIGKILL);
            match outcome {
                Ok(Ok(out)) if out.status.success() => Ok(Some(())),
                Ok(Ok(out)) => Err(format!("Command `{cmd}` exited with {}", out.status)),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err(format!("Command `{cmd}` timed out")),
            }
        }
        "TCP" | "MESOS_TCP" => {
            let port = check_port(hc, job).ok_or("no port to check")?;
            match tokio::time::timeout(timeout, tokio::net::TcpStream::connect((job.host.as_str(), port))).await {
                Ok(Ok(_)) => Ok(Some(())),
                Ok(Err(e)) => Err(format!("Connection to {}:{port} failed: {e}", job.host)),
                Err(_) => Err(format!("Connection to {}:{port} timed out", job.host)),
            }
        }
        protocol => {
            let scheme = if matches!(protocol, "HTTPS" | "MESOS_HTTPS") { "https" } else { "http" };
            let port = check_port(hc, job).ok_or("no port to check")?;
            let url = check_url(scheme, &job.host, port, hc.path.as_deref());
            let code = http.check_status(&url, timeout).await?;
            http_verdict(code, hc)
        }
    }
}

/// `scheme://host:port/path` (a path without a leading `/` gets one).
fn check_url(scheme: &str, host: &str, port: u16, path: Option<&str>) -> String {
    let path = path.unwrap_or("/");
    let slash = if path.starts_with('/') { "" } else { "/" };
    format!("{scheme}://{host}:{port}{slash}{path}")
}

/// Marathon's verdict on an HTTP(S) answer: 200–399 pass, 1xx give no result when ignored.
fn http_verdict(code: u16, hc: &HealthCheck) -> Result<Option<()>, String> {
    match code {
        100..=199 if hc.ignore_http1xx.unwrap_or(false) => Ok(None),
        200..=399 => Ok(Some(())),
        c => Err(format!("HTTP {c}")),
    }
}

/// Forgets every task's health results, as a new Marathon leader does: its `HealthCheckActor`s
/// start with an empty `healthByInstanceId`, so every task lists no result until its checks
/// report again (M:src/main/scala/mesosphere/marathon/core/health/impl/HealthCheckActor.scala).
/// The checks keep running on their intervals.
pub(crate) fn forget_results(st: &mut crate::local::model::state::State) {
    for slot in st.instances.values_mut().flat_map(|m| m.values_mut()).flat_map(|i| i.health.iter_mut()) {
        *slot = None;
    }
}

/// Records a check result in every slot of the runner; returns true when the task was killed
/// for failing ([`rules::kill_after_failures`]).
fn record(shared: &Arc<Shared>, job: &LaunchJob, runner: &Runner, outcome: Result<Option<()>, String>) -> bool {
    let hc = &runner.hc;
    let mut fx = Effects::default();
    let killed = {
        let mut st = shared.lock();
        let bus = shared.bus.clone();
        let Some(inst) = st.instances.get_mut(&job.app.id).and_then(|m| m.get_mut(&job.instance_id)) else {
            return true;
        };
        let Some(&first) = runner.slots.first() else { return true };
        let Some(slot) = inst.health.get(first).cloned() else { return true };
        // A check's first result (even one ignored, as a failure in the grace period or a 1xx
        // is) creates its entry (`HealthCheckActor.updateInstanceHealth` stores `Health(id)`).
        let result =
            slot.unwrap_or_else(|| HealthCheckResult { instance_id: job.instance_id.clone(), ..Default::default() });
        let was_alive = result.alive;
        let mut next = result;
        let mut kill = false;
        match outcome {
            Ok(None) => {}
            Ok(Some(())) => {
                let now = now_iso();
                next.alive = true;
                next.consecutive_failures = 0;
                next.first_success.get_or_insert_with(|| now.clone());
                next.last_success = Some(now);
            }
            Err(cause) => {
                let grace = secs(hc.grace_period_seconds, 300);
                let in_grace = next.first_success.is_none()
                    && inst.started_instant.is_some_and(|t| Instant::now().duration_since(t) < grace);
                if !in_grace {
                    next.alive = false;
                    next.consecutive_failures += 1;
                    next.last_failure = Some(now_iso());
                    next.last_failure_cause = Some(cause.clone());
                    events::failed_health_check(&bus, &job.app.id, &job.instance_id, hc);
                    let max = hc.max_consecutive_failures.unwrap_or(3);
                    kill = rules::kill_after_failures(runner.protocol, max)
                        .is_some_and(|n| next.consecutive_failures >= n);
                }
            }
        }
        let before = events::instance_health(&inst.health);
        for &slot in &runner.slots {
            if let Some(r) = inst.health.get_mut(slot) {
                *r = Some(next.clone());
            }
        }
        let version = inst.version.clone();
        let change = events::HealthChange {
            app_id: &job.app.id,
            instance_id: &job.instance_id,
            version: &version,
            was_alive,
            alive: next.alive,
            before,
            after: events::instance_health(&inst.health),
        };
        events::health_changed(&bus, &change);
        if kill {
            // Marathon announces its own kills (`HealthCheckActor.checkConsecutiveFailures`) and
            // records them as `lastTaskFailure`; a Mesos-level check is killed by the agent, which
            // Marathon only sees as TASK_KILLED: no failure. Neither grows the launch delay.
            let announced = runner.protocol.is_marathon_level();
            if announced {
                bus.emit(
                    "unhealthy_instance_kill_event",
                    json!({"appId": job.app.id, "taskId": job.task_id, "instanceId": job.instance_id, "version": version,
                           "reason": next.last_failure_cause, "host": job.host, "slaveId": job.agent_id}),
                );
            }
            tracing::info!(app = %job.app.id, task = %job.task_id, protocol = %runner.protocol, failures = next.consecutive_failures, "killing a task whose health checks failed");
            ops::kill(&mut st, &bus, &job.app.id, &job.instance_id, &mut fx, announced);
        }
        kill
    };
    for k in fx.kills {
        shared.spawn("task killer", procgroup::kill(k));
    }
    shared.wake.notify_one();
    killed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_start_after_min_of_interval_and_5s_then_every_interval() {
        let origin = Instant::now();
        let second = Duration::from_secs(1);
        assert_eq!(next_tick(origin, second, origin), origin + second, "the first tick is one interval in");
        let ms = Duration::from_millis;
        assert_eq!(next_tick(origin, second, origin + ms(1400)), origin + ms(2000), "a task started between ticks");
        assert_eq!(next_tick(origin, second, origin + ms(2000)), origin + ms(3000), "strictly after the last tick");
        let minute = Duration::from_secs(60);
        assert_eq!(next_tick(origin, minute, origin), origin + FIRST_CHECK_AFTER, "at most 5s before the first");
        assert_eq!(next_tick(origin, minute, origin + ms(5000)), origin + ms(65_000));
    }
    use crate::local::http_clients::testing::{response, serve};

    fn job(port: u16) -> LaunchJob {
        LaunchJob {
            app: Arc::new(crate::marathon::types::App { id: "/web".into(), ..Default::default() }),
            instance_id: "web.instance-1".into(),
            task_id: "web.instance-1._app.1".into(),
            host: "127.0.0.1".into(),
            agent_id: "agent-1".into(),
            host_ports: vec![u32::from(port)],
            service_ports: vec![10000],
            sandbox: std::env::temp_dir(),
        }
    }

    fn http_check(protocol: &str, path: &str) -> HealthCheck {
        HealthCheck {
            protocol: Some(protocol.into()),
            path: Some(path.into()),
            port_index: Some(0),
            timeout_seconds: Some(5),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn http_checks_pass_on_2xx_and_3xx_and_fail_on_5xx() {
        let http = HttpClients::new().unwrap();
        let ok = serve(response("200 OK", "", "ok")).await;
        let redirect = serve(response("301 Moved Permanently", "Location: http://127.0.0.1:1/\r\n", "")).await;
        let broken = serve(response("500 Internal Server Error", "", "")).await;
        assert_eq!(run_check(&http, &http_check("HTTP", "/health"), &job(ok)).await, Ok(Some(())));
        assert_eq!(run_check(&http, &http_check("MESOS_HTTP", "health"), &job(ok)).await, Ok(Some(())));
        assert_eq!(run_check(&http, &http_check("HTTP", "/"), &job(redirect)).await, Ok(Some(())));
        assert_eq!(run_check(&http, &http_check("HTTP", "/"), &job(broken)).await, Err("HTTP 500".to_string()));
    }

    #[tokio::test]
    async fn http_checks_fail_when_nothing_answers() {
        let http = HttpClients::new().unwrap();
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        assert!(run_check(&http, &http_check("HTTP", "/"), &job(closed)).await.is_err());
        assert!(run_check(&http, &http_check("HTTPS", "/"), &job(closed)).await.is_err());
    }

    /// `mesos/TaskBuilder.scala`: one Mesos-level check runs (the first), writing the result of
    /// every Mesos-level check; each Marathon-level check runs for itself.
    #[test]
    fn one_mesos_level_runner_writes_every_mesos_level_slot() {
        let hc = |p: &str| HealthCheck { protocol: Some(p.into()), ..Default::default() };
        let checks = [hc("HTTP"), hc("COMMAND"), hc("MESOS_TCP"), hc("TCP"), hc("COMMAND")];
        let got: Vec<(HealthProtocol, Vec<usize>)> =
            runners(&checks).into_iter().map(|r| (r.protocol, r.slots)).collect();
        use HealthProtocol::*;
        assert_eq!(got, [(Http, vec![0]), (Command, vec![1, 2, 4]), (Tcp, vec![3])]);
    }

    #[test]
    fn check_urls_and_verdicts() {
        assert_eq!(check_url("https", "127.0.0.2", 31000, Some("ping")), "https://127.0.0.2:31000/ping");
        assert_eq!(check_url("http", "127.0.0.2", 31000, None), "http://127.0.0.2:31000/");
        let mut hc = http_check("HTTP", "/");
        assert_eq!(http_verdict(399, &hc), Ok(Some(())));
        assert_eq!(http_verdict(100, &hc), Err("HTTP 100".to_string()));
        hc.ignore_http1xx = Some(true);
        assert_eq!(http_verdict(100, &hc), Ok(None));
        assert_eq!(http_verdict(404, &hc), Err("HTTP 404".to_string()));
    }
}
