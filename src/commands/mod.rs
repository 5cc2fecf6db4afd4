//! One module per subcommand. Each is glue: read the arguments, call the library, hand the
//! result to [`crate::output`]. No business rules live here.

pub mod completions;
pub mod endpoints;
pub mod local;
pub mod render;
pub mod validate;
pub mod view;
