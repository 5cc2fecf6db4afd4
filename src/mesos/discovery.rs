//! Where the Mesos master's HTTP API is: `--mesos URL` when given, else what Marathon's
//! `/v2/info` names (`InfoResource.scala` in Marathon): `marathon_config.mesos_leader_ui_url`,
//! the leading master's `http://HOST:PORT/` (`MutableMesosLeaderInfo.onNewMasterInfo` in
//! `mesosphere/util/state/MesosLeaderInfo.scala`), else `marathon_config.master` when that is
//! an HTTP URL or a bare `HOST:PORT`. A `zk://` master cannot be asked over HTTP without a
//! ZooKeeper client: then `--mesos` is needed.

use serde_json::Value;
use url::Url;

use super::Error;

/// The master's base URL named by Marathon's `/v2/info` answer `info`.
pub fn master_from_info(info: &Value) -> Result<Url, Error> {
    let config = info.get("marathon_config");
    let field = |name: &str| config.and_then(|c| c.get(name)).and_then(Value::as_str).map(str::trim);
    if let Some(url) = field("mesos_leader_ui_url").filter(|u| !u.is_empty()) {
        if let Some(url) = http_url(url) {
            return Ok(url);
        }
    }
    match field("master").filter(|m| !m.is_empty()) {
        Some(master) => http_url(master).ok_or_else(|| Error::NoMaster {
            message: format!(
                "Marathon's Mesos master is `{master}` and it names no leading master's HTTP address; \
                 give it with --mesos"
            ),
        }),
        None => Err(Error::NoMaster {
            message: "Marathon's /v2/info names no Mesos master; give its HTTP address with --mesos".into(),
        }),
    }
}

/// `text` as an HTTP(S) base URL: an `http://` or `https://` URL, or a bare `HOST:PORT`
/// (Marathon's `--master` takes both). `zk://...` and anything else is `None`.
pub fn http_url(text: &str) -> Option<Url> {
    let with_scheme = if text.contains("://") { text.to_owned() } else { format!("http://{text}") };
    let url = Url::parse(&with_scheme).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some()).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/tests/fixtures/mesos/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    #[test]
    fn the_leader_ui_url_wins_over_a_zk_master() {
        let url = master_from_info(&fixture("marathon-info-leader-url.json")).unwrap();
        assert_eq!(url.as_str(), "http://10.0.0.2:5050/");
    }

    #[test]
    fn an_http_master_is_used_when_no_leader_is_known() {
        let url = master_from_info(&fixture("marathon-info-http-master.json")).unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:5050/");
    }

    #[test]
    fn a_zk_master_alone_is_an_error_naming_the_flag() {
        let err = master_from_info(&fixture("marathon-info-zk-only.json")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("zk://zk-1.example.com:2181/mesos") && text.contains("--mesos"), "{text}");
        assert!(matches!(err, Error::NoMaster { .. }));
    }

    #[test]
    fn no_config_at_all_is_an_error_naming_the_flag() {
        let err = master_from_info(&serde_json::json!({"name": "marathon"})).unwrap_err();
        assert!(err.to_string().contains("--mesos"), "{err}");
    }

    #[test]
    fn bare_host_port_is_http_and_other_schemes_are_not() {
        assert_eq!(http_url("10.0.0.2:5050").unwrap().as_str(), "http://10.0.0.2:5050/");
        assert_eq!(http_url("https://m.example.com").unwrap().as_str(), "https://m.example.com/");
        assert!(http_url("zk://zk:2181/mesos").is_none());
        assert!(http_url("file:///etc/passwd").is_none());
    }
}
