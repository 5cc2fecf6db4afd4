//! Result tables in kubectl's style: plain columns aligned with spaces, a header row in capitals,
//! no borders, one line per row, no leading or trailing spaces. On a terminal that reports its
//! width, the widest cells are cut (ending in `…`) so that each line fits; in a pipe or a file
//! nothing is ever cut, so `grep`, `awk` and `cut` see every value whole.

use unicode_width::UnicodeWidthStr;

/// Spaces between two columns (kubectl's tabwriter padding).
const GAP: usize = 3;
/// Columns are cut to this width before any column is cut further.
const SOFT_CUT: usize = 20;
/// A cut column keeps at least this many characters (or its header's width, if wider).
const MIN_CUT: usize = 6;

/// How tables are laid out for this process: decided once by [`crate::output::Output`] from the
/// flags (`-o wide`, `--no-headers`) and the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Cut cells so that each line fits this many columns (a terminal); `None` never cuts.
    pub width: Option<usize>,
    /// Print the header row (`--no-headers` turns it off).
    pub headers: bool,
    /// `-o wide`: add the columns that are left out by default.
    pub wide: bool,
}

impl Default for Layout {
    /// Headers, no cutting, default columns: what a pipe gets.
    fn default() -> Self {
        Layout { width: None, headers: true, wide: false }
    }
}

impl Layout {
    /// A new table with these column headers (printed in capitals).
    pub fn table(&self, headers: &[&str]) -> Table {
        Table {
            layout: *self,
            headers: headers.iter().map(|h| h.to_uppercase()).collect(),
            rows: Vec::new(),
            natural: vec![0; headers.len()],
        }
    }
}

/// A result that prints itself for humans (and for `-o name`).
pub trait Tabular {
    /// The text for humans: usually one table from [`Layout::table`], shaped by `layout`.
    fn to_table(&self, layout: &Layout) -> String;
    /// `-o name`: one name per line, in the form other commands accept (`service/group` for a
    /// group, e.g. `web/dev.frontend`).
    fn names(&self) -> Vec<String>;
}

/// One table: headers and rows of cells, rendered by its [`Layout`] through `Display`.
#[derive(Debug, Clone)]
pub struct Table {
    layout: Layout,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    /// The widest cell of each column so far (headers left out), kept as rows are added.
    natural: Vec<usize>,
}

/// A cell as one line: line breaks and tabs become spaces (a row is always one line).
fn one_line(cell: String) -> String {
    if cell.contains(['\n', '\r', '\t']) {
        cell.split(['\n', '\r', '\t']).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
    } else {
        cell
    }
}

/// The display width of a cell: its length when it is all printable ASCII (one column a
/// byte, the usual cell), else what `unicode-width` says.
fn width(s: &str) -> usize {
    if s.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        s.len()
    } else {
        s.width()
    }
}

/// Appends `s` cut to at most `width` columns (ending in `…`) to `line`; returns the columns
/// it takes.
fn push_cut(line: &mut String, s: &str, width: usize) -> usize {
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        line.push(c);
        used += w;
    }
    line.push('…');
    used + 1
}

/// Appends `n` spaces to `line`.
fn pad(line: &mut String, n: usize) {
    line.extend(std::iter::repeat_n(' ', n));
}

impl Table {
    /// Adds a row; missing cells print empty, extra cells are dropped.
    pub fn add_row<I, S>(&mut self, row: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut cells: Vec<String> = row.into_iter().map(|c| one_line(c.into())).collect();
        cells.resize(self.headers.len(), String::new());
        for (w, cell) in self.natural.iter_mut().zip(&cells) {
            *w = (*w).max(width(cell));
        }
        self.rows.push(cells);
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The width of each column: its widest cell, then, to fit `layout.width`, the widest
    /// columns narrowed one step at a time. Long cells go first: no column is cut below
    /// [`SOFT_CUT`] columns while another can still shrink; only if that is not enough are
    /// columns cut down to [`MIN_CUT`]. A column is never cut narrower than its header.
    fn widths(&self) -> Vec<usize> {
        let mut widths = self.natural.clone();
        if self.layout.headers {
            for (w, header) in widths.iter_mut().zip(&self.headers) {
                *w = (*w).max(width(header));
            }
        }
        let Some(limit) = self.layout.width else { return widths };
        let line = |ws: &[usize]| ws.iter().sum::<usize>() + GAP * ws.len().saturating_sub(1);
        for min_cut in [SOFT_CUT, MIN_CUT] {
            let floor: Vec<usize> =
                self.headers.iter().zip(&widths).map(|(h, w)| (*w).min(h.width().max(min_cut))).collect();
            let mut over = line(&widths).saturating_sub(limit);
            while over > 0 {
                // The widest column that may still shrink (the rightmost of equals) loses one.
                let Some(i) = (0..widths.len()).filter(|&i| widths[i] > floor[i]).max_by_key(|&i| (widths[i], i))
                else {
                    break;
                };
                widths[i] -= 1;
                over -= 1;
            }
            if over == 0 {
                break;
            }
        }
        widths
    }
}

impl std::fmt::Display for Table {
    /// Each line is built in one buffer reused for every row, each cell's width is measured
    /// once here (printable ASCII by its length), and nothing is allocated per cell: a table
    /// of 2,000 groups has 18,000 cells, and a copy, two padding strings and three width
    /// scans of each were a few percent of `view`'s time.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let widths = self.widths();
        let shown = self.layout.headers.then_some(&self.headers);
        let mut line = String::new();
        for (n, row) in shown.into_iter().chain(&self.rows).enumerate() {
            if n > 0 {
                f.write_str("\n")?;
            }
            line.clear();
            for (i, (cell, &w)) in row.iter().zip(&widths).enumerate() {
                if i > 0 {
                    pad(&mut line, GAP);
                }
                let natural = width(cell);
                let used = if natural <= w {
                    line.push_str(cell);
                    natural
                } else {
                    push_cut(&mut line, cell, w)
                };
                pad(&mut line, w.saturating_sub(used));
            }
            f.write_str(line.trim_end())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(layout: Layout) -> Table {
        let mut t = layout.table(&["service", "group", "changes"]);
        t.add_row(["web", "dev.frontend", "env.RELEASE: (unset) -> \"2\", healthChecks[0].gracePeriodSeconds: 5 -> 6"]);
        t.add_row(vec!["haproxy".to_owned(), "prod".to_owned(), String::new()]);
        t
    }

    #[test]
    fn columns_align_with_no_borders_and_no_outer_spaces() {
        let text = sample(Layout::default()).to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "SERVICE   GROUP          CHANGES");
        assert_eq!(
            lines[1],
            "web       dev.frontend   env.RELEASE: (unset) -> \"2\", healthChecks[0].gracePeriodSeconds: 5 -> 6"
        );
        assert_eq!(lines[2], "haproxy   prod", "an empty last cell leaves no trailing spaces");
        for l in &lines {
            assert_eq!(*l, l.trim(), "no leading or trailing spaces: {l:?}");
        }
    }

    #[test]
    fn nothing_is_cut_without_a_width_however_long() {
        let mut t = Layout::default().table(&["a", "b"]);
        let long = "x".repeat(500);
        t.add_row([long.as_str(), "y"]);
        assert!(t.to_string().contains(&long));
        assert!(!t.to_string().contains('…'));
    }

    #[test]
    fn on_a_terminal_the_widest_cells_are_cut_to_fit() {
        let text = sample(Layout { width: Some(50), ..Layout::default() }).to_string();
        for l in text.lines() {
            assert!(l.width() <= 50, "{l:?} is {} wide", l.width());
        }
        assert!(text.contains("web       dev.frontend   env.RELEASE: (unset) -> …\n"), "{text}");
        assert!(text.contains("haproxy   prod\n") || text.ends_with("haproxy   prod"));
    }

    #[test]
    fn columns_are_never_cut_below_their_header() {
        let text = sample(Layout { width: Some(10), ..Layout::default() }).to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "SERVICE   GROUP    CHANGES", "{text}");
        assert_eq!(lines[1], "web       dev.f…   env.RE…", "{text}");
    }

    #[test]
    fn no_headers_drops_the_header_row_and_its_width() {
        let text = sample(Layout { headers: false, ..Layout::default() }).to_string();
        assert!(text.starts_with("web       dev.frontend   env"), "{text}");
        assert!(!text.contains("SERVICE"));
    }

    #[test]
    fn a_row_is_always_one_line() {
        let mut t = Layout::default().table(&["a", "b"]);
        t.add_row(["one\ntwo", "x\ty"]);
        assert_eq!(t.to_string(), "A         B\none two   x y");
    }

    #[test]
    fn wide_characters_align_by_display_width() {
        let mut t = Layout::default().table(&["rev", "n"]);
        t.add_row(["r1 → r2", "1"]);
        t.add_row(["r3", "2"]);
        assert_eq!(t.to_string(), "REV       N\nr1 → r2   1\nr3        2");
    }
}
