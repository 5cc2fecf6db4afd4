//! Marathon's label selector for `GET /v2/apps?label=`: `k==v`, `k!=v`, `k in (a,b)`,
//! `k notin (a,b)` and a bare `k`, comma-separated (commas inside parentheses belong to the set).

use std::collections::BTreeMap;

/// One selector term.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Term {
    /// The label exists.
    Exists(String),
    /// The label equals.
    Eq(String, String),
    /// The label exists and differs... or is absent (Kubernetes-style `!=`).
    Ne(String, String),
    /// The label's value is one of.
    In(String, Vec<String>),
    /// The label's value is none of.
    NotIn(String, Vec<String>),
}

/// Parses a selector; `None` when malformed.
pub(crate) fn parse(selector: &str) -> Option<Vec<Term>> {
    let mut terms = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    let mut parts = Vec::new();
    for ch in selector.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    parts.push(current);
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        // Every label and value is a non-empty `term` (M:src/main/scala/mesosphere/marathon/api/v2/LabelSelector.scala):
        // `env==` has no value and is refused.
        let term = if let Some((k, v)) = part.split_once("==") {
            Term::Eq(term(k)?, term(v)?)
        } else if let Some((k, v)) = part.split_once("!=") {
            Term::Ne(term(k)?, term(v)?)
        } else if let Some((k, set)) = split_set(part, " notin ") {
            Term::NotIn(term(&k)?, set.iter().map(|v| term(v)).collect::<Option<_>>()?)
        } else if let Some((k, set)) = split_set(part, " in ") {
            Term::In(term(&k)?, set.iter().map(|v| term(v)).collect::<Option<_>>()?)
        } else {
            Term::Exists(term(part)?)
        };
        terms.push(term);
    }
    Some(terms)
}

/// Marathon's `term`: `(\\.|[-A-Za-z0-9_.])+`, a backslash escaping any character.
fn term(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = text.trim().chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            c if c.is_ascii_alphanumeric() || "-_.".contains(c) => out.push(c),
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

fn split_set(part: &str, op: &str) -> Option<(String, Vec<String>)> {
    let (k, rest) = part.split_once(op)?;
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some((k.trim().into(), inner.split(',').map(|s| s.trim().to_string()).collect()))
}

/// Whether labels satisfy every term.
pub(crate) fn matches(terms: &[Term], labels: &BTreeMap<String, String>) -> bool {
    terms.iter().all(|t| match t {
        Term::Exists(k) => labels.contains_key(k),
        Term::Eq(k, v) => labels.get(k) == Some(v),
        Term::Ne(k, v) => labels.get(k) != Some(v),
        Term::In(k, set) => labels.get(k).is_some_and(|v| set.contains(v)),
        Term::NotIn(k, set) => labels.get(k).is_none_or(|v| !set.contains(v)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_match() {
        let labels: BTreeMap<String, String> = [("env".into(), "prod".into()), ("tier".into(), "web".into())].into();
        let m = |s: &str| matches(&parse(s).unwrap(), &labels);
        assert!(m("env==prod"));
        assert!(!m("env==dev"));
        assert!(m("env!=dev"));
        assert!(m("env in (dev, prod)"));
        assert!(!m("env notin (dev,prod)"));
        assert!(m("tier"));
        assert!(!m("missing"));
        assert!(m("env==prod,tier in (web)"));
        assert!(parse("a b c").is_none());
        // LabelSelector.scala's `term` needs at least one character on each side.
        assert!(parse("env==").is_none());
        assert!(parse("==prod").is_none());
        assert!(parse("env in ()").is_none());
        assert_eq!(parse("team\\/a"), Some(vec![Term::Exists("team/a".into())]));
    }
}
