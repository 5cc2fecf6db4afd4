//! The local engine's REST API: apps, tasks, groups, deployments, queue, info, leader, ping and
//! Marathon's error contract (M:src/main/scala/mesosphere/marathon/api/MarathonExceptionMapper.scala).

use std::time::Duration;

use serde_json::json;

use crate::support::engine::{frames, Engine};

const T: Duration = Duration::from_secs(20);

fn sleeper(id: &str, n: u32) -> serde_json::Value {
    json!({"id": id, "cmd": "sleep 1000", "instances": n, "cpus": 0.1, "mem": 16})
}

#[test]
fn create_returns_201_with_location_deployment_and_defaults() {
    let e = Engine::start();
    let r = e.call("POST", "/v2/apps", Some(&json!({"id": "/prod/web", "cmd": "sleep 1000", "cpus": 0.1})));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("location"), Some("/v2/apps/prod/web"));
    let dep = r.header("marathon-deployment-id").expect("deployment header").to_string();
    assert_eq!(r.json["deployments"], json!([{"id": dep}]));
    assert_eq!(r.json["tasksRunning"], 0);
    assert_eq!(r.json["instances"], 1);
    assert_eq!(r.json["mem"], 128.0);
    assert_eq!(r.json["upgradeStrategy"], json!({"minimumHealthCapacity": 1.0, "maximumOverCapacity": 1.0}));
    let port = r.json["portDefinitions"][0]["port"].as_u64().unwrap();
    assert!((10000..=20000).contains(&port), "service port {port}");
    assert!(r.json.get("user").is_none(), "absent optional fields are omitted");
    assert!(r.header("x-marathon-leader").unwrap().starts_with("http://127.0.0.1:"));
    e.wait_idle(T);
    let tasks = e.tasks("/prod/web");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["state"], "TASK_RUNNING");
    let id = tasks[0]["id"].as_str().unwrap();
    assert!(id.starts_with("prod_web.instance-") && id.ends_with("._app.1"), "{id}");
    assert_eq!(
        e.call("POST", "/v2/apps", Some(&json!({"id": "/prod/web", "cmd": "xx"}))).json["message"],
        "An app with id [/prod/web] already exists."
    );
}

#[test]
fn errors_follow_marathons_contract() {
    let e = Engine::start();
    let r = e.call("GET", "/v2/apps/nope", None);
    assert_eq!((r.status, r.json["message"].as_str()), (404, Some("App '/nope' does not exist")));
    let r = e.call("POST", "/v2/apps", Some(&json!({"id": "/Bad_Id", "cmd": "xx"})));
    assert_eq!(r.status, 422);
    assert_eq!(r.json["message"], "Object is not valid");
    assert_eq!(r.json["details"][0]["path"], "/id");
    let r = e.call("POST", "/v2/apps", Some(&json!({"id": "/a", "cmd": "xx", "args": ["y"]})));
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json["details"][0]["errors"][0],
        "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."
    );
    let r = e.call(
        "POST",
        "/v2/apps",
        Some(
            &json!({"id": "/a", "cmd": "xx", "upgradeStrategy": {"minimumHealthCapacity": 2, "maximumOverCapacity": 0}}),
        ),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json["details"][0]["path"], "/upgradeStrategy/minimumHealthCapacity");
    let r =
        e.call("POST", "/v2/apps", Some(&json!({"id": "/a", "cmd": "xx", "constraints": [["hostname", "MAX_PER"]]})));
    assert_eq!(r.status, 422);
    assert_eq!(r.json["details"][0]["errors"][0], "MAX_PER requires an integer value");
    let r = e.call("POST", "/v2/apps", Some(&json!({"id": "/a", "cmd": "xx", "instances": -1})));
    assert_eq!(r.status, 422);
    let addr = e.url().trim_start_matches("http://").to_string();
    let _ = addr;
    let r = e.call_with("POST", "/v2/apps", None, &[]);
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json["message"], "Invalid JSON");
    let r = e.call("POST", "/v2/apps", Some(&json!({"id": 5, "cmd": "xx"})));
    assert_eq!(r.status, 400);
    let r = e.call("GET", "/v2/nothing", None);
    assert_eq!(r.json["message"], "URI not found");
    let r = e.call("DELETE", "/v2/deployments/xyz", None);
    assert_eq!((r.status, r.json["message"].as_str()), (404, Some("DeploymentPlan xyz does not exist")));
}

#[test]
fn list_filters_by_label_selector_id_and_cmd_and_embeds_tasks() {
    let e = Engine::start();
    for (id, env, tier) in [("/s/a", "prod", "web"), ("/s/b", "dev", "web"), ("/s/c", "prod", "db")] {
        let mut app = sleeper(id, 1);
        app["labels"] = json!({"env": env, "tier": tier});
        assert_eq!(e.call("POST", "/v2/apps", Some(&app)).status, 201);
    }
    e.wait_idle(T);
    let ids = |q: &str| -> Vec<String> {
        e.get(&format!("/v2/apps?{q}"))["apps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("label=env==prod"), ["/s/a", "/s/c"]);
    assert_eq!(ids("label=env!=prod"), ["/s/b"]);
    assert_eq!(ids("label=tier%20in%20(db,%20cache)"), ["/s/c"]);
    assert_eq!(ids("label=env==prod,tier==web"), ["/s/a"]);
    assert_eq!(ids("label=tier"), ["/s/a", "/s/b", "/s/c"]);
    assert_eq!(ids("id=s/b"), ["/s/b"]);
    assert_eq!(ids("cmd=sleep"), ["/s/a", "/s/b", "/s/c"]);
    let list = e.get("/v2/apps?embed=apps.tasks");
    assert_eq!(list["apps"][0]["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(list["apps"][0]["tasksRunning"], 1);
    assert!(e.get("/v2/apps")["apps"][0].get("tasks").is_none());
    // a constant number of requests for a view
    let before = e.requests();
    e.get("/v2/apps?embed=apps.tasks");
    assert_eq!(e.requests() - before, 1);
}

#[test]
fn put_patch_partial_update_versions_and_rollback() {
    let e = Engine::start();
    let r = e.call("PUT", "/v2/apps/v/app", Some(&sleeper("/v/app", 1)));
    assert_eq!(r.status, 201, "PUT creates: {}", r.text);
    assert!(r.json["deploymentId"].is_string() && r.json["version"].is_string());
    e.wait_idle(T);
    let v1 = e.get("/v2/apps/v/app")["app"]["version"].as_str().unwrap().to_string();
    let first_task = e.tasks("/v/app")[0]["id"].clone();
    // scale only: no restart, lastConfigChangeAt unchanged
    let r = e.call("PATCH", "/v2/apps/v/app", Some(&json!({"instances": 2})));
    assert_eq!(r.status, 200);
    e.wait_idle(T);
    let app = e.get("/v2/apps/v/app")["app"].clone();
    assert_eq!(app["cmd"], "sleep 1000", "partial update keeps other fields");
    assert_eq!(app["versionInfo"]["lastConfigChangeAt"], v1);
    assert_ne!(app["versionInfo"]["lastScalingAt"], v1);
    assert!(e.tasks("/v/app").iter().any(|t| t["id"] == first_task), "scaling does not restart");
    // config change: restart
    let r = e.call(
        "PUT",
        "/v2/apps/v/app?partialUpdate=False",
        Some(&json!({"cmd": "sleep 999", "instances": 2, "cpus": 0.1, "mem": 16})),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    e.wait_idle(T);
    let tasks = e.tasks("/v/app");
    assert_eq!(tasks.len(), 2);
    assert!(tasks.iter().all(|t| t["id"] != first_task), "a config change replaces the tasks");
    let versions = e.get("/v2/apps/v/app/versions")["versions"].as_array().unwrap().clone();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions.last().unwrap(), &json!(v1));
    assert_eq!(e.get(&format!("/v2/apps/v/app/versions/{v1}"))["instances"], 1);
    // rollback to v1
    let r = e.call("PUT", "/v2/apps/v/app", Some(&json!({"version": v1})));
    assert_eq!(r.status, 200, "{}", r.text);
    e.wait_idle(T);
    let app = e.get("/v2/apps/v/app")["app"].clone();
    assert_eq!((app["cmd"].as_str(), app["instances"].as_u64()), (Some("sleep 1000"), Some(1)));
    assert_eq!(e.call("PATCH", "/v2/apps/none", Some(&json!({"instances": 1}))).status, 404);
}

#[test]
fn delete_restart_and_task_kills_with_scale_and_wipe() {
    let e = Engine::start();
    e.call("POST", "/v2/apps", Some(&sleeper("/k", 3)));
    e.wait_idle(T);
    let ids: Vec<String> = e.tasks("/k").iter().map(|t| t["id"].as_str().unwrap().to_string()).collect();
    let r = e.call("POST", "/v2/apps/k/restart", None);
    assert_eq!(r.status, 200);
    e.wait_idle(T);
    assert!(
        e.tasks("/k").iter().all(|t| !ids.contains(&t["id"].as_str().unwrap().to_string())),
        "restart changes task ids"
    );
    let victim = e.tasks("/k")[0]["id"].as_str().unwrap().to_string();
    let r = e.call("DELETE", &format!("/v2/apps/k/tasks/{victim}?scale=true"), None);
    assert_eq!(r.status, 200);
    assert!(r.json["deploymentId"].is_string());
    e.wait_idle(T);
    assert_eq!(e.get("/v2/apps/k")["app"]["instances"], 2);
    let r = e.call("DELETE", "/v2/apps/k/tasks?scale=true&wipe=true", None);
    assert_eq!(r.status, 400);
    let victim = e.tasks("/k")[0]["id"].as_str().unwrap().to_string();
    let r = e.call("POST", "/v2/tasks/delete", Some(&json!({"ids": [victim]})));
    assert_eq!(r.status, 200);
    assert_eq!(r.json["tasks"][0]["id"], victim.as_str());
    e.wait_for("a running replacement", T, |e| {
        let tasks = e.tasks("/k");
        tasks.len() == 2 && tasks.iter().all(|t| t["id"] != victim.as_str() && t["state"] == "TASK_RUNNING")
    });
    // `x` is no UUID: `Task.Id.parse` throws IllegalArgumentException, which Marathon answers 422
    // (it_kill_and_scale pins the rest of `killTasks`' id rules).
    assert_eq!(e.call("POST", "/v2/tasks/delete", Some(&json!({"ids": ["nope.instance-x._app.1"]}))).status, 422);
    assert_eq!(e.get("/v2/tasks?status=running")["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(e.get("/v2/tasks?status=staging")["tasks"].as_array().unwrap().len(), 0);
    let pgids = e.handle().task_process_groups();
    let r = e.call("DELETE", "/v2/apps//k", None);
    assert_eq!(r.status, 200, "`//` is tolerated");
    e.wait_idle(T);
    assert_eq!(e.call("GET", "/v2/apps/k", None).status, 404);
    assert!(e.get("/v2/tasks")["tasks"].as_array().unwrap().is_empty());
    // SAFETY: probing with signal 0.
    let alive = |g: &i32| unsafe { libc::kill(-*g, 0) } == 0;
    e.wait_for("task process groups to end", T, |_| !pgids.iter().any(alive));
}

#[test]
fn groups_nested_create_get_update_scale_delete() {
    let e = Engine::start();
    let r = e.call("POST", "/v2/groups", Some(&json!({"id": "/empty"})));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(e.get("/v2/groups/empty")["id"], "/empty");
    let body = json!({"id": "/shop", "groups": [{"id": "back", "apps": [{"id": "db", "cmd": "sleep 1000", "cpus": 0.1, "mem": 16}]},
        {"id": "front", "dependencies": ["/shop/back"], "apps": [{"id": "web", "cmd": "sleep 1000", "cpus": 0.1, "mem": 16}]}]});
    // The plan comes from the deployment's `deployment_info` event: `/v2/deployments` lists a
    // deployment only while it runs, and two `sleep` tasks can finish it before the next request.
    let mut events = e.events("?event_type=deployment_info&event_type=deployment_success");
    let r = e.call("POST", "/v2/groups", Some(&body));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["deploymentId"].as_str().unwrap().to_string();
    let r = e.call("POST", "/v2/groups", Some(&body));
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (409, Some("Group /shop is already created. Use PUT to change this group."))
    );
    let text = events.read_until(T, |t| t.contains("deployment_info"));
    let info = frames(&text).into_iter().find(|(k, _)| k == "deployment_info").unwrap().1;
    assert_eq!(info["plan"]["id"], id.as_str());
    let steps: Vec<String> = info["plan"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["actions"][0]["app"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(steps.last().unwrap(), "/shop/front/web", "the dependent app scales last");
    e.wait_idle(T);
    let g = e.get("/v2/groups/shop?embed=group.apps.tasks");
    assert_eq!(g["groups"][0]["apps"][0]["id"], "/shop/back/db");
    assert_eq!(g["groups"][1]["dependencies"], json!(["/shop/back"]));
    assert_eq!(g["groups"][0]["apps"][0]["tasks"].as_array().unwrap().len(), 1);
    let r = e.call("PUT", "/v2/groups/shop", Some(&json!({"scaleBy": 2})));
    assert_eq!(r.status, 200);
    e.wait_idle(T);
    assert_eq!(e.get("/v2/apps/shop/front/web")["app"]["instances"], 2);
    let dry = e.call("PUT", "/v2/groups/shop?dryRun=true", Some(&json!({"scaleBy": 0.5})));
    assert_eq!(dry.json["steps"][0]["actions"][0]["action"], "ScaleApplication");
    let r = e.call("DELETE", "/v2/groups/shop", None);
    assert_eq!(r.status, 200);
    e.wait_idle(T);
    assert_eq!(e.call("GET", "/v2/groups/shop", None).status, 404);
    assert_eq!(e.call("GET", "/v2/apps/shop/back/db", None).status, 404);
    assert_eq!(e.call("DELETE", "/v2/groups/nope", None).status, 404);
    let r = e.call(
        "POST",
        "/v2/groups",
        Some(&json!({"id": "/cyc", "apps": [
        {"id": "a", "cmd": "xx", "dependencies": ["/cyc/b"]}, {"id": "b", "cmd": "xx", "dependencies": ["/cyc/a"]}]})),
    );
    assert_eq!(r.status, 422, "{}", r.text);
}

#[test]
fn info_leader_ping_and_queue() {
    let e = Engine::start();
    let info = e.get("/v2/info");
    assert_eq!(info["name"], "marathon");
    assert_eq!(info["elected"], true);
    let leader = e.get("/v2/leader")["leader"].as_str().unwrap().to_string();
    assert_eq!(format!("http://{leader}"), e.url());
    assert_eq!(e.call("DELETE", "/v2/leader", None).json["message"], "Leadership abdicated");
    let r = e.call("GET", "/ping", None);
    assert_eq!((r.status, r.text.as_str()), (200, "pong"));
    assert_eq!(e.call_with("GET", "/ping", None, &[("Accept", "application/json")]).text, "\"pong\"");
    // unplaceable: more CPUs than any agent has
    e.call("POST", "/v2/apps", Some(&json!({"id": "/big", "cmd": "sleep 1000", "cpus": 64})));
    e.wait_for("queue entry", T, |e| {
        e.get("/v2/queue")["queue"][0]["processedOffersSummary"]["rejectSummaryLastOffers"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x["reason"] == "InsufficientCpus" && x["declined"] == 3))
    });
    let q = e.get("/v2/queue")["queue"][0].clone();
    assert_eq!((q["count"].as_u64(), q["app"]["id"].as_str()), (Some(1), Some("/big")));
    assert_eq!(e.get("/v2/deployments").as_array().unwrap().len(), 1, "an unplaceable app keeps its deployment open");
    assert_eq!(e.call("DELETE", "/v2/queue/big/delay", None).status, 204);
    // two instances that must not share a host on three agents, plus one with a rack constraint nobody has
    e.call("POST", "/v2/apps", Some(&json!({"id": "/u", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8, "instances": 4, "constraints": [["hostname", "UNIQUE"]]})));
    e.wait_for("UnfulfilledConstraint", T, |e| {
        e.get("/v2/queue")["queue"].as_array().unwrap().iter().any(|q| {
            q["app"]["id"] == "/u"
                && q["count"] == 1
                // [0] is UnfulfilledRole: Marathon renders the whole funnel (QueueInfoConversion.scala)
                && q["processedOffersSummary"]["rejectSummaryLastOffers"][1]
                    == json!({"reason": "UnfulfilledConstraint", "declined": 3, "processed": 3})
        })
    });
    let hosts: std::collections::BTreeSet<String> =
        e.tasks("/u").iter().map(|t| t["host"].as_str().unwrap().to_string()).collect();
    assert_eq!(hosts.len(), 3);
}

#[test]
fn locks_force_cancel_and_rollback() {
    let e = Engine::start();
    // never becomes healthy, so its deployment stays open
    let app = json!({"id": "/l", "cmd": "sleep 1000", "cpus": 0.1, "mem": 8,
        "healthChecks": [{"protocol": "COMMAND", "command": {"value": "false"}, "intervalSeconds": 1, "gracePeriodSeconds": 100, "maxConsecutiveFailures": 0}]});
    let r = e.call("POST", "/v2/apps", Some(&app));
    let first = r.header("marathon-deployment-id").unwrap().to_string();
    let r = e.call("PATCH", "/v2/apps/l", Some(&json!({"instances": 2})));
    assert_eq!(r.status, 409);
    assert!(r.json["message"]
        .as_str()
        .unwrap()
        .starts_with("App is locked by one or more deployments. Override with the option '?force=true'."));
    assert_eq!(r.json["deployments"], json!([{"id": first}]));
    let r = e.call("PATCH", "/v2/apps/l?force=true", Some(&json!({"instances": 2})));
    assert_eq!(r.status, 200);
    let second = r.json["deploymentId"].as_str().unwrap().to_string();
    let ids: Vec<String> =
        e.get("/v2/deployments").as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, std::slice::from_ref(&second), "force cancels the conflicting deployment");
    // cancel: 202, deployment gone, app stays
    let r = e.call("DELETE", &format!("/v2/deployments/{second}?force=true"), None);
    assert_eq!((r.status, r.text.as_str()), (202, ""));
    assert!(e.get("/v2/deployments").as_array().unwrap().is_empty());
    assert_eq!(e.call("GET", "/v2/apps/l", None).status, 200);
    // rollback of a creation removes the app
    let mut other = app.clone();
    other["id"] = json!("/r");
    let r = e.call("POST", "/v2/apps", Some(&other));
    let dep = r.header("marathon-deployment-id").unwrap().to_string();
    let r = e.call("DELETE", &format!("/v2/deployments/{dep}"), None);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_ne!(r.json["deploymentId"], json!(dep));
    e.wait_for("rollback", T, |e| e.call("GET", "/v2/apps/r", None).status == 404);
}
