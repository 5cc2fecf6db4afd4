//! An etcd cluster of N members on loopback (Debian `etcd-server`, or `THESEUS_TEST_ETCD`), as
//! production runs it, for fault tests: members can be killed (SIGKILL) and restarted on the
//! same ports and data, and the leader found. A one-member cluster is an etcd that can be
//! stopped and started again mid-command. Killed on drop.
#![allow(clippy::unwrap_used)]

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Member {
    name: String,
    client: u16,
    peer: u16,
    metrics: u16,
    child: Option<Child>,
}

/// A running cluster.
pub struct Cluster {
    members: Vec<Member>,
    initial: String,
    token: String,
    dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `GET path` on a member's plain-HTTP metrics port; the body, or "" on any failure.
fn metrics_get(port: u16, path: &str) -> String {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return String::new() };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes()).is_err() {
        return String::new();
    }
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    body
}

impl Cluster {
    /// Starts `n` members and waits until every one reports healthy (a leader is elected).
    /// Ports are picked free but may be taken before etcd binds them: up to three tries.
    pub fn start(n: usize) -> Cluster {
        let mut errors = Vec::new();
        for _ in 0..3 {
            match Self::try_start(n) {
                Ok(cluster) => return cluster,
                Err(e) => errors.push(e),
            }
        }
        panic!("the etcd cluster did not start:\n{}", errors.join("\n"))
    }

    fn try_start(n: usize) -> Result<Cluster, String> {
        let dir = tempfile::tempdir().unwrap();
        let members: Vec<Member> = (0..n)
            .map(|i| Member {
                name: format!("m{i}"),
                client: free_port(),
                peer: free_port(),
                metrics: free_port(),
                child: None,
            })
            .collect();
        let initial =
            members.iter().map(|m| format!("{}=http://127.0.0.1:{}", m.name, m.peer)).collect::<Vec<_>>().join(",");
        let token = format!("theseus-test-{}", std::process::id());
        let mut cluster = Cluster { members, initial, token, dir };
        for i in 0..n {
            cluster.spawn(i);
        }
        for i in 0..n {
            cluster.try_wait_healthy(i, Duration::from_secs(30))?;
        }
        Ok(cluster)
    }

    fn log_path(&self, i: usize) -> PathBuf {
        self.dir.path().join(format!("{}.log", self.members[i].name))
    }

    fn spawn(&mut self, i: usize) {
        let bin = std::env::var("THESEUS_TEST_ETCD").unwrap_or_else(|_| "etcd".into());
        let log = File::options().create(true).append(true).open(self.log_path(i)).unwrap();
        let m = &self.members[i];
        let client = format!("http://127.0.0.1:{}", m.client);
        let peer = format!("http://127.0.0.1:{}", m.peer);
        let child = Command::new(&bin)
            .args(["--name", &m.name, "--log-level", "error", "--logger", "zap", "--data-dir"])
            .arg(self.dir.path().join(format!("{}.etcd", m.name)))
            .args(["--listen-client-urls", &client, "--advertise-client-urls", &client])
            .args(["--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &peer])
            .args(["--initial-cluster", &self.initial, "--initial-cluster-token", &self.token])
            .args(["--listen-metrics-urls", &format!("http://127.0.0.1:{}", m.metrics)])
            // Fast elections: a killed leader is replaced within about a second.
            .args(["--heartbeat-interval", "50", "--election-timeout", "500"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start `{bin}`: {e}; install it with `sudo apt-get install -y etcd-server`")
            });
        self.members[i].child = Some(child);
    }

    /// Waits until member `i` reports healthy, or panics with its log.
    pub fn wait_healthy(&mut self, i: usize, limit: Duration) {
        if let Err(e) = self.try_wait_healthy(i, limit) {
            panic!("{e}");
        }
    }

    fn try_wait_healthy(&mut self, i: usize, limit: Duration) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(child) = self.members[i].child.as_mut() {
                if let Some(status) = child.try_wait().unwrap() {
                    return Err(format!("etcd {} exited with {status}: {}", self.members[i].name, self.log(i)));
                }
            }
            if metrics_get(self.members[i].metrics, "/health").contains("\"health\":\"true\"") {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("etcd {} not healthy within {limit:?}: {}", self.members[i].name, self.log(i)));
            }
            std::thread::sleep(Duration::from_millis(20)); // poll interval
        }
    }

    /// Member `i`'s log.
    pub fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.log_path(i)).unwrap_or_default()
    }

    /// Every member's client endpoint, comma-separated (`127.0.0.1:P,...`).
    pub fn endpoints(&self) -> String {
        self.members.iter().map(|m| format!("127.0.0.1:{}", m.client)).collect::<Vec<_>>().join(",")
    }

    /// Kills member `i` with SIGKILL.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.members[i].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts member `i` again on its ports and data, and waits until it is healthy.
    pub fn restart(&mut self, i: usize) {
        self.kill(i);
        self.spawn(i);
        self.wait_healthy(i, Duration::from_secs(30));
    }

    /// The member that is the leader now (by its `etcd_server_is_leader` metric), waiting up
    /// to `limit` for one.
    pub fn leader(&self, limit: Duration) -> usize {
        let deadline = Instant::now() + limit;
        loop {
            for (i, m) in self.members.iter().enumerate() {
                if m.child.is_some() && metrics_get(m.metrics, "/metrics").contains("\netcd_server_is_leader 1") {
                    return i;
                }
            }
            assert!(Instant::now() < deadline, "no etcd leader within {limit:?}");
            std::thread::sleep(Duration::from_millis(20)); // poll interval
        }
    }

    /// A member other than `i` that is running.
    pub fn other_than(&self, i: usize) -> usize {
        (0..self.members.len()).find(|&j| j != i && self.members[j].child.is_some()).unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.members.len() {
            self.kill(i);
        }
    }
}
