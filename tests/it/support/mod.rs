//! Shared test harness: real servers on loopback, the binary runner.
#![allow(dead_code, unreachable_pub)]

pub mod cmd;
pub mod consistency;
pub mod engine;
pub mod env;
pub mod etcd;
pub mod etcd_cluster;
pub mod proxy;
pub mod soak;
pub mod specs;
pub mod sync;
pub mod sync_load;

/// The group key of `service` and an encoded label set (tests name groups this way).
pub fn gk(service: &str, group: &str) -> theseus::names::GroupKey {
    theseus::names::GroupKey::new(service, group).expect("a valid group key")
}
