//! Query parameters as Marathon reads them: repeated keys, case-insensitive booleans.

use axum::http::Uri;

use super::ApiError;

/// The decoded query string of a request.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes the query of `uri`.
    pub(crate) fn from_uri(uri: &Uri) -> Self {
        Params(url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()).into_owned().collect())
    }

    /// The first value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, comma-separated values split.
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// A boolean: `true`/`false` in any case; a bare key means true; absent gives `default`.
    pub(crate) fn flag(&self, key: &str, default: bool) -> Result<bool, ApiError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) if v.is_empty() || v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(ApiError::bad_request(format!(
                "Invalid value '{v}' for query parameter '{key}': expected true or false"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_are_case_insensitive() {
        let p = Params::from_uri(&"/x?force=False&scale=TRUE&wipe".parse().unwrap());
        assert!(!p.flag("force", true).unwrap());
        assert!(p.flag("scale", false).unwrap());
        assert!(p.flag("wipe", false).unwrap());
        assert!(p.flag("absent", true).unwrap());
        assert!(Params::from_uri(&"/x?force=maybe".parse().unwrap()).flag("force", false).is_err());
    }

    #[test]
    fn repeated_and_comma_separated_values() {
        let p = Params::from_uri(&"/x?embed=apps.tasks,apps.counts&embed=apps.deployments".parse().unwrap());
        assert_eq!(p.all("embed"), ["apps.tasks", "apps.counts", "apps.deployments"]);
    }
}
