//! Unit tests of loading, inheritance, validation and rendering.

use super::*;

fn ok(src: &str) -> Spec {
    match parse("t.toml", src) {
        Ok(s) => s,
        Err(e) => panic!("unexpected errors:\n{e}"),
    }
}

fn errs(src: &str) -> String {
    match parse("t.toml", src) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn minimal_spec_loads_with_defaults() {
    let s = ok("[service.web]\ncmd = \"sleep 1\"\n[[service.web.group]]\nlabels = [\"dev\"]\n");
    assert_eq!(s.namespace, "theseus");
    assert_eq!(s.groups.len(), 1);
    assert_eq!(s.groups[0].instances, 1);
    assert_eq!(s.groups[0].app.cpus, 1.0);
}

const BASE: &str = r#"
namespace = "/team-a/prod/"
[service.web]
image = "nginx:1.27"
cpus = 0.5
ports = [{ name = "http", container = 80 }, { name = "admin", container = 9000 }]
env = { A = "1", B = "2" }
constraints = [["hostname", "unique"]]
health = { path = "/healthz", port = "admin", grace = "30s" }
rollout = { batch = 2, wait = "30s", deadline = "10m" }

[[service.web.group]]
labels = ["frontend", "dev", "dev"]
instances = 2
env = { B = "3", C = "4" }
constraints = [["rack", "GROUP_BY", "3"]]
rollout = { batch = "25%" }
health = { interval = "5s" }
"#;

#[test]
fn groups_inherit_maps_merge_and_lists_replace() {
    let s = ok(BASE);
    assert_eq!(s.namespace, "team-a/prod");
    let g = &s.groups[0];
    assert_eq!(g.group, "dev.frontend");
    assert_eq!(g.labels.len(), 2);
    assert_eq!(g.app.env.get("A").map(String::as_str), Some("1"));
    assert_eq!(g.app.env.get("B").map(String::as_str), Some("3"));
    assert_eq!(g.app.env.get("C").map(String::as_str), Some("4"));
    assert_eq!(g.app.constraints, vec![vec!["rack".to_owned(), "GROUP_BY".into(), "3".into()]]);
    assert_eq!(g.rollout.batch, Amount::Percent(25));
    assert_eq!(g.rollout.wait, std::time::Duration::from_secs(30), "rollout merges key by key");
    assert_eq!(g.app.health[0].interval, std::time::Duration::from_secs(5));
    assert_eq!(g.app.health[0].grace, std::time::Duration::from_secs(30));
    assert_eq!(g.app.health[0].port.as_deref(), Some("admin"));
}

#[test]
fn to_app_renders_ids_labels_and_bridge_ports() {
    let s = ok(BASE);
    let g = &s.groups[0];
    let app = g.to_app(&s.namespace);
    assert_eq!(g.group_id(&s.namespace), "/team-a/prod/web/dev.frontend");
    assert_eq!(app.id, format!("/team-a/prod/web/dev.frontend/{}", g.revision()));
    assert!(crate::marathon::rules::is_valid_app_id(&app.id));
    let labels = app.labels.clone().unwrap_or_default();
    assert_eq!(labels.get("theseus.managed").map(String::as_str), Some("true"));
    assert_eq!(labels.get("theseus.service").map(String::as_str), Some("web"));
    assert_eq!(labels.get("theseus.group").map(String::as_str), Some("dev.frontend"));
    assert_eq!(labels.get("theseus.tag.dev").map(String::as_str), Some(""));
    assert_eq!(labels.get("theseus.revision"), Some(&g.revision()));
    let container = app.container.clone().unwrap_or_default();
    assert_eq!(container.docker.map(|d| d.image), Some("nginx:1.27".to_owned()));
    let maps = container.port_mappings.unwrap_or_default();
    assert_eq!(maps.len(), 2);
    assert_eq!(maps[1].container_port, Some(9000));
    assert_eq!(maps[1].host_port, Some(0));
    assert!(app.port_definitions.is_none(), "bridge apps have no portDefinitions");
    let hc = &app.health_checks.clone().unwrap_or_default()[0];
    assert_eq!(hc.port_index, Some(1), "port `admin` is index 1");
    assert_eq!(hc.grace_period_seconds, Some(30));
    assert_eq!(app.instances, Some(2));
    let json = serde_json::to_value(&app).unwrap();
    assert_eq!(json["networks"][0]["mode"], "container/bridge");
}

#[test]
fn revision_ignores_instances_rollout_and_label_order_but_not_content() {
    let a = ok(BASE).groups.remove(0);
    let scaled =
        ok(&BASE.replace("instances = 2", "instances = 9").replace("batch = \"25%\"", "batch = 1")).groups.remove(0);
    assert_eq!(a.revision(), scaled.revision());
    let reordered = ok(&BASE.replace(r#"["frontend", "dev", "dev"]"#, r#"["dev", "frontend"]"#)).groups.remove(0);
    assert_eq!(a.revision(), reordered.revision());
    let changed = ok(&BASE.replace(r#"C = "4""#, r#"C = "5""#)).groups.remove(0);
    assert_ne!(a.revision(), changed.revision());
    let r = a.revision();
    assert_eq!(r.len(), 13);
    assert!(r.starts_with('r') && r[1..].chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(r, a.clone().revision(), "deterministic");
}

#[test]
fn revisions_are_pinned_so_deployed_groups_keep_theirs() {
    // Computed by the code that deployed groups before the hash was streamed: a change here
    // would show every deployed group as a rolling update.
    let g = ok(BASE).groups.remove(0);
    assert_eq!(g.revision(), "r2fce77bbb8e8");
    assert_eq!(g.app_id("team-a/prod"), "/team-a/prod/web/dev.frontend/r2fce77bbb8e8");
    assert_eq!(g.to_app("team-a/prod").id, g.app_id("team-a/prod"));
    assert_eq!(g.theseus_labels()[LABEL_REVISION], "r2fce77bbb8e8");
    assert_eq!(g.app_id_of_any_revision("team-a/prod").len(), g.app_id("team-a/prod").len());
}

#[test]
fn group_spec_round_trips_through_json_for_etcd() {
    let g = ok(BASE).groups.remove(0);
    let json = serde_json::to_string(&g).unwrap();
    let back: GroupSpec = serde_json::from_str(&json).unwrap();
    assert_eq!(back, g);
    assert_eq!(back.revision(), g.revision());
}

#[test]
fn host_networking_for_command_apps() {
    let s = ok("[service.a]\ncmd = \"xx\"\nports = [{ name = \"http\" }]\nhealth = { protocol = \"COMMAND\", command = \"true\" }\n[[service.a.group]]\nlabels = [\"x\"]\n");
    let app = s.groups[0].to_app(&s.namespace);
    assert!(app.container.is_none());
    let defs = app.port_definitions.unwrap_or_default();
    assert_eq!(defs[0].port, 0);
    assert_eq!(defs[0].name.as_deref(), Some("http"));
    let hc = &app.health_checks.unwrap_or_default()[0];
    assert_eq!(hc.protocol.as_deref(), Some("COMMAND"));
    assert!(hc.port_index.is_none());
}

#[test]
fn select_filters_and_explains_empty_results() {
    let src = "[service.a]\ncmd = \"xx\"\n[[service.a.group]]\nlabels = [\"dev\", \"fe\"]\n[[service.a.group]]\nlabels = [\"prod\"]\n[service.b]\ncmd = \"yy\"\n[[service.b.group]]\nlabels = [\"dev\"]\n";
    let s = ok(src);
    let all = Selector::default();
    assert_eq!(s.select(&[], &all).unwrap().len(), 3);
    let dev = Selector::parse(&["dev"]).unwrap();
    assert_eq!(s.select(&[], &dev).unwrap().len(), 2);
    assert_eq!(s.select(&["a".to_owned()], &dev).unwrap().len(), 1);
    assert!(s.select(&["zzz".to_owned()], &all).unwrap_err().to_string().contains("no service `zzz`"));
    let none = Selector::parse(&["staging"]).unwrap();
    assert!(s.select(&[], &none).is_err());
}

#[test]
fn with_namespace_overrides_and_validates() {
    let s = ok(BASE).with_namespace(Some("ci/x")).unwrap();
    assert_eq!(s.namespace, "ci/x");
    assert!(s.apps(&s.groups)[0].id.starts_with("/ci/x/web/"));
    assert!(ok(BASE).with_namespace(Some("Bad")).is_err());
    assert_eq!(ok(BASE).with_namespace(None).unwrap().namespace, "team-a/prod");
}

#[test]
fn same_label_set_in_two_services_is_fine_but_not_within_one() {
    ok("[service.a]\ncmd = \"xx\"\n[[service.a.group]]\nlabels = [\"dev\"]\n[service.b]\ncmd = \"xx\"\n[[service.b.group]]\nlabels = [\"dev\"]\n");
    let e = errs("[service.a]\ncmd = \"xx\"\n[[service.a.group]]\nlabels = [\"b\", \"a\"]\n[[service.a.group]]\nlabels = [\"a\", \"b\"]\n");
    assert!(e.contains("t.toml:6:10: duplicate label set [a, b]"), "{e}");
}

#[test]
fn a_wrong_service_default_is_reported_once_for_all_groups() {
    let e = errs("[service.a]\ncmd = \"xx\"\ncpus = -1\n[[service.a.group]]\nlabels = [\"a\"]\n[[service.a.group]]\nlabels = [\"b\"]\n");
    assert_eq!(e.matches("`cpus` must be at least").count(), 1, "{e}");
}

#[test]
fn inline_group_arrays_and_dotted_keys_work() {
    let s = ok(
        "service.a.cmd = \"xx\"\nservice.a.group = [{ labels = [\"one\"] }, { labels = [\"two\"], instances = 0 }]\n",
    );
    assert_eq!(s.groups.len(), 2);
    assert_eq!(s.groups[1].instances, 0);
}

/// Every prefix of every example, and some garbage: errors, never a panic.
#[test]
fn no_input_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for (i, _) in text.char_indices().step_by(2) {
            let _ = parse("p.toml", &text[..i]);
        }
        // Swap every value type once: strings where numbers go, tables where strings go.
        let _ = parse("p.toml", &text.replace('"', "").replace("= [", "= {").replace('0', "\"0\""));
    }
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let alphabet = b"[]{}=\",.#\n abc01-_\\'%sservicegrouplabels";
    for _ in 0..2000 {
        let len = (seed % 64) as usize;
        let mut s = String::new();
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push(alphabet[(seed % alphabet.len() as u64) as usize] as char);
        }
        let _ = parse("g.toml", &s);
        let _ = parse("g.toml", &format!("[service.a]\ncmd = \"xx\"\n[[service.a.group]]\nlabels = [\"a\"]\n{s}"));
    }
}

/// Port names follow Marathon's RAML `LegacyName` (`marathon::rules::PORT_NAME_PATTERN`): a
/// leading digit is fine, a trailing `-` is not.
#[test]
fn port_names_follow_marathons_legacy_name() {
    let spec = |name: &str| {
        format!("[service.a]\ncmd = \"xx\"\nports = [{{ name = \"{name}\" }}]\n[[service.a.group]]\nlabels = [\"a\"]\n")
    };
    let s = ok(&spec("1http"));
    assert_eq!(s.groups[0].app.ports[0].name, "1http");
    for bad in ["http-", "-http", "Http", "admin_api"] {
        assert!(errs(&spec(bad)).contains(&format!("t.toml:3:19: invalid port name `{bad}`")), "{bad}");
    }
}

/// The Mesos sandbox limit on app ids (`marathon::rules::MAX_ID_LENGTH`) holds for the
/// namespace a command gives too, and a single-instance group renders Marathon's `{0, 0}`
/// strategy (`UpgradeStrategy.scala` `validForSingleInstanceApps`).
#[test]
fn long_namespaces_and_single_instance_groups() {
    let s = ok("[service.web]\ncmd = \"sleep 1\"\n[[service.web.group]]\nlabels = [\"dev\"]\n");
    assert!(s.clone().with_namespace(Some(&"a".repeat(150))).is_ok());
    let err = s.with_namespace(Some(&"a".repeat(200))).unwrap_err().to_string();
    assert!(
        err.contains("--namespace: the app id `/aaaa") && err.contains("more than the 200 Theseus allows"),
        "{err}"
    );
    let single = ok("[service.db]\ncmd = \"./db\"\nmarathon_labels = { MARATHON_SINGLE_INSTANCE_APP = \"true\" }\n[[service.db.group]]\nlabels = [\"dev\"]\n");
    let us = single.apps(&single.groups)[0].upgrade_strategy.unwrap();
    assert_eq!((us.minimum_health_capacity, us.maximum_over_capacity), (0.0, 0.0));
    let plain = ok("[service.db]\ncmd = \"./db\"\nmarathon_labels = { MARATHON_SINGLE_INSTANCE_APP = \"false\" }\n[[service.db.group]]\nlabels = [\"dev\"]\ninstances = 3\n");
    assert_eq!(plain.apps(&plain.groups)[0].upgrade_strategy.unwrap().minimum_health_capacity, 1.0);
}

/// A group with ports is one marathon-lb deployment group (`marathon_lb.py` `get_apps` merges
/// the apps of one `HAPROXY_DEPLOYMENT_GROUP` into one frontend per service port), named after
/// its Marathon group unless `marathon_labels` name it; its service ports ask for 0, which
/// Marathon assigns on create (`AssignDynamicServiceLogic.scala`). Without ports: no label.
#[test]
fn groups_with_ports_are_one_marathon_lb_deployment_group() {
    let s = ok(BASE);
    let app = s.groups[0].to_app(&s.namespace);
    let labels = app.labels.unwrap_or_default();
    assert_eq!(labels.get(LABEL_DEPLOYMENT_GROUP).map(String::as_str), Some("/team-a/prod/web/dev.frontend"));
    let mappings = app.container.and_then(|c| c.port_mappings).unwrap_or_default();
    assert!(mappings.iter().all(|m| m.service_port.is_none_or(|p| p == 0)));
    let own = ok("[service.web]\ncmd = \"./web\"\nports = [{ name = \"http\" }]\nmarathon_labels = { HAPROXY_DEPLOYMENT_GROUP = \"web\" }\n[[service.web.group]]\nlabels = [\"dev\"]\n");
    let labels = own.groups[0].to_app(&own.namespace).labels.unwrap_or_default();
    assert_eq!(labels.get(LABEL_DEPLOYMENT_GROUP).map(String::as_str), Some("web"));
    let none = ok("[service.web]\ncmd = \"./web\"\n[[service.web.group]]\nlabels = [\"dev\"]\n");
    assert!(!none.groups[0].to_app(&none.namespace).labels.unwrap_or_default().contains_key(LABEL_DEPLOYMENT_GROUP));
}

#[test]
fn canary_gates_and_promotion_load_and_need_a_canary() {
    let s = ok(r#"
[service.web]
cmd = "sleep 1"
rollout = { canary = "10%", canary_for = "2m", gate = "./smoke.sh", gate_timeout = "30s", promote = "manual", bake = "5m" }
[[service.web.group]]
labels = ["prod"]
instances = 20
"#);
    let r = &s.groups[0].rollout;
    assert_eq!(r.canary, Some(Amount::Percent(10)));
    assert_eq!(r.canary_of(20), Some(2));
    assert_eq!((r.canary_for.as_secs(), r.gate_timeout.as_secs(), r.bake.as_secs()), (120, 30, 300));
    assert_eq!((r.gate.as_deref(), r.promote), (Some("./smoke.sh"), Promote::Manual));
    assert_eq!(Rollout::default().canary_of(4), None, "no canary unless asked");
    let e = errs("[service.web]\ncmd = \"x\"\nrollout = { gate = \"true\", promote = \"later\" }\n[[service.web.group]]\nlabels = [\"a\"]\n");
    assert!(e.contains("rollout `gate` needs a canary step"), "{e}");
    assert!(e.contains("invalid rollout `promote` `later`"), "{e}");
    let e = errs("[service.web]\ncmd = \"x\"\nrollout = { canary = 0 }\n[[service.web.group]]\nlabels = [\"a\"]\n");
    assert!(e.contains("invalid rollout `canary`"), "{e}");
}

#[test]
fn secret_env_names_env_variables_and_is_a_label() {
    let s = ok(r#"
[service.web]
cmd = "sleep 1"
env = { TOKEN = "t0k3n", MODE = "a" }
secret_env = ["TOKEN"]
[[service.web.group]]
labels = ["dev"]
"#);
    let app = s.groups[0].to_app(&s.namespace);
    assert_eq!(app.labels.as_ref().unwrap().get(LABEL_SECRET_ENV).map(String::as_str), Some("TOKEN"));
    assert_eq!(secret_values(&app), ["t0k3n"]);
    assert_eq!(mask("token=t0k3n mode=a", &secret_values(&app)), "token=*** mode=a");
    let e = errs("[service.web]\ncmd = \"x\"\nenv = { A = \"1\" }\nsecret_env = [\"B\"]\n[[service.web.group]]\nlabels = [\"a\"]\n");
    assert!(e.contains("`secret_env` names `B`, which `env` does not set"), "{e}");
}
