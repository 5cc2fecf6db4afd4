//! Spec files several tests share.

/// Two command-app groups of service `hello` that start quickly (sleep keeps them running; no
/// health checks, so running is healthy): `dev, frontend` with 2 instances, `dev, backend`
/// with 1.
pub const HELLO: &str = r#"
namespace = "it"

[service.hello]
cmd = "sleep 600"
cpus = 0.1
mem = 32
ports = [{ name = "http" }]

[[service.hello.group]]
labels = ["dev", "frontend"]
instances = 2

[[service.hello.group]]
labels = ["dev", "backend"]
instances = 1
"#;

/// Group `web/dev`: `instances` HTTP servers on their assigned port behind an HTTP health
/// check (every second, 3 failures kill); `version` is in their env, so each version is a new
/// revision.
pub fn web_http(version: &str, instances: u32) -> String {
    format!(
        r#"
namespace = "it"
[service.web]
cmd = "exec python3 -m http.server $PORT0 --bind $HOST"
cpus = 0.1
mem = 32
ports = [{{ name = "http" }}]
env = {{ VERSION = "{version}" }}
health = {{ protocol = "HTTP", path = "/", port = "http", grace = "10s", interval = "1s", timeout = "1s", max_failures = 3 }}
[[service.web.group]]
labels = ["dev"]
instances = {instances}
"#
    )
}

/// Group `web/dev`: `instances` tasks running `cmd` (no health checks: running is healthy);
/// `version` is in their env, so each version is a new revision.
pub fn web_cmd(version: &str, cmd: &str, instances: u32) -> String {
    format!(
        r#"
namespace = "it"
[service.web]
cmd = "{cmd}"
cpus = 0.1
mem = 32
env = {{ VERSION = "{version}" }}
[[service.web.group]]
labels = ["dev"]
instances = {instances}
"#
    )
}

/// What [`web_cmd`] tasks run to stay up.
pub const SLEEP: &str = "sleep 600";
