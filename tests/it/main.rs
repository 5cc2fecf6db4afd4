//! The one integration-test binary: each module tests one area through the library or the
//! real `theseus` binary, against a real etcd and the local engine on loopback.

mod local_api;
mod local_deploy;
mod local_events;
mod local_fidelity;
mod local_tasks;
mod support;
