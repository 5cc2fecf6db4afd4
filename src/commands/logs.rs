//! `theseus logs`: the output of a group's tasks, read from the sandboxes on the Mesos agents
//! (`crate::mesos`), each line prefixed with its task; `-f` reads on from the offsets reached
//! and picks up the group's new tasks.

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use serde::Serialize;

use super::common;
use crate::cli::{Format, LogsArgs};
use crate::context::Context;
use crate::error::{ExitStatus, StatusError, UserError};
use crate::mesos::file::{Line, LogFile, Stream};
use crate::mesos::locate::{self, Located, Wanted};
use crate::rollout::LiveGroup;

/// With `-f`, the group is read again for new tasks every this many reads of the files.
const NEW_TASKS_EVERY: u32 = 3;

/// Runs `theseus logs`.
pub async fn run(ctx: &Context, args: LogsArgs) -> anyhow::Result<ExitStatus> {
    // Installed first, so a Ctrl-C during the first reads of `-f` exits 130 too.
    let cancel = ctx.cancel();
    let streams: &[Stream] = match (args.stdout, args.stderr) {
        (true, false) => &[Stream::Stdout],
        (false, true) => &[Stream::Stderr],
        _ => &[Stream::Stdout, Stream::Stderr],
    };
    let (group, _) = common::read_group(ctx, &args.target, &args.labels).await?;
    let name = format!("{}/{}", group.key.service(), group.key.group());
    let wanted = chosen(&group, &args, &name)?;
    if wanted.is_empty() && !args.follow {
        return Err(StatusError {
            status: ExitStatus::Failure,
            message: format!("`{name}` has no tasks"),
            hint: Some(format!("`theseus logs {name} --previous` shows its last failed task, `-f` waits for tasks")),
        }
        .into());
    }
    let client = ctx.mesos().await?;
    let mut printer = Printer::new(ctx, &args, streams.len() > 1);
    // The values of the spec's secret env variables never reach the terminal.
    printer.secrets = group.apps.iter().flat_map(crate::spec::secret_values).collect();
    printer.secrets.sort_by_key(|v| std::cmp::Reverse(v.len()));
    let mut reader = Reader { ctx, warned: BTreeSet::new(), files: Vec::new(), seen: HashSet::new(), read_any: false };
    reader.open(client, &wanted, streams).await;
    let mut starting = std::mem::take(&mut reader.files);
    for file in &mut starting {
        let read = file.start(client, args.tail, &mut |line| printer.line(line)).await;
        reader.settle(file, read);
    }
    reader.files = starting;
    printer.flush()?;
    if !args.follow {
        for file in &mut reader.files {
            if let Some(line) = file.finish() {
                printer.line(&line);
            }
        }
        printer.end()?;
        return Ok(if reader.read_any { ExitStatus::Success } else { ExitStatus::Failure });
    }
    tokio::pin!(cancel);
    let new_tasks = args.task.is_none() && !args.previous;
    let mut round = 0u32;
    loop {
        tokio::select! {
            // Ctrl-C ends -f as it ends `view --watch`: exit 130.
            () = &mut cancel => {
                for file in &mut reader.files {
                    if let Some(line) = file.finish() {
                        printer.line(&line);
                    }
                }
                printer.flush()?;
                return Ok(ExitStatus::Interrupted);
            }
            () = tokio::time::sleep(args.poll_interval.max(Duration::from_millis(100))) => {}
        }
        round = round.wrapping_add(1);
        if new_tasks && round.is_multiple_of(NEW_TASKS_EVERY) {
            reader.add_new_tasks(client, &args, streams, &mut printer).await;
        }
        let mut files = std::mem::take(&mut reader.files);
        for file in &mut files {
            let read = file.poll(client, &mut |line| printer.line(line)).await;
            reader.settle(file, read);
        }
        reader.files = files;
        printer.flush()?;
    }
}

/// The tasks `args` asks for: `--previous` (the newest `lastTaskFailure` of the group's apps),
/// `--task ID`, or every task of the group, oldest first.
fn chosen(group: &LiveGroup, args: &LogsArgs, name: &str) -> anyhow::Result<Vec<Wanted>> {
    if args.previous {
        let failure =
            group.apps.iter().filter_map(|a| a.last_task_failure.as_ref()).max_by(|a, b| a.timestamp.cmp(&b.timestamp));
        let Some(failure) = failure else {
            return Err(StatusError {
                status: ExitStatus::Failure,
                message: format!("Marathon records no failed task of `{name}`"),
                hint: None,
            }
            .into());
        };
        return Ok(vec![Wanted {
            task: failure.task_id.clone(),
            agent_id: failure.slave_id.clone().unwrap_or_default(),
            host: failure.host.clone(),
        }]);
    }
    let mut tasks: Vec<_> = group.tasks().collect();
    tasks.sort_by(|a, b| (&a.staged_at, &a.id).cmp(&(&b.staged_at, &b.id)));
    let wanted = |t: &crate::marathon::types::Task| Wanted {
        task: t.id.clone(),
        agent_id: t.slave_id.clone(),
        host: t.host.clone(),
    };
    match &args.task {
        None => Ok(tasks.into_iter().map(wanted).collect()),
        Some(id) => match tasks.iter().find(|t| t.id == *id || short_id(&t.id) == *id) {
            Some(t) => Ok(vec![wanted(t)]),
            None => {
                let known: Vec<String> = tasks.iter().map(|t| short_id(&t.id)).collect();
                Err(UserError::with_hint(
                    format!("`{name}` has no task `{id}`"),
                    if known.is_empty() {
                        "it has no tasks now".to_owned()
                    } else {
                        format!("its tasks: {}", known.join(", "))
                    },
                )
                .into())
            }
        },
    }
}

/// The files being read and what was said about those that cannot be.
struct Reader<'a> {
    ctx: &'a Context,
    /// "logs unavailable on HOST: ..." lines already printed (each once).
    warned: BTreeSet<String>,
    files: Vec<LogFile>,
    /// Task ids opened (or found unavailable), so `-f` opens only new ones.
    seen: HashSet<String>,
    /// Whether any file could be read.
    read_any: bool,
}

impl Reader<'_> {
    /// Finds the sandboxes of `wanted` (one master read, one read per agent) and adds a file
    /// per stream for each; warns once for each host whose logs are unavailable.
    async fn open(&mut self, client: &crate::mesos::Client, wanted: &[Wanted], streams: &[Stream]) {
        self.seen.extend(wanted.iter().map(|w| w.task.clone()));
        let located = match locate::locate(client, wanted).await {
            Ok(located) => located,
            Err(e) => {
                let master = client.master().host_str().unwrap_or("the Mesos master").to_owned();
                self.unavailable(&master, &e.to_string());
                return;
            }
        };
        for (w, found) in wanted.iter().zip(located) {
            match found {
                Located::Found { agent, sandbox } => {
                    for &stream in streams {
                        self.files.push(LogFile::new(&w.task, stream, agent.clone(), &sandbox.directory));
                    }
                }
                Located::Unavailable { host, reason } => self.unavailable(&host, &reason),
            }
        }
    }

    /// With `-f`: the group's tasks that started since, read from their first line.
    async fn add_new_tasks(
        &mut self,
        client: &crate::mesos::Client,
        args: &LogsArgs,
        streams: &[Stream],
        printer: &mut Printer<'_>,
    ) {
        let group = match common::read_group(self.ctx, &args.target, &args.labels).await {
            Ok((group, _)) => group,
            Err(e) => {
                self.ctx.out.detail(format!("reading the group for new tasks: {e:#}"));
                return;
            }
        };
        let new: Vec<Wanted> = group
            .tasks()
            .filter(|t| !self.seen.contains(&t.id))
            .map(|t| Wanted { task: t.id.clone(), agent_id: t.slave_id.clone(), host: t.host.clone() })
            .collect();
        if new.is_empty() {
            return;
        }
        let before = self.files.len();
        self.open(client, &new, streams).await;
        let mut added = self.files.split_off(before);
        for file in &mut added {
            let read = file.start(client, None, &mut |line| printer.line(line)).await;
            self.settle(file, read);
        }
        self.files.extend(added);
    }

    /// Notes how reading `file` went.
    fn settle(&mut self, file: &LogFile, read: Result<(), crate::mesos::Error>) {
        match read {
            Ok(()) => self.read_any = true,
            Err(e) => self.unavailable(&file.agent.hostname, &e.to_string()),
        }
    }

    /// Prints "logs unavailable on HOST: REASON" on stderr, once.
    fn unavailable(&mut self, host: &str, reason: &str) {
        let message = format!("logs unavailable on {host}: {reason}");
        if self.warned.insert(message.clone()) {
            self.ctx.out.warn(message);
        }
    }
}

/// One line as `-o json`/`-o jsonl` print it.
#[derive(Debug, Serialize)]
struct JsonLine<'a> {
    task: &'a str,
    stream: &'static str,
    line: &'a str,
}

/// Prints lines: prefixed text, or JSON rows (one array at the end with `-o json`, one
/// object a line with `-o jsonl` or with `-f`).
struct Printer<'a> {
    ctx: &'a Context,
    format: Option<Format>,
    follow: bool,
    prefix: bool,
    both_streams: bool,
    /// Text not printed yet (lines are printed a read at a time).
    text: String,
    /// The rows of `-o json` without `-f`, printed at the end.
    rows: Vec<serde_json::Value>,
    /// Secret values to mask, longest first.
    secrets: Vec<String>,
}

impl<'a> Printer<'a> {
    fn new(ctx: &'a Context, args: &LogsArgs, both_streams: bool) -> Self {
        Printer {
            ctx,
            format: ctx.json_output(),
            follow: args.follow,
            prefix: !args.no_prefix,
            both_streams,
            text: String::new(),
            rows: Vec::new(),
            secrets: Vec::new(),
        }
    }

    /// Takes one line.
    fn line(&mut self, line: &Line) {
        let masked = crate::spec::mask(&line.text, &self.secrets);
        let line = &Line { text: masked, ..*line };
        match self.format {
            Some(format) => {
                let row = JsonLine { task: line.task, stream: line.stream.name(), line: &line.text };
                if format == Format::Json && !self.follow {
                    self.rows.push(serde_json::to_value(&row).unwrap_or_default());
                } else {
                    // Written with the text at the next flush: one compact object a line.
                    if let Ok(json) = serde_json::to_string(&row) {
                        self.text.push_str(&json);
                        self.text.push('\n');
                    }
                }
            }
            None => {
                if self.prefix {
                    self.text.push_str(&prefix(line.task, line.stream, self.both_streams));
                }
                self.text.push_str(&line.text);
                self.text.push('\n');
            }
        }
    }

    /// Prints the lines taken since the last flush.
    fn flush(&mut self) -> anyhow::Result<()> {
        if !self.text.is_empty() {
            self.ctx.out.text(&std::mem::take(&mut self.text))?;
        }
        Ok(())
    }

    /// Prints what is left, and the array of `-o json`.
    fn end(&mut self) -> anyhow::Result<()> {
        self.flush()?;
        if self.format == Some(Format::Json) && !self.follow {
            self.ctx.out.json(&self.rows)?;
        }
        Ok(())
    }
}

/// `[1a2b3c4d] `, or `[1a2b3c4d stderr] ` when both streams are shown.
fn prefix(task: &str, stream: Stream, both_streams: bool) -> String {
    if both_streams {
        format!("[{} {}] ", short_id(task), stream.name())
    } else {
        format!("[{}] ", short_id(task))
    }
}

/// A task id's short form: the first block of its instance id's UUID, with the incarnation
/// when it is not the first (`web_dev.instance-6a2c4b1e-...._app.2` is `6a2c4b1e.2`); for the
/// older `APP.UUID` ids, the first block of the UUID. Marathon's task id forms are parsed in
/// `core/task/Task.scala` (`Task.Id`).
pub fn short_id(task: &str) -> String {
    let instance = task.split_once(".instance-").or_else(|| task.split_once(".marathon-")).map(|(_, rest)| rest);
    match instance {
        Some(rest) => {
            let uuid = rest.split(['.', '_']).next().unwrap_or(rest);
            let block = uuid.split('-').next().unwrap_or(uuid);
            match rest.rsplit_once('.').and_then(|(_, n)| n.parse::<u32>().ok()) {
                Some(n) if n > 1 && rest.contains("._") => format!("{block}.{n}"),
                _ => block.to_owned(),
            }
        }
        None => {
            let last = task.rsplit_once('.').map_or(task, |(_, last)| last);
            last.split('-').next().unwrap_or(last).to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_are_the_first_uuid_block_and_a_later_incarnation() {
        assert_eq!(short_id("web_dev.instance-6a2c4b1e-1c1d-11ef-9a3b-0242ac110002._app.1"), "6a2c4b1e");
        assert_eq!(short_id("web_dev.instance-6a2c4b1e-1c1d-11ef-9a3b-0242ac110002._app.3"), "6a2c4b1e.3");
        assert_eq!(short_id("web_dev.marathon-6a2c4b1e-1c1d-11ef-9a3b-0242ac110002"), "6a2c4b1e");
        assert_eq!(short_id("web_dev.6a2c4b1e-1c1d-11ef-9a3b-0242ac110002"), "6a2c4b1e");
        assert_eq!(short_id("plain"), "plain");
    }

    #[test]
    fn the_prefix_names_the_stream_only_when_both_are_shown() {
        let id = "a.instance-1234abcd-0000._app.1";
        assert_eq!(prefix(id, Stream::Stderr, false), "[1234abcd] ");
        assert_eq!(prefix(id, Stream::Stderr, true), "[1234abcd stderr] ");
    }
}
