//! [`Amount`]: a count or a percentage of a group's instances, as rollout settings take them
//! (`batch = 2`, `max_unavailable = "25%"`), with its text and JSON forms.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A count or a percentage of the group's instances (`3` or `"25%"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// A number of instances.
    Count(u32),
    /// A percentage of the instances, 0–100.
    Percent(u8),
}

impl Amount {
    /// The amount for `instances`, rounded up (at least 1 for a non-zero percentage).
    pub fn ceil_of(self, instances: u32) -> u32 {
        match self {
            Amount::Count(n) => n,
            Amount::Percent(p) => (u64::from(instances) * u64::from(p)).div_ceil(100) as u32,
        }
    }

    /// The amount for `instances`, rounded down.
    pub fn floor_of(self, instances: u32) -> u32 {
        match self {
            Amount::Count(n) => n,
            Amount::Percent(p) => (u64::from(instances) * u64::from(p) / 100) as u32,
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amount::Count(n) => write!(f, "{n}"),
            Amount::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl FromStr for Amount {
    type Err = String;

    /// Parses `3` or `25%` (0–100).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Some(p) = s.strip_suffix('%') {
            match p.trim().parse::<u8>() {
                Ok(p) if p <= 100 => Ok(Amount::Percent(p)),
                _ => Err(format!("`{s}` is not a percentage from 0% to 100%")),
            }
        } else {
            s.parse::<u32>()
                .map(Amount::Count)
                .map_err(|_| format!("`{s}` is not a count or a percentage such as `25%`"))
        }
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Amount::Count(n) => s.serialize_u32(*n),
            Amount::Percent(_) => s.serialize_str(&self.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Count(u32),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Count(n) => Ok(Amount::Count(n)),
            Raw::Text(t) => t.parse().map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_and_round() {
        assert_eq!("3".parse::<Amount>(), Ok(Amount::Count(3)));
        assert_eq!("25%".parse::<Amount>(), Ok(Amount::Percent(25)));
        assert!("101%".parse::<Amount>().is_err());
        assert!("x".parse::<Amount>().is_err());
        assert_eq!(Amount::Percent(25).ceil_of(6), 2);
        assert_eq!(Amount::Percent(25).floor_of(6), 1);
        assert_eq!(serde_json::to_value(Amount::Percent(25)).unwrap(), "25%");
        assert_eq!(serde_json::from_value::<Amount>(serde_json::json!(3)).unwrap(), Amount::Count(3));
    }
}
