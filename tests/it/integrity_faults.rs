//! The fault-injection suite. After every fault, and the repair where one
//! is needed (`theseus sync --once`, then re-running the command: `create --skip-existing`,
//! `scale`, `remove --force`),
//! etcd equals Marathon (no stale, no missing key), no lock is left, and every exit code was a
//! documented one (DESIGN §5):
//!
//! - a proxy in front of the engine that, after forwarding a write, answers late, 502, 503,
//!   garbage, or breaks the connection (the write is confirmed by re-reading, never resent), or
//!   that refuses before forwarding (reported, nothing changed);
//! - etcd stopped and restarted in the middle of a command;
//! - kill -9 of the client at seeded random points of create, scale and remove;
//! - a 3-member etcd cluster with a follower, then the leader, killed mid-command, and a lock
//!   whose holder died together with the leader freeing itself.
//!
//! Each test prints what each fault led to (`cargo test --test it integrity_faults -- --nocapture`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::support::consistency::{spec_text, FAST};
use super::support::env::{Env, Out};
use super::support::etcd_cluster::Cluster;
use super::support::proxy::Fault;

/// Exit codes DESIGN §5 documents.
const DOCUMENTED: [i32; 8] = [0, 1, 2, 3, 4, 5, 6, 130];

fn run_with(env: &Env, args: &[&str], extra: &[&str]) -> Out {
    let all: Vec<&str> = args.iter().chain(extra).copied().collect();
    env.out(&all)
}

/// How many requests of `method` under `prefix` the proxy has seen.
fn seen(env: &Env, method: &str, prefix: &str) -> usize {
    env.proxy().seen().iter().filter(|s| s.method == method && s.path.starts_with(prefix)).count()
}

/// Polls until the proxy has seen more than `before` requests of `method` under `prefix`.
fn wait_seen(env: &Env, method: &str, prefix: &str, before: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen(env, method, prefix) <= before {
        assert!(Instant::now() < deadline, "no {method} {prefix} within 60s");
        std::thread::sleep(Duration::from_millis(10)); // poll interval
    }
}

/// (service, command, method and path prefix of the faulty write, fault, expected exit).
type Case<'a> = (&'a str, &'a [&'a str], &'a str, &'a str, Fault, i32);

/// One write per case, under a fault; the outcome and the consistency check.
#[test]
fn proxy_faults_on_writes_are_confirmed_by_rereading_or_reported() {
    let env = Env::proxied();
    let mut log = Vec::new();
    let spec = |svc: &str, n: u32| env.spec(&format!("{svc}.toml"), &spec_text("pf", svc, &[("dev", n)]));
    // (service, fault on PUT /v2/apps of the create, expected exit)
    let creates: [(&str, Fault, i32); 5] = [
        ("c502", Fault::After(502, r#"{"message":"Could not determine the current leader"}"#.into()), 0),
        ("c503", Fault::After(503, r#"{"message":"timeout"}"#.into()), 0),
        ("cgarbage", Fault::Garbage, 0),
        ("cdrop", Fault::Drop, 0),
        ("crefused", Fault::Answer(503, r#"{"message":"no leader"}"#.into()), 1),
    ];
    for (svc, fault, want) in creates {
        let path = spec(svc, 1);
        env.proxy().fault("PUT", "/v2/apps", fault.clone(), 1);
        let out = run_with(&env, &["create", path.to_str().unwrap(), "--request-timeout", "2s"], &FAST);
        env.proxy().clear();
        assert_eq!(out.code, Some(want), "create under {fault:?}: {}", out.stderr);
        if want != 0 {
            assert!(out.stderr.contains("answered 503 Service Unavailable to PUT /v2/apps"), "{}", out.stderr);
            assert!(out.stderr.contains("may have applied the change anyway"), "{}", out.stderr);
            assert!(env.marathon_groups("pf").keys().all(|id| !id.contains(svc)), "nothing reached Marathon");
        }
        env.assert_consistent("", "pf");
        log.push(format!("create, PUT /v2/apps {fault:?}: exit {want}"));
    }
    // Reads are retried: two 503s and a late answer on GETs still end in exit 0.
    let path = spec("reads", 1);
    env.proxy().fault("GET", "/v2/apps", Fault::Answer(503, "{}".into()), 2);
    env.proxy().fault("GET", "/v2/deployments", Fault::Delay(Duration::from_secs(3)), 1);
    let out = run_with(&env, &["create", path.to_str().unwrap(), "--request-timeout", "2s"], &FAST);
    env.proxy().clear();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    env.assert_consistent("", "pf");
    log.push("create, GET 503 x2 and a late GET: retried, exit 0".to_owned());

    // Scale and remove of existing groups.
    let cases: [Case; 4] = [
        (
            "sdown",
            &["scale", "sdown", "-l", "dev", "-n", "1"],
            "POST",
            "/v2/tasks/delete",
            Fault::After(502, "{}".into()),
            0,
        ),
        ("sup", &["scale", "sup", "-l", "dev", "-n", "3"], "PUT", "/v2/apps/", Fault::Drop, 0),
        ("rdrop", &["remove", "rdrop", "--all"], "DELETE", "/v2/apps/", Fault::Drop, 0),
        ("rrefused", &["remove", "rrefused", "--all"], "DELETE", "/v2/apps/", Fault::Answer(503, "{}".into()), 1),
    ];
    for (svc, args, method, prefix, fault, want) in cases {
        let path = spec(svc, 2);
        env.ok(&[&["create", path.to_str().unwrap()][..], &FAST].concat());
        let writes = || env.proxy().seen().iter().filter(|s| s.method == method && s.path.starts_with(prefix)).count();
        let before = writes();
        env.proxy().fault(method, prefix, fault.clone(), 1);
        let out = run_with(&env, &[args, &["--request-timeout", "2s"]].concat(), &FAST);
        env.proxy().clear();
        assert_eq!(out.code, Some(want), "{args:?} under {fault:?}: {}", out.stderr);
        assert_eq!(writes() - before, 1, "{args:?}: the write was sent once");
        env.engine.wait_idle(Duration::from_secs(60));
        env.assert_consistent("", "pf");
        log.push(format!("{} {svc}, {method} {prefix} {fault:?}: exit {want}", args[0]));
    }
    eprintln!("proxy faults:\n  {}", log.join("\n  "));
}

/// A rolling update registers a batch that passed its gate and drains the old tasks it
/// replaces in one etcd transaction, then kills them. Marathon refusing that kill fails the
/// update, which rolls back (exit 3): the old revision keeps its tasks, and etcd lists exactly
/// them (the drained ones put back, the new batch drained with its app).
#[test]
fn an_update_whose_kill_is_refused_rolls_back_with_etcd_equal_to_marathon() {
    let env = Env::proxied();
    let v1 = env.spec("v1.toml", &spec_text("pf", "kr", &[("dev", 2)]));
    env.ok(&[&["create", v1.to_str().unwrap()][..], &FAST].concat());
    let before = env.marathon_groups("pf");
    let v2 = env.spec("v2.toml", &spec_text("pf", "kr", &[("dev", 2)]).replace("sleep 600", "sleep 601"));
    let kills = seen(&env, "POST", "/v2/tasks/delete");
    env.proxy().fault("POST", "/v2/tasks/delete", Fault::Answer(503, r#"{"message":"no leader"}"#.into()), 1);
    let flags = ["--poll-interval", "100ms", "--fail-after", "20s", "--deadline", "60s"];
    let out = run_with(&env, &["update", v2.to_str().unwrap(), "--batch", "1", "-o", "json"], &flags);
    env.proxy().clear();
    assert_eq!(out.code, Some(3), "{}", out.stderr);
    assert!(out.stderr.contains("stopping old tasks of"), "{}", out.stderr);
    assert!(seen(&env, "POST", "/v2/tasks/delete") > kills, "the kill was asked for");
    env.engine.wait_idle(Duration::from_secs(60));
    assert_eq!(env.marathon_groups("pf"), before, "the old revision's tasks were never stopped");
    env.assert_consistent("", "pf");
}

/// etcd (one member) killed while `create` waits for Marathon's answer, and started again:
/// the command goes on through the restarted etcd (exit 0). With etcd down from the start,
/// `create` fails before changing anything (exit 1).
#[test]
fn etcd_stopped_and_restarted_mid_command() {
    let mut etcd = Cluster::start(1);
    let env = Env::with_etcd(&etcd.endpoints(), true);
    let path = env.spec("s.toml", &spec_text("er", "web", &[("dev", 2)]));
    let before = seen(&env, "PUT", "/v2/apps");
    env.proxy().fault("PUT", "/v2/apps", Fault::Delay(Duration::from_secs(2)), 1);
    let child = env
        .process()
        .args(["create", path.to_str().unwrap()])
        .args(FAST)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_seen(&env, "PUT", "/v2/apps", before);
    etcd.kill(0);
    std::thread::sleep(Duration::from_millis(500)); // how long etcd stays down: the fault itself
    etcd.restart(0);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    env.assert_consistent("", "er");
    let mut log = vec!["etcd killed while create waited for Marathon, restarted: exit 0, consistent".to_owned()];

    etcd.kill(0);
    let other = env.spec("t.toml", &spec_text("er", "api", &[("dev", 1)]));
    let down = run_with(&env, &["create", other.to_str().unwrap(), "--request-timeout", "1s"], &FAST);
    assert_eq!(down.code, Some(1), "{}", down.stderr);
    assert!(down.stderr.contains("cannot reach etcd"), "{}", down.stderr);
    etcd.restart(0);
    env.assert_consistent("", "er");
    log.push("etcd down before create: exit 1, nothing changed".to_owned());
    eprintln!("etcd restart:\n  {}", log.join("\n  "));
}

/// A tiny deterministic generator (xorshift64*), so the trials are seeded without a crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What one kill -9 trial did.
#[derive(Debug)]
struct Trial {
    op: &'static str,
    delay_ms: u64,
    /// `None`: killed mid-command; `Some(code)`: it finished first.
    exit: Option<i32>,
    repair: i32,
}

/// Runs `op` in namespace and etcd root `k<i>`, kills it with SIGKILL after `delay_ms`, repairs
/// with `sync --once` (registrations then match Marathon) and a re-run (the command's intent
/// done), and checks consistency and the exit codes.
fn trial(env: &Env, i: u64, op: &'static str, delay_ms: u64) -> Trial {
    let ns = format!("k{i}");
    let root = ["--etcd-prefix", ns.as_str(), "--lock-ttl", "2s", "--lock-timeout", "30s"];
    let path = env.spec(&format!("{ns}.toml"), &spec_text(&ns, "svc", &[("dev", 2)]));
    let spec = path.to_str().unwrap();
    let command: Vec<&str> = match op {
        "create" => vec!["create", spec],
        "scale" => vec!["scale", "svc", "-l", "dev", "-n", "1", "--namespace", &ns],
        _ => vec!["remove", "svc", "--all", "--namespace", &ns],
    };
    if op != "create" {
        env.ok(&[&["create", spec][..], &root, &FAST].concat());
    }
    let mut child = env
        .process()
        .args(&command)
        .args(root)
        .args(FAST)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(delay_ms)); // the random point of the kill
    let exit = match child.try_wait().unwrap() {
        Some(status) => Some(status.code().unwrap_or(-1)),
        None => {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            None
        }
    };
    if let Some(code) = exit {
        assert!(DOCUMENTED.contains(&code) && code == 0, "trial {i} {op}: finished with exit {code}");
    }
    // Repair, step 1: `theseus sync --once` makes the registrations match Marathon.
    env.engine.wait_for("the trial's deployments", Duration::from_secs(60), |e| {
        let deployments = e.get("/v2/deployments");
        !deployments.as_array().unwrap().iter().any(|d| d.to_string().contains(&format!("/{ns}/")))
    });
    let sync = env.out(&[&["sync", "--once", "--namespace", &ns][..], &root].concat());
    assert_eq!(sync.code, Some(0), "trial {i} {op}: sync --once: {}", sync.stderr);
    env.assert_registrations_match(&format!("/{ns}"), &ns);
    // Step 2: the command run again finishes what it was doing.
    let repair: Vec<&str> = match op {
        "create" => vec!["create", spec, "--skip-existing"],
        "scale" => command.clone(),
        _ => vec!["remove", "svc", "--all", "--force", "--namespace", &ns],
    };
    // The repair may find Marathon still deploying the killed command's change (exit 6): it
    // is run again until it succeeds.
    let deadline = Instant::now() + Duration::from_secs(90);
    let code = loop {
        let out = env.out(&[&repair[..], &root, &FAST].concat());
        let code = out.code.unwrap_or(-1);
        assert!(DOCUMENTED.contains(&code), "trial {i} {op}: repair exit {code}: {}", out.stderr);
        let nothing_left = code == 2 && op == "remove" && out.stderr.contains("nothing to remove");
        if code == 0 || nothing_left {
            break code;
        }
        assert!(code == 6 && Instant::now() < deadline, "trial {i} {op}: repair exit {code}: {}", out.stderr);
        std::thread::sleep(Duration::from_millis(200)); // let the deployment go on
    };
    env.engine.wait_for("the trial's deployments", Duration::from_secs(60), |e| {
        let deployments = e.get("/v2/deployments");
        !deployments.as_array().unwrap().iter().any(|d| d.to_string().contains(&format!("/{ns}/")))
    });
    // A command killed with -9 leaves its group lock until the lease's TTL expires (the lock's
    // design, src/etcd/lock.rs), and a repair that finds nothing to do never takes it, so the
    // lock may outlive the repair by up to the TTL.
    let locks_gone = Instant::now() + theseus::etcd::DEFAULT_LOCK_TTL + Duration::from_secs(5);
    while !env.etcd_groups(&format!("/{ns}")).2.is_empty() {
        assert!(Instant::now() < locks_gone, "trial {i} {op}: a dead holder's lock outlived its lease");
        std::thread::sleep(Duration::from_millis(100));
    }
    env.assert_consistent(&format!("/{ns}"), &ns);
    Trial { op, delay_ms, exit, repair: code }
}

/// 24 seeded trials (8 each of create, scale and remove), three at a time.
#[test]
fn kill_9_at_random_points_then_repair_leaves_etcd_equal_to_marathon() {
    let env = Env::start();
    let seed = std::env::var("THESEUS_TRIAL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_1105_u64);
    let mut rng = Rng(seed);
    let ops = ["create", "scale", "remove"];
    // Kill points spread over each command's usual run time on this machine.
    let span = |op: &str| match op {
        "create" => 600,
        "scale" => 400,
        _ => 250,
    };
    let plan: Vec<(u64, &'static str, u64)> = (0..24)
        .map(|i| {
            let op = ops[(i % 3) as usize];
            (i, op, 10 + rng.below(span(op)))
        })
        .collect();
    let trials: Vec<Trial> = std::thread::scope(|s| {
        let handles: Vec<_> = plan
            .chunks(8)
            .map(|chunk| {
                let env = &env;
                s.spawn(move || chunk.iter().map(|&(i, op, delay)| trial(env, i, op, delay)).collect::<Vec<_>>())
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(trials.len(), 24);
    let mut summary: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for t in &trials {
        let what = if t.exit.is_some() { "finished before the kill" } else { "killed mid-command" };
        *summary.entry((t.op, what)).or_default() += 1;
    }
    eprintln!("kill -9 trials (seed {seed:#x}): {summary:?}");
    for t in &trials {
        eprintln!("  {} at {} ms: exit {:?}, repair exit {}", t.op, t.delay_ms, t.exit, t.repair);
    }
    assert!(trials.iter().any(|t| t.exit.is_none()), "some trials must really be killed mid-command");
}

/// A 3-member etcd cluster: a follower killed while `create` waits for Marathon, then the
/// leader killed while `remove` does; both commands complete through the other members. Then
/// the leader is killed together with a client holding a lock: the lock frees itself when its
/// lease expires, under the new leader, and a re-run repairs.
#[test]
fn three_member_etcd_survives_a_follower_and_the_leader_dying_mid_command() {
    let mut cluster = Cluster::start(3);
    let env = Env::with_etcd(&cluster.endpoints(), true);
    let spec = env.spec("s.toml", &spec_text("ec", "web", &[("dev", 2)]));
    let spec = spec.to_str().unwrap();
    let mut log = Vec::new();
    let spawn = |args: &[&str]| {
        env.process()
            .args(args)
            .args(["--lock-ttl", "2s"])
            .args(FAST)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };

    let leader = cluster.leader(Duration::from_secs(10));
    let follower = cluster.other_than(leader);
    let before = seen(&env, "PUT", "/v2/apps");
    env.proxy().fault("PUT", "/v2/apps", Fault::Delay(Duration::from_secs(2)), 1);
    let child = spawn(&["create", spec]);
    wait_seen(&env, "PUT", "/v2/apps", before);
    cluster.kill(follower);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    env.assert_consistent("", "ec");
    log.push("follower killed during create: exit 0, consistent".to_owned());
    cluster.restart(follower);

    let leader = cluster.leader(Duration::from_secs(10));
    let before = seen(&env, "DELETE", "/v2/apps/");
    env.proxy().fault("DELETE", "/v2/apps/", Fault::Delay(Duration::from_secs(2)), 1);
    let child = spawn(&["remove", "web", "--all", "--namespace", "ec"]);
    wait_seen(&env, "DELETE", "/v2/apps/", before);
    cluster.kill(leader);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    env.assert_consistent("", "ec");
    log.push("leader killed during remove: exit 0, consistent".to_owned());
    cluster.restart(leader);

    // The lock holder and the leader die together.
    let leader = cluster.leader(Duration::from_secs(10));
    let before = seen(&env, "PUT", "/v2/apps");
    env.proxy().fault("PUT", "/v2/apps", Fault::Delay(Duration::from_secs(3)), 1);
    let mut child = spawn(&["create", spec]);
    wait_seen(&env, "PUT", "/v2/apps", before);
    assert!(!env.etcd_groups("").2.is_empty(), "the create holds its lock");
    child.kill().unwrap();
    child.wait().unwrap();
    cluster.kill(leader);
    let freed = Instant::now();
    let deadline = freed + Duration::from_secs(30);
    while !env.etcd_groups("").2.is_empty() {
        assert!(Instant::now() < deadline, "the dead holder's lock never freed itself");
        std::thread::sleep(Duration::from_millis(100)); // poll interval
    }
    log.push(format!("client and leader killed holding a lock: freed after {:.1?}", freed.elapsed()));
    env.engine.wait_idle(Duration::from_secs(60));
    env.ok(&[&["create", spec, "--skip-existing"][..], &FAST].concat());
    env.assert_consistent("", "ec");
    log.push("repair (create --skip-existing) with 2 of 3 members: exit 0, consistent".to_owned());
    eprintln!("etcd cluster:\n  {}", log.join("\n  "));
}
