//! Downloads an app's `fetch` URIs into the task sandbox (the Mesos fetcher): `file://` and
//! plain paths are copied, `http://` and `https://` are streamed to the file with the engine's
//! fetch clients ([`HttpClients`]); archives are extracted when asked, and `executable` sets the
//! mode to 0755.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;

use crate::marathon::types::Fetch;

use crate::local::http_clients::HttpClients;
use crate::marathon::with_causes;

/// Fetches one artifact into `sandbox`.
pub(crate) async fn fetch(http: &HttpClients, item: &Fetch, sandbox: &Path) -> Result<(), String> {
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
    // Mesos' `CommandInfo.URI.output_file` "must be a relative path" inside the sandbox
    // (M:src/main/protobuf/mesos/mesos.proto): no root, no `..`.
    if !Path::new(&name)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir))
    {
        return Err(format!("destPath `{name}` must be a relative path inside the sandbox"));
    }
    let dest: PathBuf = sandbox.join(&name);
    if let Some(parent) = dest.parent() {
        tokio::fs::create_dir_all(parent).await.map_err(|e| e.to_string())?;
    }
    if let Some(path) = uri.strip_prefix("file://").or_else(|| uri.starts_with('/').then_some(uri)) {
        tokio::fs::copy(path, &dest).await.map_err(|e| format!("copying {path}: {e}"))?;
    } else if let Some(client) = http.fetch_client(uri) {
        download(client, uri, &dest).await?;
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

/// Streams `GET uri` into `dest`. An `http://` answer must be 200 (its client follows no
/// redirect); an `https://` one, after redirects, must be below 400 (as `curl -f` did).
async fn download(client: &reqwest::Client, uri: &str, dest: &Path) -> Result<(), String> {
    let mut resp = client.get(uri).send().await.map_err(|e| format!("{uri}: {}", with_causes(&e)))?;
    let status = resp.status().as_u16();
    let ok = if uri.starts_with("http://") { status == 200 } else { status < 400 };
    if !ok {
        return Err(format!("{uri}: HTTP {status}"));
    }
    let mut file =
        tokio::fs::File::create(dest).await.map_err(|e| format!("{uri}: creating {}: {e}", dest.display()))?;
    while let Some(chunk) = resp.chunk().await.map_err(|e| format!("{uri}: {}", with_causes(&e)))? {
        file.write_all(&chunk).await.map_err(|e| format!("{uri}: writing {}: {e}", dest.display()))?;
    }
    file.flush().await.map_err(|e| format!("{uri}: writing {}: {e}", dest.display()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::http_clients::testing::{response, serve};

    fn item(uri: String) -> Fetch {
        Fetch { uri, ..Default::default() }
    }

    #[tokio::test]
    async fn http_fetch_streams_the_body_into_the_sandbox() {
        let http = HttpClients::new().unwrap();
        let body = "x".repeat(200_000);
        let port = serve(response("200 OK", "", &body)).await;
        let sandbox = tempfile::tempdir().unwrap();
        fetch(&http, &item(format!("http://127.0.0.1:{port}/dir/data.bin?v=1")), sandbox.path()).await.unwrap();
        assert_eq!(std::fs::read_to_string(sandbox.path().join("data.bin")).unwrap(), body);
    }

    #[tokio::test]
    async fn dest_paths_stay_inside_the_sandbox() {
        let http = HttpClients::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (sandbox, outside) = (dir.path().join("sandbox"), dir.path().join("outside"));
        std::fs::create_dir_all(&sandbox).unwrap();
        let source = dir.path().join("artifact.txt");
        std::fs::write(&source, "data").unwrap();
        for dest in [outside.display().to_string(), "../outside".into(), "a/../../outside".into()] {
            let item = Fetch {
                uri: format!("file://{}", source.display()),
                dest_path: Some(dest.clone()),
                ..Default::default()
            };
            let err = fetch(&http, &item, &sandbox).await.unwrap_err();
            assert!(err.contains("must be a relative path inside the sandbox"), "{dest}: {err}");
            assert!(!outside.exists(), "{dest} wrote outside the sandbox");
        }
        let item = Fetch {
            uri: format!("file://{}", source.display()),
            dest_path: Some("./sub/in.txt".into()),
            ..Default::default()
        };
        fetch(&http, &item, &sandbox).await.unwrap();
        assert_eq!(std::fs::read_to_string(sandbox.join("sub/in.txt")).unwrap(), "data");
    }

    #[tokio::test]
    async fn http_fetch_errors_name_the_uri_and_the_status() {
        let http = HttpClients::new().unwrap();
        let sandbox = tempfile::tempdir().unwrap();
        let missing = serve(response("404 Not Found", "", "nope")).await;
        let uri = format!("http://127.0.0.1:{missing}/a.txt");
        assert_eq!(fetch(&http, &item(uri.clone()), sandbox.path()).await, Err(format!("{uri}: HTTP 404")));
        assert!(!sandbox.path().join("a.txt").exists());
        // http:// follows no redirect: the 302 itself is the failure
        let moved = serve(response("302 Found", &format!("Location: http://127.0.0.1:{missing}/\r\n"), "")).await;
        let uri = format!("http://127.0.0.1:{moved}/b.txt");
        assert_eq!(fetch(&http, &item(uri.clone()), sandbox.path()).await, Err(format!("{uri}: HTTP 302")));
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let uri = format!("http://127.0.0.1:{closed}/c.txt");
        let err = fetch(&http, &item(uri.clone()), sandbox.path()).await.unwrap_err();
        assert!(err.starts_with(&format!("{uri}: ")), "{err}");
    }
}
