//! An app's named ports: names (Marathon's `LegacyName` rule), container ports, protocols, and
//! one networking mode for all of them.

use super::toml::{Item, Layers};
use super::Loader;
use crate::marathon::rules;
use crate::spec::model::PortSpec;

const PORT_KEYS: &[&str] = &["name", "container", "protocol"];

impl Loader<'_> {
    /// The `ports` list; `has_image` tells whether bridge (`container`) ports can run.
    pub(super) fn ports(&mut self, item: &Item<'_>, has_image: bool) -> Vec<PortSpec> {
        let Some(list) = self.table_list("ports", item) else { return Vec::new() };
        let mut out: Vec<PortSpec> = Vec::new();
        let mut first_mode: Option<bool> = None;
        for (t, span) in list {
            let layers = Layers::one(t, span.clone());
            self.check_keys(&layers, PORT_KEYS, "a port");
            let name = match t.get("name") {
                Some(v) => self.read::<String>(v, "name").and_then(|n| {
                    if !rules::is_valid_port_name(&n) {
                        self.err(
                            v.span(),
                            format!("invalid port name `{n}`"),
                            format!(
                                "port names match Marathon's `{}`: lowercase letters, digits and `-`, not first or last, e.g. `http` or `admin-api`",
                                rules::PORT_NAME_PATTERN
                            ),
                        );
                        None
                    } else if out.iter().any(|p| p.name == n) {
                        self.err(v.span(), format!("duplicate port name `{n}`"), "give every port of an app its own name");
                        None
                    } else {
                        Some(n)
                    }
                }),
                None => {
                    self.err(
                        span.clone(),
                        "a port has no `name`",
                        "write `{ name = \"http\" }` (add `container = 80` for a Docker app with bridge networking)",
                    );
                    None
                }
            };
            let container = self.read_opt::<u16>(&layers, "container");
            let bridge = t.get("container").is_some();
            match first_mode {
                None => first_mode = Some(bridge),
                Some(m) if m != bridge => self.err(
                    span.clone(),
                    "ports mix host and bridge networking: either every port has `container` or none does",
                    "with `container` the app uses bridge networking (container.portMappings); without, host networking (portDefinitions)",
                ),
                Some(_) => {}
            }
            if bridge && !has_image {
                self.err(
                    t.get("container").map(|v| v.span()),
                    "a `container` port needs a Docker `image`: bridge networking runs a container",
                    "set `image`, or drop `container` to use host networking with `$PORT0` / `$PORT_<NAME>`",
                );
            }
            let protocol = self.port_protocol(t.get("protocol"));
            if let (Some(name), Some(protocol)) = (name, protocol) {
                out.push(PortSpec { name, container: if bridge { container } else { None }, protocol });
            }
        }
        out
    }

    /// `tcp`, `udp` or `udp,tcp` (RAML `strings.NetworkProtocol` in stringTypes.raml, the type of
    /// both `portDefinitions[].protocol` and `portMappings[].protocol` in network.raml); `tcp`
    /// when absent. `tcp,udp` is read as `udp,tcp`, the only spelling Marathon takes.
    fn port_protocol(&mut self, item: Option<&Item<'_>>) -> Option<String> {
        let Some(v) = item else { return Some(PortSpec::DEFAULT_PROTOCOL.to_owned()) };
        let p = self.read::<String>(v, "protocol")?;
        let lower = p.to_ascii_lowercase();
        let lower = if lower == "tcp,udp" { "udp,tcp".to_owned() } else { lower };
        if rules::NETWORK_PROTOCOLS.contains(&lower.as_str()) {
            return Some(lower);
        }
        self.err(v.span(), format!("invalid port protocol `{p}`"), "use `tcp`, `udp` or `udp,tcp`");
        None
    }
}
