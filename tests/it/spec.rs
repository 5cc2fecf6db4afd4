//! The spec file through the real binary: `validate` and `render`, the invalid corpus, the
//! examples against Marathon's schema, selection, namespaces, exit codes, and no network.

use std::net::TcpListener;
use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary with a clean environment: no THESEUS_* variables, no colors.
fn theseus() -> Command {
    let mut cmd = Command::cargo_bin("theseus").expect("theseus binary");
    for (k, _) in std::env::vars() {
        if k.starts_with("THESEUS_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("NO_COLOR", "1").current_dir(root());
    cmd
}

fn examples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

fn render(args: &[&str]) -> Vec<Value> {
    let out = theseus().arg("render").args(args).output().expect("run");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("render prints JSON");
    v.as_array().expect("a JSON array").clone()
}

/// Marathon's path-id rule (M:src/main/scala/mesosphere/marathon/state/PathId.scala): the product's one copy of it, in `marathon::rules`.
fn is_marathon_app_id(id: &str) -> bool {
    theseus::marathon::rules::is_valid_app_id(id)
}

fn app_schema() -> jsonschema::Validator {
    let path = root().join("tests/fixtures/marathon-api/schema/AppDefinition.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut schema: Value = serde_json::from_str(&text).expect("schema JSON");
    // `http://json-schema.org/schema#` names no draft; the schema is draft-04 style (tuple
    // `items`), so force Draft 4 and drop the unresolvable meta-schema reference.
    if schema.get("$schema").and_then(Value::as_str) == Some("http://json-schema.org/schema#") {
        schema.as_object_mut().expect("object").remove("$schema");
    }
    struct Local(Value);
    impl jsonschema::Retrieve for Local {
        fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
            if uri.as_str().ends_with("AppDefinition.json") {
                Ok(self.0.clone())
            } else {
                Err(format!("no network in tests: {uri}").into())
            }
        }
    }
    jsonschema::draft4::options().with_retriever(Local(schema.clone())).build(&schema).expect("schema compiles")
}

#[test]
fn invalid_corpus_reports_each_expected_message_at_its_line() {
    let dir = root().join("tests/fixtures/invalid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("corpus").map(|e| e.expect("entry").path()).collect();
    files.sort();
    assert!(files.len() >= 40, "the corpus has {} specs", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        let expect = text.lines().find_map(|l| l.strip_prefix("# expect: ")).expect("`# expect:` line");
        let line = text.lines().find_map(|l| l.strip_prefix("# line: "));
        let rel = file.strip_prefix(root()).expect("inside the crate").to_path_buf();
        let out = theseus().arg("validate").arg(&rel).output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", rel.display());
        assert!(out.stdout.is_empty(), "{}: nothing on stdout", rel.display());
        assert!(stderr.contains(expect), "{}: expected `{expect}` in:\n{stderr}", rel.display());
        if let Some(line) = line {
            let at = format!("{}:{line}:", rel.display());
            assert!(stderr.contains(&at), "{}: expected `{at}` in:\n{stderr}", rel.display());
        }
        assert!(stderr.contains("hint: "), "{}: every problem has a hint:\n{stderr}", rel.display());
        assert!(!stderr.contains("panicked"), "{}", rel.display());
    }
}

#[test]
fn every_rendered_app_of_every_example_matches_marathons_schema() {
    let schema = app_schema();
    let examples = examples();
    assert!(examples.len() >= 4);
    for example in examples {
        let apps = render(&[example.to_str().expect("utf-8 path")]);
        assert!(!apps.is_empty());
        for app in apps {
            let errors: Vec<String> =
                schema.iter_errors(&app).map(|e| format!("{} at {}", e, e.instance_path())).collect();
            assert!(errors.is_empty(), "{}: {}: {errors:#?}", example.display(), app["id"]);
            let id = app["id"].as_str().expect("id");
            assert!(is_marathon_app_id(id), "{id}");
            let labels = &app["labels"];
            assert_eq!(labels["theseus.managed"], "true");
            let group = labels["theseus.group"].as_str().expect("group label");
            for tag in group.split('.') {
                assert_eq!(labels[format!("theseus.tag.{tag}")], "", "{id}");
            }
            assert!(id.ends_with(&format!("/{}/{}", group, labels["theseus.revision"].as_str().expect("rev"))));
        }
    }
}

#[test]
fn the_schema_check_rejects_a_broken_app() {
    // Guards the test above: the validator really validates.
    let schema = app_schema();
    let mut app = render(&["examples/local-demo.toml"]).remove(0);
    app["cpus"] = Value::String("lots".into());
    assert!(!schema.is_valid(&app));
    assert!(!is_marathon_app_id("/demo/hello/dev.frontend/restart"));
}

#[test]
fn validate_prints_a_summary_and_exits_0() {
    theseus()
        .args(["validate", "examples/estate.toml"])
        .assert()
        .success()
        .stdout(predicates::str::contains("4 services, 8 groups"));
    let out = theseus().args(["-o", "json", "validate", "examples/data-store.toml"]).output().expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["groups"], 2);
    assert_eq!(v["namespace"], "storage");
}

#[test]
fn validate_reports_every_problem_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "namespace = \"Bad\"\n[service.web]\ncpus = \"x\"\nconstraints = [[\"h\", \"UNIQUE\", \"v\"]]\n\
         [[service.web.group]]\nlabels = [\"Dev\"]\n[[service.web.group]]\nlabels = [\"a\"]\nrollout = { batch = 0 }\n",
    )
    .expect("write");
    let out = theseus().arg("validate").arg(&file).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for at in [
        ":1:13: invalid namespace",
        ":3:8: `cpus` must be a number",
        ":4:32: UNIQUE",
        ":6:11: invalid label",
        ":9:21: invalid rollout `batch`",
        "has nothing to run",
    ] {
        assert!(stderr.contains(at), "expected `{at}` in:\n{stderr}");
    }
    assert!(stderr.contains("7 problems"), "{stderr}");
}

#[test]
fn missing_file_exits_2() {
    theseus()
        .args(["validate", "no/such/spec.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot read the spec file"));
    theseus().args(["render", "no/such/spec.toml"]).assert().code(2);
}

#[test]
fn render_selects_groups_by_service_and_labels() {
    let all = render(&["examples/estate.toml"]);
    assert_eq!(all.len(), 8);
    let prod_web = render(&["examples/estate.toml", "-s", "web", "-l", "prod"]);
    assert_eq!(prod_web.len(), 1);
    assert!(prod_web[0]["id"].as_str().expect("id").starts_with("/estate/web/frontend.prod/r"));
    let not_prod = render(&["examples/estate.toml", "-l", "!prod", "-l", "backend,dev"]);
    assert_eq!(not_prod.len(), 1);
    assert_eq!(not_prod[0]["labels"]["theseus.service"], "ingestor");
    // `-o table` does not change render: it always prints the JSON sent to Marathon.
    let out = theseus().args(["-o", "table", "render", "examples/local-demo.toml"]).output().expect("run");
    assert!(serde_json::from_slice::<Value>(&out.stdout).is_ok());
}

#[test]
fn render_of_an_unknown_service_or_empty_selection_exits_2() {
    theseus()
        .args(["render", "examples/estate.toml", "-s", "nope"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("no service `nope`"));
    theseus()
        .args(["render", "examples/estate.toml", "-l", "staging"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no group in"));
    theseus().args(["render", "examples/estate.toml", "-l", "Bad"]).assert().code(2);
}

#[test]
fn namespace_flag_overrides_the_spec_and_the_env_may_not_contradict_it() {
    let apps = render(&["--namespace", "team-a/prod", "examples/local-demo.toml"]);
    assert!(apps.iter().all(|a| a["id"].as_str().expect("id").starts_with("/team-a/prod/hello/")));
    // THESEUS_NAMESPACE that disagrees with the spec's `namespace` is an error, not a
    // silent override (tests/it/command_line.rs covers the other combinations).
    let out =
        theseus().env("THESEUS_NAMESPACE", "ci").args(["render", "examples/local-demo.toml"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let out = theseus()
        .env("THESEUS_NAMESPACE", "ci")
        .args(["render", "examples/local-demo.toml", "--namespace", "ci"])
        .output()
        .expect("run");
    let apps: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(apps[0]["id"].as_str().expect("id").starts_with("/ci/hello/"));
    theseus()
        .args(["--namespace", "Team_A", "validate", "examples/local-demo.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--namespace: invalid namespace"));
}

#[test]
fn render_is_deterministic_across_runs() {
    let a = theseus().args(["render", "examples/checks.toml"]).output().expect("run");
    let b = theseus().args(["render", "examples/checks.toml"]).output().expect("run");
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn validate_and_render_never_touch_the_network() {
    // Point Marathon and etcd at a listener we own: nothing may connect to it.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    for cmd in ["validate", "render"] {
        theseus()
            .env("THESEUS_MARATHON_URL", format!("http://{addr}"))
            .env("THESEUS_ETCD_ENDPOINTS", addr.to_string())
            .args([cmd, "examples/estate.toml"])
            .assert()
            .success();
    }
    listener.set_nonblocking(true).expect("nonblocking");
    let accepted = listener.accept();
    assert!(
        matches!(&accepted, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "something connected: {accepted:?}"
    );
}

#[test]
fn local_demo_is_a_host_networking_command_app() {
    let apps = render(&["examples/local-demo.toml"]);
    assert_eq!(apps.len(), 2);
    let fe = apps.iter().find(|a| a["labels"]["theseus.group"] == "dev.frontend").expect("dev.frontend");
    assert_eq!(fe["instances"], 2);
    assert_eq!(fe["cmd"], "python3 -m http.server $PORT0 --bind $HOST");
    assert_eq!(fe["networks"][0]["mode"], "host");
    assert_eq!(fe["portDefinitions"][0]["name"], "http");
    assert_eq!(fe["portDefinitions"][0]["port"], 0);
    assert_eq!(fe["healthChecks"][0]["portIndex"], 0);
    assert_eq!(fe["healthChecks"][0]["gracePeriodSeconds"], 5);
    assert!(fe.get("container").is_none());
}
