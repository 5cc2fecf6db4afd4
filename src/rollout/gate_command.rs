//! TEMP interface (helper's module replaces it)
use super::gate::Cancel;
use super::wait::WaitError;
use crate::etcd::ContainerInfo;
use std::time::Duration;
#[allow(dead_code, missing_docs)]
pub(super) struct GateInput {
    pub service: String,
    pub group: String,
    pub namespace: String,
    pub from_revision: Option<String>,
    pub to_revision: String,
    pub canary_instances: u32,
    pub instances: u32,
    pub endpoints: Vec<ContainerInfo>,
}
#[allow(dead_code)]
pub(super) enum Verdict {
    Passed { detail: String },
    Failed { detail: String },
    Inconclusive { detail: String },
}
pub(super) async fn judge(_cmd: &str, _i: &GateInput, _t: Duration, _c: Cancel<'_>) -> Result<Verdict, WaitError> {
    Ok(Verdict::Passed { detail: String::new() })
}
