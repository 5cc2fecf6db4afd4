//! Diagnostics: every problem of a spec file, with its position and a fix.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use crate::error::{Classify, ExitStatus};

/// One problem in a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line and column (in characters), when the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

/// An invalid or unreadable spec file: all of its problems, in file order (exit code 2).
///
/// `Display` is the full report, one `error: FILE:LINE:COL: message` line per problem, each
/// followed by its `  hint:` line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    /// The spec file.
    pub path: PathBuf,
    /// The problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Error {
    /// An error with one problem that has no position (unreadable file, bad `--namespace`).
    pub fn single(path: impl Into<PathBuf>, message: impl Into<String>, hint: Option<String>) -> Self {
        Error { path: path.into(), diagnostics: vec![Diagnostic { position: None, message: message.into(), hint }] }
    }
}

impl Error {
    /// The closing line of a report: how many problems, and that nothing was sent.
    pub fn summary(&self) -> String {
        let n = self.diagnostics.len();
        format!(
            "error: `{}` is invalid: {n} problem{}; nothing was sent to Marathon or etcd",
            self.path.display(),
            if n == 1 { "" } else { "s" }
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match d.position {
                Some((line, col)) => write!(f, "error: {path}:{line}:{col}: {}", d.message)?,
                None => write!(f, "error: {path}: {}", d.message)?,
            }
            if let Some(hint) = &d.hint {
                write!(f, "\n  hint: {hint}")?;
            }
        }
        Ok(())
    }
}

impl Classify for Error {
    fn exit_status(&self) -> Option<ExitStatus> {
        Some(ExitStatus::Usage)
    }
}

/// Collects diagnostics while a file is checked: de-duplicated (a service default checked for
/// each of its groups is reported once) and kept in file order.
#[derive(Debug)]
pub(crate) struct Collector<'a> {
    src: &'a str,
    line_starts: Vec<usize>,
    found: BTreeMap<(usize, String), Diagnostic>,
    /// Advice that does not make the file invalid (`$VAR` in `args`), de-duplicated alike.
    warned: BTreeMap<(usize, String), Diagnostic>,
    /// Set whenever a diagnostic is added; callers reset it to learn whether a step failed.
    pub(crate) dirty: bool,
}

impl<'a> Collector<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        Collector { src, line_starts, found: BTreeMap::new(), warned: BTreeMap::new(), dirty: false }
    }

    /// The 1-based line and character column of a byte offset.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let col = self.src.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        (line, col)
    }

    /// The text of the file at `span`, as written (empty if `span` is not in the file).
    pub(crate) fn text(&self, span: Range<usize>) -> &'a str {
        self.src.get(span).unwrap_or_default()
    }

    /// Records a problem at `span` (or the start of the file without one).
    pub(crate) fn error(
        &mut self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        hint: impl Into<Option<String>>,
    ) {
        self.dirty = true;
        let offset = span.map_or(0, |s| s.start);
        let message = message.into();
        let diag = Diagnostic { position: Some(self.position(offset)), message: message.clone(), hint: hint.into() };
        self.found.entry((offset, message)).or_insert(diag);
    }

    /// Records advice at `span`: the file stays valid.
    pub(crate) fn warning(&mut self, span: Option<Range<usize>>, message: impl Into<String>, hint: Option<String>) {
        let offset = span.map_or(0, |s| s.start);
        let message = message.into();
        let diag = Diagnostic { position: Some(self.position(offset)), message: message.clone(), hint };
        self.warned.entry((offset, message)).or_insert(diag);
    }

    /// The warnings recorded so far, in file order.
    pub(crate) fn warnings(&self) -> Vec<Diagnostic> {
        self.warned.values().cloned().collect()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    pub(crate) fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.found.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_character_columns() {
        let c = Collector::new("ab\nçd = 1\n");
        assert_eq!(c.position(0), (1, 1));
        assert_eq!(c.position(3), (2, 1));
        assert_eq!(c.position(6), (2, 3), "ç is one column");
        assert_eq!(c.position(999), (3, 1));
    }

    #[test]
    fn display_is_the_full_report() {
        let mut c = Collector::new("a = 1\nb = 2\n");
        c.error(Some(6..7), "second", Some("fix b".to_owned()));
        c.error(Some(0..1), "first", None);
        c.error(Some(0..1), "first", None);
        let err = Error { path: "s.toml".into(), diagnostics: c.into_diagnostics() };
        assert_eq!(err.to_string(), "error: s.toml:1:1: first\nerror: s.toml:2:1: second\n  hint: fix b");
    }
}
