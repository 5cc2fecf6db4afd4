//! A lean read of `GET /v2/apps?embed=apps.tasks` for read-only commands (`view`).
//!
//! The full wire model ([`super::types::App`]) owns every field Marathon sends: each app's env,
//! container, port definitions, upgrade strategy, each task's agent id, IP addresses, service
//! ports... For 2,000 apps and 10,000 tasks that is hundreds of thousands of allocations that
//! `view` never looks at. These types name only the fields `view` reads, borrow their strings
//! from the response body while it is parsed, and skip everything else without building it;
//! [`apps_from_slice`] then turns them into [`AppRecord`]s that own just those fields (a full
//! `App` per app and a full `Task` per task, mostly empty, were most of the memory `view`
//! touched). The fold into groups and the health rule stay the ones `plan` and the waits use
//! (`rollout::live`, `rollout::status`).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::client::body::BodySink;
use super::types::TaskState;

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
    labels: Option<Vec<(String, String)>>,
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
fn theseus_labels<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<(String, String)>>, D::Error> {
    struct Labels;
    impl<'de> Visitor<'de> for Labels {
        type Value = Option<Vec<(String, String)>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of string labels or null")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut kept: Vec<(String, String)> = Vec::new();
            while let Some(key) = map.next_key::<Text<'de>>()? {
                if key.starts_with(KEPT_LABEL_PREFIX) {
                    let value = map.next_value::<Text<'de>>()?.into_owned();
                    // A repeated key keeps its last value, as a map does.
                    match kept.iter_mut().find(|(k, _)| *k == *key.0) {
                        Some(entry) => entry.1 = value,
                        None => kept.push((key.into_owned(), value)),
                    }
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

/// One app as `view` reads it: the fields it shows and decides from, owned. Only the
/// `theseus.*` labels are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppRecord {
    /// App id (`/<namespace>/<service>/<encoded>/<revision>` for a managed app).
    pub id: String,
    /// Its command, if any.
    pub cmd: Option<String>,
    /// Its args, if any.
    pub args: Option<Vec<String>>,
    /// Desired instances.
    pub instances: Option<u32>,
    /// The Docker image, if it runs one.
    pub image: Option<String>,
    /// The `theseus.*` labels, in the order Marathon sent them (`None`: no labels at all).
    pub labels: Option<Vec<(String, String)>>,
    /// The number of its health checks (`None`: no `healthChecks` member, or `null`).
    pub health_checks: Option<usize>,
    /// Its version (ISO-8601).
    pub version: Option<String>,
    /// `versionInfo.lastConfigChangeAt`.
    pub last_config_change_at: Option<String>,
    /// `lastTaskFailure.message`.
    pub last_task_failure: Option<String>,
    /// Its tasks (`None`: not embedded, or `null`).
    pub tasks: Option<Vec<TaskRecord>>,
}

impl AppRecord {
    /// The value of label `key` (a `theseus.*` one: no other is kept).
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.as_ref()?.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// One task as `view` reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskRecord {
    /// Task id.
    pub id: String,
    /// Agent host.
    pub host: String,
    /// Host ports.
    pub ports: Option<Vec<u32>>,
    /// Mesos state.
    pub state: TaskState,
    /// When it started (ISO-8601).
    pub started_at: Option<String>,
    /// `alive` of each of its health check results, in order (`None`: no such member).
    pub alive: Option<Vec<bool>>,
}

impl From<TaskSummary<'_>> for TaskRecord {
    fn from(t: TaskSummary<'_>) -> TaskRecord {
        TaskRecord {
            id: t.id.into_owned(),
            host: t.host.into_owned(),
            ports: t.ports,
            state: t.state,
            started_at: owned(t.started_at),
            alive: t.health_check_results.map(|r| r.into_iter().map(|h| h.alive).collect()),
        }
    }
}

impl From<AppSummary<'_>> for AppRecord {
    fn from(a: AppSummary<'_>) -> AppRecord {
        AppRecord {
            id: a.id.into_owned(),
            cmd: owned(a.cmd),
            args: a.args.map(|args| args.into_iter().map(Text::into_owned).collect()),
            instances: a.instances,
            image: a.container.and_then(|c| c.docker).map(|d| d.image.into_owned()),
            labels: a.labels,
            health_checks: a.health_checks,
            version: owned(a.version),
            last_config_change_at: a.version_info.and_then(|v| owned(v.last_config_change_at)),
            tasks: a.tasks.map(|tasks| tasks.into_iter().map(TaskRecord::from).collect()),
            last_task_failure: a.last_task_failure.map(|f| f.message.into_owned()),
        }
    }
}

/// Parses a `{"apps": [...]}` body into [`AppRecord`]s: id, cmd, args, instances, the Docker
/// image, the `theseus.*` labels, the number of health checks, version and last config change,
/// the last task failure's message, and each task's id, host, ports, state, start time and
/// health results (`alive` only).
pub fn apps_from_slice(body: &[u8]) -> Result<Vec<AppRecord>, serde_json::Error> {
    let parsed: AppsBody<'_> = serde_json::from_slice(body)?;
    Ok(parsed.apps.into_iter().map(AppRecord::from).collect())
}

/// `{"apps": [...]}` parsed while it arrives (a `BodySink`): each app is parsed and slimmed
/// as soon as its last byte is in, and its bytes dropped, so neither the whole body (7 MB for
/// 2,000 apps with 10,000 tasks) nor the list of parsed summaries is ever held at once.
///
/// Only the framing `{"apps":[` … `]}` is read here; every app is parsed by serde_json, and a
/// body framed any other way (other members first, an escaped key) is gathered whole and
/// parsed by [`apps_from_slice`]. The result and its errors are those of [`apps_from_slice`].
pub struct AppsStream {
    /// Told of each app as soon as it is parsed.
    observer: Option<AppObserver>,
    /// Bytes not yet consumed start at `pos`.
    buf: Vec<u8>,
    pos: usize,
    state: Framing,
    /// After an app was found incomplete: parse again once `buf` holds this many bytes, so an
    /// app larger than many chunks is parsed a few times, not once per chunk.
    retry_at: usize,
    apps: Vec<AppRecord>,
    error: Option<serde_json::Error>,
}

/// Told of each app of a streamed `/v2/apps` answer as soon as it is parsed, before the rest
/// of the body is in (and again for every app of a retried request): `view` starts counting a
/// group's registrations in etcd while Marathon's answer still arrives.
pub type AppObserver = Arc<dyn Fn(&AppRecord) + Send + Sync>;

/// Where [`AppsStream`] is in the body.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// Before `[`: the framing is not known yet.
    Start,
    /// Inside the array, expecting what [`Next`] says.
    Apps(Next),
    /// After `]`: the rest is checked at the end.
    Tail,
    /// Framed otherwise: gathered whole.
    Whole,
}

/// What comes next inside the apps array.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    /// An app or `]` (after `[`).
    AppOrEnd,
    /// An app (after `,`).
    App,
    /// `,` or `]` (after an app).
    CommaOrEnd,
}

/// How a body starts: `{ "apps" : [` with any whitespace between.
enum Start {
    /// The bytes so far agree, but are too few to tell.
    Unknown,
    /// Framed otherwise.
    Other,
    /// The array's first element starts at this offset.
    Apps(usize),
}

fn framing_start(bytes: &[u8]) -> Start {
    let mut i = 0;
    for token in [&b"{"[..], b"\"apps\"", b":", b"["] {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let have = &bytes[i.min(bytes.len())..];
        let n = have.len().min(token.len());
        if have[..n] != token[..n] {
            return Start::Other;
        }
        if n < token.len() {
            return Start::Unknown;
        }
        i += token.len();
    }
    Start::Apps(i)
}

impl AppsStream {
    /// Reads what `buf[pos..]` holds; `at_end`: no more bytes will come.
    fn advance(&mut self, at_end: bool) {
        while self.error.is_none() {
            match self.state {
                Framing::Start => match framing_start(&self.buf) {
                    Start::Unknown => return,
                    Start::Other => self.state = Framing::Whole,
                    Start::Apps(n) => {
                        self.pos = n;
                        self.state = Framing::Apps(Next::AppOrEnd);
                    }
                },
                Framing::Apps(next) => {
                    while self.buf.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
                        self.pos += 1;
                    }
                    match (self.buf.get(self.pos), next) {
                        (None, _) => return,
                        (Some(b']'), Next::AppOrEnd | Next::CommaOrEnd) => {
                            self.pos += 1;
                            self.state = Framing::Tail;
                        }
                        (Some(b','), Next::CommaOrEnd) => {
                            self.pos += 1;
                            self.state = Framing::Apps(Next::App);
                        }
                        (Some(_), Next::CommaOrEnd) => {
                            self.error = Some(serde::de::Error::custom("expected `,` or `]` after an app"));
                        }
                        (Some(_), Next::AppOrEnd | Next::App) => {
                            if !at_end && self.buf.len() < self.retry_at {
                                return;
                            }
                            if !self.next_app(at_end) {
                                return;
                            }
                        }
                    }
                }
                Framing::Tail | Framing::Whole => return,
            }
        }
    }

    /// Parses the app at `pos`; `false` when its bytes are not all in yet.
    fn next_app(&mut self, at_end: bool) -> bool {
        let rest = &self.buf[self.pos..];
        let mut stream = serde_json::Deserializer::from_slice(rest).into_iter::<AppSummary<'_>>();
        match stream.next() {
            Some(Ok(app)) => {
                let used = stream.byte_offset();
                let app = AppRecord::from(app);
                if let Some(observer) = &self.observer {
                    observer(&app);
                }
                self.apps.push(app);
                self.pos += used;
                self.state = Framing::Apps(Next::CommaOrEnd);
                true
            }
            // Bytes cut short fail in many ways ("EOF", but also "invalid number" for `0.`):
            // until the body ends, any failure may be that, and is tried again when twice as
            // many bytes are in (a malformed app is reported at the end).
            Some(Err(_)) if !at_end => {
                self.retry_at = self.buf.len() + rest.len();
                false
            }
            Some(Err(e)) => {
                self.error = Some(e);
                false
            }
            None => false,
        }
    }
}

impl BodySink for AppsStream {
    type Output = Result<Vec<AppRecord>, serde_json::Error>;
    type Seed = Option<AppObserver>;

    fn new(observer: &Option<AppObserver>, _expected: usize) -> Self {
        AppsStream {
            observer: observer.clone(),
            buf: Vec::new(),
            pos: 0,
            state: Framing::Start,
            retry_at: 0,
            apps: Vec::new(),
            error: None,
        }
    }

    fn feed(&mut self, chunk: &[u8]) {
        if self.error.is_some() {
            return;
        }
        // Consumed bytes go before the buffer grows (never while the framing is unknown).
        if matches!(self.state, Framing::Apps(_)) && self.pos > 0 {
            self.buf.drain(..self.pos);
            self.retry_at = self.retry_at.saturating_sub(self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(chunk);
        self.advance(false);
    }

    fn finish(mut self) -> Self::Output {
        self.advance(true);
        if let Some(e) = self.error {
            return Err(e);
        }
        match self.state {
            Framing::Start | Framing::Whole => {
                let apps = apps_from_slice(&self.buf)?;
                if let Some(observer) = &self.observer {
                    apps.iter().for_each(|app| observer(app));
                }
                Ok(apps)
            }
            Framing::Apps(_) => Err(serde::de::Error::custom("the apps list ends early")),
            Framing::Tail => {
                // What follows `]` must close the object (perhaps after other members).
                let mut rest = b"{\"apps\":[]".to_vec();
                rest.extend_from_slice(&self.buf[self.pos..]);
                serde_json::from_slice::<AppsBody<'_>>(&rest)?;
                Ok(self.apps)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon::types::AppList;

    /// An `AppInfo` as Marathon sends it, with fields `view` does not read and an escaped string.
    const BODY: &str = r#"{"apps":[{"id":"/ns/web/dev/r1","cmd":"serve \"x\"","instances":2,"cpus":0.25,"mem":1e3,"disk":-1.5E-2,
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
        assert_eq!(l.image.as_deref(), Some("nginx:1.27"));
        assert_eq!(l.version, f.version);
        assert_eq!(l.last_config_change_at, f.version_info.as_ref().unwrap().last_config_change_at);
        assert_eq!(l.health_checks, Some(2));
        assert_eq!(l.last_task_failure.as_deref(), Some("exit 1"));
        let (lt, ft) = (&l.tasks.as_ref().unwrap()[0], &f.tasks.as_ref().unwrap()[0]);
        assert_eq!(
            (&lt.id, &lt.host, &lt.ports, lt.state, &lt.started_at),
            (&ft.id, &ft.host, &ft.ports, ft.state, &ft.started_at)
        );
        assert_eq!(lt.alive.as_deref(), Some(&[true, false][..]));
    }

    #[test]
    fn keeps_only_theseus_labels_and_tolerates_nulls() {
        let lean = apps_from_slice(BODY.as_bytes()).unwrap();
        let labels = lean[0].labels.as_ref().unwrap();
        let keys: Vec<&str> = labels.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["theseus.managed", "theseus.group"]);
        assert_eq!(lean[0].label("theseus.group"), Some("dev"));
        assert_eq!(lean[0].label("owner"), None, "other labels are not kept");
        assert_eq!(lean[1].labels, None);
        assert_eq!(lean[1].health_checks, None);
        assert_eq!(lean[1].args.as_deref(), Some(&["a".to_owned(), "b".to_owned()][..]));
        let repeated = apps_from_slice(br#"{"apps":[{"labels":{"theseus.group":"a","theseus.group":"b"}}]}"#).unwrap();
        assert_eq!(repeated[0].labels, Some(vec![("theseus.group".to_owned(), "b".to_owned())]), "the last one wins");
    }

    /// `body` fed to an [`AppsStream`] in chunks of `size` bytes.
    fn streamed(body: &[u8], size: usize) -> Result<Vec<AppRecord>, serde_json::Error> {
        let mut sink = AppsStream::new(&None, body.len());
        for chunk in body.chunks(size.max(1)) {
            sink.feed(chunk);
        }
        sink.finish()
    }

    #[test]
    fn a_streamed_body_reads_as_the_whole_body_whatever_its_chunks() {
        let whole = apps_from_slice(BODY.as_bytes()).unwrap();
        for size in [1, 2, 3, 7, 64, 100, 1000, BODY.len()] {
            assert_eq!(streamed(BODY.as_bytes(), size).unwrap(), whole, "chunks of {size} bytes");
        }
        // Framed otherwise: other members first, pretty-printed, no apps at all.
        let value: serde_json::Value = serde_json::from_str(BODY).unwrap();
        let other_first = format!("{{\"x\": [1, {{\"apps\": 2}}], \"apps\": {}}}", value["apps"]);
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let after = format!("{{\"apps\": {}, \"x\": {{\"a\": [\"]\"]}}}}", value["apps"]);
        for body in [other_first, pretty, after] {
            for size in [1, 5, 4096] {
                assert_eq!(streamed(body.as_bytes(), size).unwrap(), whole, "{body} in chunks of {size}");
            }
        }
        for body in ["{}", "{\"apps\":[]}", " { \"apps\" : [ ] } "] {
            assert_eq!(streamed(body.as_bytes(), 1).unwrap(), Vec::new(), "{body}");
        }
    }

    #[test]
    fn the_observer_hears_of_each_app_once_in_body_order() {
        let value: serde_json::Value = serde_json::from_str(BODY).unwrap();
        let other_first = format!("{{\"x\": 1, \"apps\": {}}}", value["apps"]);
        for body in [BODY.to_owned(), other_first] {
            for size in [1, 64, body.len()] {
                let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
                let seen = Arc::clone(&heard);
                let observer: AppObserver = Arc::new(move |app: &AppRecord| seen.lock().unwrap().push(app.id.clone()));
                let mut sink = AppsStream::new(&Some(observer), body.len());
                for chunk in body.as_bytes().chunks(size) {
                    sink.feed(chunk);
                }
                let apps = sink.finish().unwrap();
                let ids: Vec<String> = apps.iter().map(|a| a.id.clone()).collect();
                assert_eq!(*heard.lock().unwrap(), ids, "{body} in chunks of {size}");
            }
        }
    }

    #[test]
    fn a_streamed_body_that_is_cut_or_malformed_is_an_error() {
        let cut = &BODY.as_bytes()[..BODY.len() / 2];
        for body in [
            cut,
            &BODY.as_bytes()[..BODY.len() - 1],
            b"{\"apps\":[{\"id\":\"/a\"},]}",
            b"{\"apps\":[{\"id\":\"/a\"} {\"id\":\"/b\"}]}",
            b"{\"apps\":[1]}",
            b"{\"apps\":[{\"id\":\"/a\"}]} trailing",
            b"{\"apps\":[{\"id\":\"/a\"}]",
            b"{\"apps\":[{\"id\":3}]}",
            b"not json",
            b"",
        ] {
            for size in [1, 3, 4096] {
                let text = String::from_utf8_lossy(body);
                assert!(streamed(body, size).is_err(), "{text} in chunks of {size} must be an error");
                assert!(apps_from_slice(body).is_err(), "{text} is an error read whole too");
            }
        }
    }

    #[test]
    fn a_malformed_body_is_an_error() {
        assert!(apps_from_slice(b"{\"apps\":[{\"id\":3}]}").is_err());
        assert!(apps_from_slice(b"not json").is_err());
    }
}
