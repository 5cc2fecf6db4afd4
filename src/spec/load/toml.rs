//! TOML access for the loader: the parsed document with positions (the `toml` crate's
//! borrowing [`DeTable`]), tables seen through inheritance ([`Layers`]), kinds of values for
//! messages, lists of tables, and unknown-key checks with "did you mean".
//!
//! `DeTable` rather than `toml_edit`'s document: the loader only reads values and their
//! positions, and the borrowing tree (its strings point into the file unless they have
//! escapes) parsed the 1,000-group bench spec in 2.8 ms of CPU against 4.0 ms, with 500 fewer
//! page faults; `validate` of it went from 12.1 to 8.2 ms (docs/benchmarks.md).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use ::toml::de::{DeInteger, DeTable, DeValue};
use ::toml::Spanned;

use super::Loader;

/// Where a problem is in the file (a byte range), if anywhere.
pub(super) type Span = Option<Range<usize>>;

/// A value and where it is in the file.
pub(super) type Item<'i> = Spanned<DeValue<'i>>;

/// A key and where it is in the file.
pub(super) type Key<'i> = Spanned<Cow<'i, str>>;

/// A table: keys and values in file order.
pub(super) type Table<'i> = DeTable<'i>;

/// Parses a whole document; `Err` is the parser's message and where it is.
pub(super) fn parse(src: &str) -> Result<Table<'_>, (String, Span)> {
    DeTable::parse(src).map(Spanned::into_inner).map_err(|e| (e.message().to_owned(), e.span()))
}

/// Reading a value without matching on [`DeValue`] at every use.
pub(super) trait Value<'i> {
    /// The string, if the value is one.
    fn as_str(&self) -> Option<&str>;
    /// The elements, if the value is an array (inline or of tables).
    fn as_array(&self) -> Option<&[Item<'i>]>;
    /// The table, if the value is one (a `[header]` table or an inline one).
    fn as_table(&self) -> Option<&Table<'i>>;
    /// The integer, if the value is one that fits in 64 bits (TOML's range).
    fn as_integer(&self) -> Option<i64>;
    /// The boolean, if the value is one.
    fn as_bool(&self) -> Option<bool>;
    /// The number, if the value is an integer or a float.
    fn as_number(&self) -> Option<f64>;
}

impl<'i> Value<'i> for Item<'i> {
    fn as_str(&self) -> Option<&str> {
        self.get_ref().as_str()
    }
    fn as_array(&self) -> Option<&[Item<'i>]> {
        self.get_ref().as_array().map(|a| &a[..])
    }
    fn as_table(&self) -> Option<&Table<'i>> {
        self.get_ref().as_table()
    }
    fn as_integer(&self) -> Option<i64> {
        self.get_ref().as_integer().and_then(integer)
    }
    fn as_bool(&self) -> Option<bool> {
        self.get_ref().as_bool()
    }
    fn as_number(&self) -> Option<f64> {
        match self.get_ref() {
            DeValue::Integer(i) => integer(i).map(|n| n as f64),
            // TOML's float syntax (`inf`, `nan`, exponents) is Rust's; the parser has already
            // removed `_` separators.
            DeValue::Float(f) => f.as_str().parse().ok(),
            _ => None,
        }
    }
}

/// The value of a TOML integer (any radix), if it fits in 64 bits.
fn integer(i: &DeInteger<'_>) -> Option<i64> {
    i64::from_str_radix(i.as_str(), i.radix()).ok()
}

/// A table seen through inheritance: later layers win.
#[derive(Clone)]
pub(super) struct Layers<'a> {
    pub(super) layers: Vec<&'a Table<'a>>,
    pub(super) span: Span,
}

impl<'a> Layers<'a> {
    pub(super) fn one(t: &'a Table<'a>, span: Span) -> Self {
        Layers { layers: vec![t], span }
    }

    /// The winning key and value for `key`.
    pub(super) fn get(&self, key: &str) -> Option<(&'a Key<'a>, &'a Item<'a>)> {
        self.layers.iter().rev().find_map(|t| t.get_key_value(key))
    }

    /// The table under `key`, merged over every layer whose value there is a table too (up to
    /// the first layer, from the top, that sets something else). `None` if the winner is not a table.
    pub(super) fn sub(&self, key: &str) -> Option<Layers<'a>> {
        let mut layers = Vec::new();
        let mut span = None;
        for t in self.layers.iter().rev() {
            let Some(item) = t.get(key) else { continue };
            match item.as_table() {
                Some(sub) => {
                    if span.is_none() {
                        span = Some(item.span());
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
    pub(super) fn entries(&self) -> BTreeMap<&'a str, (&'a Key<'a>, &'a Item<'a>)> {
        let mut out = BTreeMap::new();
        for t in &self.layers {
            for (k, v) in t.iter() {
                out.insert(k.get_ref().as_ref(), (k, v));
            }
        }
        out
    }
}

/// What kind of value `item` is, for messages ("a string").
pub(super) fn found(item: &Item<'_>) -> &'static str {
    match item.get_ref() {
        DeValue::String(_) => "a string",
        DeValue::Integer(i) if integer(i).is_none() => "an integer beyond TOML's 64-bit range",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(a) if !a.is_empty() && a.iter().all(|v| v.get_ref().is_table()) => "an array of tables",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
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
    pub(super) fn err(&mut self, span: impl Into<Span>, message: impl Into<String>, hint: impl Into<String>) {
        let hint: String = hint.into();
        self.c.error(span.into(), message, if hint.is_empty() { None } else { Some(hint) });
    }

    /// Reports every key of `t` that is not in `allowed`, suggesting the closest allowed key.
    pub(super) fn check_keys(&mut self, t: &Layers<'_>, allowed: &[&str], what: &str) {
        for layer in &t.layers {
            for (key, _) in layer.iter() {
                let name: &str = key.get_ref();
                if allowed.contains(&name) {
                    continue;
                }
                let hint = match suggestion(allowed, name) {
                    Some(n) => format!("did you mean `{n}`? allowed keys: {}", hint_list(allowed)),
                    None => format!("allowed keys: {}", hint_list(allowed)),
                };
                self.err(key.span(), format!("unknown key `{name}` in {what}"), hint);
            }
        }
    }

    /// The tables of a list given as `[[x]]` or `x = [{...}, ...]`; elements that are not
    /// tables are reported.
    pub(super) fn table_list<'a>(&mut self, name: &str, item: &'a Item<'a>) -> Option<Vec<(&'a Table<'a>, Span)>> {
        let Some(list) = item.as_array() else {
            self.err(
                item.span(),
                format!("`{name}` must be an array of tables, found {}", found(item)),
                format!("write `{name} = [{{ ... }}]`"),
            );
            return None;
        };
        let mut out = Vec::with_capacity(list.len());
        for v in list {
            match v.as_table() {
                Some(t) => out.push((t, Some(v.span()))),
                None => self.err(
                    v.span(),
                    format!("each entry of `{name}` must be a table, found {}", found(v)),
                    format!("write entries as `{{ key = value, ... }}`; see the keys of `{name}` in the README"),
                ),
            }
        }
        Some(out)
    }

    /// A table of strings (`env`, `marathon_labels`); empty keys and other values are reported.
    pub(super) fn string_map(&mut self, t: &Layers<'_>, what: &str, hint: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (name, (k, v)) in t.entries() {
            if name.is_empty() {
                self.err(k.span(), format!("empty key in `{what}`"), hint);
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

    #[test]
    fn integers_of_any_radix_and_out_of_range_ones_are_told_apart() {
        let doc = parse("a = 0x1f\nb = -7\nc = 99999999999999999999\nd = 1_000\ne = 2.5e1").expect("parses");
        let get = |k: &str| doc.get(k).expect(k);
        assert_eq!(get("a").as_integer(), Some(31));
        assert_eq!(get("b").as_integer(), Some(-7));
        assert_eq!(get("c").as_integer(), None);
        assert_eq!(found(get("c")), "an integer beyond TOML's 64-bit range");
        assert_eq!(get("d").as_number(), Some(1000.0));
        assert_eq!(get("e").as_number(), Some(25.0));
    }
}
