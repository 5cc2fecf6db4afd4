//! Mesos's `/files` endpoints over the directories an agent has attached (its task sandboxes),
//! as Mesos's `FilesProcess` serves them (src/files/files.cpp in Mesos's source): `resolve`
//! maps a requested path onto an attached directory, `read`, `browse` and `download` answer
//! with Mesos's statuses and texts.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Why a `/files` request fails, with the status `FilesProcess` answers it with.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FilesError {
    /// 400 with Mesos's text (`FilesError::Type::INVALID`, or a malformed query).
    Invalid(String),
    /// 404 with an empty body: no attached directory holds the path (`FilesError::Type::NOT_FOUND`).
    NotFound,
    /// 500 with Mesos's text (`FilesError::Type::UNKNOWN`).
    Unknown(String),
}

impl IntoResponse for FilesError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            FilesError::Invalid(text) => (StatusCode::BAD_REQUEST, text),
            FilesError::NotFound => (StatusCode::NOT_FOUND, String::new()),
            FilesError::Unknown(text) => (StatusCode::INTERNAL_SERVER_ERROR, text),
        };
        (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
    }
}

/// Maps a requested path onto the attached directories, as `FilesProcess::resolve` does: the
/// longest attached prefix of the path wins and the rest is looked up inside it, canonicalized
/// (`..`, symlinks); a result outside that directory is an error ("'PATH' is inaccessible", a
/// 400), a path under no attached directory or naming nothing is `None` (a 404). Mesos compares
/// the canonical path to the directory as strings; this compares whole path components, so a
/// sibling sandbox whose name extends this one's (`…_app.1` and `…_app.10`) stays out too.
pub(crate) fn resolve(attached: &[PathBuf], path: &str) -> Result<Option<PathBuf>, FilesError> {
    let mut prefix = path.trim_end_matches('/');
    let mut suffix = String::new();
    loop {
        if let Some(dir) = attached.iter().find(|d| d.as_os_str() == prefix && !prefix.is_empty()) {
            if !dir.is_dir() {
                return Ok(if suffix.is_empty() { Some(dir.clone()) } else { None });
            }
            let joined = dir.join(&suffix);
            return match std::fs::canonicalize(&joined) {
                Ok(real) if real.starts_with(dir) => Ok(Some(real)),
                Ok(_) => Err(FilesError::Invalid(format!("'{}' is inaccessible.\n", joined.display()))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(FilesError::Invalid(format!(
                    "Failed to determine canonical path of '{}': {e}.\n",
                    joined.display()
                ))),
            };
        }
        let Some(cut) = prefix.rfind('/') else { return Ok(None) };
        let last = &prefix[cut + 1..];
        suffix = if suffix.is_empty() { last.to_string() } else { format!("{last}/{suffix}") };
        prefix = &prefix[..cut];
    }
}

/// The `path` query parameter, required by every `/files` endpoint.
pub(crate) fn path_param(query: &[(String, String)]) -> Result<&str, FilesError> {
    query
        .iter()
        .find(|(k, _)| k == "path")
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| FilesError::Invalid("Expecting 'path=value' in query.\n".into()))
}

fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The most `read` returns at once: 16 pages, as `FilesProcess::_read` caps it.
fn max_read() -> u64 {
    // SAFETY: sysconf(3) only reads a system constant.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(page).unwrap_or(4096).max(1) * 16
}

/// `GET /files/read?path=&offset=&length=`, as `FilesProcess::__read`/`_read` answer it:
/// `{"data", "offset"}`. No offset (or `-1`) returns the file's size as `offset` with no data;
/// an offset at or past the end returns no data; `length` missing or `-1` reads to the end, at
/// most 16 pages; an offset below -1 or a length below -1 is a 400.
pub(crate) fn read(attached: &[PathBuf], query: &[(String, String)]) -> Result<Value, FilesError> {
    let path = path_param(query)?;
    let offset: i64 = match param(query, "offset") {
        None => -1,
        Some(raw) => {
            let n = number(raw).map_err(|e| FilesError::Invalid(format!("Failed to parse offset: {e}.\n")))?;
            if n < -1 {
                return Err(FilesError::Invalid(format!("Negative offset provided: {n}.\n")));
            }
            n
        }
    };
    let mut length: Option<u64> = match param(query, "length") {
        None => None,
        Some(raw) => {
            let n = number(raw).map_err(|e| FilesError::Invalid(format!("Failed to parse length: {e}.\n")))?;
            if n < -1 {
                return Err(FilesError::Invalid(format!("Negative length provided: {n}.\n")));
            }
            u64::try_from(n).ok()
        }
    };
    let start = if offset == -1 {
        length = Some(0);
        0
    } else {
        offset.unsigned_abs()
    };
    let resolved = resolve(attached, path)?.ok_or(FilesError::NotFound)?;
    if resolved.is_dir() {
        return Err(FilesError::Invalid("Cannot read a directory.\n".into()));
    }
    let (size, data) = read_range(&resolved, start, length)?;
    Ok(json!({ "data": data, "offset": if offset == -1 { size } else { start } }))
}

/// Mesos's `numify`: a decimal integer, else "Failed to convert 'RAW' to number".
fn number(raw: &str) -> Result<i64, String> {
    raw.trim().parse::<i64>().map_err(|_| format!("Failed to convert '{raw}' to number"))
}

fn read_range(file: &Path, offset: u64, length: Option<u64>) -> Result<(u64, String), FilesError> {
    use std::io::{Read, Seek, SeekFrom};
    let open_error =
        |e: std::io::Error| FilesError::Unknown(format!("Failed to open file at '{}': {e}.\n", file.display()));
    let mut f = std::fs::File::open(file).map_err(open_error)?;
    let size = f.seek(SeekFrom::End(0)).map_err(open_error)?;
    if offset >= size {
        return Ok((size, String::new()));
    }
    let length = length.unwrap_or(size - offset).min(max_read());
    if length == 0 {
        return Ok((size, String::new()));
    }
    f.seek(SeekFrom::Start(offset))
        .map_err(|e| FilesError::Unknown(format!("Failed to seek file at '{}': {e}", file.display())))?;
    let mut buf = Vec::new();
    f.take(length)
        .read_to_end(&mut buf)
        .map_err(|e| FilesError::Unknown(format!("Failed to read file at '{}': {e}", file.display())))?;
    // Mesos sends the bytes as a JSON string; bytes that are not UTF-8 cannot be one here.
    Ok((size, String::from_utf8_lossy(&buf).into_owned()))
}

/// `GET /files/browse?path=DIR`, as `FilesProcess::browse` answers it: one entry per file in
/// the directory, sorted by path, each as Mesos's `model(FileInfo)` (src/common/http.cpp) with
/// the entry's path under the requested one.
pub(crate) fn browse(attached: &[PathBuf], query: &[(String, String)]) -> Result<Value, FilesError> {
    let path = path_param(query)?;
    let resolved = resolve(attached, path)?.ok_or(FilesError::NotFound)?;
    let mut entries: Vec<(PathBuf, Value)> = Vec::new();
    for entry in std::fs::read_dir(&resolved).into_iter().flatten().flatten() {
        let full = entry.path();
        // `stat`, not `lstat`, as Mesos: a link shows what it points to; a dangling one is skipped.
        let Ok(meta) = std::fs::metadata(&full) else { continue };
        let name = entry.file_name().to_string_lossy().into_owned();
        let shown = format!("{}/{name}", path.trim_end_matches('/'));
        entries.push((full, file_info(&shown, &meta)));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Value::Array(entries.into_iter().map(|(_, v)| v).collect()))
}

fn file_info(path: &str, meta: &std::fs::Metadata) -> Value {
    json!({
        "path": path,
        "nlink": meta.nlink(),
        "size": meta.size(),
        "mtime": meta.mtime(),
        "mode": mode_string(meta.permissions().mode()),
        "uid": user_name(meta.uid()),
        "gid": group_name(meta.gid()),
    })
}

/// `-rw-r--r--`, as `model(FileInfo)` writes a mode.
fn mode_string(mode: u32) -> String {
    let kind = match mode & libc::S_IFMT {
        libc::S_IFDIR => 'd',
        libc::S_IFCHR => 'c',
        libc::S_IFBLK => 'b',
        libc::S_IFIFO => 'p',
        libc::S_IFLNK => 'l',
        libc::S_IFSOCK => 's',
        _ => '-',
    };
    let bits = ['r', 'w', 'x'];
    let mut out = String::from(kind);
    for shift in [6u32, 3, 0] {
        for (i, c) in bits.iter().enumerate() {
            out.push(if mode >> shift & (4 >> i) != 0 { *c } else { '-' });
        }
    }
    out
}

/// The user's name, else the number (`createFileInfo`, src/common/protobuf_utils.cpp).
fn user_name(uid: u32) -> String {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: getpwuid_r(3) writes into the zeroed struct and the buffer we own, of the length given.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc == 0 && !result.is_null() && !pwd.pw_name.is_null() {
        // SAFETY: on success pw_name points to a NUL-terminated string inside `buf`.
        return unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) }.to_string_lossy().into_owned();
    }
    uid.to_string()
}

/// The group's name, else the number (`createFileInfo`).
fn group_name(gid: u32) -> String {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: getgrgid_r(3) writes into the zeroed struct and the buffer we own, of the length given.
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::group = std::ptr::null_mut();
    let rc = unsafe { libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc == 0 && !result.is_null() && !grp.gr_name.is_null() {
        // SAFETY: on success gr_name points to a NUL-terminated string inside `buf`.
        return unsafe { std::ffi::CStr::from_ptr(grp.gr_name) }.to_string_lossy().into_owned();
    }
    gid.to_string()
}

/// `GET /files/download?path=FILE`, as `FilesProcess::_download` answers it: the bytes, as
/// `application/octet-stream` with `Content-Disposition: attachment; filename=NAME`.
pub(crate) fn download(attached: &[PathBuf], query: &[(String, String)]) -> Result<Response, FilesError> {
    let path = path_param(query)?;
    let resolved = resolve(attached, path)?.ok_or(FilesError::NotFound)?;
    if resolved.is_dir() {
        return Err(FilesError::Invalid("Cannot download a directory.\n".into()));
    }
    let bytes = std::fs::read(&resolved)
        .map_err(|e| FilesError::Unknown(format!("Failed to open file at '{}': {e}.\n", resolved.display())))?;
    let name = resolved.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let disposition = format!("attachment; filename={name}");
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/octet-stream".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn sandboxes() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(root.path()).unwrap();
        let (a, a10) = (base.join("t._app.1"), base.join("t._app.10"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&a10).unwrap();
        std::fs::write(a.join("stdout"), "0123456789").unwrap();
        std::fs::write(a10.join("stdout"), "other").unwrap();
        std::fs::write(base.join("secret"), "no").unwrap();
        (root, a, a10)
    }

    #[test]
    fn resolve_stays_inside_the_attached_directory() {
        let (_root, a, a10) = sandboxes();
        let attached = vec![a.clone()];
        let s = |p: PathBuf| p.to_string_lossy().into_owned();
        assert_eq!(resolve(&attached, &s(a.join("stdout"))).unwrap(), Some(a.join("stdout")));
        assert_eq!(resolve(&attached, &format!("{}/", s(a.clone()))).unwrap(), Some(a.clone()));
        assert_eq!(resolve(&attached, &s(a.join("missing"))).unwrap(), None);
        assert_eq!(resolve(&attached, &s(a10.join("stdout"))).unwrap(), None, "a sibling is not attached");
        let escape = resolve(&attached, &format!("{}/../secret", s(a.clone()))).unwrap_err();
        assert!(matches!(&escape, FilesError::Invalid(t) if t.ends_with("' is inaccessible.\n")), "{escape:?}");
        let sibling = resolve(&attached, &format!("{}/../t._app.10/stdout", s(a.clone()))).unwrap_err();
        assert!(matches!(sibling, FilesError::Invalid(_)));
        std::os::unix::fs::symlink(a10.join("stdout"), a.join("link")).unwrap();
        assert!(matches!(resolve(&attached, &s(a.join("link"))), Err(FilesError::Invalid(_))));
        assert_eq!(resolve(&attached, "/etc/passwd").unwrap(), None);
    }

    #[test]
    fn read_follows_mesos_offsets_and_lengths() {
        let (_root, a, _) = sandboxes();
        let attached = vec![a.clone()];
        let file = a.join("stdout").to_string_lossy().into_owned();
        let read = |extra: &[(&str, &str)]| {
            let mut pairs = vec![("path", file.as_str())];
            pairs.extend_from_slice(extra);
            super::read(&attached, &q(&pairs))
        };
        assert_eq!(read(&[]).unwrap(), json!({"data": "", "offset": 10}));
        assert_eq!(read(&[("offset", "-1")]).unwrap(), json!({"data": "", "offset": 10}));
        assert_eq!(read(&[("offset", "2"), ("length", "3")]).unwrap(), json!({"data": "234", "offset": 2}));
        assert_eq!(read(&[("offset", "7")]).unwrap(), json!({"data": "789", "offset": 7}));
        assert_eq!(read(&[("offset", "7"), ("length", "-1")]).unwrap(), json!({"data": "789", "offset": 7}));
        assert_eq!(read(&[("offset", "50")]).unwrap(), json!({"data": "", "offset": 50}));
        assert_eq!(
            read(&[("offset", "-2")]).unwrap_err(),
            FilesError::Invalid("Negative offset provided: -2.\n".into())
        );
        assert_eq!(
            read(&[("offset", "0"), ("length", "-5")]).unwrap_err(),
            FilesError::Invalid("Negative length provided: -5.\n".into())
        );
        assert_eq!(
            read(&[("offset", "x")]).unwrap_err(),
            FilesError::Invalid("Failed to parse offset: Failed to convert 'x' to number.\n".into())
        );
        assert_eq!(
            super::read(&attached, &q(&[])).unwrap_err(),
            FilesError::Invalid("Expecting 'path=value' in query.\n".into())
        );
        let dir = a.to_string_lossy().into_owned();
        assert_eq!(
            super::read(&attached, &q(&[("path", &dir), ("offset", "0")])).unwrap_err(),
            FilesError::Invalid("Cannot read a directory.\n".into())
        );
    }

    #[test]
    fn modes_read_as_ls_writes_them() {
        assert_eq!(mode_string(libc::S_IFREG | 0o644), "-rw-r--r--");
        assert_eq!(mode_string(libc::S_IFDIR | 0o755), "drwxr-xr-x");
    }
}
