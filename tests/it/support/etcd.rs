//! A throw-away single-node etcd on loopback, killed on drop.
//!
//! Each test starts its own (Debian `etcd-server`, or `THESEUS_TEST_ETCD`): a temp data dir,
//! free 127.0.0.1 ports (client, peer, and a plain-HTTP metrics port that serves `/health`
//! whatever the client side uses), and a health poll with a deadline. A missing binary fails
//! the test with an install hint: a skipped suite would look green.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on setup failures, as tests do

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use theseus::etcd::Options;

/// The password of the `root` user in [`Etcd::start_with_auth`].
pub const ROOT_PASSWORD: &str = "s3cret-root-pw";

/// A running etcd.
pub struct Etcd {
    child: Child,
    /// `HOST:PORT` of the client endpoint (`https://HOST:PORT` with TLS).
    pub endpoint: String,
    /// `root`'s password when started with auth.
    pub password: Option<String>,
    /// CA, client certificate and client key when started with TLS.
    pub tls: Option<TlsFiles>,
    dir: tempfile::TempDir,
    /// The command line and metrics port, so [`Etcd::restart`] starts the same member again.
    args: Vec<std::ffi::OsString>,
    metrics: u16,
}

/// PEM files for a TLS etcd.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The CA that signed the server and client certificates.
    pub ca: PathBuf,
    /// The client certificate.
    pub cert: PathBuf,
    /// The client key.
    pub key: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn etcd_bin() -> String {
    std::env::var("THESEUS_TEST_ETCD").unwrap_or_else(|_| "etcd".into())
}

impl Etcd {
    /// A plain etcd with no auth.
    pub fn start() -> Etcd {
        Self::start_inner(false)
    }

    /// An etcd with auth enabled: user `root`, password [`ROOT_PASSWORD`].
    pub fn start_with_auth() -> Etcd {
        let mut etcd = Self::start();
        let endpoint = etcd.endpoint.clone();
        // A runtime of its own on its own thread, so this works from sync and async tests.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let mut c = etcd_client::Client::connect([endpoint.as_str()], None).await.unwrap();
                c.user_add("root", ROOT_PASSWORD, None).await.unwrap();
                c.role_add("root").await.unwrap();
                c.user_grant_role("root", "root").await.unwrap();
                c.auth_enable().await.unwrap();
            });
        })
        .join()
        .expect("enabling auth on the test etcd");
        etcd.password = Some(ROOT_PASSWORD.into());
        etcd
    }

    /// An etcd serving clients over TLS with client-certificate authentication; the
    /// certificates are made with the `openssl` CLI.
    pub fn start_tls() -> Etcd {
        Self::start_inner(true)
    }

    fn start_inner(tls: bool) -> Etcd {
        match Self::try_start(tls) {
            Ok(etcd) => etcd,
            // A port picked by free_port() may have been taken meanwhile: one retry.
            Err(first) => Self::try_start(tls).unwrap_or_else(|second| panic!("etcd did not start: {first}\n{second}")),
        }
    }

    fn try_start(tls: bool) -> Result<Etcd, String> {
        let bin = etcd_bin();
        let dir = tempfile::tempdir().unwrap();
        let (client, peer, metrics) = (free_port(), free_port(), free_port());
        let scheme = if tls { "https" } else { "http" };
        let client_url = format!("{scheme}://127.0.0.1:{client}");
        let peer_url = format!("http://127.0.0.1:{peer}");
        let log = dir.path().join("etcd.log");
        let mut cmd = Command::new(&bin);
        cmd.args(["--name", "t", "--log-level", "error", "--logger", "zap", "--data-dir"])
            .arg(dir.path().join("data"))
            .args(["--listen-client-urls", &client_url, "--advertise-client-urls", &client_url])
            .args(["--listen-peer-urls", &peer_url, "--initial-advertise-peer-urls", &peer_url])
            .args(["--initial-cluster", &format!("t={peer_url}")])
            .args(["--listen-metrics-urls", &format!("http://127.0.0.1:{metrics}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).unwrap());
        let files = tls.then(|| {
            let certs = dir.path().join("certs");
            std::fs::create_dir(&certs).unwrap();
            (make_certs(&certs), certs)
        });
        if let Some((_, certs)) = &files {
            cmd.arg("--cert-file")
                .arg(certs.join("server.crt"))
                .arg("--key-file")
                .arg(certs.join("server.key"))
                .arg("--trusted-ca-file")
                .arg(certs.join("ca.crt"))
                .arg("--client-cert-auth");
        }
        let args: Vec<std::ffi::OsString> = cmd.get_args().map(ToOwned::to_owned).collect();
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!("cannot start `{bin}`: {e}; install it with `sudo apt-get install -y etcd-server` (or set THESEUS_TEST_ETCD)")
        });
        let endpoint = if tls { client_url } else { format!("127.0.0.1:{client}") };
        let tls = files.map(|(f, _)| f);
        let mut etcd = Etcd { child, endpoint, password: None, tls, dir, args, metrics };
        etcd.wait_until_healthy(metrics, Duration::from_secs(15))?;
        Ok(etcd)
    }

    fn wait_until_healthy(&mut self, metrics: u16, limit: Duration) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Err(format!("etcd exited with {status}: {}", self.log()));
            }
            if health_ok(metrics) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("etcd not healthy within {limit:?}: {}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(20)); // poll interval, not a synchronization
        }
    }

    /// Kills etcd with SIGKILL (its data stays), as a crash or a host reboot would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops etcd with SIGSTOP: its connections stay open and every request waits unanswered,
    /// as on a host that froze, until [`Etcd::resume`].
    pub fn pause(&self) {
        self.signal(libc::SIGSTOP);
    }

    /// Resumes an etcd stopped by [`Etcd::pause`].
    pub fn resume(&self) {
        self.signal(libc::SIGCONT);
    }

    fn signal(&self, signal: i32) {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) on a child we spawned and have not reaped.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "signal {signal} to etcd");
    }

    /// Starts the same member again on the same ports and data, and waits until it is healthy.
    pub fn restart(&mut self) {
        self.restart_with(&[]);
    }

    /// [`Etcd::restart`] with `extra` flags added for this run only (`--max-txn-ops 3`: an
    /// etcd that refuses bigger transactions while it answers everything else).
    pub fn restart_with(&mut self, extra: &[&str]) {
        self.kill();
        let log = std::fs::OpenOptions::new().append(true).open(self.dir.path().join("etcd.log")).unwrap();
        self.child = Command::new(etcd_bin())
            .args(&self.args)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let metrics = self.metrics;
        self.wait_until_healthy(metrics, Duration::from_secs(30)).unwrap();
    }

    /// etcd's own log (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("etcd.log")).unwrap_or_default()
    }

    /// Driver options for this etcd (credentials and TLS included), with short timeouts.
    pub fn options(&self) -> Options {
        let mut o = Options::new([self.endpoint.clone()]);
        o.connect_timeout = Duration::from_secs(5);
        o.request_timeout = Duration::from_secs(5);
        if let Some(pw) = &self.password {
            o.user = Some("root".into());
            o.password = Some(pw.as_str().into());
        }
        if let Some(tls) = &self.tls {
            o.ca = Some(tls.ca.clone());
            o.cert = Some(tls.cert.clone());
            o.key = Some(tls.key.clone());
        }
        o
    }

    /// A connected driver.
    pub async fn driver(&self) -> theseus::etcd::Driver {
        theseus::etcd::Driver::connect(&self.options()).await.unwrap()
    }

    /// A connected driver under a root prefix.
    pub async fn driver_with_prefix(&self, prefix: &str) -> theseus::etcd::Driver {
        let mut o = self.options();
        o.prefix = prefix.into();
        theseus::etcd::Driver::connect(&o).await.unwrap()
    }

    /// (container id, `host:port`) of every container registered for `service/group`, from
    /// its `info` document.
    pub fn registered(&self, service: &str, group: &str) -> Vec<(String, String)> {
        let prefix = format!("/services/{service}/{group}/containers/");
        self.dump()
            .into_iter()
            .filter(|(k, _)| k.contains(&prefix) && k.ends_with("/info"))
            .map(|(_, v)| {
                let info: serde_json::Value = serde_json::from_str(&v).unwrap();
                let addr = format!("{}:{}", info["instance_host"].as_str().unwrap(), info["instance_port"]);
                (info["instance_name"].as_str().unwrap().to_owned(), addr)
            })
            .collect()
    }

    /// Every key and value in etcd (like `etcdctl get --prefix ""`), for assertions.
    pub fn dump(&self) -> Vec<(String, String)> {
        let opts = self.options();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let mut co = etcd_client::ConnectOptions::new();
                if let Some(pw) = &opts.password {
                    co = co.with_user("root", pw.expose());
                }
                if let (Some(ca), Some(cert), Some(key)) = (&opts.ca, &opts.cert, &opts.key) {
                    let pem = |p: &PathBuf| std::fs::read(p).unwrap();
                    co = co.with_tls(
                        etcd_client::TlsOptions::new()
                            .ca_certificate(etcd_client::Certificate::from_pem(pem(ca)))
                            .identity(etcd_client::Identity::from_pem(pem(cert), pem(key))),
                    );
                }
                let mut c = etcd_client::Client::connect(&opts.endpoints, Some(co)).await.unwrap();
                let resp = c.get("", Some(etcd_client::GetOptions::new().with_all_keys())).await.unwrap();
                resp.kvs()
                    .iter()
                    .map(|kv| (kv.key_str().unwrap().to_owned(), kv.value_str().unwrap().to_owned()))
                    .collect()
            })
        })
        .join()
        .unwrap()
    }
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET /health` on the metrics port: `{"health":"true"}` once etcd serves.
fn health_ok(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
    if s.write_all(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").is_err() {
        return false;
    }
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    body.contains("\"health\":\"true\"")
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, with the openssl CLI.
fn make_certs(dir: &Path) -> TlsFiles {
    let run = |args: &[&str]| {
        let out =
            Command::new("openssl").args(args).current_dir(dir).output().unwrap_or_else(|e| {
                panic!("cannot run `openssl`: {e}; install it with `sudo apt-get install -y openssl`")
            });
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    run(&[
        &["req", "-x509"],
        &ec[..],
        &["-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=theseus-test-ca"],
    ]
    .concat());
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n",
    )
    .unwrap();
    std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
    for (name, cn) in [("server", "127.0.0.1"), ("client", "theseus-test-client")] {
        run(&[
            &["req"],
            &ec[..],
            &["-keyout", &format!("{name}.key"), "-out", &format!("{name}.csr"), "-subj", &format!("/CN={cn}")],
        ]
        .concat());
        run(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &format!("{name}.crt"),
            "-days",
            "2",
            "-extfile",
            &format!("{name}.ext"),
        ]);
    }
    TlsFiles { ca: dir.join("ca.crt"), cert: dir.join("client.crt"), key: dir.join("client.key") }
}
