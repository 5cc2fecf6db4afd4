//! `update --waves 'canary;dev;prod'`: the selected groups split into waves that roll one after
//! another. This is the pure part: parsing the waves, putting each group in the first wave
//! whose selector matches it, and the rows of the groups a failed wave stops. `update` runs them.
//!
//! Marathon has no waves; its deployment plan orders the apps of one change by their
//! dependencies only (`core/deployment/DeploymentPlan.scala`, `dependencyOrderedSteps`). A wave here is a set of
//! groups named by labels, and the next wave waits for the whole of this one to finish well.

use std::collections::BTreeSet;

use super::plan::{Desired, GroupPlan};
use super::result::{RolloutOutcome, RolloutResult, Timings};
use crate::error::{ExitStatus, UserError};
use crate::names::encode;
use crate::spec::labels::Selector;

/// One wave of `--waves`: a label selector in the `-l` syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wave {
    /// Its place in `--waves`, from 1.
    pub number: u32,
    /// The selector as written (trimmed): how status lines and reasons name the wave.
    pub text: String,
    /// The parsed selector.
    pub selector: Selector,
}

impl Wave {
    /// Parses `--waves`: `;`-separated selectors, each comma-separated labels with `!label`
    /// excluding one, as `-l` takes them. An empty or malformed wave is a [`UserError`] naming
    /// it (exit 2).
    pub fn parse_all(text: &str) -> Result<Vec<Wave>, UserError> {
        let mut waves = Vec::new();
        for (i, raw) in text.split(';').enumerate() {
            let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let raw = raw.trim();
            let values: Vec<&str> = raw.split(',').collect();
            let selector = Selector::parse(&values).map_err(|e| UserError {
                message: format!("wave {number} (`{raw}`) of --waves: {}", e.message.replace(" in --label", "")),
                hint: e.hint,
            })?;
            if selector.is_empty() {
                return Err(UserError::with_hint(
                    format!("wave {number} of --waves `{text}` is empty"),
                    "every wave is a label selector (`-l` syntax: `dev`, `dev,frontend`, `prod,!canary`), \
                     separated by `;`; for the groups earlier waves leave, end with a wave naming their labels",
                ));
            }
            waves.push(Wave { number, text: raw.to_owned(), selector });
        }
        Ok(waves)
    }

    /// `wave 2 (dev)`, as status lines and reasons name it.
    pub fn name(&self) -> String {
        format!("wave {} ({})", self.number, self.text)
    }
}

/// A selected group as [`assign`] sees it.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    /// Its service.
    pub service: &'a str,
    /// Its label set.
    pub labels: &'a BTreeSet<String>,
}

/// Puts each group in the first wave whose selector matches its labels: for each wave, the
/// indices of its groups in `groups` (in their order there). A group that no wave matches is a
/// [`UserError`] (exit 2) naming the groups and suggesting the last wave that would take them.
pub fn assign(waves: &[Wave], groups: &[Member<'_>]) -> Result<Vec<Vec<usize>>, UserError> {
    let mut members = vec![Vec::new(); waves.len()];
    let mut unmatched = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        match waves.iter().position(|w| w.selector.matches(g.labels)) {
            Some(w) => members[w].push(i),
            None => unmatched.push(*g),
        }
    }
    if unmatched.is_empty() {
        return Ok(members);
    }
    let names: Vec<String> = unmatched.iter().map(|g| format!("{}/{}", g.service, encode(g.labels))).collect();
    let written: Vec<&str> = waves.iter().map(|w| w.text.as_str()).collect();
    let wanted = [written, rest(&unmatched).iter().map(String::as_str).collect()].concat().join(";");
    Err(UserError::with_hint(
        format!("no wave of --waves matches {} selected group(s): {}", names.len(), names.join(", ")),
        format!(
            "add a last wave naming their labels (an empty wave is not allowed), e.g. --waves '{wanted}'; \
             or leave them out of the selection with -l"
        ),
    ))
}

/// The wave(s) that would take the groups in `unmatched`: one wave of the labels they all have,
/// else one wave per group naming all its labels.
fn rest(unmatched: &[Member<'_>]) -> Vec<String> {
    let common = unmatched
        .iter()
        .map(|g| g.labels.clone())
        .reduce(|a, b| a.intersection(&b).cloned().collect())
        .unwrap_or_default();
    if !common.is_empty() {
        return vec![common.into_iter().collect::<Vec<_>>().join(",")];
    }
    let mut waves: Vec<String> = Vec::new();
    for g in unmatched {
        let wave = g.labels.iter().cloned().collect::<Vec<_>>().join(",");
        if !waves.contains(&wave) {
            waves.push(wave);
        }
    }
    waves
}

/// Why the waves after `wave` do not run: `wave 1 (canary) did not finish: web/canary rolled
/// back`, naming each of its groups that ended without success.
pub fn stop_reason(wave: &Wave, rows: &[RolloutResult]) -> String {
    let failed: Vec<String> = rows
        .iter()
        .filter(|r| r.status != ExitStatus::Success)
        .map(|r| format!("{}/{} {}", r.service, r.group, how_it_ended(r)))
        .collect();
    format!("{} did not finish: {}", wave.name(), failed.join(", "))
}

/// How a group that did not finish ended, in a few words.
fn how_it_ended(r: &RolloutResult) -> String {
    match (r.status, r.outcome) {
        (ExitStatus::AwaitingPromotion, _) => "awaits promotion".to_owned(),
        (ExitStatus::Deadline, RolloutOutcome::RolledBack) => "rolled back at its deadline".to_owned(),
        (ExitStatus::Locked, _) => "was locked or lost its lock".to_owned(),
        (ExitStatus::Interrupted, _) => "was interrupted".to_owned(),
        (_, RolloutOutcome::RolledBack) => "rolled back".to_owned(),
        (_, outcome) => outcome.to_string().replace('-', " "),
    }
}

/// The row of a group of a wave that did not run because an earlier one stopped (`reason`
/// says which): left untouched, it asks for no exit status of its own.
pub fn skipped_row(p: &GroupPlan, d: &Desired, wave: u32, reason: &str) -> RolloutResult {
    RolloutResult {
        service: p.service.clone(),
        group: p.group.clone(),
        outcome: RolloutOutcome::Skipped,
        from: p.live_revisions.first().cloned(),
        to: p.revision.clone(),
        instances: d.app.instances.unwrap_or(1),
        batches: Vec::new(),
        reason: Some(reason.to_owned()),
        timings: Timings::default(),
        status: ExitStatus::Success,
        wave: Some(wave),
        evidence: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> BTreeSet<String> {
        text.split(',').map(str::to_owned).collect()
    }

    fn row(group: &str, outcome: RolloutOutcome, status: ExitStatus) -> RolloutResult {
        RolloutResult {
            service: "web".into(),
            group: group.into(),
            outcome,
            from: None,
            to: None,
            instances: 1,
            batches: Vec::new(),
            reason: None,
            timings: Timings::default(),
            status,
            wave: Some(1),
            evidence: None,
        }
    }

    #[test]
    fn waves_parse_as_label_selectors_in_order() {
        let waves = Wave::parse_all(" canary ; dev,frontend;prod,!canary").unwrap();
        assert_eq!(waves.len(), 3);
        assert_eq!((waves[0].number, waves[0].text.as_str()), (1, "canary"));
        assert_eq!(waves[1].selector, Selector::parse(&["dev", "frontend"]).unwrap());
        assert_eq!(waves[2].selector, Selector::parse(&["prod", "!canary"]).unwrap());
        assert_eq!(waves[2].name(), "wave 3 (prod,!canary)");
        assert_eq!(Wave::parse_all("dev").unwrap().len(), 1, "one wave is a wave");
    }

    #[test]
    fn empty_and_malformed_waves_are_refused_by_number() {
        for text in ["", "canary;;prod", "canary;", " ; dev", "canary; , ;prod"] {
            let err = Wave::parse_all(text).unwrap_err();
            assert!(err.message.contains("is empty"), "{text:?}: {err}");
            assert!(err.hint.as_deref().unwrap_or_default().contains("naming their labels"), "{text:?}");
        }
        let err = Wave::parse_all("canary;Dev").unwrap_err();
        assert_eq!(err.message, "wave 2 (`Dev`) of --waves: invalid label `Dev`");
        let err = Wave::parse_all("a,!a").unwrap_err();
        assert!(err.message.starts_with("wave 1 (`a,!a`) of --waves: label `a` is both"), "{err}");
        assert!(Wave::parse_all("!dev.frontend").unwrap_err().message.contains("excludes a set"));
    }

    #[test]
    fn a_group_goes_to_the_first_wave_that_matches_it() {
        let waves = Wave::parse_all("canary;dev;prod").unwrap();
        let (c, cd, d, p) = (labels("canary"), labels("canary,dev"), labels("dev,frontend"), labels("prod"));
        let groups = [
            Member { service: "web", labels: &p },
            Member { service: "web", labels: &cd },
            Member { service: "api", labels: &d },
            Member { service: "web", labels: &c },
        ];
        assert_eq!(assign(&waves, &groups).unwrap(), vec![vec![1, 3], vec![2], vec![0]]);
        // A wave nothing matches stays, empty, in its place.
        let waves = Wave::parse_all("canary;staging;prod;dev").unwrap();
        assert_eq!(assign(&waves, &groups).unwrap(), vec![vec![1, 3], vec![], vec![0], vec![2]]);
    }

    #[test]
    fn unmatched_groups_are_named_with_the_wave_that_would_take_them() {
        let waves = Wave::parse_all("canary;dev").unwrap();
        let (c, p1, p2) = (labels("canary"), labels("prod,eu"), labels("prod,us"));
        let groups = [
            Member { service: "web", labels: &c },
            Member { service: "web", labels: &p1 },
            Member { service: "api", labels: &p2 },
        ];
        let err = assign(&waves, &groups).unwrap_err();
        assert_eq!(err.message, "no wave of --waves matches 2 selected group(s): web/eu.prod, api/prod.us");
        let hint = err.hint.unwrap();
        assert!(hint.contains("--waves 'canary;dev;prod'"), "the labels they share: {hint}");

        let (eu, us) = (labels("eu,prod"), labels("staging,us"));
        let groups = [Member { service: "web", labels: &eu }, Member { service: "web", labels: &us }];
        let hint = assign(&waves, &groups).unwrap_err().hint.unwrap();
        assert!(hint.contains("--waves 'canary;dev;eu,prod;staging,us'"), "one wave each: {hint}");
    }

    #[test]
    fn the_stop_reason_names_the_wave_and_how_its_groups_ended() {
        let wave = &Wave::parse_all("canary").unwrap()[0];
        let rows = [
            row("canary", RolloutOutcome::RolledBack, ExitStatus::RolledBack),
            row("canary.eu", RolloutOutcome::Rolled, ExitStatus::Success),
            row("canary.us", RolloutOutcome::Failed, ExitStatus::RollbackFailed),
            row("canary.asia", RolloutOutcome::Rolled, ExitStatus::AwaitingPromotion),
        ];
        assert_eq!(
            stop_reason(wave, &rows),
            "wave 1 (canary) did not finish: web/canary rolled back, web/canary.us failed, \
             web/canary.asia awaits promotion"
        );
        let rows = [row("canary", RolloutOutcome::RolledBack, ExitStatus::Deadline)];
        assert_eq!(stop_reason(wave, &rows), "wave 1 (canary) did not finish: web/canary rolled back at its deadline");
    }
}
