//! `theseus endpoints SERVICE [-l LABEL...]`: the registered containers of the matching groups,
//! read from etcd in one range read; what a consumer script or a confd template sees.
//!
//! With `--watch` or `--exec CMD` it keeps running: an etcd watch on the service's keys wakes
//! it, it waits until changes stop for `--debounce`, reads the list again and, when the list
//! differs from the last one, prints it and/or runs CMD with the list as JSON on stdin.

use std::process::Stdio;
use std::time::Duration;

use anyhow::Context as _;
use serde::Serialize;
use tokio::io::AsyncWriteExt as _;

use crate::cli::EndpointsArgs;
use crate::context::Context;
use crate::error::{ExitStatus, UserError};
use crate::etcd::{self, Driver, PortMappingInfo};
use crate::output::{Layout, Tabular};
use crate::spec::labels::{decode, is_valid_name, Selector};

/// One registered container, as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// The service.
    pub service: String,
    /// The group (encoded labels).
    pub group: String,
    /// The group's labels.
    pub labels: Vec<String>,
    /// The container (Marathon task id).
    pub container: String,
    /// The agent host.
    pub host: String,
    /// The first host port, if any.
    pub port: Option<u32>,
    /// `host:port`, if the container has a port.
    pub address: Option<String>,
    /// Whether the container is healthy.
    pub healthy: bool,
    /// The app version the container runs.
    pub version: String,
    /// Every port of the container.
    pub ports: Vec<PortMappingInfo>,
}

/// The result: every matching container, by group then container name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Endpoints(pub Vec<Endpoint>);

impl Tabular for Endpoints {
    fn to_table(&self, layout: &Layout) -> String {
        let mut headers = vec!["address", "service", "group", "healthy", "container"];
        if layout.wide {
            headers.extend(["version", "ports"]);
        }
        let mut t = layout.table(&headers);
        for e in &self.0 {
            let mut row = vec![
                e.address.clone().unwrap_or_else(|| format!("{} (no port)", e.host)),
                e.service.clone(),
                e.group.clone(),
                if e.healthy { "yes" } else { "no" }.to_owned(),
                e.container.clone(),
            ];
            if layout.wide {
                row.push(e.version.clone());
                row.push(e.ports.iter().map(port_text).collect::<Vec<_>>().join(","));
            }
            t.add_row(row);
        }
        t.to_string()
    }

    /// `service/group/container` per container.
    fn names(&self) -> Vec<String> {
        self.0.iter().map(|e| format!("{}/{}/{}", e.service, e.group, e.container)).collect()
    }
}

/// One port as `-o wide` shows it: `http=31000->80/tcp` (name, host port, container port).
fn port_text(p: &PortMappingInfo) -> String {
    let name = p.name.as_deref().map(|n| format!("{n}=")).unwrap_or_default();
    let inside = p.container_port.map(|c| format!("->{c}")).unwrap_or_default();
    format!("{name}{}{inside}/{}", p.host_port, p.protocol)
}

/// The endpoints of `service`'s groups matching `selector`, in one etcd read.
pub async fn endpoints(driver: &Driver, service: &str, selector: &Selector) -> Result<Endpoints, etcd::Error> {
    let groups = driver.get_service_containers(service).await?;
    let mut rows = Vec::new();
    for (group, containers) in groups {
        // A key that is not a canonical label set was not written by theseus: skip it.
        let Some(labels) = decode(&group) else { continue };
        if !selector.matches(&labels) {
            continue;
        }
        let labels: Vec<String> = labels.into_iter().collect();
        for c in containers {
            rows.push(Endpoint {
                service: service.to_owned(),
                group: group.clone(),
                labels: labels.clone(),
                address: c.address(),
                container: c.instance_name,
                host: c.instance_host,
                port: c.instance_port,
                healthy: c.healthy,
                version: c.version,
                ports: c.port_mappings,
            });
        }
    }
    Ok(Endpoints(rows))
}

/// Runs the command.
pub async fn run(ctx: &Context, args: EndpointsArgs) -> anyhow::Result<ExitStatus> {
    let (service, selector) = super::common::selection(&args.service, &args.labels)?;
    if !is_valid_name(&service) {
        return Err(UserError::with_hint(
            format!("invalid service name `{service}`"),
            "service names are lowercase letters, digits and `-` (not first or last)",
        )
        .into());
    }
    if args.exec.as_deref().is_some_and(|cmd| cmd.trim().is_empty()) {
        return Err(UserError::with_hint("--exec needs a command", "for example: --exec 'my-lb-reload'").into());
    }
    let driver = ctx.etcd().await?;
    if !args.watch && args.exec.is_none() {
        ctx.out.result(&read(driver, &service, &selector).await?)?;
        return Ok(ExitStatus::Success);
    }
    follow(ctx, driver, &service, &args, &selector).await
}

/// The list now; an unknown service is a usage error naming where it looked.
async fn read(driver: &Driver, service: &str, selector: &Selector) -> anyhow::Result<Endpoints> {
    match endpoints(driver, service, selector).await {
        Ok(found) => Ok(found),
        Err(etcd::Error::ServiceNotFound { service }) => Err(UserError::with_hint(
            format!("service `{service}` is not registered in etcd at {}", driver.endpoints()),
            "services are registered by `theseus create`; check --etcd and --etcd-prefix (THESEUS_ETCD_PREFIX)",
        )
        .into()),
        Err(err) => Err(anyhow::Error::new(err).context(format!("reading the endpoints of `{service}`"))),
    }
}

/// `--watch` / `--exec`: the list at start, then again after each settled change, until Ctrl-C.
async fn follow(
    ctx: &Context,
    driver: &Driver,
    service: &str,
    args: &EndpointsArgs,
    selector: &Selector,
) -> anyhow::Result<ExitStatus> {
    // Watch first, then read: a change after the watch is confirmed is either in the read or
    // arrives as an event, so none is missed.
    let mut watch = driver.watch_service(service).await.with_context(|| format!("watching `{service}` in etcd"))?;
    let mut current = read(driver, service, selector).await?;
    let cancel = ctx.cancel();
    tokio::pin!(cancel);
    loop {
        if args.watch {
            ctx.out.refresh(&current)?;
        }
        if let Some(cmd) = &args.exec {
            run_hook(ctx, cmd, &current).await?;
        }
        loop {
            let changed = tokio::select! {
                // Ctrl-C ends a watch as it ends `view --watch`: exit 130.
                () = &mut cancel => return Ok(ExitStatus::Interrupted),
                changed = watch.settled(args.debounce, max_wait(args.debounce)) => changed,
            };
            changed.with_context(|| format!("watching `{service}` in etcd"))?;
            // A service removed meanwhile has no endpoints left.
            let next = match endpoints(driver, service, selector).await {
                Err(etcd::Error::ServiceNotFound { .. }) => Endpoints(Vec::new()),
                other => other.with_context(|| format!("reading the endpoints of `{service}`"))?,
            };
            if next != current {
                current = next;
                break;
            }
        }
    }
}

/// The longest a steady stream of changes delays an update: ten quiet periods.
fn max_wait(debounce: Duration) -> Duration {
    debounce.saturating_mul(10).max(Duration::from_secs(1))
}

/// Runs `sh -c CMD` with the list as one JSON array (and a newline) on its stdin, its stdout and
/// stderr on our stderr. A non-zero exit is a warning (the next change runs it again); failing
/// to start `sh` at all is an error.
async fn run_hook(ctx: &Context, cmd: &str, list: &Endpoints) -> anyhow::Result<()> {
    let mut input = serde_json::to_vec(list).context("encoding the endpoints as JSON")?;
    input.push(b'\n');
    let stderr = || -> anyhow::Result<Stdio> {
        use std::os::fd::AsFd as _;
        Ok(Stdio::from(std::io::stderr().as_fd().try_clone_to_owned().context("duplicating stderr for --exec")?))
    };
    let mut child = tokio::process::Command::new("sh")
        .args(["-c", cmd])
        .stdin(Stdio::piped())
        .stdout(stderr()?)
        .stderr(stderr()?)
        .kill_on_drop(true)
        .spawn()
        .context("starting `sh` for --exec")?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its stdin closes the pipe early: not an error.
        let _ = stdin.write_all(&input).await;
    }
    let status = child.wait().await.context("waiting for the --exec command")?;
    if status.success() {
        ctx.out.status("Ran", format!("`{cmd}` with {} endpoints", list.0.len()));
    } else {
        ctx.out.warn(format!("`{cmd}` failed ({status}); it runs again at the next change"));
    }
    Ok(())
}
