//! Deployments: accepting a new root group (locks, plan, events), the plan itself, a deployment
//! in progress, running it step by step, and the readiness checks that run only inside one.

pub(super) mod changes;
pub(super) mod deploy;
pub(super) mod deployment;
pub(super) mod plan;
pub(super) mod readiness;
