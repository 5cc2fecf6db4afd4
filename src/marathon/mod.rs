//! Marathon: the REST client and the wire model it shares with the local engine.
//!
//! [`types`] is the one wire model; [`Client`] (and [`readiness`], the HTTP side of a readiness
//! check) the only code that imports reqwest; [`Error`] the typed errors (`is_not_found`, `is_locked`) callers match on.

// Errors are rare and carry Marathon's details; boxing them buys nothing on this path.
#![allow(clippy::result_large_err)]

mod client;
mod error;
pub mod readiness;
/// Marathon's validation rules (ids, port names, constraints, health checks), shared by the
/// spec validator and the local engine.
pub mod rules;
pub mod summary;
pub mod types;

pub use client::{Change, Client, Event, EventStream, Options, StreamError};
pub use error::{with_causes, Error};
