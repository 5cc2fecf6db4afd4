//! Draws rollout [`Event`]s with indicatif on stderr, and ends with status lines so logs read
//! well when the bar is hidden (`-q`, `-v`, `-o json`, or stderr not a terminal).

use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::Output;
use crate::rollout::{Event, Reporter};

/// A progress bar over the groups being waited on.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    out: Output,
    verb: &'static str,
    converged: Mutex<Vec<String>>,
}

impl Progress {
    /// A bar for a wait; `verb` names the operation in status lines (`Deployed`, `Scaled`).
    pub fn new(out: &Output, verb: &'static str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), out.progress_target());
        let style =
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} groups {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar, out: out.clone(), verb, converged: Mutex::new(Vec::new()) }
    }
}

impl Reporter for Progress {
    fn on(&self, event: Event) {
        match event {
            Event::Started { total } => self.bar.set_length(total as u64),
            Event::Progress { group, healthy, desired, state } => {
                self.bar.set_message(format!("{group}: {healthy}/{desired} healthy, {state}"));
            }
            Event::Converged { group } => {
                self.bar.inc(1);
                if let Ok(mut c) = self.converged.lock() {
                    c.push(group.clone());
                }
                self.bar.suspend(|| self.out.status(self.verb, &group));
            }
            Event::BatchStarted { group, batch, batches, size } => {
                let line = format!("{group}: batch {batch}/{batches} ({size} instance(s))");
                self.bar.set_message(line.clone());
                self.bar.suspend(|| self.out.status("Batch", &line));
            }
            Event::Waiting { group, wait } => {
                let line = format!("{group}: next batch in {}", humantime::format_duration(wait));
                self.bar.set_message(line.clone());
                self.bar.suspend(|| self.out.status("Waiting", &line));
            }
            Event::RollingBack { group, reason } => {
                self.bar.suspend(|| self.out.warn(format!("{group}: {reason}; rolling back")));
            }
            Event::Finished => self.bar.finish_and_clear(),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
