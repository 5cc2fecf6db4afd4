//! The engine's model: the state under one mutex and the records in it, Marathon's path and
//! task ids, version stamps, app definitions as Marathon stores them, and `--state` on disk.

pub(super) mod clock;
pub(super) mod ids;
pub(super) mod normalize;
pub(super) mod persist;
pub(super) mod state;
