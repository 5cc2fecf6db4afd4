//! End to end: `update --waves 'canary;dev;prod'` on the local engine with a real etcd: each
//! wave starts only when the one before has finished (proved by sampling Marathon while it runs
//! and by the engine's timestamps), a wave that rolls back skips the waves after it and leaves
//! their groups untouched (exit 3), a canary awaiting promotion holds the later waves (exit 11)
//! until it is promoted, Ctrl-C in a wave skips the later ones (exit 130), the dry run numbers the waves, and bad waves are usage errors before
//! anything changes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::support::env::Env;

/// The groups, in wave order.
const GROUPS: [&str; 3] = ["canary", "dev", "prod"];

/// Service `app` (no health checks: a running task is healthy) with one instance in each of
/// the groups `canary`, `dev` and `prod`; `version` is in the env, so each version is a new
/// revision, and `dev_cmd` is the `dev` group's own command.
fn spec(version: &str, dev_cmd: &str) -> String {
    let mut text = format!(
        "namespace = \"it\"\n[service.app]\ncmd = \"sleep 600\"\ncpus = 0.1\nmem = 16\nenv = {{ VERSION = \"{version}\" }}\n"
    );
    for g in GROUPS {
        let cmd = if g == "dev" { format!("cmd = \"{dev_cmd}\"\n") } else { String::new() };
        text.push_str(&format!("[[service.app.group]]\nlabels = [\"{g}\"]\ninstances = 1\n{cmd}"));
    }
    text
}

/// Quick polls and failures; a batch is healthy once its tasks ran for a second (without health
/// checks, a command that exits at once would otherwise pass for the moment it runs), so every
/// wave is also under way long enough for a sampler to see it.
const FAST: [&str; 8] = ["--poll-interval", "200ms", "--fail-after", "2s", "--deadline", "60s", "--min-healthy", "1s"];

/// The apps of each group of service `app` as the engine lists them, with their tasks.
fn apps_by_group(env: &Env) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for app in env.engine.get("/v2/apps?embed=apps.tasks")["apps"].as_array().unwrap() {
        let id = app["id"].as_str().unwrap();
        if let Some(group) = id.strip_prefix("/it/app/").and_then(|rest| rest.split('/').next()) {
            out.entry(group.to_owned()).or_default().push(app.clone());
        }
    }
    out
}

/// Each group's apps and their tasks' states, for a failure message.
fn listing(apps: &BTreeMap<String, Vec<Value>>) -> String {
    let app = |a: &Value| {
        let states: Vec<&str> = a["tasks"].as_array().unwrap().iter().map(|t| t["state"].as_str().unwrap()).collect();
        format!("{} {states:?}", a["id"].as_str().unwrap())
    };
    apps.values().flatten().map(app).collect::<Vec<_>>().join(", ")
}

/// Each group's one app id.
fn app_ids(env: &Env) -> BTreeMap<String, String> {
    apps_by_group(env)
        .into_iter()
        .map(|(g, apps)| {
            assert_eq!(apps.len(), 1, "{g}: {apps:?}");
            (g, apps[0]["id"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// Each group's app ids (more than one while a rollout holds).
fn app_ids_of(env: &Env) -> BTreeMap<String, Vec<String>> {
    let ids = |apps: Vec<Value>| apps.iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect();
    apps_by_group(env).into_iter().map(|(g, apps)| (g, ids(apps))).collect()
}

/// The ids of the tasks of `app`.
fn task_ids(app: &Value) -> BTreeSet<String> {
    app["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

fn time(v: &Value) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("a timestamp: {v}"))).unwrap()
}

/// Whether a group's rollout is over in this listing of its apps: one app, not `old`, with its
/// instance running (no health checks: running is healthy).
fn finished(apps: &[Value], old: &str) -> bool {
    apps.len() == 1
        && apps[0]["id"] != old
        && apps[0]["tasks"].as_array().unwrap().iter().filter(|t| t["state"] == "TASK_RUNNING").count() == 1
}

/// Creates the first revision of the three groups; returns each group's app id.
fn create(env: &Env) -> BTreeMap<String, String> {
    let file = env.write("v1.toml", &spec("1", "sleep 600"));
    let (code, _, err) = env.run(&["create", &file, "--poll-interval", "200ms", "--timeout", "60s"]);
    assert_eq!(code, Some(0), "{err}");
    let ids = app_ids(env);
    assert_eq!(ids.keys().map(String::as_str).collect::<Vec<_>>(), ["canary", "dev", "prod"]);
    ids
}

#[test]
fn each_wave_starts_when_the_one_before_has_finished() {
    let env = Arc::new(Env::start());
    let old = create(&env);
    let file = env.write("v2.toml", &spec("2", "sleep 600"));

    // The dry run numbers the waves and changes nothing.
    let (code, doc, err) = env.run(&["update", &file, "--waves", "canary;dev;prod", "--dry-run"]);
    assert_eq!(code, Some(0), "{err}");
    let rows: Vec<(&str, &str, u64)> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["group"].as_str().unwrap(), r["outcome"].as_str().unwrap(), r["wave"].as_u64().unwrap()))
        .collect();
    assert_eq!(rows, [("canary", "would-roll", 1), ("dev", "would-roll", 2), ("prod", "would-roll", 3)]);
    assert_eq!(app_ids(&env), old);

    // Sample Marathon while the update runs: a group of a later wave has a new revision app only
    // once every group of the waves before has finished.
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (env, stop, old) = (env.clone(), stop.clone(), old.clone());
        std::thread::spawn(move || {
            let mut seen = BTreeSet::new();
            while !stop.load(Ordering::SeqCst) {
                let apps = apps_by_group(&env);
                let started = |g: &str| apps.get(g).is_some_and(|a| a.iter().any(|app| app["id"] != old[g]));
                for (before, after) in [("canary", "dev"), ("dev", "prod"), ("canary", "prod")] {
                    if started(after) {
                        let done = finished(apps.get(before).map_or(&[][..], Vec::as_slice), &old[before]);
                        assert!(done, "{after} changed before {before} finished: {}", listing(&apps));
                    }
                }
                // Which groups were seen mid-rollout: both revisions listed.
                seen.extend(GROUPS.iter().filter(|g| apps.get(**g).is_some_and(|a| a.len() == 2)).copied());
            }
            seen
        })
    };
    let args: Vec<&str> = ["update", &file, "--waves", "canary;dev;prod"].iter().copied().chain(FAST).collect();
    let (code, doc, err) = env.run(&args);
    stop.store(true, Ordering::SeqCst);
    let seen = sampler.join().unwrap();
    assert_eq!(code, Some(0), "{err}\n{doc}");
    assert!(!seen.is_empty(), "the sampler saw a rollout under way");
    for (i, row) in doc.as_array().unwrap().iter().enumerate() {
        assert_eq!((row["group"].as_str().unwrap(), &row["outcome"]), (GROUPS[i], &Value::from("rolled")), "{doc}");
        assert_eq!(row["wave"], i + 1, "{doc}");
    }
    for (i, g) in GROUPS.iter().enumerate() {
        assert!(err.contains(&format!("Wave {}/3: {g} (1 group)", i + 1)), "{err}");
    }

    // The engine's timestamps say the same: each wave's new task was running before the next
    // wave's new revision app was created.
    let apps = apps_by_group(&env);
    let new: BTreeMap<&str, &Value> = GROUPS.iter().map(|g| (*g, &apps[*g][0])).collect();
    for g in GROUPS {
        assert_ne!(new[g]["id"], old[g], "{g} rolled");
    }
    for (before, after) in [("canary", "dev"), ("dev", "prod")] {
        let running = time(&new[before]["tasks"][0]["startedAt"]);
        let created = time(&new[after]["versionInfo"]["lastConfigChangeAt"]);
        assert!(running < created, "{before}'s task started at {running}, {after}'s app was created at {created}");
    }

    // A wave that matches no selected group is a status line, and skipped over.
    let (code, doc, err) = env.run(&["update", &file, "--waves", "qa;canary;dev;prod"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("Wave 1/4: qa matches no selected group; skipped over"), "{err}");
    assert!(err.contains("Wave 4/4: prod (1 group)"), "{err}");
    let outcomes: Vec<(&Value, &Value)> = doc.as_array().unwrap().iter().map(|r| (&r["outcome"], &r["wave"])).collect();
    assert_eq!(
        outcomes,
        [(&"unchanged".into(), &2.into()), (&"unchanged".into(), &3.into()), (&"unchanged".into(), &4.into())]
    );
}

#[test]
fn a_failed_wave_skips_the_later_ones_and_leaves_them_untouched() {
    let env = Env::start();
    let old = create(&env);
    let prod_tasks = task_ids(&apps_by_group(&env)["prod"][0]);
    let prod_registered = env.container_ids("app", "prod");
    assert_eq!(prod_registered, prod_tasks, "prod registered in etcd");

    // dev's new revision exits at once: it rolls back; prod is never touched.
    let file = env.write("v2.toml", &spec("2", "exit 1"));
    let args: Vec<&str> = ["update", &file, "--waves", "canary;dev;prod"].iter().copied().chain(FAST).collect();
    let (code, doc, err) = env.run(&args);
    assert_eq!(code, Some(3), "{err}\n{doc}");
    let rows = doc.as_array().unwrap();
    let by: Vec<(&str, &str, u64)> = rows
        .iter()
        .map(|r| (r["group"].as_str().unwrap(), r["outcome"].as_str().unwrap(), r["wave"].as_u64().unwrap()))
        .collect();
    assert_eq!(by, [("canary", "rolled", 1), ("dev", "rolled-back", 2), ("prod", "skipped", 3)], "{doc}");
    assert_eq!(rows[2]["reason"], "wave 2 (dev) did not finish: app/dev rolled back", "{doc}");
    let old_revision = old["prod"].rsplit('/').next().unwrap();
    assert_eq!(rows[2]["from"], old_revision, "a skipped row names the revision it keeps: {doc}");
    assert_ne!(rows[2]["to"], old_revision, "and the one it would have rolled to: {doc}");
    assert!(err.contains("1 group(s) of the later waves skipped"), "{err}");

    let now = app_ids(&env);
    assert_ne!(now["canary"], old["canary"], "canary rolled");
    assert_eq!(now["dev"], old["dev"], "dev rolled back to its old revision");
    assert_eq!(now["prod"], old["prod"], "prod's revision unchanged");
    assert_eq!(task_ids(&apps_by_group(&env)["prod"][0]), prod_tasks, "prod's tasks untouched");
    assert_eq!(env.container_ids("app", "prod"), prod_registered, "prod's registration untouched");
}

#[test]
fn bad_waves_are_usage_errors_before_anything_changes() {
    let env = Env::start();
    let old = create(&env);
    // A fourth group, `staging`, that no wave takes.
    let text = spec("2", "sleep 600") + "[[service.app.group]]\nlabels = [\"staging\", \"eu\"]\ninstances = 1\n";
    let file = env.write("v2.toml", &text);
    let (code, err) = env.run_plain(&["update", &file, "--waves", "canary;dev;prod"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no wave of --waves matches 1 selected group(s): app/eu.staging"), "{err}");
    assert!(err.contains("--waves 'canary;dev;prod;eu,staging'"), "the hint writes the last wave: {err}");

    for (waves, says) in [
        ("canary;Dev;prod", "wave 2 (`Dev`) of --waves: invalid label `Dev`"),
        ("canary;;prod", "wave 2 of --waves `canary;;prod` is empty"),
        ("canary;dev,!dev", "label `dev` is both required and excluded"),
    ] {
        let (code, err) = env.run_plain(&["update", &file, "--waves", waves]);
        assert_eq!(code, Some(2), "{waves}: {err}");
        assert!(err.contains(says), "{waves}: {err}");
    }
    assert_eq!(app_ids(&env), old, "nothing changed");
}

#[test]
fn a_canary_awaiting_promotion_holds_the_later_waves() {
    let env = Env::start();
    let old = create(&env);
    let file = env.write("v2.toml", &spec("2", "sleep 600"));

    // The canary wave detaches awaiting promotion (exit 11): the later waves do not start.
    let held = ["update", &file, "--waves", "canary;dev;prod", "--canary", "1", "--promote", "manual", "--detach"];
    let args: Vec<&str> = held.iter().copied().chain(FAST).collect();
    let (code, doc, err) = env.run(&args);
    assert_eq!(code, Some(11), "{err}\n{doc}");
    let rows: Vec<(&str, &str)> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["group"].as_str().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("canary", "paused"), ("dev", "skipped"), ("prod", "skipped")], "{doc}");
    assert_eq!(doc[1]["reason"], "wave 1 (canary) did not finish: app/canary awaits promotion", "{doc}");
    let now = app_ids_of(&env);
    assert_eq!(now["canary"].len(), 2, "the canary beside the old revision: {now:?}");
    assert_eq!(
        (now["dev"].as_slice(), now["prod"].as_slice()),
        ([old["dev"].clone()].as_slice(), [old["prod"].clone()].as_slice())
    );

    // Promoted, the canary group finishes; the same waves with automatic promotion then leave
    // it unchanged and roll the rest, each group after its canary step.
    let (code, doc, err) = env.run(&["rollout", "promote", "app/canary"]);
    assert_eq!(code, Some(0), "{err}\n{doc}");
    let auto = ["update", &file, "--waves", "canary;dev;prod", "--canary", "1", "--canary-for", "1s"];
    let args: Vec<&str> = auto.iter().copied().chain(FAST).collect();
    let (code, doc, err) = env.run(&args);
    assert_eq!(code, Some(0), "{err}\n{doc}");
    let rows: Vec<(&str, &str)> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["group"].as_str().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("canary", "unchanged"), ("dev", "rolled"), ("prod", "rolled")], "{doc}");
    for (g, id) in app_ids(&env) {
        assert_ne!(id, old[&g], "{g} runs the new revision");
    }
}

/// Ctrl-C while a wave rolls ends it (exit 130) and the later waves never start.
#[test]
fn ctrl_c_in_a_wave_skips_the_later_ones() {
    let env = Env::start();
    let old = create(&env);
    let file = env.write("v2.toml", &spec("2", "sleep 600"));
    let (out, err) = (env.dir.path().join("out"), env.dir.path().join("err"));
    // A batch must stay healthy for a minute: the canary wave is still rolling at the signal.
    let mut child = env
        .process()
        .args(["update", &file, "--waves", "canary;dev;prod", "--min-healthy", "60s", "--deadline", "5m", "-o", "json"])
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    env.engine.wait_for("canary's new revision app", Duration::from_secs(30), |_| {
        app_ids_of(&env).get("canary").is_some_and(|ids| ids.len() == 2)
    });
    // SAFETY: kill(2) on the pid of our own child; it touches no memory.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("theseus update still runs 30s after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (std::fs::read_to_string(&out).unwrap(), std::fs::read_to_string(&err).unwrap());
    assert_eq!(status.code(), Some(130), "{stderr}\n{stdout}");
    let doc: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    let rows: Vec<(&str, &str)> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["group"].as_str().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("canary", "failed"), ("dev", "skipped"), ("prod", "skipped")], "{stdout}");
    assert_eq!(doc[2]["reason"], "wave 1 (canary) did not finish: app/canary was interrupted", "{stdout}");
    let now = app_ids_of(&env);
    assert_eq!(now["dev"], [old["dev"].clone()], "dev untouched");
    assert_eq!(now["prod"], [old["prod"].clone()], "prod untouched");
}
