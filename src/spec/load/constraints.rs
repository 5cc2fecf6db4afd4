//! Placement constraints: the TOML shape here, Marathon's rules and messages from
//! [`rules::Constraint::parse`], each problem placed on the element at fault.

use super::toml::{found, hint_list, Item, Value as _};
use super::Loader;
use crate::marathon::rules::{self, Constraint, ConstraintError, ConstraintPart, Operator};

const SHAPE: &str = "write constraints as `[[\"hostname\", \"UNIQUE\"], [\"rack\", \"GROUP_BY\", \"3\"]]`";

impl Loader<'_> {
    /// The `constraints` array, normalised (`[field, OPERATOR, value?]`).
    pub(super) fn constraints(&mut self, item: &Item<'_>) -> Vec<Vec<String>> {
        let Some(arr) = item.as_array() else {
            self.err(item.span(), format!("`constraints` must be an array of arrays, found {}", found(item)), SHAPE);
            return Vec::new();
        };
        let mut out = Vec::new();
        for c in arr.iter() {
            let Some(fields) = c.as_array() else {
                self.err(c.span(), ConstraintError::FieldCount(1).to_string(), SHAPE);
                continue;
            };
            if !(2..=3).contains(&fields.len()) {
                self.err(
                    c.span(),
                    format!("{} (found {})", ConstraintError::FieldCount(fields.len()), fields.len()),
                    SHAPE,
                );
                continue;
            }
            let mut strs = Vec::new();
            for (i, f) in fields.iter().enumerate() {
                match (f.as_str(), f.as_integer()) {
                    (Some(s), _) => strs.push(s.to_owned()),
                    // A value may be written as a number: `["rack", "MAX_PER", 2]`.
                    (None, Some(n)) if i == 2 => strs.push(n.to_string()),
                    _ => self.err(f.span(), format!("constraint fields must be strings, found {}", found(f)), SHAPE),
                }
            }
            if strs.len() != fields.len() {
                continue;
            }
            match Constraint::parse(&strs) {
                Ok(constraint) => out.push(constraint.to_fields()),
                Err(errors) => {
                    for e in errors {
                        let span = match e.part() {
                            ConstraintPart::Whole => c.span(),
                            ConstraintPart::Field => fields.first().map_or(c.span(), |v| v.span()),
                            ConstraintPart::Operator => fields.get(1).map_or(c.span(), |v| v.span()),
                            ConstraintPart::Value => fields.get(2).map_or(c.span(), |v| v.span()),
                        };
                        self.err(span, e.to_string(), constraint_hint(&e, &strs[1]));
                    }
                }
            }
        }
        out
    }
}

/// How to fix a constraint problem, with an example.
fn constraint_hint(e: &ConstraintError, operator: &str) -> String {
    let example = |c: &str| format!("write e.g. `{c}`");
    match e {
        ConstraintError::FieldCount(_) => SHAPE.to_owned(),
        ConstraintError::MissingField => "name an agent attribute or `hostname` as the first field".to_owned(),
        ConstraintError::UnknownOperator(_) => {
            let all: Vec<&str> = Operator::ALL.iter().map(|o| o.as_str()).collect();
            format!("`{operator}` is not an operator; allowed: {}", hint_list(&all))
        }
        ConstraintError::UniqueWithValue => "write `[\"hostname\", \"UNIQUE\"]`".to_owned(),
        ConstraintError::GroupByNotInteger => {
            "write the expected number of distinct values, e.g. `[\"rack\", \"GROUP_BY\", \"3\"]`".to_owned()
        }
        ConstraintError::MaxPerNotInteger => example("[\"rack\", \"MAX_PER\", \"2\"]"),
        ConstraintError::LikeWithoutRegex => example("[\"rack\", \"LIKE\", \"rack-[12]\"]"),
        ConstraintError::InvalidRegex(_) => {
            "fix the regular expression (Java syntax; it must match the whole value)".to_owned()
        }
        ConstraintError::IsNotLiteral => format!(
            "the value must match `{}`, e.g. `[\"zone\", \"IS\", \"us-east-1a\"]`",
            rules::MESOS_LITERAL_PATTERN
        ),
    }
}
