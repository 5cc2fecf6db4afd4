//! Label sets and their one canonical text form (DESIGN §1), and label selectors.
//!
//! [`encode`] is the only function that turns a label set into text: sorted, de-duplicated,
//! joined with `.`. Labels follow the service-name rule (`[a-z0-9]([a-z0-9-]*[a-z0-9])?`), so
//! they never contain `.` and the encoding is reversible ([`decode`]), collision-free, a valid
//! Marathon path segment and a valid etcd key segment.

use std::collections::BTreeSet;

use crate::error::UserError;

/// Whether `name` is a valid service name or label: `[a-z0-9]([a-z0-9-]*[a-z0-9])?`.
pub fn is_valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match b {
        [] => false,
        [one] => ok(one),
        [first, middle @ .., last] => ok(first) && ok(last) && middle.iter().all(|c| ok(c) || *c == b'-'),
    }
}

/// The canonical text form of a label set: sorted, de-duplicated, joined with `.`.
pub fn encode<S: AsRef<str>>(labels: impl IntoIterator<Item = S>) -> String {
    let set: BTreeSet<String> = labels.into_iter().map(|l| l.as_ref().to_owned()).collect();
    set.into_iter().collect::<Vec<_>>().join(".")
}

/// The label set of an encoded group name; `None` if any label is invalid.
pub fn decode(encoded: &str) -> Option<BTreeSet<String>> {
    let set: BTreeSet<String> = encoded.split('.').map(str::to_owned).collect();
    (set.iter().all(|l| is_valid_name(l)) && encode(&set) == encoded).then_some(set)
}

/// A label selector from `-l` flags: every `label` must be present, every `!label` absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// Labels a group must have.
    pub required: BTreeSet<String>,
    /// Labels a group must not have.
    pub excluded: BTreeSet<String>,
}

impl Selector {
    /// Parses `-l` values (already split on commas). Empty entries are ignored.
    pub fn parse<S: AsRef<str>>(values: &[S]) -> Result<Self, UserError> {
        let mut sel = Selector::default();
        for raw in values {
            let raw = raw.as_ref().trim();
            if raw.is_empty() {
                continue;
            }
            let (negated, name) = match raw.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, raw),
            };
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

    /// Whether a group with these labels matches.
    pub fn matches<S: AsRef<str>>(&self, labels: impl IntoIterator<Item = S>) -> bool {
        let have: BTreeSet<String> = labels.into_iter().map(|l| l.as_ref().to_owned()).collect();
        self.required.is_subset(&have) && self.excluded.is_disjoint(&have)
    }

    /// Whether the selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.required.is_empty() && self.excluded.is_empty()
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
    fn encoding_is_sorted_deduplicated_and_order_free() {
        assert_eq!(encode(["frontend", "dev", "dev"]), "dev.frontend");
        assert_eq!(encode(["dev", "frontend"]), encode(["frontend", "dev"]));
    }

    #[test]
    fn decoding_reverses_encoding() {
        let set = decode("dev.frontend").unwrap();
        assert_eq!(encode(&set), "dev.frontend");
        assert!(decode("frontend.dev").is_none(), "not canonical");
        assert!(decode("Dev").is_none());
        assert!(decode("").is_none());
    }

    #[test]
    fn names_follow_the_service_rule() {
        for ok in ["a", "web", "a-b", "x1", "1"] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "A", "a.b", "a_b", "é"] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

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
}
