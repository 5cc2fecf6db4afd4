//! Offer-match statistics of `/v2/queue`, kept as Marathon keeps them.
//!
//! Marathon (M:src/main/scala/mesosphere/marathon/core/launchqueue/impl/OfferMatchStatistics.scala)
//! folds every offer its `TaskLauncherActor` matches or declines into two maps keyed by run spec
//! id: `RunSpecOfferStatistics` (processed and unused offer counters, the reject summary counted
//! by each declined offer's first reason in `NoOfferMatchReason.reasonFunnel`, the last match and
//! the last no-match) and the last no-match **per agent**. Both are dropped only on
//! `LaunchFinished`, which the launcher actor sends from `postStop`
//! (M:.../launchqueue/impl/TaskLauncherActor.scala), and `LaunchQueue` has no `purge` any more
//! (M:.../launchqueue/LaunchQueue.scala), so `LaunchQueueActor` never stops a launcher while it
//! leads (M:.../launchqueue/impl/LaunchQueueActor.scala). So the counters and the reject summary add up
//! over the app's whole life, across queue entries and versions, and outlive a delete of the app;
//! only a restart (a new leader) starts them afresh. The engine keeps them in
//! `State::offer_stats` by app id, which nothing removes.
//!
//! Rendering follows M:.../raml/QueueInfoConversion.scala: `rejectSummaryLaunchAttempt` is the
//! cumulative summary over `processedOffersCount`, `rejectSummaryLastOffers` summarises the last
//! no-match of each agent over their number, both as a funnel of all ten reasons where each
//! step's `processed` is what the previous steps left (`declinedOfferSteps`).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::marathon::types::{ProcessedOffersSummary, RejectionCount};

/// `NoOfferMatchReason.reasonFunnel` (M:src/main/scala/mesosphere/mesos/NoOfferMatchReason.scala):
/// a declined offer counts under the first of its reasons in this order.
pub(crate) const FUNNEL: [&str; 10] = [
    "UnfulfilledRole",
    "UnfulfilledConstraint",
    "NoCorrespondingReservationFound",
    "AgentMaintenance",
    "InsufficientCpus",
    "InsufficientMemory",
    "InsufficientDisk",
    "InsufficientGpus",
    "InsufficientPorts",
    "DeclinedScarceResources",
];

/// One declined offer as `lastUnusedOffers` shows it.
#[derive(Debug, Clone)]
pub(crate) struct NoMatch {
    /// Every reason the offer did not fit, in the order the matcher found them.
    pub(crate) reasons: Vec<&'static str>,
    /// The offer (RAML `offer.Offer`).
    pub(crate) offer: Value,
    /// When it was processed.
    pub(crate) timestamp: String,
}

/// The statistics of one app (Marathon's `RunSpecOfferStatistics` plus its per-agent no-matches).
#[derive(Debug, Clone, Default)]
pub(crate) struct OfferStats {
    /// Offers processed (matched or declined).
    pub(crate) processed: u64,
    /// Offers declined.
    pub(crate) unused: u64,
    /// Declined offers by their first reason in [`FUNNEL`].
    pub(crate) reject_summary: [u64; 10],
    /// When an offer was last used.
    pub(crate) last_match_at: Option<String>,
    /// When an offer was last declined.
    pub(crate) last_no_match_at: Option<String>,
    /// The last declined offer of each agent, by agent id.
    pub(crate) last_no_matches: BTreeMap<String, NoMatch>,
}

/// The index in [`FUNNEL`] of the reason a declined offer counts under; `None` without reasons.
fn funnel_index(reasons: &[&str]) -> Option<usize> {
    reasons.iter().filter_map(|r| FUNNEL.iter().position(|f| f == r)).min()
}

/// `declinedOfferSteps`: one step per funnel reason; each step's `processed` is what is left
/// after the declines of the steps before it.
fn steps(processed: u64, counts: &[u64; 10]) -> Vec<RejectionCount> {
    let mut left = processed;
    FUNNEL
        .iter()
        .zip(counts)
        .map(|(reason, &declined)| {
            let step = RejectionCount { reason: (*reason).into(), declined, processed: left };
            left = left.saturating_sub(declined);
            step
        })
        .collect()
}

impl OfferStats {
    /// `incrementMatched`: an offer was used.
    pub(crate) fn matched(&mut self, now: &str) {
        self.processed += 1;
        self.last_match_at = Some(now.to_owned());
    }

    /// `incrementUnmatched` and the per-agent no-match map: an offer of `agent_id` was declined.
    pub(crate) fn declined(&mut self, agent_id: &str, reasons: Vec<&'static str>, offer: Value, now: &str) {
        self.processed += 1;
        self.unused += 1;
        if let Some(i) = funnel_index(&reasons) {
            self.reject_summary[i] += 1;
        }
        self.last_no_match_at = Some(now.to_owned());
        self.last_no_matches.insert(agent_id.to_owned(), NoMatch { reasons, offer, timestamp: now.to_owned() });
    }

    /// `processedOffersSummary` as `QueueInfoConversion` renders it.
    pub(crate) fn summary(&self) -> ProcessedOffersSummary {
        let mut last = [0u64; 10];
        for no_match in self.last_no_matches.values() {
            if let Some(i) = funnel_index(&no_match.reasons) {
                last[i] += 1;
            }
        }
        ProcessedOffersSummary {
            processed_offers_count: self.processed,
            unused_offers_count: self.unused,
            last_unused_offer_at: self.last_no_match_at.clone(),
            last_used_offer_at: self.last_match_at.clone(),
            rejection_summary_last_offers: steps(self.last_no_matches.len() as u64, &last),
            rejection_summary_launch_attempt: steps(self.processed, &self.reject_summary),
        }
    }

    /// `lastUnusedOffers` (with `embed=lastUnusedOffers`): the last declined offer of each agent.
    pub(crate) fn last_unused_offers(&self) -> Vec<Value> {
        self.last_no_matches
            .values()
            .map(|m| json!({"offer": m.offer, "reason": m.reasons, "timestamp": m.timestamp}))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers of M:src/test/scala/mesosphere/marathon/raml/QueueInfoConversionTest.scala
    /// ("A QueueInfoWithStatistics is converted correctly").
    #[test]
    fn steps_are_a_funnel_like_queue_info_conversion() {
        let mut counts = [0u64; 10];
        counts[4] = 75;
        counts[5] = 15;
        counts[6] = 10;
        let s = steps(123, &counts);
        assert_eq!(s.len(), 10);
        assert_eq!((s[0].reason.as_str(), s[0].declined, s[0].processed), ("UnfulfilledRole", 0, 123));
        assert_eq!((s[4].reason.as_str(), s[4].declined, s[4].processed), ("InsufficientCpus", 75, 123));
        assert_eq!((s[5].declined, s[5].processed), (15, 48));
        assert_eq!((s[6].declined, s[6].processed), (10, 33));
        assert_eq!((s[9].reason.as_str(), s[9].processed), ("DeclinedScarceResources", 23));
    }

    #[test]
    fn counters_add_up_and_last_offers_keep_one_per_agent() {
        let mut st = OfferStats::default();
        st.declined("a", vec!["InsufficientCpus", "UnfulfilledConstraint"], Value::Null, "t1");
        st.declined("a", vec!["InsufficientMemory"], Value::Null, "t2");
        st.declined("b", vec!["InsufficientMemory"], Value::Null, "t2");
        st.matched("t3");
        let s = st.summary();
        assert_eq!((s.processed_offers_count, s.unused_offers_count), (4, 3));
        // the first declined offer counts under UnfulfilledConstraint, first in the funnel
        assert_eq!(s.rejection_summary_launch_attempt[1].declined, 1);
        assert_eq!(s.rejection_summary_launch_attempt[5].declined, 2);
        // last offers: one per agent, both InsufficientMemory, out of 2
        assert_eq!((s.rejection_summary_last_offers[5].declined, s.rejection_summary_last_offers[5].processed), (2, 2));
        assert_eq!(s.rejection_summary_last_offers[1].declined, 0);
        assert_eq!(s.last_used_offer_at.as_deref(), Some("t3"));
        assert_eq!(st.last_unused_offers().len(), 2);
    }
}
