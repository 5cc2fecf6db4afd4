//! What every command runs with: the terminal, and the settings resolved once from the global
//! flags and their environment mirrors, with the clients built from them on first use.
//!
//! This is the only place that reads [`GlobalArgs`] (ripgrep's `hiargs` step): the flags become
//! [`marathon::Options`] and [`etcd::Options`] here, so `marathon/` and `etcd/` never see the
//! command line. Nothing connects until a command asks: `render` and `validate` never touch the
//! network, and a command that fails on its input changes nothing.

use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::OnceCell;

use crate::cli::GlobalArgs;
use crate::output::Output;
use crate::rollout::live::Snapshot;
use crate::{etcd, marathon, mesos};

/// Settings and clients shared by every command; built once in [`crate::run`].
#[derive(Debug)]
pub struct Context {
    /// The terminal.
    pub out: Output,
    /// `--namespace`/`THESEUS_NAMESPACE` as given (validated where it is used).
    namespace: Option<String>,
    /// Whether `namespace` came from `THESEUS_NAMESPACE` (which may not override a spec's).
    namespace_from_env: bool,
    marathon_options: marathon::Options,
    etcd_options: etcd::Options,
    /// Who this process is, for the holder of the etcd locks it takes: `theseus update (by alice)`.
    pub owner: String,
    /// Who asks, as control requests and pauses name it: `$USER@hostname` (`alice@ci-7`).
    pub requester: String,
    marathon: OnceLock<marathon::Client>,
    etcd: OnceCell<etcd::Driver>,
    /// Whether `-o json` or `-o jsonl` asks for JSON (for commands that stream rows).
    json_output: Option<crate::cli::Format>,
    /// `--mesos`/`THESEUS_MESOS_URL`, if given.
    mesos_url: Option<url::Url>,
    /// `--log-lines`: lines of each failed task's stderr and stdout in a failure's evidence.
    log_lines: usize,
    mesos: OnceCell<mesos::Client>,
    /// The subscription to Marathon's event stream that wakes the command's waits, opened by
    /// the first wait.
    wakeup: crate::rollout::Wakeup,
}

/// The Marathon options given by the global flags.
fn marathon_options(g: &GlobalArgs) -> marathon::Options {
    marathon::Options {
        urls: g.marathon.clone(),
        user: g.marathon_user.clone(),
        password: g.marathon_password.clone(),
        token: g.marathon_token.clone(),
        ca: g.marathon_ca.clone(),
        timeout: g.request_timeout,
        attempts: 4,
        backoff: Duration::from_millis(250),
    }
}

/// The etcd options given by the global flags.
fn etcd_options(g: &GlobalArgs) -> etcd::Options {
    etcd::Options {
        endpoints: g.etcd.iter().map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()).collect(),
        user: g.etcd_user.clone(),
        password: g.etcd_password.clone(),
        ca: g.etcd_ca.clone(),
        cert: g.etcd_cert.clone(),
        key: g.etcd_key.clone(),
        prefix: g.etcd_prefix.clone(),
        connect_timeout: g.request_timeout,
        request_timeout: g.request_timeout,
        lock_ttl: g.lock_ttl,
    }
}

impl Context {
    /// Resolves the global flags for the subcommand `command`; does no I/O.
    pub fn new(global: &GlobalArgs, out: Output, command: &str) -> Self {
        let owner = match std::env::var("USER").ok().filter(|u| !u.is_empty()) {
            Some(user) => format!("theseus {command} (by {user})"),
            None => format!("theseus {command}"),
        };
        Context {
            owner,
            requester: requester(),
            out,
            namespace: global.namespace.clone(),
            namespace_from_env: global.namespace_from_env,
            marathon_options: marathon_options(global),
            etcd_options: etcd_options(global),
            marathon: OnceLock::new(),
            etcd: OnceCell::new(),
            json_output: Some(global.output)
                .filter(|f| matches!(f, crate::cli::Format::Json | crate::cli::Format::Jsonl)),
            mesos_url: global.mesos.clone(),
            log_lines: global.log_lines,
            mesos: OnceCell::new(),
            wakeup: crate::rollout::Wakeup::new(marathon_options(global)),
        }
    }

    /// The Marathon client, built on first use (reads `--marathon-ca`; connects lazily).
    pub fn marathon(&self) -> anyhow::Result<&marathon::Client> {
        if let Some(client) = self.marathon.get() {
            return Ok(client);
        }
        let client = marathon::Client::new(&self.marathon_options).context("setting up Marathon")?;
        Ok(self.marathon.get_or_init(|| client))
    }

    /// The etcd driver, connected on first use. (Its errors name the endpoints already.)
    pub async fn etcd(&self) -> Result<&etcd::Driver, etcd::Error> {
        self.etcd.get_or_try_init(|| async { etcd::Driver::connect(&self.etcd_options).await }).await
    }

    /// The scope of a command that changes groups: Marathon, etcd, the namespace, `timing`, the
    /// failed tasks' logs in a failure's evidence (`--log-lines`), and the event stream that
    /// wakes its waits.
    pub fn scope<'a>(
        &'a self,
        etcd: &'a etcd::Driver,
        namespace: &'a str,
        timing: crate::rollout::Timing,
    ) -> anyhow::Result<crate::rollout::Scope<'a>> {
        Ok(crate::rollout::Scope::new(self.marathon()?, etcd, namespace, timing, &self.owner)
            .with_logs(self, self.log_lines)
            .with_wakeup(&self.wakeup))
    }

    /// The Mesos client, built on first use: of the master `--mesos` names, else of the one
    /// Marathon's `/v2/info` names (one request), with Marathon's credentials and CA.
    pub async fn mesos(&self) -> anyhow::Result<&mesos::Client> {
        self.mesos
            .get_or_try_init(|| async {
                let master = match &self.mesos_url {
                    Some(url) => url.clone(),
                    None => {
                        let info = self.marathon()?.info().await.context("asking Marathon for its Mesos master")?;
                        mesos::discovery::master_from_info(&info)?
                    }
                };
                Ok(mesos::Client::new(&self.marathon_options, master)?)
            })
            .await
    }

    /// `-o json` or `-o jsonl` when one of them is asked for, for commands whose rows stream
    /// (`logs`): JSON rows, or plain text.
    pub fn json_output(&self) -> Option<crate::cli::Format> {
        self.json_output
    }

    /// `--namespace`/`THESEUS_NAMESPACE`, if given.
    pub fn namespace_flag(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// Whether the namespace was set by `THESEUS_NAMESPACE` rather than `--namespace`.
    pub fn namespace_from_env(&self) -> bool {
        self.namespace_from_env
    }

    /// The namespace holding `service` when `--namespace` is not given: the only one Marathon
    /// has it in, else the default. Several is a [`crate::error::UserError`] asking for `--namespace`.
    pub fn namespace_of(&self, service: &str, snap: &Snapshot) -> anyhow::Result<String> {
        if let Some(ns) = &self.namespace {
            return Ok(ns.trim_matches('/').to_owned());
        }
        Ok(snap.namespace_of(service)?)
    }

    /// A future that completes on Ctrl-C (or never, if the handler cannot be installed). The
    /// handler is installed when this is called, not when the future is first polled, so a
    /// Ctrl-C between the two (e.g. while `view --watch` prints its first refresh) is not lost
    /// to the default action, which would kill the process instead of exiting 130.
    pub fn cancel(&self) -> impl std::future::Future<Output = ()> {
        let interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
        async move {
            match interrupt {
                Ok(mut signal) => {
                    if signal.recv().await.is_none() {
                        std::future::pending::<()>().await;
                    }
                }
                Err(_) => std::future::pending::<()>().await,
            }
        }
    }
}

/// `$USER@hostname` (`unknown` and `localhost` where either is not known).
fn requester() -> String {
    let user = std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "unknown".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    format!("{user}@{host}")
}

/// A failure's evidence reads the failed tasks' logs through the command's Mesos client.
impl crate::rollout::Logs for Context {
    fn mesos(
        &self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<&mesos::Client>> + Send + '_>> {
        Box::pin(Context::mesos(self))
    }
}
