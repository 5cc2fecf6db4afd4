//! A task's `stdout` and `stderr`: the engine reads the task's pipes and writes the sandbox
//! files, rotating each at [`LOG_ROTATE_BYTES`] to `<name>.1` (one old file kept), as Mesos'
//! `LogrotateContainerLogger` does, so a chatty task cannot fill the disk.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use crate::local::limits::LOG_ROTATE_BYTES;
use crate::local::Shared;

/// Copies `pipe` into `path` until the task closes it.
pub(crate) fn pump(shared: &Arc<Shared>, pipe: impl AsyncRead + Unpin + Send + 'static, path: PathBuf) {
    shared.spawn("log writer", async move {
        if let Err(e) = copy_rotating(pipe, &path, LOG_ROTATE_BYTES).await {
            tracing::warn!(target: "theseus::local", "task log {}: {e}", path.display());
        }
    });
}

async fn copy_rotating(mut pipe: impl AsyncRead + Unpin, path: &PathBuf, limit: u64) -> std::io::Result<()> {
    let mut file = tokio::fs::File::create(path).await?;
    let mut written = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = pipe.read(&mut buf).await?;
        if n == 0 {
            return file.flush().await;
        }
        let mut chunk = &buf[..n];
        while !chunk.is_empty() {
            let room = usize::try_from(limit.saturating_sub(written)).unwrap_or(usize::MAX).max(1);
            let (now, rest) = chunk.split_at(room.min(chunk.len()));
            file.write_all(now).await?;
            written += now.len() as u64;
            chunk = rest;
            if written >= limit {
                file.flush().await?;
                let mut old = path.clone().into_os_string();
                old.push(".1");
                tokio::fs::rename(path, &old).await?;
                file = tokio::fs::File::create(path).await?;
                written = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn output_rotates_and_keeps_one_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stdout");
        let data: Vec<u8> = (0..2500u32).map(|i| (i % 251) as u8).collect();
        copy_rotating(&data[..], &path, 1000).await.unwrap();
        let (current, old) = (std::fs::read(&path).unwrap(), std::fs::read(dir.path().join("stdout.1")).unwrap());
        assert_eq!(current, data[2000..], "the live file holds the newest bytes");
        assert_eq!(old, data[1000..2000], "one rotated file, the older ones are gone");
        assert!(!dir.path().join("stdout.2").exists());
    }
}
