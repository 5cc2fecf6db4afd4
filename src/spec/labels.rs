//! Label selectors (`-l dev,!canary`). The name rules and the canonical encoding of a label set
//! live in [`crate::names`]; they are re-exported here for the spec's callers.

use std::collections::BTreeSet;

use crate::error::UserError;
pub use crate::names::{decode, encode, is_valid_name};

/// A label selector from `-l` flags: every `label` must be present, every `!label` absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// Labels a group must have.
    pub required: BTreeSet<String>,
    /// Labels a group must not have.
    pub excluded: BTreeSet<String>,
    /// The exact label set a group must have (`SERVICE/GROUP`), if one was named.
    pub exact: Option<BTreeSet<String>>,
}

impl Selector {
    /// Parses `-l` values (already split on commas). Empty entries are ignored. A value may be
    /// a whole encoded group as the tables print it (`dev.frontend`): each of its labels is
    /// required. `!` excludes one label only.
    pub fn parse<S: AsRef<str>>(values: &[S]) -> Result<Self, UserError> {
        let mut sel = Selector::default();
        let split = values.iter().flat_map(|v| {
            let v = v.as_ref().trim();
            // `!a.b` stays whole, to be refused below: excluding a set has no single meaning.
            let parts: Vec<&str> = if v.starts_with('!') { vec![v] } else { v.split('.').collect() };
            parts
        });
        for raw in split {
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            let (negated, name) = match raw.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, raw),
            };
            if negated && name.contains('.') {
                return Err(UserError::with_hint(
                    format!("`{raw}` in --label excludes a set of labels"),
                    format!(
                        "`!` excludes one label: write `-l {}`",
                        name.split('.').map(|l| format!("!{l}")).collect::<Vec<_>>().join(",")
                    ),
                ));
            }
            if !is_valid_name(name) {
                return Err(UserError::with_hint(
                    format!("invalid label `{raw}` in --label"),
                    "labels are lowercase letters, digits and `-` (not first or last); prefix with `!` to exclude",
                ));
            }
            if negated {
                sel.excluded.insert(name.to_owned())
            } else {
                sel.required.insert(name.to_owned())
            };
        }
        if let Some(both) = sel.required.intersection(&sel.excluded).next() {
            return Err(UserError::new(format!("label `{both}` is both required and excluded in --label")));
        }
        Ok(sel)
    }

    /// Narrows the selector to exactly one group, given as its encoded labels
    /// (`dev.frontend`, the GROUP column and `-o name` spelling). An invalid encoding is a
    /// [`UserError`].
    pub fn exactly(mut self, group: &str) -> Result<Self, UserError> {
        let Some(labels) = crate::names::decode(group) else {
            return Err(UserError::with_hint(
                format!("`{group}` is not a group: its labels, sorted and joined with `.`"),
                "write the group as the GROUP column prints it, e.g. `web/dev.frontend`",
            ));
        };
        self.required.extend(labels.iter().cloned());
        if let Some(both) = self.required.intersection(&self.excluded).next() {
            return Err(UserError::new(format!("label `{both}` is both in the group and excluded in --label")));
        }
        self.exact = Some(labels);
        Ok(self)
    }

    /// Whether a group with these labels matches.
    pub fn matches<S: AsRef<str>>(&self, labels: impl IntoIterator<Item = S>) -> bool {
        let have: BTreeSet<String> = labels.into_iter().map(|l| l.as_ref().to_owned()).collect();
        self.required.is_subset(&have)
            && self.excluded.is_disjoint(&have)
            && self.exact.as_ref().is_none_or(|exact| *exact == have)
    }

    /// Whether the selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.required.is_empty() && self.excluded.is_empty() && self.exact.is_none()
    }

    /// Marathon's server-side `?label=` filter for this selector, over the `theseus.tag.*`
    /// labels (DESIGN §1): `theseus.tag.dev,theseus.tag.frontend`. Exclusions stay client-side
    /// (Marathon's `!=` compares values, and every tag's value is empty).
    pub fn marathon_label_filter(&self) -> String {
        let mut parts = vec!["theseus.managed==true".to_owned()];
        parts.extend(self.required.iter().map(|l| format!("theseus.tag.{l}")));
        parts.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_require_and_exclude() {
        let sel = Selector::parse(&["dev", "!canary"]).unwrap();
        assert!(sel.matches(["dev", "frontend"]));
        assert!(!sel.matches(["dev", "canary"]));
        assert!(!sel.matches(["prod"]));
        assert!(Selector::parse(&["Bad"]).is_err());
        assert!(Selector::parse(&["a", "!a"]).is_err());
        assert_eq!(sel.marathon_label_filter(), "theseus.managed==true,theseus.tag.dev");
    }

    #[test]
    fn an_encoded_group_as_printed_selects_its_labels() {
        let printed = Selector::parse(&["dev.frontend"]).unwrap();
        assert_eq!(printed, Selector::parse(&["dev", "frontend"]).unwrap());
        assert_eq!(Selector::parse(&["canary.dev", "!prod"]).unwrap().required.len(), 2);
        let err = Selector::parse(&["!dev.frontend"]).unwrap_err();
        assert!(err.to_string().contains("excludes a set"), "{err}");
        assert!(Selector::parse(&["dev..frontend"]).is_ok(), "empty parts are ignored as empty entries are");
        assert!(Selector::parse(&["dev.Front"]).is_err());
    }

    #[test]
    fn a_named_group_matches_only_itself() {
        let sel = Selector::default().exactly("dev").unwrap();
        assert!(sel.matches(["dev"]));
        assert!(!sel.matches(["dev", "frontend"]), "a superset is another group");
        assert!(!sel.is_empty());
        assert_eq!(sel.marathon_label_filter(), "theseus.managed==true,theseus.tag.dev");
        assert!(Selector::default().exactly("frontend.dev").is_err(), "not the canonical (sorted) spelling");
        assert!(Selector::parse(&["!dev"]).unwrap().exactly("dev").is_err());
    }
}
