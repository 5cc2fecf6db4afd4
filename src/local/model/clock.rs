//! Timestamps in Marathon's format (ISO-8601, milliseconds, `Z`) and a clock that never repeats a version.

use chrono::{DateTime, Utc};

/// Formats a time the way Marathon does: `2015-09-30T09:09:17.614Z`.
pub(crate) fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The current time in Marathon's format.
pub(crate) fn now_iso() -> String {
    iso(Utc::now())
}

/// Hands out strictly increasing version timestamps, even for changes within one millisecond.
#[derive(Debug)]
pub(crate) struct VersionClock {
    last: DateTime<Utc>,
}

impl Default for VersionClock {
    fn default() -> Self {
        VersionClock { last: DateTime::<Utc>::MIN_UTC }
    }
}

impl VersionClock {
    /// The next version: now, or one millisecond after the previous one.
    pub(crate) fn next(&mut self) -> String {
        // versions are compared as formatted (millisecond) strings, so compare at that precision
        let mut now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap_or_else(Utc::now);
        if now <= self.last {
            now = self.last + chrono::Duration::milliseconds(1);
        }
        self.last = now;
        iso(now)
    }

    /// Makes sure later versions sort after `version` (used when loading saved state).
    pub(crate) fn observe(&mut self, version: &str) {
        if let Ok(t) = DateTime::parse_from_rfc3339(version) {
            let t = t.with_timezone(&Utc);
            if t > self.last {
                self.last = t;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_strictly_increase_and_look_like_marathons() {
        let mut clock = VersionClock::default();
        let a = clock.next();
        let b = clock.next();
        assert!(b > a, "{b} > {a}");
        assert_eq!(a.len(), "2015-09-30T09:09:17.614Z".len());
        assert!(a.ends_with('Z'));
    }
}
