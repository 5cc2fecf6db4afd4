//! Mesos: reading a task's sandbox files from the agent that runs (or ran) it, as `dcos task
//! log` does, for `theseus logs`.
//!
//! - [`discovery`] finds the master: `--mesos URL`, else Marathon's `/v2/info` (its
//!   `mesos_leader_ui_url`, else its `master` when that is an HTTP URL).
//! - [`Client`] talks to the master and the agents over the same HTTP stack, credentials and
//!   TLS options as the Marathon client (`marathon::Options::http_builder`).
//! - [`locate`] turns tasks into sandboxes with one `/master/slaves` read and one agent
//!   `/state` read per agent, however many tasks run there (no request per task).
//! - [`wire`] holds the JSON shapes Mesos writes (master `/master/slaves`, agent `/state`,
//!   `/files/read`), [`agents`] the agent addresses, [`sandbox`] the search of an agent's state.
//! - [`file`](mod@file) is one sandbox file being read: its tail or all of it first, then on from the
//!   offset reached (`-f`).
//! - [`tail`] reads the last lines of a file backwards in chunks, [`lines`] splits what is
//!   read into lines (CRLF or LF, a last line without a newline kept until it ends).

// Errors carry the URL and Mesos's answer; boxing them buys nothing on this path.
#![allow(clippy::result_large_err)]

pub mod agents;
mod client;
pub mod discovery;
mod error;
pub mod file;
pub mod lines;
pub mod locate;
pub mod sandbox;
pub mod tail;
pub mod wire;

pub use client::Client;
pub use error::Error;
