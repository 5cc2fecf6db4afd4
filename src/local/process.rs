//! Task processes: sandbox, fetch, Marathon's task environment, spawn in a process group, wait,
//! and kill (SIGTERM, then SIGKILL after the grace period).

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::marathon::types::App;

use super::clock::now_iso;
use super::events;
use super::fetch;
use super::health;
use super::ops::{self, KillJob, LaunchJob};
use super::state::TaskState;
use super::Shared;

/// Marathon's task environment (M:docs/docs/task-environment-vars.md) plus the app's `env`.
pub(crate) fn task_env(
    app: &App,
    task_id: &str,
    host: &str,
    host_ports: &[u32],
    service_ports: &[u32],
    sandbox: &str,
) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for (k, v) in app.env.iter().flatten() {
        if let Some(s) = v.as_str() {
            env.insert(k.clone(), s.to_string());
        }
    }
    env.insert("HOST".into(), host.into());
    env.insert("LIBPROCESS_IP".into(), host.into());
    let names = super::normalize::port_names(app);
    for (i, port) in host_ports.iter().enumerate() {
        env.insert(format!("PORT{i}"), port.to_string());
        if let Some(sp) = service_ports.get(i).filter(|p| **p != 0) {
            env.insert(format!("PORT_{sp}"), port.to_string());
        }
        if let Some(Some(name)) = names.get(i) {
            env.insert(format!("PORT_{}", sanitize(name)), port.to_string());
        }
    }
    if let Some(first) = host_ports.first() {
        env.insert("PORT".into(), first.to_string());
    }
    env.insert("PORTS".into(), host_ports.iter().map(u32::to_string).collect::<Vec<_>>().join(","));
    env.insert("MARATHON_APP_ID".into(), app.id.clone());
    env.insert("MARATHON_APP_VERSION".into(), app.version.clone().unwrap_or_default());
    if let Some(image) = app.container.as_ref().and_then(|c| c.docker.as_ref()).map(|d| d.image.clone()) {
        env.insert("MARATHON_APP_DOCKER_IMAGE".into(), image);
    }
    let mut label_names = Vec::new();
    for (k, v) in app.labels.iter().flatten() {
        if v.len() <= 512 {
            let name = sanitize(k);
            env.insert(format!("MARATHON_APP_LABEL_{name}"), v.clone());
            label_names.push(name);
        }
    }
    env.insert("MARATHON_APP_LABELS".into(), label_names.join(" "));
    env.insert("MARATHON_APP_RESOURCE_CPUS".into(), format_resource(app.cpus.unwrap_or(1.0)));
    env.insert("MARATHON_APP_RESOURCE_MEM".into(), format_resource(app.mem.unwrap_or(128.0)));
    env.insert("MARATHON_APP_RESOURCE_DISK".into(), format_resource(app.disk.unwrap_or(0.0)));
    env.insert("MARATHON_APP_RESOURCE_GPUS".into(), (app.gpus.unwrap_or(0.0) as u64).to_string());
    env.insert("MESOS_TASK_ID".into(), task_id.into());
    env.insert("MESOS_SANDBOX".into(), sandbox.into());
    env.insert("MESOS_DIRECTORY".into(), sandbox.into());
    env
}

/// `PORT_<NAME>` / `MARATHON_APP_LABEL_<NAME>`: upper-case, non-alphanumerics become `_`.
fn sanitize(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect()
}

fn format_resource(v: f64) -> String {
    format!("{v:.1}")
}

/// Launches one task: sandbox, fetch, spawn; then waits for it and records how it ended.
pub(crate) async fn launch(shared: Arc<Shared>, job: LaunchJob) {
    let app_id = job.app.id.clone();
    let child = match prepare_and_spawn(&shared, &job).await {
        Ok(child) => child,
        Err(message) => {
            let mut st = shared.lock();
            ops::terminal(&mut st, &shared.bus, &app_id, &job.instance_id, TaskState::Failed, &message);
            drop(st);
            shared.wake.notify_one();
            return;
        }
    };
    let mut child = child;
    let pid = child.id().map(|p| p as i32);
    let wanted = {
        let mut st = shared.lock();
        let wanted = st.instances.get(&app_id).and_then(|m| m.get(&job.instance_id)).is_some_and(|i| i.goal_running);
        if let (true, Some(inst)) = (wanted, st.instances.get_mut(&app_id).and_then(|m| m.get_mut(&job.instance_id))) {
            inst.pgid = pid;
            inst.state = TaskState::Running;
            inst.started_at = Some(now_iso());
            inst.started_instant = Some(Instant::now());
            let copy = inst.clone();
            events::task_changed(&shared.bus, &copy, TaskState::Running, &job.host, &job.agent_id, "");
        } else if let Some(inst) = st.instances.get_mut(&app_id).and_then(|m| m.get_mut(&job.instance_id)) {
            inst.pgid = pid;
        }
        wanted
    };
    if let Some(pid) = pid {
        if wanted {
            health::start(shared.clone(), &job);
        } else {
            signal_group(pid, libc::SIGKILL);
        }
    }
    let status = child.wait().await;
    if let Some(pid) = pid {
        signal_group(pid, libc::SIGKILL); // whatever the task left behind in its group
    }
    let (state, message) = match status {
        Ok(s) if s.success() => (TaskState::Finished, "Command exited with status 0".to_string()),
        Ok(s) => match s.code() {
            Some(code) => (TaskState::Failed, format!("Command exited with status {code}")),
            None => (TaskState::Failed, format!("Command terminated: {s}")),
        },
        Err(e) => (TaskState::Failed, format!("Cannot wait for the task: {e}")),
    };
    let mut st = shared.lock();
    ops::terminal(&mut st, &shared.bus, &app_id, &job.instance_id, state, &message);
    drop(st);
    shared.wake.notify_one();
}

async fn prepare_and_spawn(shared: &Shared, job: &LaunchJob) -> Result<tokio::process::Child, String> {
    tokio::fs::create_dir_all(&job.sandbox).await.map_err(|e| format!("Cannot create the sandbox: {e}"))?;
    for item in job.app.fetch.iter().flatten() {
        fetch::fetch(item, &job.sandbox).await.map_err(|e| format!("Failed to fetch all URIs for container: {e}"))?;
    }
    let sandbox = job.sandbox.to_string_lossy().to_string();
    let env = task_env(&job.app, &job.task_id, &job.host, &job.host_ports, &job.service_ports, &sandbox);
    let stdout = std::fs::File::create(job.sandbox.join("stdout")).map_err(|e| e.to_string())?;
    let stderr = std::fs::File::create(job.sandbox.join("stderr")).map_err(|e| e.to_string())?;
    let mut cmd = if shared.docker_available && is_docker(&job.app) {
        docker_command(&job.app, &job.task_id, &env)
    } else if let Some(args) = job.app.args.as_ref().filter(|a| !a.is_empty()) {
        let mut c = tokio::process::Command::new(&args[0]);
        c.args(&args[1..]);
        c
    } else {
        let mut c = tokio::process::Command::new("/bin/sh");
        c.arg("-c").arg(job.app.cmd.clone().unwrap_or_default());
        c
    };
    cmd.envs(&env)
        .current_dir(&job.sandbox)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .process_group(0)
        .kill_on_drop(false);
    cmd.spawn().map_err(|e| format!("Failed to launch the command: {e}"))
}

/// A Docker app (runs under Docker when an engine is present, else simulated).
pub(crate) fn is_docker(app: &App) -> bool {
    app.container.as_ref().is_some_and(|c| {
        c.kind.as_deref() == Some("DOCKER") || c.docker.is_some() && app.cmd.is_none() && app.args.is_none()
    })
}

fn docker_command(app: &App, task_id: &str, env: &BTreeMap<String, String>) -> tokio::process::Command {
    let mut c = tokio::process::Command::new("docker");
    c.args(["run", "--rm", "--net=host", "--name", &format!("mesos-{task_id}")]);
    for (k, v) in env {
        c.arg("-e").arg(format!("{k}={v}"));
    }
    let docker = app.container.as_ref().and_then(|c| c.docker.as_ref());
    if docker.and_then(|d| d.privileged).unwrap_or(false) {
        c.arg("--privileged");
    }
    for p in docker.and_then(|d| d.parameters.as_ref()).into_iter().flatten() {
        if let (Some(k), Some(v)) = (p.get("key").and_then(|v| v.as_str()), p.get("value").and_then(|v| v.as_str())) {
            c.arg(format!("--{k}={v}"));
        }
    }
    c.arg(docker.map(|d| d.image.clone()).unwrap_or_default());
    if let Some(cmd) = &app.cmd {
        c.args(["sh", "-c", cmd]);
    } else {
        c.args(app.args.iter().flatten());
    }
    c
}

/// Signals a whole process group; a vanished group is fine.
pub(crate) fn signal_group(pgid: i32, signal: i32) {
    if pgid > 1 {
        // SAFETY: kill(2) with a negative pid signals a process group; it touches no memory.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

/// Whether a process group still has members.
pub(crate) fn group_alive(pgid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    pgid > 1 && unsafe { libc::kill(-pgid, 0) } == 0
}

/// SIGTERM now, SIGKILL after the grace period if anything is left.
pub(crate) async fn kill(job: KillJob) {
    signal_group(job.pgid, libc::SIGTERM);
    let deadline = Instant::now() + job.grace;
    while Instant::now() < deadline && group_alive(job.pgid) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    signal_group(job.pgid, libc::SIGKILL);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_follows_marathon() {
        let app = App {
            id: "/prod/web".into(),
            version: Some("2020-01-01T00:00:00.000Z".into()),
            cpus: Some(0.5),
            mem: Some(64.0),
            labels: Some([("dev.frontend".to_string(), "yes".to_string())].into()),
            port_definitions: Some(vec![crate::marathon::types::PortDefinition {
                port: 10001,
                name: Some("http-api".into()),
                ..Default::default()
            }]),
            ..App::default()
        };
        let env = task_env(&app, "prod_web.instance-x._app.1", "127.0.0.2", &[31005], &[10001], "/sb");
        assert_eq!(env["HOST"], "127.0.0.2");
        assert_eq!(env["PORT0"], "31005");
        assert_eq!(env["PORT"], "31005");
        assert_eq!(env["PORTS"], "31005");
        assert_eq!(env["PORT_HTTP_API"], "31005");
        assert_eq!(env["PORT_10001"], "31005");
        assert_eq!(env["MARATHON_APP_ID"], "/prod/web");
        assert_eq!(env["MARATHON_APP_LABEL_DEV_FRONTEND"], "yes");
        assert_eq!(env["MARATHON_APP_LABELS"], "DEV_FRONTEND");
        assert_eq!(env["MARATHON_APP_RESOURCE_CPUS"], "0.5");
        assert_eq!(env["MESOS_TASK_ID"], "prod_web.instance-x._app.1");
        assert_eq!(env["MESOS_SANDBOX"], "/sb");
    }
}
