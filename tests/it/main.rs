//! The one integration-test binary: each module tests one area through the library or the
//! real `theseus` binary, against a real etcd and the local engine on loopback.

// clippy.toml's allow-unwrap-in-tests covers #[test] functions, not their helpers; a test
// that cannot set up should panic loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod architecture;
mod bake;
mod canary_view;
mod command_line;
mod completions;
mod demo;
mod endpoints_watch;
mod error_messages;
mod etcd_cli;
mod etcd_driver;
mod etcd_journal;
mod etcd_leader_change;
mod etcd_lock;
mod etcd_security;
mod events_jsonl;
mod example_plan;
mod freshness;
mod integrity;
mod integrity_faults;
mod kill_and_scale;
mod lease_loss;
mod lifecycle;
mod local_abuse;
mod local_abuse_proc;
mod local_api;
mod local_deploy;
mod local_events;
mod local_fidelity;
mod local_mesos;
mod local_metrics;
mod local_queue;
mod local_tasks;
mod log_format;
mod logs;
mod marathon_client;
mod marathon_rules;
mod output;
mod progress;
mod proxied_writes;
mod readiness;
mod registration_rule;
mod rollout;
mod rollout_control;
mod rollout_journal;
mod rust_version;
mod scale_batched;
mod scale_down;
mod service_ports;
mod spec;
mod support;
mod sync_drift;
mod sync_etcd;
mod sync_follow;
mod sync_ha;
mod sync_metrics;
mod sync_once;
mod tables;
mod task_failures;
mod undo;
mod waves;
