//! The spec file: parse, inherit, validate and render labeled groups into Marathon apps.

pub mod labels;

pub use labels::{decode as decode_labels, encode as encode_labels, Selector};
