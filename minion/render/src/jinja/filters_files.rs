//! Salt's file and path filters (`salt/utils/files.py`, `salt/utils/path.py`,
//! `salt/utils/user.py`): `is_bin_file`, `is_text_file`, `is_empty`,
//! `list_files`, `which`, `get_uid`. They look at the minion's own files
//! through std only.

use std::collections::HashSet;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use minijinja::value::{Kwargs, Rest};
use minijinja::{Environment, Error, Value};

use super::filters_data::{bind, some};

use super::mutable::MutList;

pub fn register(env: &mut Environment<'static>) {
    env.add_filter("is_bin_file", is_bin_file);
    env.add_filter("is_text_file", is_text_file);
    env.add_filter("is_empty", is_empty);
    env.add_filter("list_files", list_files);
    env.add_filter("which", which);
    env.add_filter("get_uid", get_uid);
}

fn read_block(path: &str, size: u64) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(size)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

pub use halite_api::py::is_binary;

/// `is_bin_file`: a regular file whose first 2048 bytes look binary.
pub fn is_bin_file(path: String) -> bool {
    Path::new(&path).is_file() && read_block(&path, 2048).is_some_and(|b| is_binary(&b))
}

/// `is_text_file(blocksize=512)`: readable and the block is not binary.
pub fn is_text_file(path: String, rest: Rest<Value>, kwargs: Kwargs) -> Result<bool, Error> {
    let size = some(&bind("is_text", &rest, &kwargs, &["blocksize"])?[0]);
    let size = size.map_or(Ok(512), u64::try_from)?;
    Ok(read_block(&path, size).is_some_and(|b| !is_binary(&b)))
}

/// `is_empty`: the file exists with size 0.
pub fn is_empty(path: String) -> bool {
    std::fs::metadata(&path).is_ok_and(|m| m.len() == 0)
}

/// Salt's `safe_walk` (follows links, each directory once) into `out`.
fn walk(top: &str, seen: &mut HashSet<(u64, u64)>, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(top) else {
        return;
    };
    if let Ok(m) = std::fs::metadata(top) {
        if m.ino() != 0 && !seen.insert((m.dev(), m.ino())) {
            return;
        }
    }
    let mut dirs = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = join(top, &name);
        if Path::new(&path).is_dir() {
            dirs.push(path.clone());
        }
        out.push(path);
    }
    for dir in dirs {
        walk(&dir, seen, out);
    }
}

fn join(a: &str, b: &str) -> String {
    if b.starts_with('/') {
        b.to_string()
    } else if a.is_empty() || a.ends_with('/') {
        format!("{a}{b}")
    } else {
        format!("{a}/{b}")
    }
}

/// `list_files`: the directory and every file and directory under it.
/// Salt returns them in a Python set's order; here they are sorted.
pub fn list_files(directory: String) -> Value {
    let mut out = vec![directory.clone()];
    walk(&directory, &mut HashSet::new(), &mut out);
    out.sort();
    out.dedup();
    MutList::new_value(out.into_iter().map(Value::from).collect())
}

/// A regular file with an execute bit (what `os.access(X_OK)` says for root).
fn is_executable(path: &str) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `which`: `exe` itself when executable, else the first `$PATH` entry (then
/// `/sbin`, `/bin`, `/usr/sbin`, `/usr/bin`, `/usr/local/sbin`,
/// `/usr/local/bin`) holding it; None when not found or empty.
pub fn which(exe: Option<String>) -> Value {
    let Some(exe) = exe.filter(|e| !e.is_empty()) else {
        return Value::from(());
    };
    if is_executable(&exe) {
        return Value::from(exe);
    }
    let env_path = std::env::var("PATH").unwrap_or_default();
    let mut paths: Vec<String> = env_path.split(':').map(str::to_string).collect();
    for extra in [
        "/sbin",
        "/bin",
        "/usr/sbin",
        "/usr/bin",
        "/usr/local/sbin",
        "/usr/local/bin",
    ] {
        if !env_path.split(':').any(|p| p == extra) {
            paths.push(extra.to_string());
        }
    }
    paths
        .iter()
        .map(|dir| join(dir, &exe))
        .find(|p| is_executable(p))
        .map_or(Value::from(()), Value::from)
}

/// `get_uid(user=None)`: the uid of `user` from `/etc/passwd` (None when
/// absent), or the process's effective uid (the owner of `/proc/self`).
pub fn get_uid(user: Option<String>) -> Value {
    let Some(user) = user else {
        return std::fs::metadata("/proc/self").map_or(Value::from(()), |m| Value::from(m.uid()));
    };
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 2 && f[0] == user)
        .and_then(|f| f[2].parse::<u32>().ok())
        .map_or(Value::from(()), Value::from)
}
