//! Settings resolved from the global flags and the environment, and the clients built from
//! them: Marathon at once (building it does no I/O), etcd on first use.

use anyhow::Context as _;

use crate::cli::GlobalArgs;
use crate::marathon;
use crate::output::Output;

/// The namespace used when neither the spec, `--namespace` nor `THESEUS_NAMESPACE` sets one.
pub const DEFAULT_NAMESPACE: &str = "theseus";

/// What every networked command needs.
#[derive(Debug)]
pub struct Context {
    /// The global flags.
    pub global: GlobalArgs,
    /// The terminal.
    pub out: Output,
    /// The Marathon client.
    pub marathon: marathon::Client,
}

impl Context {
    /// Builds the context; fails only on bad client settings (an unreadable CA file).
    pub fn new(global: &GlobalArgs, out: &Output) -> anyhow::Result<Self> {
        let marathon = marathon::Client::new(&marathon::Options::from_global(global)).context("setting up Marathon")?;
        Ok(Context { global: global.clone(), out: out.clone(), marathon })
    }

    /// The namespace: `--namespace`/`THESEUS_NAMESPACE`, else the spec's, else `theseus`.
    pub fn namespace(&self, from_spec: Option<&str>) -> String {
        self.global
            .namespace
            .clone()
            .or_else(|| from_spec.map(str::to_owned))
            .unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned())
    }

    /// The namespace holding `service` when `--namespace` is not given: the only one Marathon
    /// has it in, else the default. Several is a [`UserError`] asking for `--namespace`.
    pub fn namespace_of(&self, service: &str, snap: &crate::rollout::live::Snapshot) -> anyhow::Result<String> {
        if let Some(ns) = &self.global.namespace {
            return Ok(ns.trim_matches('/').to_owned());
        }
        match snap.namespaces_of(service).as_slice() {
            [] => Ok(DEFAULT_NAMESPACE.to_owned()),
            [one] => Ok(one.clone()),
            many => Err(crate::error::UserError::with_hint(
                format!("service `{service}` exists in several namespaces: {}", many.join(", ")),
                "choose one with --namespace or THESEUS_NAMESPACE",
            )
            .into()),
        }
    }

    /// A future that completes on Ctrl-C (or never, if the handler cannot be installed).
    pub fn cancel(&self) -> impl std::future::Future<Output = ()> {
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}
