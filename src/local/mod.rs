//! `theseus local`: a Marathon-compatible engine on loopback (DESIGN §6); the only module that imports axum.
