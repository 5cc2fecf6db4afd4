//! `theseus plan` through the library: load a spec, read what Marathon runs, and print what
//! create/update/remove would do, one line per group (action, service, group).
//!
//! ```sh
//! cargo run --example plan -- examples/local-demo.toml http://127.0.0.1:8080
//! ```

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context as _};
use theseus::marathon::{Client, Options};
use theseus::rollout::{self, plan, Action, Snapshot};
use theseus::spec::Selector;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [spec, marathon] = args.as_slice() else {
        bail!("usage: plan SPEC MARATHON_URL");
    };

    // The spec, every group of it (no service or label selection).
    let spec = theseus::spec::load(&PathBuf::from(spec))?;
    let selector = Selector::default();
    let groups = spec.select(&[], &selector)?;
    let desired = groups.iter().map(|g| rollout::desired(g, &spec.namespace)).collect::<Result<Vec<_>, _>>()?;

    // What Marathon runs under the spec's namespace, for the spec's services.
    let client = Client::new(&Options {
        urls: vec![marathon.parse().with_context(|| format!("`{marathon}` is not a URL"))?],
        timeout: Duration::from_secs(10),
        attempts: 3,
        backoff: Duration::from_millis(250),
        ..Options::default()
    })?;
    let services: Vec<String> = spec.services().into_iter().map(str::to_owned).collect();
    let live = Snapshot::read(&client, &spec.namespace, &services, &selector)
        .await
        .with_context(|| format!("reading groups under `/{}` from {marathon}", spec.namespace))?;

    // The diff, removal candidates included, as `theseus plan` computes it.
    let mut out = std::io::stdout().lock();
    for p in plan(&desired, &live, true) {
        let action = match p.action {
            Action::Create => "create",
            Action::Scale { .. } => "scale",
            Action::RollingUpdate { .. } => "rolling-update",
            Action::Unchanged => "unchanged",
            Action::RemoveCandidate => "remove-candidate",
        };
        writeln!(out, "{action}\t{}\t{}", p.service, p.group)?;
    }
    Ok(())
}
