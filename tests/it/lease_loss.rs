//! End to end: a rollout whose group lock's lease is lost stops at once with exit 6.
//!
//! etcd is reached through a TCP proxy the test cuts in the middle of `theseus update` (at a
//! seeded random Marathon write of the rollout): from then on no keep-alive reaches etcd, so the
//! lock's lease (`--lock-ttl 2s`) is lost at most a TTL after the cut. The rollout must notice
//! it within about a poll, not at a deadline (the batches are paused by `--wait` and gated for
//! a minute), name the lost lease on stderr, send Marathon nothing more, and leave its journal
//! in etcd for the next holder (no rollback, no clear without the lock).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::support::env::Env;
use super::support::proxy::Proxy;
use super::support::specs::web_http;

/// The lock lease TTL the rollout runs with.
const TTL: Duration = Duration::from_secs(2);

/// The rollout's etcd request timeout: an etcd call under way at the loss ends within it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(1);

/// A TCP proxy to etcd that can be cut: every connection is shut down, and new ones are
/// closed as soon as they are accepted. Stops on drop.
struct Cuttable {
    endpoint: String,
    cut: Arc<AtomicBool>,
    stopped: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Cuttable {
    /// A proxy forwarding to `upstream` (`HOST:PORT`).
    fn start(upstream: &str) -> Cuttable {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = listener.local_addr().unwrap().to_string();
        let (cut, stopped) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (upstream, is_cut, is_stopped, conns) = (upstream.to_owned(), cut.clone(), stopped.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if is_stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                if is_cut.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else { continue };
                let mut open = conns.lock().unwrap();
                open.push(client.try_clone().unwrap());
                open.push(server.try_clone().unwrap());
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Cuttable { endpoint, cut, stopped, open }
    }

    /// Cuts every connection, now and from now on.
    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Cuttable {
    fn drop(&mut self) {
        self.cut();
        self.stopped.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees `stopped` and ends.
        let _ = TcpStream::connect(&self.endpoint);
    }
}

/// Copies `from` to `to` on a thread until either side closes.
fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

/// Marathon writes (anything but GET) the proxy in front of the engine saw.
fn writes(marathon: &Proxy) -> usize {
    marathon.seen().iter().filter(|s| s.method != "GET").count()
}

/// xorshift64*: the seeded choice of the write after which etcd is cut.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// The rollout a trial runs.
#[derive(Debug, Clone, Copy)]
enum Rollout {
    /// `update` from v1 to v2.
    Update,
    /// `restart`.
    Restart,
}

/// One rollout of `web/dev` (3 instances) in batches of 1, etcd cut after its `cut_after`-th
/// Marathon write; returns the time from the cut to theseus's exit.
fn trial(rollout: Rollout, cut_after: usize) -> Duration {
    let env = Env::start();
    let v1 = env.write("v1.toml", &web_http("1", 3));
    let (code, _, err) = env.run(&["create", &v1, "--poll-interval", "200ms", "--timeout", "60s"]);
    assert_eq!(code, Some(0), "{err}");
    let etcd = Cuttable::start(&env.etcd.endpoint);
    let marathon = Proxy::start(&env.engine.url());
    let v2 = env.write("v2.toml", &web_http("2", 3));
    let command = match rollout {
        Rollout::Update => vec!["update", v2.as_str()],
        Rollout::Restart => vec!["restart", "web", "-l", "dev"],
    };
    let (out, err) = (env.dir.path().join("out"), env.dir.path().join("err"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_theseus"))
        .env("NO_COLOR", "1")
        .args(["--marathon", &marathon.url(), "--etcd", &etcd.endpoint, "--lock-ttl", "2s"])
        .args(["--request-timeout", "1s"])
        .args(&command)
        .args(["--batch", "1", "--wait", "2s", "-o", "json"])
        .args(["--poll-interval", "200ms", "--fail-after", "30s", "--deadline", "60s"])
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let before = writes(&marathon);
    let started = Instant::now();
    while writes(&marathon) < before + cut_after {
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "theseus ended ({status:?}) before its write {cut_after}: {}",
                std::fs::read_to_string(&err).unwrap()
            );
        }
        assert!(started.elapsed() < Duration::from_secs(90), "no write {cut_after} within 90s");
        std::thread::sleep(Duration::from_millis(5)); // poll interval, not a synchronization
    }
    etcd.cut();
    let cut = Instant::now();
    // Every keep-alive sent before the cut expires within a TTL: by then the lease is lost to
    // theseus too, and it may send Marathon nothing more.
    let mut lost_writes = None;
    let status = loop {
        if lost_writes.is_none() && cut.elapsed() >= TTL + Duration::from_millis(150) {
            lost_writes = Some(writes(&marathon));
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if cut.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("theseus update still runs 30s after etcd was cut");
        }
        std::thread::sleep(Duration::from_millis(10)); // poll interval, not a synchronization
    };
    let exited_after = cut.elapsed();
    let stderr = std::fs::read_to_string(&err).unwrap();
    let stdout = std::fs::read_to_string(&out).unwrap();
    assert_eq!(status.code(), Some(6), "{rollout:?} cut after write {cut_after}:\n{stderr}\n{stdout}");
    assert!(stderr.contains("lost the lock on group `web/dev`"), "{stderr}");
    assert!(stderr.contains("no renewal of its lease was confirmed for 2s (its TTL)"), "{stderr}");
    // The lease is lost at most a TTL after the cut; noticed within a poll (100 ms), and an
    // etcd call under way then ends within its request timeout.
    let bound = TTL + REQUEST_TIMEOUT + Duration::from_millis(1500);
    assert!(exited_after < bound, "exit {exited_after:?} after the cut, more than {bound:?}:\n{stderr}");
    if let Some(n) = lost_writes {
        assert_eq!(writes(&marathon), n, "Marathon got a write after the lease was lost:\n{stderr}");
    }
    // The journal stays for the next holder: etcd itself is fine, read past the proxy.
    let keys: Vec<String> = env.etcd.dump().into_iter().map(|(k, _)| k).collect();
    assert!(keys.iter().any(|k| k == "/theseus/rollouts/web/dev"), "the journal is gone: {keys:?}");
    exited_after
}

/// Four seeded trials: three updates, etcd cut after the first to the fifth Marathon write of
/// the rollout (of about eight: the new app, then per batch a scale-up and a kill of an old
/// task, and the old app's deletion), and a restart, cut after its first or second kill (of
/// three), so the cut lands in a health gate, a pause or a settle.
#[test]
fn a_rollout_whose_lock_lease_is_lost_stops_at_once_with_exit_6_and_keeps_its_journal() {
    let mut seed = 0x7E55_0C0D_u64;
    let mut trials: Vec<(Rollout, usize)> =
        (0..3).map(|_| (Rollout::Update, 1 + (next(&mut seed) % 5) as usize)).collect();
    trials.push((Rollout::Restart, 1 + (next(&mut seed) % 2) as usize));
    for (rollout, cut_after) in trials {
        let exited_after = trial(rollout, cut_after);
        eprintln!("{rollout:?}, etcd cut after write {cut_after}: exit 6 {exited_after:?} after the cut");
    }
}
