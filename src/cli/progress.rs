//! Progress of long commands, in one place so every command (and any later one,
//! such as a capacity search) reports the same way: a bar on stderr when stderr
//! is a terminal; otherwise one line per finished unit on stderr (a CI log shows
//! a 135-run sweep advancing instead of 11 silent minutes); nothing with
//! `--quiet` or `--json`. Progress never changes results or stdout.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::Ctx;

/// A progress reporter for units of work (runs, stages, points).
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    lines: bool,
    unit: String,
    /// Last count printed as a line, so that each finished unit prints once.
    printed: AtomicUsize,
    /// Serialises lines from worker threads.
    lock: Mutex<()>,
}

impl Progress {
    /// A reporter of `unit`s ("runs", "stages", "points"); `total` may be unknown.
    pub fn new(ctx: &Ctx, unit: &str, total: Option<usize>) -> Self {
        Self::with_terminal(ctx, unit, total, std::io::stderr().is_terminal())
    }

    fn with_terminal(ctx: &Ctx, unit: &str, total: Option<usize>, terminal: bool) -> Self {
        let silent = ctx.quiet || ctx.json;
        let bar = (!silent && terminal).then(|| {
            let bar = indicatif::ProgressBar::new(total.unwrap_or(0) as u64);
            let template = if total.is_some() {
                "{msg} {pos}/{len} [{bar:30}] {rate} elapsed {elapsed} ETA {eta}"
            } else {
                "{msg} {pos} {spinner} elapsed {elapsed}"
            };
            if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
                let rate = |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.1}/s", state.per_sec());
                };
                bar.set_style(style.with_key("rate", rate).progress_chars("=> "));
            }
            bar.set_message(unit.to_string());
            bar
        });
        Self {
            bar,
            lines: !silent && !terminal,
            unit: unit.to_string(),
            printed: AtomicUsize::new(0),
            lock: Mutex::new(()),
        }
    }

    /// `done` of `total` units have finished; `label` names the last one (may be
    /// empty). Safe to call from several threads, in any order.
    pub fn done(&self, done: usize, total: Option<usize>, label: &str) {
        if let Some(b) = &self.bar {
            if let Some(t) = total {
                b.set_length(t as u64);
            }
            b.set_position(done as u64);
        }
        if self.lines {
            // Hold the lock while checking, so counts print in order and once.
            let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
            // Worker threads may report 3 before 2: every count up to `done`
            // gets its line, in order, and the label goes with the last.
            let printed = self.printed.load(Ordering::Relaxed);
            if done > printed {
                self.printed.store(done, Ordering::Relaxed);
                let of = total.map(|t| format!("/{t}")).unwrap_or_default();
                for k in printed + 1..done {
                    eprintln!("{} {k}{of} done", self.unit);
                }
                let label = if label.is_empty() {
                    String::new()
                } else {
                    format!(": {label}")
                };
                eprintln!("{} {done}{of} done{label}", self.unit);
            }
        }
    }

    /// A bar-only update (simulated time of one run): never printed as lines.
    pub fn position(&self, pos: u64, len: u64, message: &str) {
        if let Some(b) = &self.bar {
            b.set_message(message.to_string());
            b.set_length(len);
            b.set_position(pos);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::ColorChoice;

    #[test]
    fn quiet_and_json_silence_everything() {
        for (json, quiet) in [(true, false), (false, true)] {
            let ctx = Ctx::new(json, quiet, ColorChoice::Never);
            for terminal in [true, false] {
                let p = Progress::with_terminal(&ctx, "runs", Some(3), terminal);
                assert!(p.bar.is_none() && !p.lines);
            }
        }
        let ctx = Ctx::new(false, false, ColorChoice::Never);
        let p = Progress::with_terminal(&ctx, "runs", Some(3), false);
        assert!(p.bar.is_none() && p.lines, "lines without a terminal");
        let p = Progress::with_terminal(&ctx, "runs", Some(3), true);
        assert!(p.bar.is_some() && !p.lines, "a bar on a terminal");
    }
}
