//! One sandbox file being read (`stdout` or `stderr` of a task): where it is, how far it was
//! read, and the start of a line not ended yet. The first read is the file's tail (or all of
//! it); every later one reads on from the offset reached, never again what was read.

use super::agents::Agent;
use super::lines::Lines;
use super::{Client, Error};

/// A task's output stream, the file of that name in its sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stream {
    /// `stdout`.
    Stdout,
    /// `stderr`.
    Stderr,
}

impl Stream {
    /// The file's name in the sandbox, as Mesos's executors write it.
    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// A sandbox file and how far it was read.
#[derive(Debug, Clone)]
pub struct LogFile {
    /// The task's id.
    pub task: String,
    /// Which stream.
    pub stream: Stream,
    /// The agent that holds it.
    pub agent: Agent,
    /// Its path on the agent (the sandbox directory and the stream's name).
    path: String,
    /// The offset after the bytes read so far.
    offset: u64,
    /// The start of a line whose end was not read yet.
    pending: Lines,
}

impl LogFile {
    /// The file `stream` of the sandbox `directory` of `task` on `agent`, not read yet.
    pub fn new(task: &str, stream: Stream, agent: Agent, directory: &str) -> Self {
        LogFile {
            task: task.to_owned(),
            stream,
            agent,
            path: format!("{}/{}", directory.trim_end_matches('/'), stream.name()),
            offset: 0,
            pending: Lines::default(),
        }
    }

    /// Reads the first time: the last `tail` lines (every line when `None`), handed to `emit`
    /// as they are read; a last line without a newline is held back for [`LogFile::finish`].
    pub async fn start(
        &mut self,
        client: &Client,
        tail: Option<usize>,
        emit: &mut impl FnMut(&Line),
    ) -> Result<(), Error> {
        match tail {
            Some(n) => {
                let (bytes, end) = client.tail(&self.agent, &self.path, n).await?;
                self.offset = end;
                for text in self.pending.push(&bytes) {
                    emit(&Line { task: &self.task, stream: self.stream, text });
                }
                Ok(())
            }
            None => self.poll(client, emit).await,
        }
    }

    /// Reads what was written since the last read, handing each whole line to `emit` (one
    /// read of at most [`super::tail::CHUNK`] at a time: a large file is never held whole).
    pub async fn poll(&mut self, client: &Client, emit: &mut impl FnMut(&Line)) -> Result<(), Error> {
        let (task, stream, pending) = (&self.task, self.stream, &mut self.pending);
        self.offset = client
            .read_on(&self.agent, &self.path, self.offset, |data| {
                for text in pending.push(data) {
                    emit(&Line { task, stream, text });
                }
            })
            .await?;
        Ok(())
    }

    /// The last line when it has no newline (for the end of the command).
    pub fn finish(&mut self) -> Option<Line<'_>> {
        let text = self.pending.finish()?;
        Some(Line { task: &self.task, stream: self.stream, text })
    }
}

/// One line of a task's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'a> {
    /// The task's id.
    pub task: &'a str,
    /// The stream it was written to.
    pub stream: Stream,
    /// The text, without its line end.
    pub text: String,
}
