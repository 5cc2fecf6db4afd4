//! The one typed reader of spec values: [`Loader::read`] turns a TOML item into any
//! [`FromItem`] type (strings, numbers, integers in their type's range, booleans, durations,
//! whole seconds, string lists), reporting every problem with its span, message and hint.

use std::time::Duration;

use super::toml::{found, Item, Layers, Span, Value as _};
use super::Loader;

/// A problem found while reading a value: where, what, and how to fix it.
pub(super) struct Problem {
    span: Span,
    message: String,
    hint: String,
}

impl Problem {
    /// A problem at `item`.
    pub(super) fn at(item: &Item<'_>, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Problem { span: Some(item.span()), message: message.into(), hint: hint.into() }
    }
}

/// A type a TOML value is read as by [`Loader::read`], with the problems when it cannot be.
pub(super) trait FromItem: Sized {
    /// Reads `item`, the value of `key`.
    fn from_item(item: &Item<'_>, key: &str) -> Result<Self, Vec<Problem>>;
}

impl FromItem for String {
    fn from_item(item: &Item<'_>, key: &str) -> Result<Self, Vec<Problem>> {
        item.as_str().map(str::to_owned).ok_or_else(|| {
            vec![Problem::at(
                item,
                format!("`{key}` must be a string, found {}", found(item)),
                format!("quote it: `{key} = \"...\"`"),
            )]
        })
    }
}

/// A string that is not empty or blank.
pub(super) struct NonEmpty(pub(super) String);

impl FromItem for NonEmpty {
    fn from_item(item: &Item<'_>, key: &str) -> Result<Self, Vec<Problem>> {
        let s = String::from_item(item, key)?;
        if s.trim().is_empty() {
            return Err(vec![Problem::at(
                item,
                format!("`{key}` must not be empty"),
                format!("set `{key}` or remove the key"),
            )]);
        }
        Ok(NonEmpty(s))
    }
}

impl FromItem for f64 {
    fn from_item(item: &Item<'_>, key: &str) -> Result<Self, Vec<Problem>> {
        let n = match item.as_number() {
            Some(n) => n,
            None => {
                return Err(vec![Problem::at(
                    item,
                    format!("`{key}` must be a number, found {}", found(item)),
                    format!("write a number without quotes, e.g. `{key} = 0.5`"),
                )])
            }
        };
        if !n.is_finite() {
            return Err(vec![Problem::at(
                item,
                format!("`{key}` must be a finite number"),
                "`nan` and `inf` are not resources",
            )]);
        }
        Ok(n)
    }
}

/// Whole numbers in the range of the target type.
macro_rules! integer {
    ($($t:ty),*) => {$(
        impl FromItem for $t {
            fn from_item(item: &Item<'_>, key: &str) -> Result<Self, Vec<Problem>> {
                let (min, max) = (<$t>::MIN, <$t>::MAX);
                match item.as_integer() {
                    Some(i) => <$t>::try_from(i).map_err(|_| vec![Problem::at(
                        item,
                        format!("`{key}` must be between {min} and {max}, found {i}"),
                        format!("use a value from {min} to {max}"),
                    )]),
                    None => Err(vec![Problem::at(
                        item,
                        format!("`{key}` must be an integer, found {}", found(item)),
                        format!("write a whole number without quotes, e.g. `{key} = {min}`"),
                    )]),
                }
            }
        }
    )*};
}
integer!(u16, u32);

impl FromItem for bool {
    fn from_item(item: &Item<'_>, key: &str) -> Result<Self, Vec<Problem>> {
        item.as_bool().ok_or_else(|| {
            vec![Problem::at(
                item,
                format!("`{key}` must be a boolean, found {}", found(item)),
                format!("write `{key} = true` or `{key} = false`"),
            )]
        })
    }
}

impl FromItem for Duration {
    fn from_item(item: &Item<'_>, key: &str) -> Result<Self, Vec<Problem>> {
        let hint = "use a human duration such as `30s`, `5m` or `1h 30m`";
        let Some(text) = item.as_str() else {
            return Err(vec![Problem::at(
                item,
                format!("`{key}` must be a duration string, found {}", found(item)),
                format!("{hint}, in quotes"),
            )]);
        };
        humantime::parse_duration(text)
            .map_err(|e| vec![Problem::at(item, format!("invalid duration `{text}` for `{key}`: {e}"), hint)])
    }
}

/// A duration Marathon takes in whole seconds, at least `MIN` of them.
pub(super) struct Seconds<const MIN: u64>(pub(super) Duration);

impl<const MIN: u64> FromItem for Seconds<MIN> {
    fn from_item(item: &Item<'_>, key: &str) -> Result<Self, Vec<Problem>> {
        let d = Duration::from_item(item, key)?;
        if d.subsec_nanos() != 0 {
            return Err(vec![Problem::at(
                item,
                format!("`{key}` must be whole seconds, found `{}`", humantime::format_duration(d)),
                "Marathon counts this in seconds; round it, e.g. `2s`",
            )]);
        }
        if d.as_secs() < MIN {
            return Err(vec![Problem::at(
                item,
                format!("`{key}` must be at least {MIN}s"),
                format!("use `{MIN}s` or more"),
            )]);
        }
        Ok(Seconds(d))
    }
}

/// A non-empty array of strings; every entry that is not a string is a problem of its own.
impl FromItem for Vec<String> {
    fn from_item(item: &Item<'_>, key: &str) -> Result<Self, Vec<Problem>> {
        let hint = format!("write `{key} = [\"program\", \"--flag\", \"value\"]`");
        let Some(arr) = item.as_array() else {
            return Err(vec![Problem::at(
                item,
                format!("`{key}` must be an array of strings, found {}", found(item)),
                hint,
            )]);
        };
        if arr.is_empty() {
            return Err(vec![Problem::at(item, format!("`{key}` must not be empty"), hint)]);
        }
        let mut problems = Vec::new();
        let mut out = Vec::new();
        for v in arr.iter() {
            match v.as_str() {
                Some(s) => out.push(s.to_owned()),
                None => problems.push(Problem::at(
                    v,
                    format!("`{key}` entries must be strings, found {}", found(v)),
                    "quote each argument",
                )),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}

impl Loader<'_> {
    /// Reads `item` (the value of `key`) as a `T`, reporting every problem; `None` if any.
    pub(super) fn read<T: FromItem>(&mut self, item: &Item<'_>, key: &str) -> Option<T> {
        match T::from_item(item, key) {
            Ok(v) => Some(v),
            Err(problems) => {
                for p in problems {
                    self.err(p.span, p.message, p.hint);
                }
                None
            }
        }
    }

    /// Reads `key` of `t` as a `T`, or `default` when `t` does not set it.
    pub(super) fn read_or<T: FromItem>(&mut self, t: &Layers<'_>, key: &str, default: T) -> Option<T> {
        match t.get(key) {
            Some((_, v)) => self.read(v, key),
            None => Some(default),
        }
    }

    /// Reads `key` of `t` as a `T` if `t` sets it; `None` when absent or invalid.
    pub(super) fn read_opt<T: FromItem>(&mut self, t: &Layers<'_>, key: &str) -> Option<T> {
        t.get(key).and_then(|(_, v)| self.read(v, key))
    }
}
