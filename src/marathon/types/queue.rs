//! `/v2/queue`: apps waiting for offers, their launch delay and why offers were declined
//! (R:v2/types/queue.raml).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::app::App;

/// One entry of `GET /v2/queue`: an app with instances waiting for offers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueItem {
    /// Instances still to launch.
    pub count: u32,
    /// Launch delay.
    pub delay: QueueDelay,
    /// Since when the item waits.
    pub since: String,
    /// Offer-matching statistics (why offers were declined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed_offers_summary: Option<ProcessedOffersSummary>,
    /// Last offers seen (with `embed=lastUnusedOffers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_unused_offers: Option<Vec<Value>>,
    /// The app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<App>,
    /// The pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<Value>,
    /// Role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// Launch delay of a queued app.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueDelay {
    /// Seconds until the next launch attempt.
    pub time_left_seconds: u64,
    /// Whether backoff overdue.
    pub overdue: bool,
}

/// Why offers were declined for a queued app.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessedOffersSummary {
    /// Offers looked at.
    pub processed_offers_count: u64,
    /// Offers declined.
    pub unused_offers_count: u64,
    /// When the last offer was declined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_unused_offer_at: Option<String>,
    /// When the last offer was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_offer_at: Option<String>,
    /// Decline counts by reason, e.g. `UnfulfilledConstraint`, `InsufficientCpus`
    /// (wire name `rejectSummaryLastOffers`, as in R:v2/types/queue.raml).
    #[serde(default, rename = "rejectSummaryLastOffers", alias = "rejectionSummaryLastOffers")]
    pub rejection_summary_last_offers: Vec<RejectionCount>,
    /// Decline counts by reason over the whole launch attempt (wire name `rejectSummaryLaunchAttempt`).
    #[serde(default, rename = "rejectSummaryLaunchAttempt", alias = "rejectionSummaryLaunchAttempt")]
    pub rejection_summary_launch_attempt: Vec<RejectionCount>,
}

/// One reason and how many offers it declined.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectionCount {
    /// The reason: `UnfulfilledRole`, `UnfulfilledConstraint`, `NoCorrespondingReservationFound`,
    /// `AgentMaintenance`, `InsufficientCpus`, `InsufficientMemory`, `InsufficientDisk`,
    /// `InsufficientGpus`, `InsufficientPorts`, `DeclinedScarceResources`.
    pub reason: String,
    /// Offers declined for it.
    pub declined: u64,
    /// Offers processed.
    pub processed: u64,
}

/// `{"queue": [...]}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Queue {
    /// Waiting apps.
    pub queue: Vec<QueueItem>,
}
