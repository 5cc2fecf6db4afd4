//! The errors of talking to Mesos.

use crate::error::{Classify, ExitStatus};

/// What went wrong reading from a Mesos master or agent.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The client could not be built (a bad CA file, a bad header value).
    #[error("setting up the Mesos client: {0}")]
    Setup(String),
    /// No HTTP master is known: `--mesos` is needed.
    #[error("{message}")]
    NoMaster {
        /// Why none was found (what Marathon names instead).
        message: String,
    },
    /// The master or agent could not be reached (connection refused, timeout, reset).
    #[error("{url}: {reason}")]
    Unreachable {
        /// The URL asked, credentials left out.
        url: String,
        /// What the HTTP stack said.
        reason: String,
    },
    /// An answer other than 2xx.
    #[error("{url} answered {status}: {body}")]
    Api {
        /// The URL asked.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// A 2xx answer whose body is not the JSON expected.
    #[error("{url} answered JSON that is not Mesos's: {reason}")]
    Decode {
        /// The URL asked.
        url: String,
        /// The decoder's message.
        reason: String,
    },
}

impl Classify for Error {
    fn exit_status(&self) -> Option<ExitStatus> {
        match self {
            Error::NoMaster { .. } => Some(ExitStatus::Usage),
            _ => None,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            Error::NoMaster { .. } => {
                Some("give the Mesos master's HTTP address: --mesos http://HOST:5050 (or THESEUS_MESOS_URL)".into())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_http_master_is_a_usage_error_whose_hint_names_the_flag() {
        let e = Error::NoMaster { message: "Marathon's Mesos master is `zk://zk:2181/mesos`".into() };
        assert_eq!(e.exit_status(), Some(ExitStatus::Usage));
        assert!(e.hint().is_some_and(|h| h.contains("--mesos")));
        let e = Error::Unreachable { url: "http://10.0.0.7:5051/state".into(), reason: "connection refused".into() };
        assert_eq!((e.exit_status(), e.to_string().as_str()), (None, "http://10.0.0.7:5051/state: connection refused"));
    }
}
