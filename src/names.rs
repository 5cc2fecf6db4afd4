//! Theseus's own identities (DESIGN §1): service and label names, the one canonical text form
//! of a label set, and [`GroupKey`], a validated (service, encoded labels) pair. A leaf: it
//! imports nothing from the crate but the error leaf, so `etcd/`, `spec/`, `rollout/` and the
//! commands all share it.
//!
//! [`encode`] is the only function that turns a label set into text: sorted, de-duplicated,
//! joined with `.`. Labels follow the service-name rule (`[a-z0-9]([a-z0-9-]*[a-z0-9])?`), so
//! they never contain `.` and the encoding is reversible ([`decode`]), collision-free, a valid
//! Marathon path segment and a valid etcd key segment. Everywhere, "group" names that text.

use std::collections::BTreeSet;
use std::fmt;

use crate::error::{Classify, ExitStatus};

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
    // Sorted and de-duplicated in place, then joined: no label is copied but into the result
    // (a spec of 1,000 groups encodes each of them while it loads).
    let mut labels: Vec<S> = labels.into_iter().collect();
    labels.sort_unstable_by(|a, b| a.as_ref().cmp(b.as_ref()));
    labels.dedup_by(|a, b| a.as_ref() == b.as_ref());
    let mut out = String::with_capacity(labels.iter().map(|l| l.as_ref().len() + 1).sum());
    for (i, label) in labels.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(label.as_ref());
    }
    out
}

/// The label set of an encoded group name; `None` if any label is invalid or the text is not
/// canonical (`frontend.dev` is not; `dev.frontend` is).
pub fn decode(group: &str) -> Option<BTreeSet<String>> {
    let set: BTreeSet<String> = group.split('.').map(str::to_owned).collect();
    (set.iter().all(|l| is_valid_name(l)) && encode(&set) == group).then_some(set)
}

/// A name that breaks DESIGN §1's rules (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} `{name}`")]
pub struct InvalidName {
    /// What the name is for (`service`, `group (encoded labels)`, ...).
    pub kind: &'static str,
    /// The name as given.
    pub name: String,
}

impl Classify for InvalidName {
    fn exit_status(&self) -> Option<ExitStatus> {
        Some(ExitStatus::Usage)
    }
    fn hint(&self) -> Option<String> {
        Some("names and labels are lowercase letters, digits and `-` (not first or last)".to_owned())
    }
}

/// Checks a service name.
pub fn check_service(service: &str) -> Result<(), InvalidName> {
    if is_valid_name(service) {
        Ok(())
    } else {
        Err(InvalidName { kind: "service", name: service.to_owned() })
    }
}

/// One labeled group: a valid service name and the canonical encoding of a valid label set.
/// Holding one proves both were checked, so nothing downstream checks them again.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct GroupKey {
    service: String,
    group: String,
}

impl GroupKey {
    /// A key from a service and an encoded label set (as etcd and Marathon paths spell it).
    pub fn new(service: impl Into<String>, group: impl Into<String>) -> Result<Self, InvalidName> {
        let (service, group) = (service.into(), group.into());
        check_service(&service)?;
        if decode(&group).is_none() {
            return Err(InvalidName { kind: "group (encoded labels)", name: group });
        }
        Ok(GroupKey { service, group })
    }

    /// A key from a service and a label set in any order, with duplicates.
    pub fn from_labels<S: AsRef<str>>(
        service: impl Into<String>,
        labels: impl IntoIterator<Item = S>,
    ) -> Result<Self, InvalidName> {
        GroupKey::new(service, encode(labels))
    }

    /// The service name.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The encoded label set (`dev.frontend`): the etcd segment and Marathon group name.
    pub fn group(&self) -> &str {
        &self.group
    }

    /// The labels, sorted.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.group.split('.')
    }
}

impl fmt::Display for GroupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.service, self.group)
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
    fn group_keys_are_validated_and_canonical() {
        let k = GroupKey::from_labels("web", ["frontend", "dev"]).unwrap();
        assert_eq!((k.service(), k.group()), ("web", "dev.frontend"));
        assert_eq!(k.labels().collect::<Vec<_>>(), ["dev", "frontend"]);
        assert_eq!(k.to_string(), "web/dev.frontend");
        assert!(GroupKey::new("web", "frontend.dev").is_err(), "not canonical");
        assert!(GroupKey::new("Web", "dev").is_err());
        assert!(GroupKey::new("web", "").is_err());
        assert_eq!(GroupKey::new("web", "").unwrap_err().kind, "group (encoded labels)");
    }
}
