//! The one table constructor and the [`Tabular`] trait for results printed as tables.

use comfy_table::{presets, ContentArrangement, Table};

/// A result that can print itself as a table (or plain text) for humans.
pub trait Tabular {
    /// Renders the value; `tty` says whether stdout is a terminal.
    fn to_table(&self, tty: bool) -> String;
}

/// A table with the house style: UTF-8 borders and dynamic width on a terminal, plain
/// space-separated columns otherwise so `grep` and `awk` read it.
pub fn table(headers: &[&str], tty: bool) -> Table {
    let mut t = Table::new();
    if tty {
        t.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        t.load_style(presets::NOTHING).set_content_arrangement(ContentArrangement::Disabled);
    }
    t.set_header(headers.iter().map(|h| h.to_uppercase()));
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_tables_have_no_borders() {
        let mut t = table(&["service", "labels"], false);
        t.add_row(vec!["web", "dev.frontend"]);
        let s = t.to_string();
        assert!(s.contains("SERVICE"));
        assert!(s.contains("dev.frontend"));
        assert!(!s.contains('│'));
    }
}
