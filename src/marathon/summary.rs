//! A lean read of `GET /v2/apps?embed=apps.tasks` for read-only commands (`view`).
//!
//! The full wire model ([`super::types::App`]) owns every field Marathon sends: each app's env,
//! container, port definitions, upgrade strategy, each task's agent id, IP addresses, service
//! ports... For 2,000 apps and 10,000 tasks that is hundreds of thousands of allocations that
//! `view` never looks at. These types name only the fields `view` reads, borrow their strings
//! from the response body while it is parsed, and skip everything else without building it;
//! [`apps_from_slice`] then turns them into [`App`]s that carry just those fields, so the code
//! that folds and reports apps stays the one that `plan` and the waits use.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::types::{App, Container, Docker, HealthCheck, HealthCheckResult, Task, TaskFailure, TaskState, VersionInfo};

/// The label keys kept: Theseus's own (`theseus.*`); any other label is skipped unread.
const KEPT_LABEL_PREFIX: &str = "theseus.";

#[derive(Deserialize)]
struct AppsBody<'a> {
    #[serde(borrow, default)]
    apps: Vec<AppSummary<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppSummary<'a> {
    #[serde(borrow, default)]
    id: Text<'a>,
    #[serde(borrow, default)]
    cmd: Option<Text<'a>>,
    #[serde(borrow, default)]
    args: Option<Vec<Text<'a>>>,
    #[serde(default)]
    instances: Option<u32>,
    #[serde(borrow, default)]
    container: Option<ContainerSummary<'a>>,
    #[serde(default, deserialize_with = "theseus_labels")]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "count")]
    health_checks: Option<usize>,
    #[serde(borrow, default)]
    version: Option<Text<'a>>,
    #[serde(borrow, default)]
    version_info: Option<VersionInfoSummary<'a>>,
    #[serde(borrow, default)]
    tasks: Option<Vec<TaskSummary<'a>>>,
    #[serde(borrow, default)]
    last_task_failure: Option<FailureSummary<'a>>,
}

#[derive(Deserialize)]
struct ContainerSummary<'a> {
    #[serde(borrow, default)]
    docker: Option<DockerSummary<'a>>,
}

#[derive(Deserialize)]
struct DockerSummary<'a> {
    #[serde(borrow, default)]
    image: Text<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionInfoSummary<'a> {
    #[serde(borrow, default)]
    last_config_change_at: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaskSummary<'a> {
    #[serde(borrow, default)]
    id: Text<'a>,
    #[serde(borrow, default)]
    host: Text<'a>,
    #[serde(default)]
    ports: Option<Vec<u32>>,
    #[serde(default)]
    state: TaskState,
    #[serde(borrow, default)]
    started_at: Option<Text<'a>>,
    #[serde(default)]
    health_check_results: Option<Vec<AliveSummary>>,
}

#[derive(Deserialize)]
struct AliveSummary {
    #[serde(default)]
    alive: bool,
}

#[derive(Deserialize)]
struct FailureSummary<'a> {
    #[serde(borrow, default)]
    message: Text<'a>,
}

/// The number of elements of a JSON array, read without building them.
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    struct Count;
    impl<'de> Visitor<'de> for Count {
        type Value = Option<usize>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array or null")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut n = 0;
            while seq.next_element::<IgnoredAny>()?.is_some() {
                n += 1;
            }
            Ok(Some(n))
        }
    }
    d.deserialize_any(Count)
}

/// The `theseus.*` entries of a label object; other labels are skipped without allocating.
fn theseus_labels<'de, D: Deserializer<'de>>(d: D) -> Result<Option<BTreeMap<String, String>>, D::Error> {
    struct Labels;
    impl<'de> Visitor<'de> for Labels {
        type Value = Option<BTreeMap<String, String>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of string labels or null")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut kept = BTreeMap::new();
            while let Some(key) = map.next_key::<Text<'de>>()? {
                if key.starts_with(KEPT_LABEL_PREFIX) {
                    let value = map.next_value::<Text<'de>>()?;
                    kept.insert(key.into_owned(), value.into_owned());
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(Some(kept))
        }
    }
    d.deserialize_any(Labels)
}

/// A JSON string borrowed from the body when it has no escapes, else unescaped into a new one.
/// (serde's own `Cow<str>` borrows only as a direct field, never inside an `Option` or a `Vec`.)
struct Text<'a>(Cow<'a, str>);

impl Text<'_> {
    fn into_owned(self) -> String {
        self.0.into_owned()
    }

    fn starts_with(&self, prefix: &str) -> bool {
        self.0.starts_with(prefix)
    }
}

impl Default for Text<'_> {
    fn default() -> Self {
        Text(Cow::Borrowed(""))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

fn owned(s: Option<Text<'_>>) -> Option<String> {
    s.map(Text::into_owned)
}

impl From<TaskSummary<'_>> for Task {
    fn from(t: TaskSummary<'_>) -> Task {
        Task {
            id: t.id.into_owned(),
            host: t.host.into_owned(),
            ports: t.ports,
            state: t.state,
            started_at: owned(t.started_at),
            health_check_results: t.health_check_results.map(|r| {
                r.into_iter().map(|h| HealthCheckResult { alive: h.alive, ..HealthCheckResult::default() }).collect()
            }),
            ..Task::default()
        }
    }
}

impl From<AppSummary<'_>> for App {
    fn from(a: AppSummary<'_>) -> App {
        App {
            id: a.id.into_owned(),
            cmd: owned(a.cmd),
            args: a.args.map(|args| args.into_iter().map(Text::into_owned).collect()),
            instances: a.instances,
            container: a.container.map(|c| Container {
                docker: c.docker.map(|d| Docker { image: d.image.into_owned(), ..Docker::default() }),
                ..Container::default()
            }),
            labels: a.labels,
            // Only their number is read (a task is healthy when every check passes).
            health_checks: a.health_checks.map(|n| vec![HealthCheck::default(); n]),
            version: owned(a.version),
            version_info: a.version_info.map(|v| VersionInfo {
                last_config_change_at: owned(v.last_config_change_at),
                ..VersionInfo::default()
            }),
            tasks: a.tasks.map(|tasks| tasks.into_iter().map(Task::from).collect()),
            last_task_failure: a
                .last_task_failure
                .map(|f| TaskFailure { message: f.message.into_owned(), ..TaskFailure::default() }),
            ..App::default()
        }
    }
}

/// Parses a `{"apps": [...]}` body into apps that carry only what `view` reads: id, cmd, args,
/// instances, the Docker image, the `theseus.*` labels, the number of health checks, version
/// and last config change, the last task failure's message, and each task's id, host, ports,
/// state, start time and health results (`alive` only).
pub fn apps_from_slice(body: &[u8]) -> Result<Vec<App>, serde_json::Error> {
    let parsed: AppsBody<'_> = serde_json::from_slice(body)?;
    Ok(parsed.apps.into_iter().map(App::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon::types::AppList;

    /// An `AppInfo` as Marathon sends it, with fields `view` does not read and an escaped string.
    const BODY: &str = r#"{"apps":[{"id":"/ns/web/dev/r1","cmd":"serve \"x\"","instances":2,
        "container":{"type":"DOCKER","docker":{"image":"nginx:1.27","parameters":[]},"volumes":[]},
        "env":{"A":"1"},"labels":{"theseus.managed":"true","theseus.group":"dev","owner":"ops"},
        "healthChecks":[{"protocol":"HTTP","path":"/"},{"protocol":"TCP"}],"version":"2024-01-02T00:00:00.000Z",
        "versionInfo":{"lastScalingAt":"2024-01-02T00:00:00.000Z","lastConfigChangeAt":"2024-01-01T00:00:00.000Z"},
        "lastTaskFailure":{"appId":"/ns/web/dev/r1","host":"h","message":"exit 1","state":"TASK_FAILED",
          "taskId":"t0","timestamp":"2024-01-01T00:00:00.000Z","version":"2024-01-01T00:00:00.000Z"},
        "tasks":[{"id":"t1","appId":"/ns/web/dev/r1","host":"127.0.0.2","ports":[31000],"servicePorts":[],
          "slaveId":"s1","state":"TASK_RUNNING","startedAt":"2024-01-02T00:00:01.000Z",
          "ipAddresses":[{"ipAddress":"127.0.0.2","protocol":"IPv4"}],
          "healthCheckResults":[{"alive":true,"consecutiveFailures":0,"instanceId":"i"},{"alive":false,"consecutiveFailures":2,"instanceId":"i"}]}]},
        {"id":"/plain","args":["a","b"],"labels":null,"healthChecks":null}]}"#;

    #[test]
    fn keeps_the_fields_view_reads_as_the_full_model_reads_them() {
        let lean = apps_from_slice(BODY.as_bytes()).unwrap();
        let full: AppList = serde_json::from_str(BODY).unwrap();
        assert_eq!(lean.len(), 2);
        let (l, f) = (&lean[0], &full.apps[0]);
        assert_eq!(l.id, f.id);
        assert_eq!(l.cmd.as_deref(), Some("serve \"x\""), "escaped strings are unescaped");
        assert_eq!(l.instances, f.instances);
        assert_eq!(l.container.as_ref().unwrap().docker.as_ref().unwrap().image, "nginx:1.27");
        assert_eq!(l.version, f.version);
        assert_eq!(
            l.version_info.as_ref().unwrap().last_config_change_at,
            f.version_info.as_ref().unwrap().last_config_change_at
        );
        assert_eq!(l.health_checks.as_ref().map(Vec::len), Some(2));
        assert_eq!(l.last_task_failure.as_ref().unwrap().message, "exit 1");
        let (lt, ft) = (&l.tasks.as_ref().unwrap()[0], &f.tasks.as_ref().unwrap()[0]);
        assert_eq!(
            (&lt.id, &lt.host, &lt.ports, lt.state, &lt.started_at),
            (&ft.id, &ft.host, &ft.ports, ft.state, &ft.started_at)
        );
        let alive: Vec<bool> = lt.health_check_results.as_ref().unwrap().iter().map(|h| h.alive).collect();
        assert_eq!(alive, [true, false]);
        assert_eq!(lt.slave_id, "", "fields view does not read are not built");
    }

    #[test]
    fn keeps_only_theseus_labels_and_tolerates_nulls() {
        let lean = apps_from_slice(BODY.as_bytes()).unwrap();
        let labels = lean[0].labels.as_ref().unwrap();
        assert_eq!(labels.keys().collect::<Vec<_>>(), ["theseus.group", "theseus.managed"]);
        assert_eq!(lean[1].labels, None);
        assert_eq!(lean[1].health_checks, None);
        assert_eq!(lean[1].args.as_deref(), Some(&["a".to_owned(), "b".to_owned()][..]));
    }

    #[test]
    fn a_malformed_body_is_an_error() {
        assert!(apps_from_slice(b"{\"apps\":[{\"id\":3}]}").is_err());
        assert!(apps_from_slice(b"not json").is_err());
    }
}
