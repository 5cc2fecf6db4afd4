//! One module per subcommand. Each is glue: read the arguments, call the library, hand the
//! result to [`crate::output`]. No business rules live here.

pub mod common;
pub mod completions;
pub mod create;
pub mod endpoints;
pub mod history;
pub mod local;
pub mod logs;
pub mod plan;
pub mod remove;
pub mod render;
pub mod restart;
pub mod rollback;
pub mod rollout;
pub mod scale;
pub mod sync;
pub mod update;
pub mod validate;
pub mod view;
