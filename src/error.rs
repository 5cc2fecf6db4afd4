//! How the process ends: the exit-code table of DESIGN §5 and the error types every layer may
//! raise or implement. A leaf: it imports nothing from the crate.
//!
//! Modules raise typed errors (thiserror) and implement [`Classify`] on them; commands add
//! context with anyhow. Walking an error chain to pick the exit code and printing it is the
//! application's job: see `crate::error_reporting`.

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
    /// `endpoints --fresh-within`: no `theseus sync` leader confirmed the registrations shown
    /// within that time.
    NotFresh = 8,
    /// `plan --exit-code`: changes are pending.
    ChangesPending = 10,
    /// `update --detach`: the rollout holds, awaiting `theseus rollout promote` (or `abort`).
    AwaitingPromotion = 11,
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
