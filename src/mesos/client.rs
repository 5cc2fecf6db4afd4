//! The HTTP side: the master's `/master/slaves`, an agent's `/state` and `/files/read`, over a
//! reqwest client built by `marathon::Options::http_builder` (the Marathon client's
//! credentials, CA and timeouts).

use std::time::Duration;

use serde::de::DeserializeOwned;
use url::Url;

use super::agents::Agent;
use super::tail::{Tail, CHUNK};
use super::wire::{AgentState, FileRead, Slaves};
use super::Error;
use crate::marathon;

/// A client of one Mesos master and its agents.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    master: Url,
}

impl Client {
    /// A client of the master at `master`, with the auth, TLS and timeout of `opts`.
    pub fn new(opts: &marathon::Options, master: Url) -> Result<Client, Error> {
        let https = master.scheme() == "https";
        let timeout = if opts.timeout.is_zero() { Duration::from_secs(10) } else { opts.timeout };
        let http = opts
            .http_builder(https)
            .map_err(|e| Error::Setup(e.to_string()))?
            .timeout(timeout)
            .build()
            .map_err(|e| Error::Setup(e.to_string()))?;
        Ok(Client { http, master })
    }

    /// The master's base URL.
    pub fn master(&self) -> &Url {
        &self.master
    }

    /// `GET /master/slaves` of the master.
    pub async fn slaves(&self) -> Result<Slaves, Error> {
        let url = self.master.join("master/slaves").map_err(|e| Error::Setup(e.to_string()))?;
        self.get(url).await
    }

    /// `GET /state` of `agent`.
    pub async fn agent_state(&self, agent: &Agent) -> Result<AgentState, Error> {
        self.get(self.agent_url(agent, "state")?).await
    }

    /// `GET /files/read?path&offset&length` of `agent`: at most `length` bytes at `offset`
    /// (fewer at the end of the file, or past Mesos's cap on one read).
    pub async fn read(&self, agent: &Agent, path: &str, offset: u64, length: u64) -> Result<FileRead, Error> {
        let mut url = self.agent_url(agent, "files/read")?;
        url.query_pairs_mut()
            .append_pair("path", path)
            .append_pair("offset", &offset.to_string())
            .append_pair("length", &length.to_string());
        self.get(url).await
    }

    /// The size of `path` on `agent` (`offset=-1`, as Mesos's web UI pailer asks).
    pub async fn size(&self, agent: &Agent, path: &str) -> Result<u64, Error> {
        let mut url = self.agent_url(agent, "files/read")?;
        url.query_pairs_mut().append_pair("path", path).append_pair("offset", "-1");
        Ok(self.get::<FileRead>(url).await?.offset)
    }

    /// The bytes `offset..offset + length` of `path`, in as many reads as Mesos needs; fewer
    /// when the file is shorter.
    pub async fn read_window(&self, agent: &Agent, path: &str, offset: u64, length: u64) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(length as usize);
        while (out.len() as u64) < length {
            let at = offset + out.len() as u64;
            let read = self.read(agent, path, at, length - out.len() as u64).await?;
            if read.data.is_empty() {
                break;
            }
            out.extend_from_slice(read.data.as_bytes());
        }
        Ok(out)
    }

    /// The last `lines` lines of `path` (read backwards in chunks, never the whole file) and
    /// the offset after them, where following goes on.
    pub async fn tail(&self, agent: &Agent, path: &str, lines: usize) -> Result<(Vec<u8>, u64), Error> {
        let size = self.size(agent, path).await?;
        let mut tail = Tail::new(size, lines, CHUNK);
        while let Some((offset, length)) = tail.next_read() {
            let data = self.read_window(agent, path, offset, length).await?;
            if data.len() as u64 != length {
                // The file shrank (rotated or truncated) while being read: start over at its end.
                return Ok((Vec::new(), self.size(agent, path).await?));
            }
            tail.take(offset, &data);
        }
        let end = tail.end();
        Ok((tail.into_bytes(), end))
    }

    /// The bytes of `path` from `offset` to its current end, handed to `each` one read at a
    /// time; returns the offset after them.
    pub async fn read_on(
        &self,
        agent: &Agent,
        path: &str,
        mut offset: u64,
        mut each: impl FnMut(&[u8]),
    ) -> Result<u64, Error> {
        loop {
            let read = self.read(agent, path, offset, CHUNK).await?;
            if read.data.is_empty() {
                return Ok(offset);
            }
            offset += read.data.len() as u64;
            each(read.data.as_bytes());
        }
    }

    /// `http(s)://ADDRESS/<path>` of `agent` (the master's scheme).
    fn agent_url(&self, agent: &Agent, path: &str) -> Result<Url, Error> {
        Url::parse(&format!("{}://{}/{path}", self.master.scheme(), agent.address))
            .map_err(|e| Error::Setup(format!("agent address `{}`: {e}", agent.address)))
    }

    /// One GET, its JSON body decoded.
    async fn get<T: DeserializeOwned>(&self, url: Url) -> Result<T, Error> {
        let shown = shown(&url);
        let started = std::time::Instant::now();
        let unreachable = |e: reqwest::Error| Error::Unreachable { url: shown.clone(), reason: reason(&e) };
        let resp = self.http.get(url).header("Accept", "application/json").send().await.map_err(unreachable)?;
        let status = resp.status();
        tracing::info!(target: "theseus::mesos", "GET {shown} -> {} in {:.1?}", status.as_u16(), started.elapsed());
        let body = resp.bytes().await.map_err(unreachable)?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&body);
            let body: String = text.trim().chars().take(200).collect();
            return Err(Error::Api { url: shown, status: status.as_u16(), body });
        }
        match serde_json::from_slice(&body) {
            Ok(value) => Ok(value),
            // A file's bytes that are not UTF-8 may come as they are, which is not JSON.
            Err(_) => serde_json::from_str(&String::from_utf8_lossy(&body))
                .map_err(|e| Error::Decode { url: shown, reason: e.to_string() }),
        }
    }
}

/// `url` without its query or credentials, for messages.
fn shown(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port() {
        Some(port) => format!("{}://{host}:{port}{}", url.scheme(), url.path()),
        None => format!("{}://{host}{}", url.scheme(), url.path()),
    }
}

/// reqwest's error with its causes (`error sending request: connection refused`).
fn reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else {
        crate::marathon::with_causes(e)
    }
}
