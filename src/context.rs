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

    /// A future that completes on Ctrl-C (or never, if the handler cannot be installed).
    pub fn cancel(&self) -> impl std::future::Future<Output = ()> {
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}
