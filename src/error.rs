//! How the process ends: the exit-code table of DESIGN §5, error classification and reporting.
//!
//! Modules raise typed errors (thiserror); commands add context with anyhow. [`classify`] walks
//! the chain once to pick the exit code, [`report`] prints `error:`, `caused by:` and `hint:`
//! lines on stderr through [`Output`].

use std::io;

use crate::output::Output;

/// How the process ends. Documented in `theseus --help`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitStatus {
    /// Success (for `plan`: nothing to change).
    Success = 0,
    /// Error talking to Marathon or etcd, or unexpected.
    Failure = 1,
    /// Usage error or invalid spec; nothing was sent anywhere.
    Usage = 2,
    /// Rollout failed and was rolled back.
    RolledBack = 3,
    /// Rollout failed and the rollback failed or was off.
    RollbackFailed = 4,
    /// Deadline passed.
    Deadline = 5,
    /// Locked by another rollout or a Marathon deployment.
    Locked = 6,
    /// `plan --exit-code`: changes are pending.
    ChangesPending = 10,
    /// Interrupted by Ctrl-C or SIGTERM.
    Interrupted = 130,
}

impl ExitStatus {
    /// The numeric process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// An error the user fixes by changing their input, not by retrying (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UserError {
    /// What is wrong.
    pub message: String,
    /// How to fix it, printed as a `hint:` line.
    pub hint: Option<String>,
}

impl UserError {
    /// A user error with no hint.
    pub fn new(message: impl Into<String>) -> Self {
        UserError { message: message.into(), hint: None }
    }

    /// A user error with a hint on how to fix it.
    pub fn with_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        UserError { message: message.into(), hint: Some(hint.into()) }
    }
}

/// An error that carries its own exit status (rollout outcomes, locks, interrupts).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct StatusError {
    /// The exit status to end with.
    pub status: ExitStatus,
    /// What happened.
    pub message: String,
    /// How to proceed, printed as a `hint:` line.
    pub hint: Option<String>,
}

/// Errors that know their exit status and hint; implemented by the modules' error types.
pub trait Classify {
    /// The exit status this error should end the process with, if it decides one.
    fn exit_status(&self) -> Option<ExitStatus>;
    /// A hint on how to fix or proceed.
    fn hint(&self) -> Option<String> {
        None
    }
}

impl Classify for UserError {
    fn exit_status(&self) -> Option<ExitStatus> {
        Some(ExitStatus::Usage)
    }
    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }
}

impl Classify for StatusError {
    fn exit_status(&self) -> Option<ExitStatus> {
        Some(self.status)
    }
    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }
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
        crate::classify_module_error(cause)
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
    if let Some(spec_err) = err.chain().find_map(|c| c.downcast_ref::<crate::spec::Error>()) {
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
