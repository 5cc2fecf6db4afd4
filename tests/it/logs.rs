//! `theseus logs` against the engine's Mesos master and agents: tails of a live task's stdout
//! and stderr (one stream, both with the stream in the prefix, JSON rows), `-f` printing a line
//! written after it started and the lines of a task that starts meanwhile, `--previous` showing
//! a crashed task's last words from its kept sandbox, and an unreachable agent degrading to one
//! line on stderr. The client reads Mesos as Mesos's source writes it (src/master/http.cpp,
//! src/slave/http.cpp, src/files/files.cpp); the engine serves the same shapes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use theseus::commands::logs::short_id;

use crate::support::engine::Engine;
use crate::support::env::Env;

const T: Duration = Duration::from_secs(30);

/// Writes `text` as a script in the test's dir; returns the command that runs it.
fn script(env: &Env, name: &str, text: &str) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    format!("exec sh {}", path.display())
}

/// Creates group `app -l dev` of one task running `cmd`, with a 1 s backoff.
fn create(env: &Env, cmd: &str) {
    let backoff = "backoff = { delay = \"1s\", factor = 1.0, max_delay = \"1s\" }";
    let spec =
        env.app_spec(&format!("cmd = \"{cmd}\"\n{backoff}\n[[service.app.group]]\nlabels = [\"dev\"]\ninstances = 1"));
    env.ok(&["create", &spec, "--poll-interval", "200ms", "--fail-after", "10s"]);
}

/// The ids of the running tasks of the one app.
fn task_ids(env: &Env) -> Vec<String> {
    let app = env.only_app();
    app["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

/// Runs `theseus logs ARGS` until its stdout is `want` (the task may not have written it yet).
fn logs_until(env: &Env, args: &[&str], want: &str) {
    let deadline = Instant::now() + T;
    loop {
        let out = env.out(&[&["logs"], args].concat());
        if out.code == Some(0) && out.stdout == want {
            return;
        }
        assert!(Instant::now() < deadline, "logs {args:?}: want {want:?}, got {out:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn tail_prints_the_last_lines_of_each_stream_with_the_task_in_the_prefix() {
    let env = Env::start();
    // 100,000 lines: about 590 KB, many times one read of /files/read.
    create(&env, &script(&env, "run.sh", "seq 1 100000\necho oops >&2\nexec sleep 1000\n"));
    let id = task_ids(&env).remove(0);
    let s = short_id(&id);

    logs_until(&env, &["app", "-l", "dev", "--tail", "3", "--stdout", "--no-prefix"], "99998\n99999\n100000\n");
    // One stream: the task in the prefix; both: the stream too, stdout first.
    let out = env.ok(&["logs", "app", "-l", "dev", "--stderr"]);
    assert_eq!(out.stdout, format!("[{s}] oops\n"));
    let out = env.ok(&["logs", "app/dev", "--tail", "1"]);
    assert_eq!(out.stdout, format!("[{s} stdout] 100000\n[{s} stderr] oops\n"));
    // Every line by default, as kubectl logs.
    let out = env.ok(&["logs", "app", "-l", "dev", "--stdout", "--no-prefix"]);
    assert_eq!(out.stdout.lines().count(), 100_000);
    assert!(out.stdout.starts_with("1\n2\n") && out.stdout.ends_with("\n100000\n"));

    // JSON rows: one array with -o json, an object a line with -o jsonl.
    let rows = env.json(&["logs", "app", "-l", "dev", "--tail", "1", "--task", &s]);
    assert_eq!(
        rows,
        json!([{"task": id, "stream": "stdout", "line": "100000"}, {"task": id, "stream": "stderr", "line": "oops"}])
    );
    let out = env.ok(&["logs", "app", "-l", "dev", "--tail", "2", "--stdout", "-o", "jsonl"]);
    let lines: Vec<Value> = out.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        lines,
        [
            json!({"task": id, "stream": "stdout", "line": "99999"}),
            json!({"task": id, "stream": "stdout", "line": "100000"})
        ]
    );

    // Bad input: an unknown group or task exits 2, as every command.
    let out = env.out(&["logs", "app", "-l", "nope"]);
    assert_eq!(out.code, Some(2), "{out:?}");
    let out = env.out(&["logs", "app", "-l", "dev", "--task", "nope"]);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("has no task `nope`") && out.stderr.contains(&s), "{}", out.stderr);
}

/// The lines of a child's stdout, as they arrive.
fn lines_of(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// The next line within the deadline.
fn next_line(rx: &mpsc::Receiver<String>, what: &str) -> String {
    rx.recv_timeout(T).unwrap_or_else(|e| panic!("waiting for {what}: {e}"))
}

#[test]
fn follow_prints_lines_written_after_it_started_and_new_tasks_and_ends_with_130_on_ctrl_c() {
    let env = Env::start();
    let go = env.dir.path().join("go");
    let text =
        format!("echo before\nwhile [ ! -f {} ]; do sleep 0.1; done\necho after\nexec sleep 1000\n", go.display());
    create(&env, &script(&env, "run.sh", &text));
    let first = task_ids(&env).remove(0);
    logs_until(&env, &["app", "-l", "dev", "--stdout", "--no-prefix"], "before\n");

    let mut child = env
        .process()
        .args(["logs", "app", "-l", "dev", "-f", "--stdout", "--poll-interval", "100ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut child);
    let s = short_id(&first);
    assert_eq!(next_line(&rx, "the first line"), format!("[{s}] before"));
    // A line the task writes after -f started arrives.
    std::fs::write(&go, "go").unwrap();
    assert_eq!(next_line(&rx, "the line written later"), format!("[{s}] after"));

    // A task that starts meanwhile joins, from its first line.
    env.ok(&["scale", "app", "-l", "dev", "--instances", "2", "--poll-interval", "200ms"]);
    let second = task_ids(&env).into_iter().find(|t| *t != first).expect("a second task");
    let t = short_id(&second);
    assert_eq!(next_line(&rx, "the new task's first line"), format!("[{t}] before"));
    assert_eq!(next_line(&rx, "the new task's second line"), format!("[{t}] after"));

    // Ctrl-C: exit 130, and nothing was read twice.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let deadline = Instant::now() + T;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "logs -f did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(130));
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(rest.is_empty(), "lines read again: {rest:?}");
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(!stderr.contains("unavailable"), "{stderr}");
}

#[test]
fn previous_shows_the_last_failed_tasks_output_from_its_kept_sandbox() {
    let env = Env::start();
    let count = env.dir.path().join("count");
    // Run 1 writes its last words and fails; run 2 stays up.
    let text = format!(
        "n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}\n\
         if [ $n = 1 ]; then echo dying-words >&2; exit 3; fi\necho all-well >&2\nexec sleep 1000\n",
        c = count.display()
    );
    create(&env, &script(&env, "run.sh", &text));
    // The create may have seen run 1 running for its moment (a wait woken by its status event
    // polls right then): its failure, and run 2 after the 1s backoff, may come after it.
    let failure = |e: &Engine| e.get("/v2/apps?embed=apps.lastTaskFailure")["apps"][0]["lastTaskFailure"].clone();
    env.engine.wait_for("run 1 failed, run 2 running", T, |e| failure(e).is_object() && !task_ids(&env).is_empty());
    let failed = failure(&env.engine)["taskId"].as_str().expect("a task failure").to_owned();
    let running = task_ids(&env).remove(0);
    assert_ne!(failed, running);

    let out = env.ok(&["logs", "app", "-l", "dev", "--previous", "--stderr"]);
    assert_eq!(out.stdout, format!("[{}] dying-words\n", short_id(&failed)));
    logs_until(&env, &["app", "-l", "dev", "--stderr", "--no-prefix"], "all-well\n");
}

/// A Mesos master that lists one agent, `dead-agent`, at a port nothing listens on, under
/// `slave_id`; serves `/master/slaves` (any path) until the test ends.
fn master_with_a_dead_agent(slave_id: &str) -> String {
    let dead = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // Shaped as SlaveWriter writes it (src/master/readonly_handler.cpp).
    let body = json!({"slaves": [{
        "id": slave_id, "hostname": "dead-agent", "port": dead.port(), "pid": format!("slave(1)@{dead}"),
        "attributes": {}, "active": true, "version": "1.11.0"
    }], "recovered_slaves": []})
    .to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    url
}

#[test]
fn an_unreachable_agent_is_one_line_on_stderr_and_exit_1_when_nothing_could_be_read() {
    let env = Env::start();
    create(&env, "echo hello; exec sleep 1000");
    let app = env.only_app();
    let slave_id = app["tasks"][0]["slaveId"].as_str().unwrap().to_owned();
    let master = master_with_a_dead_agent(&slave_id);

    let out = env.out(&["--mesos", &master, "logs", "app", "-l", "dev", "--tail", "5"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert_eq!(out.stdout, "");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stderr);
    assert!(lines[0].contains("logs unavailable on dead-agent: "), "{}", out.stderr);
}

#[test]
fn a_zookeeper_master_is_a_usage_error_naming_http() {
    let env = Env::start();
    let out = env.out(&["--mesos", "zk://zk-1:2181/mesos", "logs", "app/dev"]);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("not zk://") && out.stderr.contains("http://"), "{}", out.stderr);
}

/// The values of the spec's secret env variables never show: not in `theseus logs`, not in a
/// failure's evidence (JSON and stderr), not in `plan`'s changes.
#[test]
fn secret_env_values_are_masked_in_logs_evidence_and_plan() {
    let env = Env::start();
    let group = |token: &str, cmd: &str| {
        format!(
            "env = {{ TOKEN = \"{token}\" }}\nsecret_env = [\"TOKEN\"]\ncmd = \"{cmd}\"\n\
             [[service.app.group]]\nlabels = [\"dev\"]\ninstances = 1"
        )
    };
    let v1 = env.app_spec(&group("tok-1a2b3c", "echo login with $TOKEN; sleep 600"));
    env.ok(&["create", &v1, "--poll-interval", "200ms"]);
    logs_until(&env, &["app/dev", "--stdout", "--no-prefix"], "login with ***\n");
    // A new token and a program that prints it as it dies.
    let v2 = env.write("v2.toml", &std::fs::read_to_string(&v1).unwrap().replace("tok-1a2b3c", "tok-9z8y7x"));
    let v2_text = std::fs::read_to_string(&v2)
        .unwrap()
        .replace("echo login with $TOKEN; sleep 600", "echo bad token $TOKEN >&2; exit 1");
    std::fs::write(&v2, v2_text).unwrap();
    let plan = env.out(&["plan", &v2, "-o", "json"]);
    assert!(plan.stdout.contains("***") && !plan.stdout.contains("tok-"), "{}", plan.stdout);
    // (A task that dies at once can be seen running by one poll: --min-healthy makes it count.)
    let args = ["update", &v2, "--poll-interval", "200ms", "--fail-after", "3s", "--min-healthy", "2s"];
    let (code, doc, err) = env.run(&args);
    assert_eq!(code, Some(3), "{err}\n{doc}");
    let logs = doc[0]["evidence"]["logs"].to_string();
    assert!(logs.contains("bad token ***"), "{doc}");
    for text in [doc.to_string(), err] {
        assert!(!text.contains("tok-9z8y7x") && !text.contains("tok-1a2b3c"), "a secret leaked: {text}");
    }
}
