//! Diagnostic logs on stderr through `tracing`: off by default (warnings only), `-v` logs each
//! Marathon and etcd request, `-vv` adds debug logs; `RUST_LOG` overrides both.
//! `--log-format json` writes each as one JSON object a line (tracing-subscriber's JSON format,
//! the event's fields flattened beside `timestamp`, `level`, `message` and `target`); the
//! status lines and errors of [`crate::output`] then take the same shape ([`json_line`]).
//!
//! Results go to stdout and status lines to stderr through [`crate::output`]; these logs are for
//! finding out what Theseus did, never for results, and never carry a secret.

use tracing_subscriber::EnvFilter;

/// The filter for a `-v` count when `RUST_LOG` is not set.
pub fn default_filter(verbose: u8) -> &'static str {
    match verbose {
        0 => "warn",
        1 => "warn,theseus=info",
        2 => "info,theseus=debug",
        _ => "debug,theseus=trace",
    }
}

/// Installs the global subscriber once; later calls (tests running commands in-process) are
/// ignored. `color` decides ANSI escapes in the text lines; `json` writes JSON lines instead.
/// Returns a warning to show when `RUST_LOG` is set but invalid (the `-v` level is used
/// instead).
pub fn init(verbose: u8, color: bool, json: bool) -> Option<String> {
    let mut warning = None;
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::try_new(&spec).unwrap_or_else(|err| {
            warning = Some(format!("RUST_LOG={spec:?} is not a valid filter ({err}); using the -v level"));
            EnvFilter::new(default_filter(verbose))
        }),
        _ => EnvFilter::new(default_filter(verbose)),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(true);
    let _ = if json {
        builder.json().flatten_event(true).with_current_span(false).with_span_list(false).try_init()
    } else {
        builder.with_ansi(color).try_init()
    };
    warning
}

/// One line in the shape of the JSON logs: `timestamp` (RFC 3339, UTC, microseconds, as
/// tracing-subscriber writes it), `level`, `message`, `target`, then `fields`.
pub fn json_line(level: &str, target: &str, message: &str, fields: serde_json::Value) -> String {
    let mut line = serde_json::Map::new();
    line.insert("timestamp".into(), chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true).into());
    line.insert("level".into(), level.into());
    line.insert("message".into(), message.into());
    if let serde_json::Value::Object(fields) = fields {
        line.extend(fields);
    }
    line.insert("target".into(), target.into());
    let mut text = serde_json::Value::Object(line).to_string();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verbosity_is_a_valid_filter_and_v_enables_request_logs() {
        for v in 0..5 {
            assert!(EnvFilter::try_new(default_filter(v)).is_ok(), "-v x{v}");
        }
        assert!(!default_filter(0).contains("theseus=info"));
        assert!(default_filter(1).contains("theseus=info"));
        assert!(default_filter(2).contains("theseus=debug"));
    }

    #[test]
    fn a_json_line_is_one_object_with_the_log_fields() {
        let line = json_line("ERROR", "theseus::error", "boom\nsecond line", serde_json::json!({"hints": ["retry"]}));
        assert_eq!(line.matches('\n').count(), 1, "{line}");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["level"], "ERROR");
        assert_eq!(v["message"], "boom\nsecond line");
        assert_eq!(v["target"], "theseus::error");
        assert_eq!(v["hints"][0], "retry");
        assert!(chrono::DateTime::parse_from_rfc3339(v["timestamp"].as_str().unwrap()).is_ok());
    }
}
