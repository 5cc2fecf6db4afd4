//! The terminal layer: the only module that writes to stdout or stderr.
//!
//! stdout carries only the result (a table, exactly one JSON document with `-o json`, or JSON
//! Lines with `-o jsonl`: a rollout's events as they happen, then its result, see
//! `events.rs`); stderr carries status lines, warnings, errors and progress bars. Color is
//! decided per stream (`--color`, `NO_COLOR`, `TERM=dumb`, tty). Progress bars are hidden
//! under `-q`, `-v`, `-o json`, `-o jsonl`, `--log-format json` or a non-terminal stderr.
//! With `--log-format json` every stderr line is one JSON object ([`crate::logging::json_line`]).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod events;
mod progress;
mod results;
mod rollouts;
mod table;

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use anstyle::{AnsiColor, Color, Style};
use indicatif::ProgressDrawTarget;
use serde::Serialize;

pub use progress::Progress;
pub use table::{Layout, Table, Tabular};

use crate::cli::{ColorChoice, Format, GlobalArgs, LogFormat};
use crate::logging::json_line;

/// stdout behind one buffer: Rust's stdout is line-buffered, so pretty JSON written straight
/// to it costs one `write` per line (170,000 for a large `view -o json`); this costs one per
/// 64 KiB. Every writer flushes before it returns.
fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock())
}

/// `-o jsonl` of a result that is no event stream: each item of an array on its own line (an
/// empty array prints nothing), any other value as one line.
fn write_rows(out: &mut impl Write, rows: serde_json::Value) -> std::io::Result<()> {
    match rows {
        serde_json::Value::Array(items) => items.iter().try_for_each(|row| events::write_line(out, row)),
        other => events::write_line(out, &other),
    }
}

/// Writes `text` on stderr in one call.
fn write_stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// `-o name`: each name on its own line.
fn write_names<T: Tabular + ?Sized>(out: &mut impl Write, value: &T) -> std::io::Result<()> {
    for name in value.names() {
        writeln!(out, "{name}")?;
    }
    Ok(())
}

/// Where results, messages and progress go, and how they look.
#[derive(Debug, Clone)]
pub struct Output {
    /// Result format.
    pub format: Format,
    /// Suppress status lines and progress.
    pub quiet: bool,
    /// Verbosity (count of `-v`).
    pub verbose: u8,
    /// `--log-format json`: stderr lines are JSON objects.
    pub json_logs: bool,
    /// How tables look (`-o wide`, `--no-headers`, the terminal's width).
    pub layout: Layout,
    stdout_color: bool,
    stderr_color: bool,
    stdout_tty: bool,
    stderr_tty: bool,
    /// `-o jsonl`: whether events stream and the result rows held for the last line.
    stream: Arc<events::Stream>,
}

/// The width of the terminal on stdout, if it is one and reports a width (a pseudo-terminal
/// that says 0 columns gets uncut tables, as a pipe does).
fn terminal_width() -> Option<usize> {
    let (terminal_size::Width(w), _) = terminal_size::terminal_size_of(std::io::stdout())?;
    (w > 0).then_some(usize::from(w))
}

/// Whether a stream gets colors: anstream decides `auto` from the stream being a terminal,
/// `NO_COLOR`, `CLICOLOR`/`CLICOLOR_FORCE` and `TERM=dumb`, the conventions clap follows too.
fn color_for<S: anstream::stream::RawStream>(choice: ColorChoice, stream: &S) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => anstream::AutoStream::choice(stream) != anstream::ColorChoice::Never,
    }
}

const GREEN: Style = Style::new().bold().fg_color(Some(Color::Ansi(AnsiColor::Green)));
const YELLOW: Style = Style::new().bold().fg_color(Some(Color::Ansi(AnsiColor::Yellow)));
const RED: Style = Style::new().bold().fg_color(Some(Color::Ansi(AnsiColor::Red)));
const BOLD: Style = Style::new().bold();

impl Output {
    /// Decides formats and colors from the global flags and the environment.
    pub fn new(global: &GlobalArgs) -> Self {
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        let layout = Layout {
            // Only the default table is cut to fit; `-o wide` asks for everything.
            width: if stdout_tty && global.output == Format::Table { terminal_width() } else { None },
            headers: !global.no_headers,
            wide: global.output == Format::Wide,
        };
        Output {
            format: global.output,
            quiet: global.quiet,
            verbose: global.verbose,
            json_logs: global.log_format == LogFormat::Json,
            layout,
            stdout_color: color_for(global.color, &std::io::stdout())
                && matches!(global.output, Format::Table | Format::Wide),
            stderr_color: color_for(global.color, &std::io::stderr()),
            stdout_tty,
            stderr_tty,
            stream: Arc::default(),
        }
    }

    /// Prints the result on stdout: a table, one pretty JSON document, or one name a line.
    ///
    /// With `-o jsonl`, a command that streamed events (it made a [`Progress`]) has its rows
    /// held for the `result` object that [`Output::end`] writes with the exit code; any other
    /// prints one compact object per row.
    pub fn result<T: Serialize + Tabular + ?Sized>(&self, value: &T) -> anyhow::Result<()> {
        let mut out = stdout();
        match self.format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut out, value)?;
                writeln!(out)?;
            }
            Format::Jsonl if self.stream.streaming() => self.stream.keep(serde_json::to_value(value)?),
            Format::Jsonl => write_rows(&mut out, serde_json::to_value(value)?)?,
            Format::Name => write_names(&mut out, value)?,
            Format::Table | Format::Wide => {
                let text = value.to_table(&self.layout);
                if !text.is_empty() {
                    writeln!(out, "{}", text.trim_end_matches('\n'))?;
                }
            }
        }
        out.flush()?;
        Ok(())
    }

    /// Prints a JSON value on stdout whatever the format (for commands whose result is JSON):
    /// pretty, or compact on one line with `-o jsonl`.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> anyhow::Result<()> {
        let mut out = stdout();
        if self.format == Format::Jsonl {
            serde_json::to_writer(&mut out, value)?;
        } else {
            serde_json::to_writer_pretty(&mut out, value)?;
        }
        writeln!(out)?;
        out.flush()?;
        Ok(())
    }

    /// Prints one compact JSON document on its own line (for `--watch` streams).
    pub fn json_line<T: Serialize + ?Sized>(&self, value: &T) -> anyhow::Result<()> {
        let mut out = stdout();
        serde_json::to_writer(&mut out, value)?;
        writeln!(out)?;
        out.flush()?;
        Ok(())
    }

    /// Prints one refresh of a `--watch`: one compact JSON document a line with `-o json` and
    /// `-o jsonl` (a refresh stays one line, so an empty list is seen), names with `-o name`,
    /// else the table redrawn in place (the screen cleared first on a terminal).
    pub fn refresh<T: Serialize + Tabular + ?Sized>(&self, value: &T) -> anyhow::Result<()> {
        if matches!(self.format, Format::Json | Format::Jsonl) {
            return self.json_line(value);
        }
        let mut out = stdout();
        if self.stdout_tty {
            write!(out, "\x1b[2J\x1b[H")?;
        }
        match self.format {
            Format::Name => write_names(&mut out, value)?,
            _ => writeln!(out, "{}", value.to_table(&self.layout).trim_end_matches('\n'))?,
        }
        out.flush()?;
        Ok(())
    }

    /// Prints raw text on stdout (completion scripts, plain listings).
    pub fn text(&self, text: &str) -> anyhow::Result<()> {
        let mut out = stdout();
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    }

    /// Ends the command's output once its exit code is known: with `-o jsonl`, after a command
    /// that streamed events, writes the last object, `result`, with `status` (the process's
    /// exit code) and the rows [`Output::result`] held. Nothing otherwise, and nothing the
    /// second time.
    pub fn end(&self, status: u8) {
        if let Some(last) = self.stream.end(status) {
            let _ = events::write_line(&mut std::io::stdout().lock(), &last);
        }
    }

    /// A cargo-style status line on stderr: a right-aligned verb, then the message.
    /// When stderr is not a terminal (a CI log), each line starts with a UTC timestamp.
    pub fn status(&self, verb: &str, message: impl std::fmt::Display) {
        if self.quiet {
            return;
        }
        let style = self.style(GREEN);
        if self.json_logs {
            let fields = serde_json::json!({ "verb": verb });
            write_stderr(&json_line("INFO", "theseus::status", &message.to_string(), fields));
        } else if self.stderr_tty {
            eprintln!("{style}{verb:>12}{style:#} {message}");
        } else {
            let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
            eprintln!("{now} {style}{verb:>12}{style:#} {message}");
        }
    }

    /// A `warning:` line on stderr (shown even with `-q`).
    pub fn warn(&self, message: impl std::fmt::Display) {
        if self.json_logs {
            return write_stderr(&json_line("WARN", "theseus::warning", &message.to_string(), serde_json::Value::Null));
        }
        let style = self.style(YELLOW);
        eprintln!("{style}warning{style:#}: {message}");
    }

    /// A detail line on stderr, shown only with `-v`.
    pub fn detail(&self, message: impl std::fmt::Display) {
        if self.verbose > 0 && self.json_logs {
            write_stderr(&json_line("INFO", "theseus::detail", &message.to_string(), serde_json::Value::Null));
        } else if self.verbose > 0 {
            eprintln!("{message}");
        }
    }

    /// Prints an error with its causes and hints on stderr.
    pub fn error(&self, err: &anyhow::Error, hints: &[String]) {
        if self.json_logs {
            let causes: Vec<String> = err.chain().skip(1).map(ToString::to_string).collect();
            let fields = serde_json::json!({ "causes": causes, "hints": hints });
            return write_stderr(&json_line("ERROR", "theseus::error", &err.to_string(), fields));
        }
        let (red, bold) = (self.style(RED), self.style(BOLD));
        let mut text = format!("{red}error{red:#}: {err}\n");
        for cause in err.chain().skip(1) {
            text.push_str(&format!("  caused by: {cause}\n"));
        }
        for hint in hints {
            text.push_str(&format!("  {bold}hint{bold:#}: {hint}\n"));
        }
        if self.verbose > 1 {
            text.push_str(&format!("{err:?}\n"));
        }
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }

    /// Prints a prepared block of text on stderr (multi-error reports); with
    /// `--log-format json`, one error line whose message is the block.
    pub fn stderr_block(&self, text: &str) {
        if self.json_logs {
            let message = text.trim_end_matches('\n');
            return write_stderr(&json_line("ERROR", "theseus::error", message, serde_json::Value::Null));
        }
        write_stderr(text);
    }

    /// `style` when stderr gets colors, else no style at all (prints nothing).
    fn style(&self, style: Style) -> Style {
        if self.stderr_color {
            style
        } else {
            Style::new()
        }
    }

    /// Whether stdout gets colors (never for JSON).
    pub fn stdout_color(&self) -> bool {
        self.stdout_color
    }

    /// Whether stderr gets colors.
    pub fn stderr_color(&self) -> bool {
        self.stderr_color
    }

    /// Where progress bars draw: hidden under `-q`, `-v`, `-o json`, `-o jsonl` or a
    /// non-terminal stderr.
    pub fn progress_target(&self) -> ProgressDrawTarget {
        let machine = matches!(self.format, Format::Json | Format::Jsonl) || self.json_logs;
        if self.quiet || self.verbose > 0 || machine || !self.stderr_tty {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        }
    }
}
