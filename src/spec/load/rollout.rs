//! How a group rolls forward (`rollout`, DESIGN §3) and its launch backoff (`backoff`).

use std::time::Duration;

use super::read::{NonEmpty, Seconds};
use super::toml::{found, Layers, Value as _};
use super::Loader;
use crate::spec::model::{Amount, BackoffSpec, Promote, Rollout};

const BACKOFF_KEYS: &[&str] = &["delay", "factor", "max_delay"];
const ROLLOUT_KEYS: &[&str] = &[
    "batch",
    "wait",
    "max_unavailable",
    "min_healthy",
    "deadline",
    "canary",
    "canary_for",
    "gate",
    "gate_timeout",
    "promote",
    "bake",
];

impl Loader<'_> {
    /// The `backoff` table; `factor` is at least 1 (Marathon's `backoffFactor`).
    pub(super) fn backoff(&mut self, b: &Layers<'_>) -> Option<BackoffSpec> {
        self.check_keys(b, BACKOFF_KEYS, "`backoff`");
        let delay = self.read_or(b, "delay", Seconds::<0>(BackoffSpec::DEFAULT_DELAY));
        let max_delay = self.read_or(b, "max_delay", Seconds::<0>(BackoffSpec::DEFAULT_MAX_DELAY));
        let factor = self.read_or(b, "factor", BackoffSpec::DEFAULT_FACTOR).and_then(|f| {
            if f >= 1.0 {
                return Some(f);
            }
            let span = b.get("factor").map(|(_, v)| v.span());
            self.err(span, format!("backoff `factor` must be at least 1, found {f}"), "use e.g. `factor = 1.15`");
            None
        });
        Some(BackoffSpec { delay: delay?.0, factor: factor?, max_delay: max_delay?.0 })
    }

    /// The `rollout` table: batches, pauses and the deadline of each batch.
    pub(super) fn rollout(&mut self, r: &Layers<'_>) -> Option<Rollout> {
        self.check_keys(r, ROLLOUT_KEYS, "`rollout`");
        let batch = self.amount(r, "batch", Rollout::DEFAULT_BATCH, 1, 1);
        let max_unavailable = self.amount(r, "max_unavailable", Rollout::DEFAULT_MAX_UNAVAILABLE, 0, 0);
        let wait = self.read_or(r, "wait", Rollout::DEFAULT_WAIT);
        let min_healthy = self.read_or(r, "min_healthy", Rollout::DEFAULT_MIN_HEALTHY);
        let deadline = self.read_or(r, "deadline", Rollout::DEFAULT_DEADLINE);
        if let Some(dl) = deadline {
            let span = r.get("deadline").map(|(_, v)| v.span());
            if dl.is_zero() {
                self.err(
                    span,
                    "rollout `deadline` must be longer than 0s",
                    "give each batch time to become healthy, e.g. `deadline = \"10m\"`",
                );
            } else if let Some(mh) = min_healthy.filter(|mh| *mh >= dl) {
                let human = humantime::format_duration;
                self.err(
                    r.get("min_healthy").map(|(_, v)| v.span()).or(span),
                    format!("rollout `min_healthy` ({}) must be shorter than `deadline` ({})", human(mh), human(dl)),
                    "a batch must stay healthy for `min_healthy` before `deadline` passes; shorten it or lengthen `deadline`",
                );
            }
        }
        let canary = match r.get("canary") {
            Some(_) => self.amount(r, "canary", Rollout::DEFAULT_BATCH, 1, 1).map(Some),
            None => Some(None),
        };
        let canary_for = self.read_or(r, "canary_for", Duration::ZERO);
        let gate = match r.get("gate") {
            Some((_, v)) => self.read::<NonEmpty>(v, "gate").map(|g| Some(g.0)),
            None => Some(None),
        };
        let gate_timeout = self.read_or(r, "gate_timeout", Rollout::DEFAULT_GATE_TIMEOUT);
        if gate_timeout.is_some_and(|t| t.is_zero()) {
            self.err(
                r.get("gate_timeout").map(|(_, v)| v.span()),
                "rollout `gate_timeout` must be longer than 0s",
                "give the gate command time to judge the canary, e.g. `gate_timeout = \"5m\"`",
            );
        }
        let promote = self.promote(r);
        let bake = self.read_or(r, "bake", Duration::ZERO);
        if r.get("canary").is_none() {
            // The gates and the promotion judge a canary: without one they would never run.
            for key in ["canary_for", "gate", "gate_timeout", "promote"] {
                if let Some((_, v)) = r.get(key) {
                    self.err(
                        v.span(),
                        format!("rollout `{key}` needs a canary step"),
                        "add `canary = 1` (or a percentage such as `\"10%\"`) to the `rollout` table, or remove the key",
                    );
                }
            }
        }
        Some(Rollout {
            batch: batch?,
            wait: wait?,
            max_unavailable: max_unavailable?,
            min_healthy: min_healthy?,
            deadline: deadline?,
            canary: canary?,
            canary_for: canary_for?,
            gate: gate?,
            gate_timeout: gate_timeout?,
            promote: promote?,
            bake: bake?,
        })
    }

    /// `promote = "auto" | "manual"`.
    fn promote(&mut self, r: &Layers<'_>) -> Option<Promote> {
        let Some((_, item)) = r.get("promote") else { return Some(Promote::Auto) };
        match item.as_str() {
            Some("auto") => Some(Promote::Auto),
            Some("manual") => Some(Promote::Manual),
            _ => {
                let shown = match item.as_str() {
                    Some(s) => format!("`{s}`"),
                    None => found(item).to_owned(),
                };
                self.err(
                    item.span(),
                    format!("invalid rollout `promote` {shown}"),
                    "write `promote = \"auto\"` (go on after the canary's gates) or `\"manual\"` (hold for `theseus rollout promote`)",
                );
                None
            }
        }
    }

    /// A count (at least `min_count`) or a percentage (at least `min_pct`), `default` when absent.
    fn amount(&mut self, r: &Layers<'_>, key: &str, default: Amount, min_count: u32, min_pct: u8) -> Option<Amount> {
        let Some((_, item)) = r.get(key) else { return Some(default) };
        let a = match (item.as_integer(), item.as_str()) {
            (Some(i), _) => u32::try_from(i).ok().map(Amount::Count),
            (_, Some(s)) if s.trim().ends_with('%') => s.parse::<Amount>().ok(),
            _ => None,
        };
        match a {
            Some(Amount::Count(n)) if n >= min_count => Some(Amount::Count(n)),
            Some(Amount::Percent(p)) if p >= min_pct => Some(Amount::Percent(p)),
            _ => {
                let shown = match item.as_table() {
                    Some(_) => found(item).to_owned(),
                    None => self.c.text(item.span()).trim().to_owned(),
                };
                self.err(
                    item.span(),
                    format!("invalid rollout `{key}` {shown}"),
                    format!("write a count (at least {min_count}) or a percentage such as `\"25%\"` ({min_pct}%-100%)"),
                );
                None
            }
        }
    }
}
