//! End to end: `update --bake` on the local engine with a real etcd. After the last batch the
//! old revision app stays in Marathon at 0 instances while the new one is watched; a good bake
//! ends with the old app deleted, and a task failure or a failing health check during the bake
//! rolls back (exit 3) to the old revision at its full capacity.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::support::env::Env;
use super::support::specs::web_http;

/// The command of [`web_http`].
const SERVE: &str = "exec python3 -m http.server $PORT0 --bind $HOST";

/// Flags that make a rollout's failures show within seconds.
const FAST: [&str; 6] = ["--poll-interval", "200ms", "--fail-after", "3s", "--deadline", "60s"];

/// How long any step here may take on a loaded machine before the test gives up.
const LONG: Duration = Duration::from_secs(120);

/// Creates `web/dev` from `text`; returns its revision app's id.
fn create(env: &Env, text: &str) -> String {
    let file = env.write("v1.toml", text);
    let (code, doc, err) = env.run(&["create", &file, "--poll-interval", "200ms", "--timeout", "60s"]);
    assert_eq!(code, Some(0), "{err}");
    let apps = env.app_ids();
    assert_eq!(apps.len(), 1, "{doc}");
    apps[0].clone()
}

/// Starts `theseus update FILE --bake BAKE` (with [`FAST`] and `-o json`), its stdout and
/// stderr going to files in the env's dir.
fn start_update(env: &Env, file: &str, bake: &str) -> Child {
    let (out, err) = (env.dir.path().join("update.out"), env.dir.path().join("update.err"));
    env.process()
        .args(["update", file, "--bake", bake, "-o", "json"])
        .args(FAST)
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(std::fs::File::create(err).unwrap())
        .stdin(Stdio::null())
        .spawn()
        .unwrap()
}

/// The update's exit code (once it ended), its JSON result and its stderr.
fn finished(env: &Env, child: &mut Child) -> Option<(Option<i32>, Value, String)> {
    let status = child.try_wait().unwrap()?;
    let out = std::fs::read_to_string(env.dir.path().join("update.out")).unwrap();
    let err = std::fs::read_to_string(env.dir.path().join("update.err")).unwrap();
    let doc = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    Some((status.code(), doc, err))
}

/// Waits (up to [`LONG`]) for the update to end.
fn wait_for_end(env: &Env, child: &mut Child) -> (Option<i32>, Value, String) {
    let deadline = Instant::now() + LONG;
    loop {
        if let Some(end) = finished(env, child) {
            return end;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the update did not end within {LONG:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Task ids of `app` that run with every health check alive.
fn healthy_tasks(env: &Env, app: &str) -> BTreeSet<String> {
    env.engine
        .tasks(app)
        .iter()
        .filter(|t| {
            t["state"] == "TASK_RUNNING"
                && t["healthCheckResults"]
                    .as_array()
                    .is_some_and(|r| !r.is_empty() && r.iter().all(|h| h["alive"] == true))
        })
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The engine's apps: id → instances.
fn instances(env: &Env) -> Vec<(String, u64)> {
    let apps = env.engine.get("/v2/apps");
    apps["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap().to_owned(), a["instances"].as_u64().unwrap()))
        .collect()
}

/// Polls until the update is baking: the old app `old` is at 0 instances beside a new app
/// whose `want` tasks all run healthy. Panics if the update ends first.
fn until_baking(env: &Env, child: &mut Child, old: &str, want: usize) -> String {
    let deadline = Instant::now() + LONG;
    loop {
        if let Some((code, doc, err)) = finished(env, child) {
            panic!("the update ended ({code:?}) before its bake: {doc}\n{err}");
        }
        let apps = instances(env);
        let old_empty = apps.iter().any(|(id, n)| id == old && *n == 0);
        let new = apps.iter().find(|(id, _)| id != old).map(|(id, _)| id.clone());
        if let Some(new) = new.filter(|n| old_empty && healthy_tasks(env, n).len() == want) {
            return new;
        }
        assert!(Instant::now() < deadline, "never baking: {apps:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// After a rollback: only the old app runs, at `want` healthy tasks, and etcd registers exactly
/// those.
fn assert_rolled_back_to(env: &Env, old: &str, want: usize) {
    assert_eq!(env.app_ids(), vec![old.to_owned()], "the new app is gone");
    let healthy = healthy_tasks(env, old);
    assert_eq!(healthy.len(), want, "the old revision at full healthy capacity");
    let registered: BTreeSet<String> = env.etcd.registered("web", "dev").into_iter().map(|(id, _)| id).collect();
    assert_eq!(registered, healthy, "etcd registers the old tasks");
}

/// A shell script in the env's dir; returns the command that runs it.
fn script(env: &Env, name: &str, text: &str) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    format!("exec sh {}", path.display())
}

fn touch(path: &Path) {
    std::fs::write(path, "ok").unwrap();
}

/// A good new revision with `--bake 3s`: exit 0; while it bakes the old revision app is still
/// in Marathon at 0 instances beside the new one at full capacity, and it is gone at the end.
#[test]
fn a_good_bake_keeps_the_old_app_at_zero_then_deletes_it() {
    let env = Env::start();
    let old = create(&env, &web_http("1", 2));
    let file = env.write("v2.toml", &web_http("2", 2));
    let started = Instant::now();
    let mut child = start_update(&env, &file, "3s");
    // Sample Marathon while the update runs: the old app at 0 beside the new one, healthy.
    let mut baking = 0;
    let (code, doc, err) = loop {
        if let Some(end) = finished(&env, &mut child) {
            break end;
        }
        let apps = instances(&env);
        if apps.iter().any(|(id, n)| id == &old && *n == 0) {
            if let Some((new, _)) = apps.iter().find(|(id, n)| id != &old && *n == 2) {
                baking += usize::from(healthy_tasks(&env, new).len() == 2);
            }
        }
        assert!(started.elapsed() < LONG, "the update did not end within {LONG:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(0), "{doc}\n{err}");
    assert!(started.elapsed() >= Duration::from_secs(3), "it baked 3s");
    assert!(baking >= 2, "the old app was seen at 0 instances beside the healthy new one {baking} times");
    let row = &doc[0];
    assert_eq!(row["outcome"], "rolled", "{doc}");
    let apps = env.app_ids();
    assert_eq!(apps.len(), 1, "{apps:?}");
    assert_ne!(apps[0], old, "the old revision app is gone");
    let healthy = healthy_tasks(&env, &apps[0]);
    assert_eq!(healthy.len(), 2);
    let registered: BTreeSet<String> = env.etcd.registered("web", "dev").into_iter().map(|(id, _)| id).collect();
    assert_eq!(registered, healthy);
}

/// A new revision that passes its health gate, then whose tasks exit 1 during the bake: the
/// bake fails at once (not at its end), the update rolls back and exits 3, the old revision is
/// back at full capacity and registered, the new app gone.
#[test]
fn a_task_failure_during_the_bake_rolls_back_with_exit_3() {
    let env = Env::start();
    let old = create(&env, &web_http("1", 2));
    let broken = env.dir.path().join("break");
    let cmd = script(
        &env,
        "serve-until-break.sh",
        &format!(
            "python3 -m http.server $PORT0 --bind $HOST &\nserver=$!\n\
             while [ ! -e '{}' ]; do sleep 0.1; done\nkill $server\nexit 1\n",
            broken.display()
        ),
    );
    let file = env.write("v2.toml", &web_http("2", 2).replace(SERVE, &cmd));
    let mut child = start_update(&env, &file, "60s");
    until_baking(&env, &mut child, &old, 2);
    touch(&broken);
    let broke = Instant::now();
    let (code, doc, err) = wait_for_end(&env, &mut child);
    assert_eq!(code, Some(3), "{doc}\n{err}");
    assert!(broke.elapsed() < Duration::from_secs(45), "caught during the bake, not at its end");
    assert_eq!(doc[0]["outcome"], "rolled-back", "{doc}");
    let reason = doc[0]["reason"].as_str().unwrap();
    assert!(reason.contains("bake: task ") && reason.contains("rolled back to"), "{reason}");
    // The task's end shows first (its health check probes once a second).
    let ended = ["failed: TASK_FAILED", " ended", " is TASK_", "failed its health check"];
    assert!(ended.iter().any(|e| reason.contains(e)), "{reason}");
    assert_rolled_back_to(&env, &old, 2);
}

/// A new revision whose health check starts failing during the bake (its `/alive` is gone):
/// the first failed probe fails the bake, which rolls back with exit 3.
#[test]
fn a_failing_health_check_during_the_bake_rolls_back_with_exit_3() {
    let env = Env::start();
    let old = create(&env, &web_http("1", 2));
    let alive = env.dir.path().join("alive");
    touch(&alive);
    // The server's `/alive` is the test's file: removing it makes the check answer 404.
    let cmd = format!("ln -s '{}' alive && {SERVE}", alive.display());
    let file =
        env.write("v2.toml", &web_http("2", 2).replace(SERVE, &cmd).replace(r#"path = "/""#, r#"path = "/alive""#));
    let mut child = start_update(&env, &file, "60s");
    until_baking(&env, &mut child, &old, 2);
    std::fs::remove_file(&alive).unwrap();
    let broke = Instant::now();
    let (code, doc, err) = wait_for_end(&env, &mut child);
    assert_eq!(code, Some(3), "{doc}\n{err}");
    assert!(broke.elapsed() < Duration::from_secs(45), "caught during the bake, not at its end");
    let reason = doc[0]["reason"].as_str().unwrap();
    assert!(reason.contains("bake: task ") && reason.contains("failed its health check"), "{reason}");
    assert_rolled_back_to(&env, &old, 2);
}

/// Ctrl-C during the bake interrupts it (exit 130): the group is left between revisions, the
/// old app still in Marathon at 0 instances for `rollout resume` or `abort`, and etcd lists the
/// new revision's healthy tasks that serve it.
#[test]
fn ctrl_c_during_the_bake_exits_130_with_the_old_app_kept() {
    let env = Env::start();
    let old = create(&env, &web_http("1", 2));
    let file = env.write("v2.toml", &web_http("2", 2));
    let mut child = start_update(&env, &file, "60s");
    let new = until_baking(&env, &mut child, &old, 2);
    // SAFETY: kill(2) on the pid of our own child; it touches no memory.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let interrupted = Instant::now();
    let (code, doc, err) = wait_for_end(&env, &mut child);
    assert_eq!(code, Some(130), "{doc}\n{err}");
    assert!(interrupted.elapsed() < Duration::from_secs(45), "at once, not at the bake's end");
    assert_eq!(doc[0]["outcome"], "failed", "{doc}");
    assert!(doc[0]["reason"].as_str().is_some_and(|r| r.contains("interrupted")), "{doc}");
    let apps = instances(&env);
    assert!(apps.contains(&(old.clone(), 0)), "the old app is kept at 0 instances: {apps:?}");
    let healthy = healthy_tasks(&env, &new);
    assert_eq!(healthy.len(), 2);
    let registered: BTreeSet<String> = env.etcd.registered("web", "dev").into_iter().map(|(id, _)| id).collect();
    assert_eq!(registered, healthy, "etcd lists the new tasks");
}
