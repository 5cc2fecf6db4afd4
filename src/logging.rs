//! Diagnostic logs on stderr through `tracing`: off by default (warnings only), `-v` logs each
//! Marathon and etcd request, `-vv` adds debug logs; `RUST_LOG` overrides both.
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
/// ignored. `color` decides ANSI escapes in the log lines. Returns a warning to show when
/// `RUST_LOG` is set but invalid (the `-v` level is used instead).
pub fn init(verbose: u8, color: bool) -> Option<String> {
    let mut warning = None;
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::try_new(&spec).unwrap_or_else(|err| {
            warning = Some(format!("RUST_LOG={spec:?} is not a valid filter ({err}); using the -v level"));
            EnvFilter::new(default_filter(verbose))
        }),
        _ => EnvFilter::new(default_filter(verbose)),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .with_target(true)
        .try_init();
    warning
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
}
