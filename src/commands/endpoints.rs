//! `theseus endpoints SERVICE [-l LABEL...]`: the registered containers of the matching groups,
//! read from etcd in one range read; what a consumer script or a confd template sees.

use serde::Serialize;

use crate::cli::EndpointsArgs;
use crate::context::Context;
use crate::error::{ExitStatus, UserError};
use crate::etcd::{self, Driver, PortMappingInfo};
use crate::output::{Layout, Tabular};
use crate::spec::labels::{decode, is_valid_name, Selector};

/// One registered container, as printed.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
    let driver = ctx.etcd().await?;
    let found = match endpoints(driver, &service, &selector).await {
        Ok(found) => found,
        Err(etcd::Error::ServiceNotFound { service }) => {
            return Err(UserError::with_hint(
                format!("service `{service}` is not registered in etcd at {}", driver.endpoints()),
                "services are registered by `theseus create`; check --etcd and --etcd-prefix (THESEUS_ETCD_PREFIX)",
            )
            .into());
        }
        Err(err) => return Err(anyhow::Error::new(err).context(format!("reading the endpoints of `{service}`"))),
    };
    ctx.out.result(&found)?;
    Ok(ExitStatus::Success)
}
