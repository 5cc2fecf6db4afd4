//! `theseus endpoints SERVICE [-l LABEL...]`: the registered containers of the matching groups,
//! read from etcd in one range read; what a consumer script or a confd template sees.
//!
//! With `--watch` or `--exec CMD` it keeps running: an etcd watch on the service's keys wakes
//! it, it waits until changes stop for `--debounce`, reads the list again and, when the list
//! differs from the last one, prints it and/or runs CMD with the list as JSON on stdin. With
//! `--max-drop N%`, a change that would take more than N% of a group's endpoints away at once
//! is held back until it persists for `--debounce` twice more (synapse's "keep the last good
//! backends": a registry emptied by mistake must not empty the load balancer).
//!
//! Every read also reads the sync leader's confirmations (at the same time, not after): a
//! namespace shown whose confirmation is older than its resync is a warning on stderr, and
//! `--fresh-within` turns a missing or old one into exit 8 (`etcd::Confirmations`).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context as _;
use serde::Serialize;
use tokio::io::AsyncWriteExt as _;

use crate::cli::EndpointsArgs;
use crate::context::Context;
use crate::error::{ExitStatus, StatusError, UserError};
use crate::etcd::{self, Confirmations, Driver, PortMappingInfo};
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

/// What one read found: the endpoints, and the namespaces their groups' configs record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The endpoints of the groups matching the selector.
    pub endpoints: Endpoints,
    /// The namespaces of the groups matching the selector (with or without containers).
    pub shown: BTreeSet<String>,
    /// The namespaces of every group of the service.
    pub all: BTreeSet<String>,
}

/// The endpoints of `service`'s groups matching `selector`, in one etcd read.
pub async fn endpoints(driver: &Driver, service: &str, selector: &Selector) -> Result<Listing, etcd::Error> {
    let groups = driver.get_service_endpoints(service).await?;
    let mut rows = Vec::new();
    let (mut shown, mut all) = (BTreeSet::new(), BTreeSet::new());
    for (group, found) in groups {
        all.extend(found.namespace.clone());
        // A key that is not a canonical label set was not written by theseus: skip it.
        let Some(labels) = decode(&group) else { continue };
        if !selector.matches(&labels) {
            continue;
        }
        shown.extend(found.namespace);
        let labels: Vec<String> = labels.into_iter().collect();
        for c in found.containers {
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
    Ok(Listing { endpoints: Endpoints(rows), shown, all })
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
    if args.max_drop.is_some() && !args.watch && args.exec.is_none() {
        return Err(UserError::with_hint(
            "--max-drop holds back changes, so it needs --watch or --exec",
            "for example: --exec 'my-lb-reload' --max-drop 50%",
        )
        .into());
    }
    let driver = ctx.etcd().await?;
    if !args.watch && args.exec.is_none() {
        let (listing, confirmations) = read(driver, &service, &selector).await?;
        if let Some(within) = args.fresh_within {
            fresh_within(&service, &listing, confirmations, within)?;
        } else {
            warn_stale(ctx, listing.shown.iter().map(String::as_str), confirmations.ok().as_ref());
        }
        ctx.out.result(&listing.endpoints)?;
        return Ok(ExitStatus::Success);
    }
    follow(ctx, driver, &service, &args, &selector).await
}

/// The one stale warning of `view` and `endpoints`, for the namespaces shown (see
/// `etcd::Confirmations::stale`); nothing when the confirmations could not be read.
pub fn warn_stale<'a>(ctx: &Context, shown: impl IntoIterator<Item = &'a str>, confirmations: Option<&Confirmations>) {
    for line in confirmations.map(|c| c.stale(shown, chrono::Utc::now())).unwrap_or_default() {
        ctx.out.warn(line);
    }
}

/// `--fresh-within`: exit 8 unless a sync leader confirmed every namespace shown (or, when no
/// group shown records one, every namespace of the service) within `within`.
fn fresh_within(
    service: &str,
    listing: &Listing,
    confirmations: Result<Confirmations, etcd::Error>,
    within: Duration,
) -> anyhow::Result<()> {
    let confirmations = confirmations.context("reading the sync confirmations for --fresh-within")?;
    let namespaces = if listing.shown.is_empty() { &listing.all } else { &listing.shown };
    let hint = "is `theseus sync` running and leading? A caught-up leader confirms every few seconds \
                (README: Freshness for consumers)";
    if namespaces.is_empty() {
        return Err(StatusError {
            status: ExitStatus::NotFresh,
            message: format!(
                "no group of `{service}` records its namespace, so no sync confirmation can vouch for its endpoints"
            ),
            hint: Some("groups created by `theseus create` record it; run `theseus update` on older ones".into()),
        }
        .into());
    }
    let now = chrono::Utc::now();
    confirmations.fresh_within(namespaces.iter().map(String::as_str), within, now).map_err(|not| {
        anyhow::Error::new(StatusError {
            status: ExitStatus::NotFresh,
            message: not.to_string(),
            hint: Some(hint.into()),
        })
    })
}

/// The list now and the sync confirmations, read at the same time; an unknown service is a
/// usage error naming where it looked.
async fn read(
    driver: &Driver,
    service: &str,
    selector: &Selector,
) -> anyhow::Result<(Listing, Result<Confirmations, etcd::Error>)> {
    let (listing, confirmations) = tokio::join!(endpoints(driver, service, selector), driver.sync_confirmations());
    if let Err(e) = &confirmations {
        tracing::debug!(target: "theseus::etcd", "sync confirmations unreadable: {e}");
    }
    match listing {
        Ok(found) => Ok((found, confirmations)),
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
    let (mut current, mut confirmations) = read(driver, service, selector).await?;
    let cancel = ctx.cancel();
    tokio::pin!(cancel);
    loop {
        warn_stale(ctx, current.shown.iter().map(String::as_str), confirmations.as_ref().ok());
        if args.watch {
            ctx.out.refresh(&current.endpoints)?;
        }
        if let Some(cmd) = &args.exec {
            run_hook(ctx, cmd, &current.endpoints).await?;
        }
        loop {
            let changed = tokio::select! {
                // Ctrl-C ends a watch as it ends `view --watch`: exit 130.
                () = &mut cancel => return Ok(ExitStatus::Interrupted),
                changed = watch.settled(args.debounce, max_wait(args.debounce)) => changed,
            };
            changed.with_context(|| format!("watching `{service}` in etcd"))?;
            let mut next = read_again(driver, service, selector).await?;
            let max = args.max_drop.unwrap_or(100);
            if let Some(drop) = Drop::over(&current.endpoints, &next.0.endpoints, max) {
                ctx.out.warn(format!(
                    "holding back a change: {drop}, more than --max-drop {max}%; it is applied if it persists for \
                     --debounce ({}) twice more",
                    humantime::format_duration(args.debounce)
                ));
                let (latest, persisted) = tokio::select! {
                    () = &mut cancel => return Ok(ExitStatus::Interrupted),
                    held = hold(driver, service, selector, &current.endpoints, max, args.debounce) => held?,
                };
                if persisted {
                    ctx.out.warn(format!("applying the change held back: {drop} persisted"));
                } else {
                    ctx.out.status("Kept", format!("the last good list: {drop} did not persist"));
                }
                next = latest;
            }
            if next.0.endpoints != current.endpoints {
                (current, confirmations) = next;
                break;
            }
        }
    }
}

/// The list after a change (a service removed meanwhile has no endpoints left), with the
/// sync confirmations.
async fn read_again(
    driver: &Driver,
    service: &str,
    selector: &Selector,
) -> anyhow::Result<(Listing, Result<Confirmations, etcd::Error>)> {
    let (listing, confirmations) = tokio::join!(endpoints(driver, service, selector), driver.sync_confirmations());
    let listing = match listing {
        Err(etcd::Error::ServiceNotFound { .. }) => {
            Listing { endpoints: Endpoints(Vec::new()), shown: BTreeSet::new(), all: BTreeSet::new() }
        }
        other => other.with_context(|| format!("reading the endpoints of `{service}`"))?,
    };
    Ok((listing, confirmations))
}

/// Waits `debounce` twice, reading the list after each: the list as soon as it no longer drops
/// more than `max` percent of a group of `current` (`false`: the drop went away), or the list
/// after both (`true`: the drop persisted and is applied).
async fn hold(
    driver: &Driver,
    service: &str,
    selector: &Selector,
    current: &Endpoints,
    max: u8,
    debounce: Duration,
) -> anyhow::Result<((Listing, Result<Confirmations, etcd::Error>), bool)> {
    let mut latest = None;
    for _ in 0..2 {
        tokio::time::sleep(debounce).await;
        let next = read_again(driver, service, selector).await?;
        if Drop::over(current, &next.0.endpoints, max).is_none() {
            return Ok((next, false));
        }
        latest = Some(next);
    }
    let persisted = latest.context("the held change was read")?;
    Ok((persisted, true))
}

/// A group losing a share of its endpoints at once: what `--max-drop` holds back.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Drop {
    /// `service/group`.
    group: String,
    before: usize,
    after: usize,
}

impl Drop {
    /// The group of `current` that `next` takes the largest share of endpoints from, when
    /// that share is more than `max` percent. Counts, not names: replacing endpoints one for
    /// one (a rolling update) drops nothing; a group gone from `next` drops all of its.
    fn over(current: &Endpoints, next: &Endpoints, max: u8) -> Option<Drop> {
        let count = |list: &Endpoints| {
            let mut by_group: BTreeMap<String, usize> = BTreeMap::new();
            for e in &list.0 {
                *by_group.entry(format!("{}/{}", e.service, e.group)).or_default() += 1;
            }
            by_group
        };
        let after = count(next);
        count(current)
            .into_iter()
            .map(|(group, before)| {
                let after = after.get(&group).copied().unwrap_or_default();
                Drop { group, before, after }
            })
            .filter(|d| (d.before.saturating_sub(d.after)) * 100 > usize::from(max) * d.before)
            .max_by_key(|d| (d.before - d.after) * 1000 / d.before)
    }
}

impl std::fmt::Display for Drop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let share = (self.before - self.after) * 100 / self.before;
        write!(f, "`{}` would go from {} endpoints to {} (-{share}%)", self.group, self.before, self.after)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn list(groups: &[(&str, usize)]) -> Endpoints {
        let mut rows = Vec::new();
        for (group, n) in groups {
            for i in 0..*n {
                rows.push(Endpoint {
                    service: "web".into(),
                    group: (*group).into(),
                    labels: vec![],
                    container: format!("{group}.t{i}"),
                    host: "h".into(),
                    port: None,
                    address: None,
                    healthy: true,
                    version: String::new(),
                    ports: vec![],
                });
            }
        }
        Endpoints(rows)
    }

    #[test]
    fn a_drop_is_the_largest_share_a_group_loses_above_the_limit() {
        let four = list(&[("dev", 4), ("prod", 2)]);
        let d = Drop::over(&four, &list(&[("dev", 1), ("prod", 2)]), 50).unwrap();
        assert_eq!(d.to_string(), "`web/dev` would go from 4 endpoints to 1 (-75%)");
        assert_eq!(Drop::over(&four, &list(&[("dev", 2), ("prod", 2)]), 50), None, "50% is not more than 50%");
        let gone = Drop::over(&four, &list(&[("dev", 3)]), 50).unwrap();
        assert_eq!((gone.group.as_str(), gone.after), ("web/prod", 0), "a group gone drops all of its");
        assert_eq!(Drop::over(&four, &list(&[("dev", 9), ("prod", 2)]), 0), None, "growth is no drop");
        assert_eq!(Drop::over(&four, &list(&[]), 100), None, "100% never holds");
        assert!(Drop::over(&four, &list(&[("dev", 3), ("prod", 2)]), 0).is_some(), "0% holds any drop");
    }
}
