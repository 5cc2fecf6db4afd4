//! Every limit the engine enforces, with the Marathon or Mesos default it follows
//! (docs/local-engine.md, "Limits", lists them for users).

use std::time::Duration;

/// Longest app or group id, in characters: an engine-only bound on the work one request can
/// cause (it also bounds an id's depth to 512 segments). Marathon itself sets no length
/// (RAML `PathId` has no `maxLength`, docs/docs/rest-api/public/api/v2/types/stringTypes.raml),
/// so the engine accepts every id Marathon would that could ever launch: a task id (the app
/// id plus 53 characters) names the Mesos sandbox directory, at most 255 bytes, so ids past
/// about 200 characters are accepted and their tasks fail, as on Marathon
/// (tests/it/marathon_rules.rs::an_id_too_long_for_the_sandbox_is_accepted_and_its_tasks_fail).
/// 1,024 is the RAML's own bound for URIs and paths.
pub(crate) const MAX_ID_LENGTH: usize = 1024;

/// Largest request body. Marathon stores each app version in one ZooKeeper node of at most
/// `--zk_max_node_size` (1,024,000 bytes, M:src/main/scala/mesosphere/marathon/ZookeeperConf.scala)
/// after compression; 2 MiB of JSON is above what fits there.
pub(crate) const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Stored versions per app: Marathon's `--zk_max_versions` default
/// (M:src/main/scala/mesosphere/marathon/storage/StorageConf.scala).
pub(crate) const MAX_APP_VERSIONS: usize = 50;

/// How long a finished task's sandbox is kept. Mesos' `--gc_delay` is one week on a cluster
/// agent; a workstation engine keeps them for five minutes.
pub(crate) const SANDBOX_GC_DELAY: Duration = Duration::from_secs(300);

/// Size at which a task's `stdout` or `stderr` is rotated to `stdout.1` (one old file kept):
/// Mesos' `LogrotateContainerLogger` default `--max_stdout_size`/`--max_stderr_size` (10 MB).
pub(crate) const LOG_ROTATE_BYTES: u64 = 10 * 1024 * 1024;

/// A connection idle this long (nothing read or written) is closed: Marathon's Jetty connector
/// idle timeout (`connector.setIdleTimeout(30000)`, M:src/main/scala/mesosphere/marathon/api/HttpModule.scala).
pub(crate) const CONNECTION_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// The SIGTERM-to-SIGKILL grace when an app sets no `taskKillGracePeriodSeconds`: the Mesos
/// command executor's default shutdown grace period (3 s).
pub(crate) const DEFAULT_KILL_GRACE: Duration = Duration::from_secs(3);

/// Seconds as a duration, for values already validated against the RAML ranges; anything out
/// of range (negative, NaN, too large) is clamped instead of panicking.
pub(crate) fn seconds(value: f64) -> Duration {
    Duration::try_from_secs_f64(value.max(0.0)).unwrap_or(Duration::MAX)
}

/// `now + after`, saturating far in the future instead of overflowing.
pub(crate) fn instant_after(after: Duration) -> std::time::Instant {
    let now = std::time::Instant::now();
    now.checked_add(after).unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_never_panic() {
        assert_eq!(seconds(1e20), Duration::MAX);
        assert_eq!(seconds(-5.0), Duration::ZERO);
        assert_eq!(seconds(f64::NAN), Duration::ZERO);
        assert_eq!(seconds(2.5), Duration::from_millis(2500));
        assert!(instant_after(Duration::MAX) > std::time::Instant::now());
    }
}
