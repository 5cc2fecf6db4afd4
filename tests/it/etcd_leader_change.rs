//! etcd leader changes are not failures: on a 3-member cluster, the leader is killed (SIGKILL)
//! at a seeded random moment while `create`, a rolling `update` (one task per batch, so
//! registrations are written throughout) and `remove` write to etcd. Every command exits 0
//! and etcd ends exactly as it should: registrations equal Marathon's running tasks, the
//! config and history are stored, and no lock and no journal is left; after `remove`, nothing
//! is left under `/services` (the history stays, as it does after every remove).
//!
//! The driver sends again what etcd did not take or what is safe to run twice (reads, guarded
//! writes, puts of the same value, deletes, lease calls) within `--request-timeout`
//! (src/etcd/request.rs), and the lock's lease keep-alive moves to another member
//! (src/etcd/lease.rs). Each scenario runs [`RUNS`] times
//! (`cargo test --test it etcd_leader_change -- --nocapture` prints what each run did).

use std::collections::BTreeSet;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::support::consistency::{spec_text, FAST};
use super::support::env::Env;
use super::support::etcd_cluster::Cluster;

/// `update`'s wait flags (it has `--deadline` where the others have `--timeout`).
const UPDATE_WAITS: [&str; 6] = ["--poll-interval", "100ms", "--fail-after", "20s", "--deadline", "60s"];

/// Runs per command.
const RUNS: u64 = 4;

/// A tiny deterministic generator (xorshift64*), so the kill points are seeded.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// What one run did.
#[derive(Debug)]
struct Run {
    op: &'static str,
    after_writes: u64,
    /// Whether the leader died while the command still ran.
    killed_mid_command: bool,
    /// The command's run time.
    took: Duration,
}

/// The revisions of the writes under `prefix` from now on, as a watch on a thread of its own
/// sees them (it ends when the receiver is dropped and the next write comes, or its member dies).
fn watch_writes(endpoints: &str, prefix: &str) -> mpsc::Receiver<i64> {
    let (tx, rx) = mpsc::channel();
    let (ready_tx, ready) = mpsc::channel();
    let endpoints: Vec<String> = endpoints.split(',').map(str::to_owned).collect();
    let prefix = prefix.to_owned();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let mut client = etcd_client::Client::connect(&endpoints, None).await.unwrap();
            let mut stream = client.watch(prefix, Some(etcd_client::WatchOptions::new().with_prefix())).await.unwrap();
            ready_tx.send(()).unwrap();
            while let Ok(Some(resp)) = stream.message().await {
                for event in resp.events() {
                    let revision = event.kv().map_or(0, |kv| kv.mod_revision());
                    if tx.send(revision).is_err() {
                        return;
                    }
                }
            }
        });
    });
    ready.recv_timeout(Duration::from_secs(20)).expect("the test's etcd watch did not start");
    rx
}

/// Keys in etcd under `prefix`.
fn keys_under(env: &Env, prefix: &str) -> BTreeSet<String> {
    env.etcd_dump().into_keys().filter(|k| k.starts_with(prefix)).collect()
}

/// One run of `op` in namespace and etcd root `ns`: the command starts, and the current leader
/// is killed as soon as the command has made `after_writes` writes (etcd revisions) under its
/// root.
fn run(env: &Env, cluster: &mut Cluster, op: &'static str, ns: &str, after_writes: u64) -> Run {
    let root = format!("/{ns}");
    let prefix = ["--etcd-prefix", ns, "--lock-timeout", "30s", "--request-timeout", "10s"];
    let path = env.spec(&format!("{ns}.toml"), &spec_text(ns, "svc", &[("dev", 3)]));
    let spec = path.to_str().unwrap().to_owned();
    if op != "create" {
        env.ok(&[&["create", spec.as_str()][..], &prefix, &FAST].concat());
    }
    let updated = env.spec(&format!("{ns}-v2.toml"), &spec_text(ns, "svc", &[("dev", 3)]).replace("600", "601"));
    let command: Vec<&str> = match op {
        "create" => vec!["create", &spec],
        "update" => vec!["update", updated.to_str().unwrap(), "--batch", "1"],
        _ => vec!["remove", "svc", "--all", "--namespace", ns],
    };
    let leader = cluster.leader(Duration::from_secs(10));
    let writes = watch_writes(&cluster.endpoints(), &format!("{root}/"));
    let started = Instant::now();
    let mut child = env
        .process()
        .args(&command)
        .args(prefix)
        .args(if op == "update" { UPDATE_WAITS } else { FAST })
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The kill comes right after the command's `after_writes`-th write under its root, so
    // its next writes meet an election.
    let mut revisions = BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while revisions.len() < after_writes as usize && child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "{op} {ns}: not {after_writes} writes within 60s");
        match writes.recv_timeout(Duration::from_millis(10)) {
            Ok(revision) => {
                revisions.insert(revision);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{op} {ns}: the test's etcd watch ended"),
        }
    }
    let killed_mid_command = child.try_wait().unwrap().is_none();
    cluster.kill(leader);
    while child.try_wait().unwrap().is_none() {
        assert!(started.elapsed() < Duration::from_secs(120), "{op} {ns}: still running after 120s");
        std::thread::sleep(Duration::from_millis(10)); // poll interval
    }
    let took = started.elapsed();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{op} {ns} with the leader killed after write {after_writes}: {stderr}");

    env.engine.wait_idle(Duration::from_secs(60));
    env.assert_consistent(&root, ns);
    assert!(keys_under(env, &format!("{root}/theseus/rollouts/")).is_empty(), "{op} {ns}: a journal is left");
    let dump = env.etcd_dump();
    let group = format!("{root}/services/svc/dev");
    if op == "remove" {
        let left = keys_under(env, &format!("{root}/services/"));
        assert!(left.is_empty(), "{op} {ns}: keys left: {left:?}");
    } else {
        let config: serde_json::Value = serde_json::from_str(&dump[&format!("{group}/config")]).unwrap();
        let history: Vec<serde_json::Value> =
            serde_json::from_str(&dump[&format!("{root}/theseus/history/svc/dev")]).unwrap();
        let want = if op == "update" { 2 } else { 1 };
        assert_eq!(history.len(), want, "{op} {ns}: one history entry per rollout: {history:?}");
        assert!(config.to_string().contains(if op == "update" { "601" } else { "600" }), "{op} {ns}: {config}");
        let registered = env.etcd_groups(&root).0.values().map(BTreeSet::len).sum::<usize>();
        assert_eq!(registered, 3, "{op} {ns}: three tasks registered");
    }
    cluster.restart(leader);
    Run { op, after_writes, killed_mid_command, took }
}

#[test]
fn the_etcd_leader_killed_during_create_update_and_remove_is_not_a_failure() {
    let mut cluster = Cluster::start(3);
    let env = Env::with_etcd(&cluster.endpoints(), false);
    let seed = std::env::var("THESEUS_TRIAL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x1eade_u64);
    let mut rng = Rng(seed);
    // Kill points spread over each command's writes: create writes its lock, group, first
    // registrations, journal and the lock's release; the update about twice as many; remove
    // its lock, the drained containers, the group, the service marker and the release.
    let writes = |op: &str| match op {
        "update" => 8,
        _ => 4,
    };
    let started = Instant::now();
    let mut runs = Vec::new();
    for i in 0..RUNS {
        for op in ["create", "update", "remove"] {
            let after = 1 + rng.below(writes(op));
            runs.push(run(&env, &mut cluster, op, &format!("lc{}{i}", &op[..1]), after));
        }
    }
    eprintln!("leader kills (seed {seed:#x}, {:.0?} in all):", started.elapsed());
    for r in &runs {
        let when = if r.killed_mid_command { "mid-command" } else { "after the command" };
        eprintln!("  {} killed after write {} ({when}): exit 0 in {:.1?}", r.op, r.after_writes, r.took);
    }
    for op in ["create", "update", "remove"] {
        let mid = runs.iter().filter(|r| r.op == op && r.killed_mid_command).count();
        assert!(mid * 2 >= RUNS as usize, "{op}: only {mid} of {RUNS} kills landed mid-command");
    }
}
