//! Helpers shared by the benchmarks that time whole processes against an anchor in the same
//! run: a plain static HTTP server, a process runner that reports wall time and peak RSS, and
//! the `ROW` lines `scripts/bench` collects into `docs/benchmarks.md`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

/// A plain static HTTP/1.1 server on 127.0.0.1: each path (query ignored) answers a fixed body,
/// with keep-alive, so `curl` and `theseus` read the very same bytes the same way.
pub struct StaticServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    hits: Arc<AtomicU64>,
}

impl StaticServer {
    /// Serves `bodies` (path → JSON body) until the process ends.
    pub fn start(bodies: HashMap<String, Vec<u8>>) -> Result<StaticServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);
        let bodies = Arc::new(bodies);
        let hits = Arc::new(AtomicU64::new(0));
        let h = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (bodies, hits) = (bodies.clone(), h.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &bodies, &hits);
                });
            }
        });
        Ok(StaticServer { url, hits })
    }

    /// Requests answered so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

fn serve(stream: TcpStream, bodies: &HashMap<String, Vec<u8>>, hits: &AtomicU64) -> Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").split('?').next().unwrap_or("/").to_owned();
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 {
                return Ok(());
            }
            if h == "\r\n" || h == "\n" {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut skip = vec![0; length];
        reader.read_exact(&mut skip)?;
        hits.fetch_add(1, Ordering::SeqCst);
        match bodies.get(&path) {
            Some(body) => {
                write!(
                    out,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )?;
                out.write_all(body)?;
            }
            None => write!(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?,
        }
        out.flush()?;
    }
}

/// The wall time of one run of `bin args`, spawned directly as a shell would, with stdout
/// discarded.
///
/// Only the process is timed: an earlier runner timed `bin` under GNU time, which added its own
/// start (about a millisecond, more than a tenth of a `validate`) to every figure and anchor.
pub fn time(bin: &Path, args: &[&str]) -> Result<Duration> {
    let start = Instant::now();
    let status = Command::new(bin).args(args).stdin(Stdio::null()).stdout(Stdio::null()).status()?;
    let elapsed = start.elapsed();
    if !status.success() {
        bail!("`{} {}` failed ({status})", bin.display(), args.join(" "));
    }
    Ok(elapsed)
}

/// The peak RSS in KiB of one run of `bin args` (stdout discarded), as GNU time reports it
/// (`/usr/bin/time -f %M`).
///
/// Not our own `wait4`: Linux counts in a child's `ru_maxrss` the resident size of the process
/// it was spawned from until its `exec` (posix_spawn shares the parent's memory), so a
/// benchmark holding a 70 MB response body reported every `theseus` it ran as over 300 MiB.
/// `time` is small, so what it reports is the measured program's own peak. Its runs are not
/// timed ([`time`] is).
pub fn peak_rss(bin: &Path, args: &[&str]) -> Result<u64> {
    let report = tempfile::NamedTempFile::new()?;
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(bin)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("`{} {}` failed ({status})", bin.display(), args.join(" "));
    }
    let text = std::fs::read_to_string(report.path())?;
    match text.lines().last().and_then(|l| l.trim().parse::<u64>().ok()) {
        Some(kib) => Ok(kib),
        None => bail!("/usr/bin/time reported no peak RSS for `{}`: {text:?}", bin.display()),
    }
}

/// Runs under GNU time for the peak RSS: memory varies little from run to run.
pub const RSS_RUNS: usize = 3;

/// Median wall time (ms) of `runs` runs after `warmup` ones, and the largest peak RSS (KiB) of
/// [`RSS_RUNS`] more.
pub fn measure_with(bin: &Path, args: &[&str], warmup: usize, runs: usize) -> Result<(f64, u64)> {
    for _ in 0..warmup {
        time(bin, args)?;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(time(bin, args)?.as_secs_f64() * 1000.0);
    }
    let mut rss = 0;
    for _ in 0..RSS_RUNS {
        rss = rss.max(peak_rss(bin, args)?);
    }
    Ok((median(times), rss))
}

/// How many processes [`measure`] starts for `runs` timed runs (warm-up, timed and RSS runs):
/// what a benchmark divides the requests a server counted by.
pub fn processes(runs: usize) -> u64 {
    (2 + runs + RSS_RUNS) as u64
}

/// Median wall time (ms) of `runs` runs after 2 warm-up runs, and the largest peak RSS (MiB).
pub fn measure(bin: &Path, args: &[&str], runs: usize) -> Result<(f64, f64)> {
    let (ms, kib) = measure_with(bin, args, 2, runs)?;
    Ok((ms, kib as f64 / 1024.0))
}

/// The median of `v`.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The machine's load average (`/proc/loadavg`: 1, 5 and 15 minutes), printed next to each
/// figure: the machine may be shared, and a figure taken at load 10 means little.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Prints one figure for `docs/benchmarks.md` (collected by `scripts/bench`), tab-separated:
/// figure, measured, anchor, ratio (measured / anchor value, or `-`), target, and whether the
/// target holds.
pub fn row(figure: &str, measured: &str, anchor: &str, ratio: Option<f64>, target: &str, holds: bool) {
    let ratio = ratio.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}x"));
    let verdict = if holds { "yes" } else { "NO" };
    println!("ROW\t{figure}\t{measured}\t{anchor}\t{ratio}\t{target}\t{verdict}");
}
