//! Ownership of group subtrees (DESIGN §4): `/services/<service>/<group>` belongs to the one
//! namespace recorded in its config key (`"namespace"`, with the Marathon path in `"app_id"`).
//!
//! A command from another namespace never writes or deletes the subtree: it gets
//! [`Error::Foreign`] (exit 2) naming the owner and the fix, a separate `--etcd-prefix` per
//! namespace. Commands check under the group's lock, which all namespaces sharing a root take
//! alike, so a check and the write after it never interleave with another namespace's. A
//! service marker is deleted only while no group at all is left under it, in one transaction
//! (a range compare), so removing one namespace's last group never takes another's with it.

use std::borrow::Cow;

use etcd_client::{Compare, CompareOp, Txn, TxnOp};
use serde_json::Value;

use super::keys::prefix_end;
use super::{Driver, Error};
use crate::names::GroupKey;

/// The namespace that owns a group subtree, as its config records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// The owning namespace (Marathon path prefix, no slashes at either end).
    pub namespace: String,
    /// The Marathon path of the owning group, `/<namespace>/<service>/<group>`.
    pub group_id: String,
}

/// The namespace a group's config records as the group's owner, given its `namespace` string:
/// that string without slashes at either end; none when it is empty. The one reading of the
/// field: the commands' ownership checks ([`Owner::of_config`]), `sync`
/// ([`super::GroupRegistrations::namespace`]), `view`'s counts and `endpoints`
/// ([`config_namespace`]) all go through it, so a config written by hand means the same owner
/// to each of them.
pub(super) fn recorded_namespace(namespace: &str) -> Option<&str> {
    Some(namespace.trim_matches('/')).filter(|ns| !ns.is_empty())
}

/// [`recorded_namespace`] of a config as etcd stores it (JSON): only its `namespace` field is
/// read; a config that is not JSON, or whose `namespace` is no string, records none.
pub(super) fn config_namespace(config: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct ConfigNamespace<'a> {
        #[serde(borrow, default)]
        namespace: Option<Cow<'a, str>>,
    }
    let config: ConfigNamespace<'_> = serde_json::from_slice(config).ok()?;
    recorded_namespace(&config.namespace?).map(str::to_owned)
}

impl Owner {
    /// The owner recorded in a group's config, if it records one (configs written by hand, or
    /// before namespaces were recorded, do not).
    pub fn of_config(id: &GroupKey, config: &Value) -> Option<Owner> {
        let namespace = recorded_namespace(config.get("namespace")?.as_str()?)?.to_owned();
        let group_id = format!("/{namespace}/{}/{}", id.service(), id.group());
        Some(Owner { namespace, group_id })
    }
}

impl Driver {
    /// Who owns the group's subtree: `None` when the group is not registered or its config
    /// names no namespace.
    async fn group_owner(&self, id: &GroupKey) -> Result<Option<Owner>, Error> {
        let key = self.keys.config(id.service(), id.group());
        match self.get_value(&key).await? {
            // A config we cannot read names no owner; it is replaced by whoever owns the group.
            Some(value) => Ok(serde_json::from_slice::<Value>(&value).ok().and_then(|c| Owner::of_config(id, &c))),
            None => Ok(None),
        }
    }

    /// Fails with [`Error::Foreign`] when the group's subtree belongs to a namespace other than
    /// `namespace`. A group that is not registered, or names no owner, may be written.
    pub async fn check_owner(&self, id: &GroupKey, namespace: &str) -> Result<(), Error> {
        match self.group_owner(id).await? {
            Some(owner) if owner.namespace != namespace.trim_matches('/') => Err(Error::Foreign {
                service: id.service().to_owned(),
                group: id.group().to_owned(),
                owner: owner.namespace,
                namespace: namespace.trim_matches('/').to_owned(),
            }),
            _ => Ok(()),
        }
    }

    /// Deletes the service's marker if no group is left under it (one transaction, guarded by
    /// a compare over the whole `<service>/` range). Returns whether it was deleted.
    pub async fn remove_service_if_empty(&self, service: &str) -> Result<bool, Error> {
        crate::names::check_service(service)?;
        let (key, prefix) = (self.keys.service(service), self.keys.service_prefix(service));
        let empty = Compare::version(prefix.as_str(), CompareOp::Equal, 0).with_range(prefix_end(&prefix));
        let txn = Txn::new().when([empty]).and_then([TxnOp::delete(key.as_str(), None)]);
        let resp = self.txn(&key, txn).await?;
        Ok(resp.succeeded() && Self::deleted_any(&resp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_is_the_configs_namespace() {
        let key = GroupKey::new("hello", "backend.dev").unwrap();
        let owner = Owner::of_config(&key, &serde_json::json!({ "namespace": "/team-a/prod/" })).unwrap();
        assert_eq!(owner.namespace, "team-a/prod");
        assert_eq!(owner.group_id, "/team-a/prod/hello/backend.dev");
        assert_eq!(Owner::of_config(&key, &serde_json::json!({ "service": "hello" })), None);
        assert_eq!(Owner::of_config(&key, &serde_json::json!({ "namespace": "" })), None);
    }

    /// Every reader of a config's namespace (the commands' owner, `sync`'s registrations,
    /// `view`'s counts and `endpoints` from the stored bytes) finds the same one.
    #[test]
    fn every_reader_of_a_config_finds_the_same_namespace() {
        let key = GroupKey::new("hello", "dev").unwrap();
        for (config, want) in [
            (r#"{"namespace":"team-a"}"#, Some("team-a")),
            (r#"{"namespace":"/team-a/prod/"}"#, Some("team-a/prod")),
            (r#"{"namespace":"te\u0061m"}"#, Some("team")),
            (r#"{"namespace":"/"}"#, None),
            (r#"{"namespace":""}"#, None),
            (r#"{"namespace":3}"#, None),
            (r#"{"service":"hello"}"#, None),
        ] {
            let value: Value = serde_json::from_str(config).unwrap();
            let owner = Owner::of_config(&key, &value).map(|o| o.namespace);
            let registrations = super::super::GroupRegistrations { config: Some(value), ..Default::default() };
            assert_eq!(owner.as_deref(), want, "{config}: the commands' owner");
            assert_eq!(registrations.namespace(), want, "{config}: sync's");
            assert_eq!(config_namespace(config.as_bytes()).as_deref(), want, "{config}: view's and endpoints'");
        }
        assert_eq!(config_namespace(b"not json"), None);
    }
}
