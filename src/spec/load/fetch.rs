//! Artifacts fetched into the sandbox before a task starts (Marathon's `fetch`).

use super::read::NonEmpty;
use super::toml::{Item, Layers};
use super::Loader;
use crate::spec::model::FetchSpec;

const FETCH_KEYS: &[&str] = &["location", "executable", "extract", "cache", "dest"];

impl Loader<'_> {
    /// The `fetch` list: an absolute URL per entry, and a destination inside the sandbox.
    pub(super) fn fetch(&mut self, item: &Item<'_>) -> Vec<FetchSpec> {
        let Some(list) = self.table_list("fetch", item) else { return Vec::new() };
        let mut out = Vec::new();
        for (t, span) in list {
            let layers = Layers::one(t, span.clone());
            self.check_keys(&layers, FETCH_KEYS, "a fetch entry");
            let location = match t.get("location") {
                Some(v) => self.location(v),
                None => {
                    self.err(
                        span.clone(),
                        "a fetch entry has no `location`",
                        "write `{ location = \"https://example.com/app.tgz\" }`",
                    );
                    None
                }
            };
            let executable = self.read_or(&layers, "executable", FetchSpec::DEFAULT_EXECUTABLE);
            let extract = self.read_or(&layers, "extract", FetchSpec::DEFAULT_EXTRACT);
            let cache = self.read_or(&layers, "cache", FetchSpec::DEFAULT_CACHE);
            let dest = t.get("dest").and_then(|v| self.dest(v));
            if let (Some(location), Some(executable), Some(extract), Some(cache)) =
                (location, executable, extract, cache)
            {
                out.push(FetchSpec { location, executable, extract, cache, dest });
            }
        }
        out
    }

    /// An absolute URL (`file:` included).
    fn location(&mut self, v: &Item<'_>) -> Option<String> {
        let loc = self.read::<String>(v, "location")?;
        match url::Url::parse(&loc) {
            Ok(u) if !u.cannot_be_a_base() || u.scheme() == "file" => Some(loc),
            Ok(_) | Err(_) => {
                self.err(
                    v.span(),
                    format!("`location` `{loc}` is not a valid URL"),
                    "write an absolute URL such as `https://example.com/bin/app.tgz`",
                );
                None
            }
        }
    }

    /// A relative path without `..`.
    fn dest(&mut self, v: &Item<'_>) -> Option<String> {
        let NonEmpty(d) = self.read(v, "dest")?;
        if d.starts_with('/') || d.split('/').any(|s| s == "..") {
            self.err(
                v.span(),
                format!("`dest` `{d}` must be a path inside the sandbox"),
                "use a relative path without `..`, e.g. `bin/app`",
            );
            return None;
        }
        Some(d)
    }
}
