//! Draws rollout [`Event`]s on stderr: on a terminal, one indicatif bar per group (healthy of
//! desired, batch k/n, waiting until ...); otherwise (CI logs, `-q`, `-v`, `-o json`, `-o
//! jsonl`) no bars, and the same news as timestamped status lines, printed only when a group's
//! news changes. With `-o jsonl` each event also goes to stdout as a JSON line (`events.rs`).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::events::Events;
use super::Output;
use crate::cli::Format;
use crate::rollout::{Event, Reporter};

/// One bar per group being waited on or rolled.
#[derive(Debug)]
pub struct Progress {
    multi: MultiProgress,
    out: Output,
    verb: &'static str,
    /// Whether bars are drawn; when not, progress goes out as status lines.
    bars_shown: bool,
    bars: Mutex<BTreeMap<String, ProgressBar>>,
    /// The last progress line printed per group (lines are printed only when they change).
    last: Mutex<BTreeMap<String, String>>,
    /// `-o jsonl`: the events as JSON lines on stdout, beside the lines on stderr.
    events: Option<Events>,
}

impl Progress {
    /// Progress for an operation; `verb` names it in status lines (`Deployed`, `Updated`).
    /// With `-o jsonl` the command now streams events, and its result is written last, by
    /// [`Output::end`].
    pub fn new(out: &Output, verb: &'static str) -> Self {
        let target = out.progress_target();
        let bars_shown = !target.is_hidden();
        let jsonl = out.format == Format::Jsonl;
        if jsonl {
            out.stream.start();
        }
        Progress {
            multi: MultiProgress::with_draw_target(target),
            out: out.clone(),
            verb,
            bars_shown,
            bars: Mutex::new(BTreeMap::new()),
            last: Mutex::new(BTreeMap::new()),
            events: jsonl.then(Events::default),
        }
    }

    /// Runs `f` with the group's bar, creating it on first use.
    fn with_bar(&self, group: &str, f: impl FnOnce(&ProgressBar)) {
        let Ok(mut bars) = self.bars.lock() else { return };
        let bar = bars.entry(group.to_owned()).or_insert_with(|| {
            let bar = self.multi.add(ProgressBar::new(0));
            let style =
                ProgressStyle::with_template("{spinner} {prefix:.bold} {bar:20} {pos}/{len} healthy  {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_prefix(group.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        f(bar);
    }

    /// A status line above the bars (or alone, when they are hidden).
    fn line(&self, verb: &str, text: &str) {
        self.multi.suspend(|| self.out.status(verb, text));
    }
}

impl Reporter for Progress {
    fn on(&self, event: Event) {
        if let Some(events) = &self.events {
            events.on(&event);
        }
        match event {
            Event::Started { .. } => {}
            Event::Progress { group, healthy, desired, state } => {
                self.with_bar(&group, |bar| {
                    bar.set_length(u64::from(desired));
                    bar.set_position(u64::from(healthy));
                    bar.set_message(state.clone());
                });
                if !self.bars_shown {
                    let text = format!("{group}: {healthy}/{desired} healthy, {state}");
                    let changed = self.last.lock().map(|mut l| l.insert(group, text.clone()).as_ref() != Some(&text));
                    if changed.unwrap_or(true) {
                        self.line("Progress", &text);
                    }
                }
            }
            Event::Converged { group } => {
                self.with_bar(&group, |bar| bar.finish_and_clear());
                self.line(self.verb, &group);
            }
            Event::BatchStarted { group, batch, batches, size } => {
                self.with_bar(&group, |bar| bar.set_message(format!("batch {batch}/{batches}")));
                self.line("Batch", &format!("{group}: batch {batch}/{batches} ({size} instance(s))"));
            }
            Event::Waiting { group, wait } => {
                let until = chrono::Utc::now() + wait;
                let text = format!("waiting until {} ({})", until.format("%H:%M:%S"), humantime::format_duration(wait));
                self.with_bar(&group, |bar| bar.set_message(text.clone()));
                self.line("Waiting", &format!("{group}: {text}"));
            }
            Event::RollingBack { group, reason } => {
                self.with_bar(&group, |bar| bar.set_message("rolling back"));
                self.multi.suspend(|| self.out.warn(format!("{group}: {reason}; rolling back")));
            }
            Event::RolloutStarted { .. } => {}
            Event::BatchHealthy { .. } => {}
            Event::Canary { group, instances, old } => {
                self.with_bar(&group, |bar| bar.set_message("canary"));
                self.line("Canary", &format!("{group}: {instances} canary instance(s) healthy beside {old} old"));
            }
            Event::Gate { group, gate, verdict, detail } => {
                let text = if detail.is_empty() {
                    format!("{group}: {gate} {verdict}")
                } else {
                    format!("{group}: {gate} {verdict}: {detail}")
                };
                self.line("Gate", &text);
            }
            Event::Paused { group, by, reason } => {
                self.with_bar(&group, |bar| bar.set_message(format!("paused: {reason}")));
                self.line("Paused", &format!("{group}: {reason} (by {by})"));
            }
            Event::Resumed { group, by } => self.line("Resumed", &format!("{group} (by {by})")),
            Event::Promoted { group, by } => self.line("Promoted", &format!("{group} (by {by})")),
            Event::Aborted { group, by } => {
                self.multi.suspend(|| self.out.warn(format!("{group}: aborted by {by}")));
            }
            Event::RolledBack { group, to } => self.line("Rolled back", &format!("{group} to {to}")),
            Event::Finished => self.finish(),
        }
    }
}

impl Progress {
    fn finish(&self) {
        if let Ok(bars) = self.bars.lock() {
            for bar in bars.values() {
                bar.finish_and_clear();
            }
        }
        let _ = self.multi.clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
