//! The sync leader's proof of freshness: `<root>/theseus/sync/confirmed/<namespace>` holds when
//! the leader last knew that namespace's registrations to be current, who it was, at which etcd
//! revision, and its resync interval.
//!
//! The container keys stay as they are, not bound to a lease: a lease-only registry drops every
//! entry on one missed keep-alive. Instead the leader writes this small key while it is caught
//! up (src/sync/freshness.rs says when), and readers judge its age: `view` and `endpoints` warn
//! when it is older than the writer's resync ([`Confirmations::stale`]), `endpoints
//! --fresh-within` refuses a list no sync confirmed recently ([`Confirmations::fresh_within`]).
//!
//! Writes carry the leadership's compare ([`Leadership`]): a replica deposed meanwhile (its
//! lease expired, another one elected) writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, SubsecRound as _, Utc};
use etcd_client::{GetOptions, Txn, TxnOp};
use serde::{Deserialize, Serialize};

use super::keys::prefix_end;
use super::{json, Driver, Error, Leadership, MAX_TXN_OPS};

/// The value of a namespace's confirmation key.
///
/// ```json
/// {"synced_at": "2024-05-01T10:00:05.123Z", "leader": "sync-1:4242", "revision": 18234, "resync": 300}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// When the leader was last caught up (RFC 3339, UTC, milliseconds; the leader's clock).
    #[serde(serialize_with = "millis")]
    pub synced_at: DateTime<Utc>,
    /// The replica that leads (`theseus sync --name`).
    pub leader: String,
    /// The etcd revision of the registrations confirmed: a read at this revision or later sees
    /// every registration the leader had written.
    pub revision: i64,
    /// The leader's `--resync`, in seconds: a confirmation older than this is stale.
    pub resync: u64,
}

fn millis<S: serde::Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// A duration in whole seconds, as messages show ages (`7m 12s`, `0s`).
fn seconds(d: Duration) -> humantime::FormattedDuration {
    humantime::format_duration(Duration::from_secs(d.as_secs()))
}

impl Confirmation {
    /// How long before `now` it was written (zero when the writer's clock is ahead).
    pub fn age(&self, now: DateTime<Utc>) -> Duration {
        (now - self.synced_at).to_std().unwrap_or_default()
    }

    /// Whether it is older than the resync interval its writer named.
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        self.age(now) > Duration::from_secs(self.resync)
    }
}

/// Every namespace's last confirmation, as one read found them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confirmations(pub BTreeMap<String, Confirmation>);

/// Why registrations are not fresh enough for `endpoints --fresh-within`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotFresh {
    /// No sync ever confirmed the namespace.
    Never {
        /// The namespace.
        namespace: String,
    },
    /// The last confirmation is older than asked for.
    Old {
        /// The namespace.
        namespace: String,
        /// Its last confirmation.
        last: Confirmation,
        /// How old it is.
        age: Duration,
        /// The limit asked for.
        within: Duration,
    },
}

impl fmt::Display for NotFresh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotFresh::Never { namespace } => {
                write!(f, "no sync has ever confirmed the registrations of namespace `{namespace}`")
            }
            NotFresh::Old { namespace, last, age, within } => write!(
                f,
                "the registrations of namespace `{namespace}` were last confirmed {} ago by sync leader `{}`, \
                 longer than --fresh-within {}",
                seconds(*age),
                last.leader,
                humantime::format_duration(*within)
            ),
        }
    }
}

impl Confirmations {
    /// The one staleness rule of `view` and `endpoints`: a line for each namespace among `shown`
    /// whose last confirmation is older than its writer's resync, saying how old and which
    /// leader. A namespace no sync ever confirmed gets none: a registry that was never synced
    /// (`theseus local` without `theseus sync`) is the common case, not an alarm; `endpoints
    /// --fresh-within` is how a consumer requires a sync.
    pub fn stale<'a>(&self, shown: impl IntoIterator<Item = &'a str>, now: DateTime<Utc>) -> Vec<String> {
        let shown: BTreeSet<&str> = shown.into_iter().collect();
        shown
            .into_iter()
            .filter_map(|ns| {
                let c = self.0.get(ns).filter(|c| c.is_stale(now))?;
                Some(format!(
                    "the registrations of namespace `{ns}` were last confirmed {} ago by sync leader `{}` \
                     (its resync is {}): `theseus sync` may have stopped, so they may be out of date",
                    seconds(c.age(now)),
                    c.leader,
                    humantime::format_duration(Duration::from_secs(c.resync))
                ))
            })
            .collect()
    }

    /// `Ok` when every namespace among `shown` was confirmed within `within` before `now`;
    /// else the first that was not.
    pub fn fresh_within<'a>(
        &self,
        shown: impl IntoIterator<Item = &'a str>,
        within: Duration,
        now: DateTime<Utc>,
    ) -> Result<(), NotFresh> {
        let shown: BTreeSet<&str> = shown.into_iter().collect();
        for ns in shown {
            match self.0.get(ns) {
                None => return Err(NotFresh::Never { namespace: ns.to_owned() }),
                Some(c) if c.age(now) > within => {
                    return Err(NotFresh::Old { namespace: ns.to_owned(), last: c.clone(), age: c.age(now), within })
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

impl Driver {
    /// Every namespace's last confirmation, in one range read. A value that does not decode
    /// (not written by this version) is left out, as if never confirmed.
    pub async fn sync_confirmations(&self) -> Result<Confirmations, Error> {
        let prefix = self.keys.sync_confirmed_prefix();
        let opts = GetOptions::new().with_range(prefix_end(&prefix));
        let mut resp = self
            .call("get", &prefix, || {
                let (mut kv, opts, prefix) = (self.kv(), opts.clone(), prefix.clone());
                async move { kv.get(prefix, Some(opts)).await }
            })
            .await?;
        let mut out = BTreeMap::new();
        for kv in resp.take_kvs() {
            let Some(ns) = kv.key_str().ok().and_then(|k| self.keys.parse_sync_confirmed(k)) else { continue };
            match serde_json::from_slice::<Confirmation>(kv.value()) {
                Ok(c) => {
                    out.insert(ns, c);
                }
                Err(e) => tracing::debug!(target: "theseus::etcd", "confirmation of `{ns}` unreadable: {e}"),
            }
        }
        Ok(Confirmations(out))
    }

    /// Confirms `namespaces` as current, by `leader` whose resync is `resync`, while
    /// `leadership` holds: first a read of the revision (the registrations confirmed are those
    /// at it), then the keys in one transaction guarded by the leadership's compare (one per
    /// [`MAX_TXN_OPS`] namespaces). `Ok(None)`: not the leader any more, nothing written.
    pub async fn confirm_sync(
        &self,
        leadership: &Leadership,
        namespaces: &BTreeSet<String>,
        leader: &str,
        resync: Duration,
    ) -> Result<Option<Confirmation>, Error> {
        if leadership.is_lost() {
            return Ok(None);
        }
        // Caught up now: every registration written so far is at or below the revision read next.
        let synced_at = Utc::now().trunc_subsecs(3); // as stored
        let key = leadership.key();
        let read = self
            .call("get", &key, || {
                let (mut kv, key) = (self.kv(), key.clone());
                async move { kv.get(key, Some(GetOptions::new().with_count_only())).await }
            })
            .await?;
        let revision = read.header().map_or(0, |h| h.revision());
        let confirmation = Confirmation { synced_at, leader: leader.to_owned(), revision, resync: resync.as_secs() };
        let value = json(&confirmation);
        let names: Vec<&String> = namespaces.iter().collect();
        for chunk in names.chunks(MAX_TXN_OPS) {
            let puts: Vec<TxnOp> =
                chunk.iter().map(|ns| TxnOp::put(self.keys.sync_confirmed(ns), value.clone(), None)).collect();
            let txn = Txn::new().when([leadership.holds()]).and_then(puts);
            if !self.txn(&self.keys.sync_confirmed(chunk[0]), txn).await?.succeeded() {
                return Ok(None);
            }
        }
        Ok(Some(confirmation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn confirmed(synced_at: &str, resync: u64) -> Confirmation {
        Confirmation { synced_at: at(synced_at), leader: "sync-1:42".into(), revision: 7, resync }
    }

    #[test]
    fn the_value_is_the_documented_json() {
        let c = confirmed("2024-05-01T10:00:05.123456Z", 300);
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(text, r#"{"synced_at":"2024-05-01T10:00:05.123Z","leader":"sync-1:42","revision":7,"resync":300}"#);
        let back: Confirmation = serde_json::from_str(&text).unwrap();
        assert_eq!(back.synced_at, at("2024-05-01T10:00:05.123Z"));
    }

    #[test]
    fn stale_means_older_than_the_writers_resync_and_never_synced_is_quiet() {
        let all = Confirmations(BTreeMap::from([
            ("team/a".to_owned(), confirmed("2024-05-01T10:00:00Z", 300)),
            ("b".to_owned(), confirmed("2024-05-01T10:04:00Z", 300)),
        ]));
        let now = at("2024-05-01T10:07:12Z");
        let lines = all.stale(["team/a", "b", "never", "team/a"], now);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("namespace `team/a`"), "{}", lines[0]);
        assert!(lines[0].contains("7m 12s ago by sync leader `sync-1:42`"), "{}", lines[0]);
        assert!(lines[0].contains("its resync is 5m"), "{}", lines[0]);
        // The writer's clock ahead of the reader's: age zero, not stale.
        assert!(all.stale(["b"], at("2024-05-01T10:03:00Z")).is_empty());
    }

    #[test]
    fn fresh_within_names_the_first_namespace_that_is_not() {
        let all = Confirmations(BTreeMap::from([("a".to_owned(), confirmed("2024-05-01T10:00:00Z", 300))]));
        let now = at("2024-05-01T10:00:20Z");
        assert_eq!(all.fresh_within(["a"], Duration::from_secs(30), now), Ok(()));
        let old = all.fresh_within(["a"], Duration::from_secs(10), now).unwrap_err();
        assert_eq!(
            old.to_string(),
            "the registrations of namespace `a` were last confirmed 20s ago by sync leader `sync-1:42`, \
             longer than --fresh-within 10s"
        );
        let never = all.fresh_within(["a", "b"], Duration::from_secs(30), now).unwrap_err();
        assert_eq!(never.to_string(), "no sync has ever confirmed the registrations of namespace `b`");
        assert_eq!(all.fresh_within([], Duration::from_secs(1), now), Ok(()));
    }
}
