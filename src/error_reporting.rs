//! Turning an error into what the user sees and the exit code: walks the chain once, asks each
//! typed cause ([`Classify`]) for its exit status and hint, and prints `error:`, `caused by:`
//! and `hint:` lines on stderr through [`Output`] (xh's `error_reporting.rs` is the model).
//!
//! This is the one place that knows every module's error type; the modules themselves only
//! implement [`Classify`] from the leaf [`crate::error`].

use std::io;

use crate::error::{Classify, ExitStatus, StatusError, UserError};
use crate::output::Output;
use crate::{etcd, marathon, mesos, rollout, spec};

/// The module error types that decide exit codes and hints; each typed error adds one line.
fn module_error<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a dyn Classify> {
    if let Some(e) = cause.downcast_ref::<marathon::Error>() {
        return Some(e);
    }
    if let Some(e) = cause.downcast_ref::<rollout::wait::WaitError>() {
        return Some(e);
    }
    if let Some(e) = cause.downcast_ref::<spec::Error>() {
        return Some(e);
    }
    if let Some(e) = cause.downcast_ref::<etcd::Error>() {
        return Some(e);
    }
    if let Some(e) = cause.downcast_ref::<mesos::Error>() {
        return Some(e);
    }
    None
}

/// Visits each cause in `err`'s chain that implements [`Classify`].
fn classified(err: &anyhow::Error) -> impl Iterator<Item = &dyn Classify> {
    err.chain().filter_map(|cause| {
        if let Some(e) = cause.downcast_ref::<UserError>() {
            return Some(e as &dyn Classify);
        }
        if let Some(e) = cause.downcast_ref::<StatusError>() {
            return Some(e as &dyn Classify);
        }
        module_error(cause)
    })
}

/// Picks the exit status for an error: the first cause that decides wins; a broken pipe exits 0.
pub fn classify(err: &anyhow::Error) -> ExitStatus {
    for cause in err.chain() {
        let kind = cause
            .downcast_ref::<io::Error>()
            .map(io::Error::kind)
            .or_else(|| cause.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind));
        if kind == Some(io::ErrorKind::BrokenPipe) {
            return ExitStatus::Success;
        }
    }
    classified(err).find_map(|c| c.exit_status()).unwrap_or(ExitStatus::Failure)
}

/// The `hint:` lines for an error, outermost first.
pub fn hints(err: &anyhow::Error) -> Vec<String> {
    classified(err).filter_map(|c| c.hint()).collect()
}

/// Prints the error on stderr and returns the exit status to end with.
pub fn report(err: &anyhow::Error, out: &Output) -> ExitStatus {
    let status = classify(err);
    if status == ExitStatus::Success {
        return status; // broken pipe: the reader went away, which is not an error
    }
    // A spec report is complete on its own: every problem with its position and hint.
    if let Some(spec_err) = err.chain().find_map(|c| c.downcast_ref::<spec::Error>()) {
        out.stderr_block(&format!("{spec_err}\n{}\n", spec_err.summary()));
        return status;
    }
    out.error(err, &hints(err));
    status
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn user_errors_exit_2_through_context() {
        let err = Err::<(), _>(UserError::new("bad label")).context("reading spec").unwrap_err();
        assert_eq!(classify(&err), ExitStatus::Usage);
    }

    #[test]
    fn broken_pipe_exits_0() {
        let err = anyhow::Error::new(io::Error::new(io::ErrorKind::BrokenPipe, "pipe"));
        assert_eq!(classify(&err), ExitStatus::Success);
    }

    #[test]
    fn broken_pipe_inside_json_output_exits_0() {
        let io = io::Error::new(io::ErrorKind::BrokenPipe, "pipe");
        let err = anyhow::Error::new(serde_json::Error::io(io));
        assert_eq!(classify(&err), ExitStatus::Success);
    }

    #[test]
    fn unknown_errors_exit_1() {
        assert_eq!(classify(&anyhow::anyhow!("boom")), ExitStatus::Failure);
    }

    #[test]
    fn status_errors_carry_their_code_and_hint() {
        let err = anyhow::Error::new(StatusError {
            status: ExitStatus::Locked,
            message: "locked".into(),
            hint: Some("wait".into()),
        });
        assert_eq!(classify(&err), ExitStatus::Locked);
        assert_eq!(hints(&err), ["wait"]);
    }
}
