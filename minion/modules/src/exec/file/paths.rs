//! Path helpers and directory listing: `file.basename`, `dirname`, `join`,
//! `normpath` (Python's `posixpath`), `readdir`, `rmdir`, `access`, `lstat`.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use halite_api::{ExecCall, ExecError, Map, Value};

use super::replace::expanduser;
use crate::exec::{ok, python_str, reject_unknown_kwargs, required_str, ExecResult};

/// Python's `posixpath.normpath`.
pub fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let initial = if path.starts_with("//") && !path.starts_with("///") {
        "//"
    } else if path.starts_with('/') {
        "/"
    } else {
        ""
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            ".." if !initial.is_empty() => {}
            other => parts.push(other),
        }
    }
    let joined = format!("{initial}{}", parts.join("/"));
    if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

/// Python's `posixpath.basename`.
pub fn basename(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, b)| b)
}

/// Python's `posixpath.dirname`.
pub fn dirname(path: &str) -> String {
    let head = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    if head.chars().any(|c| c != '/') {
        head.trim_end_matches('/').to_string()
    } else {
        head.to_string()
    }
}

/// Python's `posixpath.join`.
pub fn join(parts: &[String]) -> String {
    let mut path = String::new();
    for (i, b) in parts.iter().enumerate() {
        if i == 0 || b.starts_with('/') {
            path = b.clone();
        } else if path.is_empty() || path.ends_with('/') {
            path.push_str(b);
        } else {
            path.push('/');
            path.push_str(b);
        }
    }
    path
}

pub fn basename_fn(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path"])?;
    ok(basename(&required_str(call, 0, "path")?))
}

pub fn dirname_fn(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path"])?;
    ok(dirname(&required_str(call, 0, "path")?))
}

pub fn normpath_fn(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path"])?;
    ok(normpath(&required_str(call, 0, "path")?))
}

/// `file.join(*args)`.
pub fn join_fn(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &[])?;
    if call.args.is_empty() {
        return Err(ExecError::Invocation(
            "join() missing 1 required positional argument: 'a'".into(),
        ));
    }
    let parts: Vec<String> = call.args.iter().map(python_str).collect();
    ok(join(&parts))
}

fn absolute_dir(call: &ExecCall<'_>, what: &str) -> Result<String, ExecError> {
    let path = expanduser(&required_str(call, 0, "path")?);
    if !path.starts_with('/') {
        return Err(ExecError::Invocation(format!(
            "{what} path must be absolute."
        )));
    }
    if !Path::new(&path).is_dir() {
        return Err(ExecError::Invocation(format!(
            "A valid directory was not specified: {path}"
        )));
    }
    Ok(path)
}

/// `file.readdir(path)`: `.`, `..`, then the entries in directory order.
pub fn readdir(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path"])?;
    let path = absolute_dir(call, "Dir")?;
    let mut out: Vec<Value> = vec![".".into(), "..".into()];
    let entries = std::fs::read_dir(&path).map_err(|e| ExecError::Failed(e.to_string()))?;
    for e in entries.flatten() {
        out.push(e.file_name().to_string_lossy().into_owned().into());
    }
    ok(Value::Array(out))
}

fn mtime(path: &Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.mtime() as f64 + m.mtime_nsec() as f64 / 1e9)
}

/// Subdirectories of `dir`, deepest first (`os.walk(topdown=False)`'s order of `dirs`).
fn subdirs_bottom_up(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let dirs: Vec<_> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    for d in &dirs {
        subdirs_bottom_up(d, out);
    }
    out.extend(dirs);
}

/// `file.rmdir(path, recurse=False, verbose=False, older_than=None)`: removes
/// empty directories only.
pub fn rmdir(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "recurse", "verbose", "older_than"])?;
    let flag = |i, k| call.arg(i, k).is_some_and(halite_api::value::is_truthy);
    let path = absolute_dir(call, "File")?;
    let older = call
        .arg(3, "older_than")
        .filter(|v| halite_api::value::is_truthy(v))
        .map(|v| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            let days = match v {
                Value::Number(n) => n.as_f64().map(f64::trunc),
                other => python_str(other)
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .map(|d| d as f64),
            };
            days.map_or(0.0, |d| now - d * 86400.0)
        });
    let old_enough = |p: &Path| older.is_none_or(|limit| limit == 0.0 || mtime(p) < limit);
    let (mut deleted, mut errors) = (Vec::<Value>::new(), Vec::<Value>::new());
    let mut ret = false;
    let remove = |p: &Path, deleted: &mut Vec<Value>, errors: &mut Vec<Value>| {
        match std::fs::remove_dir(p) {
            Ok(()) => {
                deleted.push(p.to_string_lossy().into_owned().into());
                true
            }
            Err(e) => {
                errors.push(Value::Array(vec![
                    p.to_string_lossy().into_owned().into(),
                    super::hash::py_oserror(&e, &p.to_string_lossy()).into(),
                ]));
                false
            }
        }
    };
    let recurse = flag(1, "recurse");
    if recurse {
        let mut subs = Vec::new();
        subdirs_bottom_up(Path::new(&path), &mut subs);
        for s in subs.iter().filter(|s| old_enough(s)) {
            remove(s, &mut deleted, &mut errors);
        }
        ret = errors.is_empty();
    }
    if old_enough(Path::new(&path)) {
        ret = remove(Path::new(&path), &mut deleted, &mut errors) && (ret || !recurse);
    }
    if flag(2, "verbose") {
        let mut m = Map::new();
        m.insert("deleted".into(), Value::Array(deleted));
        m.insert("errors".into(), Value::Array(errors));
        m.insert("result".into(), ret.into());
        return ok(Value::Object(m));
    }
    ok(ret)
}

/// `file.access(path, mode)`: mode `f`, `r`, `w`, `x` or 0, 4, 2, 1.
pub fn access(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "mode"])?;
    let path = expanduser(&required_str(call, 0, "path")?);
    if !path.starts_with('/') {
        return Err(ExecError::Invocation(
            "Path to link must be absolute.".into(),
        ));
    }
    let mode = match call.arg(1, "mode") {
        Some(Value::String(s)) if s == "f" => libc::F_OK,
        Some(Value::String(s)) if s == "r" => libc::R_OK,
        Some(Value::String(s)) if s == "w" => libc::W_OK,
        Some(Value::String(s)) if s == "x" => libc::X_OK,
        Some(Value::Number(n)) if matches!(n.as_i64(), Some(0 | 1 | 2 | 4)) => {
            n.as_i64().unwrap_or(0) as i32
        }
        _ => return Err(ExecError::Invocation("Invalid mode specified.".into())),
    };
    ok(may_access(&path, mode))
}

/// `access(2)` from the permission bits: root may read and write anything
/// and execute what has an execute bit (or is a directory); others by the
/// owner, group or other bits.
fn may_access(path: &str, mode: i32) -> bool {
    let Ok(md) = std::fs::metadata(path) else {
        return false;
    };
    if mode == libc::F_OK {
        return true;
    }
    let me = std::fs::metadata("/proc/self").ok();
    let (uid, gid) = me.map_or((0, 0), |m| (m.uid(), m.gid()));
    let bits = md.mode();
    let want = mode as u32;
    if uid == 0 {
        return want & 1 == 0 || md.is_dir() || bits & 0o111 != 0;
    }
    let shift = if md.uid() == uid {
        6
    } else if md.gid() == gid {
        3
    } else {
        0
    };
    (bits >> shift) & want == want
}

/// `file.lstat(path)`: the `st_*` fields, `{}` when the path cannot be read.
pub fn lstat(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path"])?;
    let path = expanduser(&required_str(call, 0, "path")?);
    if !path.starts_with('/') {
        return Err(ExecError::Invocation(
            "Path to file must be absolute.".into(),
        ));
    }
    let mut m = Map::new();
    if let Ok(md) = std::fs::symlink_metadata(&path) {
        let t = |s: i64, ns: i64| Value::from(s as f64 + ns as f64 / 1e9);
        m.insert("st_atime".into(), t(md.atime(), md.atime_nsec()));
        m.insert("st_ctime".into(), t(md.ctime(), md.ctime_nsec()));
        m.insert("st_gid".into(), md.gid().into());
        m.insert("st_mode".into(), md.mode().into());
        m.insert("st_mtime".into(), t(md.mtime(), md.mtime_nsec()));
        m.insert("st_nlink".into(), md.nlink().into());
        m.insert("st_size".into(), md.size().into());
        m.insert("st_uid".into(), md.uid().into());
    }
    ok(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posixpath_like_python() {
        assert_eq!(normpath("/a/./b//c/../d"), "/a/b/d");
        assert_eq!(normpath("a/.."), ".");
        assert_eq!(normpath("../x"), "../x");
        assert_eq!(normpath("/.."), "/");
        assert_eq!(normpath("//a//b"), "//a/b");
        assert_eq!(normpath("///a"), "/a");
        assert_eq!(normpath(""), ".");
        assert_eq!(basename("/a/b/"), "");
        assert_eq!(basename("/a/b"), "b");
        assert_eq!(dirname("/a/b"), "/a");
        assert_eq!(dirname("/a/b/"), "/a/b");
        assert_eq!(dirname("/a"), "/");
        assert_eq!(dirname("a"), "");
        assert_eq!(dirname("//a"), "//");
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(join(&s(&["/a", "b", "c/"])), "/a/b/c/");
        assert_eq!(join(&s(&["/a/", "/etc", "x"])), "/etc/x");
        assert_eq!(join(&s(&["", "x"])), "x");
    }
}
