//! Marathon's constraint rules: the operators, their values and Marathon's messages.

use super::*;

// ---- Constraints: RAML constraint.raml; M:.../api/v2/validation/SchedulingValidation.scala L82-190 ----

/// A constraint operator (RAML `ConstraintOperator`; semantics in `mesos/Constraints.scala`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// Every task on a different value of the field.
    Unique,
    /// Every task on the same value (the given one, or the first task's).
    Cluster,
    /// Spread evenly over the field's values.
    GroupBy,
    /// Only where the field fully matches the regular expression.
    Like,
    /// Only where the field does not match (or is absent).
    Unlike,
    /// At most N tasks per value of the field.
    MaxPer,
    /// Only where the field equals the value.
    Is,
}

impl Operator {
    /// Every operator, in the RAML's order (`ConstraintOperator` in constraint.raml).
    pub const ALL: [Operator; 7] = [
        Operator::Unique,
        Operator::Cluster,
        Operator::GroupBy,
        Operator::Like,
        Operator::Unlike,
        Operator::MaxPer,
        Operator::Is,
    ];

    /// Marathon's name, e.g. `GROUP_BY`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Unique => "UNIQUE",
            Operator::Cluster => "CLUSTER",
            Operator::GroupBy => "GROUP_BY",
            Operator::Like => "LIKE",
            Operator::Unlike => "UNLIKE",
            Operator::MaxPer => "MAX_PER",
            Operator::Is => "IS",
        }
    }

    /// The operator named `name`, upper-cased first as Marathon does (`op.toUpperCase`).
    pub fn parse(name: &str) -> Option<Operator> {
        let up = name.to_ascii_uppercase();
        Operator::ALL.into_iter().find(|o| o.as_str() == up)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A valid placement constraint: `[field, OPERATOR]` or `[field, OPERATOR, value]` (RAML
/// `AppConstraint` in constraint.raml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// `hostname`, `@hostname`, `@region`, `@zone` or an agent attribute.
    pub field: String,
    /// The operator.
    pub operator: Operator,
    /// The value, for the operators that take one.
    pub value: Option<String>,
}

/// The part of a constraint a [`ConstraintError`] is about, so callers can point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintPart {
    /// The constraint as a whole.
    Whole,
    /// The first element, the field.
    Field,
    /// The second element, the operator.
    Operator,
    /// The third element, the value (or the whole constraint when it is missing).
    Value,
}

/// Why a constraint is invalid; `Display` is Marathon's message (`SchedulingValidationMessages`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConstraintError {
    /// Not 2 or 3 elements.
    #[error("Each constraint must have either 2 or 3 fields")]
    FieldCount(usize),
    /// An empty field (`ConstraintRequiresField`; Marathon's app path words it "illegal
    /// constraint specification"). Theseus also refuses a blank one, which can match no agent.
    #[error("missing field for constraint declaration")]
    MissingField,
    /// Not one of [`Operator::ALL`].
    #[error("operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS")]
    UnknownOperator(String),
    /// `UNIQUE` with a value.
    #[error("UNIQUE does not accept a value")]
    UniqueWithValue,
    /// `GROUP_BY` with a value that is not an integer.
    #[error("GROUP BY must define an integer value or else no value at all")]
    GroupByNotInteger,
    /// `MAX_PER` without an integer value.
    #[error("MAX_PER requires an integer value")]
    MaxPerNotInteger,
    /// `LIKE` or `UNLIKE` without a value (Theseus also refuses an empty one).
    #[error("LIKE and UNLIKE require a non-empty, regular expression value")]
    LikeWithoutRegex,
    /// `LIKE` or `UNLIKE` with a value that does not compile.
    #[error("'{0}' is not a valid regular expression")]
    InvalidRegex(String),
    /// `IS` without a value, or one outside [`MESOS_LITERAL_PATTERN`] (Theseus also refuses a
    /// missing value, which Marathon reads as `""`).
    #[error("IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)")]
    IsNotLiteral,
}

impl ConstraintError {
    /// The element the problem is in.
    pub fn part(&self) -> ConstraintPart {
        match self {
            ConstraintError::FieldCount(_) => ConstraintPart::Whole,
            ConstraintError::MissingField => ConstraintPart::Field,
            ConstraintError::UnknownOperator(_) => ConstraintPart::Operator,
            _ => ConstraintPart::Value,
        }
    }
}

/// The `IS` value rule (`MesosLiteralOrFloatValue` in `SchedulingValidation.scala`), verbatim.
pub const MESOS_LITERAL_PATTERN: &str = "^[a-zA-Z0-9_/.-]*$";

static MESOS_LITERAL: LazyLock<Option<Regex>> = LazyLock::new(|| whole(MESOS_LITERAL_PATTERN));

/// Whether `value` is a Mesos text or scalar value ([`MESOS_LITERAL_PATTERN`],
/// `SchedulingValidation.scala`).
pub fn is_mesos_literal(value: &str) -> bool {
    matches(&MESOS_LITERAL, value)
}

/// The regular expression of a `LIKE`/`UNLIKE` value: `SchedulingValidation.scala` compiles it
/// with `java.util.regex.Pattern` (`isValidRegex`), and `mesos/Constraints.scala` matches it
/// against the whole attribute value (`matches()`). Java's syntax has lookaround,
/// backreferences, atomic groups and possessive quantifiers, which the `regex` crate refuses, so
/// `fancy-regex` compiles it: a constraint Marathon takes is never refused here.
pub fn like_regex(value: &str) -> Result<fancy_regex::Regex, ConstraintError> {
    if value.is_empty() {
        return Err(ConstraintError::LikeWithoutRegex);
    }
    fancy_regex::Regex::new(&format!("^(?:{value})$")).map_err(|_| ConstraintError::InvalidRegex(value.to_owned()))
}

/// Whether `text` fully matches a `LIKE`/`UNLIKE` value ([`like_regex`]); an invalid value, or
/// one whose matching gives up (`fancy-regex`'s backtrack limit), matches nothing.
pub fn like_matches(value: &str, text: &str) -> bool {
    like_regex(value).is_ok_and(|re| re.is_match(text).unwrap_or(false))
}

impl Constraint {
    /// Parses and validates `[field, operator, value?]` (`complyWithAppConstraintRules` in
    /// `SchedulingValidation.scala`).
    ///
    /// Every independent problem is returned: a missing field and a bad operator or value.
    pub fn parse<S: AsRef<str>>(fields: &[S]) -> Result<Constraint, Vec<ConstraintError>> {
        let [field, op, rest @ ..] = fields else { return Err(vec![ConstraintError::FieldCount(fields.len())]) };
        if rest.len() > 1 {
            return Err(vec![ConstraintError::FieldCount(fields.len())]);
        }
        let (field, op, value) = (field.as_ref(), op.as_ref(), rest.first().map(|v| v.as_ref()));
        let mut errors = Vec::new();
        if field.trim().is_empty() {
            errors.push(ConstraintError::MissingField);
        }
        let operator = Operator::parse(op);
        match operator {
            Some(o) => errors.extend(check_value(o, value).err()),
            None => errors.push(ConstraintError::UnknownOperator(op.to_owned())),
        }
        match operator {
            Some(operator) if errors.is_empty() => {
                Ok(Constraint { field: field.to_owned(), operator, value: value.map(str::to_owned) })
            }
            _ => Err(errors),
        }
    }

    /// The wire form: `[field, OPERATOR]` or `[field, OPERATOR, value]`.
    pub fn to_fields(&self) -> Vec<String> {
        let mut out = vec![self.field.clone(), self.operator.as_str().to_owned()];
        out.extend(self.value.clone());
        out
    }
}

/// The value rules of each operator (`complyWithConstraintRules` in `SchedulingValidation.scala`).
fn check_value(operator: Operator, value: Option<&str>) -> Result<(), ConstraintError> {
    match (operator, value) {
        (Operator::Unique, Some(_)) => Err(ConstraintError::UniqueWithValue),
        (Operator::Unique | Operator::Cluster, _) => Ok(()),
        (Operator::GroupBy, Some(v)) if !v.is_empty() && v.parse::<u32>().is_err() => {
            Err(ConstraintError::GroupByNotInteger)
        }
        (Operator::GroupBy, _) => Ok(()),
        (Operator::MaxPer, Some(v)) if v.parse::<u32>().is_ok() => Ok(()),
        (Operator::MaxPer, _) => Err(ConstraintError::MaxPerNotInteger),
        (Operator::Like | Operator::Unlike, v) => like_regex(v.unwrap_or_default()).map(|_| ()),
        (Operator::Is, Some(v)) if is_mesos_literal(v) => Ok(()),
        (Operator::Is, _) => Err(ConstraintError::IsNotLiteral),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    fn one_error(v: &[&str]) -> String {
        Constraint::parse(&strings(v)).err().and_then(|e| e.first().map(ToString::to_string)).unwrap_or_default()
    }

    /// `SchedulingValidation.scala` `complyWithAppConstraintRules`, with its messages.
    #[test]
    fn constraints_follow_scheduling_validation_scala() {
        let err = |v: &[&str]| Constraint::parse(&strings(v)).unwrap_err();
        let one = |v: &[&str]| err(v).first().map(ToString::to_string).unwrap_or_default();
        assert_eq!(one(&["hostname"]), "Each constraint must have either 2 or 3 fields");
        assert_eq!(err(&["a", "CLUSTER", "b", "c"]), vec![ConstraintError::FieldCount(4)]);
        assert_eq!(one(&["hostname", "UNIQUE", "x"]), "UNIQUE does not accept a value");
        assert_eq!(one(&["rack", "GROUP_BY", "many"]), "GROUP BY must define an integer value or else no value at all");
        assert_eq!(one(&["rack", "MAX_PER"]), "MAX_PER requires an integer value");
        assert_eq!(one(&["rack", "MAX_PER", "two"]), "MAX_PER requires an integer value");
        assert_eq!(one(&["rack", "LIKE"]), "LIKE and UNLIKE require a non-empty, regular expression value");
        assert_eq!(one(&["rack", "UNLIKE", "rack-[1"]), "'rack-[1' is not a valid regular expression");
        assert!(one(&["zone", "IS", "{a,b}"]).starts_with("IS only supports Mesos text and float values"));
        assert!(one(&["rack", "SPREAD"]).starts_with("operator must be one of the following UNIQUE, CLUSTER"));
        assert_eq!(err(&["", "SPREAD"]).len(), 2, "a missing field and a bad operator are both reported");
        assert_eq!(err(&["", "UNIQUE"])[0].part(), ConstraintPart::Field);
        assert_eq!(err(&[" ", "UNIQUE"]), [ConstraintError::MissingField]);
        assert_eq!(err(&["a", "NOPE"])[0].part(), ConstraintPart::Operator);
        assert_eq!(err(&["a", "IS", "a b"])[0].part(), ConstraintPart::Value);
    }

    /// Valid constraints of `docs/docs/constraints.md` (and the benchmark group's `CLUSTER`s).
    #[test]
    fn documented_constraints_parse_and_normalise() {
        let ok = |v: &[&str]| Constraint::parse(&strings(v)).unwrap();
        assert_eq!(ok(&["hostname", "unique"]).to_fields(), ["hostname", "UNIQUE"]);
        assert_eq!(ok(&["rack_id", "CLUSTER", "rack-1"]).value.as_deref(), Some("rack-1"));
        assert_eq!(ok(&["rack_id", "GROUP_BY"]).operator, Operator::GroupBy);
        assert_eq!(ok(&["rack_id", "GROUP_BY", "3"]).to_fields(), ["rack_id", "GROUP_BY", "3"]);
        assert_eq!(ok(&["rack_id", "LIKE", "rack-[1-3]"]).operator, Operator::Like);
        assert_eq!(ok(&["rack_id", "MAX_PER", "2"]).operator, Operator::MaxPer);
        assert_eq!(ok(&["@zone", "IS", "us-east-1a"]).operator, Operator::Is);
        assert!(Constraint::parse(&["cpus", "IS", "1.5"]).is_ok(), "scalar values");
        assert!(Operator::ALL.iter().all(|o| Operator::parse(&o.as_str().to_lowercase()) == Some(*o)));
    }

    /// `SchedulingValidation.scala` `MesosLiteralOrFloatValue`; `mesos/Constraints.scala` full match.
    #[test]
    fn is_and_like_values() {
        assert!(is_mesos_literal("us-east-1a") && is_mesos_literal("1.5") && is_mesos_literal("a/b_c"));
        assert!(!is_mesos_literal("a b") && !is_mesos_literal("{a,b}") && !is_mesos_literal("[1-2]"));
        assert!(like_matches("r[12]", "r1") && !like_matches("r[12]", "r12") && !like_matches("r[12]", "xr1"));
        assert_eq!(like_regex("").unwrap_err(), ConstraintError::LikeWithoutRegex);
    }

    /// `SchedulingValidation.scala` compiles LIKE/UNLIKE values with `java.util.regex.Pattern`:
    /// Java-only syntax (lookaround, backreferences, atomic groups, possessive quantifiers) is
    /// valid, and `mesos/Constraints.scala` matches the whole value.
    #[test]
    fn like_values_take_java_regex_syntax() {
        for java in [r"(?!gpu-).*", r"agent-(?<!x)\d+", r"(a)\1", r"(?>ab|a)c", r"(?=r)r\d"] {
            assert!(Constraint::parse(&["rack", "LIKE", java]).is_ok(), "{java}");
            assert!(regex::Regex::new(java).is_err(), "{java}: the regex crate refuses it");
        }
        assert!(like_matches(r"(?!gpu-).*", "agent-1") && !like_matches(r"(?!gpu-).*", "gpu-1"));
        assert!(like_matches(r"(r)\1", "rr") && !like_matches(r"(r)\1", "rx"));
        assert!(like_matches(r"(?>a|ab)c", "ac") && !like_matches(r"(?>a|ab)c", "abc"), "atomic, as in Java");
        assert!(like_matches("a*+b", "aab") && !like_matches("a*+a", "aa"), "possessive, as in Java");
        assert_eq!(one_error(&["rack", "UNLIKE", "(?<=a"]), "'(?<=a' is not a valid regular expression");
    }
}
