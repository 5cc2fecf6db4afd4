//! A group's service ports stay where they are across revisions. Pure.
//!
//! marathon-lb binds one frontend per service port (`marathon_lb.py` `get_apps`), so a
//! revision app with new service ports would move the group's frontends. Each revision is its
//! own Marathon app, and Marathon assigns a port of 0 from ports no app holds
//! (`M:src/main/scala/mesosphere/marathon/core/group/impl/AssignDynamicServiceLogic.scala`
//! `assignDynamicServicePorts`): a new revision app would never get the old one's. So the
//! new revision app asks for the live app's service ports explicitly. Marathon keeps an
//! explicit port as it is and refuses no port another app holds (it validates service ports
//! within one app only: `AppValidation.scala` `portDefinitionsValidator`,
//! `RootGroup.validRootGroup`), so during the surge both revision apps hold the same ports;
//! marathon-lb merges them into one frontend per port because both carry the group's
//! `HAPROXY_DEPLOYMENT_GROUP` (rendered by `spec::render`). The ports come from the live app,
//! so a group created by an older Theseus keeps the ports Marathon gave it, and a group's
//! first revision gets them from Marathon.

use std::collections::BTreeSet;

use crate::marathon::types::App;

/// The (name, service port) of each port of `app`, where Marathon reads its service ports:
/// the port mappings when there are any, else the port definitions
/// (`M:src/main/scala/mesosphere/marathon/state/AppDefinition.scala` `servicePorts`).
fn ports(app: &App) -> Vec<(Option<&str>, u32)> {
    match app.container.as_ref().and_then(|c| c.port_mappings.as_ref()).filter(|m| !m.is_empty()) {
        Some(m) => m.iter().map(|p| (p.name.as_deref(), p.service_port.unwrap_or(0))).collect(),
        None => app.port_definitions.iter().flatten().map(|d| (d.name.as_deref(), d.port)).collect(),
    }
}

/// Writes `ports` back where [`ports`] read them, position by position.
fn set_ports(app: &mut App, ports: &[u32]) {
    match app.container.as_mut().and_then(|c| c.port_mappings.as_mut()).filter(|m| !m.is_empty()) {
        Some(m) => m.iter_mut().zip(ports).for_each(|(p, port)| p.service_port = Some(*port)),
        None => app.port_definitions.iter_mut().flatten().zip(ports).for_each(|(d, port)| d.port = *port),
    }
}

/// Gives each port of `desired` that asks for 0 the service port `live` holds: the one of the
/// port with the same name, else (a renamed port) the next of `live`'s ports no port of
/// `desired` took, in their order, as Marathon hands an app its freed ports back
/// (`AssignDynamicServiceLogic.scala` `assignPorts`). A port left at 0 (one more than `live`
/// has) is Marathon's to assign; explicit ports are kept.
pub(super) fn keep_service_ports(desired: &mut App, live: &App) {
    let have = ports(live);
    let want = ports(desired);
    let mut taken: BTreeSet<u32> = want.iter().map(|(_, p)| *p).filter(|p| *p != 0).collect();
    let mut out: Vec<u32> = want.iter().map(|(_, p)| *p).collect();
    for (slot, (name, port)) in out.iter_mut().zip(&want) {
        if *port != 0 {
            continue;
        }
        let same = have.iter().find(|(n, p)| n.is_some() && n == name && *p != 0 && !taken.contains(p));
        if let Some((_, p)) = same {
            *slot = *p;
            taken.insert(*p);
        }
    }
    let mut freed = have.iter().map(|(_, p)| *p).filter(|p| *p != 0 && !taken.contains(p));
    for slot in out.iter_mut().filter(|p| **p == 0) {
        match freed.next() {
            Some(p) => *slot = p,
            None => break,
        }
    }
    set_ports(desired, &out);
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn app(v: Value) -> App {
        serde_json::from_value(v).unwrap()
    }

    fn defs(ports: &[(&str, u32)]) -> App {
        let d: Vec<Value> = ports.iter().map(|(n, p)| json!({"name": n, "port": p})).collect();
        app(json!({"id": "/ns/web/dev/r2", "portDefinitions": d}))
    }

    fn kept(desired: &[(&str, u32)], live: &[(&str, u32)]) -> Vec<u32> {
        let mut d = defs(desired);
        keep_service_ports(&mut d, &defs(live));
        ports(&d).into_iter().map(|(_, p)| p).collect()
    }

    #[test]
    fn each_port_keeps_the_live_port_of_its_name() {
        assert_eq!(kept(&[("http", 0), ("admin", 0)], &[("http", 10001), ("admin", 10002)]), [10001, 10002]);
        assert_eq!(kept(&[("admin", 0), ("http", 0)], &[("http", 10001), ("admin", 10002)]), [10002, 10001]);
    }

    #[test]
    fn a_renamed_port_takes_the_freed_port_and_a_new_one_is_left_to_marathon() {
        assert_eq!(kept(&[("web", 0), ("admin", 0)], &[("http", 10001), ("admin", 10002)]), [10001, 10002]);
        assert_eq!(kept(&[("http", 0), ("metrics", 0)], &[("http", 10001)]), [10001, 0]);
    }

    #[test]
    fn explicit_ports_are_kept_and_never_given_twice() {
        assert_eq!(kept(&[("http", 10002), ("admin", 0)], &[("http", 10001), ("admin", 10002)]), [10002, 10001]);
        assert_eq!(kept(&[], &[("http", 10001)]), Vec::<u32>::new());
    }

    #[test]
    fn bridge_apps_keep_their_mappings_service_ports() {
        let mut d = app(json!({"id": "/a", "container": {"type": "DOCKER", "portMappings": [
            {"name": "http", "containerPort": 80, "hostPort": 0}]}}));
        let live = app(json!({"id": "/b", "container": {"type": "DOCKER", "portMappings": [
            {"name": "http", "containerPort": 80, "hostPort": 0, "servicePort": 10007}]}}));
        keep_service_ports(&mut d, &live);
        let m = d.container.and_then(|c| c.port_mappings).unwrap();
        assert_eq!((m[0].service_port, m[0].host_port), (Some(10007), Some(0)));
        // From host networking to bridge: the service port moves with the port.
        let mut d = app(json!({"id": "/a", "container": {"type": "DOCKER", "portMappings": [
            {"name": "http", "containerPort": 80, "hostPort": 0}]}}));
        keep_service_ports(&mut d, &defs(&[("http", 10003)]));
        assert_eq!(d.container.and_then(|c| c.port_mappings).unwrap()[0].service_port, Some(10003));
    }
}
