//! Small pieces of glue several commands share: loading the spec under the namespace flag,
//! connecting to etcd, turning wait flags into wait options.

use std::path::Path;

use anyhow::Context as _;

use crate::cli::{GlobalArgs, WaitArgs};
use crate::etcd;
use crate::rollout::apply::Waiting;
use crate::rollout::wait::WaitOptions;
use crate::spec::{self, Spec};

/// Loads and validates a spec, applying `--namespace`/`THESEUS_NAMESPACE`.
pub fn load_spec(path: &Path, global: &GlobalArgs) -> anyhow::Result<Spec> {
    Ok(spec::load(path)?.with_namespace(global.namespace.as_deref())?)
}

/// Connects to etcd (before any change, so an unreachable etcd changes nothing).
pub async fn connect_etcd(global: &GlobalArgs) -> anyhow::Result<etcd::Driver> {
    etcd::Driver::connect(&etcd::Options::from_global(global)).await.context("connecting to etcd")
}

/// The wait settings of the `--no-wait`, `--timeout`, `--poll-interval`, `--fail-after` and
/// `--lock-timeout` flags.
pub fn waiting(args: &WaitArgs) -> Waiting {
    Waiting {
        wait: !args.no_wait,
        lock_timeout: args.lock_timeout,
        options: WaitOptions { timeout: args.timeout, poll: args.poll_interval, unplaceable_after: args.fail_after },
    }
}
