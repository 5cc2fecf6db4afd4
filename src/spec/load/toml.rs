//! TOML access for the loader: tables seen through inheritance ([`Layers`]), spans, kinds of
//! values for messages, lists of tables, and unknown-key checks with "did you mean".

use std::collections::BTreeMap;
use std::ops::Range;
use toml_edit::{Item, Key, TableLike, Value};

use super::Loader;

/// Where a problem is in the file (a byte range), if anywhere.
pub(super) type Span = Option<Range<usize>>;

/// A table seen through inheritance: later layers win.
#[derive(Clone)]
pub(super) struct Layers<'a> {
    pub(super) layers: Vec<&'a dyn TableLike>,
    pub(super) span: Span,
}

impl<'a> Layers<'a> {
    pub(super) fn one(t: &'a dyn TableLike, span: Span) -> Self {
        Layers { layers: vec![t], span }
    }

    /// The winning key and value for `key`.
    pub(super) fn get(&self, key: &str) -> Option<(&'a Key, &'a Item)> {
        self.layers.iter().rev().find_map(|t| t.get_key_value(key))
    }

    /// The table under `key`, merged over every layer whose value there is a table too (up to
    /// the first layer, from the top, that sets something else). `None` if the winner is not a table.
    pub(super) fn sub(&self, key: &str) -> Option<Layers<'a>> {
        let mut layers = Vec::new();
        let mut span = None;
        for t in self.layers.iter().rev() {
            let Some(item) = t.get(key) else { continue };
            match item.as_table_like() {
                Some(sub) => {
                    if span.is_none() {
                        span = item.span();
                    }
                    layers.push(sub);
                }
                None => break,
            }
        }
        if layers.is_empty() {
            return None;
        }
        layers.reverse();
        Some(Layers { layers, span })
    }

    /// Every key with its winning value, by name.
    pub(super) fn entries(&self) -> BTreeMap<&'a str, (&'a Key, &'a Item)> {
        let mut out = BTreeMap::new();
        for t in &self.layers {
            for (name, _) in t.iter() {
                if let Some((k, v)) = t.get_key_value(name) {
                    out.insert(k.get(), (k, v));
                }
            }
        }
        out
    }
}

/// What kind of value `item` is, for messages ("a string").
pub(super) fn found(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(v) => found_value(v),
    }
}

/// What kind of value `v` is, for messages.
pub(super) fn found_value(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::InlineTable(_) => "a table",
    }
}

/// The span of a key (or of its value when the key has none).
pub(super) fn key_span(key: &Key, item: &Item) -> Span {
    key.span().or_else(|| item.span())
}

/// `` `a`, `b` `` for hints.
pub(super) fn hint_list(items: &[&str]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// The allowed key closest to `name`, if it is a likely typo (at most 2 edits away).
fn suggestion<'a>(allowed: &[&'a str], name: &str) -> Option<&'a str> {
    let dist = |a: &&str| strsim::levenshtein(a, name);
    allowed.iter().copied().filter(|a| dist(a) <= 2).min_by_key(dist)
}

impl Loader<'_> {
    /// Records a problem; an empty hint means none.
    pub(super) fn err(&mut self, span: Span, message: impl Into<String>, hint: impl Into<String>) {
        let hint: String = hint.into();
        self.c.error(span, message, if hint.is_empty() { None } else { Some(hint) });
    }

    /// Reports every key of `t` that is not in `allowed`, suggesting the closest allowed key.
    pub(super) fn check_keys(&mut self, t: &Layers<'_>, allowed: &[&str], what: &str) {
        for layer in &t.layers {
            for (name, _) in layer.iter() {
                if allowed.contains(&name) {
                    continue;
                }
                let span = layer.get_key_value(name).and_then(|(k, v)| key_span(k, v));
                let hint = match suggestion(allowed, name) {
                    Some(n) => format!("did you mean `{n}`? allowed keys: {}", hint_list(allowed)),
                    None => format!("allowed keys: {}", hint_list(allowed)),
                };
                self.err(span, format!("unknown key `{name}` in {what}"), hint);
            }
        }
    }

    /// The tables of a list given as `[[x]]` or `x = [{...}, ...]`; elements that are not
    /// tables are reported.
    pub(super) fn table_list<'a>(&mut self, name: &str, item: &'a Item) -> Option<Vec<(&'a dyn TableLike, Span)>> {
        match item {
            Item::ArrayOfTables(a) => Some(a.iter().map(|t| (t as &dyn TableLike, t.span())).collect()),
            Item::Value(Value::Array(a)) => {
                let mut out = Vec::new();
                for v in a.iter() {
                    match v {
                        Value::InlineTable(t) => out.push((t as &dyn TableLike, t.span())),
                        other => self.err(
                            other.span(),
                            format!("each entry of `{name}` must be a table, found {}", found_value(other)),
                            format!(
                                "write entries as `{{ key = value, ... }}`; see the keys of `{name}` in the README"
                            ),
                        ),
                    }
                }
                Some(out)
            }
            other => {
                self.err(
                    other.span(),
                    format!("`{name}` must be an array of tables, found {}", found(other)),
                    format!("write `{name} = [{{ ... }}]`"),
                );
                None
            }
        }
    }

    /// A table of strings (`env`, `marathon_labels`); empty keys and other values are reported.
    pub(super) fn string_map(&mut self, t: &Layers<'_>, what: &str, hint: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (name, (k, v)) in t.entries() {
            if name.is_empty() {
                self.err(key_span(k, v), format!("empty key in `{what}`"), hint);
                continue;
            }
            match v.as_str() {
                Some(s) => {
                    out.insert(name.to_owned(), s.to_owned());
                }
                None => self.err(
                    v.span(),
                    format!("`{what}.{name}` must be a string, found {}", found(v)),
                    format!("quote the value: `{name} = \"...\"`"),
                ),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_typos_only() {
        let allowed = ["image", "instances", "interval"];
        assert_eq!(suggestion(&allowed, "imag"), Some("image"));
        assert_eq!(suggestion(&allowed, "instance"), Some("instances"));
        assert_eq!(suggestion(&allowed, "intervall"), Some("interval"));
        assert_eq!(suggestion(&allowed, "zzzzzz"), None);
    }
}
