//! Task processes: sandbox, fetch, spawn in a process group (with Marathon's task environment from
//! `task_env`), wait, record how the task ended and start its health checks (`procgroup` kills).

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Instant;

use crate::local::events;
use crate::local::model::clock::now_iso;
use crate::local::model::state::TaskState;
use crate::local::Shared;
use crate::marathon::types::App;

use super::fetch;
use super::health;
use super::logs;
use super::ops::{self, LaunchJob};
use super::procgroup::{self, signal_group};
use super::sandbox;
use super::task_env::task_env;

/// Launches one task: sandbox, fetch, spawn; then waits for it and records how it ended.
pub(crate) async fn launch(shared: Arc<Shared>, job: LaunchJob) {
    let app_id = job.app.id.clone();
    if health::is_simulated(&shared, &job) {
        // Running already, with no process: only its checks run, and fail (`health`).
        health::start(shared, &job);
        return;
    }
    let child = match prepare_and_spawn(&shared, &job).await {
        Ok(child) => child,
        Err(message) => {
            let mut st = shared.lock();
            ops::terminal(&mut st, &shared.bus, &app_id, &job.instance_id, TaskState::Failed, &message);
            drop(st);
            shared.wake.notify_one();
            sandbox::remove_later(&shared, job.sandbox.clone());
            return;
        }
    };
    let mut child = child;
    let pid = child.id().and_then(|p| i32::try_from(p).ok());
    if let Some(pid) = pid {
        sandbox::write_pid_file(&job.sandbox, pid);
    }
    if let Some(out) = child.stdout.take() {
        logs::pump(&shared, out, job.sandbox.join("stdout"));
    }
    if let Some(err) = child.stderr.take() {
        logs::pump(&shared, err, job.sandbox.join("stderr"));
    }
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
    if wanted {
        // Marathon's deployment steps react to the instance turning Running as the message
        // arrives (`InstanceChanged(..., Running, ...)` in
        // M:src/main/scala/mesosphere/marathon/core/deployment/impl/ReadinessBehavior.scala), not
        // at a later cycle: the cycle that advances deployments runs now.
        shared.wake.notify_one();
    }
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
    procgroup::kill_sandbox_async(job.sandbox.clone()).await; // and whatever left the group (setsid)
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
    sandbox::remove_later(&shared, job.sandbox.clone());
}

async fn prepare_and_spawn(shared: &Shared, job: &LaunchJob) -> Result<tokio::process::Child, String> {
    tokio::fs::create_dir_all(&job.sandbox).await.map_err(|e| format!("Cannot create the sandbox: {e}"))?;
    for item in job.app.fetch.iter().flatten() {
        fetch::fetch(&shared.http, item, &job.sandbox)
            .await
            .map_err(|e| format!("Failed to fetch all URIs for container: {e}"))?;
    }
    let sandbox = job.sandbox.to_string_lossy().to_string();
    let env = task_env(&job.app, &job.task_id, &job.host, &job.host_ports, &job.service_ports, &sandbox);
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
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
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
