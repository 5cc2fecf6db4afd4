//! Shared test harness: real servers on loopback, the binary runner.
#![allow(dead_code, unreachable_pub)]

pub mod cmd;
pub mod engine;
pub mod etcd;
pub mod proxy;
