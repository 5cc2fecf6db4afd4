//! The spec file: parse, inherit, validate and render labeled groups into Marathon apps.
