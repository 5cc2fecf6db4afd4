//! Downloads an app's `fetch` URIs into the task sandbox (the Mesos fetcher): `file://` and
//! plain paths are copied, `http://` is fetched directly, `https://` through `curl`; archives are
//! extracted when asked, and `executable` sets the mode to 0755.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::marathon::types::Fetch;

use super::http1;

/// Fetches one artifact into `sandbox`.
pub(crate) async fn fetch(item: &Fetch, sandbox: &Path) -> Result<(), String> {
    let uri = item.uri.as_str();
    let name = match &item.dest_path {
        Some(d) if !d.is_empty() => d.clone(),
        _ => uri
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty())
            .unwrap_or("download")
            .split('?')
            .next()
            .unwrap_or("download")
            .to_string(),
    };
    if name.contains("..") {
        return Err(format!("destPath `{name}` leaves the sandbox"));
    }
    let dest: PathBuf = sandbox.join(&name);
    if let Some(parent) = dest.parent() {
        tokio::fs::create_dir_all(parent).await.map_err(|e| e.to_string())?;
    }
    if let Some(path) = uri.strip_prefix("file://").or_else(|| uri.starts_with('/').then_some(uri)) {
        tokio::fs::copy(path, &dest).await.map_err(|e| format!("copying {path}: {e}"))?;
    } else if uri.starts_with("http://") {
        let (host, port, path) = http1::split_url(uri).ok_or_else(|| format!("bad URI {uri}"))?;
        let resp = http1::get(&host, port, &path, Duration::from_secs(60)).await?;
        if resp.status != 200 {
            return Err(format!("{uri}: HTTP {}", resp.status));
        }
        tokio::fs::write(&dest, resp.body).await.map_err(|e| e.to_string())?;
    } else if uri.starts_with("https://") {
        run("curl", &["-fsSL", "-o", &dest.to_string_lossy(), uri], sandbox).await?;
    } else {
        return Err(format!("unsupported URI scheme: {uri}"));
    }
    if item.extract.unwrap_or(true) && is_archive(&name) {
        let file = dest.to_string_lossy().to_string();
        if name.ends_with(".zip") {
            run("unzip", &["-q", "-o", &file], sandbox).await?;
        } else {
            run("tar", &["-xf", &file], sandbox).await?;
        }
    }
    if item.executable.unwrap_or(false) {
        tokio::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o755)).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn is_archive(name: &str) -> bool {
    [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".zip"].iter().any(|ext| name.ends_with(ext))
}

async fn run(program: &str, args: &[&str], dir: &Path) -> Result<(), String> {
    let status = tokio::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .status()
        .await
        .map_err(|e| format!("{program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} {} failed: {status}", args.join(" ")))
    }
}
