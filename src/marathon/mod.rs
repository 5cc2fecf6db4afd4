//! Marathon: the wire model shared by the client and the local engine.

pub mod types;
