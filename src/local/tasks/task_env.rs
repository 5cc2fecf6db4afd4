//! Marathon's task environment (M:docs/docs/task-environment-vars.md): `HOST`, `PORT*`,
//! `MARATHON_APP_*`, `MESOS_*` plus the app's `env`, shared by task processes and COMMAND checks.

use std::collections::BTreeMap;

use crate::marathon::types::App;

/// Marathon's task environment (M:docs/docs/task-environment-vars.md) plus the app's `env`.
pub(crate) fn task_env(
    app: &App,
    task_id: &str,
    host: &str,
    host_ports: &[u32],
    service_ports: &[u32],
    sandbox: &str,
) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for (k, v) in app.env.iter().flatten() {
        if let Some(s) = v.as_str() {
            env.insert(k.clone(), s.to_string());
        }
    }
    env.insert("HOST".into(), host.into());
    env.insert("LIBPROCESS_IP".into(), host.into());
    let names = crate::local::model::normalize::port_names(app);
    for (i, port) in host_ports.iter().enumerate() {
        env.insert(format!("PORT{i}"), port.to_string());
        if let Some(sp) = service_ports.get(i).filter(|p| **p != 0) {
            env.insert(format!("PORT_{sp}"), port.to_string());
        }
        if let Some(Some(name)) = names.get(i) {
            env.insert(format!("PORT_{}", sanitize(name)), port.to_string());
        }
    }
    if let Some(first) = host_ports.first() {
        env.insert("PORT".into(), first.to_string());
    }
    env.insert("PORTS".into(), host_ports.iter().map(u32::to_string).collect::<Vec<_>>().join(","));
    env.insert("MARATHON_APP_ID".into(), app.id.clone());
    env.insert("MARATHON_APP_VERSION".into(), app.version.clone().unwrap_or_default());
    if let Some(image) = app.container.as_ref().and_then(|c| c.docker.as_ref()).map(|d| d.image.clone()) {
        env.insert("MARATHON_APP_DOCKER_IMAGE".into(), image);
    }
    let mut label_names = Vec::new();
    for (k, v) in app.labels.iter().flatten() {
        if v.len() <= 512 {
            let name = sanitize(k);
            env.insert(format!("MARATHON_APP_LABEL_{name}"), v.clone());
            label_names.push(name);
        }
    }
    env.insert("MARATHON_APP_LABELS".into(), label_names.join(" "));
    env.insert("MARATHON_APP_RESOURCE_CPUS".into(), format_resource(app.cpus.unwrap_or(1.0)));
    env.insert("MARATHON_APP_RESOURCE_MEM".into(), format_resource(app.mem.unwrap_or(128.0)));
    env.insert("MARATHON_APP_RESOURCE_DISK".into(), format_resource(app.disk.unwrap_or(0.0)));
    env.insert("MARATHON_APP_RESOURCE_GPUS".into(), (app.gpus.unwrap_or(0.0) as u64).to_string());
    env.insert("MESOS_TASK_ID".into(), task_id.into());
    env.insert("MESOS_SANDBOX".into(), sandbox.into());
    env.insert("MESOS_DIRECTORY".into(), sandbox.into());
    env
}

/// `PORT_<NAME>` / `MARATHON_APP_LABEL_<NAME>`: upper-case, non-alphanumerics become `_`.
fn sanitize(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect()
}

fn format_resource(v: f64) -> String {
    format!("{v:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_follows_marathon() {
        let app = App {
            id: "/prod/web".into(),
            version: Some("2020-01-01T00:00:00.000Z".into()),
            cpus: Some(0.5),
            mem: Some(64.0),
            labels: Some([("dev.frontend".to_string(), "yes".to_string())].into()),
            port_definitions: Some(vec![crate::marathon::types::PortDefinition {
                port: 10001,
                name: Some("http-api".into()),
                ..Default::default()
            }]),
            ..App::default()
        };
        let env = task_env(&app, "prod_web.instance-x._app.1", "127.0.0.2", &[31005], &[10001], "/sb");
        assert_eq!(env["HOST"], "127.0.0.2");
        assert_eq!(env["PORT0"], "31005");
        assert_eq!(env["PORT"], "31005");
        assert_eq!(env["PORTS"], "31005");
        assert_eq!(env["PORT_HTTP_API"], "31005");
        assert_eq!(env["PORT_10001"], "31005");
        assert_eq!(env["MARATHON_APP_ID"], "/prod/web");
        assert_eq!(env["MARATHON_APP_LABEL_DEV_FRONTEND"], "yes");
        assert_eq!(env["MARATHON_APP_LABELS"], "DEV_FRONTEND");
        assert_eq!(env["MARATHON_APP_RESOURCE_CPUS"], "0.5");
        assert_eq!(env["MESOS_TASK_ID"], "prod_web.instance-x._app.1");
        assert_eq!(env["MESOS_SANDBOX"], "/sb");
    }
}
