//! Small pieces of glue several commands share: loading the spec under the namespace flag and
//! turning wait flags into wait options.

use std::path::Path;

use crate::cli::WaitArgs;
use crate::context::Context;
use crate::rollout::apply::Waiting;
use crate::rollout::wait::WaitOptions;
use crate::spec::{self, Spec};

/// Loads and validates a spec, applying `--namespace`/`THESEUS_NAMESPACE`.
pub fn load_spec(path: &Path, ctx: &Context) -> anyhow::Result<Spec> {
    Ok(spec::load(path)?.with_namespace(ctx.namespace_flag())?)
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
